// Finding the config file, apart from validating it: every command asks where the config is,
// and only those that read it should pay for the schema (zod and the sources' option parsers).
import { ConfigError } from '../errors.js'
import { configCandidates, type Env } from './paths.js'

export interface ConfigFs {
  exists(p: string): boolean
  read(p: string): string
}

/** The file to use, or undefined when none exists. An explicit --config/MENTIONS_CONFIG must exist. */
export function findConfig(fs: ConfigFs, env: Env, cwd: string, home: string, flag?: string): string | undefined {
  const candidates = configCandidates(env, cwd, home, flag)
  for (const c of candidates) if (fs.exists(c.path)) return c.path
  const explicit = candidates.length === 1 ? candidates[0] : undefined
  if (explicit) throw new ConfigError(`${explicit.path}: no such file (from ${explicit.origin})`)
  return undefined
}

