// Builds the real Deps for one CLI invocation. Nothing is opened until a command asks.
import fs from 'node:fs'
import os from 'node:os'
import type { Deps } from '../app/deps.js'
import { expandFileSecrets } from '../config/env.js'
import { findConfig, loadConfig, type Config } from '../config/load.js'
import { defaultDatabasePath } from '../config/paths.js'
import { ConfigError } from '../errors.js'
import { createHttp } from '../net/client.js'
import type { Http } from '../net/types.js'
import { scorerFor } from '../app/score.js'
import type { Scorer } from '../sentiment/index.js'
import { sources } from '../sources/registry.js'
import { openStore, type Store } from '../store/index.js'
import type { IO } from './io.js'
import { USER_AGENT } from './version.js'

export interface GlobalFlags {
  config?: string
  db?: string
}

const fsForConfig = {
  exists: (p: string) => fs.existsSync(p),
  read: (p: string) => fs.readFileSync(p, 'utf8'),
}

function lazy<T>(make: () => T): () => T {
  let value: { v: T } | undefined
  return () => (value ??= { v: make() }).v
}

export interface CliDeps extends Deps {
  /** The config if one exists (no error when none does). */
  maybeConfig(): Config | undefined
  /** Where the database is. */
  databasePath(): string
  /** The database path given by --db or MENTIONS_DB, if any. */
  maybeDbFlag(): string | undefined
  close(): Promise<void>
}

export function createDeps(io: IO, flags: GlobalFlags, warn: (m: string) => void): CliDeps {
  const registry = Object.values(sources)
  const secretNames = [...registry.flatMap((s) => s.requires.map((r) => r.env)), 'MENTIONS_WEBHOOK_URL']
  const { env, problems } = expandFileSecrets(io.env, secretNames, (p) => fs.readFileSync(p, 'utf8'))
  for (const p of problems) warn(p)

  const maybeConfig = lazy(() => {
    const file = findConfig(fsForConfig, env, io.cwd, io.home, flags.config)
    return file ? loadConfig(fsForConfig, file, registry) : undefined
  })
  const config = (): Config => {
    const c = maybeConfig()
    if (!c) {
      throw new ConfigError(
        'no configuration found: run `mentions init` to write mentions.config.json here, or pass --config PATH (or set MENTIONS_CONFIG)',
      )
    }
    return c
  }
  // --db, then MENTIONS_DB, then the config's "database", then the XDG data directory.
  const databasePath = lazy(() => flags.db ?? env.MENTIONS_DB ?? maybeConfig()?.database ?? defaultDatabasePath(env, io.home))

  let opened: Store | undefined
  let reader: Store | undefined
  let client: (Http & { close(): Promise<void> }) | undefined
  const store = () => (opened ??= openStore(databasePath()))
  const readStore = () => opened ?? (reader ??= openStore(databasePath(), { readOnly: true }))
  const http = () => (client ??= createHttp({ userAgent: USER_AGENT, env }))
  const scorer = lazy((): Scorer => scorerFor(maybeConfig()))

  return {
    env,
    now: () => Date.now(),
    config,
    maybeConfig,
    databasePath,
    maybeDbFlag: () => flags.db ?? env.MENTIONS_DB,
    store,
    readStore,
    http,
    scorer,
    sources: registry,
    lock: {
      holder: { pid: process.pid, host: os.hostname() },
      isAlive(h) {
        if (h.host !== os.hostname()) return true // cannot see other machines' processes: assume alive
        try {
          process.kill(h.pid, 0)
          return true
        } catch (err) {
          return (err as NodeJS.ErrnoException).code === 'EPERM'
        }
      },
    },
    warn,
    async close() {
      await opened?.close()
      await reader?.close()
      await client?.close()
    },
  }
}
