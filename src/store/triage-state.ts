// The triage state a reader sees, from what the triage row holds: no row is open, and a snooze
// whose time has come is open again (the row keeps saying snoozed until someone writes it).
// One rule for both engines and every read path (rows, raw export rows, PostgreSQL rows).
import type { TriageState } from '../model.js'

export interface ShownTriage {
  state: TriageState
  /** When the snooze ends, while it has not; else null. */
  snoozedUntil: number | null
}

// Every row that is not snoozed shows one of these: shared, read-only, so the hot read paths
// (an export of a million rows) allocate nothing for them.
const PLAIN = new Map<TriageState | null, ShownTriage>()
function plain(state: TriageState | null): ShownTriage {
  let v = PLAIN.get(state)
  if (v === undefined) PLAIN.set(state, (v = Object.freeze({ state: state ?? 'open', snoozedUntil: null })))
  return v
}

/** `now` undefined: judged at no moment, so a snooze is shown as stored. */
export function shownTriage(state: TriageState | null, snoozedUntil: number | null, now: number | undefined): ShownTriage {
  if (state !== 'snoozed') return plain(state)
  const over = now !== undefined && snoozedUntil !== null && snoozedUntil <= now
  return over ? plain('open') : { state, snoozedUntil }
}
