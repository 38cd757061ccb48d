// The copy fixture itself: what the read repositories' equality tests stand on.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/store/index.js'
import { openPg } from '../../../src/store/postgres/open.js'
import { record } from '../contract.js'
import { copySqliteIntoPg } from '../../support/pg-from-sqlite.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../../support/pg.js'

describe.skipIf(pgSkip)('copySqliteIntoPg', () => {
  afterAll(dropPgDatabases)
  it('copies every row, booleans and JSON included', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fx-')), 'm.db')
    const store = openStore(file)
    await store.mentions.upsertPage([record({ isOwn: true }), record({ brands: ['Acme', 'Globex'], terms: ['acme', 'globex'] })])
    await store.triage.apply([1], { kind: 'assign', assignee: 'ana' }, 'me', Date.UTC(2026, 10, 22))
    await store.close()
    const pg = openPg(await freshPgUrl())
    try {
      const counts = await copySqliteIntoPg(file, pg)
      expect(counts.mentions).toBe(2)
      const rows = await pg.query<{ id: number; is_own: boolean; brands: string[] }>('SELECT id, is_own, brands FROM mentions ORDER BY id')
      expect(rows).toEqual([{ id: 1, is_own: true, brands: ['Acme'] }, { id: 2, is_own: false, brands: ['Acme', 'Globex'] }])
      expect((await pg.query('SELECT assignee FROM triage'))[0]).toEqual({ assignee: 'ana' })
      expect((await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM events'))[0]!.n).toBeGreaterThan(0)
      // The sequence follows the copied ids.
      const next = await pg.query<{ id: number }>("INSERT INTO runs (started_at, status) VALUES (1, 'ok') RETURNING id")
      expect(next[0]!.id).toBeGreaterThan(0)
      const m = await pg.query<{ id: number }>("INSERT INTO mentions (source, external_id, url, brands, terms, text, created_at, fetched_at, updated_at, sentiment_score, sentiment_label, intent, scorer_version) VALUES ('x','y','u','[]','[]','t',1,1,1,0,'neutral','other','v') RETURNING id")
      expect(m[0]!.id).toBe(3)
    } finally {
      await pg.pool.end()
    }
  })
})
