import { RESPONSE_STATS_BY, responseStats, type ResponseStats, type ResponseStatsLine } from '../../app/stats.js'
import { UsageError } from '../../errors.js'
import { createWriter, type Column } from '../../report/render.js'
import type { ResponseStatsBy } from '../../store/index.js'
import type { CommandContext } from '../context.js'
import { listFlag, timeFlag } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { listWriterContext, resolveFormat } from '../output.js'

export const STATS_REPORTS = ['responses'] as const

/**
 * A time to first response for a person: "45s", "12m", "2h 05m", "3d 4h" (floored; two units
 * at most, the smaller padded under a day so a column of them lines up).
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

const percent = (share: number | null): string => (share === null ? '' : `${Math.round(share * 100)}%`)
const duration = (s: number | null): string => (s === null ? '' : formatDuration(s))

type Line = ResponseStatsLine & { by: ResponseStatsBy | null; since: string; until: string }

/** tsv, csv and json: counts, shares as fractions, times in whole seconds. A tested contract. */
const columns: Column<Line>[] = [
  { key: 'by', header: 'BY', get: (r) => r.by },
  { key: 'group', header: 'GROUP', get: (r) => r.group },
  { key: 'total', header: 'TOTAL', get: (r) => r.total },
  { key: 'needed', header: 'NEEDED', get: (r) => r.needed },
  { key: 'answered', header: 'ANSWERED', get: (r) => r.answered },
  { key: 'unanswered', header: 'UNANSWERED', get: (r) => r.unanswered },
  { key: 'unknown', header: 'UNKNOWN', get: (r) => r.unknown },
  { key: 'answeredShare', header: 'ANSWERED %', get: (r) => r.answeredShare },
  { key: 'unknownShare', header: 'UNKNOWN %', get: (r) => r.unknownShare },
  { key: 'medianFirstResponseSeconds', header: 'MEDIAN', get: (r) => r.medianFirstResponseSeconds },
  { key: 'p90FirstResponseSeconds', header: 'P90', get: (r) => r.p90FirstResponseSeconds },
  { key: 'since', header: 'SINCE', get: (r) => r.since },
  { key: 'until', header: 'UNTIL', get: (r) => r.until },
]

function tableColumns(by: ResponseStatsBy | null): Column<Line>[] {
  return [
    { key: 'group', header: by ? by.toUpperCase() : '', get: (r) => (r.total ? 'total' : r.group), tableWidth: 'flex', colour: (t, r, style) => (r.total ? style.bold(t) : t) },
    { key: 'needed', header: 'NEEDED', get: (r) => r.needed },
    { key: 'answered', header: 'ANSWERED', get: (r) => r.answered },
    { key: 'answeredShare', header: 'ANSWERED %', get: (r) => percent(r.answeredShare) },
    { key: 'unknown', header: 'UNKNOWN', get: (r) => r.unknown },
    { key: 'unknownShare', header: 'UNKNOWN %', get: (r) => percent(r.unknownShare) },
    { key: 'median', header: 'MEDIAN FIRST REPLY', get: (r) => duration(r.medianFirstResponseSeconds) },
    { key: 'p90', header: 'P90 FIRST REPLY', get: (r) => duration(r.p90FirstResponseSeconds) },
  ]
}

function byFlag(value: unknown): ResponseStatsBy | undefined {
  if (value === undefined) return undefined
  const by = String(value)
  if (!(RESPONSE_STATS_BY as readonly string[]).includes(by)) {
    throw new UsageError(`--by must be one of ${RESPONSE_STATS_BY.join(', ')} (got "${by}")`)
  }
  return by as ResponseStatsBy
}

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const report = args[0] ?? ''
  if (!(STATS_REPORTS as readonly string[]).includes(report)) {
    throw new UsageError(`unknown report "${report}"; use one of ${STATS_REPORTS.join(', ')}`)
  }
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.stats.formats)
  const by = byFlag(opts.by)
  const now = ctx.deps.now()
  // No --since: the app's 30 days, measured from the same `now` as the window's end.
  const since = timeFlag('--since', opts.since, now)
  const until = timeFlag('--until', opts.until, now)
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until must be later than --since')
  const brands = listFlag(opts.brand)
  const sources = listFlag(opts.source)
  const stats: ResponseStats = await responseStats(ctx.deps, {
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(brands ? { brands } : {}),
    ...(sources ? { sources } : {}),
    ...(by ? { by } : {}),
  })
  const writer = createWriter<Line>({
    format,
    columns,
    tableColumns: tableColumns(stats.by),
    ...listWriterContext(ctx, { emptyNote: 'No mentions needed an answer in this window.' }),
  })
  // Nothing needed an answer: json still states the zero total (a document, and zero is an
  // answer); the line formats print nothing, as every list does, so cron stays quiet.
  const empty = stats.rows.every((r) => r.needed === 0)
  if (!empty || format === 'json') {
    const window = { by: stats.by, since: new Date(stats.since).toISOString(), until: new Date(stats.until).toISOString() }
    for (const r of stats.rows) writer.write({ ...r, ...window })
  }
  writer.end()
  return 0
}
