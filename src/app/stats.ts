// `mentions stats overview`: how much was said, how it felt, whose voice it was, and how the
// team answered, per day, week, source, brand, intent or sentiment. `mentions stats
// responses`: how much of what needed an answer got one, and how fast.
import type { OverviewStatsBy, OverviewStatsRow, ResponseStatsBy, ResponseStatsRow } from '../store/index.js'
import { checkListQuery } from './queues.js'
import type { Deps } from './deps.js'

export const RESPONSE_STATS_BY: readonly ResponseStatsBy[] = ['source', 'brand', 'assignee']

/** The window when no --since is given. */
export const DEFAULT_STATS_WINDOW_MS = 30 * 24 * 3600_000

/** What an assignee group is called when nobody is assigned. */
export const UNASSIGNED = '(unassigned)'

export interface ResponseStatsQuery {
  /** Created at or after (epoch ms); the last 30 days when absent. */
  since?: number
  /** Created at or before (epoch ms); open-ended when absent. */
  until?: number
  brands?: readonly string[]
  sources?: readonly string[]
  by?: ResponseStatsBy
}

export interface ResponseStatsLine {
  /** The source kind, brand or assignee ("(unassigned)"); null on the total row. */
  group: string | null
  total: boolean
  needed: number
  answered: number
  /** Known to have no reply: the source would have shown one. */
  unanswered: number
  /** No reply stored, and none could have been seen. */
  unknown: number
  /** answered / (needed − unknown); null when nothing is known. */
  answeredShare: number | null
  /** unknown / needed; null when nothing was needed. */
  unknownShare: number | null
  /** Whole seconds from the post to the brand's first reply, over the answered ones. */
  medianFirstResponseSeconds: number | null
  p90FirstResponseSeconds: number | null
}

export interface ResponseStats {
  by: ResponseStatsBy | null
  since: number
  /** The end of the window: --until, else now. */
  until: number
  /** One row per group (most needed first) when `by` is set, then the total; the total alone otherwise. */
  rows: ResponseStatsLine[]
}

const seconds = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000))
// Four decimals: a share to 0.01 %, enough for any window, short enough to read in JSON.
const share = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000)

/** A store row as the figures a person reads: shares, seconds, a name for "unassigned". */
export function toLine(r: ResponseStatsRow, by: ResponseStatsBy | null): ResponseStatsLine {
  const known = r.needed - r.unknown
  return {
    group: r.total ? null : r.group ?? (by === 'assignee' ? UNASSIGNED : null),
    total: r.total,
    needed: r.needed,
    answered: r.answered,
    unanswered: known - r.answered,
    unknown: r.unknown,
    answeredShare: share(r.answered, known),
    unknownShare: share(r.unknown, r.needed),
    medianFirstResponseSeconds: seconds(r.medianFirstResponseMs),
    p90FirstResponseSeconds: seconds(r.p90FirstResponseMs),
  }
}

export async function responseStats(deps: Deps, q: ResponseStatsQuery = {}): Promise<ResponseStats> {
  checkListQuery(deps, q)
  const now = deps.now()
  const since = q.since ?? now - DEFAULT_STATS_WINDOW_MS
  const rows = await deps.readStore().stats.responses({
    since,
    ...(q.until !== undefined ? { until: q.until } : {}),
    ...(q.brands?.length ? { brands: q.brands } : {}),
    ...(q.sources?.length ? { sources: q.sources } : {}),
    ...(q.by ? { by: q.by } : {}),
  })
  const by = q.by ?? null
  return { by, since, until: q.until ?? now, rows: rows.map((r) => toLine(r, by)) }
}

export const OVERVIEW_STATS_BY: readonly OverviewStatsBy[] = ['day', 'week', 'source', 'brand', 'intent', 'sentiment']

export interface OverviewStatsQuery {
  /** Created at or after (epoch ms); the last 30 days when absent. */
  since?: number
  /** Created at or before (epoch ms); now when absent. */
  until?: number
  brands?: readonly string[]
  sources?: readonly string[]
  by?: OverviewStatsBy
}

export interface OverviewLine {
  /** The day (2026-11-25), ISO week (2026-W48), source, brand, intent or sentiment; null on the total row. */
  group: string | null
  isTotal: boolean
  /** Mentions created in the window (see the README for which count). */
  total: number
  negative: number
  neutral: number
  positive: number
  /** negative / total; null when there are none. */
  negativeShare: number | null
  complaints: number
  questions: number
  /** Of all configured brands' (mention, brand) pairs in the group; null with no config or no pairs. */
  shareOfVoice: number | null
  /** As in `stats responses`, over the group's mentions that needed an answer. */
  answeredShare: number | null
  medianFirstResponseSeconds: number | null
}

export interface OverviewStats {
  by: OverviewStatsBy | null
  since: number
  until: number
  /** One row per group, then the total; day and week list every bucket of the window, oldest first. */
  rows: OverviewLine[]
}

const DAY_MS = 24 * 3600_000

/** The UTC day of an instant: "2026-11-25". */
export function dayLabel(at: number): string {
  return new Date(at).toISOString().slice(0, 10)
}

/** The ISO week of an instant (UTC; weeks start on Monday, belong to their Thursday's year): "2026-W48". */
export function weekLabel(at: number): string {
  const midnight = Math.floor(at / DAY_MS) * DAY_MS
  const weekday = (new Date(midnight).getUTCDay() + 6) % 7 // Monday 0 … Sunday 6
  const thursday = new Date(midnight + (3 - weekday) * DAY_MS)
  const year = thursday.getUTCFullYear()
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1
  return `${year}-W${String(week).padStart(2, '0')}`
}

/** Every day or ISO week the window [since, until] touches, oldest first, partial ones included. */
export function buckets(by: 'day' | 'week', since: number, until: number): string[] {
  let start = Math.floor(since / DAY_MS) * DAY_MS
  // Weeks start on the Monday of the week `since` falls in.
  if (by === 'week') start -= ((new Date(start).getUTCDay() + 6) % 7) * DAY_MS
  const step = by === 'day' ? DAY_MS : 7 * DAY_MS
  const label = by === 'day' ? dayLabel : weekLabel
  const out: string[] = []
  for (let t = start; t <= until; t += step) out.push(label(t))
  return out
}

function toOverviewLine(r: OverviewStatsRow): OverviewLine {
  const responses = toLine(r.responses, null)
  return {
    group: r.total ? null : r.group,
    isTotal: r.total,
    total: r.mentions,
    negative: r.negative,
    neutral: r.neutral,
    positive: r.positive,
    negativeShare: share(r.negative, r.mentions),
    complaints: r.complaints,
    questions: r.questions,
    shareOfVoice: r.voice ? share(r.voice.ours, r.voice.all) : null,
    answeredShare: responses.answeredShare,
    medianFirstResponseSeconds: responses.medianFirstResponseSeconds,
  }
}

const emptyGroup = (group: string, voice: boolean): OverviewStatsRow => ({
  group,
  total: false,
  mentions: 0,
  negative: 0,
  neutral: 0,
  positive: 0,
  complaints: 0,
  questions: 0,
  voice: voice ? { ours: 0, all: 0 } : null,
  responses: { group, total: false, needed: 0, answered: 0, unknown: 0, medianFirstResponseMs: null, p90FirstResponseMs: null },
})

export async function overviewStats(deps: Deps, q: OverviewStatsQuery = {}): Promise<OverviewStats> {
  checkListQuery(deps, q)
  const now = deps.now()
  const since = q.since ?? now - DEFAULT_STATS_WINDOW_MS
  // Bounded at now, so the day and week buckets and the counts cover the same window.
  const until = q.until ?? now
  const config = deps.maybeConfig()
  const rows = await deps.readStore().stats.overview({
    since,
    until,
    ...(q.brands?.length ? { brands: q.brands } : {}),
    ...(q.sources?.length ? { sources: q.sources } : {}),
    ...(q.by ? { by: q.by } : {}),
    // Which brands are competitors is the config's to say; a database alone cannot tell.
    ...(config ? { voice: { own: config.brands.filter((b) => !b.competitor).map((b) => b.name), all: config.brands.map((b) => b.name) } } : {}),
  })
  const by = q.by ?? null
  if (by !== 'day' && by !== 'week') return { by, since, until, rows: rows.map(toOverviewLine) }
  // Time buckets: every one of the window, empty ones as zeros, so a chart has no gaps.
  const found = new Map(rows.filter((r) => !r.total).map((r) => [r.group, r]))
  const total = rows.filter((r) => r.total)
  const filled = buckets(by, since, until).map((label) => found.get(label) ?? emptyGroup(label, config !== undefined))
  return { by, since, until, rows: [...filled, ...total].map(toOverviewLine) }
}
