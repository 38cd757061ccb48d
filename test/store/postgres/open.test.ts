// The PostgreSQL engine's opening: migrations once under a lock, read-only sessions, errors
// that name the server and never the password.
import { afterAll, describe, expect, it } from 'vitest'
import { StoreError } from '../../../src/errors.js'
import { PG_MIGRATIONS } from '../../../src/store/postgres/migrations.js'
import { openPg } from '../../../src/store/postgres/open.js'
import { describePostgresUrl } from '../../../src/store/postgres/url.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../../support/pg.js'
import { TEST_PG_PASSWORD } from '../../support/pg-server.js'

afterAll(dropPgDatabases)

describe.skipIf(pgSkip)('PostgreSQL opening', () => {
  it('migrates once even when several processes open a new database at once', async () => {
    const url = await freshPgUrl()
    const opened = Array.from({ length: 4 }, () => openPg(url))
    await Promise.all(opened.map((p) => p.query('SELECT count(*) FROM mentions')))
    const rows = await opened[0]!.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version')
    expect(rows.map((r) => r.version)).toEqual(PG_MIGRATIONS.map((_, i) => i + 1))
    await Promise.all(opened.map((p) => p.pool.end()))
  })

  it('refuses to write through a read-only opening, and says nothing was pulled into an empty database', async () => {
    const url = await freshPgUrl()
    const empty = openPg(url, { readOnly: true })
    await expect(empty.query('SELECT 1')).rejects.toThrow(/nothing has been pulled/)
    await empty.pool.end()
    const w = openPg(url)
    await w.query('SELECT 1')
    await w.pool.end()
    const r = openPg(url, { readOnly: true })
    await expect(r.query("INSERT INTO usage VALUES ('a','b','c',1,1)")).rejects.toBeInstanceOf(StoreError)
    await r.pool.end()
  })

  it('names the server but never the password when the login fails or the server is not there', async () => {
    const url = await freshPgUrl()
    const wrong = url.replace(encodeURIComponent(TEST_PG_PASSWORD), 'not-the-password-77')
    const bad = openPg(wrong)
    const err = await bad.query('SELECT 1').catch((e: unknown) => e)
    await bad.pool.end()
    expect(err).toBeInstanceOf(StoreError)
    expect(String((err as Error).message)).toContain(describePostgresUrl(url))
    expect(String((err as Error).message)).not.toContain('not-the-password-77')
    const gone = openPg(`postgres://u:${TEST_PG_PASSWORD}@127.0.0.1:1/nope`)
    const err2 = await gone.query('SELECT 1').catch((e: unknown) => e)
    await gone.pool.end()
    expect((err2 as Error).message).toMatch(/cannot reach the database server postgres:\/\/u@127\.0\.0\.1:1\/nope/)
    expect((err2 as Error).message).not.toContain(TEST_PG_PASSWORD)
  })

  it('reads bigint columns as numbers', async () => {
    const url = await freshPgUrl()
    const p = openPg(url)
    const [row] = await p.query<{ n: number }>('SELECT 1764547200000::bigint AS n')
    expect(row?.n).toBe(1764547200000)
    await p.pool.end()
  })
})
