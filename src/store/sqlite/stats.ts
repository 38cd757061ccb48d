// Response metrics on SQLite (`mentions stats responses`): one statement per call, whatever
// the window, so the cost is one scan of the window on the created_at index, not one query
// per mention or per group.
import type { Statement } from 'better-sqlite3'
import type { ResponseStatsBy, ResponseStatsFilter, ResponseStatsRow, StatsRepo } from '../types.js'
import { storeFailure, type Db } from './open.js'

interface Row {
  is_total: number
  grp: string | null
  needed: number
  answered: number
  unknown: number
  n_answered: number | null
  p50_lo: number | null
  p50_hi: number | null
  p90_lo: number | null
  p90_hi: number | null
}

// A mention needed an answer when it is someone else's (is_own = 0), about one of our own
// brands (competitor = 0), not put aside (triage state 'ignored'), and asks or complains:
// intent complaint or question, or negative sentiment. Done and snoozed ones still count:
// they needed an answer whether or not they got one.
const NEEDED = `m.is_own = 0 AND m.competitor = 0
    AND (t.state IS NULL OR t.state <> 'ignored')
    AND (m.intent IN ('complaint', 'question') OR m.sentiment_label = 'negative')`

const GROUP_KEY: Record<ResponseStatsBy, string> = {
  source: 'n.source',
  assignee: 'n.assignee',
  brand: 'b.brand',
}

// Percentiles are percentile_cont's (linear between the two nearest ranks, as PostgreSQL
// computes them), so another engine can use its own and agree to the millisecond. The query
// returns the two ranks around each percentile; interpolation happens in percentileCont.
const rankPair = (p: number, name: string) => `
    max(CASE WHEN delay IS NOT NULL AND rn = CAST(${p} * (n - 1) AS INTEGER) THEN delay END) AS ${name}_lo,
    max(CASE WHEN delay IS NOT NULL AND rn = CAST(${p} * (n - 1) AS INTEGER) + 1 THEN delay END) AS ${name}_hi`

function responsesSql(f: ResponseStatsFilter): { sql: string; args: Record<string, unknown> } {
  const where = [NEEDED, 'm.created_at >= @since']
  const args: Record<string, unknown> = { since: f.since }
  if (f.until !== undefined) {
    where.push('m.created_at <= @until')
    args.until = f.until
  }
  if (f.sources?.length) {
    where.push(`m.source IN (${f.sources.map((_, i) => `@source${i}`).join(', ')})`)
    f.sources.forEach((s, i) => (args[`source${i}`] = s))
  }
  const brandList = f.brands?.length ? f.brands.map((_, i) => `@brand${i}`).join(', ') : undefined
  if (brandList) {
    where.push(`EXISTS (SELECT 1 FROM mention_brands fb WHERE fb.mention_id = m.id AND fb.brand COLLATE NOCASE IN (${brandList}))`)
    f.brands?.forEach((b, i) => (args[`brand${i}`] = b))
  }
  // A mention under two brands counts once in each brand's row and once in the total. With
  // --brand, only the brands asked for get a row.
  const groups = f.by
    ? `SELECT 0 AS is_total, ${GROUP_KEY[f.by]} AS grp, n.answerable, n.created_at, n.first_reply FROM needed n
       ${f.by === 'brand' ? `JOIN mention_brands b ON b.mention_id = n.id${brandList ? ` AND b.brand COLLATE NOCASE IN (${brandList})` : ''}` : ''}
       UNION ALL `
    : ''
  const sql = `
  WITH needed AS MATERIALIZED (
    SELECT m.id, m.source, m.created_at, m.answerable, t.assignee,
      (SELECT min(r.replied_at) FROM replies r WHERE r.mention_id = m.id) AS first_reply
    FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id
    WHERE ${where.join(' AND ')}
  ),
  keyed AS (
    ${groups}SELECT 1 AS is_total, NULL AS grp, n.answerable, n.created_at, n.first_reply FROM needed n
  ),
  timed AS (
    -- A reply stamped before the post (clock skew between sources) is an instant answer, not a negative one.
    SELECT is_total, grp, answerable, first_reply,
      CASE WHEN first_reply IS NOT NULL THEN max(first_reply - created_at, 0) END AS delay
    FROM keyed
  ),
  ranked AS (
    SELECT *,
      row_number() OVER (PARTITION BY is_total, grp, delay IS NULL ORDER BY delay) - 1 AS rn,
      count(*) OVER (PARTITION BY is_total, grp, delay IS NULL) AS n
    FROM timed
  )
  SELECT is_total, grp, count(*) AS needed, count(delay) AS answered,
    coalesce(sum(delay IS NULL AND answerable = 0), 0) AS unknown,
    max(CASE WHEN delay IS NOT NULL THEN n END) AS n_answered,${rankPair(0.5, 'p50')},${rankPair(0.9, 'p90')}
  FROM ranked
  GROUP BY is_total, grp
  ORDER BY is_total, needed DESC, grp`
  return { sql, args }
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

export function statsRepo(db: Db, file: string): StatsRepo {
  const run = async <T>(work: () => T): Promise<T> => {
    try {
      return work()
    } catch (err) {
      throw storeFailure(err, file)
    }
  }
  // The statement depends only on which filters are present and how many values each has.
  const prepared = new Map<string, Statement<[Record<string, unknown>], Row>>()
  return {
    responses: (f) =>
      run(() => {
        const { sql, args } = responsesSql(f)
        let stmt = prepared.get(sql)
        if (!stmt) prepared.set(sql, (stmt = db.prepare<[Record<string, unknown>], Row>(sql)))
        const rows = stmt.all(args).map(
          (r): ResponseStatsRow => ({
            group: r.is_total ? null : r.grp,
            total: r.is_total === 1,
            needed: r.needed,
            answered: r.answered,
            unknown: r.unknown,
            medianFirstResponseMs: percentileCont(0.5, r.n_answered, r.p50_lo, r.p50_hi),
            p90FirstResponseMs: percentileCont(0.9, r.n_answered, r.p90_lo, r.p90_hi),
          }),
        )
        // An empty window still has its total: zero needed, nothing answered.
        return rows.some((r) => r.total) ? rows : [...rows, { ...emptyTotal }]
      }),
  }
}
