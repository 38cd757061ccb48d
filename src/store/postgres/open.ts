// Opening the PostgreSQL engine: a pool of connections from the URL, the schema brought up to
// date once under an advisory lock, and every driver error turned into a StoreError that names
// the server and database, never the password.
import pg from 'pg'
import { parse, toClientConfig } from 'pg-connection-string'
import { StoreError } from '../../errors.js'
import { PG_MIGRATIONS } from './migrations.js'
import { describePostgresUrl, scrubSecret } from './url.js'

export interface PgOptions {
  readOnly?: boolean
  /** How long a statement may wait for a lock another session holds (ms). */
  busyTimeoutMs?: number
  /** Connections in the pool; a CLI run needs few. */
  max?: number
}

/** A query runner bound to one pool; `tx` runs work in one transaction on one connection. */
export interface Pg {
  readonly location: string
  readonly readOnly: boolean
  readonly pool: pg.Pool
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>
  tx<T>(work: (c: PgClient) => Promise<T>): Promise<T>
  /** A dedicated connection held until released: session advisory locks live on it. */
  session(): Promise<pg.PoolClient>
  /** Maps a driver error to a StoreError naming the server, never its password. */
  failure(err: unknown): unknown
}

export interface PgClient {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>
}

/** Advisory lock keys: one namespace (the first int) so other applications' locks never collide. */
export const LOCK_NAMESPACE = 0x6d6e7431
export const MIGRATE_LOCK = 1

// The driver loads with this module, which only the PostgreSQL engine, its copy and its server
// checks import, each reached by a dynamic import: every SQLite command's start-up stays free
// of it (issue #13), and the repositories import its types alone. The bundle holds the driver
// (scripts/bundle.mjs).

// bigint (int8) arrives as a string by default; every bigint here is epoch ms or a count, far
// below 2^53, so a number is exact. numeric stays a string (none is stored).
function typesFor(d: typeof pg): pg.CustomTypesConfig {
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === d.types.builtins.INT8 ? (v: string) => Number(v) : d.types.getTypeParser(oid, format)) as typeof d.types.getTypeParser,
  }
}

export function clientConfig(url: string, opts: PgOptions = {}): pg.PoolConfig {
  let parsed
  try {
    // libpq's meaning of sslmode (require = encrypted, not verified; verify-full = checked),
    // the one every PostgreSQL host documents.
    parsed = toClientConfig(parse(url, { useLibpqCompat: true }))
  } catch (err) {
    throw new StoreError(`the database URL ${describePostgresUrl(url)} cannot be read: ${scrubSecret((err as Error).message, url)}; check MENTIONS_DATABASE_URL or "database" in the config`, 'usage')
  }
  // Settings sent with the connection's startup (libpq's `options`, after any the URL gives):
  // no statement of their own. A read-only session used to be set by a query on 'connect',
  // which the pool's first query then overlapped: pg warned of it on stderr, in every cron
  // mail of a digest.
  const options = [
    ...(typeof parsed.options === 'string' && parsed.options ? [parsed.options] : []),
    ...(opts.readOnly ? ['-c default_transaction_read_only=on'] : []),
    ...(opts.busyTimeoutMs !== undefined ? [`-c lock_timeout=${Math.max(1, Math.round(opts.busyTimeoutMs))}`] : []),
  ]
  return {
    ...parsed,
    max: opts.max ?? 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 5_000,
    application_name: 'mentions',
    types: typesFor(pg),
    ...(options.length ? { options: options.join(' ') } : {}),
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH'])

export function pgFailure(err: unknown, url: string): unknown {
  if (err instanceof StoreError) return err
  const where = describePostgresUrl(url)
  const e = err as { code?: unknown; message?: unknown }
  const code = typeof e.code === 'string' ? e.code : ''
  const detail = scrubSecret(typeof e.message === 'string' ? e.message : String(err), url)
  if (CONNECTION_CODES.has(code) || /timeout exceeded when trying to connect|Connection terminated/i.test(detail)) {
    return new StoreError(`cannot reach the database server ${where} (${detail}); check the host and port in MENTIONS_DATABASE_URL and that the server runs`, 'failure', { cause: err })
  }
  if (code === '28P01' || code === '28000') {
    return new StoreError(`the database server ${where} refused the login (${detail}); check the user and password in MENTIONS_DATABASE_URL`, 'usage', { cause: err })
  }
  if (code === '3D000') return new StoreError(`the database ${where} does not exist (${detail}); create it (see "Share with a team" in the README)`, 'usage', { cause: err })
  if (code === '42501') return new StoreError(`the role lacks a permission on ${where} (${detail}); grant it (see "Share with a team" in the README)`, 'usage', { cause: err })
  if (code === '25006') return new StoreError(`${where} was opened read-only for this command (${detail})`, 'usage', { cause: err })
  if (code === '55P03' || code === '40P01') return new StoreError(`the database ${where} stayed locked by another mentions process (${detail}); try again when it has finished`, 'failure', { cause: err })
  if (code === '53100') return new StoreError(`the database server ${where} is out of disk space (${detail})`, 'failure', { cause: err })
  // Any other SQLSTATE (five characters) or a TLS refusal: the server's own words, with where.
  if (code.length === 5 || /^(SSL|TLS|self.signed|unable to verify|certificate)/i.test(detail) || code.startsWith('ERR_TLS') || code.includes('CERT')) {
    return new StoreError(`database error in ${where}: ${detail}`, 'failure', { cause: err })
  }
  return err
}

/** Brings the schema up to date: once, whoever comes first, under a transaction-scoped advisory lock. */
export async function migratePg(c: pg.PoolClient, migrations: readonly string[] = PG_MIGRATIONS): Promise<number> {
  await c.query('BEGIN')
  try {
    // A read command's session defaults to read-only; bringing the schema up to date is the one write it may make.
    await c.query('SET TRANSACTION READ WRITE')
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_NAMESPACE, MIGRATE_LOCK])
    await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)')
    const { rows } = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')
    const have = rows[0]?.v ?? 0
    if (have > migrations.length) {
      throw new StoreError(`the database was written by a newer mentions (schema ${have}, this one knows ${migrations.length}); upgrade mentions`, 'usage')
    }
    for (let v = have + 1; v <= migrations.length; v++) {
      await c.query(migrations[v - 1]!)
      await c.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [v, Date.now()])
    }
    await c.query('COMMIT')
    return migrations.length
  } catch (err) {
    await c.query('ROLLBACK').catch(() => undefined)
    throw err
  }
}

/** The schema version recorded, without changing anything (read-only opening). */
export async function schemaVersion(c: pg.ClientBase): Promise<number> {
  const { rows } = await c.query<{ present: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS present")
  if (!rows[0]?.present) return 0
  const v = await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')
  return v.rows[0]?.v ?? 0
}

export function openPg(url: string, opts: PgOptions = {}): Pg {
  const location = describePostgresUrl(url)
  const readOnly = opts.readOnly ?? false
  const pool = new pg.Pool(clientConfig(url, opts))
  // An idle connection the server dropped must not crash the process; the next query reconnects.
  pool.on('error', () => undefined)
  const failure = (err: unknown) => pgFailure(err, url)

  // The schema is checked (and, for a writer, migrated) once, before the first statement.
  let ready: Promise<void> | undefined
  const prepare = (): Promise<void> =>
    (ready ??= (async () => {
      const c = await pool.connect()
      try {
        if (readOnly) {
          const v = await schemaVersion(c)
          if (v === 0) throw new StoreError(`nothing has been pulled into ${location} yet; run \`mentions pull\` first`, 'usage')
          if (v > PG_MIGRATIONS.length) throw new StoreError(`the database was written by a newer mentions (schema ${v}, this one knows ${PG_MIGRATIONS.length}); upgrade mentions`, 'usage')
          // A read command on an older schema: bring it up to date if this role may (as the SQLite engine does).
          if (v < PG_MIGRATIONS.length) await migratePg(c)
        } else {
          await migratePg(c)
        }
      } finally {
        c.release()
      }
    })().catch((err) => {
      ready = undefined
      throw failure(err)
    }))

  const wrap = <T>(p: Promise<T>): Promise<T> => p.catch((err) => Promise.reject(failure(err)))
  return {
    location,
    readOnly,
    pool,
    failure,
    async query(sql, params) {
      await prepare()
      return wrap(pool.query(sql, params as unknown[] | undefined).then((r) => r.rows))
    },
    async tx(work) {
      await prepare()
      const c = await wrap(pool.connect())
      try {
        await c.query('BEGIN')
        const out = await work({ query: async (sql, params) => (await c.query(sql, params as unknown[] | undefined)).rows })
        await c.query('COMMIT')
        return out
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined)
        throw failure(err)
      } finally {
        c.release()
      }
    },
    async session() {
      await prepare()
      return wrap(pool.connect())
    },
  }
}
