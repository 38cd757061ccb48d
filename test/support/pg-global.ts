// Vitest global setup: one PostgreSQL server for the whole run, shared by every test file
// through MENTIONS_TEST_PG_URL (each store test makes its own database on it). A URL already
// set (a server of your own) is used as is. Without one and without server binaries the
// PostgreSQL tests skip and say so; with MENTIONS_TEST_PG_REQUIRED=1 (CI) the run fails instead.
import { startPgServer, type PgServer } from './pg-server.js'

let server: PgServer | undefined

export async function setup(): Promise<void> {
  if (process.env.MENTIONS_TEST_PG_URL) return
  const started = await startPgServer()
  if (typeof started === 'string') {
    if (process.env.MENTIONS_TEST_PG_REQUIRED === '1') throw new Error(`MENTIONS_TEST_PG_REQUIRED=1 but ${started}`)
    process.env.MENTIONS_TEST_PG_SKIP = started
    process.stderr.write(`PostgreSQL tests skip: ${started}\n`)
    return
  }
  server = started
  process.env.MENTIONS_TEST_PG_URL = started.url
}

export async function teardown(): Promise<void> {
  server?.stop()
}
