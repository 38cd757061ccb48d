// Secrets come from the environment, `.env` (loaded by the CLI) or `NAME_FILE` variables that
// point at a file holding the value (Docker/Kubernetes secrets). Never from flags.
import fs from 'node:fs'
import type { Env } from './paths.js'

/** A file's permission bits, or undefined when it cannot be stat'ed (the read reports that). */
export function fileMode(p: string): number | undefined {
  try {
    return fs.statSync(p).mode & 0o777
  } catch {
    return undefined
  }
}

/**
 * The warning for a file of secrets (a `*_FILE` secret, the config with its webhook URLs)
 * that other users may read, naming the file and the fix; undefined when only its owner can.
 */
export function readableByOthersWarning(file: string, mode: number | undefined, what = 'it holds secrets'): string | undefined {
  if (mode === undefined || (mode & 0o044) === 0) return undefined
  const who = (mode & 0o004) !== 0 ? 'every user on this machine' : 'its group'
  return `${file} can be read by ${who} and ${what}; run chmod 600 ${file}`
}

// A key that names a secret, with a non-empty string value; or a URL carrying a password.
const SECRET_KEY = /"[^"]*(?:token|secret|password|passwd|api[-_]?key|webhook)[^"]*"\s*:\s*"[^"]+"/i
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@"]+:[^\s/@"]+@/i

/**
 * The warning for a config file others can read, when it holds what looks like a secret. A
 * config of brands and terms is not secret, and warning on every run of a 0644 file would
 * teach cron mail to be ignored; keys, passwords and webhook URLs belong in the environment.
 */
export function configReadableWarning(file: string, mode: number | undefined, text: string): string | undefined {
  if (!SECRET_KEY.test(text) && !URL_WITH_PASSWORD.test(text)) return undefined
  return readableByOthersWarning(file, mode, 'looks like it holds a secret (better kept in the environment or a *_FILE)')
}

/**
 * Returns env with `NAME_FILE` resolved into `NAME` for each of `names` (the variables the
 * sources declare) that is not already set. Other `*_FILE` variables belong to other tools and
 * are left alone. A file that cannot be read is reported by variable name, never by content;
 * a file other users may read is reported too (once, however many variables name it).
 */
export function expandFileSecrets(
  env: Env,
  names: Iterable<string>,
  readFile: (p: string) => string,
  modeOf: (p: string) => number | undefined = fileMode,
): { env: Env; problems: string[] } {
  const out: Record<string, string | undefined> = { ...env }
  const problems: string[] = []
  const checked = new Set<string>()
  for (const name of new Set(names)) {
    const file = env[`${name}_FILE`]
    if (!file || out[name]) continue
    try {
      out[name] = readFile(file).replace(/\r?\n$/, '')
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
      continue
    }
    if (checked.has(file)) continue
    checked.add(file)
    const loose = readableByOthersWarning(file, modeOf(file), `holds ${name}`)
    if (loose) problems.push(`${name}_FILE: ${loose}`)
  }
  return { env: out, problems }
}
