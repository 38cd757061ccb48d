// Stats on PostgreSQL (`mentions stats overview` and `mentions stats responses`): the SQLite
// engine's statements (src/store/sqlite/stats.ts) in PostgreSQL's terms, one per call. The
// median and p90 are interpolated in TypeScript from the two ranks around them, as the SQLite
// engine does, so both give the same millisecond to the last bit.
import type {
  OverviewStatsBy,
  OverviewStatsFilter,
  ResponseStatsBy,
  ResponseStatsFilter,
  StatsRepo,
} from '../types.js'
import { overviewRow, responseRows, type OverviewRow, type StatsRow } from '../stats-rows.js'
import { isoWeek, nocaseIn, params, textAsc, utcDay, type Params } from './analytics-sql.js'
import type { Pg } from './open.js'

// Needed an answer: as the SQLite engine defines it (someone else's, about our own brands, not
// put aside, and a complaint, a question or negative).
const NEEDED = `NOT m.is_own AND NOT m.competitor
    AND (t.state IS NULL OR t.state <> 'ignored')
    AND (m.intent IN ('complaint', 'question') OR m.sentiment_label = 'negative')`

type GroupBy = ResponseStatsBy | OverviewStatsBy

/** The group's key over a row source `a` (mentions or one of the CTEs; they share column names). */
function groupKey(by: GroupBy, a: string): string {
  switch (by) {
    case 'day':
      return utcDay(`${a}.created_at`)
    case 'week':
      return isoWeek(`${a}.created_at`)
    case 'source':
      return `${a}.source`
    case 'intent':
      return `${a}.intent`
    case 'sentiment':
      return `${a}.sentiment_label`
    case 'assignee':
      return `${a}.assignee`
    case 'brand':
      return 'b.brand'
  }
}

/** The window and source filter every stats query shares, on mentions `m`. */
function windowWhere(f: { since: number; until?: number; sources?: readonly string[] }, p: Params): string[] {
  const where = [`m.created_at >= ${p.big(f.since)}`]
  if (f.until !== undefined) where.push(`m.created_at <= ${p.big(f.until)}`)
  if (f.sources?.length) where.push(`m.source IN (${f.sources.map((s) => p.text(s)).join(', ')})`)
  return where
}

// The rank is SQLite's CAST(p * (n - 1) AS INTEGER): a double product, truncated.
const rankPair = (p: number, name: string) => `
    max(CASE WHEN delay IS NOT NULL AND rn = CAST(trunc(${p}::float8 * (n - 1)) AS bigint) THEN delay END) AS ${name}_lo,
    max(CASE WHEN delay IS NOT NULL AND rn = CAST(trunc(${p}::float8 * (n - 1)) AS bigint) + 1 THEN delay END) AS ${name}_hi`

interface ResponseScope {
  since: number
  until?: number
  sources?: readonly string[]
  brands?: readonly string[]
  by?: GroupBy
}

/** The response figures as CTEs ending in `resp`, one row per (is_total, grp), as the SQLite engine's. */
function responseCtes(f: ResponseScope, p: Params): string {
  const where = [NEEDED, ...windowWhere(f, p)]
  const brandIn = (col: string) => (f.brands?.length ? nocaseIn(col, f.brands, p) : undefined)
  const brandFilter = brandIn('fb.brand')
  if (brandFilter) where.push(`EXISTS (SELECT 1 FROM mention_brands fb WHERE fb.mention_id = m.id AND ${brandFilter})`)
  const rowBrand = f.by === 'brand' ? brandIn('b.brand') : undefined
  const groups = f.by
    ? `SELECT 0 AS is_total, ${groupKey(f.by, 'n')} AS grp, n.answerable, n.created_at, n.first_reply FROM needed n
       ${f.by === 'brand' ? `JOIN mention_brands b ON b.mention_id = n.id${rowBrand ? ` AND ${rowBrand}` : ''}` : ''}
       UNION ALL `
    : ''
  return `
  needed AS MATERIALIZED (
    SELECT m.id, m.source, m.created_at, m.answerable, m.intent, m.sentiment_label, t.assignee,
      (SELECT min(r.replied_at) FROM replies r WHERE r.mention_id = m.id) AS first_reply
    FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id
    WHERE ${where.join(' AND ')}
  ),
  keyed AS (
    ${groups}SELECT 1 AS is_total, NULL::text AS grp, n.answerable, n.created_at, n.first_reply FROM needed n
  ),
  timed AS (
    -- A reply stamped before the post (clock skew between sources) is an instant answer, not a negative one.
    SELECT is_total, grp, answerable, first_reply,
      CASE WHEN first_reply IS NOT NULL THEN greatest(first_reply - created_at, 0) END AS delay
    FROM keyed
  ),
  ranked AS (
    SELECT *,
      row_number() OVER (PARTITION BY is_total, grp, delay IS NULL ORDER BY delay) - 1 AS rn,
      count(*) OVER (PARTITION BY is_total, grp, delay IS NULL) AS n
    FROM timed
  ),
  resp AS (
    SELECT is_total, grp, count(*) AS needed, count(delay) AS answered,
      count(*) FILTER (WHERE delay IS NULL AND NOT answerable) AS unknown,
      max(CASE WHEN delay IS NOT NULL THEN n END) AS n_answered,${rankPair(0.5, 'p50')},${rankPair(0.9, 'p90')}
    FROM ranked
    GROUP BY is_total, grp
  )`
}

function responsesSql(f: ResponseStatsFilter): { sql: string; values: unknown[] } {
  const p = params()
  const sql = `WITH ${responseCtes(f, p)}
  SELECT * FROM resp ORDER BY is_total, needed DESC, ${textAsc('grp')}`
  return { sql, values: p.values }
}

const COUNTS = `count(*) AS mentions,
      count(*) FILTER (WHERE sentiment_label = 'negative') AS negative,
      count(*) FILTER (WHERE sentiment_label = 'neutral') AS neutral,
      count(*) FILTER (WHERE sentiment_label = 'positive') AS positive,
      count(*) FILTER (WHERE intent = 'complaint') AS complaints,
      count(*) FILTER (WHERE intent = 'question') AS questions`

/** The overview in one statement: scope, counted and pairs as the SQLite engine defines them. */
function overviewSql(f: OverviewStatsFilter): { sql: string; values: unknown[] } {
  const p = params()
  const resp = responseCtes(f, p)
  const scopeWhere = ['NOT m.is_own', ...windowWhere(f, p)]
  const asked = f.brands?.length ? nocaseIn('fb.brand', f.brands, p) : undefined
  const countedWhere = asked ? `EXISTS (SELECT 1 FROM mention_brands fb WHERE fb.mention_id = s.id AND ${asked})` : 'NOT s.competitor'
  const voice = f.voice
  const ours = voice ? nocaseIn('b.brand', f.brands?.length ? f.brands : voice.own, p) : 'NULL::boolean'
  const configured = voice ? `WHERE ${nocaseIn('b.brand', voice.all, p)}` : ''
  const by = f.by
  const rowBrands = by === 'brand' && f.brands?.length ? `WHERE ${nocaseIn('p.brand', f.brands, p)}` : ''
  const grouped = !by
    ? ''
    : by === 'brand'
      ? `SELECT 0 AS is_total, p.brand AS grp, ${COUNTS} FROM pairs p ${rowBrands} GROUP BY p.brand UNION ALL `
      : `SELECT 0 AS is_total, ${groupKey(by, 'c')} AS grp, ${COUNTS} FROM counted c GROUP BY 2 UNION ALL `
  const voiceGroups = !by
    ? ''
    : by === 'brand'
      ? 'SELECT 0 AS is_total, p.brand AS grp, count(*) AS ours, (SELECT count(*) FROM pairs) AS everyone FROM pairs p GROUP BY p.brand UNION ALL '
      : `SELECT 0 AS is_total, ${groupKey(by, 'p')} AS grp, count(*) FILTER (WHERE p.ours) AS ours, count(*) AS everyone FROM pairs p GROUP BY 2 UNION ALL `
  const voiced = voice
    ? `${voiceGroups}SELECT 1 AS is_total, NULL::text AS grp, count(*) FILTER (WHERE p.ours) AS ours, count(*) AS everyone FROM pairs p`
    : 'SELECT 1 AS is_total, NULL::text AS grp, NULL::bigint AS ours, NULL::bigint AS everyone'
  // As on SQLite: groupings other than brand also list a group only rivals spoke in.
  const keys = by && by !== 'brand' && voice ? 'SELECT is_total, grp FROM grouped UNION SELECT is_total, grp FROM voiced' : 'SELECT is_total, grp FROM grouped'
  const sql = `WITH ${resp},
  scope AS MATERIALIZED (
    SELECT m.id, m.created_at, m.source, m.intent, m.sentiment_label, m.competitor FROM mentions m
    WHERE ${scopeWhere.join(' AND ')}
  ),
  counted AS (SELECT * FROM scope s WHERE ${countedWhere}),
  pairs AS MATERIALIZED (
    SELECT s.*, b.brand, ${ours} AS ours FROM scope s JOIN mention_brands b ON b.mention_id = s.id ${configured}
  ),
  grouped AS (${grouped}SELECT 1 AS is_total, NULL::text AS grp, ${COUNTS} FROM counted),
  voiced AS (${voiced}),
  keys AS (${keys})
  SELECT k.is_total, k.grp,
    coalesce(g.mentions, 0) AS mentions, coalesce(g.negative, 0) AS negative, coalesce(g.neutral, 0) AS neutral,
    coalesce(g.positive, 0) AS positive, coalesce(g.complaints, 0) AS complaints, coalesce(g.questions, 0) AS questions,
    v.ours, v.everyone,
    coalesce(r.needed, 0) AS needed, coalesce(r.answered, 0) AS answered, coalesce(r.unknown, 0) AS unknown,
    r.n_answered, r.p50_lo, r.p50_hi, r.p90_lo, r.p90_hi
  FROM keys k
  LEFT JOIN grouped g ON g.is_total = k.is_total AND g.grp IS NOT DISTINCT FROM k.grp
  LEFT JOIN voiced v ON v.is_total = k.is_total AND v.grp IS NOT DISTINCT FROM k.grp
  LEFT JOIN resp r ON r.is_total = k.is_total AND r.grp IS NOT DISTINCT FROM k.grp
  ORDER BY k.is_total, mentions DESC, ${textAsc('k.grp')}`
  return { sql, values: p.values }
}

export function statsRepo(pg: Pg): StatsRepo {
  return {
    async responses(f) {
      const { sql, values } = responsesSql(f)
      return responseRows(await pg.query<StatsRow>(sql, values))
    },
    // The total row always comes back: `grouped` ends in an aggregate with no GROUP BY.
    async overview(f) {
      const { sql, values } = overviewSql(f)
      return (await pg.query<OverviewRow>(sql, values)).map(overviewRow)
    },
  }
}
