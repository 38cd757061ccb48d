// The floor every ingest figure is measured against: raw better-sqlite3 storing the same
// generated rows in a plain table, one unique index, 10k rows per transaction, no enrichment.
import fs from 'node:fs'
import Database from 'better-sqlite3'
import { deferredByBulkLoad } from '../src/store/sqlite/mentions.js'
import { MENTION_HOURS_REBUILD } from '../src/store/sqlite/migrations.js'
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

/**
 * The floor under an export: raw better-sqlite3 reading the columns a CSV row shows, in the
 * export's order and 1,000-row keyset chunks, into arrays, with no formatting at all. The
 * values have to cross from SQLite into JavaScript whatever writes them; this is that cost.
 */
export function floorRead(file: string, rounds = 3): { perSec: number; cpuPerSec: number } {
  const db = new Database(file, { readonly: true })
  const cols = `m.id, m.created_at, m.source, m.source_name, m.external_id, m.url, m.brands, m.terms, m.author_handle, m.author_name,
    m.author_reach, m.title, m.text, m.lang, m.fetched_at, m.parent_external_id, m.thread_external_id, m.likes, m.reposts, m.replies,
    m.score, m.rating, m.is_own, m.competitor, m.sentiment_score, m.sentiment_label, m.intent, m.boost, t.state, t.assignee, t.snoozed_until`
  const from = 'FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id'
  const first = db.prepare(`SELECT ${cols} ${from} ORDER BY m.created_at DESC, m.id DESC LIMIT 1000`).raw()
  const next = db.prepare(`SELECT ${cols} ${from} WHERE (m.created_at, m.id) < (?, ?) ORDER BY m.created_at DESC, m.id DESC LIMIT 1000`).raw()
  const walls: number[] = []
  const cpus: number[] = []
  let n = 0
  for (let r = 0; r < rounds; r++) {
    const t = process.hrtime.bigint()
    const c = process.cpuUsage()
    n = 0
    let last: unknown[] | undefined
    for (;;) {
      const rows = (last ? next.all(last[1], last[0]) : first.all()) as unknown[][]
      n += rows.length
      if (rows.length < 1000) break
      last = rows[rows.length - 1]
    }
    const u = process.cpuUsage(c)
    cpus.push((u.user + u.system) / 1000)
    walls.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  db.close()
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
  return { perSec: (n / median(walls)) * 1000, cpuPerSec: (n / median(cpus)) * 1000 }
}

/**
 * What the store's own schema costs before any of the pipeline's work: the rows a built
 * database holds, inserted by raw better-sqlite3 into a fresh file with that database's
 * tables, indexes and full-text index, 10k rows per transaction, brands rows included. The
 * gap between this and floorIngest is the schema's (wider rows, nine indexes, FTS); the gap
 * between the ingest and this is the pipeline's.
 */
export function floorSchemaIngest(built: string, file: string, opts: { bulk?: boolean } = {}): { perSec: number; cpuPerSec: number; rows: number } {
  for (const s of ['', '-wal', '-shm']) fs.rmSync(file + s, { force: true })
  const src = new Database(built, { readonly: true })
  const schema = src
    .prepare<[], { type: string; name: string; sql: string }>(
      `SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'mentions_fts_%'
       ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END`,
    )
    .all()
  const cols = `source, source_name, external_id, url, canonical_url, url_key, brands, terms, author_handle, author_name, author_reach, title, text,
    lang, created_at, fetched_at, updated_at, parent_external_id, thread_external_id, likes, reposts, replies, score, rating, is_own, competitor,
    answerable, sentiment_score, sentiment_label, intent, priority, boost, scorer_version`
  const rows = src.prepare(`SELECT ${cols} FROM mentions ORDER BY id`).raw().all() as unknown[][]
  src.close()
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  // bulk: as mentions.bulkLoad does into an empty file, what deferredByBulkLoad names built after the rows,
  // with its page cache, and one transaction.
  const later = opts.bulk ? schema.filter(deferredByBulkLoad) : []
  if (opts.bulk) db.pragma('cache_size = -32768')
  for (const s of schema) if (!later.includes(s)) db.exec(s.sql)
  const width = rows[0]?.length ?? 0
  const insert = db.prepare(`INSERT INTO mentions (${cols}) VALUES (${Array.from({ length: width }, () => '?').join(', ')})`)
  // The full-text rows of a batch in one statement and the brands after them, as upsertPage
  // writes a page: FTS5 writes its pending terms out whenever a statement opens a savepoint (one
  // that fires a trigger does, as a brand row's hourly count does), so full-text rows written
  // one by one between brand rows became one tiny segment each, a cost the store never pays.
  const fts = db.prepare('INSERT INTO mentions_fts (rowid, title, text) SELECT id, title, text FROM mentions WHERE id BETWEEN ? AND ?')
  const brand = db.prepare('INSERT OR IGNORE INTO mention_brands (brand, mention_id) VALUES (?, ?)')
  const tx = db.transaction((batch: unknown[][]) => {
    const ids = batch.map((r) => insert.run(r).lastInsertRowid)
    fts.run(ids[0], ids[ids.length - 1])
    batch.forEach((r, i) => {
      for (const b of JSON.parse(r[6] as string) as string[]) brand.run(b, ids[i])
    })
  })
  const t = process.hrtime.bigint()
  const c = process.cpuUsage()
  if (opts.bulk) db.exec('BEGIN')
  for (let i = 0; i < rows.length; i += 10_000) tx(rows.slice(i, i + 10_000))
  // As emptyLoad does: the hourly counts counted once, then their triggers back.
  if (opts.bulk) db.exec(MENTION_HOURS_REBUILD)
  for (const s of later) db.exec(s.sql)
  if (opts.bulk) db.exec('COMMIT')
  const u = process.cpuUsage(c)
  const ms = Number(process.hrtime.bigint() - t) / 1e6
  db.close()
  for (const s of ['', '-wal', '-shm']) fs.rmSync(file + s, { force: true })
  return { perSec: (rows.length / ms) * 1000, cpuPerSec: (rows.length / ((u.user + u.system) / 1000)) * 1000, rows: rows.length }
}
