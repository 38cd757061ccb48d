// End to end on the built binary: `mentions doctor` with a PostgreSQL database. A fresh
// database is reported unmigrated, a migrated one is well, a role without privileges gets the
// GRANT that fixes it, an unreachable server is named; the password is never printed.
import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkPostgres, PG_LATENCY_WARN_MS } from '../../src/app/doctor.js'
import { openPg } from '../../src/store/postgres/open.js'
import type { PgServerFacts } from '../../src/store/postgres/server.js'
import { tempDir } from '../support/deps.js'
import { ROOT as root, runMentions, type CliResult } from '../support/cli.js'
import { dropPgDatabases, freshPgUrl, pgAdminUrl, pgSkip, withPgClient } from '../support/pg.js'

let dir: string
let cfg: string
const role = `lim_${randomBytes(4).toString('hex')}`
const rolePassword = `pw-${randomBytes(6).toString('hex')}`

function doctor(url: string, args: string[] = ['--offline', '--json']): Promise<CliResult> {
  return runMentions(['--config', cfg, 'doctor', ...args], { home: dir, env: { MENTIONS_DATABASE_URL: url } })
}

const problems = (r: CliResult): { area: string; problem: string; fix: string }[] => (JSON.parse(r.stdout) as { problems: { area: string; problem: string; fix: string }[] }).problems

function expectNoSecret(r: CliResult, secret: string): void {
  expect(secret.length).toBeGreaterThan(3)
  expect(r.stdout).not.toContain(secret)
  expect(r.stderr).not.toContain(secret)
}

const admin = withPgClient

const password = () => decodeURIComponent(new URL(pgAdminUrl()).password)

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
  dir = tempDir('mentions-e2e-doctor-pg-')
  cfg = path.join(dir, 'mentions.config.json')
  fs.writeFileSync(cfg, JSON.stringify({ brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews' }] }), { mode: 0o600 })
})
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true })
  if (pgSkip) return
  await dropPgDatabases()
  await admin(pgAdminUrl(), (c) => c.query(`DROP ROLE IF EXISTS ${role}`))
})

describe.skipIf(pgSkip)('mentions doctor on PostgreSQL', () => {
  it('reports a database without the schema, then all well once migrated; never the password', async () => {
    const url = await freshPgUrl()
    const fresh = await doctor(url)
    expect(fresh.code).toBe(1)
    const found = problems(fresh).filter((p) => p.area === 'database')
    expect(found).toHaveLength(1)
    expect(found[0]!.problem).toMatch(/^postgres:\/\/\w+@127\.0\.0\.1:\d+\/t_\w+ has no mentions schema yet$/)
    expect(found[0]!.fix).toContain('mentions pull')
    expectNoSecret(fresh, password())

    const p = openPg(url)
    await p.query('SELECT 1').finally(() => p.pool.end())
    const well = await doctor(url)
    expect(problems(well)).toEqual([])
    expect(well.code).toBe(0)
    const quiet = await doctor(url, ['--offline'])
    expect(quiet).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  it('names what a role may not do, with the GRANT that fixes it', async () => {
    const url = await freshPgUrl()
    const p = openPg(url)
    await p.query('SELECT 1').finally(() => p.pool.end())
    await admin(url, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD '${rolePassword}'`)
      await c.query(`GRANT USAGE ON SCHEMA public TO ${role}`)
      await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${role}`)
      await c.query(`GRANT INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`)
      await c.query(`REVOKE INSERT, DELETE ON mentions FROM ${role}`)
    })
    const u = new URL(url)
    u.username = role
    u.password = rolePassword
    const r = await doctor(u.toString())
    expect(r.code).toBe(1)
    const found = problems(r).filter((f) => f.area === 'database')
    expect(found).toHaveLength(1)
    expect(found[0]!.problem).toMatch(new RegExp(`^${role} lacks INSERT, DELETE on mentions; USAGE on sequence \\w+; `))
    expect(found[0]!.fix).toContain(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`)
    expect(found[0]!.fix).toContain(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ${role}`)
    expectNoSecret(r, rolePassword)
  })

  it('names an unreachable server by host and port, not its password', async () => {
    const u = new URL(pgAdminUrl())
    // A port of this host that nothing listens on: the test server's own, plus one, is as good as any.
    u.port = String(Number(u.port) === 65535 ? 1 : Number(u.port) + 1)
    const r = await doctor(u.toString())
    expect(r.code).toBe(1)
    const found = problems(r).filter((f) => f.area === 'database')
    expect(found).toHaveLength(1)
    expect(found[0]!.problem).toContain(`cannot reach the database server postgres://${decodeURIComponent(u.username)}@127.0.0.1:${u.port}/`)
    expectNoSecret(r, password())
  })
})

// The server's answers are hard to bend on a test server (its version, its latency): the
// check over them is a pure function, so those findings are held here on given facts.
describe('the PostgreSQL check over given facts', () => {
  const facts = (over: Partial<PgServerFacts>): Parameters<typeof checkPostgres>[0] =>
    ({
      postgres: {
        error: null,
        server: { location: 'postgres://app@db:5432/mentions', version: '16.4', versionNum: 160004, schema: { version: 1, known: 1 }, latencyMs: 2, missing: [], canCreate: false, schemaName: 'public', role: 'app', ...over },
      },
    }) as Parameters<typeof checkPostgres>[0]

  it('is silent for a current, near, fully granted server', () => {
    expect(checkPostgres(facts({}))).toEqual([])
  })
  it('names an old server, slow round trips, and a pending migration the role cannot run', () => {
    const found = checkPostgres(facts({ version: '12.9', versionNum: 120009, latencyMs: PG_LATENCY_WARN_MS + 30, schema: { version: 0, known: 1 } }))
    expect(found.map((f) => f.problem)).toEqual([
      'postgres://app@db:5432/mentions runs PostgreSQL 12.9; mentions needs 13 or newer',
      'postgres://app@db:5432/mentions has no mentions schema yet and app may not create tables in schema public',
      `a round trip to postgres://app@db:5432/mentions takes ${PG_LATENCY_WARN_MS + 30} ms (median of 5)`,
    ])
    expect(found[1]!.fix).toContain('GRANT CREATE ON SCHEMA public TO app')
  })
  it('asks for an upgrade of mentions when the schema is newer', () => {
    expect(checkPostgres(facts({ schema: { version: 3, known: 1 } })).map((f) => f.fix)).toEqual(['upgrade mentions'])
  })
})
