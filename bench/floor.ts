// The floor every ingest figure is measured against: raw better-sqlite3 storing the same
// generated rows in a plain table, one unique index, 10k rows per transaction, no enrichment.
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { generateRows } from './generate.js'

/** The raw floor: better-sqlite3, one unique index, 10k rows per transaction, the same rows. */
export function floorIngest(n: number, file: string): { perSec: number; cpuPerSec: number; bytes: number } {
  fs.rmSync(file, { force: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.exec(`CREATE TABLE mentions (id INTEGER PRIMARY KEY, source TEXT NOT NULL, external_id TEXT NOT NULL, url TEXT, title TEXT, text TEXT,
    author TEXT, created_at INTEGER, likes INTEGER, reposts INTEGER, replies INTEGER, parent TEXT, rating INTEGER, lang TEXT)`)
  db.exec('CREATE UNIQUE INDEX mentions_key ON mentions (source, external_id)')
  const insert = db.prepare(`INSERT INTO mentions (source, external_id, url, title, text, author, created_at, likes, reposts, replies, parent, rating, lang)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
  const tx = db.transaction((rows: unknown[][]) => {
    for (const r of rows) insert.run(...r)
  })
  let ms = 0
  let cpu = 0
  let batch: unknown[][] = []
  const flush = () => {
    const t = process.hrtime.bigint()
    const c = process.cpuUsage()
    tx(batch)
    const u = process.cpuUsage(c)
    cpu += (u.user + u.system) / 1000
    ms += Number(process.hrtime.bigint() - t) / 1e6
    batch = []
  }
  for (const r of generateRows(n)) {
    batch.push([r.source, r.externalId, r.url, r.title ?? null, r.text, r.author, Date.parse(r.createdAt), r.likes ?? null, r.reposts ?? null, r.replies ?? null, r.inReplyTo ?? null, r.rating ?? null, r.lang ?? null])
    if (batch.length === 10_000) flush()
  }
  if (batch.length) flush()
  db.pragma('wal_checkpoint(TRUNCATE)')
  db.close()
  return { perSec: (n / ms) * 1000, cpuPerSec: (n / cpu) * 1000, bytes: fs.statSync(file).size }
}
