// Per source instance and brand on PostgreSQL: where the next pull resumes, and how the last
// one went. The cursor and the upstream state are jsonb; the validators keep columns of their own.
import type { Cursor, SourceState } from '../../model.js'
import type { CursorStatus, CursorsRepo } from '../types.js'
import type { Pg } from './open.js'

interface Row {
  source: string
  instance: string
  brand: string
  cursor: Cursor
  etag: string | null
  last_modified: string | null
  last_ok_at: number | null
  last_error: string | null
  last_error_at: number | null
  upstream_state: SourceState | null
}

function toCursor(r: Row): Cursor {
  const c: Cursor = { ...r.cursor }
  if (r.etag) c.etag = r.etag
  if (r.last_modified) c.lastModified = r.last_modified
  return c
}

export function cursorsRepo(pg: Pg): CursorsRepo {
  return {
    async get(k) {
      const [r] = await pg.query<Row>(`SELECT * FROM cursors WHERE source = $1 AND instance = $2 AND brand = $3`, [k.source, k.instance, k.brand])
      return r ? toCursor(r) : undefined
    },
    async save(k, cursor, now) {
      const { etag, lastModified, ...rest } = cursor
      await pg.query(
        `INSERT INTO cursors (source, instance, brand, cursor, etag, last_modified, last_ok_at, last_error, last_error_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, NULL, NULL)
         ON CONFLICT (source, instance, brand) DO UPDATE SET cursor = excluded.cursor, etag = excluded.etag,
           last_modified = excluded.last_modified, last_ok_at = excluded.last_ok_at, last_error = NULL, last_error_at = NULL`,
        [k.source, k.instance, k.brand, JSON.stringify(rest), etag ?? null, lastModified ?? null, now],
      )
    },
    async recordError(k, error, now) {
      await pg.query(
        `INSERT INTO cursors (source, instance, brand, last_error, last_error_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source, instance, brand) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`,
        [k.source, k.instance, k.brand, error, now],
      )
    },
    async recordUpstream(k, state) {
      await pg.query(
        `INSERT INTO cursors (source, instance, brand, upstream_state) VALUES ($1, $2, $3, $4::jsonb)
         ON CONFLICT (source, instance, brand) DO UPDATE SET upstream_state = excluded.upstream_state`,
        [k.source, k.instance, k.brand, JSON.stringify(state)],
      )
    },
    async all() {
      // COLLATE "C": byte order, as SQLite's BINARY sorts, whatever the database's locale.
      const rows = await pg.query<Row>(`SELECT * FROM cursors ORDER BY source COLLATE "C", instance COLLATE "C", brand COLLATE "C"`)
      return rows.map((r): CursorStatus => ({
        source: r.source,
        instance: r.instance,
        brand: r.brand,
        cursor: toCursor(r),
        upstream: r.upstream_state,
        lastOkAt: r.last_ok_at,
        lastError: r.last_error,
        lastErrorAt: r.last_error_at,
      }))
    },
  }
}
