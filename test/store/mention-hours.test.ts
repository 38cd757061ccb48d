// mention_hours (migration 7) holds what counting mention_brands joined to mentions by brand
// and hour gives, whatever writes the rows: new rows, updates, merges from another source,
// labels, re-scores, rematches, deletes, a bulk load into an empty file, and the migration
// itself over rows stored before it.
import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/app/db-copy.js'
import { openStore } from '../../src/store/index.js'
import { mentionsRepo } from '../../src/store/sqlite/mentions.js'
import { migrate } from '../../src/store/sqlite/migrations.js'
import { databaseAtVersion } from '../support/schema.js'
import { tempDirsPerTest } from '../support/temp.js'
import { editAndMerge, hourRows, relabelAndRematch } from '../support/hour-writes.js'

const testDir = tempDirsPerTest()

const HOUR = 3_600_000

type Count = { brand: string; hour: number; total: number; negative: number }

/** What the table holds, empty hours left out (a count taken back to zero may stay as a row). */
function kept(file: string): Count[] {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare('SELECT brand, hour, total, negative FROM mention_hours WHERE total <> 0 OR negative <> 0 ORDER BY brand, hour').all() as Count[]
  } finally {
    db.close()
  }
}

/** The same counts taken from the rows. */
function counted(file: string): Count[] {
  const db = new Database(file, { readonly: true })
  try {
    return db
      .prepare(`SELECT b.brand AS brand, m.created_at - m.created_at % ${HOUR} AS hour, count(*) AS total, sum(m.sentiment_label = 'negative') AS negative
        FROM mention_brands b JOIN mentions m ON m.id = b.mention_id WHERE m.is_own = 0 GROUP BY 1, 2 ORDER BY 1, 2`)
      .all() as Count[]
  } finally {
    db.close()
  }
}

describe('sqlite: hourly counts per brand', () => {
  it('follow every write that changes a count', async () => {
    const file = path.join(testDir(), 'h.db')
    const store = openStore(file)
    await store.mentions.upsertPage(hourRows(300))
    expect(counted(file).length).toBeGreaterThan(50)
    expect(kept(file)).toEqual(counted(file))

    await editAndMerge(store)
    expect(kept(file)).toEqual(counted(file))
    expect(kept(file).some((c) => c.brand === 'Initech')).toBe(true)
    expect(kept(file).some((c) => c.brand === 'Umbrella')).toBe(true)

    const db = new Database(file)
    const ids = (db.prepare('SELECT id FROM mentions ORDER BY id').pluck().all() as number[]).slice(0, 40)
    db.close()
    await relabelAndRematch(store, ids)
    expect(kept(file)).toEqual(counted(file))
    expect(kept(file).filter((c) => c.brand === 'Hooli').reduce((n, c) => n + c.total, 0)).toBe(
      counted(file).filter((c) => c.brand === 'Hooli').reduce((n, c) => n + c.total, 0),
    )
    await store.close()

    // Raw edits no command makes today: a mention's time and ownership changed, one deleted
    // (its brand rows go by the cascade), a brand row renamed.
    const raw = new Database(file)
    raw.pragma('foreign_keys = ON')
    raw.exec(`UPDATE mentions SET created_at = created_at + ${5 * HOUR} WHERE id % 9 = 0`)
    raw.exec('UPDATE mentions SET is_own = 1 - is_own WHERE id % 13 = 0')
    raw.exec('DELETE FROM mentions WHERE id % 11 = 0')
    raw.exec(`UPDATE mention_brands SET brand = 'Renamed' WHERE brand = 'Hooli'`)
    raw.close()
    expect(kept(file)).toEqual(counted(file))
  })

  it('are counted once at the end of a bulk load into an empty file, and kept again after it', async () => {
    const file = path.join(testDir(), 'b.db')
    const store = openStore(file)
    const triggers = () => {
      const db = new Database(file, { readonly: true })
      const t = db.prepare(`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name GLOB 'mention_hours_*' ORDER BY name`).all()
      db.close()
      return t
    }
    const before = triggers()
    expect(before.length).toBe(5)
    await store.mentions.bulkLoad(async () => {
      await store.mentions.upsertPage(hourRows(200))
      // Rows updated within the load, after their first page.
      await store.mentions.upsertPage(hourRows(200).filter((_, i) => i % 3 === 0).map((r) => ({ ...r, text: `${r.text}!`, sentimentLabel: 'negative' })))
    })
    expect(triggers()).toEqual(before)
    expect(kept(file).length).toBeGreaterThan(30)
    expect(kept(file)).toEqual(counted(file))
    // The triggers are back: a later pull keeps counting.
    await store.mentions.upsertPage(hourRows(50, 'late'))
    expect(kept(file)).toEqual(counted(file))
    await store.close()
  })

  it('are counted in a copy from the brand rows it receives (db copy leaves the table out)', async () => {
    const dir = testDir()
    const from = path.join(dir, 'from.db')
    const store = openStore(from)
    await store.mentions.upsertPage(hourRows(150))
    await store.close()
    const to = path.join(dir, 'to.db')
    await copyDatabase({ from, to, chunk: 7 })
    expect(kept(to).length).toBeGreaterThan(20)
    expect(kept(to)).toEqual(counted(to))
    expect(kept(to)).toEqual(kept(from))
  })

  it('are filled by the migration from the rows stored before it', async () => {
    const { db, file } = databaseAtVersion(testDir(), 6, 'm.db')
    await mentionsRepo(db, file).upsertPage(hourRows(250))
    migrate(db)
    db.close()
    expect(kept(file).length).toBeGreaterThan(30)
    expect(kept(file)).toEqual(counted(file))
  })
})
