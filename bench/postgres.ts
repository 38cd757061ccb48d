// The PostgreSQL rows of `npm run bench` (issue #15): ingest through `mentions import`, and the
// queue, search and digest latencies, each beside the same command on the SQLite file built in
// the same run. A throwaway server is started for the run (test/support/pg-server.ts), or
// `--pg-url URL` points at one of yours (its database is filled, so give it an empty one).
import fs from 'node:fs'
import path from 'node:path'
import pg from 'pg'
import { startPgServer } from '../test/support/pg-server.js'
import type { BenchRow } from './row.js'

export interface PgBenchContext {
  /** Generated rows, the same the SQLite database was built from. */
  writeInput(file: string): Promise<void>
  config: string
  dir: string
  n: number
  /** The SQLite ingest rate of this run, when the bench built the database. */
  sqliteIngestPerSec?: number
  /** Times a command (median wall ms) with extra environment. */
  time(args: string[], env?: Record<string, string>): Promise<{ wallMs: number; code: number; stderr: string }>
  /** Times one run: an import is measured once (a second one would find every row stored). */
  once(args: string[], env?: Record<string, string>): Promise<{ wallMs: number; code: number; stderr: string }>
  sqliteDb: string
  pgUrl?: string
}

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d

async function emptyDatabase(admin: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: admin })
  await c.connect()
  try {
    await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await c.query(`CREATE DATABASE ${name}`)
  } finally {
    await c.end()
  }
  const u = new URL(admin)
  u.pathname = `/${name}`
  return u.toString()
}

export async function postgresRows(ctx: PgBenchContext): Promise<BenchRow[]> {
  let stop = () => {}
  let admin = ctx.pgUrl
  if (!admin) {
    const server = await startPgServer()
    if (typeof server === 'string') return [{ what: 'PostgreSQL rows', value: 0, unit: '', target: 'a server to measure', met: false, note: server }]
    admin = server.url
    stop = () => server.stop()
  }
  try {
    const url = await emptyDatabase(admin, 'mentions_bench')
    const env = { MENTIONS_DATABASE_URL: url }
    const input = path.join(ctx.dir, 'pg-rows.ndjson')
    await ctx.writeInput(input)
    // The config names the SQLite file; MENTIONS_DATABASE_URL wins over it.
    const ingest = await ctx.once(['import', input, '--config', ctx.config], { ...env, MENTIONS_DB: '' })
    fs.rmSync(input, { force: true })
    if (ingest.code !== 0) throw new Error(`import into PostgreSQL failed (${ingest.code}): ${ingest.stderr.slice(-500)}`)
    const perSec = (ctx.n / ingest.wallMs) * 1000
    const rows: BenchRow[] = [{
      what: 'PostgreSQL ingest (mentions import)',
      value: Math.round(perSec),
      unit: 'mentions/s',
      ...(ctx.sqliteIngestPerSec ? { baseline: { what: 'SQLite ingest, same rows, same run', value: Math.round(ctx.sqliteIngestPerSec), unit: 'mentions/s' }, ratio: round(ctx.sqliteIngestPerSec / perSec, 2) } : {}),
      target: 'reported beside SQLite',
    }]
    const commands: [string, string[]][] = [
      ['queue negative', ['queue', 'negative', '--limit', '50', '--format', 'tsv']],
      ['queue negative --brand Globex', ['queue', 'negative', '--brand', 'Globex', '--limit', '50', '--format', 'tsv']],
      ['queue negative --source reddit', ['queue', 'negative', '--source', 'reddit', '--limit', '50', '--format', 'tsv']],
      ['search "billing"', ['search', 'billing', '--limit', '50', '--format', 'tsv']],
      ['digest --since 24h', ['digest', '--since', '24h', '--dry-run']],
    ]
    for (const [what, args] of commands) {
      const onPg = await ctx.time(args, env)
      const onSqlite = await ctx.time([...args, '--db', ctx.sqliteDb])
      if (onPg.code !== 0) throw new Error(`${what} on PostgreSQL failed (${onPg.code}): ${onPg.stderr.slice(-300)}`)
      rows.push({
        what: `PostgreSQL ${what}, whole process`,
        value: round(onPg.wallMs),
        unit: 'ms',
        baseline: { what: 'SQLite, same command, same run', value: round(onSqlite.wallMs), unit: 'ms' },
        ratio: round(onPg.wallMs / onSqlite.wallMs, 2),
        target: 'reported beside SQLite',
      })
    }
    return rows
  } finally {
    stop()
  }
}
