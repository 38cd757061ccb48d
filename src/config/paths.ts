// Where files live, following the XDG base-directory spec. Pure: env and home are passed in.
import path from 'node:path'

export type Env = Readonly<Record<string, string | undefined>>

export const CONFIG_FILE_NAME = 'mentions.config.json'

function xdg(env: Env, home: string, variable: string, fallback: string): string {
  const value = env[variable]
  // The spec says relative values are invalid and must be ignored.
  return value && path.isAbsolute(value) ? value : path.join(home, fallback)
}

export function configCandidates(env: Env, cwd: string, home: string, flag?: string): { path: string; origin: string }[] {
  if (flag) return [{ path: path.resolve(cwd, flag), origin: '--config' }]
  if (env.MENTIONS_CONFIG) return [{ path: path.resolve(cwd, env.MENTIONS_CONFIG), origin: 'MENTIONS_CONFIG' }]
  return [
    { path: path.join(cwd, CONFIG_FILE_NAME), origin: 'working directory' },
    { path: path.join(xdg(env, home, 'XDG_CONFIG_HOME', '.config'), 'mentions', 'config.json'), origin: 'XDG_CONFIG_HOME' },
  ]
}

export function defaultDatabasePath(env: Env, home: string): string {
  return path.join(xdg(env, home, 'XDG_DATA_HOME', path.join('.local', 'share')), 'mentions', 'mentions.db')
}
