// PostgreSQL's mention_hours (migration 4) holds what counting mention_brands joined to
// mentions by brand and hour gives, whatever writes the rows: the repositories' writes (also
// held against SQLite's table in mentions-write.test.ts), two writers at once, raw edits no
// command makes, a copy into the database, and the migration over rows stored before it.
import Database from 'better-sqlite3'
import path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../../src/app/db-copy.js'
import { openStore } from '../../../src/store/index.js'
import { PG_MIGRATIONS } from '../../../src/store/postgres/migrations.js'
import { migratePg, openPg } from '../../../src/store/postgres/open.js'
import { tempDir } from '../../support/deps.js'
import { dropPgDatabases, freshPgUrl, pgSkip, withPgClient } from '../../support/pg.js'
import { editAndMerge, HOURS_T0 as T0, hourRows, relabelAndRematch } from '../../support/hour-writes.js'

afterAll(dropPgDatabases)

const HOUR = 3_600_000

type Count = { brand: string; hour: number; total: number; negative: number }

const KEPT = 'SELECT brand, hour, total, negative FROM mention_hours WHERE total <> 0 OR negative <> 0 ORDER BY brand COLLATE "C", hour'
const COUNTED = `SELECT b.brand, m.created_at - m.created_at % ${HOUR} AS hour, count(*)::int AS total, (count(*) FILTER (WHERE m.sentiment_label = 'negative'))::int AS negative
  FROM mention_brands b JOIN mentions m ON m.id = b.mention_id WHERE NOT m.is_own GROUP BY 1, 2 ORDER BY b.brand COLLATE "C", 2`

/** The table and the same counts from the rows, integers as numbers. */
async function both(url: string): Promise<{ kept: Count[]; counted: Count[] }> {
  return withPgClient(url, async (c) => {
    const rows = async (sql: string) => (await c.query<Count>(sql)).rows.map((r) => ({ ...r, hour: Number(r.hour) }))
    return { kept: await rows(KEPT), counted: await rows(COUNTED) }
  })
}

describe.skipIf(pgSkip)('PostgreSQL: hourly counts per brand', () => {
  it('follow every write that changes a count, and raw edits', async () => {
    const url = await freshPgUrl()
    const store = openStore(url)
    await store.mentions.upsertPage(hourRows(300))
    let t = await both(url)
    expect(t.counted.length).toBeGreaterThan(50)
    expect(t.kept).toEqual(t.counted)

    await editAndMerge(store)
    const ids = await withPgClient(url, async (c) => (await c.query<{ id: number }>('SELECT id FROM mentions ORDER BY id LIMIT 40')).rows.map((r) => Number(r.id)))
    await relabelAndRematch(store, ids)
    await store.close()
    t = await both(url)
    expect(t.kept).toEqual(t.counted)
    for (const brand of ['Initech', 'Umbrella', 'Hooli']) expect(t.kept.some((c) => c.brand === brand), brand).toBe(true)

    // A mention's time and ownership changed, some deleted (their brand rows go by the
    // cascade), a brand row renamed, several at once.
    await withPgClient(url, async (c) => {
      await c.query(`UPDATE mentions SET created_at = created_at + ${5 * HOUR} WHERE id % 9 = 0`)
      await c.query('UPDATE mentions SET is_own = NOT is_own WHERE id % 13 = 0')
      await c.query('DELETE FROM mentions WHERE id % 11 = 0')
      await c.query(`UPDATE mention_brands SET brand = 'Renamed' WHERE brand = 'Hooli'`)
      await c.query(`DELETE FROM mention_brands WHERE brand = 'Umbrella' AND mention_id % 2 = 0`)
    })
    t = await both(url)
    expect(t.kept).toEqual(t.counted)
    expect(t.kept.some((c) => c.brand === 'Renamed')).toBe(true)
  })

  it('are not doubled or lost by two writers storing overlapping pages at once', async () => {
    const url = await freshPgUrl()
    const a = openStore(url)
    const b = openStore(url)
    const page = (from: number, to: number, source: string) => hourRows(400, 'race', source).slice(from, to)
    await Promise.all([
      (async () => {
        for (let i = 0; i < 400; i += 50) await a.mentions.upsertPage([...page(i, i + 50, 'hackernews'), ...page(i, i + 25, 'reddit')])
      })(),
      (async () => {
        for (let i = 0; i < 400; i += 50) await b.mentions.upsertPage([...page(i, i + 50, 'reddit'), ...page(i + 25, i + 50, 'hackernews')])
      })(),
    ])
    await Promise.all([a.close(), b.close()])
    const t = await both(url)
    expect(t.counted.reduce((n, c) => n + c.total, 0)).toBeGreaterThan(300)
    expect(t.kept).toEqual(t.counted)
  })

  it('are counted in a copy from the brand rows it receives (db copy leaves the table out)', async () => {
    const from = path.join(tempDir(), 'from.db')
    const store = openStore(from)
    await store.mentions.upsertPage(hourRows(150))
    await store.close()
    const to = await freshPgUrl()
    await copyDatabase({ from, to, chunk: 7 })
    const t = await both(to)
    expect(t.kept.length).toBeGreaterThan(20)
    expect(t.kept).toEqual(t.counted)
    const db = new Database(from, { readonly: true })
    const sqlite = db.prepare('SELECT brand, hour, total, negative FROM mention_hours WHERE total <> 0 ORDER BY brand, hour').all()
    db.close()
    expect(t.kept).toEqual(sqlite)
  })

  it('are filled by the migration from the rows stored before it', async () => {
    const url = await freshPgUrl()
    await withPgClient(url, async (c) => {
      // The schema before migration 4, which made the table.
      const before = 3
      expect(await migratePg(c as unknown as pg.PoolClient, PG_MIGRATIONS.slice(0, before))).toBe(before)
      await c.query(`INSERT INTO mentions (source, external_id, url, brands, terms, text, created_at, fetched_at, updated_at, sentiment_score, sentiment_label, intent, scorer_version, is_own)
        SELECT 'hackernews', 'm' || i, 'https://example.com/m/' || i, '["Acme"]', '["acme"]', 'acme ' || i, ${T0} + (i * 7919000) % ${50 * HOUR}, ${T0}, ${T0}, 0,
          CASE WHEN i % 3 = 0 THEN 'negative' ELSE 'neutral' END, 'other', 'v1', i % 17 = 0
        FROM generate_series(1, 250) AS i`)
      await c.query(`INSERT INTO mention_brands (brand, mention_id) SELECT CASE WHEN id % 2 = 0 THEN 'Acme' ELSE 'Globex' END, id FROM mentions`)
      await c.query(`INSERT INTO mention_brands (brand, mention_id) SELECT 'Initech', id FROM mentions WHERE id % 5 = 0`)
      expect((await c.query("SELECT to_regclass('mention_hours') AS t")).rows[0].t).toBeNull()
    })
    // The first opening brings the schema up to date.
    const p = openPg(url)
    await p.query('SELECT 1')
    await p.pool.end()
    const t = await both(url)
    expect(t.kept.length).toBeGreaterThan(30)
    expect(t.kept).toEqual(t.counted)
  })
})
