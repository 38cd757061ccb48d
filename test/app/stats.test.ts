// Stats over a real SQLite file. Responses: what counts as needing an answer, answered and
// unknown shares, percentile_cont medians and p90s, groups, and the window. Overview: counts per
// day, ISO week, source, brand, intent and sentiment, empty buckets, share of voice.
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Deps } from '../../src/app/deps.js'
import { buckets, dayLabel, overviewStats, responseStats, weekLabel, type OverviewLine, type ResponseStatsLine } from '../../src/app/stats.js'
import { formatDuration } from '../../src/cli/commands/stats.js'
import { NoDatabaseError, UsageError } from '../../src/errors.js'
import type { Brand } from '../../src/model.js'
import type { MentionRecord } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const brand = (name: string): Brand => ({ name, terms: [name.toLowerCase()], exclude: [], require: [], languages: [], competitor: false, handles: {} })
const NOW = Date.UTC(2026, 11, 1, 12)
const T = Date.UTC(2026, 10, 25, 8)
const MIN = 60_000
const HOUR = 60 * MIN

let dir: string
let dbFile: string
let deps: TestDeps
beforeEach(() => {
  dir = tempDir('mentions-stats-')
  dbFile = path.join(dir, 'm.db')
  deps = testDeps({ dbFile, now: () => NOW, config: { brands: [brand('Acme'), brand('Globex')], sources: [] } })
})
afterEach(async () => {
  await deps.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const mention = (externalId: string, over: Partial<MentionRecord> = {}) => record({ externalId, createdAt: T, ...over })
/** The brand's own reply to a stored mention, found as its own post with a parent. */
const ownReply = (parent: string, after: number, source = 'hackernews') =>
  record({ externalId: `reply-${parent}-${after}`, source, isOwn: true, parentExternalId: parent, createdAt: T + after, text: 'we are on it', sentimentLabel: 'positive', intent: 'other' })
const praise = { sentimentLabel: 'positive', sentimentScore: 0.6, intent: 'praise' } as const
const feed = { source: 'rss', answerable: false } as const

/**
 * Eight mentions need an answer; six were answered after 10m, 2h, 1h, 30m, 4h and 0s (a
 * reply stamped before the post), one is unknown (a feed), one is unanswered.
 */
async function seed(): Promise<void> {
  await deps.store().mentions.upsertPage([
    mention('complaint'),
    ownReply('complaint', 10 * MIN),
    mention('question', { sentimentLabel: 'neutral', sentimentScore: 0, intent: 'question' }),
    ownReply('question', 2 * HOUR),
    // Negative without a complaint's intent still needs an answer; the first of two replies counts.
    mention('negative', { intent: 'other' }),
    ownReply('negative', 5 * HOUR),
    ownReply('negative', 1 * HOUR),
    mention('unanswered'),
    mention('feed-unknown', feed),
    mention('feed-manual', feed),
    mention('done-by-sam'),
    ownReply('done-by-sam', 4 * HOUR),
    mention('review', { source: 'github', brands: ['Acme', 'Globex'], ownerReply: { at: T - 5 * MIN } }),
    // Never counted: praise (even answered), the brand's own post, competitor-only, ignored, too old.
    mention('praise', praise),
    ownReply('praise', MIN),
    mention('own-post', { isOwn: true }),
    mention('rival', { competitor: true, brands: ['Globex'] }),
    mention('ignored'),
    mention('old', { createdAt: NOW - 40 * 24 * HOUR }),
  ])
  // No store method sets triage or records a manual reply yet: written on a second connection.
  const side = new Database(dbFile)
  try {
    const id = (ext: string) => (side.prepare('SELECT id FROM mentions WHERE external_id = ?').get(ext) as { id: number }).id
    const triage = side.prepare('INSERT INTO triage (mention_id, state, assignee, updated_at) VALUES (?, ?, ?, ?)')
    triage.run(id('complaint'), 'open', 'kim', NOW)
    triage.run(id('unanswered'), 'open', 'kim', NOW)
    triage.run(id('done-by-sam'), 'done', 'sam', NOW)
    triage.run(id('ignored'), 'ignored', null, NOW)
    side
      .prepare(`INSERT INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle, kind) VALUES (?, 'manual', 'manual-1', ?, 'kim', 'manual')`)
      .run(id('feed-manual'), T + 30 * MIN)
  } finally {
    side.close()
  }
}

const zero = { answered: 0, unanswered: 0, unknown: 0, answeredShare: null, medianFirstResponseSeconds: null, p90FirstResponseSeconds: null }
const byGroup = (rows: ResponseStatsLine[]) => Object.fromEntries(rows.map((r) => [r.total ? 'TOTAL' : r.group, r]))

describe('responseStats', () => {
  it('counts what needed an answer, the answered and unknown shares, and percentile_cont median and p90', async () => {
    await seed()
    const s = await responseStats(deps)
    expect(s).toMatchObject({ by: null, since: NOW - 30 * 24 * HOUR, until: NOW })
    // Delays 0, 600, 1800, 3600, 7200, 14400 s: median between ranks 2 and 3, p90 at rank 4.5.
    expect(s.rows).toEqual([
      {
        group: null,
        total: true,
        needed: 8,
        answered: 6,
        unanswered: 1,
        unknown: 1,
        answeredShare: 0.8571,
        unknownShare: 0.125,
        medianFirstResponseSeconds: 2700,
        p90FirstResponseSeconds: 10800,
      },
    ])
  })

  it('groups by assignee, most needed first, unassigned by name, the total last', async () => {
    await seed()
    const s = await responseStats(deps, { by: 'assignee' })
    expect(s.rows.map((r) => [r.group, r.total, r.needed])).toEqual([
      ['(unassigned)', false, 5],
      ['kim', false, 2],
      ['sam', false, 1],
      [null, true, 8],
    ])
    const g = byGroup(s.rows)
    // Unassigned: 0, 1800, 3600, 7200 s → median 2700, p90 at rank 2.7 = 3600 + 0.7 × 3600.
    expect(g['(unassigned)']).toMatchObject({ answered: 4, unknown: 1, unanswered: 0, answeredShare: 1, unknownShare: 0.2, medianFirstResponseSeconds: 2700, p90FirstResponseSeconds: 6120 })
    expect(g.kim).toMatchObject({ answered: 1, unanswered: 1, unknown: 0, answeredShare: 0.5, medianFirstResponseSeconds: 600, p90FirstResponseSeconds: 600 })
    expect(g.sam).toMatchObject({ answered: 1, medianFirstResponseSeconds: 14400, p90FirstResponseSeconds: 14400 })
    expect(g.TOTAL).toMatchObject({ needed: 8, answered: 6, medianFirstResponseSeconds: 2700 })
  })

  it('groups by source, with a feed that cannot show replies as unknown unless a reply was recorded', async () => {
    await seed()
    const g = byGroup((await responseStats(deps, { by: 'source' })).rows)
    expect(Object.keys(g)).toEqual(['hackernews', 'rss', 'github', 'TOTAL'])
    expect(g.hackernews).toMatchObject({ needed: 5, answered: 4, unanswered: 1, unknown: 0, answeredShare: 0.8, medianFirstResponseSeconds: 5400 })
    expect(g.rss).toMatchObject({ needed: 2, answered: 1, unanswered: 0, unknown: 1, answeredShare: 1, unknownShare: 0.5, medianFirstResponseSeconds: 1800 })
    expect(g.github).toMatchObject({ needed: 1, answered: 1, medianFirstResponseSeconds: 0 })
  })

  it('counts a mention with two brands in each brand, once in the total; --brand keeps only those brands', async () => {
    await seed()
    const all = byGroup((await responseStats(deps, { by: 'brand' })).rows)
    expect(Object.keys(all)).toEqual(['Acme', 'Globex', 'TOTAL'])
    expect(all.Acme).toMatchObject({ needed: 8, answered: 6 })
    expect(all.Globex).toMatchObject({ needed: 1, answered: 1, medianFirstResponseSeconds: 0 })
    expect(all.TOTAL).toMatchObject({ needed: 8 })
    const globex = (await responseStats(deps, { by: 'brand', brands: ['globex'] })).rows
    expect(globex.map((r) => [r.group, r.needed])).toEqual([['Globex', 1], [null, 1]])
    const rss = (await responseStats(deps, { sources: ['rss'] })).rows
    expect(rss).toMatchObject([{ total: true, needed: 2, unknown: 1 }])
  })

  it('counts mentions created in the window: --since reaches further back, --until stops earlier', async () => {
    await seed()
    const wide = await responseStats(deps, { since: NOW - 60 * 24 * HOUR })
    expect(wide.rows[0]).toMatchObject({ needed: 9, answered: 6, unanswered: 2 })
    const before = await responseStats(deps, { since: NOW - 60 * 24 * HOUR, until: T - 1 })
    expect(before.rows).toEqual([{ group: null, total: true, needed: 1, ...zero, unanswered: 1, answeredShare: 0, unknownShare: 0 }])
  })

  it('gives an empty window one total row of zeros, with null shares and times, in every grouping', async () => {
    await seed()
    const empty = { group: null, total: true, needed: 0, ...zero, unknownShare: null }
    expect((await responseStats(deps, { since: NOW - MIN })).rows).toEqual([empty])
    expect((await responseStats(deps, { since: NOW - MIN, by: 'brand' })).rows).toEqual([empty])
  })

  it('refuses an unknown brand or source, and a missing database is NoDatabaseError', async () => {
    await seed()
    await expect(responseStats(deps, { brands: ['Initech'] })).rejects.toThrow(UsageError)
    await expect(responseStats(deps, { sources: ['nosuch'] })).rejects.toThrow(UsageError)
    const missing = testDeps({ dbFile: path.join(dir, 'none.db'), config: { brands: [brand('Acme')], sources: [] } })
    await expect(responseStats(missing)).rejects.toThrow(NoDatabaseError)
    await missing.close()
    expect(fs.existsSync(path.join(dir, 'none.db'))).toBe(false)
  })
})

describe('formatDuration', () => {
  it('reads as two units at most', () => {
    expect([0, 45, 600, 3599, 7500, 86_399, 3 * 86_400 + 4 * 3600 + 59].map(formatDuration)).toEqual(['0s', '45s', '10m', '59m', '2h 05m', '23h 59m', '3d 4h'])
  })
})

describe('overviewStats', () => {
  const rival: Brand = { ...brand('Globex'), competitor: true }
  const D = (d: number, h = 10, m = 0, s = 0, ms = 0) => Date.UTC(2026, 10, d, h, m, s, ms)
  const SINCE = D(27, 0)
  let ov: TestDeps
  beforeEach(() => {
    ov = testDeps({ dbFile: path.join(dir, 'ov.db'), now: () => NOW, config: { brands: [brand('Acme'), rival], sources: [] } })
  })
  afterEach(async () => {
    await ov.close()
  })
  const at = (createdAt: number, over: Partial<MentionRecord> = {}) => ({ createdAt, ...over })
  const neutralQ = { sentimentLabel: 'neutral', sentimentScore: 0, intent: 'question' } as const
  const neutralO = { sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other' } as const
  const onlyGlobex: Partial<MentionRecord> = { brands: ['Globex'], terms: ['globex'], competitor: true }

  /**
   * Five counted mentions (a b c d h) over four of the five days from 27 Nov; d also names the
   * rival Globex; e and f are Globex alone (competitor-only); own posts and an old one never
   * count. Eight (mention, configured brand) pairs, five of them Acme's.
   */
  async function seedOverview(): Promise<void> {
    await ov.store().mentions.upsertPage([
      record({ externalId: 'a', ...at(D(27)) }), // negative complaint, answered after 1h
      record({ externalId: 'reply-a', isOwn: true, parentExternalId: 'a', ...at(D(27, 11)), ...praise }),
      record({ externalId: 'b', source: 'github', ...at(D(27, 12)), ...neutralQ }), // answered after 2h
      record({ externalId: 'reply-b', source: 'github', isOwn: true, parentExternalId: 'b', ...at(D(27, 14)), ...praise }),
      // The last millisecond of 29 Nov and the first of 30 Nov, in UTC.
      record({ externalId: 'c', source: 'github', ...at(D(29, 23, 59, 59, 999)), ...praise }),
      record({ externalId: 'd', source: 'github', brands: ['Acme', 'Globex'], terms: ['acme', 'globex'], ...at(D(30, 0)) }),
      record({ externalId: 'e', ...onlyGlobex, ...at(D(30, 9)), intent: 'other' }),
      record({ externalId: 'f', source: 'lobsters', ...onlyGlobex, ...at(D(30, 10)), ...praise }),
      record({ externalId: 'h', ...at(Date.UTC(2026, 11, 1, 8)), ...neutralO }),
      // Never counted: the brand's own post (a negative complaint, to be sure), one from before the window.
      record({ externalId: 'own', isOwn: true, ...at(Date.UTC(2026, 11, 1, 9)) }),
      record({ externalId: 'old', ...at(D(20)) }),
    ])
  }
  type Counts = Omit<OverviewLine, 'group' | 'isTotal'>
  const row = (group: string | null, c: Counts): OverviewLine => ({ group, isTotal: group === null, ...c })
  const none: Counts = {
    total: 0, negative: 0, neutral: 0, positive: 0, negativeShare: null, complaints: 0, questions: 0,
    shareOfVoice: null, answeredShare: null, medianFirstResponseSeconds: null,
  }
  const TOTAL = row(null, {
    total: 5, negative: 2, neutral: 2, positive: 1, negativeShare: 0.4, complaints: 2, questions: 1,
    shareOfVoice: 0.625, answeredShare: 0.6667, medianFirstResponseSeconds: 5400,
  })

  it('with no --by gives the total alone: own posts, competitor-only and older mentions left out of the counts', async () => {
    await seedOverview()
    const s = await overviewStats(ov, { since: SINCE })
    expect(s).toMatchObject({ by: null, since: SINCE, until: NOW })
    expect(s.rows).toEqual([TOTAL])
    // The default window: 30 days back from now, ending now.
    expect(await overviewStats(ov)).toMatchObject({ since: NOW - 30 * 24 * HOUR, until: NOW, rows: [{ total: 6 }] })
  })

  it('by day: every UTC day of the window oldest first, empty ones as zeros, the total last', async () => {
    await seedOverview()
    const s = await overviewStats(ov, { since: SINCE, by: 'day' })
    expect(s.rows).toEqual([
      row('2026-11-27', { ...none, total: 2, negative: 1, neutral: 1, negativeShare: 0.5, complaints: 1, questions: 1, shareOfVoice: 1, answeredShare: 1, medianFirstResponseSeconds: 5400 }),
      row('2026-11-28', none),
      row('2026-11-29', { ...none, total: 1, positive: 1, negativeShare: 0, shareOfVoice: 1 }),
      // d names Acme and Globex; e and f are Globex alone: one Acme voice in four.
      row('2026-11-30', { ...none, total: 1, negative: 1, negativeShare: 1, complaints: 1, shareOfVoice: 0.25, answeredShare: 0 }),
      row('2026-12-01', { ...none, total: 1, neutral: 1, negativeShare: 0, shareOfVoice: 1 }),
      TOTAL,
    ])
  })

  it('by week: ISO weeks from Monday, labelled 2026-W48, the partial first and last included', async () => {
    await seedOverview()
    const s = await overviewStats(ov, { since: SINCE, by: 'week' })
    expect(s.rows.map((r) => [r.group, r.total, r.negative, r.neutral, r.positive, r.shareOfVoice, r.answeredShare, r.medianFirstResponseSeconds])).toEqual([
      ['2026-W48', 3, 1, 1, 1, 1, 1, 5400],
      ['2026-W49', 2, 1, 1, 0, 0.4, 0, null],
      [null, 5, 2, 2, 1, 0.625, 0.6667, 5400],
    ])
  })

  it('labels weeks across a year boundary by their Thursday: 2026 has a W53, 4 January 2027 starts 2027-W01', async () => {
    await ov.store().mentions.upsertPage([
      record({ externalId: 'thu', createdAt: Date.UTC(2026, 11, 31, 12) }),
      record({ externalId: 'sun', createdAt: Date.UTC(2027, 0, 3, 23, 59, 59, 999) }),
      record({ externalId: 'mon', createdAt: Date.UTC(2027, 0, 4) }),
    ])
    const s = await overviewStats(ov, { since: Date.UTC(2026, 11, 27), until: Date.UTC(2027, 0, 5), by: 'week' })
    expect(s.rows.map((r) => [r.group, r.total])).toEqual([['2026-W52', 0], ['2026-W53', 2], ['2027-W01', 1], [null, 3]])
    const days = await overviewStats(ov, { since: Date.UTC(2026, 11, 31), until: Date.UTC(2027, 0, 1, 5), by: 'day' })
    expect(days.rows.map((r) => [r.group, r.total])).toEqual([['2026-12-31', 1], ['2027-01-01', 0], [null, 1]])
  })

  it('by source: most mentions first, and a source only the rival was named in, with no mentions and a share of voice of 0', async () => {
    await seedOverview()
    const s = await overviewStats(ov, { since: SINCE, by: 'source' })
    expect(s.rows).toEqual([
      row('github', { total: 3, negative: 1, neutral: 1, positive: 1, negativeShare: 0.3333, complaints: 1, questions: 1, shareOfVoice: 0.75, answeredShare: 0.5, medianFirstResponseSeconds: 7200 }),
      row('hackernews', { ...none, total: 2, negative: 1, neutral: 1, negativeShare: 0.5, complaints: 1, shareOfVoice: 0.6667, answeredShare: 1, medianFirstResponseSeconds: 3600 }),
      row('lobsters', { ...none, shareOfVoice: 0 }),
      TOTAL,
    ])
  })

  it('by brand: the competitor gets its own row, counted there, and the brands share the voice', async () => {
    await seedOverview()
    const s = await overviewStats(ov, { since: SINCE, by: 'brand' })
    expect(s.rows).toEqual([
      row('Acme', { total: 5, negative: 2, neutral: 2, positive: 1, negativeShare: 0.4, complaints: 2, questions: 1, shareOfVoice: 0.625, answeredShare: 0.6667, medianFirstResponseSeconds: 5400 }),
      // d, e and f; only d needed an answer (a competitor-only mention never does).
      row('Globex', { ...none, total: 3, negative: 2, positive: 1, negativeShare: 0.6667, complaints: 1, shareOfVoice: 0.375, answeredShare: 0 }),
      TOTAL,
    ])
  })

  it('by intent and by sentiment: share of voice within each group', async () => {
    await seedOverview()
    const intent = await overviewStats(ov, { since: SINCE, by: 'intent' })
    expect(intent.rows.map((r) => [r.group, r.total, r.shareOfVoice, r.answeredShare])).toEqual([
      ['complaint', 2, 0.6667, 0.5],
      ['other', 1, 0.5, null],
      ['praise', 1, 0.5, null],
      ['question', 1, 1, 1],
      [null, 5, 0.625, 0.6667],
    ])
    const sentiment = await overviewStats(ov, { since: SINCE, by: 'sentiment' })
    expect(sentiment.rows.map((r) => [r.group, r.total, r.negative, r.complaints, r.questions, r.shareOfVoice])).toEqual([
      ['negative', 2, 2, 2, 0, 0.5],
      ['neutral', 2, 0, 0, 1, 1],
      ['positive', 1, 0, 0, 0, 0.5],
      [null, 5, 2, 2, 1, 0.625],
    ])
  })

  it('--brand counts the brands asked for, a competitor too, against every brand’s voice; --source narrows both', async () => {
    await seedOverview()
    const globex = await overviewStats(ov, { since: SINCE, brands: ['globex'] })
    expect(globex.rows).toEqual([
      row(null, { ...none, total: 3, negative: 2, positive: 1, negativeShare: 0.6667, complaints: 1, shareOfVoice: 0.375, answeredShare: 0 }),
    ])
    const byBrand = await overviewStats(ov, { since: SINCE, brands: ['Acme'], by: 'brand' })
    expect(byBrand.rows.map((r) => [r.group, r.total, r.shareOfVoice])).toEqual([['Acme', 5, 0.625], [null, 5, 0.625]])
    const hn = await overviewStats(ov, { since: SINCE, sources: ['hackernews'] })
    expect(hn.rows.map((r) => [r.total, r.shareOfVoice, r.answeredShare])).toEqual([[2, 0.6667, 1]])
  })

  it('without a config, counts the same and leaves share of voice unknown (null), never 0', async () => {
    await seedOverview()
    const bare: Deps = { ...ov, maybeConfig: () => undefined }
    const s = await overviewStats(bare, { since: SINCE, by: 'day' })
    expect(s.rows.map((r) => [r.group, r.total, r.shareOfVoice])).toEqual([
      ['2026-11-27', 2, null], ['2026-11-28', 0, null], ['2026-11-29', 1, null], ['2026-11-30', 1, null], ['2026-12-01', 1, null], [null, 5, null],
    ])
  })

  it('gives an empty window its zero buckets and a zero total, with null shares', async () => {
    await seedOverview()
    const s = await overviewStats(ov, { since: NOW - MIN, by: 'day' })
    expect(s.rows).toEqual([row('2026-12-01', none), row(null, none)])
    expect((await overviewStats(ov, { since: NOW - MIN, by: 'brand' })).rows).toEqual([row(null, none)])
  })
})

describe('weekLabel and buckets', () => {
  it('agree with SQLite’s own ISO week (%G-W%V) on every day of 2025 to 2028', () => {
    const db = new Database(':memory:')
    try {
      const iso = db.prepare<[number], { w: string }>(`SELECT strftime('%G-W%V', ? / 1000, 'unixepoch') AS w`)
      for (let t = Date.UTC(2025, 0, 1, 13); t < Date.UTC(2029, 0, 1); t += 24 * HOUR) expect(weekLabel(t)).toBe(iso.get(t)?.w)
    } finally {
      db.close()
    }
    expect(weekLabel(Date.UTC(2025, 11, 29))).toBe('2026-W01')
    expect(dayLabel(Date.UTC(2026, 11, 31, 23, 59, 59, 999))).toBe('2026-12-31')
  })

  it('list every day or week the window touches, partial ones included', () => {
    expect(buckets('day', Date.UTC(2026, 10, 29, 18), Date.UTC(2026, 11, 1))).toEqual(['2026-11-29', '2026-11-30', '2026-12-01'])
    expect(buckets('week', Date.UTC(2026, 11, 27), Date.UTC(2027, 0, 4))).toEqual(['2026-W52', '2026-W53', '2027-W01'])
  })
})
