// Per source instance and brand: where the next pull resumes, and how the last one went.
import type { Cursor } from '../model.js'
import type { Db } from './open.js'

export interface CursorKey {
  source: string
  instance: string
  /** '' for feed-scoped sources. */
  brand: string
}

export interface CursorStatus extends CursorKey {
  cursor: Cursor
  lastOkAt: number | null
  lastError: string | null
  lastErrorAt: number | null
}

interface Row {
  source: string
  instance: string
  brand: string
  cursor: string
  etag: string | null
  last_modified: string | null
  last_ok_at: number | null
  last_error: string | null
  last_error_at: number | null
}

function toCursor(r: Row): Cursor {
  const c = JSON.parse(r.cursor) as Cursor
  if (r.etag) c.etag = r.etag
  if (r.last_modified) c.lastModified = r.last_modified
  return c
}

export function cursorsRepo(db: Db) {
  const get = db.prepare<[string, string, string], Row>(
    `SELECT * FROM cursors WHERE source = ? AND instance = ? AND brand = ?`,
  )
  const save = db.prepare(`
    INSERT INTO cursors (source, instance, brand, cursor, etag, last_modified, last_ok_at, last_error, last_error_at)
    VALUES (@source, @instance, @brand, @cursor, @etag, @lastModified, @now, NULL, NULL)
    ON CONFLICT (source, instance, brand) DO UPDATE SET cursor = excluded.cursor, etag = excluded.etag,
      last_modified = excluded.last_modified, last_ok_at = excluded.last_ok_at, last_error = NULL, last_error_at = NULL`)
  const fail = db.prepare(`
    INSERT INTO cursors (source, instance, brand, last_error, last_error_at) VALUES (@source, @instance, @brand, @error, @now)
    ON CONFLICT (source, instance, brand) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`)

  return {
    get(k: CursorKey): Cursor | undefined {
      const r = get.get(k.source, k.instance, k.brand)
      return r ? toCursor(r) : undefined
    },
    /** Moves the cursor; only called once everything it covers is stored. */
    save(k: CursorKey, cursor: Cursor, now: number): void {
      const { etag, lastModified, ...rest } = cursor
      save.run({ ...k, cursor: JSON.stringify(rest), etag: etag ?? null, lastModified: lastModified ?? null, now })
    },
    /** Records a failure; the cursor itself stays where it was. */
    recordError(k: CursorKey, error: string, now: number): void {
      fail.run({ ...k, error, now })
    },
    all(): CursorStatus[] {
      return (db.prepare(`SELECT * FROM cursors ORDER BY source, instance, brand`).all() as Row[]).map((r) => ({
        source: r.source,
        instance: r.instance,
        brand: r.brand,
        cursor: toCursor(r),
        lastOkAt: r.last_ok_at,
        lastError: r.last_error,
        lastErrorAt: r.last_error_at,
      }))
    },
  }
}

export type CursorsRepo = ReturnType<typeof cursorsRepo>
