import { listSources, type SourceStatus } from '../../app/sources.js'
import { formatAge } from '../../report/age.js'
import { createWriter, type Column } from '../../report/render.js'
import { listWriterContext, resolveFormat } from '../output.js'
import type { CommandContext } from '../context.js'
import { COMMAND_FORMATS } from '../formats.js'
import { stringifyJson } from '../../report/json.js'

const quota = (s: SourceStatus): string =>
  [
    s.quota?.remaining !== undefined ? `${s.quota.remaining}${s.quota.limit !== undefined ? `/${s.quota.limit}` : ''} left` : '',
    s.quota?.note ?? '',
    s.limits ?? '',
  ].filter(Boolean).join('; ')
const replies = (s: SourceStatus): string => (s.stream === 'own' ? 'brand replies' : s.replies)
const lastRun = (s: SourceStatus): string => (s.lastRun ? `${s.lastRun.fetched} fetched, ${s.lastRun.new} new` : '')

const needs = (s: SourceStatus) => s.env.map((e) => `${e.name}${e.set ? ' (set)' : e.optional ? ' (optional, unset)' : ' (MISSING)'}`)

/** TSV: full values and ISO times, as on every pipe. */
const columns: Column<SourceStatus>[] = [
  { key: 'source', header: 'SOURCE', get: (s) => s.source },
  { key: 'instance', header: 'INSTANCE', get: (s) => s.instance },
  { key: 'name', header: 'NAME', get: (s) => s.name },
  { key: 'brand', header: 'BRAND', get: (s) => s.brand },
  { key: 'env', header: 'NEEDS', get: needs },
  { key: 'replies', header: 'REPLIES', get: replies },
  { key: 'quota', header: 'QUOTA', get: quota },
  { key: 'lastRun', header: 'LAST RUN', get: lastRun },
  { key: 'lastOkAt', header: 'LAST OK', get: (s) => s.lastOkAt },
  { key: 'status', header: 'STATUS', get: (s) => s.status },
  { key: 'backoffUntil', header: 'BACKOFF UNTIL', get: (s) => s.backoffUntil },
  { key: 'lastError', header: 'LAST ERROR', get: (s) => s.lastError },
]

const ago = (iso: string | null, now: number) => (iso === null ? '' : `${formatAge(Date.parse(iso), now)} ago`)

/**
 * The table fits the terminal: times as ages ("3h ago", never an ISO stamp the terminal
 * would wrap in the middle), long instance URLs and env lists squeezed, the error taking
 * what is left and cut with "…".
 */
export function sourceTableColumns(now: number): Column<SourceStatus>[] {
  return [
    { key: 'source', header: 'SOURCE', get: (s) => s.source },
    { key: 'instance', header: 'INSTANCE', get: (s) => s.name ?? s.instance, tableMin: 16 },
    { key: 'brand', header: 'BRAND', get: (s) => s.brand, tableWidth: 16, tableMin: 6 },
    { key: 'env', header: 'NEEDS', get: needs, tableWidth: 30, tableMin: 10 },
    { key: 'replies', header: 'REPLIES', get: replies, tableWidth: 13, tableDrop: 1 },
    { key: 'quota', header: 'QUOTA', get: quota, tableWidth: 24, tableMin: 6, tableDrop: 0 },
    { key: 'lastRun', header: 'LAST RUN', get: lastRun, tableWidth: 22, tableDrop: 2 },
    { key: 'lastOkAt', header: 'LAST OK', get: (s) => ago(s.lastOkAt, now) },
    { key: 'status', header: 'STATUS', get: (s) => s.status, tableWidth: 28, tableMin: 8 },
    {
      key: 'lastError',
      header: 'LAST ERROR',
      get: (s) => (s.lastError === null ? null : s.lastErrorAt ? `${ago(s.lastErrorAt, now)}: ${s.lastError}` : s.lastError),
      tableWidth: 'flex',
    },
  ]
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.sources.formats)
  const rows = await listSources(ctx.deps)
  const out = ctx.io.stdout
  // JSON keeps the structured env list; the column getter flattens it for tables.
  if (format === 'json') {
    out.write(`${stringifyJson(rows, 2)}\n`)
    return 0
  }
  const writer = createWriter({
    format,
    columns,
    tableColumns: sourceTableColumns(ctx.deps.now()),
    ...listWriterContext(ctx, { ...(opts.wide === true ? { wide: true } : {}), emptyNote: 'No sources configured.' }),
  })
  for (const r of rows) writer.write(r)
  writer.end()
  return 0
}
