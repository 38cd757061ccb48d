// `db copy` against a real SQLite file and a real PostgreSQL server: SQLite → PostgreSQL →
// SQLite gives back every row of every table; the table list matches both schemas; a target
// with rows is refused; a target that loses rows on the way is rolled back.
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyDatabase } from '../../src/app/db-copy.js'
import { StoreError, UsageError } from '../../src/errors.js'
import { openStore } from '../../src/store/index.js'
import { postgresReader } from '../../src/store/copy/postgres.js'
import { sqliteReader } from '../../src/store/copy/sqlite.js'
import { COPY_TABLES } from '../../src/store/copy/tables.js'
import type { CopyReader, CopyRow, TableSpec } from '../../src/store/copy/types.js'
import { openPg } from '../../src/store/postgres/open.js'
import { record } from '../store/contract.js'
import { tempDir } from '../support/deps.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../support/pg.js'

const T0 = Date.UTC(2026, 10, 21, 9)

/** A history that puts at least one row in every copied table, with the awkward values too. */
async function buildHistory(file: string): Promise<void> {
  const store = openStore(file)
  try {
    await store.mentions.upsertPage([
      record({ externalId: 'a', title: 'Zebra outage', text: 'acme zebracorn is down «again» 🦓', rating: 2.5, priority: 12.75, canonicalUrl: 'https://example.com/post/1', author: { handle: 'ann', name: 'Ann', reach: 1234 }, metrics: { likes: 3, score: 9 }, routing: { assignee: 'bob', tags: ['urgent', 'billing'], boost: 10, hits: [{ rule: 'vip', assign: 'bob', tags: ['urgent'] }] } }),
      record({ externalId: 'b', text: 'acme is fine', sentimentLabel: 'positive', intent: 'praise', isOwn: true, answerable: false, competitor: false }),
      record({ externalId: 'c', text: 'rival acme mention', competitor: true, brands: ['Rival', 'Acme'], terms: ['acme', 'rival'], sourceName: 'feed "one"' }),
    ])
    // The same post under another source: one mention, one sighting.
    await store.mentions.upsertPage([record({ source: 'reddit', externalId: 'r1', canonicalUrl: 'https://example.com/post/1', text: 'acme zebracorn is down «again» 🦓' })])
    // A brand reply found in a thread.
    await store.mentions.upsertPage([record({ externalId: 'reply-1', parentExternalId: 'a', isOwn: true, author: { handle: 'acme' }, text: 'acme here: sorry, on it' })])
    const ids = (await store.mentions.queue({ queue: 'all', limit: 50 } as never)).map((m) => m.id)
    expect(ids.length).toBeGreaterThan(0)
    await store.triage.apply([ids[0]!], { kind: 'snooze', until: T0 + 86_400_000 }, 'carol', T0)
    await store.triage.apply([ids[0]!], { kind: 'note', text: 'called them; {"json": "in a note"}' }, 'carol', T0 + 1)
    await store.triage.apply(ids.slice(1, 2), { kind: 'answered', url: 'https://example.com/answer' }, 'dan', T0 + 2)
    await store.cursors.save({ source: 'hackernews', instance: 'default', brand: 'Acme' }, { at: T0, oldest: T0 - 1000, id: '42', gap: { from: 1, to: 2 } }, T0)
    await store.cursors.recordError({ source: 'hackernews', instance: 'default', brand: 'Acme' }, 'HTTP 503', T0 + 5)
    await store.cursors.recordUpstream({ source: 'hackernews', instance: 'default', brand: 'Acme' }, { remaining: 10, limit: 100, note: 'ok' })
    await store.cursors.save({ source: 'rss', instance: 'feed', brand: '' }, {}, T0)
    const run = await store.runs.start(T0)
    await store.runs.finish(run, 'partial', [{ source: 'hackernews', instance: 'default', brand: 'Acme', fetched: 5, new: 3, updated: 1, dropped: 1, byBrand: { Acme: { new: 3, updated: 1 } } } as never], T0 + 10)
    await store.runs.recordHealth({ source: 'hackernews', instance: 'default', brand: 'Acme' }, 0, T0)
    await store.usage.add('x', 'default', 'reads:2026-11-21', 7, T0)
    await store.sent.record('chan1', 'mention', ['1', '2'], T0)
    await store.digests.record({ name: 'daily', start: T0 - 86_400_000, end: T0, recordedAt: T0 })
    await store.backoff.set({ source: 'x', instance: 'default', host: 'api.x.com', until: T0 + 3600_000, reason: '429 Too Many Requests' }, T0)
  } finally {
    await store.close()
  }
}

async function all(reader: CopyReader, t: TableSpec, chunk = 2): Promise<CopyRow[]> {
  const out: CopyRow[] = []
  for await (const page of reader.rows(t, chunk)) out.push(...page)
  return out
}

/** Every table straight from the file, in key order, JSON parsed: independent of the copy's own reader. */
function dumpSqlite(file: string): Record<string, unknown[][]> {
  const db = new Database(file, { readonly: true })
  try {
    const out: Record<string, unknown[][]> = {}
    for (const t of COPY_TABLES) {
      const rows = db.prepare(`SELECT ${t.columns.map((c) => `"${c.name}"`).join(', ')} FROM "${t.name}" ORDER BY ${t.key.map((k) => `"${k}"`).join(', ')}`).raw(true).all() as unknown[][]
      // jsonb gives object keys back in its own order: a round trip keeps the values, so JSON compares parsed.
      out[t.name] = rows.map((r) => r.map((v, i) => (t.columns[i]!.kind === 'json' && typeof v === 'string' ? JSON.parse(v) : v)))
    }
    return out
  } finally {
    db.close()
  }
}

let dir: string
beforeAll(() => {
  dir = tempDir('mentions-db-copy-')
})
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true })
  if (!pgSkip) await dropPgDatabases()
})

describe('db copy: the table list', () => {
  it('names every data table and column of the SQLite schema, no more', () => {
    const file = path.join(dir, 'schema.db')
    openStore(file).close()
    const db = new Database(file, { readonly: true })
    try {
      const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'mentions_fts%' AND name NOT IN ('locks', 'mention_hours') ORDER BY name`).all() as { name: string }[]).map((r) => r.name)
      expect(tables).toEqual(COPY_TABLES.map((t) => t.name).sort())
      for (const t of COPY_TABLES) {
        const cols = (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(t.name) as { name: string }[]).map((r) => r.name)
        expect(t.columns.map((c) => c.name).sort(), t.name).toEqual(cols.sort())
      }
    } finally {
      db.close()
    }
  })

  it.skipIf(pgSkip)('names every data table and column of the PostgreSQL schema with its type, no more', async () => {
    const url = await freshPgUrl()
    const p = openPg(url)
    try {
      const tables = (await p.query<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name NOT IN ('locks', 'schema_migrations', 'mention_hours') ORDER BY 1`)).map((r) => r.name)
      expect(tables).toEqual(COPY_TABLES.map((t) => t.name).sort())
      const types: Record<string, readonly string[]> = { int: ['bigint', 'integer'], real: ['double precision'], text: ['text'], bool: ['boolean'], json: ['jsonb'] }
      for (const t of COPY_TABLES) {
        const cols = await p.query<{ name: string; type: string }>(`SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER'`, [t.name])
        expect(t.columns.map((c) => c.name).sort(), t.name).toEqual(cols.map((c) => c.name).sort())
        for (const c of t.columns) expect(types[c.kind], `${t.name}.${c.name}`).toContain(cols.find((x) => x.name === c.name)!.type)
      }
    } finally {
      await p.pool.end()
    }
  })
})

describe('db copy: SQLite to SQLite', () => {
  it('copies every table and rebuilds the full-text index', async () => {
    const from = path.join(dir, 'ss-from.db')
    const to = path.join(dir, 'ss-to.db')
    await buildHistory(from)
    const r = await copyDatabase({ from, to, chunk: 2 })
    expect(r.tables.every((t) => t.source === t.target && t.source > 0)).toBe(true)
    expect(dumpSqlite(to)).toEqual(dumpSqlite(from))
    const db = new Database(to, { readonly: true })
    try {
      expect(db.prepare(`SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH 'zebracorn'`).all()).toHaveLength(1)
    } finally {
      db.close()
    }
  })

  it('removes a file it created when the copy fails half-way', async () => {
    const from = path.join(dir, 'ss-from.db')
    const to = path.join(dir, 'half.db')
    // mentions goes across, then reading the next table fails (a column neither side has).
    const broken = { ...COPY_TABLES[1]!, columns: [...COPY_TABLES[1]!.columns, { name: 'no_such_column', kind: 'text' as const }] }
    const seen: string[] = []
    await expect(copyDatabase({ from, to, tables: [COPY_TABLES[0]!, broken], onTable: (t) => seen.push(t) })).rejects.toThrow(/no_such_column/)
    expect(seen).toEqual(['mentions'])
    expect(fs.existsSync(to)).toBe(false)
    expect(fs.existsSync(`${to}-wal`)).toBe(false)
  })

  it('refuses the same file on both sides and a source that does not exist, creating nothing', async () => {
    const from = path.join(dir, 'ss-from.db')
    await expect(copyDatabase({ from, to: from })).rejects.toThrow(UsageError)
    const to = path.join(dir, 'never.db')
    await expect(copyDatabase({ from: path.join(dir, 'missing.db'), to })).rejects.toThrow(/no database at/)
    expect(fs.existsSync(to)).toBe(false)
  })
})

describe.skipIf(pgSkip)('db copy: SQLite → PostgreSQL → SQLite', () => {
  const from = () => path.join(dir, 'rt-from.db')
  const back = () => path.join(dir, 'rt-back.db')
  let url: string

  beforeAll(async () => {
    await buildHistory(from())
    url = await freshPgUrl()
  })

  it('gives back every row of every table, and PostgreSQL holds the same rows meanwhile', async () => {
    const there = await copyDatabase({ from: from(), to: url, chunk: 2 })
    expect(there.to).not.toContain('secret')
    for (const t of there.tables) expect(t.source, t.table).toBeGreaterThan(0)
    expect(there.tables.every((t) => t.source === t.target)).toBe(true)

    // Row by row in the neutral form: flags as booleans, JSON as values, NULLs as null.
    const sq = sqliteReader(from())
    const pr = await postgresReader(url)
    try {
      for (const t of COPY_TABLES) expect(await all(pr, t, 3), t.name).toEqual(await all(sq, t, 3))
    } finally {
      await sq.close()
      await pr.close()
    }

    const p = openPg(url)
    try {
      // The sequences continue after the copied ids, and the generated tsvector is filled.
      const [{ max }] = (await p.query<{ max: number }>('SELECT max(id) AS max FROM mentions')) as [{ max: number }]
      const [{ next }] = (await p.query<{ next: number }>(`SELECT nextval(pg_get_serial_sequence('mentions', 'id')) AS next`)) as [{ next: number }]
      expect(next).toBe(max + 1)
      const [{ ev }] = (await p.query<{ ev: number }>(`SELECT nextval(pg_get_serial_sequence('events', 'id')) - (SELECT max(id) FROM events) AS ev`)) as [{ ev: number }]
      expect(ev).toBe(1)
      const [{ d }] = (await p.query<{ d: number }>(`SELECT nextval(pg_get_serial_sequence('digests', 'id')) AS d`)) as [{ d: number }]
      expect(d).toBe(2)
      expect(await p.query(`SELECT id FROM mentions WHERE fts @@ to_tsquery('simple', 'zebracorn')`)).toHaveLength(1)
      expect((await p.query<{ is_own: boolean }>(`SELECT is_own FROM mentions WHERE external_id = 'b'`))[0]?.is_own).toBe(true)
    } finally {
      await p.pool.end()
    }

    const home = await copyDatabase({ from: url, to: back(), chunk: 2 })
    expect(home.tables).toEqual(there.tables)
    expect(dumpSqlite(back())).toEqual(dumpSqlite(from()))
    const db = new Database(back(), { readonly: true })
    try {
      expect(db.prepare(`SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH 'zebracorn'`).all()).toHaveLength(1)
    } finally {
      db.close()
    }
    // The copy is a working store: its queries answer as the original's do.
    const a = openStore(from(), { readOnly: true })
    const b = openStore(back(), { readOnly: true })
    try {
      const q = { queue: 'all', limit: 50 } as never
      expect(await b.mentions.queue(q)).toEqual(await a.mentions.queue(q))
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('refuses a target that holds rows, naming it, and leaves it alone', async () => {
    const err = await copyDatabase({ from: from(), to: url }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(UsageError)
    expect((err as Error).message).toMatch(/is not empty .*mentions \(\d+\)/)
    const p = openPg(url)
    try {
      expect((await p.query<{ n: number }>('SELECT count(*) AS n FROM mentions'))[0]?.n).toBe(dumpSqlite(from()).mentions!.length)
    } finally {
      await p.pool.end()
    }
  })

  it('copies PostgreSQL to PostgreSQL', async () => {
    const other = await freshPgUrl()
    const r = await copyDatabase({ from: url, to: other, chunk: 1 })
    expect(r.tables.every((t) => t.source === t.target && t.source > 0)).toBe(true)
    const a = await postgresReader(url)
    const b = await postgresReader(other)
    try {
      for (const t of COPY_TABLES) expect(await all(b, t), t.name).toEqual(await all(a, t))
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('rolls the whole copy back when a table counts differently on the target', async () => {
    const target = await freshPgUrl()
    const p = openPg(target)
    try {
      // The target's schema first (any statement migrates), then a trigger that drops every other event.
      await p.query('SELECT 1')
      await p.query(`CREATE FUNCTION drop_even() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.id % 2 = 0 THEN RETURN NULL; END IF; RETURN NEW; END $$`)
      await p.query('CREATE TRIGGER drop_even BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION drop_even()')
      const err = await copyDatabase({ from: from(), to: target }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(StoreError)
      expect((err as Error).message).toMatch(/rolled back: events has \d+ rows in .* but \d+ in the target/)
      for (const t of COPY_TABLES) expect((await p.query<{ n: number }>(`SELECT count(*) AS n FROM "${t.name}"`))[0]?.n, t.name).toBe(0)
    } finally {
      await p.pool.end()
    }
  })

})
