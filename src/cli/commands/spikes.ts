import { listSpikes, type SpikeRow, type SpikesReport } from '../../app/spikes.js'
import { createWriter, type Column } from '../../report/render.js'
import { formatSpan, SPIKE_KINDS } from '../../rules/spikes.js'
import type { CommandContext } from '../context.js'
import { listFlag, timeFlag } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { listWriterContext, resolveFormat } from '../output.js'

const DAY = 24 * 3600_000
const iso = (t: number) => new Date(t).toISOString()

/** tsv and json: full ISO times, shares as fractions. A tested contract. */
const columns: Column<SpikeRow>[] = [
  { key: 'brand', header: 'BRAND', get: (r) => r.brand },
  { key: 'kind', header: 'KIND', get: (r) => r.kind },
  { key: 'bucketStart', header: 'BUCKET START', get: (r) => iso(r.bucketStart) },
  { key: 'bucketEnd', header: 'BUCKET END', get: (r) => iso(r.bucketEnd) },
  { key: 'value', header: 'VALUE', get: (r) => r.value },
  { key: 'baseline', header: 'BASELINE', get: (r) => r.baseline },
  { key: 'score', header: 'SCORE', get: (r) => r.score },
  { key: 'active', header: 'ACTIVE', get: (r) => r.active },
  { key: 'why', header: 'WHY', get: (r) => r.why },
]

/** The bucket as short ISO-8601: the date alone for a day bucket, else the minute it starts (UTC). */
export function bucketLabel(r: Pick<SpikeRow, 'bucketStart' | 'bucketEnd'>): string {
  const text = iso(r.bucketStart)
  return r.bucketStart % DAY === 0 && (r.bucketEnd - r.bucketStart) % DAY === 0 ? text.slice(0, 10) : `${text.slice(0, 16)}Z`
}

const share = (r: SpikeRow, x: number) => (r.kind === 'negative-share' ? `${Math.round(x * 100)}%` : x)

const tableColumns: Column<SpikeRow>[] = [
  { key: 'brand', header: 'BRAND', get: (r) => r.brand, tableWidth: 20, tableMin: 6 },
  { key: 'kind', header: 'KIND', get: (r) => r.kind },
  { key: 'bucket', header: 'BUCKET', get: bucketLabel },
  { key: 'value', header: 'VALUE', get: (r) => share(r, r.value) },
  { key: 'baseline', header: 'BASELINE', get: (r) => share(r, r.baseline), tableDrop: 1 },
  { key: 'score', header: 'SCORE', get: (r) => r.score.toFixed(1), tableDrop: 0 },
  { key: 'active', header: 'ACTIVE', get: (r) => (r.active ? 'active' : ''), colour: (t, _r, style) => style.bold(t) },
  { key: 'why', header: 'WHY', get: (r) => r.why, tableWidth: 'flex' },
]

/** One line for stderr after a backtest: how often each brand would have been told, to tune by. */
export function backtestSummary(report: SpikesReport): string {
  const period = formatSpan(Math.max(DAY, Math.round((report.until - report.since) / DAY) * DAY))
  const per = report.brands.map((b) => {
    const counts = SPIKE_KINDS.map((k) => [k, report.rows.filter((r) => r.brand === b.name && r.kind === k).length] as const).filter(([, n]) => n > 0)
    return `${b.name}: ${counts.length ? counts.map(([k, n]) => `${n} ${k}`).join(', ') : 'none'}`
  })
  const n = report.rows.length
  return `backtest over ${period}: ${n} firing${n === 1 ? '' : 's'}${per.length ? `; ${per.join('; ')}` : ''}`
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.spikes.formats)
  const since = timeFlag('--since', opts.since, ctx.deps.now())
  const brands = listFlag(opts.brand)
  const report = await listSpikes(ctx.deps, {
    ...(since !== undefined ? { since } : {}),
    ...(brands ? { brands } : {}),
    ...(opts.backtest === true ? { backtest: true } : {}),
  })
  const writer = createWriter<SpikeRow>({
    format,
    columns,
    tableColumns,
    ...listWriterContext(ctx, { emptyNote: 'No spikes in this period.' }),
  })
  for (const r of report.rows) writer.write(r)
  writer.end()
  // A summary, not data: stderr, and only when asked for a backtest (cron runs stay silent).
  if (report.backtest) ctx.note(backtestSummary(report))
  return 0
}
