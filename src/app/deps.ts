// What every use case gets from the outside world. The CLI builds it (cli/deps.ts); tests build
// their own over a temp SQLite file and a loopback server. Everything heavy is lazy so that a
// command only opens what it needs.
import type { Config } from '../config/load.js'
import type { Env } from '../config/paths.js'
import type { Http } from '../net/types.js'
import type { Scorer } from '../sentiment/index.js'
import type { Source } from '../sources/types.js'
import type { LockHolder, Store } from '../store/index.js'

export interface Deps {
  env: Env
  now(): number
  /** Throws ConfigError when there is no usable config. */
  config(): Config
  /** The config when there is one; read commands work on a database alone. */
  maybeConfig(): Config | undefined
  /** The store for commands that write: created and migrated when needed. */
  store(): Store
  /**
   * The store for commands that only read: opened read-only, never created (a missing file is
   * a StoreError naming the path). The writable store when one is already open.
   */
  readStore(): Store
  http(): Http
  scorer(): Scorer
  sources: readonly Source[]
  /** Who this process is, for the pull lock, and whether another holder is still running. */
  lock: { holder: LockHolder; isAlive(holder: LockHolder): boolean }
  /** Warnings and progress for a human (stderr); never data. */
  warn(message: string): void
}
