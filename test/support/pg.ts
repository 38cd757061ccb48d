// PostgreSQL for the tests: a fresh database per store on the run's server (pg-global.ts).
import { randomBytes } from 'node:crypto'
import pg from 'pg'

/** Why PostgreSQL tests skip here, or undefined when a server is there. */
export const pgSkip: string | undefined = process.env.MENTIONS_TEST_PG_URL ? undefined : (process.env.MENTIONS_TEST_PG_SKIP ?? 'MENTIONS_TEST_PG_URL is not set')

export function pgAdminUrl(): string {
  const url = process.env.MENTIONS_TEST_PG_URL
  if (!url) throw new Error(`no PostgreSQL server for the tests: ${pgSkip}`)
  return url
}

/** The URL of the same server with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

const made: string[] = []

/** Creates an empty database and returns its URL. */
export async function freshPgUrl(): Promise<string> {
  const admin = pgAdminUrl()
  const name = `t_${process.pid}_${randomBytes(4).toString('hex')}`
  const c = new pg.Client({ connectionString: admin })
  await c.connect()
  try {
    await c.query(`CREATE DATABASE ${name}`)
  } finally {
    await c.end()
  }
  made.push(name)
  return withDatabase(admin, name)
}

/** Drops the databases this file made (call in afterAll; the server goes at the end of the run anyway). */
export async function dropPgDatabases(): Promise<void> {
  if (!made.length) return
  const c = new pg.Client({ connectionString: pgAdminUrl() })
  await c.connect()
  try {
    for (const name of made.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await c.end()
  }
}

/** One plain client for `work`, closed afterwards: raw SQL beside the repositories. */
export async function withPgClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return await work(c)
  } finally {
    await c.end()
  }
}
