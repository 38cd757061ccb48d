// Migration 6 widens mentions_created so the windows by "when it was said" count from the
// index alone: spikes, the digest's overdue count and stats give the same figures before and
// after it, and the spikes' count reads no mentions row. Migration 8 adds the overdue list's
// index: the same items, ranked from it.
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { digestsRepo } from '../../src/store/sqlite/digests.js'
import { mentionsRepo } from '../../src/store/sqlite/mentions.js'
import { applyMigration, migrate, MIGRATIONS } from '../../src/store/sqlite/migrations.js'
import { seriesRepo } from '../../src/store/sqlite/series.js'
import { statsRepo } from '../../src/store/sqlite/stats.js'
import { tempDirsPerTest } from '../support/temp.js'
import { databaseAtVersion } from '../support/schema.js'
import { seriesOracle } from '../support/series-oracle.js'
import { record } from './contract.js'

const testDir = tempDirsPerTest()

const BEFORE = 5
const NOW = Date.UTC(2026, 11, 1)
const HOUR = 3_600_000
const DAY = 24 * HOUR
const SOURCES = ['hackernews', 'reddit', 'rss', 'trustpilot']

async function atVersion5(): Promise<{ db: Database.Database; file: string }> {
  const dir = testDir()
  const { db, file } = databaseAtVersion(dir, BEFORE, 'c.db')
  await mentionsRepo(db, file).upsertPage(
    Array.from({ length: 700 }, (_, i) =>
      record({
        source: SOURCES[i % 4] as string,
        externalId: `c${i}`,
        url: `https://example.com/c/${i}`,
        // Thirty days back, several an hour, ties in created_at.
        createdAt: NOW - Math.floor(i / 2) * 2 * HOUR,
        brands: i % 7 === 0 ? ['Globex', 'Acme'] : i % 3 === 0 ? ['Globex'] : ['Acme'],
        sentimentLabel: i % 4 === 1 ? 'negative' : i % 4 === 2 ? 'positive' : 'neutral',
        intent: i % 5 === 0 ? 'question' : i % 5 === 1 ? 'complaint' : 'other',
        isOwn: i % 50 === 0,
        competitor: i % 41 === 0,
        answerable: i % 4 !== 2,
      }),
    ),
  )
  db.exec(`INSERT INTO triage (mention_id, state, snoozed_until, updated_at)
    SELECT id, CASE id % 3 WHEN 0 THEN 'done' ELSE 'snoozed' END, ${NOW} + (id % 2) * ${DAY} - ${HOUR}, ${NOW} FROM mentions WHERE id % 5 = 0`)
  db.exec(`INSERT INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
    SELECT id, source, 'r' || id, created_at + ${HOUR}, 'acmehq' FROM mentions WHERE id % 6 = 0`)
  return { db, file }
}

// Spikes read the hourly counts of migration 7, which a version-5 file does not have: before
// the migration their figures come from the rows.
const SPIKES: [from: number, to: number, bucket: number, brands?: string[]][] = [
  [NOW - 40 * DAY, NOW + 1, DAY],
  [NOW - 10 * DAY, NOW + 1, 6 * HOUR, ['globex']],
]

async function figures(db: Database.Database, file: string, migrated: boolean): Promise<unknown> {
  const series = seriesRepo(db, file)
  const digests = digestsRepo(db, file)
  const stats = statsRepo(db, file)
  return {
    spikes: await Promise.all(
      SPIKES.map(([from, to, bucketMs, brands]) =>
        migrated ? series.counts({ from, to, bucketMs, ...(brands ? { brands } : {}) }) : seriesOracle(file, from, to, bucketMs, brands),
      ),
    ),
    overdue: await digests.overdue({ from: NOW - 7 * DAY, to: NOW - DAY, now: NOW, limit: 5 }),
    overdueAcme: await digests.overdue({ from: NOW - 30 * DAY, to: NOW, now: NOW, limit: 50, brands: ['Acme'] }),
    bySource: await stats.overview({ since: NOW - 20 * DAY, until: NOW, by: 'source' }),
    byDay: await stats.overview({ since: NOW - 20 * DAY, until: NOW, by: 'day' }),
    responses: await stats.responses({ since: NOW - 30 * DAY, by: 'source' }),
  }
}

describe('sqlite: migration 6, the created_at index that counts alone', () => {
  it('gives the same spikes, overdue and stats figures before and after it', async () => {
    const { db, file } = await atVersion5()
    const before = await figures(db, file, false)
    expect(JSON.stringify(before)).toMatch(/"negative":[1-9]/)
    migrate(db)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(await figures(db, file, true)).toEqual(before)
    db.close()
  })

  it("counts the spikes' window from the index, reading no mentions row", async () => {
    const { db, file } = await atVersion5()
    migrate(db)
    db.exec('ANALYZE')
    const seen: string[] = []
    const traced = new Database(file, { readonly: true, verbose: (sql) => void seen.push(String(sql)) })
    await seriesRepo(traced, file).counts({ from: NOW - 40 * DAY, to: NOW + 1, bucketMs: DAY })
    // The statement run per bucket, with a sum per stored brand.
    const sql = seen.find((s) => /CROSS JOIN mention_brands/.test(s)) as string
    expect(sql).toBeDefined()
    const names = Object.fromEntries([...new Set(sql.match(/@name\d+/g))].map((n) => [n.slice(1), 'Acme']))
    const plan = (traced.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...names, lo: NOW - DAY, hi: NOW }) as { detail: string }[]).map((r) => r.detail).join('\n')
    expect(plan).toMatch(/SEARCH m USING COVERING INDEX mentions_created \(created_at>\? AND created_at<\?\)/)
    traced.close()
    db.close()
  })
})

describe('sqlite: migration 8, the index of the rows that can go overdue', () => {
  it('lists the same overdue items, with the same count, before and after it', async () => {
    const { db, file } = await atVersion5()
    for (const m of MIGRATIONS.slice(BEFORE, 7)) applyMigration(db, m)
    db.pragma('user_version = 7')
    const digests = digestsRepo(db, file)
    const cases = [
      { from: NOW - 7 * DAY, to: NOW - DAY, now: NOW, limit: 5 },
      { from: NOW - 30 * DAY, to: NOW, now: NOW, limit: 500 },
      { from: NOW - 30 * DAY, to: NOW, now: NOW, limit: 8, brands: ['ACME'] },
      { from: NOW - 30 * DAY, to: NOW - 2 * DAY, now: NOW, limit: 8, brands: ['globex', 'Acme'] },
    ]
    const before = await Promise.all(cases.map((c) => digests.overdue(c)))
    expect(before.every((o) => o.total > 0)).toBe(true)
    migrate(db)
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'mentions_overdue'").get()).toEqual({ n: 1 })
    expect(await Promise.all(cases.map((c) => digestsRepo(db, file).overdue(c)))).toEqual(before)
    db.close()
  })

  it('counts and ranks the overdue items from that index alone, with or without brands', async () => {
    const { db, file } = await atVersion5()
    migrate(db)
    db.exec('ANALYZE')
    for (const brands of [undefined, ['Acme'], ['acme', 'GLOBEX']]) {
      const seen: string[] = []
      const traced = new Database(file, { readonly: true, verbose: (sql) => void seen.push(String(sql)) })
      await digestsRepo(traced, file).overdue({ from: NOW - 7 * DAY, to: NOW - DAY, now: NOW, limit: 5, ...(brands ? { brands } : {}) })
      // The count, then the ranking: both read the index alone.
      const statements = seen.filter((s) => /FROM mentions m/.test(s))
      expect(statements).toHaveLength(2)
      const args = { now: NOW, cfrom: NOW - 7 * DAY, cto: NOW - DAY, limit: 5, ...Object.fromEntries((brands ?? []).map((b, i) => [`brand${i}`, b])) }
      for (const sql of statements) {
        const plan = (traced.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(sql.includes('@limit') ? args : { ...args, limit: undefined }) as { detail: string }[]).map((r) => r.detail).join('\n')
        expect(plan).toMatch(/SEARCH m USING COVERING INDEX mentions_overdue \(created_at>\? AND created_at<\?\)/)
      }
      traced.close()
    }
    db.close()
  })
})
