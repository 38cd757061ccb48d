// Spawning the built binary for end-to-end tests: one way to run it, with a clean
// environment rooted in the test's own folder (nothing of the developer's config or data).
import { execFile } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = path.join(ROOT, 'bin', 'mentions.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

export interface CliRun {
  /** HOME and the root of the XDG folders; also the working directory unless `cwd` is given. */
  home: string
  cwd?: string
  env?: Record<string, string>
  /** What stdin reads (closed at once when absent). */
  input?: string
  maxBuffer?: number
}

/** The environment a spawned command gets: PATH, and HOME/XDG folders inside `home`. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: home, XDG_CONFIG_HOME: path.join(home, 'xdg-config'), XDG_DATA_HOME: path.join(home, 'xdg-data'), ...extra }
}

/** Runs `mentions ARGS` from the built dist/ and resolves with its exit code and output. */
export function runMentions(args: readonly string[], run: CliRun): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: run.cwd ?? run.home, env: cleanEnv(run.home, run.env), encoding: 'utf8', maxBuffer: run.maxBuffer ?? 1 << 26 },
      (err, stdout, stderr) => resolve({ code: err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0, stdout, stderr }),
    )
    child.stdin?.end(run.input ?? '')
  })
}
