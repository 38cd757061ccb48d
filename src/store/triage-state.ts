// The triage state a reader sees, from what the triage row holds: no row is open, and a snooze
// whose time has come is open again (the row keeps saying snoozed until someone writes it).
// One rule for both engines and every read path (rows, raw export rows, PostgreSQL rows).
import type { TriageState } from '../model.js'

export interface ShownTriage {
  state: TriageState
  /** When the snooze ends, while it has not; else null. */
  snoozedUntil: number | null
}

/** `now` undefined: judged at no moment, so a snooze is shown as stored. */
export function shownTriage(state: TriageState | null, snoozedUntil: number | null, now: number | undefined): ShownTriage {
  if (state !== 'snoozed') return { state: state ?? 'open', snoozedUntil: null }
  const over = now !== undefined && snoozedUntil !== null && snoozedUntil <= now
  return over ? { state: 'open', snoozedUntil: null } : { state, snoozedUntil }
}
