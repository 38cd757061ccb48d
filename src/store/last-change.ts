// What "someone else changed it a moment ago" means, shared by both engines so a triage
// change reports the same crossing on SQLite and on PostgreSQL.
import type { LastChange } from './types.js'

/** How far back another actor's event counts as "a moment ago". */
export const LAST_CHANGE_WINDOW_MS = 10 * 60_000

/** The earliest event time that still counts for a change made at `now`. */
export const lastChangeSince = (now: number): number => now - LAST_CHANGE_WINDOW_MS

export interface LastChangeRow {
  actor: string
  action: string
  at: number
  /** JSON text (SQLite) or the parsed jsonb (PostgreSQL). */
  detail: string | Record<string, unknown>
}

export const toLastChange = (r: LastChangeRow): LastChange => ({
  actor: r.actor,
  action: r.action,
  at: r.at,
  detail: typeof r.detail === 'string' ? (JSON.parse(r.detail) as Record<string, unknown>) : r.detail,
})
