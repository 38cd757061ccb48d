// `mentions stats [overview]` and `mentions stats responses`: one row per group, then the total.
import {
  OVERVIEW_STATS_BY,
  overviewStats,
  RESPONSE_STATS_BY,
  responseStats,
  type OverviewLine,
  type ResponseStats,
  type ResponseStatsLine,
} from '../../app/stats.js'
import { UsageError } from '../../errors.js'
import { createWriter, type Column, type Format } from '../../report/render.js'
import type { OverviewStatsBy, ResponseStatsBy } from '../../store/index.js'
import type { CommandContext } from '../context.js'
import { listFlag, timeFlag } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { listWriterContext, resolveFormat } from '../output.js'

/** The first is the default when no report is named. */
export const STATS_REPORTS = ['overview', 'responses'] as const

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

type Window = { since: string; until: string }
type OverviewRow = OverviewLine & { by: OverviewStatsBy | null } & Window

/** tsv, csv and json of the overview: counts, shares as fractions, seconds. A tested contract. */
const overviewColumns: Column<OverviewRow>[] = [
  { key: 'by', header: 'BY', get: (r) => r.by },
  { key: 'group', header: 'GROUP', get: (r) => r.group },
  { key: 'isTotal', header: 'IS TOTAL', get: (r) => r.isTotal },
  { key: 'total', header: 'TOTAL', get: (r) => r.total },
  { key: 'negative', header: 'NEGATIVE', get: (r) => r.negative },
  { key: 'neutral', header: 'NEUTRAL', get: (r) => r.neutral },
  { key: 'positive', header: 'POSITIVE', get: (r) => r.positive },
  { key: 'negativeShare', header: 'NEGATIVE %', get: (r) => r.negativeShare },
  { key: 'complaints', header: 'COMPLAINTS', get: (r) => r.complaints },
  { key: 'questions', header: 'QUESTIONS', get: (r) => r.questions },
  { key: 'shareOfVoice', header: 'SHARE OF VOICE', get: (r) => r.shareOfVoice },
  { key: 'answeredShare', header: 'ANSWERED %', get: (r) => r.answeredShare },
  { key: 'medianFirstResponseSeconds', header: 'MEDIAN', get: (r) => r.medianFirstResponseSeconds },
  { key: 'since', header: 'SINCE', get: (r) => r.since },
  { key: 'until', header: 'UNTIL', get: (r) => r.until },
]

// Short headings: with a day or week in the first column the line fits 100 columns; on a
// narrower terminal the neutral and positive counts go first, then questions and complaints.
function overviewTableColumns(by: OverviewStatsBy | null): Column<OverviewRow>[] {
  return [
    { key: 'group', header: by ? by.toUpperCase() : '', get: (r) => (r.isTotal ? 'total' : r.group), tableWidth: 'flex', colour: (t, r, style) => (r.isTotal ? style.bold(t) : t) },
    { key: 'total', header: 'MENTIONS', get: (r) => r.total },
    { key: 'negative', header: 'NEG', get: (r) => r.negative },
    { key: 'neutral', header: 'NEU', get: (r) => r.neutral, tableDrop: 1 },
    { key: 'positive', header: 'POS', get: (r) => r.positive, tableDrop: 2 },
    { key: 'negativeShare', header: 'NEG %', get: (r) => percent(r.negativeShare) },
    { key: 'complaints', header: 'COMPLAINTS', get: (r) => r.complaints, tableDrop: 4 },
    { key: 'questions', header: 'QUESTIONS', get: (r) => r.questions, tableDrop: 3 },
    { key: 'shareOfVoice', header: 'VOICE %', get: (r) => percent(r.shareOfVoice) },
    { key: 'answeredShare', header: 'ANSWERED %', get: (r) => percent(r.answeredShare) },
    { key: 'median', header: 'MEDIAN REPLY', get: (r) => duration(r.medianFirstResponseSeconds) },
  ]
}

function byFlag<T extends string>(value: unknown, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  const by = String(value)
  if (!(choices as readonly string[]).includes(by)) {
    throw new UsageError(`--by must be one of ${choices.join(', ')} (got "${by}")`)
  }
  return by as T
}

interface WindowFlags {
  since?: number
  until?: number
  brands?: string[]
  sources?: string[]
}

function windowFlags(ctx: CommandContext, opts: Record<string, unknown>): WindowFlags {
  const now = ctx.deps.now()
  // No --since: the app's 30 days, measured from the same `now` as the window's end.
  const since = timeFlag('--since', opts.since, now)
  const until = timeFlag('--until', opts.until, now)
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until must be later than --since')
  const brands = listFlag(opts.brand)
  const sources = listFlag(opts.source)
  return {
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(brands ? { brands } : {}),
    ...(sources ? { sources } : {}),
  }
}

const iso = (s: { since: number; until: number }): Window => ({ since: new Date(s.since).toISOString(), until: new Date(s.until).toISOString() })

async function responses(ctx: CommandContext, format: Format, opts: Record<string, unknown>): Promise<number> {
  const by = byFlag(opts.by, RESPONSE_STATS_BY)
  const stats: ResponseStats = await responseStats(ctx.deps, { ...windowFlags(ctx, opts), ...(by ? { by } : {}) })
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
    const window = { by: stats.by, ...iso(stats) }
    for (const r of stats.rows) writer.write({ ...r, ...window })
  }
  writer.end()
  return 0
}

async function overview(ctx: CommandContext, format: Format, opts: Record<string, unknown>): Promise<number> {
  const by = byFlag(opts.by, OVERVIEW_STATS_BY)
  const stats = await overviewStats(ctx.deps, { ...windowFlags(ctx, opts), ...(by ? { by } : {}) })
  const writer = createWriter<OverviewRow>({
    format,
    columns: overviewColumns,
    tableColumns: overviewTableColumns(stats.by),
    ...listWriterContext(ctx, { emptyNote: 'No mentions in this window.' }),
  })
  // The responses rule: nothing was said (no mention counted, no brand's voice heard), so json
  // states the zeros (every bucket, then the total) and the line formats print nothing.
  const empty = stats.rows.every((r) => r.total === 0 && r.shareOfVoice === null)
  if (!empty || format === 'json') {
    const window = { by: stats.by, ...iso(stats) }
    for (const r of stats.rows) writer.write({ ...r, ...window })
  }
  writer.end()
  return 0
}

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const report = args[0] ?? STATS_REPORTS[0]
  if (!(STATS_REPORTS as readonly string[]).includes(report)) {
    throw new UsageError(`unknown report "${report}"; use one of ${STATS_REPORTS.join(', ')}`)
  }
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.stats.formats)
  return report === 'responses' ? responses(ctx, format, opts) : overview(ctx, format, opts)
}
