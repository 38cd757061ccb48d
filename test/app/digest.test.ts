// The digest over a real SQLite file with an injected clock (Deps.now): its figures, lists,
// coverage and health; `--since last` across a missed run; quiet days; and the themes and
// health rules on their own.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { buildDigest, digestName, recordDigest } from '../../src/app/digest.js'
import { coverageAndHealth } from '../../src/app/digest/health.js'
import { phrases, themes, words } from '../../src/app/digest/themes.js'
import { UsageError } from '../../src/errors.js'
import type { RunRecord, SourceRunReport } from '../../src/store/index.js'
import { DAY, freshDeps, HOUR, NOW, pullAt, seed, seen, type Seeded } from '../report/digest/seed.js'

let s: Seeded
beforeEach(() => {
  s = freshDeps()
})
afterEach(async () => {
  await s.cleanup()
})

describe('buildDigest on a seeded database', () => {
  it('counts what was first seen in the window against the previous one, by sentiment, per hour', async () => {
    await seed(s)
    const d = await buildDigest(s.deps, {})
    expect(d.window).toEqual({ start: NOW - DAY, end: NOW, previousStart: NOW - 2 * DAY, from: 'since' })
    // Seven of ours (the rival's two and the brand's own post are not counted), four before.
    expect(d.volume).toEqual({ total: 7, previous: 4, change: 0.75 })
    expect(d.sentiment).toMatchObject({ negative: 5, neutral: 1, positive: 1, negativeShare: 0.7143, previousNegativeShare: 0.75 })
    expect(d.series.bucketMs).toBe(HOUR)
    expect(d.series.buckets).toHaveLength(24)
    expect(d.series.buckets.reduce((n, b) => n + b.total, 0)).toBe(7)
    // The newest hour's bucket holds the mention first seen 2h ago (08:00 − 2h = 06:00).
    expect(d.series.buckets.find((b) => b.start === NOW - 2 * HOUR)).toEqual({ start: NOW - 2 * HOUR, total: 1, negative: 1 })
  })

  it('buckets per day when the window is longer than 48h', async () => {
    await seed(s)
    const d = await buildDigest(s.deps, { since: NOW - 7 * DAY })
    expect(d.series.bucketMs).toBe(DAY)
    // 08:00 seven days ago to 08:00 today touches eight UTC days.
    expect(d.series.buckets).toHaveLength(8)
  })

  it('lists the top unanswered by the queue priority, the newly assigned and the overdue', async () => {
    await seed(s)
    const d = await buildDigest(s.deps, {})
    expect(d.unanswered.items.map((i) => i.text.slice(0, 20))).toEqual([
      'Acme lost luggage ag',
      'acme: lost luggage a',
      'My lost luggage clai',
      'Acme refund \u001b[31mden',
      'Acme checkout page b',
    ])
    expect(d.unanswered.more).toBe(2)
    expect(d.unanswered.items[0]?.url).toMatch(/^https:\/\/news\.ycombinator\.com\/item\?id=/)
    expect(d.assigned.items).toHaveLength(1)
    expect(d.assigned.items[0]).toMatchObject({ assignee: 'kim', assignedBy: 'sam', assignedAt: NOW - HOUR })
    // Said more than 24h ago, open, unanswered, needing an answer; the neutral one is not.
    expect(d.overdue.items.map((i) => i.text)).toEqual(['Acme lost luggage once', 'Acme checkout page broken', 'Acme double charged me, still waiting'])
    expect(d.overdue.afterMs).toBe(DAY)
    const tighter = await buildDigest(s.deps, { overdueMs: 29 * HOUR })
    expect(tighter.overdue.items.map((i) => i.text)).toEqual(['Acme double charged me, still waiting'])
  })

  it('reports response figures, themes and share of voice against competitors', async () => {
    await seed(s)
    const d = await buildDigest(s.deps, {})
    expect(d.responses).toMatchObject({ needed: 5, answered: 0 })
    expect(d.themes).toEqual([{ phrase: 'lost luggage', count: 3, previous: 1 }])
    expect(d.voice).toEqual([
      { brand: 'Acme', competitor: false, mentions: 7, share: 0.7778 },
      { brand: 'Globex', competitor: true, mentions: 2, share: 0.2222 },
    ])
  })

  it('says which pulls the numbers rest on, what failed or ran out of budget, and the unknown share', async () => {
    await seed(s)
    const d = await buildDigest(s.deps, {})
    const bySource = Object.fromEntries(d.coverage.sources.map((l) => [l.source, l]))
    expect(bySource.hackernews).toMatchObject({ runs: 24, failed: 1, budgetStopped: 0, lastError: 'HTTP 503 from hn.algolia.com', coveredFrom: NOW - DAY })
    expect(bySource.x).toMatchObject({ runs: 1, failed: 0, budgetStopped: 1 })
    // The adapter's upstream cap (Source.limits) is named.
    expect(bySource.x?.limits).toMatch(/7 days/)
    expect(d.coverage.counts).toEqual([
      { source: 'hackernews', sourceName: null, total: 6, unknown: 0 },
      { source: 'rss', sourceName: 'Blog', total: 1, unknown: 1 },
    ])
    expect(d.coverage).toMatchObject({ unknown: 1, unknownShare: 0.1429 })
    // The failing source is at the top and breaks the run; the spent budget does not.
    expect(d.health).toEqual([expect.objectContaining({ kind: 'failing', source: 'hackernews', error: 'HTTP 503 from hn.algolia.com' })])
    expect(d.broken).toBe(true)
    expect(d.empty).toBe(false)
  })

  it('lists the spikes still active, as mentions spikes finds them', async () => {
    // Three a day for three weeks, then forty today: a volume spike on today's bucket.
    const history = Array.from({ length: 21 * 3 }, (_, i) => seen(DAY + Math.floor(i / 3) * DAY + (i % 3) * HOUR, { sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other' }))
    const today = Array.from({ length: 40 }, (_, i) => seen(HOUR + i * 60_000, { sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other' }))
    // A history stored on its day, not today: created and first seen alike.
    await s.deps.store().mentions.upsertPage([...history.map((m) => ({ ...m, createdAt: m.fetchedAt })), ...today])
    const d = await buildDigest(s.deps, {})
    expect(d.spikes).toEqual([expect.objectContaining({ brand: 'Acme', kind: 'volume', active: true })])
    expect(d.empty).toBe(false)
  })

  it('refuses a window that starts in the future', async () => {
    s.deps.store()
    await expect(buildDigest(s.deps, { since: NOW + HOUR })).rejects.toThrow(UsageError)
  })

  it('filters by brand and names the digest after it', async () => {
    await seed(s)
    const d = await buildDigest(s.deps, { brands: ['Globex'] })
    expect(d.name).toBe('Globex')
    expect(d.volume.total).toBe(2)
    expect(d.unanswered.items).toEqual([])
    // Brand-scoped instances of other brands are not this digest's coverage; feeds are.
    expect(d.coverage.sources.map((l) => l.source)).toEqual(['rss'])
    await expect(buildDigest(s.deps, { brands: ['Nope'] })).rejects.toThrow(UsageError)
  })

  it('is empty on a quiet day with healthy pulls, and not when a pull failed or none ran', async () => {
    const store = s.deps.store()
    await store.mentions.upsertPage([seen(3 * DAY)])
    await pullAt(store, NOW - HOUR, [{ source: 'rss', instance: 'f', brand: '', fetched: 0, new: 0, updated: 0, dropped: 0 }])
    const quiet = await buildDigest(s.deps, {})
    expect(quiet).toMatchObject({ empty: true, broken: false, health: [] })
    s.setNow(NOW + 2 * DAY)
    expect((await buildDigest(s.deps, {})).health).toEqual([{ kind: 'no-pulls', since: NOW + DAY }])
    await pullAt(store, NOW + 2 * DAY - HOUR, [{ source: 'rss', instance: 'f', brand: '', fetched: 0, new: 0, updated: 0, dropped: 0, error: 'HTTP 500' }])
    expect(await buildDigest(s.deps, {})).toMatchObject({ empty: false, broken: true })
  })
})

describe('--since last', () => {
  it('starts where the previous digest of the name ended, across a missed run: no hole, no overlap', async () => {
    const store = s.deps.store()
    // First ever: 24h, and says so.
    await store.mentions.upsertPage([seen(2 * HOUR, { externalId: 'before-first' })])
    const first = await buildDigest(s.deps, { since: 'last' })
    expect(first.window).toMatchObject({ start: NOW - DAY, end: NOW, from: 'first' })
    expect(first.volume.total).toBe(1)
    await recordDigest(s.deps, first)

    // The next day's run is missed; the one after covers both days.
    await store.mentions.upsertPage([seen(-10 * HOUR, { externalId: 'day-1' }), seen(-40 * HOUR, { externalId: 'day-2' })])
    s.setNow(NOW + 2 * DAY)
    const third = await buildDigest(s.deps, { since: 'last' })
    expect(third.window).toMatchObject({ start: NOW, end: NOW + 2 * DAY, from: 'last' })
    expect(third.volume.total).toBe(2)

    // Another name has its own history.
    expect((await buildDigest(s.deps, { since: 'last', name: 'weekly' })).window.from).toBe('first')
  })

  it('a digest not recorded (as with --dry-run) leaves the next start where it was', async () => {
    s.deps.store()
    const first = await buildDigest(s.deps, { since: 'last' })
    await recordDigest(s.deps, first)
    s.setNow(NOW + DAY)
    await buildDigest(s.deps, { since: 'last' })
    s.setNow(NOW + 2 * DAY)
    expect((await buildDigest(s.deps, { since: 'last' })).window.start).toBe(NOW)
  })

  it('names digests per brand by default', () => {
    expect(digestName({})).toBe('default')
    expect(digestName({ brands: ['Acme'] })).toBe('Acme')
    expect(digestName({ brands: ['Acme', 'Globex'] })).toBe('default')
    expect(digestName({ name: 'morning', brands: ['Acme'] })).toBe('morning')
    expect(() => digestName({ name: ' ' })).toThrow(UsageError)
  })
})

describe('themes', () => {
  it('normalises words: case, NFKC, URLs, apostrophes, possessives', () => {
    expect(words('ＡＣＭＥ’s Login ERROR https://x.example/a b')).toEqual(['acme', 'login', 'error', 'b'])
  })

  it('makes 2- and 3-word phrases that neither start nor end with a stop-word', () => {
    expect([...phrases('the lost luggage is a waste of money')]).toEqual(['lost luggage', 'waste of money'])
  })

  it('lists a phrase that grew among negative mentions, with its counts', () => {
    const now = ['Lost luggage again', 'lost  luggage at the gate', 'my LOST LUGGAGE claim']
    expect(themes(now, ['lost luggage once'])).toEqual([{ phrase: 'lost luggage', count: 3, previous: 1 }])
  })

  it('leaves out a phrase as common in both windows, and one seen once', () => {
    const now = ['checkout page broken', 'checkout page broken', 'login error today']
    const before = ['checkout page broken', 'checkout page broken']
    expect(themes(now, before)).toEqual([])
  })

  it('lists one phrase for what the same mentions said', () => {
    const now = ['my lost luggage claim', 'lost luggage claim denied', 'the lost luggage claim again']
    expect(themes(now, [])).toEqual([{ phrase: 'lost luggage', count: 3, previous: 0 }])
  })

  it('ranks by growth, drops a longer phrase that says no more, and skips the brand terms', () => {
    const now = ['acme login error', 'acme login error', 'acme login error', 'refund denied', 'refund denied']
    const got = themes(now, [], { exclude: ['Acme'] })
    expect(got).toEqual([
      { phrase: 'login error', count: 3, previous: 0 },
      { phrase: 'refund denied', count: 2, previous: 0 },
    ])
  })
})

describe('source health', () => {
  const rep = (over: Partial<SourceRunReport>): SourceRunReport => ({ source: 'rss', instance: 'f', brand: '', fetched: 1, new: 1, updated: 0, dropped: 0, ...over })
  const runAt = (at: number, r: SourceRunReport[]): RunRecord => ({ id: at, startedAt: at, endedAt: at, status: 'ok', report: r })
  const input = (runs: RunRecord[]) => ({ runs, cursors: [], start: NOW - DAY, now: NOW, limits: new Map<string, string>() })

  it('calls a source silent after more than 3× its usual gap between new mentions', () => {
    // New every 2h for a week, then nothing for the last 10h (pulls still ran, finding nothing).
    const runs: RunRecord[] = []
    for (let t = NOW - 7 * DAY; t <= NOW - HOUR; t += HOUR) runs.push(runAt(t, [rep({ new: t < NOW - 10 * HOUR && t % (2 * HOUR) === 0 ? 1 : 0 })]))
    const { problems } = coverageAndHealth(input(runs))
    expect(problems).toEqual([expect.objectContaining({ kind: 'silent', source: 'rss', usualGapMs: 2 * HOUR })])
    // 5h quiet is within 3× the usual gap.
    const recent = runs.map((r) => (r.startedAt >= NOW - 10 * HOUR && r.startedAt < NOW - 5 * HOUR && r.startedAt % (2 * HOUR) === 0 ? runAt(r.startedAt, [rep({ new: 1 })]) : r))
    expect(coverageAndHealth(input(recent)).problems).toEqual([])
  })

  it('needs enough history before it calls a source silent', () => {
    const runs = [NOW - 5 * DAY, NOW - 4 * DAY, NOW - 3 * DAY].map((t) => runAt(t, [rep({})]))
    runs.push(runAt(NOW - HOUR, [rep({ new: 0 })]))
    expect(coverageAndHealth(input(runs)).problems).toEqual([])
  })

  it('a spent budget is coverage, not a failure; an error after it is', () => {
    const budget = rep({ source: 'x', brand: 'Acme', error: 'read budget spent: 100 of 100 reads today' })
    expect(coverageAndHealth(input([runAt(NOW - HOUR, [budget])])).problems).toEqual([])
    const failed = coverageAndHealth(input([runAt(NOW - 2 * HOUR, [budget]), runAt(NOW - HOUR, [{ ...budget, error: 'HTTP 401' }])]))
    expect(failed.problems).toEqual([expect.objectContaining({ kind: 'failing', error: 'HTTP 401' })])
    expect(failed.coverage[0]).toMatchObject({ runs: 2, failed: 1, budgetStopped: 1 })
  })

  it('reports a gap a cursor still owes', () => {
    const gap = { from: NOW - 3 * DAY, to: NOW - 2 * DAY }
    const { coverage } = coverageAndHealth({ ...input([]), cursors: [{ source: 'x', instance: 'i', brand: 'Acme', cursor: { gap }, upstream: null, lastOkAt: null, lastError: null, lastErrorAt: null }] })
    expect(coverage).toEqual([expect.objectContaining({ source: 'x', gap, runs: 0 })])
  })
})
