import os from 'node:os'
import type { Env } from '../config/paths.js'

/** Who is making a change, for the event log: MENTIONS_USER, else the OS user. */
export function actorOf(env: Env): string {
  const named = env.MENTIONS_USER ?? env.USER ?? env.LOGNAME
  if (named?.trim()) return named.trim()
  try {
    // A cron job or a container often has no USER: the account itself still has a name.
    return os.userInfo().username || 'unknown'
  } catch {
    return 'unknown'
  }
}
