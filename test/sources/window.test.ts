import { describe, expect, it } from 'vitest'
import type { Cursor } from '../../src/model.js'
import {
  coverageOf,
  cursorFromSpans,
  inBounds,
  keepHit,
  mergeSpan,
  mergeWalks,
  partCursor,
  planWindows,
  walkProgress,
  withParts,
  type WalkState,
  type Window,
  type WindowBounds,
} from '../../src/sources/window.js'

const H = 3600_000
const D = 24 * H
const NOW = 1_800_000_000_000
const OVERLAP = H

describe('inBounds', () => {
  it('keeps [since, until] inclusive, open above without until', () => {
    expect(inBounds(10, { since: 10, until: 20 })).toBe(true)
    expect(inBounds(20, { since: 10, until: 20 })).toBe(true)
    expect(inBounds(9, { since: 10, until: 20 })).toBe(false)
    expect(inBounds(21, { since: 10, until: 20 })).toBe(false)
    expect(inBounds(NOW, { since: 10 })).toBe(true)
  })
})

describe('keepHit', () => {
  it('keeps a hit inside the pull window or inside the walked window', () => {
    const gap: Window = { kind: 'gap', from: 1, to: 5 }
    expect(keepHit(3, gap, { since: 10 })).toBe(true)
    expect(keepHit(12, gap, { since: 10 })).toBe(true)
    expect(keepHit(7, gap, { since: 10 })).toBe(false)
    expect(keepHit(30, gap, { since: 10, until: 20 })).toBe(false)
  })
})

describe('coverageOf', () => {
  it('reads [oldest, at] less the gap', () => {
    expect(coverageOf({ at: 100, oldest: 10, gap: { from: 40, to: 60 } })).toEqual({
      covered: [{ from: 10, to: 40 }, { from: 60, to: 100 }],
      owed: [{ from: 40, to: 60 }],
    })
  })

  it('reads a cursor without `oldest` as covering nothing below `at` (or below its gap)', () => {
    expect(coverageOf({ at: 100 })).toEqual({ covered: [{ from: 100, to: 100 }], owed: [] })
    expect(coverageOf({ at: 100, gap: { from: 40, to: 60 } })).toEqual({
      covered: [{ from: 60, to: 100 }],
      owed: [{ from: 40, to: 60 }],
    })
  })

  it('covers nothing without `at`', () => {
    expect(coverageOf(undefined)).toEqual({ covered: [], owed: [] })
    expect(coverageOf({ etag: 'x' })).toEqual({ covered: [], owed: [] })
  })
})

describe('planWindows', () => {
  const since = NOW - 7 * D

  it('walks [since, until] on a first pull', () => {
    expect(planWindows(undefined, { since, overlap: OVERLAP })).toEqual([{ kind: 'new', from: since, to: undefined }])
    expect(planWindows({}, { since, until: NOW - D, overlap: OVERLAP })).toEqual([{ kind: 'new', from: since, to: NOW - D }])
  })

  it('resumes `overlap` below `at`, never below since', () => {
    const at = NOW - 2 * D
    expect(planWindows({ at, oldest: since - D }, { since, overlap: OVERLAP })).toEqual([{ kind: 'new', from: at - H, to: undefined }])
    expect(planWindows({ at: since + 1000, oldest: since - D }, { since, overlap: OVERLAP })).toEqual([
      { kind: 'new', from: since, to: undefined },
    ])
  })

  it('plans the owed gap first, then the new window, then a backfill down to since', () => {
    const cursor: Cursor = { at: NOW - D, oldest: NOW - 3 * D, gap: { from: NOW - 2 * D, to: NOW - 1.5 * D } }
    expect(planWindows(cursor, { since: NOW - 90 * D, overlap: OVERLAP })).toEqual([
      { kind: 'gap', from: NOW - 2 * D, to: NOW - 1.5 * D },
      { kind: 'new', from: NOW - D - H, to: undefined },
      { kind: 'backfill', from: NOW - 90 * D, to: NOW - 3 * D },
    ])
  })

  it('backfills below an old cursor’s `at` (it may hold nothing there)', () => {
    expect(planWindows({ at: NOW - D }, { since, overlap: OVERLAP })).toEqual([
      { kind: 'new', from: NOW - D - H, to: undefined },
      { kind: 'backfill', from: since, to: NOW - D },
    ])
  })

  it('ends every window at until; walks an owed gap even below since', () => {
    const cursor: Cursor = { at: NOW - D, oldest: NOW - 10 * D, gap: { from: NOW - 9 * D, to: NOW - 2 * D } }
    const windows = planWindows(cursor, { since: NOW - 5 * D, until: NOW - 3 * D, overlap: OVERLAP })
    // The new window would start above until: none. The gap stops at until.
    expect(windows).toEqual([{ kind: 'gap', from: NOW - 9 * D, to: NOW - 3 * D }])
  })

  it('bounds a backfill by until and plans nothing when until is before since', () => {
    const cursor: Cursor = { at: NOW - D, oldest: NOW - 7 * D }
    expect(planWindows(cursor, { since: NOW - 90 * D, until: NOW - 60 * D, overlap: OVERLAP })).toEqual([
      { kind: 'backfill', from: NOW - 90 * D, to: NOW - 60 * D },
    ])
    expect(planWindows(cursor, { since: NOW - D, until: NOW - 2 * D, overlap: OVERLAP })).toEqual([])
  })
})

describe('walkProgress', () => {
  const w: Window = { kind: 'new', from: 100, to: undefined }

  it('covers a finished open window up to the newest item seen (not up to now)', () => {
    expect(walkProgress({ window: w, status: 'done', newestSeen: 500, oldestSeen: 200 })).toEqual({ covered: { from: 100, to: 500 } })
    expect(walkProgress({ window: w, status: 'done' })).toEqual({ covered: { from: 100, to: 100 } })
  })

  it('covers a bounded window to its end', () => {
    expect(walkProgress({ window: { kind: 'backfill', from: 10, to: 90 }, status: 'done' })).toEqual({ covered: { from: 10, to: 90 } })
  })

  it('owes the rest of a window cut short, the oldest item’s instant included', () => {
    expect(walkProgress({ window: w, status: 'truncated', newestSeen: 500, oldestSeen: 300 })).toEqual({
      covered: { from: 300, to: 500 },
      owed: { from: 100, to: 300 },
    })
  })

  it('owes nothing once a page went below the window (a server ignoring filters)', () => {
    expect(walkProgress({ window: w, status: 'truncated', newestSeen: 500, oldestSeen: 50 })).toEqual({ covered: { from: 100, to: 500 } })
  })

  it('owes an unstarted gap, but not an unstarted new or backfill window (planned again)', () => {
    expect(walkProgress({ window: { kind: 'gap', from: 1, to: 9 }, status: 'pending' })).toEqual({ owed: { from: 1, to: 9 } })
    expect(walkProgress({ window: w, status: 'pending' })).toEqual({})
    expect(walkProgress({ window: { kind: 'backfill', from: 1, to: 9 }, status: 'pending' })).toEqual({})
  })
})

describe('mergeWalks', () => {
  const since = NOW - 7 * D
  const bounds: WindowBounds = { since }
  const walk = (window: Window, status: WalkState['status'], oldestSeen?: number, newestSeen?: number): WalkState => ({
    window,
    status,
    oldestSeen,
    newestSeen,
  })

  it('records a first pull cut short as a gap down to since', () => {
    const w = walk({ kind: 'new', from: since, to: undefined }, 'truncated', NOW - 3 * D, NOW - H)
    expect(mergeWalks(undefined, [w], bounds)).toEqual({ at: NOW - H, oldest: since, gap: { from: since, to: NOW - 3 * D } })
  })

  it('owes only what lies above the old resume point when a new window is cut short', () => {
    const prev: Cursor = { at: NOW - 2 * D, oldest: since }
    const w = walk({ kind: 'new', from: NOW - 2 * D - H, to: undefined }, 'truncated', NOW - D, NOW - H)
    expect(mergeWalks(prev, [w], bounds)).toEqual({ at: NOW - H, oldest: since, gap: { from: NOW - 2 * D, to: NOW - D } })
    // Cut short inside the overlap: the re-read part is a second look, not a debt.
    const inOverlap = walk({ kind: 'new', from: NOW - 2 * D - H, to: undefined }, 'truncated', NOW - 2 * D - 60_000, NOW - H)
    expect(mergeWalks(prev, [inOverlap], bounds)).toEqual({ at: NOW - H, oldest: since })
  })

  it('keeps `at` when the new window found nothing newer', () => {
    const prev: Cursor = { at: NOW - D, oldest: since }
    expect(mergeWalks(prev, [walk({ kind: 'new', from: NOW - D - H, to: undefined }, 'done')], bounds)).toEqual(prev)
  })

  it('extends `oldest` when a backfill finishes, and owes the rest when it is cut short', () => {
    const prev: Cursor = { at: NOW - H, oldest: since }
    const longer = { since: NOW - 90 * D }
    const bf: Window = { kind: 'backfill', from: NOW - 90 * D, to: since }
    expect(mergeWalks(prev, [walk(bf, 'done')], longer)).toEqual({ at: NOW - H, oldest: NOW - 90 * D })
    expect(mergeWalks(prev, [walk(bf, 'truncated', NOW - 30 * D)], longer)).toEqual({
      at: NOW - H,
      oldest: NOW - 90 * D,
      gap: { from: NOW - 90 * D, to: NOW - 30 * D },
    })
  })

  it('forgets, rather than owes, a second owed stretch (a later backfill fetches it)', () => {
    const prev: Cursor = { at: NOW - 2 * D, oldest: since }
    const longer = { since: NOW - 90 * D }
    const walks = [
      walk({ kind: 'new', from: NOW - 2 * D - H, to: undefined }, 'truncated', NOW - D, NOW - H),
      walk({ kind: 'backfill', from: NOW - 90 * D, to: since }, 'truncated', NOW - 30 * D),
    ]
    expect(mergeWalks(prev, walks, longer)).toEqual({ at: NOW - H, oldest: NOW - 30 * D, gap: { from: NOW - 2 * D, to: NOW - D } })
  })

  it('with until in the past: never moves `at` past what was walked, nor claims until..now', () => {
    const until = NOW - 3 * D
    // First pull bounded by until: covered up to until, not up to now.
    const first = mergeWalks(undefined, [walk({ kind: 'new', from: since, to: until }, 'done')], { since, until })
    expect(first).toEqual({ at: until, oldest: since })
    // The next pull resumes from there.
    expect(planWindows(first, { since, overlap: OVERLAP })[0]).toEqual({ kind: 'new', from: until - H, to: undefined })
  })

  it('with until in the past: extends `oldest` when its window touches the covered one, else changes nothing', () => {
    const prev: Cursor = { at: NOW - H, oldest: since }
    const touching = mergeWalks(prev, [walk({ kind: 'backfill', from: NOW - 30 * D, to: since }, 'done')], { since: NOW - 30 * D, until: NOW - 6 * D })
    expect(touching).toEqual({ at: NOW - H, oldest: NOW - 30 * D })
    const apart = mergeWalks(prev, [walk({ kind: 'backfill', from: NOW - 90 * D, to: NOW - 60 * D }, 'done')], { since: NOW - 90 * D, until: NOW - 60 * D })
    expect(apart).toEqual(prev)
  })

  it('keeps owing the part of a gap above until', () => {
    const prev: Cursor = { at: NOW - H, oldest: NOW - 20 * D, gap: { from: NOW - 15 * D, to: NOW - 10 * D } }
    expect(mergeWalks(prev, [], { since: NOW - 30 * D, until: NOW - 25 * D })).toEqual(prev)
    const half = walk({ kind: 'gap', from: NOW - 15 * D, to: NOW - 12 * D }, 'done')
    expect(mergeWalks(prev, [half], { since: NOW - 30 * D, until: NOW - 12 * D })).toEqual({
      at: NOW - H,
      oldest: NOW - 20 * D,
      gap: { from: NOW - 12 * D, to: NOW - 10 * D },
    })
  })

  it('keeps fields a source stores beside the window', () => {
    expect(mergeWalks({ at: 5, oldest: 5, etag: '"v1"' }, [], bounds)).toEqual({ at: 5, oldest: 5, etag: '"v1"' })
  })
})

describe('mergeSpan', () => {
  it('records one fully walked span', () => {
    expect(mergeSpan({ at: 100, oldest: 50 }, { from: 80, to: 200 }, { since: 0 })).toEqual({ at: 200, oldest: 50 })
  })
})

describe('cursorFromSpans', () => {
  it('is empty without coverage', () => {
    expect(cursorFromSpans([], [{ from: 1, to: 2 }])).toEqual({})
  })

  it('keeps the newest covered span and what touches it', () => {
    expect(cursorFromSpans([{ from: 1, to: 10 }, { from: 20, to: 30 }], [])).toEqual({ at: 30, oldest: 20 })
    expect(cursorFromSpans([{ from: 1, to: 10 }, { from: 20, to: 30 }], [{ from: 10, to: 20 }])).toEqual({
      at: 30,
      oldest: 1,
      gap: { from: 10, to: 20 },
    })
  })

  it('lets owed win where a span is both covered and owed', () => {
    expect(cursorFromSpans([{ from: 1, to: 30 }], [{ from: 10, to: 20 }])).toEqual({ at: 30, oldest: 1, gap: { from: 10, to: 20 } })
  })
})

describe('parts', () => {
  it('resumes every query from an old cursor without parts', () => {
    expect(partCursor({ at: 5, gap: { from: 1, to: 2 } }, 'acme')).toEqual({ at: 5, gap: { from: 1, to: 2 } })
    expect(partCursor({}, 'acme')).toBeUndefined()
    expect(partCursor(undefined, 'acme')).toBeUndefined()
  })

  it('starts a query without a part afresh once parts exist', () => {
    const cursor = withParts({ acme: { at: 5, oldest: 1 } })
    expect(partCursor(cursor, 'acme')).toEqual({ at: 5, oldest: 1 })
    expect(partCursor(cursor, 'initech')).toBeUndefined()
  })

  it('summarises the parts: the window all of them cover, the gaps any of them owe', () => {
    const parts = { a: { at: 100, oldest: 10 }, b: { at: 80, oldest: 20, gap: { from: 30, to: 40 } }, c: { at: 90, oldest: 5, gap: { from: 50, to: 60 } } }
    expect(withParts(parts)).toEqual({ at: 80, oldest: 20, gap: { from: 30, to: 60 }, parts })
    expect(withParts({ a: { at: 100, oldest: 10 }, b: {} })).toEqual({ parts: { a: { at: 100, oldest: 10 }, b: {} } })
  })
})

// ---------------------------------------------------------------------------------------
// The property the pull relies on: whatever cursor a page yields, committing it and resuming
// later never leaves an item in the claimed window unstored.

/** A tiny deterministic PRNG so a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

interface Sim {
  items: number[]
  stored: Set<number>
}

/**
 * One pull as a source would run it: plan, walk each window newest first in pages of
 * `pageSize` (at most `pageLimit` per window), and return the cursor after `stopAfter`
 * pages (or after all of them).
 */
function simulatePull(sim: Sim, cursor: Cursor | undefined, bounds: WindowBounds, now: number, pageSize: number, pageLimit: number, stopAfter: number): { cursor: Cursor; stopped: boolean } {
  const walks: WalkState[] = planWindows(cursor, { ...bounds, overlap: OVERLAP }).map((window) => ({ window, status: 'pending' }))
  let pages = 0
  let last = cursor ?? {}
  for (const w of walks) {
    w.status = 'running'
    const top = w.window.to ?? now
    const hits = sim.items.filter((t) => t >= w.window.from && t <= top && t <= now).sort((a, b) => b - a)
    for (let p = 0; ; p++) {
      if (p >= pageLimit) {
        w.status = 'truncated'
        break
      }
      const page = hits.slice(p * pageSize, (p + 1) * pageSize)
      for (const t of page) {
        if (keepHit(t, w.window, bounds)) sim.stored.add(t)
        w.oldestSeen = Math.min(w.oldestSeen ?? Infinity, t)
        w.newestSeen = Math.max(w.newestSeen ?? -Infinity, t)
      }
      if ((p + 1) * pageSize >= hits.length) w.status = 'done'
      last = mergeWalks(cursor, walks, bounds)
      pages++
      if (pages >= stopAfter) return { cursor: last, stopped: true }
      if (w.status === 'done') break
    }
  }
  return { cursor: mergeWalks(cursor, walks, bounds), stopped: false }
}

function claimedButMissing(sim: Sim, cursor: Cursor, now: number): number[] {
  if (cursor.at === undefined) return []
  const oldest = cursor.oldest ?? cursor.at
  return sim.items.filter(
    (t) => t <= now && t >= oldest && t <= cursor.at! && !(cursor.gap && t >= cursor.gap.from && t <= cursor.gap.to) && !sim.stored.has(t),
  )
}

describe('window arithmetic under random pulls', () => {
  it('never claims an item it has not stored, whatever page a pull stops after', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed)
      // Items over 120 days, some bunched into the same second (a page may split a second).
      const items: number[] = []
      for (let i = 0; i < 150; i++) {
        const t = Math.floor(NOW - 120 * D + r() * 120 * D)
        items.push(Math.floor(t / 1000) * 1000)
      }
      const sim: Sim = { items: [...new Set(items)], stored: new Set() }
      let cursor: Cursor | undefined
      let now = NOW - 20 * D
      for (let pull = 0; pull < 12; pull++) {
        now += Math.floor(r() * 3 * D)
        const sinceDays = [7, 7, 30, 90, 2][Math.floor(r() * 5)] as number
        const bounds: WindowBounds = { since: now - sinceDays * D }
        if (r() < 0.2) bounds.until = now - Math.floor(r() * 40 * D)
        const pageLimit = 1 + Math.floor(r() * 3)
        const stopAfter = r() < 0.5 ? 1 + Math.floor(r() * 4) : Infinity
        const result = simulatePull(sim, cursor, bounds, now, 4, pageLimit, stopAfter)
        // A pull that stops commits nothing half of the time (an error), the page's cursor otherwise.
        if (!result.stopped || r() < 0.5) cursor = result.cursor
        const missing = claimedButMissing(sim, cursor ?? {}, now)
        if (missing.length > 0) {
          throw new Error(`seed ${seed}, pull ${pull}: cursor ${JSON.stringify(cursor)} claims unstored ${missing.join(', ')}`)
        }
      }
    }
  })

  it('converges: repeated pulls over the same window store all of it', () => {
    const r = rng(7)
    const items = Array.from({ length: 60 }, () => Math.floor((NOW - 10 * D + r() * 10 * D) / 1000) * 1000)
    const sim: Sim = { items: [...new Set(items)], stored: new Set() }
    let cursor: Cursor | undefined
    for (let pull = 0; pull < 40; pull++) {
      cursor = simulatePull(sim, cursor, { since: NOW - 10 * D }, NOW, 3, 2, Infinity).cursor
    }
    expect(sim.items.filter((t) => !sim.stored.has(t))).toEqual([])
    expect(cursor).toMatchObject({ oldest: NOW - 10 * D })
    expect(cursor?.gap).toBeUndefined()
  })
})
