// Migration 5 widens mentions_priority and the queues walk it instead of sorting: every
// priority queue, under every filter the index now carries, lists the same rows before and
// after it, and the walk neither sorts nor reads the table to reject a row.
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { QUEUE_NAMES, type Mention } from '../../src/model.js'
import { mentionsRepo } from '../../src/store/sqlite/mentions.js'
import { migrate, MIGRATIONS } from '../../src/store/sqlite/migrations.js'
import type { QueueFilter } from '../../src/store/types.js'
import { tempDirsPerTest } from '../support/temp.js'
import { databaseAtVersion } from '../support/schema.js'
import { record } from './contract.js'

const testDir = tempDirsPerTest()

const BEFORE = 4
const NOW = Date.UTC(2026, 11, 1)
const HOUR = 3_600_000
const SOURCES = ['hackernews', 'reddit', 'rss', 'mastodon']

function atVersion4(): { db: Database.Database; file: string } {
  const dir = testDir()
  return databaseAtVersion(dir, BEFORE, 'q.db')
}

async function fill(db: Database.Database, file: string): Promise<void> {
  const repo = mentionsRepo(db, file)
  const records = Array.from({ length: 900 }, (_, i) =>
    record({
      source: SOURCES[i % 4] as string,
      externalId: `q${i}`,
      url: `https://example.com/q/${i}`,
      // Ages from now to weeks back (the age part of the priority), with ties in created_at.
      createdAt: NOW - Math.floor(i / 3) * (i % 2 ? 7 : 1) * HOUR,
      fetchedAt: NOW - (i % 50) * HOUR,
      brands: i % 7 === 0 ? ['Globex', 'Acme'] : i % 3 === 0 ? ['Globex'] : ['Acme'],
      sentimentLabel: i % 4 === 1 ? 'negative' : i % 4 === 2 ? 'positive' : 'neutral',
      sentimentScore: i % 4 === 1 ? -((i % 10) / 10) : 0.2,
      intent: i % 5 === 0 ? 'question' : i % 5 === 1 ? 'complaint' : i % 5 === 2 ? 'praise' : 'other',
      isOwn: i % 50 === 0,
      competitor: i % 41 === 0,
      // Equal stored priorities (ties for the id break) and a few rules' boosts, some negative.
      metrics: { likes: i % 4 === 0 ? 0 : i % 13 },
      author: { handle: `a${i % 17}`, reach: i % 3 === 0 ? 10 ** (i % 6) : 0 },
      routing: { tags: [], hits: [], boost: i % 23 === 0 ? 25 : i % 29 === 0 ? -15 : 0 },
    }),
  )
  await repo.upsertPage(records)
  db.exec(`INSERT INTO triage (mention_id, state, assignee, snoozed_until, updated_at)
    SELECT id, CASE id % 6 WHEN 0 THEN 'done' WHEN 1 THEN 'snoozed' ELSE 'open' END, CASE WHEN id % 4 = 0 THEN 'sam' END,
      CASE WHEN id % 6 = 1 THEN ${NOW} + (id % 2) * 86400000 - 3600000 END, ${NOW} FROM mentions WHERE id % 3 = 0`)
  db.exec(`INSERT INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
    SELECT id, source, 'r' || id, ${NOW}, 'acmehq' FROM mentions WHERE id % 4 = 0`)
}

function filters(): QueueFilter[] {
  const out: QueueFilter[] = []
  const extras: Partial<QueueFilter>[] = [
    {}, { sources: ['reddit'] }, { sources: ['rss', 'mastodon'] }, { brands: ['globex'] }, { since: NOW - 5 * 24 * HOUR }, { until: NOW - 2 * 24 * HOUR },
    { newSince: NOW - 10 * HOUR }, { olderThan: NOW - 24 * HOUR }, { sentiments: ['negative', 'positive'] }, { intents: ['complaint'] },
    { sources: ['reddit'], since: NOW - 20 * 24 * HOUR, newSince: NOW - 30 * HOUR }, { states: ['snoozed', 'done'] }, { assignees: ['sam'] },
    // Mostly old, low rows: the page's worst is 0, where every row ties whatever its stored part.
    { sentiments: ['positive', 'neutral'], intents: ['other', 'praise'], olderThan: NOW - 10 * 24 * HOUR },
    { brands: ['GLOBEX'], sources: ['reddit', 'rss'] }, { answered: ['no'] }, { minReach: 10 },
  ]
  for (const queue of QUEUE_NAMES) {
    for (const extra of extras) {
      for (const limit of [1, 5, 40, 2000]) out.push({ queue, now: NOW, sort: 'priority', limit, ...extra })
    }
  }
  return out
}

async function listAll(db: Database.Database, file: string): Promise<Mention[][]> {
  const repo = mentionsRepo(db, file)
  const lists: Mention[][] = []
  for (const f of filters()) lists.push(await repo.queue(f))
  return lists
}

describe('sqlite: migration 5 and the priority walk', () => {
  it('lists every priority queue identically before and after the migration', async () => {
    const { db, file } = atVersion4()
    await fill(db, file)
    const before = await listAll(db, file)
    expect(before.filter((l) => l.length > 1).length).toBeGreaterThan(100)
    migrate(db)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    const after = await listAll(db, file)
    expect(after).toEqual(before)
    db.close()
  })

  it('keeps the order a full sort by priority gives', async () => {
    const { db, file } = atVersion4()
    await fill(db, file)
    migrate(db)
    const repo = mentionsRepo(db, file)
    for (const queue of ['negative', 'unanswered', 'all'] as const) {
      const all = await repo.queue({ queue, now: NOW, sort: 'priority' })
      for (const limit of [1, 7, 60]) expect((await repo.queue({ queue, now: NOW, sort: 'priority', limit })).map((m) => m.id)).toEqual(all.slice(0, limit).map((m) => m.id))
    }
    db.close()
  })

  it('gives, for every queue, filter and limit, the head of the full sort by priority', async () => {
    // The walk's probe, floor and bound (stored part less age) against the plain SQL sort of
    // the whole queue: the same rows in the same order, ties included.
    const { db, file } = atVersion4()
    await fill(db, file)
    migrate(db)
    const repo = mentionsRepo(db, file)
    let zeroFloors = 0
    for (const f of filters()) {
      const { limit, ...unlimited } = f
      const all = await repo.queue(unlimited)
      const page = await repo.queue(f)
      expect(page.map((m) => m.id)).toEqual(all.slice(0, limit).map((m) => m.id))
      expect(page).toEqual(all.slice(0, limit))
      if (limit !== undefined && page.length === limit && page[limit - 1]?.priority === 0) zeroFloors++
    }
    expect(zeroFloors).toBeGreaterThan(0)
    db.close()
  })

  it('counts what the limit left out exactly, or up to a cap and says so', async () => {
    const { db, file } = atVersion4()
    await fill(db, file)
    migrate(db)
    const repo = mentionsRepo(db, file)
    let capped = 0
    let exact = 0
    for (const f of filters().filter((x) => x.limit === 5 || x.limit === 40)) {
      const total = (await repo.queue({ ...f, limit: undefined })).length
      const shown = Math.min(total, f.limit ?? 0)
      for (const sort of ['priority', 'newest'] as const) {
        expect((await repo.queuePage({ ...f, sort, countMore: true })).more).toBe(total - shown)
        const page = await repo.queuePage({ ...f, sort, countMore: true, moreCap: 30 })
        if (total - shown >= 30) {
          expect(page).toMatchObject({ more: 30, moreCapped: true })
          capped++
        } else {
          expect(page.more).toBe(total - shown)
          expect(page.moreCapped).toBeUndefined()
          exact++
        }
      }
    }
    expect(capped).toBeGreaterThan(10)
    expect(exact).toBeGreaterThan(10)
    db.close()
  })

  it('walks mentions_priority for --source: no sort, no read of mentions to reject a row', async () => {
    const { db, file } = atVersion4()
    await fill(db, file)
    migrate(db)
    db.exec('ANALYZE')
    const seen: string[] = []
    const traced = new Database(file, { readonly: true, verbose: (sql) => void seen.push(String(sql)) })
    await mentionsRepo(traced, file).queue({ queue: 'negative', now: NOW, sources: ['rss'], since: NOW - 30 * 24 * HOUR, limit: 20 })
    const sql = seen.find((s) => /INDEXED BY mentions_priority/.test(s))
    expect(sql).toBeDefined()
    const plan = (traced.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ source0: 'rss', now: NOW, since: 0, floor: 1, probeSize: 1 }) as { detail: string }[]).map((r) => r.detail).join('\n')
    expect(plan).toMatch(/(SCAN|SEARCH) m USING COVERING INDEX mentions_priority/)
    expect(plan).not.toMatch(/TEMP B-TREE/)
    traced.close()
    db.close()
  })
})
