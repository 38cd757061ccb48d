// mentions.bulkLoad on SQLite: into an empty database one transaction that builds the read
// indexes at the end, so the result is the database page-by-page upserts build, and a failure
// keeps nothing and leaves every index in place; into a non-empty one, pages commit as before.
import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import type { MentionRecord } from '../../src/store/types.js'
import { tempDirsPerTest } from '../support/temp.js'
import { record } from './contract.js'

const testDir = tempDirsPerTest()

const T0 = Date.UTC(2026, 10, 1)
const HOUR = 3_600_000

function file(): string {
  const dir = testDir()
  return path.join(dir, 'bulk.db')
}

const pages = (n: number, size: number, from = 0): MentionRecord[][] =>
  Array.from({ length: n }, (_, p) =>
    Array.from({ length: size }, (_, j) => {
      const i = from + p * size + j
      return record({
        source: i % 3 === 0 ? 'reddit' : 'hackernews',
        externalId: `k${i}`,
        url: `https://example.com/k/${i}`,
        createdAt: T0 - i * HOUR,
        fetchedAt: T0 - i * HOUR + 60_000,
        brands: i % 4 === 0 ? ['Globex'] : ['Acme'],
        sentimentLabel: i % 5 === 0 ? 'negative' : 'neutral',
        // A reply to an earlier row in the same load: the parent lookup runs mid-load.
        ...(i % 9 === 4 ? { parentExternalId: `k${i - 1}` } : {}),
      })
    }),
  )

const edited = (): MentionRecord[] => (pages(1, 3, 10)[0] as MentionRecord[]).map((r) => ({ ...r, text: `${r.text} edited later` }))
// The same rows matching another brand as well: a merge that adds brand pairs mid-load.
const rebranded = (): MentionRecord[] => (pages(1, 4, 20)[0] as MentionRecord[]).map((r) => ({ ...r, brands: ['Initech'], terms: ['initech'] }))

/** What a reader sees: the schema's indexes, every table's rows, and the integrity check. */
function snapshot(f: string) {
  const db = new Database(f, { readonly: true })
  const indexes = db.prepare(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name`).all()
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'mentions_fts%' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[])
  const rows = Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT count(*) FROM ${t}`).pluck().get()]))
  const mentions = db.prepare('SELECT id, source, external_id, brands, priority, parent_external_id FROM mentions ORDER BY id').all()
  const brands = db.prepare('SELECT brand, mention_id FROM mention_brands ORDER BY mention_id, brand').raw().all()
  const hours = db.prepare('SELECT * FROM mention_hours ORDER BY brand, hour').raw().all()
  const fts = ['acme', 'globex', 'edited'].map((q) => db.prepare(`SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH ? ORDER BY rowid`).pluck().all(q))
  const check = db.pragma('integrity_check', { simple: true })
  db.close()
  // FTS5's own check that the index holds exactly the table's title and text.
  const rw = new Database(f)
  rw.exec(`INSERT INTO mentions_fts (mentions_fts) VALUES ('integrity-check')`)
  rw.close()
  return { indexes, rows, mentions, brands, hours, fts, check }
}

describe('sqlite: mentions.bulkLoad', () => {
  it('into an empty database builds what page-by-page upserts build, indexes included', async () => {
    const plain = file()
    const a = openStore(plain)
    for (const p of pages(4, 50)) await a.mentions.upsertPage(p)
    await a.mentions.upsertPage(edited())
    await a.mentions.upsertPage(rebranded())
    await a.close()

    const bulk = file()
    const b = openStore(bulk)
    const out = await b.mentions.bulkLoad(async () => {
      let n = 0
      for (const p of pages(4, 50)) n += (await b.mentions.upsertPage(p)).new
      // The same rows again with new text, in the same load: the index must hold the new words.
      expect((await b.mentions.upsertPage(edited())).updated).toBe(3)
      expect((await b.mentions.upsertPage(rebranded())).updated).toBe(4)
      // One transaction: a reader sees none of it until the end.
      const reader = new Database(bulk, { readonly: true })
      expect(reader.prepare('SELECT count(*) FROM mentions').pluck().get()).toBe(0)
      reader.close()
      return n
    })
    expect(out).toBe(200)
    // The store works on afterwards: the queue walks mentions_priority by name.
    expect((await b.mentions.queue({ queue: 'negative', now: T0, limit: 5 })).length).toBe(5)
    await b.close()

    const want = snapshot(plain)
    expect(want.indexes.map((i) => (i as { name: string }).name)).toContain('mentions_priority')
    expect(want.fts[2]).toHaveLength(3)
    expect(want.brands.filter((b) => (b as unknown[])[0] === 'Initech')).toHaveLength(4)
    expect(want.hours.length).toBeGreaterThan(0)
    expect(snapshot(bulk)).toEqual(want)
  })

  it('into an empty database keeps nothing when the load fails, and every index stays', async () => {
    const f = file()
    const s = openStore(f)
    const before = snapshot(f)
    await expect(
      s.mentions.bulkLoad(async () => {
        for (const p of pages(3, 40)) await s.mentions.upsertPage(p)
        throw new Error('input broke')
      }),
    ).rejects.toThrow('input broke')
    await s.close()
    expect(snapshot(f)).toEqual(before)
  })

  it('into a database with rows commits each page as it is stored', async () => {
    const f = file()
    const s = openStore(f)
    await s.mentions.upsertPage(pages(1, 10, 1000)[0] as MentionRecord[])
    await expect(
      s.mentions.bulkLoad(async () => {
        for (const p of pages(2, 30)) await s.mentions.upsertPage(p)
        throw new Error('input broke')
      }),
    ).rejects.toThrow('input broke')
    // Another connection sees the committed pages, as after any interrupted import.
    expect(snapshot(f).mentions).toHaveLength(70)
    expect(snapshot(f).check).toBe('ok')
    await s.close()
  })
})
