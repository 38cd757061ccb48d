// `mentions stats responses`: how much of what needed an answer got one, and how fast.
import type { ResponseStatsBy, ResponseStatsRow } from '../store/index.js'
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
