// What every command gets, and the exit codes: in a module of their own so commands never
// import run.ts (which loads the commands).
import type { Style } from '../report/style.js'
import type { CliDeps } from './deps.js'
import type { IO } from './io.js'

export const EXIT = { ok: 0, failure: 1, usage: 2, partial: 3, interrupted: 130 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export interface CommandContext {
  io: IO
  deps: CliDeps
  stdoutStyle: Style
  stderrStyle: Style
  /** Writes one line to stderr. */
  note(message: string): void
}
