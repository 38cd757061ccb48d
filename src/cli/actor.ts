import type { Env } from '../config/paths.js'

/** Who is making a change, for the event log: MENTIONS_USER, else the OS user. */
export function actorOf(env: Env): string {
  return env.MENTIONS_USER ?? env.USER ?? env.LOGNAME ?? 'unknown'
}
