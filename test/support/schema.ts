// A database file at an older schema version, as a user upgrading from it has: the migrations up
// to `version` and nothing after, so a test can fill it, migrate, and compare before and after.
import Database from 'better-sqlite3'
import path from 'node:path'
import { APPLICATION_ID, MIGRATIONS, applyMigration } from '../../src/store/sqlite/migrations.js'

export function databaseAtVersion(dir: string, version: number, name = 'm.db'): { db: Database.Database; file: string } {
  const file = path.join(dir, name)
  const db = new Database(file)
  for (const m of MIGRATIONS.slice(0, version)) applyMigration(db, m)
  db.pragma(`application_id = ${APPLICATION_ID}`)
  db.pragma(`user_version = ${version}`)
  return { db, file }
}
