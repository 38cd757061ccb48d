// Per source instance and brand: where the next pull resumes, and how the last one went.
import type { Cursor, SourceState } from '../../model.js'
import type { CursorKey, CursorStatus, CursorsRepo } from '../types.js'
import { lazyPrepare, storeRunner, type Db } from './open.js'

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
  upstream_state: string | null
}

function toCursor(r: Row): Cursor {
  const c = JSON.parse(r.cursor) as Cursor
  if (r.etag) c.etag = r.etag
  if (r.last_modified) c.lastModified = r.last_modified
  return c
}

export function cursorsRepo(db: Db, file: string): CursorsRepo {
  const run = storeRunner(file)
  const get = lazyPrepare<[string, string, string], Row>(db, `SELECT * FROM cursors WHERE source = ? AND instance = ? AND brand = ?`)
  const save = lazyPrepare(db, `
    INSERT INTO cursors (source, instance, brand, cursor, etag, last_modified, last_ok_at, last_error, last_error_at)
    VALUES (@source, @instance, @brand, @cursor, @etag, @lastModified, @now, NULL, NULL)
    ON CONFLICT (source, instance, brand) DO UPDATE SET cursor = excluded.cursor, etag = excluded.etag,
      last_modified = excluded.last_modified, last_ok_at = excluded.last_ok_at, last_error = NULL, last_error_at = NULL`)
  const fail = lazyPrepare(db, `
    INSERT INTO cursors (source, instance, brand, last_error, last_error_at) VALUES (@source, @instance, @brand, @error, @now)
    ON CONFLICT (source, instance, brand) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at`)
  const all = lazyPrepare<[], Row>(db, `SELECT * FROM cursors ORDER BY source, instance, brand`)
  const upstream = lazyPrepare(db, `
    INSERT INTO cursors (source, instance, brand, upstream_state) VALUES (@source, @instance, @brand, @state)
    ON CONFLICT (source, instance, brand) DO UPDATE SET upstream_state = excluded.upstream_state`)

  return {
    get: (k) =>
      run(() => {
        const r = get.get(k.source, k.instance, k.brand)
        return r ? toCursor(r) : undefined
      }),
    save: (k, cursor, now) =>
      run(() => {
        const { etag, lastModified, ...rest } = cursor
        save.run({ ...k, cursor: JSON.stringify(rest), etag: etag ?? null, lastModified: lastModified ?? null, now })
      }),
    recordError: (k, error, now) => run(() => void fail.run({ ...k, error, now })),
    recordUpstream: (k, state) => run(() => void upstream.run({ ...k, state: JSON.stringify(state) })),
    all: () =>
      run(() =>
        all.all().map((r): CursorStatus => ({
          source: r.source,
          instance: r.instance,
          brand: r.brand,
          cursor: toCursor(r),
          upstream: r.upstream_state === null ? null : (JSON.parse(r.upstream_state) as SourceState),
          lastOkAt: r.last_ok_at,
          lastError: r.last_error,
          lastErrorAt: r.last_error_at,
        })),
      ),
  }
}

export type { CursorKey }
