// `mentions db copy --from A --to B`: moves a whole history between databases (SQLite files,
// PostgreSQL URLs). Prints the rows per table on both sides; the summary goes to stderr.
import { copyDatabase, copySummary, describeLocation, type DbCopyResult } from '../../app/db-copy.js'
import { UsageError } from '../../errors.js'
import { createWriter, type Column } from '../../report/render.js'
import type { TableCount } from '../../store/copy/types.js'
import { hasUrlPassword } from '../../store/postgres/url.js'
import { EXIT, type CommandContext } from '../context.js'
import { COMMAND_FORMATS } from '../formats.js'
import { listWriterContext, resolveFormat } from '../output.js'

type Line = TableCount & { from: string; to: string }

/** tsv and json: a tested contract. */
const columns: Column<Line>[] = [
  { key: 'table', header: 'TABLE', get: (r) => r.table },
  { key: 'source', header: 'SOURCE', get: (r) => r.source },
  { key: 'target', header: 'TARGET', get: (r) => r.target },
  { key: 'from', header: 'FROM', get: (r) => r.from },
  { key: 'to', header: 'TO', get: (r) => r.to },
]

const tableColumns: Column<Line>[] = [
  { key: 'table', header: 'TABLE', get: (r) => r.table, tableWidth: 'flex' },
  { key: 'source', header: 'SOURCE ROWS', get: (r) => r.source },
  { key: 'target', header: 'TARGET ROWS', get: (r) => r.target },
]

function location(ctx: CommandContext, flag: '--from' | '--to', value: unknown): string {
  if (typeof value === 'string' && value !== '') {
    // Allowed, as the brief for a one-off move says, but other users of the machine can read it in `ps`.
    if (hasUrlPassword(value)) ctx.note(`warning: ${flag} carries a password, which other users can see in the process list; set MENTIONS_DATABASE_URL and leave ${flag} out instead`)
    return value
  }
  // One side may be left out: it is the configured database (--db, MENTIONS_DB, MENTIONS_DATABASE_URL, the config).
  return ctx.deps.databasePath()
}

export async function copy(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  if (opts.from === undefined && opts.to === undefined) throw new UsageError('give --from, --to, or both (a side left out is the configured database)')
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS['db copy'].formats)
  const from = location(ctx, '--from', opts.from)
  const to = location(ctx, '--to', opts.to)
  const progress = ctx.io.stderr.isTTY ? (table: string, rows: number) => ctx.note(`${table}: ${rows} rows`) : undefined
  if (progress) ctx.note(`copying ${describeLocation(from)} → ${describeLocation(to)}`)
  const result: DbCopyResult = await copyDatabase({ from, to, ...(progress ? { onTable: progress } : {}) })
  const writer = createWriter<Line>({ format, columns, tableColumns, ...listWriterContext(ctx) })
  for (const t of result.tables) writer.write({ ...t, from: result.from, to: result.to })
  writer.end()
  ctx.note(copySummary(result))
  return EXIT.ok
}
