// The SQLite side of `mentions db copy`: a reader that pages each table by its primary key in
// one read transaction (one snapshot, so the counts at the end see what the pages saw), and a
// writer that fills a new or empty file inside one write transaction.
import type { Statement } from 'better-sqlite3'
import { openDatabase, storeFailure, type Opened } from '../sqlite/open.js'
import { fromSqlite, toSqlite } from './convert.js'
import { keyIndexes, quoteIdent } from './tables.js'
import type { CopyReader, CopyRow, CopyWriter, TableSpec } from './types.js'

const columnList = (t: TableSpec) => t.columns.map((c) => quoteIdent(c.name)).join(', ')
const keyList = (t: TableSpec) => t.key.map(quoteIdent).join(', ')

export function sqliteReader(file: string): CopyReader {
  const opened: Opened = openDatabase(file, { readOnly: true })
  const { db } = opened
  const guard = <T>(work: () => T): T => {
    try {
      return work()
    } catch (err) {
      throw storeFailure(err, file)
    }
  }
  // The first read fixes the snapshot; every page and count after it reads the same one.
  guard(() => db.exec('BEGIN'))
  return {
    location: file,
    async *rows(table, chunk) {
      const keys = keyIndexes(table)
      const marks = table.key.map(() => '?').join(', ')
      const first = guard(() => db.prepare(`SELECT ${columnList(table)} FROM ${quoteIdent(table.name)} ORDER BY ${keyList(table)} LIMIT ?`).raw(true))
      const next = guard(() =>
        db.prepare(`SELECT ${columnList(table)} FROM ${quoteIdent(table.name)} WHERE (${keyList(table)}) > (${marks}) ORDER BY ${keyList(table)} LIMIT ?`).raw(true),
      )
      let after: unknown[] | undefined
      for (;;) {
        const raw = guard(() => (after ? next.all(...after, chunk) : first.all(chunk))) as unknown[][]
        if (!raw.length) return
        const last = raw[raw.length - 1]!
        after = keys.map((i) => last[i])
        yield raw.map((r) => table.columns.map((c, i) => fromSqlite(r[i], c, table, file)))
        if (raw.length < chunk) return
      }
    },
    async count(table) {
      return guard(() => (db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`).get() as { n: number }).n)
    },
    async close() {
      try {
        if (db.inTransaction) db.exec('ROLLBACK')
      } finally {
        opened.close()
      }
    },
  }
}

export function sqliteWriter(file: string): CopyWriter {
  const opened: Opened = openDatabase(file)
  const { db } = opened
  const guard = <T>(work: () => T): T => {
    try {
      return work()
    } catch (err) {
      throw storeFailure(err, file)
    }
  }
  const inserts = new Map<string, Statement>()
  const insertFor = (t: TableSpec): Statement => {
    let s = inserts.get(t.name)
    if (!s) {
      s = guard(() => db.prepare(`INSERT INTO ${quoteIdent(t.name)} (${columnList(t)}) VALUES (${t.columns.map(() => '?').join(', ')})`))
      inserts.set(t.name, s)
    }
    return s
  }
  return {
    location: file,
    async begin() {
      // IMMEDIATE: the write lock now, so no pull slips rows in between the emptiness check and the commit.
      guard(() => db.exec('BEGIN IMMEDIATE'))
    },
    async write(table, rows: readonly CopyRow[]) {
      const insert = insertFor(table)
      guard(() => {
        for (const row of rows) insert.run(row.map((v, i) => toSqlite(v, table.columns[i]!)))
      })
    },
    async finish() {
      // No trigger fills the full-text index on insert (migration 4 moved that into upsertPage).
      guard(() => db.exec(`INSERT INTO mentions_fts (mentions_fts) VALUES ('rebuild')`))
    },
    async count(table) {
      return guard(() => (db.prepare(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`).get() as { n: number }).n)
    },
    async commit() {
      guard(() => db.exec('COMMIT'))
    },
    async rollback() {
      if (db.inTransaction) guard(() => db.exec('ROLLBACK'))
    },
    async close() {
      try {
        if (db.inTransaction) db.exec('ROLLBACK')
      } finally {
        opened.close()
      }
    },
  }
}
