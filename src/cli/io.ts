// The process's streams, seen once, with the facts output decisions depend on.
import type { ColorLevel } from '../report/style.js'
import type { Env } from '../config/paths.js'

export interface OutStream {
  write(chunk: string): boolean | void
  readonly isTTY: boolean
  /** Terminal width when isTTY. */
  readonly columns?: number
}

export interface IO {
  stdout: OutStream
  stderr: OutStream
  stdin: AsyncIterable<string | Buffer> & { isTTY?: boolean }
  env: Env
  cwd: string
  home: string
  /** Aborted on the first Ctrl-C, so long commands can stop cleanly. */
  signal?: AbortSignal
}

/**
 * Colour for a stream: only on a TTY, never with NO_COLOR (any value, per no-color.org),
 * TERM=dumb or --no-color. FORCE_COLOR may turn it on off a TTY, but never beats NO_COLOR.
 */
export function colorLevel(stream: OutStream, env: Env, flagAllows: boolean): ColorLevel {
  if (!flagAllows || env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  const forced = env.FORCE_COLOR
  if (forced !== undefined && forced !== '') {
    if (forced === '0' || forced === 'false') return 0
    if (forced === '2') return 2
    if (forced === '3') return 3
    return 1
  }
  if (!stream.isTTY || env.TERM === 'dumb') return 0
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3
  if (env.TERM?.includes('256')) return 2
  return 1
}
