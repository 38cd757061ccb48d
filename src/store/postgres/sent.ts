// What `mentions alert` already sent (send-once memory), and the database's own health for
// `mentions doctor`, on PostgreSQL.
import type { DatabaseHealth, HealthRepo, SentRepo } from '../types.js'
import { PG_MIGRATIONS } from './migrations.js'
import type { Pg } from './open.js'

export function sentRepo(pg: Pg): SentRepo {
  return {
    async wasSent(channel, kind, keys) {
      if (keys.length === 0) return new Set()
      const rows = await pg.query<{ key: string }>(`SELECT key FROM sent WHERE channel = $1 AND kind = $2 AND key = ANY($3::text[])`, [channel, kind, [...keys]])
      return new Set(rows.map((r) => r.key))
    },
    async record(channel, kind, keys, now) {
      if (keys.length === 0) return
      await pg.query(
        `INSERT INTO sent (channel, kind, key, sent_at) SELECT $1, $2, k, $4 FROM unnest($3::text[]) AS k ON CONFLICT DO NOTHING`,
        [channel, kind, [...keys], now],
      )
    },
  }
}

/** Every table the migrations create: a missing one is a database someone else changed. */
const TABLES = [...new Set(PG_MIGRATIONS.flatMap((m) => [...m.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g)].map((x) => x[1] as string)))]

export function healthRepo(pg: Pg): HealthRepo {
  return {
    async check(opts = {}) {
      const problems: string[] = []
      const present = new Set(
        (await pg.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c WHERE c.relkind IN ('r', 'p') AND c.relnamespace = current_schema()::regnamespace`)).map((r) => r.name),
      )
      for (const t of TABLES) if (!present.has(t)) problems.push(`table ${t} is missing`)
      // An index left invalid (a failed concurrent build) answers no query and slows writes.
      if (!opts.quick) {
        const invalid = await pg.query<{ name: string }>(
          `SELECT i.indexrelid::regclass::text AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
           WHERE c.relnamespace = current_schema()::regnamespace AND NOT (i.indisvalid AND i.indisready) ORDER BY 1`,
        )
        for (const r of invalid) problems.push(`index ${r.name} is invalid; rebuild it with REINDEX INDEX ${r.name}`)
      }
      const [v] = await pg.query<{ v: number | null }>(`SELECT max(version) AS v FROM schema_migrations`)
      const health: DatabaseHealth = { problems, schemaVersion: v?.v ?? 0, knownVersion: PG_MIGRATIONS.length, journalMode: 'postgresql' }
      return health
    },
  }
}
