// `mentions db copy`: a whole history from one database into another, either engine to either
// engine. Streamed a chunk of rows at a time, written in ONE target transaction, and committed
// only when every table counts the same on both sides; anything less leaves the target as it was.
import fs from 'node:fs'
import path from 'node:path'
import { StoreError, UsageError } from '../errors.js'
import { COPY_TABLES } from '../store/copy/tables.js'
import type { CopyReader, CopyWriter, TableCount, TableSpec } from '../store/copy/types.js'
import { describePostgresUrl, isPostgresUrl } from '../store/postgres/url.js'

export interface DbCopyOptions {
  /** An SQLite file path or a postgres:// URL. */
  from: string
  to: string
  /** Rows per page read and written (default 1000). */
  chunk?: number
  /** Called after each table is written, for progress. */
  onTable?: (table: string, rows: number) => void
  /** The tables to copy (tests narrow or extend it; the default is every data table). */
  tables?: readonly TableSpec[]
}

export interface DbCopyResult {
  /** Where from and where to, never with a password. */
  from: string
  to: string
  tables: TableCount[]
  rows: number
}

/** A location as it may be printed: a URL without its password, a file as given. */
export const describeLocation = (location: string): string => (isPostgresUrl(location) ? describePostgresUrl(location) : location)

/** Whether two locations name the same database (same file, or same server and database). */
function sameDatabase(a: string, b: string): boolean {
  if (isPostgresUrl(a) !== isPostgresUrl(b)) return false
  if (isPostgresUrl(a)) {
    const norm = (u: string) => describePostgresUrl(u).replace(/^postgres:\/\/[^@/]*@/, 'postgres://')
    return norm(a) === norm(b)
  }
  return path.resolve(a) === path.resolve(b)
}

async function openReader(location: string): Promise<CopyReader> {
  if (isPostgresUrl(location)) return (await import('../store/copy/postgres.js')).postgresReader(location)
  return (await import('../store/copy/sqlite.js')).sqliteReader(location)
}

async function openWriter(location: string): Promise<CopyWriter> {
  if (isPostgresUrl(location)) return (await import('../store/copy/postgres.js')).postgresWriter(location)
  return (await import('../store/copy/sqlite.js')).sqliteWriter(location)
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`

export async function copyDatabase(opts: DbCopyOptions): Promise<DbCopyResult> {
  const from = describeLocation(opts.from)
  const to = describeLocation(opts.to)
  if (sameDatabase(opts.from, opts.to)) throw new UsageError(`--from and --to both name ${to}; copy into another database`)
  const tables = opts.tables ?? COPY_TABLES
  const chunk = opts.chunk ?? 1000
  if (!Number.isInteger(chunk) || chunk < 1) throw new UsageError(`the chunk size must be a positive whole number (got ${chunk})`)

  // The source first: a missing or foreign source must not leave a new, empty target behind.
  const reader = await openReader(opts.from)
  // A file this copy creates goes again when the copy fails: no empty database is left behind.
  const creates = !isPostgresUrl(opts.to) && !fs.existsSync(opts.to)
  let writer: CopyWriter | undefined
  let committed = false
  try {
    writer = await openWriter(opts.to)
    await writer.begin()
    const held: string[] = []
    for (const t of tables) {
      const n = await writer.count(t)
      if (n > 0) held.push(`${t.name} (${n})`)
    }
    if (held.length) {
      throw new UsageError(`the target ${to} is not empty (it holds rows in ${held.join(', ')}); copy into a new file or an empty database`)
    }

    for (const t of tables) {
      let rows = 0
      for await (const page of reader.rows(t, chunk)) {
        await writer.write(t, page)
        rows += page.length
      }
      opts.onTable?.(t.name, rows)
    }
    await writer.finish()

    const counts: TableCount[] = []
    for (const t of tables) counts.push({ table: t.name, source: await reader.count(t), target: await writer.count(t) })
    const differ = counts.filter((c) => c.source !== c.target)
    if (differ.length) {
      throw new StoreError(
        `the copy into ${to} was rolled back: ${differ.map((c) => `${c.table} has ${c.source} rows in ${from} but ${c.target} in the target`).join('; ')}`,
        'failure',
      )
    }
    await writer.commit()
    committed = true
    return { from, to, tables: counts, rows: counts.reduce((s, c) => s + c.target, 0) }
  } catch (err) {
    await writer?.rollback().catch(() => undefined)
    throw err
  } finally {
    await writer?.close().catch(() => undefined)
    await reader.close().catch(() => undefined)
    if (creates && !committed) for (const f of [opts.to, `${opts.to}-wal`, `${opts.to}-shm`]) fs.rmSync(f, { force: true })
  }
}

/** One line for stderr: what moved where. */
export function copySummary(r: DbCopyResult): string {
  const mentions = r.tables.find((t) => t.table === 'mentions')?.target ?? 0
  return `copied ${plural(mentions, 'mention')} (${plural(r.rows, 'row')} in ${plural(r.tables.length, 'table')}) from ${r.from} to ${r.to}`
}
