import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { migrate } from './migrations.js'

export type Db = Database.Database

/** Opens (creating if needed) the database file, in WAL mode with a busy timeout, migrated. */
export function openDatabase(file: string, opts: { busyTimeoutMs?: number } = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true })
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`)
  db.pragma('foreign_keys = ON')
  // WAL + NORMAL is durable across application crashes; only an OS crash may lose the last commit.
  db.pragma('synchronous = NORMAL')
  migrate(db)
  return db
}
