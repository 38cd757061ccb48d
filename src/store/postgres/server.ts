// What `mentions doctor` asks of a PostgreSQL server: its version, how far the schema is
// migrated, the round-trip latency, and what this role may do. Straight on the pool, never
// through the store's schema preparation: a check must not migrate, and must work before the
// schema (or the rest of the engine) exists.
import { PG_MIGRATIONS } from './migrations.js'
import { openPg, schemaVersion } from './open.js'

/** The oldest major version the schema and its queries are written for. */
export const MIN_SERVER_VERSION = 13
const LATENCY_SAMPLES = 5

export interface PgServerFacts {
  /** host:port/database, never the password. */
  location: string
  /** e.g. "16.4"; the major version is `versionNum / 10000`. */
  version: string
  versionNum: number
  schema: { version: number; known: number }
  /** Median of a few `SELECT 1` round trips, in ms. */
  latencyMs: number
  /** What this role lacks, each as the GRANT that gives it ("SELECT, INSERT ON mentions"). */
  missing: PgPrivilegeGap[]
  /** Whether the role may create tables in the schema (what a pending migration needs). */
  canCreate: boolean
  schemaName: string
  /** The role the URL logs in as. */
  role: string
}

export interface PgPrivilegeGap {
  kind: 'table' | 'sequence' | 'schema'
  name: string
  privileges: string[]
}

const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const

export async function inspectPgServer(url: string, clock: () => number = () => performance.now()): Promise<PgServerFacts> {
  const db = openPg(url, { readOnly: true, max: 1 })
  try {
    const c = await db.pool.connect()
    try {
      const v = await c.query<{ server_version: string; num: string }>(`SELECT current_setting('server_version') AS server_version, current_setting('server_version_num') AS num`)
      const version = v.rows[0]?.server_version ?? '?'
      const versionNum = Number(v.rows[0]?.num ?? 0)
      const have = await schemaVersion(c)

      const times: number[] = []
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const start = clock()
        await c.query('SELECT 1')
        times.push(clock() - start)
      }
      times.sort((a, b) => a - b)
      const latencyMs = times[Math.floor(times.length / 2)]!

      const missing: PgPrivilegeGap[] = []
      const schema = await c.query<{ role: string; name: string; usage: boolean; create: boolean }>(
        `SELECT current_user AS role, current_schema() AS name, has_schema_privilege(current_schema(), 'USAGE') AS usage, has_schema_privilege(current_schema(), 'CREATE') AS create`,
      )
      const s = schema.rows[0] ?? { role: '?', name: 'public', usage: false, create: false }
      if (!s.usage) missing.push({ kind: 'schema', name: s.name, privileges: ['USAGE'] })
      const tables = await c.query<{ name: string; s: boolean; i: boolean; u: boolean; d: boolean }>(
        `SELECT c.relname AS name, has_table_privilege(c.oid, 'SELECT') AS s, has_table_privilege(c.oid, 'INSERT') AS i,
                has_table_privilege(c.oid, 'UPDATE') AS u, has_table_privilege(c.oid, 'DELETE') AS d
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
      )
      for (const t of tables.rows) {
        const lacks = TABLE_PRIVILEGES.filter((_, i) => ![t.s, t.i, t.u, t.d][i])
        if (lacks.length) missing.push({ kind: 'table', name: t.name, privileges: [...lacks] })
      }
      const sequences = await c.query<{ name: string; usage: boolean }>(
        `SELECT c.relname AS name, has_sequence_privilege(c.oid, 'USAGE') AS usage
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = current_schema() AND c.relkind = 'S' ORDER BY c.relname`,
      )
      for (const q of sequences.rows) if (!q.usage) missing.push({ kind: 'sequence', name: q.name, privileges: ['USAGE'] })

      return { location: db.location, version, versionNum, schema: { version: have, known: PG_MIGRATIONS.length }, latencyMs, missing, canCreate: s.create, schemaName: s.name, role: s.role }
    } finally {
      c.release()
    }
  } catch (err) {
    throw db.failure(err)
  } finally {
    await db.pool.end().catch(() => undefined)
  }
}
