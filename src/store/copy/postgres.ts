// The PostgreSQL side of `mentions db copy`: a reader on one connection in a REPEATABLE READ
// snapshot (every page and the final counts see the same data while pulls go on), and a
// writer that inserts on one connection inside one transaction, then moves the identity
// sequences past the copied ids so the next insert does not collide with them.
import type pg from 'pg'
import { openPg, type Pg } from '../postgres/open.js'
import { fromPostgres, toPostgres } from './convert.js'
import { COPY_TABLES, keyIndexes, quoteIdent } from './tables.js'
import type { CopyReader, CopyRow, CopyWriter, TableSpec } from './types.js'

const columnList = (t: TableSpec) => t.columns.map((c) => quoteIdent(c.name)).join(', ')
const keyList = (t: TableSpec) => t.key.map(quoteIdent).join(', ')

/** One connection of the pool, its errors mapped to StoreErrors that never carry the password. */
interface Session {
  pg: Pg
  client: pg.PoolClient
  arrays(sql: string, params?: readonly unknown[]): Promise<unknown[][]>
  exec(sql: string, params?: readonly unknown[]): Promise<void>
  count(table: TableSpec): Promise<number>
  close(): Promise<void>
}

async function session(url: string, readOnly: boolean): Promise<Session> {
  const db = openPg(url, { readOnly, max: 1 })
  let client: pg.PoolClient
  try {
    client = await db.session()
  } catch (err) {
    await db.pool.end().catch(() => undefined)
    throw err
  }
  const run = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work()
    } catch (err) {
      throw db.failure(err)
    }
  }
  return {
    pg: db,
    client,
    arrays: (sql, params) => run(async () => (await client.query<unknown[]>({ text: sql, values: params ? [...params] : [], rowMode: 'array' })).rows),
    exec: (sql, params) => run(async () => void (await client.query(sql, params ? [...params] : undefined))),
    count: (table) => run(async () => Number((await client.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(table.name)}`)).rows[0]?.n ?? 0)),
    async close() {
      // A connection left inside a transaction must not go back to a pool: end it with the pool.
      await client.query('ROLLBACK').catch(() => undefined)
      client.release()
      await db.pool.end().catch(() => undefined)
    },
  }
}

export async function postgresReader(url: string): Promise<CopyReader> {
  const s = await session(url, true)
  try {
    await s.exec('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
  } catch (err) {
    await s.close()
    throw err
  }
  return {
    location: s.pg.location,
    async *rows(table, chunk) {
      const keys = keyIndexes(table)
      const marks = table.key.map((_, i) => `$${i + 1}`).join(', ')
      const first = `SELECT ${columnList(table)} FROM ${quoteIdent(table.name)} ORDER BY ${keyList(table)} LIMIT $1`
      const next = `SELECT ${columnList(table)} FROM ${quoteIdent(table.name)} WHERE (${keyList(table)}) > (${marks}) ORDER BY ${keyList(table)} LIMIT $${table.key.length + 1}`
      let after: unknown[] | undefined
      for (;;) {
        const raw = after ? await s.arrays(next, [...after, chunk]) : await s.arrays(first, [chunk])
        if (!raw.length) return
        const last = raw[raw.length - 1]!
        after = keys.map((i) => last[i])
        yield raw.map((r) => table.columns.map((c, i) => fromPostgres(r[i], c)))
        if (raw.length < chunk) return
      }
    },
    count: (table) => s.count(table),
    close: () => s.close(),
  }
}

/** Parameters per statement stay far below PostgreSQL's limit of 65535. */
const MAX_PARAMS = 30_000

export async function postgresWriter(url: string): Promise<CopyWriter> {
  // Opening runs the target's own migrations (under their advisory lock) before the first statement.
  const s = await session(url, false)
  return {
    location: s.pg.location,
    async begin() {
      await s.exec('BEGIN')
    },
    async write(table, rows: readonly CopyRow[]) {
      const width = table.columns.length
      const per = Math.max(1, Math.floor(MAX_PARAMS / width))
      for (let start = 0; start < rows.length; start += per) {
        const part = rows.slice(start, start + per)
        const params: unknown[] = []
        const tuples = part.map((row) => {
          const marks = table.columns.map((c, i) => {
            params.push(toPostgres(row[i] ?? null, c))
            return c.kind === 'json' ? `$${params.length}::jsonb` : `$${params.length}`
          })
          return `(${marks.join(', ')})`
        })
        await s.exec(`INSERT INTO ${quoteIdent(table.name)} (${columnList(table)}) VALUES ${tuples.join(', ')}`, params)
      }
    },
    async finish() {
      for (const t of COPY_TABLES) {
        if (!t.serial) continue
        const col = quoteIdent(t.serial)
        // Empty: the next id is 1 (is_called false); otherwise the one after the largest copied.
        await s.exec(
          `SELECT setval(pg_get_serial_sequence($1, $2), coalesce(max(${col}), 1), max(${col}) IS NOT NULL) FROM ${quoteIdent(t.name)}`,
          [t.name, t.serial],
        )
      }
    },
    count: (table) => s.count(table),
    commit: () => s.exec('COMMIT'),
    rollback: () => s.exec('ROLLBACK'),
    close: () => s.close(),
  }
}
