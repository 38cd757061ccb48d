// Review sources that cannot page back in time: Google answers with the same handful of
// reviews per place (at most 5), Yelp with its 3 newest excerpts per business. Each pull
// re-reads that whole handful, so there is nothing to resume and nothing to owe; what is left
// is the local window (keep only what falls in [since, until], or in a gap an earlier pull
// owed) and a cursor that records how far the reads have seen. Pure.
import type { Cursor, MentionDraft } from '../model.js'
import { keepHit, mergeWalks, planWindows, type WalkState, type WindowBounds } from './window.js'

export interface FixedWindowRead {
  /** The drafts inside the pull's window (or an owed gap), in the order given. */
  kept: MentionDraft[]
  /** Drafts dropped for lying outside it. */
  outside: number
  /** The cursor part after this read: safe to commit at once (the read is complete). */
  cursor: Cursor
}

/**
 * One complete read of a fixed window (every review the upstream offers for one place),
 * filtered to the pull's window and folded into `previous`. The read is the whole of what
 * the upstream shows, so every planned window counts as walked to its bottom.
 */
export function readFixedWindow(previous: Cursor | undefined, drafts: readonly MentionDraft[], bounds: WindowBounds): FixedWindowRead {
  const windows = planWindows(previous, { ...bounds, overlap: 0 })
  const walks: WalkState[] = windows.map((window) => ({ window, status: 'done' }))
  const kept: MentionDraft[] = []
  let outside = 0
  for (const d of drafts) {
    const into = walks.filter((w) => keepHit(d.createdAt, w.window, bounds))
    if (into.length === 0) {
      outside++
      continue
    }
    kept.push(d)
    for (const w of into) {
      const inside = d.createdAt >= w.window.from && d.createdAt <= (w.window.to ?? Infinity)
      if (inside && (w.newestSeen === undefined || d.createdAt > w.newestSeen)) w.newestSeen = d.createdAt
    }
  }
  return { kept, outside, cursor: walks.length > 0 ? mergeWalks(previous, walks, bounds) : (previous ?? {}) }
}
