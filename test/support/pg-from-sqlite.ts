// Test data for the PostgreSQL read repositories: build it with the SQLite engine (the one whose
// results are the reference), then copy every table into a migrated PostgreSQL database, so
// both engines answer the same questions over the same rows.
import Database from 'better-sqlite3'
import type { Pg } from '../../src/store/postgres/open.js'

interface PgColumn {
  column_name: string
  data_type: string
  is_generated: string
}

// The hourly counts are the target's own: its triggers count the brand rows as they arrive.
const SKIP = /^(sqlite_|mentions_fts)|^(locks|mention_hours)$/

/** Copies every data table of a SQLite file into the (migrated, empty) PostgreSQL database. */
export async function copySqliteIntoPg(file: string, pg: Pg): Promise<Record<string, number>> {
  const db = new Database(file, { readonly: true })
  const counts: Record<string, number> = {}
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[])
      .map((t) => t.name)
      .filter((t) => !SKIP.test(t))
    // Parents before children: the foreign keys point at mentions.
    tables.sort((a, b) => (a === 'mentions' ? -1 : b === 'mentions' ? 1 : a.localeCompare(b)))
    await pg.tx(async (c) => {
      for (const table of tables) {
        const cols = await c.query<PgColumn>(
          "SELECT column_name, data_type, is_generated FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
          [table],
        )
        if (!cols.length) continue
        const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((r) => r.name))
        const use = cols.filter((col) => col.is_generated !== 'ALWAYS' && have.has(col.column_name))
        const rows = db.prepare(`SELECT ${use.map((u) => `"${u.column_name}"`).join(', ')} FROM ${table}`).raw().all() as unknown[][]
        counts[table] = rows.length
        const perRow = use.length
        const batch = Math.max(1, Math.floor(30_000 / perRow))
        for (let i = 0; i < rows.length; i += batch) {
          const slice = rows.slice(i, i + batch)
          const params: unknown[] = []
          const tuples = slice.map((row) => {
            const ph = use.map((col, j) => {
              const v = row[j]
              params.push(col.data_type === 'boolean' ? (v === null ? null : Boolean(v)) : v)
              return col.data_type === 'jsonb' ? `$${params.length}::jsonb` : `$${params.length}`
            })
            return `(${ph.join(', ')})`
          })
          await c.query(`INSERT INTO ${table} (${use.map((u) => `"${u.column_name}"`).join(', ')}) VALUES ${tuples.join(', ')}`, params)
        }
        if (use.some((u) => u.column_name === 'id')) {
          await c.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), coalesce((SELECT max(id) FROM ${table}), 0) + 1, false)`)
        }
      }
    })
  } finally {
    db.close()
  }
  return counts
}
