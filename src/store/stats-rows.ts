// What both engines' stats statements return, and how a row becomes the StatsRepo's answer:
// the SQL differs per engine, the row it yields does not, nor the arithmetic done on it here.
import type { OverviewStatsRow, ResponseStatsRow } from './types.js'

export interface ResponseFigures {
  needed: number
  answered: number
  unknown: number
  n_answered: number | null
  p50_lo: number | null
  p50_hi: number | null
  p90_lo: number | null
  p90_hi: number | null
}

export interface StatsRow extends ResponseFigures {
  is_total: number
  grp: string | null
}

export interface OverviewRow extends StatsRow {
  mentions: number
  negative: number
  neutral: number
  positive: number
  complaints: number
  questions: number
  ours: number | null
  everyone: number | null
}

/** percentile_cont over a sorted list of n values, given the values at the two ranks around it. */
export function percentileCont(p: number, n: number | null, lo: number | null, hi: number | null): number | null {
  if (!n || lo === null) return null
  const pos = p * (n - 1)
  return lo + (pos - Math.floor(pos)) * ((hi ?? lo) - lo)
}

const emptyTotal: ResponseStatsRow = {
  group: null,
  total: true,
  needed: 0,
  answered: 0,
  unknown: 0,
  medianFirstResponseMs: null,
  p90FirstResponseMs: null,
}

export function responseRow(r: StatsRow): ResponseStatsRow {
  return {
    group: r.is_total ? null : r.grp,
    total: r.is_total === 1,
    needed: r.needed,
    answered: r.answered,
    unknown: r.unknown,
    medianFirstResponseMs: percentileCont(0.5, r.n_answered, r.p50_lo, r.p50_hi),
    p90FirstResponseMs: percentileCont(0.9, r.n_answered, r.p90_lo, r.p90_hi),
  }
}

/** The response rows; an empty window still has its total: zero needed, nothing answered. */
export function responseRows(rows: readonly StatsRow[]): ResponseStatsRow[] {
  const out = rows.map(responseRow)
  return out.some((r) => r.total) ? out : [...out, { ...emptyTotal }]
}

export function overviewRow(r: OverviewRow): OverviewStatsRow {
  return {
    group: r.is_total ? null : r.grp,
    total: r.is_total === 1,
    mentions: r.mentions,
    negative: r.negative,
    neutral: r.neutral,
    positive: r.positive,
    complaints: r.complaints,
    questions: r.questions,
    voice: r.everyone === null ? null : { ours: r.ours ?? 0, all: r.everyone },
    responses: responseRow(r),
  }
}
