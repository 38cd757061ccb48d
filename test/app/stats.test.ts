// Response metrics over a real SQLite file: what counts as needing an answer, answered and
// unknown shares, percentile_cont medians and p90s, groups, and the window.
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { responseStats, type ResponseStatsLine } from '../../src/app/stats.js'
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
