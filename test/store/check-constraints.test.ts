// Migration 9 rewrites the CHECK constraints' value lists as comparisons by editing the schema's
// text: the same rules must hold after it, the file must stay sound, a fresh database and an
// upgraded one must end with the same schema, and no insert may build a temporary B-tree.
import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import { checksAsComparisons, migrate } from '../../src/store/sqlite/migrations.js'
import { databaseAtVersion } from '../support/schema.js'
import { tempDirsPerTest } from '../support/temp.js'

const testDir = tempDirsPerTest()

const tablesSql = (db: Database.Database) =>
  db.prepare<[], { name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL ORDER BY name`).all()

const INSERT = `INSERT INTO mentions (source, external_id, url, brands, terms, text, created_at, fetched_at, updated_at, sentiment_score, sentiment_label, intent, scorer_version)
  VALUES ('hackernews', ?, 'u', '["Acme"]', '["acme"]', 'acme', 1, 1, 1, 0, ?, ?, 'v1')`

describe('sqlite: CHECK value lists as comparisons (migration 9)', () => {
  it('rewrites a list into comparisons and leaves anything else as it was', () => {
    expect(checksAsComparisons(`state TEXT NOT NULL CHECK (state IN ('open','done', 'snoozed')),`)).toBe(
      `state TEXT NOT NULL CHECK (state = 'open' OR state = 'done' OR state = 'snoozed'),`,
    )
    for (const other of [`CHECK (n > 0)`, `CHECK (kind IN (SELECT kind FROM kinds))`, `CHECK (a IN ('x,y', 'z'))`]) expect(checksAsComparisons(other)).toBe(other)
  })

  it('keeps the rows and the rules of a database upgraded from schema 8, and ends where a fresh one does', async () => {
    const { db, file } = databaseAtVersion(testDir(), 8)
    db.prepare(INSERT).run('1', 'neutral', 'other')
    migrate(db)
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok')
    expect(db.prepare('SELECT external_id, sentiment_label FROM mentions').all()).toEqual([{ external_id: '1', sentiment_label: 'neutral' }])
    expect(() => db.prepare(INSERT).run('2', 'angry', 'other')).toThrow(/CHECK constraint failed/)
    expect(() => db.prepare(INSERT).run('3', 'negative', 'rant')).toThrow(/CHECK constraint failed/)
    expect(() => db.prepare(`UPDATE mentions SET sentiment_source = 'robot'`).run()).toThrow(/CHECK constraint failed/)
    db.prepare(INSERT).run('4', 'negative', 'complaint')
    expect(tablesSql(db).filter((t) => /CHECK \(\w+ IN \(/.test(t.sql))).toEqual([])
    const plan = db.prepare<[], { opcode: string }>(`EXPLAIN ${INSERT.replace(/\?/g, "'x'")}`).all()
    expect(plan.map((op) => op.opcode)).not.toContain('OpenEphemeral')
    const upgraded = tablesSql(db)
    db.close()

    const freshFile = path.join(testDir(), 'fresh.db')
    await openStore(freshFile).close()
    const fresh = new Database(freshFile, { readonly: true })
    expect(tablesSql(fresh)).toEqual(upgraded)
    fresh.close()
    // The edited schema is what a new connection reads.
    const again = new Database(file, { readonly: true })
    expect(tablesSql(again)).toEqual(upgraded)
    again.close()
  })
})
