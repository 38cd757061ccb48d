// Migrations 4 to 6 change indexes only: every queue lists the same rows before and after them,
// and the --source queue reads an index in order instead of sorting the source's rows.
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

const BEFORE = 3

/** A database at the schema before migration 4. */
function previousSchema(): { db: Database.Database; file: string } {
  const dir = testDir()
  return databaseAtVersion(dir, BEFORE, 'm.db')
}

const SOURCES = ['hackernews', 'reddit', 'rss', 'mastodon']
const NOW = Date.UTC(2026, 11, 1)

async function fill(db: Database.Database, file: string): Promise<void> {
  const repo = mentionsRepo(db, file)
  const records = Array.from({ length: 600 }, (_, i) =>
    record({
      source: SOURCES[i % 4] as string,
      externalId: `e${i}`,
      url: `https://example.com/${i}`,
      // Ties in created_at, so the id tie-break is part of what must not change.
      createdAt: NOW - Math.floor(i / 3) * 60_000,
      brands: i % 7 === 0 ? ['Globex', 'Acme'] : i % 3 === 0 ? ['Globex'] : ['Acme'],
      sentimentLabel: i % 4 === 1 ? 'negative' : i % 4 === 2 ? 'positive' : 'neutral',
      intent: i % 5 === 0 ? 'question' : 'other',
      isOwn: i % 50 === 0,
      competitor: i % 41 === 0,
      priority: i % 9,
      metrics: { likes: i % 13 },
    }),
  )
  await repo.upsertPage(records)
  // Triage states and a reply or two, so the open/unanswered parts of the queries take part.
  db.exec(`INSERT INTO triage (mention_id, state, assignee, snoozed_until, updated_at)
    SELECT id, CASE id % 6 WHEN 0 THEN 'done' WHEN 1 THEN 'snoozed' ELSE 'open' END, CASE WHEN id % 4 = 0 THEN 'sam' END,
      CASE WHEN id % 6 = 1 THEN ${NOW} + (id % 2) * 86400000 - 3600000 END, ${NOW} FROM mentions WHERE id % 3 = 0`)
  db.exec(`INSERT INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
    SELECT id, source, 'r' || id, ${NOW}, 'acmehq' FROM mentions WHERE id % 10 = 0`)
}

function filters(): QueueFilter[] {
  const out: QueueFilter[] = []
  for (const queue of QUEUE_NAMES) {
    for (const extra of [{}, { brands: ['globex'] }, { brands: ['ACME', 'Globex'] }, { sources: ['rss'] }, { sources: ['reddit', 'mastodon'] }, { brands: ['Acme'], sources: ['hackernews'] }]) {
      for (const sort of [undefined, 'newest', 'oldest', 'priority'] as const) {
        for (const limit of [undefined, 5, 40]) {
          out.push({ queue, now: NOW, ...extra, ...(sort ? { sort } : {}), ...(limit ? { limit } : {}) })
        }
      }
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

describe('sqlite: the index migration', () => {
  it('lists every queue identically before and after it', async () => {
    const { db, file } = previousSchema()
    await fill(db, file)
    const before = await listAll(db, file)
    expect(before.some((l) => l.length > 0)).toBe(true)
    migrate(db)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    const after = await listAll(db, file)
    expect(after).toEqual(before)
    db.close()
  })

  it('the --source queue walks an index in order: no scan of mentions, no sort', async () => {
    const { db, file } = previousSchema()
    await fill(db, file)
    migrate(db)
    db.exec('ANALYZE')
    // The statement the repo prepares, observed through SQLite's own trace of what ran.
    const seen: string[] = []
    const traced = new Database(file, { readonly: true, verbose: (sql) => void seen.push(String(sql)) })
    await mentionsRepo(traced, file).queue({ queue: 'all', now: NOW, sources: ['rss'], limit: 20 })
    const sql = seen.find((s) => /FROM mentions m/.test(s) && /m\.source IN/.test(s))
    expect(sql).toBeDefined()
    const plan = (traced.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ source0: 'rss', now: NOW, limit: 20 }) as { detail: string }[]).map((r) => r.detail)
    expect(plan.join('\n')).toMatch(/SEARCH m USING INDEX mentions_source_created \(source=\?\)/)
    expect(plan.join('\n')).not.toMatch(/SCAN m\b|TEMP B-TREE FOR ORDER BY/)
    traced.close()
    db.close()
  })

  it('the --brand queue probes mention_brands by key: no scan of it, no temporary index, no sort', async () => {
    const { db, file } = previousSchema()
    await fill(db, file)
    migrate(db)
    db.exec('ANALYZE')
    const seen: string[] = []
    const traced = new Database(file, { readonly: true, verbose: (sql) => void seen.push(String(sql)) })
    await mentionsRepo(traced, file).queue({ queue: 'all', now: NOW, brands: ['globex'], limit: 20 })
    const sql = seen.find((s) => /FROM mentions m/.test(s) && /mention_brands/.test(s))
    expect(sql).toBeDefined()
    const plan = (traced.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ brand0: 'globex', now: NOW, limit: 20 }) as { detail: string }[]).map((r) => r.detail).join('\n')
    expect(plan).toMatch(/SEARCH b .*USING .*INDEX/)
    expect(plan).not.toMatch(/SCAN b\b|AUTOMATIC|TEMP B-TREE FOR ORDER BY/)
    traced.close()
    db.close()
  })

  it('reads first-seen windows on mentions_fetched in either order, without a sort', async () => {
    const { db, file } = previousSchema()
    await fill(db, file)
    migrate(db)
    db.exec('ANALYZE')
    for (const order of ['m.fetched_at, m.id', 'm.fetched_at DESC, m.id DESC']) {
      const sql = `SELECT m.id FROM mentions m WHERE m.fetched_at >= @from AND m.fetched_at < @to ORDER BY ${order} LIMIT 10`
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ from: 0, to: NOW + 1 }) as { detail: string }[]).map((r) => r.detail).join('\n')
      expect(plan).toMatch(/USING (COVERING )?INDEX mentions_fetched \(fetched_at>\? AND fetched_at<\?\)/)
      expect(plan).not.toMatch(/TEMP B-TREE/)
      const ids = (db.prepare(sql).all({ from: 0, to: NOW + 1 }) as { id: number }[]).map((r) => r.id)
      const all = (db.prepare(`SELECT id FROM mentions m ORDER BY ${order}`).all() as { id: number }[]).map((r) => r.id)
      expect(ids).toEqual(all.slice(0, 10))
    }
    db.close()
  })
})
