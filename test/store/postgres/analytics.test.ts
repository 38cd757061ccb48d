// The PostgreSQL stats, series and digest repositories answer exactly as the SQLite engine does:
// varied data is built with the SQLite store, copied into PostgreSQL, and every method is asked
// the same questions on both, many filters each, the answers compared whole.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import pgDriver from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type MentionRecord, type OverviewStatsBy, type ResponseStatsBy, type Store } from '../../../src/store/index.js'
import { openPg, type Pg } from '../../../src/store/postgres/open.js'
import { statsRepo } from '../../../src/store/postgres/stats.js'
import { seriesRepo } from '../../../src/store/postgres/series.js'
import { digestsRepo } from '../../../src/store/postgres/digests.js'
import type { DigestsRepo, SeriesRepo, StatsRepo } from '../../../src/store/types.js'
import type { Intent, SentimentLabel } from '../../../src/model.js'
import { record } from '../contract.js'
import { copySqliteIntoPg } from '../../support/pg-from-sqlite.js'
import { pgAdminUrl, pgSkip, withDatabase } from '../../support/pg.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
// Around a year's end: 2026-W53 runs Mon 2026-12-28 to Sun 2027-01-03.
const T0 = Date.UTC(2026, 11, 24)
const T1 = Date.UTC(2027, 0, 8)

// A seeded generator: the same data every run, so a failure can be looked into.
function rng(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

// Brands spelled so bytewise and dictionary order differ ('acme' after 'Globex', 'Ölkraft' last).
const BRAND_SETS: { brands: string[]; competitor: boolean }[] = [
  { brands: ['Acme'], competitor: false },
  { brands: ['Acme'], competitor: false },
  { brands: ['Globex'], competitor: false },
  { brands: ['Acme', 'Globex'], competitor: false },
  { brands: ['Initech'], competitor: true },
  { brands: ['Acme', 'Initech'], competitor: false },
  { brands: ['acme'], competitor: false },
  { brands: ['Ölkraft'], competitor: false },
  { brands: ['Umbrella'], competitor: false },
]
const SOURCES = ['hackernews', 'reddit', 'rss', 'trustpilot', 'github', 'Reddit']
const LABELS: SentimentLabel[] = ['negative', 'negative', 'neutral', 'positive']
const INTENTS: Intent[] = ['complaint', 'question', 'praise', 'other', 'other']
const RATINGS = [0.5, 1, 1.5, 2, 2.5, 3, 4.5]

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!
}

function mentions(): MentionRecord[] {
  const r = rng(15)
  const out: MentionRecord[] = []
  for (let i = 0; i < 320; i++) {
    const set = pick(r, BRAND_SETS)
    const source = pick(r, SOURCES)
    // Some exactly on a day's start or its last millisecond, the rest anywhere in the fortnight.
    const base = T0 + Math.floor(r() * 14) * DAY
    const createdAt = i % 11 === 0 ? base : i % 13 === 0 ? base - 1 : base + Math.floor(r() * DAY)
    const label = pick(r, LABELS)
    const review = source === 'trustpilot'
    const delay = pick(r, [-HOUR, 0, 30 * 60_000, HOUR, HOUR, 2 * HOUR, 5 * HOUR, 3 * DAY])
    out.push(
      record({
        source,
        externalId: `e${i}`,
        url: `https://example.com/${source}/${i}`,
        sourceName: pick(r, [undefined, undefined, 'Feed A', 'feed b', 'Zeta']),
        text: `acme globex ${i} ${label}`,
        title: i % 3 ? `title ${i}` : undefined,
        createdAt,
        fetchedAt: createdAt + Math.floor(r() * 2 * DAY),
        brands: set.brands,
        terms: set.brands.map((b) => b.toLowerCase()),
        competitor: set.competitor,
        isOwn: r() < 0.05,
        answerable: source !== 'rss',
        sentimentLabel: label,
        sentimentScore: label === 'negative' ? -Math.round(r() * 100) / 100 : label === 'positive' ? 0.5 : 0,
        intent: pick(r, INTENTS),
        author: { reach: pick(r, [undefined, 0, 10, 999, 50_000]) },
        metrics: { likes: Math.floor(r() * 50), reposts: Math.floor(r() * 5) },
        rating: review ? pick(r, RATINGS) : undefined,
        ownerReply: review && r() < 0.5 ? { at: createdAt + delay, handle: 'Acme Support' } : undefined,
        routing: i % 17 === 0 ? { assignee: 'rule-bot', tags: ['vip'], boost: 25, hits: [{ rule: 'vip', assign: 'rule-bot', priority: 'high' }] } : undefined,
      }),
    )
    // The brand's reply, as its own post under the mention, after a delay drawn from few values (ties in the ranks).
    if (!review && source !== 'rss' && r() < 0.4) {
      out.push(record({ source, externalId: `reply${i}`, url: `https://example.com/${source}/r${i}`, isOwn: true, parentExternalId: `e${i}`, createdAt: createdAt + delay, fetchedAt: createdAt + delay, text: 'we are on it', brands: set.brands, terms: [], competitor: set.competitor, sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other' }))
    }
  }
  return out
}

async function triage(store: Store): Promise<void> {
  const r = rng(48)
  const at = (i: number) => T0 + 2 * DAY + i * 7 * HOUR
  let k = 0
  for (let id = 1; id <= 340; id += 1 + Math.floor(r() * 4)) {
    const who = pick(r, ['ana', 'Bob', 'carl', 'ana'])
    const step = Math.floor(r() * 6)
    await store.triage.apply([id], { kind: 'assign', assignee: who }, pick(r, ['me', 'lead']), at(k++ % 40))
    if (step === 0) await store.triage.apply([id], { kind: 'state', state: 'done' }, who, at(k++ % 40))
    if (step === 1) await store.triage.apply([id], { kind: 'state', state: 'ignored' }, who, at(k++ % 40))
    if (step === 2) await store.triage.apply([id], { kind: 'snooze', until: T0 + Math.floor(r() * 20) * DAY }, who, at(k++ % 40))
    if (step === 3) await store.triage.apply([id], { kind: 'answered' }, who, at(k++ % 40))
    if (step === 4) await store.triage.apply([id], { kind: 'unassign' }, who, at(k++ % 40))
    // Two assignments at the same moment: the later event's actor is the one reported.
    if (step === 5) await store.triage.apply([id], { kind: 'assign', assignee: 'dee' }, 'second', at((k - 1) % 40))
  }
  for (let i = 0; i < 6; i++) {
    const id = await store.runs.start(T0 + i * 2 * DAY)
    await store.runs.finish(id, i % 3 ? 'ok' : 'partial', [{ source: 'rss', instance: 'i', brand: '', fetched: i, new: i, updated: 0, dropped: 0, error: i % 3 ? undefined : 'HTTP 500' }], T0 + i * 2 * DAY + 1000)
  }
}

const BRAND_FILTERS: (string[] | undefined)[] = [undefined, ['acme'], ['GLOBEX', 'initech'], ['ölkraft'], ['Ölkraft', 'nobody']]
const VOICES = [undefined, { own: ['Acme', 'Globex', 'Ölkraft', 'acme', 'Umbrella'], all: ['Acme', 'Globex', 'Ölkraft', 'acme', 'Umbrella', 'Initech'] }, { own: ['ACME'], all: ['acme', 'initech'] }, { own: [], all: [] }]
const WINDOWS = [
  { since: T0 - DAY, until: T1 },
  { since: Date.UTC(2026, 11, 28), until: Date.UTC(2027, 0, 3, 23, 59, 59, 999) },
  { since: Date.UTC(2026, 11, 31, 12), until: Date.UTC(2027, 0, 1, 12) },
]

// The test server's databases sort and fold case as "C" does, as SQLite does: a team's server
// is more likely en_US or ICU, where 'acme' sorts before 'Globex' and lower('Ö') is 'ö'. The
// comparison runs on such a database, so a query that leans on the default collation shows.
async function admin<T>(work: (c: pgDriver.Client) => Promise<T>): Promise<T> {
  const c = new pgDriver.Client({ connectionString: pgAdminUrl() })
  await c.connect()
  try {
    return await work(c)
  } finally {
    await c.end()
  }
}
const dictionaryDb = `t_icu_${process.pid}_${randomBytes(4).toString('hex')}`

describe.skipIf(pgSkip)('PostgreSQL stats, series and digests: the SQLite engine\'s answers', () => {
  let sqlite: Store
  let pg: Pg
  let stats: StatsRepo
  let series: SeriesRepo
  let digests: DigestsRepo

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'an-')), 'm.db')
    sqlite = openStore(file)
    await sqlite.mentions.upsertPage(mentions())
    await triage(sqlite)
    await admin((c) => c.query(`CREATE DATABASE ${dictionaryDb} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.utf8'`))
    pg = openPg(withDatabase(pgAdminUrl(), dictionaryDb))
    const [order] = await pg.query<{ dictionary: boolean; folds: string }>("SELECT 'acme' < 'Globex' AS dictionary, lower('Ö') AS folds")
    expect(order).toEqual({ dictionary: true, folds: 'ö' })
    const counts = await copySqliteIntoPg(file, pg)
    expect(counts.mentions).toBeGreaterThan(300)
    expect(counts.replies).toBeGreaterThan(50)
    stats = statsRepo(pg)
    series = seriesRepo(pg)
    digests = digestsRepo(pg)
  }, 120_000)
  afterAll(async () => {
    await sqlite?.close()
    await pg?.pool.end()
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${dictionaryDb} WITH (FORCE)`))
  })

  it('responses: every grouping, brand, source and window', async () => {
    let compared = 0
    let medians = 0
    for (const by of [undefined, 'source', 'brand', 'assignee'] satisfies (ResponseStatsBy | undefined)[])
      for (const brands of BRAND_FILTERS)
        for (const sources of [undefined, ['rss', 'hackernews'], ['trustpilot']])
          for (const w of [...WINDOWS, { since: T0 }]) {
            const f = { ...w, by, brands, sources }
            const want = await sqlite.stats.responses(f)
            expect(await stats.responses(f), JSON.stringify(f)).toEqual(want)
            compared += want.length
            medians += want.filter((r) => r.medianFirstResponseMs !== null && !Number.isInteger(r.p90FirstResponseMs)).length
          }
    // The comparison covered real figures: interpolated percentiles, and the unassigned row.
    expect(compared).toBeGreaterThan(500)
    expect(medians).toBeGreaterThan(5)
    const byAssignee = await stats.responses({ ...WINDOWS[0]!, by: 'assignee' })
    expect(byAssignee.some((r) => !r.total && r.group === null)).toBe(true)
  })

  it('overview: every grouping, brand, voice and window', async () => {
    let compared = 0
    for (const by of [undefined, 'day', 'week', 'source', 'brand', 'intent', 'sentiment'] satisfies (OverviewStatsBy | undefined)[])
      for (const brands of BRAND_FILTERS)
        for (const voice of VOICES)
          for (const w of WINDOWS.slice(0, 2)) {
            const f = { ...w, by, brands, voice }
            const want = await sqlite.stats.overview(f)
            expect(await stats.overview(f), JSON.stringify(f)).toEqual(want)
            compared += want.length
          }
    expect(compared).toBeGreaterThan(1000)
    const week = await stats.overview({ ...WINDOWS[0]!, by: 'week' })
    expect(week.map((r) => r.group)).toContain('2026-W53')
    const day = await stats.overview({ ...WINDOWS[0]!, by: 'day' })
    expect(day.map((r) => r.group)).toContain('2027-01-01')
    // Bytewise, as SQLite: 'acme' after 'Umbrella' would be dictionary order's first.
    const brand = await stats.overview({ ...WINDOWS[0]!, by: 'brand', voice: VOICES[1] })
    expect(brand.filter((r) => !r.total).map((r) => r.group)).toEqual(expect.arrayContaining(['Acme', 'acme', 'Ölkraft', 'Initech']))
  })

  it('breaks equal counts bytewise, as SQLite does', async () => {
    const f = { since: T0 - DAY, until: T1, by: 'source' as const, sources: ['Reddit', 'reddit'] }
    const got = await stats.overview(f)
    expect(got).toEqual(await sqlite.stats.overview(f))
    expect(got.filter((r) => !r.total).map((r) => r.group).sort()).toEqual(['Reddit', 'reddit'])
  })

  it('series: bucket widths, brands and windows', async () => {
    let buckets = 0
    for (const bucketMs of [HOUR, 90 * 60_000, DAY, 7 * DAY])
      for (const brands of [undefined, ['acme'], ['ACME', 'initech'], ['ölkraft'], ['Ölkraft']])
        // Whole hours (read from the hourly counts), partial hours at both ends (from the rows
        // too), and a window inside one hour (the rows alone).
        for (const [from, to] of [[T0, T1], [Date.UTC(2026, 11, 30), Date.UTC(2027, 0, 2)], [T1, T1 + DAY], [T0 + DAY + 17 * 60_000, T1 - 3 * HOUR - 60_001], [T0 + 3 * DAY + 5 * 60_000, T0 + 3 * DAY + 50 * 60_000]] as const) {
          const f = { from, to, bucketMs, brands }
          const want = await sqlite.series.counts(f)
          expect(await series.counts(f), JSON.stringify(f)).toEqual(want)
          buckets += want.reduce((n, s) => n + s.buckets.length, 0)
        }
    expect(buckets).toBeGreaterThan(500)
  })

  it('digest reads: buckets, sources, texts, voice, assignments, overdue, runs', async () => {
    const windows = [[T0, T1], [Date.UTC(2026, 11, 29), Date.UTC(2027, 0, 1)], [T0 + 5 * DAY, T0 + 5 * DAY + 6 * HOUR]] as const
    let rows = 0
    for (const [from, to] of windows) {
      expect(await digests.voice({ from, to })).toEqual(await sqlite.digests.voice({ from, to }))
      expect(await digests.runs(from, to)).toEqual(await sqlite.digests.runs(from, to))
      for (const brands of BRAND_FILTERS) {
        const f = { from, to, brands }
        const label = JSON.stringify(f)
        for (const bucketMs of [HOUR, DAY]) expect(await digests.buckets({ ...f, bucketMs }), label).toEqual(await sqlite.digests.buckets({ ...f, bucketMs }))
        expect(await digests.sources(f), label).toEqual(await sqlite.digests.sources(f))
        for (const since of [from, Math.floor((from + to) / 2)]) expect(await digests.negativeTexts({ ...f, since }), label).toEqual(await sqlite.digests.negativeTexts({ ...f, since }))
        for (const limit of [0, 2, 500]) {
          const assignments = await sqlite.digests.assignments({ ...f, limit })
          expect(await digests.assignments({ ...f, limit }), label).toEqual(assignments)
          rows += assignments.items.length
        }
        for (const now of [T0 + 3 * DAY, T1 + 2 * DAY])
          for (const limit of [3, 500]) {
            const o = { ...f, now, limit }
            const want = await sqlite.digests.overdue(o)
            expect(await digests.overdue(o), JSON.stringify(o)).toEqual(want)
            rows += want.ids.length
          }
      }
    }
    expect(rows).toBeGreaterThan(100)
    expect((await digests.assignments({ from: T0, to: T1, limit: 500 })).items.some((a) => a.actor === 'second')).toBe(true)
    expect((await digests.runs(T0, T1)).map((r) => r.report[0]?.error ?? null)).toContain('HTTP 500')
  })

  it('records digests and finds the newest by window end, then id', async () => {
    expect(await digests.last('daily')).toBeUndefined()
    await digests.record({ name: 'daily', start: 1, end: 10, recordedAt: 100 })
    await digests.record({ name: 'daily', start: 10, end: 30, recordedAt: 101 })
    await digests.record({ name: 'daily', start: 5, end: 20, recordedAt: 102 })
    await digests.record({ name: 'weekly', start: 0, end: 99, recordedAt: 103 })
    expect(await digests.last('daily')).toEqual({ name: 'daily', start: 10, end: 30, recordedAt: 101 })
    await digests.record({ name: 'daily', start: 11, end: 30, recordedAt: 104 })
    expect(await digests.last('daily')).toEqual({ name: 'daily', start: 11, end: 30, recordedAt: 104 })
    expect(await digests.last('weekly')).toMatchObject({ end: 99 })
    expect(await digests.last('Daily')).toBeUndefined()
  })
})
