// Secrets come from the environment, `.env` (loaded by the CLI) or `NAME_FILE` variables that
// point at a file holding the value (Docker/Kubernetes secrets). Never from flags.
import type { Env } from './paths.js'

/**
 * Returns env with `NAME_FILE` resolved into `NAME` for each of `names` (the variables the
 * sources declare) that is not already set. Other `*_FILE` variables belong to other tools and
 * are left alone. A file that cannot be read is reported by variable name, never by content.
 */
export function expandFileSecrets(
  env: Env,
  names: Iterable<string>,
  readFile: (p: string) => string,
): { env: Env; problems: string[] } {
  const out: Record<string, string | undefined> = { ...env }
  const problems: string[] = []
  for (const name of new Set(names)) {
    const file = env[`${name}_FILE`]
    if (!file || out[name]) continue
    try {
      out[name] = readFile(file).replace(/\r?\n$/, '')
    } catch (err) {
      problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
    }
  }
  return { env: out, problems }
}
