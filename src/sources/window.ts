// Time-window arithmetic for sources that walk an upstream newest first (Hacker News now;
// Reddit, Mastodon, Bluesky … next). Pure: a source plans its walks with planWindows, reports
// how far each walk got, and mergeWalks turns that into a cursor that is safe to commit.
//
// A cursor (or one of its `parts`) claims: everything created in [oldest, at] has been stored,
// except `gap`, which is owed and walked first by the next pull. Every function here keeps
// that claim an under-estimate: forgetting coverage costs a re-fetch (inserts are
// idempotent), claiming too much loses items for good.
import type { Cursor } from '../model.js'

/** Epoch ms, both ends inclusive. */
export interface Span {
  from: number
  to: number
}

export interface WindowBounds {
  /** Epoch ms: the start of the window the pull must cover (q.since). */
  since: number
  /** Epoch ms: the end of the window (q.until); undefined means "up to now". */
  until?: number | undefined
}

/**
 * gap: owed by an earlier pull. new: above the resume point, re-reading `overlap` below it.
 * backfill: below what the cursor covers, down to `since`.
 */
export type WindowKind = 'gap' | 'new' | 'backfill'

export interface Window {
  kind: WindowKind
  /** Epoch ms, inclusive. */
  from: number
  /** Epoch ms, inclusive; undefined for a window open up to now. */
  to: number | undefined
}

/** True when `createdAt` lies in [since, until]. */
export function inBounds(createdAt: number, bounds: WindowBounds): boolean {
  return createdAt >= bounds.since && (bounds.until === undefined || createdAt <= bounds.until)
}

/**
 * Whether a source keeps a hit that a walk of `window` returned: inside the pull's
 * [since, until] or inside the window walked (an owed gap may reach below since). Anything
 * else comes from an upstream that ignored its date filters, and must not flood the store.
 */
export function keepHit(createdAt: number, window: Window, bounds: WindowBounds): boolean {
  return inBounds(createdAt, bounds) || (createdAt >= window.from && createdAt <= (window.to ?? Infinity))
}

/**
 * What a cursor claims, as spans: `covered` (stored) and `owed` (its gap).
 *
 * A cursor written before `oldest` existed only promised continuity above `at`; what it holds
 * below is unknown, so it is read as covering nothing below `at` (or below its gap, which it
 * still owes). The first pull after the upgrade then backfills its `since` window again:
 * re-fetching is harmless, assuming coverage is not.
 */
export function coverageOf(cursor: Cursor | undefined): { covered: Span[]; owed: Span[] } {
  if (cursor?.at === undefined) return { covered: [], owed: [] }
  const at = cursor.at
  const gap = validGap(cursor.gap)
  const oldest = Math.min(cursor.oldest ?? (gap ? Math.min(gap.from, at) : at), at)
  if (!gap) return { covered: [{ from: oldest, to: at }], owed: [] }
  return { covered: subtract([{ from: oldest, to: at }], [gap]), owed: [gap] }
}

/**
 * The windows to walk, in the order to walk them: the gap an earlier pull owes (so it cannot
 * starve), then the new window above the resume point, then a backfill when `since` reaches
 * below what the cursor covers. All of them end at `until`. The new window and the backfill
 * start at `since` or later; an owed gap is walked in full even where it reaches below this
 * pull's `since` (the pull that owes it asked for it: a `--since 90d` cut short is finished
 * by the 7-day pulls after it), and a part above `until` stays owed.
 *
 * `overlap` re-reads that much below the resume point: an upstream that makes items
 * searchable late (an index lag) can show an item older than one already seen.
 */
export function planWindows(
  cursor: Cursor | undefined,
  opts: WindowBounds & { overlap: number },
): Window[] {
  const { since, until } = opts
  const top = until ?? Infinity
  if (top < since) return []
  if (cursor?.at === undefined) return [{ kind: 'new', from: since, to: until }]

  const windows: Window[] = []
  const { covered, owed } = coverageOf(cursor)
  for (const gap of owed) {
    const to = Math.min(gap.to, top)
    if (gap.from <= to) windows.push({ kind: 'gap', from: gap.from, to })
  }
  const newFrom = Math.max(since, cursor.at - Math.max(0, opts.overlap))
  if (newFrom <= top) windows.push({ kind: 'new', from: newFrom, to: until })
  const oldest = Math.min(...covered.map((s) => s.from), ...owed.map((s) => s.from))
  if (since < oldest) {
    const to = Math.min(oldest, top)
    if (since <= to) windows.push({ kind: 'backfill', from: since, to })
  }
  return windows
}

/** How far one walk of a window has got. */
export interface WalkState {
  window: Window
  /**
   * pending: not started. running: some pages fetched, more to come. done: walked to the
   * bottom of its window. truncated: stopped early (page bound); the rest is owed.
   */
  status: 'pending' | 'running' | 'done' | 'truncated'
  /** Oldest created_at among the hits fetched so far (in or out of the window). */
  oldestSeen?: number | undefined
  /** Newest created_at among the hits fetched so far that lie inside the window. */
  newestSeen?: number | undefined
}

/**
 * What one walk has covered and what it still owes. A newest-first walk that has fetched
 * down to `oldestSeen` has stored everything in its window above that point; the rest,
 * that second included (a page may split it), is owed. A window open up to now is covered
 * only up to the newest item seen: the time after it may still receive late-indexed items.
 * A walk that has not started owes its window only when it is a gap (an earlier pull owes
 * it); an unstarted new or backfill window is simply planned again next pull.
 */
export function walkProgress(walk: WalkState): { covered?: Span; owed?: Span } {
  const { window: w, status } = walk
  const clamp = (t: number) => Math.min(Math.max(t, w.from), w.to ?? Infinity)
  const top = w.to ?? Math.max(w.from, walk.newestSeen ?? w.from)
  if (status === 'done') return { covered: { from: w.from, to: top } }
  if (walk.oldestSeen === undefined) {
    return w.kind === 'gap' && w.to !== undefined ? { owed: { from: w.from, to: w.to } } : {}
  }
  // A hit older than the window's start: the pages seen hold everything the window does.
  if (walk.oldestSeen < w.from) return { covered: { from: w.from, to: top } }
  const low = clamp(walk.oldestSeen)
  const out: { covered?: Span; owed?: Span } = { owed: { from: w.from, to: low } }
  if (low <= top) out.covered = { from: low, to: top }
  return out
}

/**
 * The cursor to commit after the given walks (planned by planWindows from `previous` with the
 * same bounds), safe at any point of the walk: merge the walked spans into what `previous`
 * covered, and keep owing whatever is left.
 *
 * A walk cut short owes the rest of its window, less what `previous` already covered.
 * The part of an earlier gap above `until` (not walked) stays owed.
 */
export function mergeWalks(previous: Cursor | undefined, walks: readonly WalkState[], bounds: WindowBounds): Cursor {
  const before = coverageOf(previous)
  const covered = [...before.covered]
  const owed: Span[] = []
  if (bounds.until !== undefined) {
    const until = bounds.until
    for (const g of before.owed) if (g.to > until) owed.push({ from: Math.max(g.from, until), to: g.to })
  }
  for (const walk of walks) {
    const p = walkProgress(walk)
    if (p.covered) covered.push(p.covered)
    // What the previous cursor already covered stays covered: the overlap a new window
    // re-reads below the resume point is a second look, not a debt.
    if (p.owed) owed.push(...subtract([p.owed], before.covered))
  }
  const merged = cursorFromSpans(covered, owed)
  // Keep what a source stores beside the window (ids, validators) from the previous cursor.
  const { at: _at, oldest: _oldest, gap: _gap, parts: _parts, ...rest } = previous ?? {}
  return { ...rest, ...merged }
}

/** Records one fully walked span in a cursor: mergeWalks for a source without paging. */
export function mergeSpan(previous: Cursor | undefined, span: Span, bounds: WindowBounds): Cursor {
  return mergeWalks(previous, [{ window: { kind: 'new', from: span.from, to: span.to }, status: 'done' }], bounds)
}

/**
 * The cursor for a set of covered and owed spans, which a cursor can describe only as one
 * span [oldest, at] with one owed gap inside it. It keeps the covered span that reaches
 * newest (that is where the next pull resumes) and extends it downwards through whatever
 * touches it, taking at most one owed stretch as the gap. What it cannot describe (a second
 * owed stretch, coverage across a hole that nobody owes) it forgets, below `oldest`: the
 * next pull whose `since` reaches there backfills it.
 */
export function cursorFromSpans(coveredIn: readonly Span[], owedIn: readonly Span[]): Cursor {
  const owed = normalise(owedIn)
  const covered = normalise(subtract(normalise(coveredIn), owed))
  const topSpan = covered.at(-1)
  if (!topSpan) return {}
  const at = topSpan.to
  let low = topSpan.from
  let gap: Span | undefined
  const used = new Set<Span>([topSpan])
  for (;;) {
    const touching = (list: Span[]) => list.filter((s) => !used.has(s) && s.from <= low && s.to >= low)
    // An owed stretch first: covered spans on either side of it may touch at one point.
    const nextOwed = touching(owed).sort((a, b) => a.from - b.from)[0]
    if (nextOwed) {
      if (gap && nextOwed.to < gap.from) break
      gap = { from: Math.min(gap?.from ?? nextOwed.from, nextOwed.from), to: Math.max(gap?.to ?? nextOwed.to, nextOwed.to) }
      used.add(nextOwed)
      low = Math.min(low, nextOwed.from)
      continue
    }
    const nextCovered = touching(covered).sort((a, b) => a.from - b.from)[0]
    if (!nextCovered) break
    used.add(nextCovered)
    if (nextCovered.from >= low) continue
    low = nextCovered.from
  }
  // Whatever is owed inside [low, at] must sit inside the gap; otherwise forget down to it.
  for (const o of owed) {
    if (o.to < low || o.from > at) continue
    if (gap && o.from >= gap.from && o.to <= gap.to) continue
    low = Math.max(low, o.to)
  }
  const cursor: Cursor = { at, oldest: low }
  if (gap && gap.to >= low) cursor.gap = { from: Math.max(gap.from, low), to: Math.min(gap.to, at) }
  return cursor
}

/**
 * The cursor of one upstream query. A cursor with `parts` answers for its parts only: a query
 * without a part (a term added since) starts afresh from `since`. A cursor written before
 * parts existed resumes every query from its own `at` and `gap`.
 */
export function partCursor(cursor: Cursor | undefined, key: string): Cursor | undefined {
  if (!cursor) return undefined
  if (cursor.parts) return cursor.parts[key]
  const { parts: _parts, ...own } = cursor
  return own.at === undefined ? undefined : own
}

/**
 * A cursor holding one part per query, summarised on top for readers that look only at the
 * top level: [oldest, at] is the window every part covers, and `gap` spans what any part
 * owes.
 */
export function withParts(parts: Record<string, Cursor>): Cursor {
  const list = Object.values(parts)
  const cursor: Cursor = {}
  if (list.length > 0 && list.every((p) => p.at !== undefined)) {
    const at = Math.min(...list.map((p) => p.at as number))
    const oldest = Math.max(...list.map((p) => p.oldest ?? (p.at as number)))
    cursor.at = at
    if (oldest <= at) cursor.oldest = oldest
  }
  const gaps = list.flatMap((p) => (validGap(p.gap) ? [p.gap as Span] : []))
  if (gaps.length > 0) {
    cursor.gap = { from: Math.min(...gaps.map((g) => g.from)), to: Math.max(...gaps.map((g) => g.to)) }
  }
  cursor.parts = parts
  return cursor
}

// ---------------------------------------------------------------------------------------
// Span sets

function validGap(gap: Cursor['gap']): Span | undefined {
  return gap && Number.isFinite(gap.from) && Number.isFinite(gap.to) && gap.from <= gap.to ? gap : undefined
}

/** Sorted by `from`, overlapping or touching spans merged. */
export function normalise(spans: readonly Span[]): Span[] {
  const sorted = spans.filter((s) => s.from <= s.to).map((s) => ({ ...s })).sort((a, b) => a.from - b.from)
  const out: Span[] = []
  for (const s of sorted) {
    const last = out.at(-1)
    if (last && s.from <= last.to) last.to = Math.max(last.to, s.to)
    else out.push(s)
  }
  return out
}

/**
 * `spans` less `cuts`. The pieces keep the cut's end points (a point both stored and owed is
 * owed: cursorFromSpans lets owed win), so a piece may be a single instant.
 */
export function subtract(spans: readonly Span[], cuts: readonly Span[]): Span[] {
  let pieces = spans.map((s) => ({ ...s }))
  for (const cut of cuts) {
    const next: Span[] = []
    for (const p of pieces) {
      if (cut.to < p.from || cut.from > p.to) {
        next.push(p)
        continue
      }
      if (p.from < cut.from) next.push({ from: p.from, to: cut.from })
      if (cut.to < p.to) next.push({ from: cut.to, to: p.to })
    }
    pieces = next
  }
  return pieces
}

// ---------------------------------------------------------------------------------------
// Several keyed streams (terms, handles, listings) in one walk

/**
 * The walks of several streams, in the order to walk them: every stream's owed gap first (so
 * none starves), then what is new, then any backfill. `make` builds an adapter's own walk
 * record for one stream and window.
 */
export function orderWalks<P extends { windows: readonly Window[] }, W>(planned: readonly P[], make: (p: P, window: Window) => W): W[] {
  const walks: W[] = []
  for (const kind of ['gap', 'new', 'backfill'] as const) {
    for (const p of planned) for (const window of p.windows) if (window.kind === kind) walks.push(make(p, window))
  }
  return walks
}

/**
 * The cursor of several streams: one part per key (empty parts left out), summarised on top
 * by withParts. `partFor` is usually mergeWalks over that stream's walks.
 */
export function cursorOfParts(keys: readonly string[], partFor: (key: string) => Cursor): Cursor {
  const parts: Record<string, Cursor> = {}
  for (const key of keys) {
    const part = partFor(key)
    if (Object.keys(part).length > 0) parts[key] = part
  }
  return withParts(parts)
}
