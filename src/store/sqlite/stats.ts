// Stats on SQLite (`mentions stats overview` and `mentions stats responses`): one statement
// per call, whatever the window, so the cost is one scan of the window on the created_at
// index, not one query per mention or per group.
import type { Statement } from 'better-sqlite3'
import type {
  OverviewStatsBy,
  OverviewStatsFilter,
  ResponseStatsBy,
  ResponseStatsFilter,
  StatsRepo,
} from '../types.js'
import { overviewRow, responseRows, type OverviewRow, type StatsRow } from '../stats-rows.js'
import { storeRunner, type Db } from './open.js'

// A mention needed an answer when it is someone else's (is_own = 0), about one of our own
// brands (competitor = 0), not put aside (triage state 'ignored'), and asks or complains:
// intent complaint or question, or negative sentiment. Done and snoozed ones still count:
// they needed an answer whether or not they got one.
const NEEDED = `m.is_own = 0 AND m.competitor = 0
    AND (t.state IS NULL OR t.state <> 'ignored')
    AND (m.intent IN ('complaint', 'question') OR m.sentiment_label = 'negative')`

type GroupBy = ResponseStatsBy | OverviewStatsBy

// "When it was said", in UTC: created_at is epoch ms. An ISO week belongs to the year of its
// Thursday, and its number is that Thursday's day of the year / 7, rounded up: 2027-01-01 (a
// Friday) is in 2026-W53. Spelled out rather than strftime('%G-W%V'), which needs SQLite 3.46.
const day = (at: string) => `date(${at} / 1000, 'unixepoch')`
const thursday = (at: string) => `date(${at} / 1000, 'unixepoch', '-3 days', 'weekday 4')`
const week = (at: string) =>
  `strftime('%Y', ${thursday(at)}) || '-W' || printf('%02d', (CAST(strftime('%j', ${thursday(at)}) AS INTEGER) - 1) / 7 + 1)`

/** The group's key over a row source `a` (mentions or one of the CTEs; they share column names). */
function groupKey(by: GroupBy, a: string): string {
  switch (by) {
    case 'day':
      return day(`${a}.created_at`)
    case 'week':
      return week(`${a}.created_at`)
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

type Args = Record<string, unknown>

/** `col IN (@name0, @name1 …)` without case, binding the values into args. */
function inList(col: string, name: string, values: readonly string[], args: Args): string {
  values.forEach((v, i) => (args[`${name}${i}`] = v))
  return `${col} COLLATE NOCASE IN (${values.map((_, i) => `@${name}${i}`).join(', ')})`
}

/** The window and source filter every stats query shares, on mentions `m`. */
function windowWhere(f: { since: number; until?: number; sources?: readonly string[] }, args: Args): string[] {
  const where = ['m.created_at >= @since']
  args.since = f.since
  if (f.until !== undefined) {
    where.push('m.created_at <= @until')
    args.until = f.until
  }
  if (f.sources?.length) {
    f.sources.forEach((s, i) => (args[`source${i}`] = s))
    where.push(`m.source IN (${f.sources.map((_, i) => `@source${i}`).join(', ')})`)
  }
  return where
}
// Percentiles are percentile_cont's (linear between the two nearest ranks, as PostgreSQL
// computes them), so another engine can use its own and agree to the millisecond. The query
// returns the two ranks around each percentile; interpolation happens in percentileCont.
const rankPair = (p: number, name: string) => `
    max(CASE WHEN delay IS NOT NULL AND rn = CAST(${p} * (n - 1) AS INTEGER) THEN delay END) AS ${name}_lo,
    max(CASE WHEN delay IS NOT NULL AND rn = CAST(${p} * (n - 1) AS INTEGER) + 1 THEN delay END) AS ${name}_hi`

interface ResponseScope {
  since: number
  until?: number
  sources?: readonly string[]
  brands?: readonly string[]
  by?: GroupBy
}

/**
 * The response figures as CTEs (needed … resp), ending in `resp`: one row per (is_total, grp)
 * with needed, answered, unknown and the ranks around the median and p90. The `responses`
 * report selects from it; the overview joins it onto its own groups, so both reports compute
 * the figures the same way.
 */
function responseCtes(f: ResponseScope, args: Args): string {
  const where = [NEEDED, ...windowWhere(f, args)]
  const brandIn = (col: string) => (f.brands?.length ? inList(col, 'brand', f.brands, args) : undefined)
  const brandFilter = brandIn('fb.brand')
  if (brandFilter) where.push(`EXISTS (SELECT 1 FROM mention_brands fb WHERE fb.mention_id = m.id AND ${brandFilter})`)
  // A mention under two brands counts once in each brand's row and once in the total. With
  // --brand, only the brands asked for get a row.
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
  ),
  resp AS (
    SELECT is_total, grp, count(*) AS needed, count(delay) AS answered,
      coalesce(sum(delay IS NULL AND answerable = 0), 0) AS unknown,
      max(CASE WHEN delay IS NOT NULL THEN n END) AS n_answered,${rankPair(0.5, 'p50')},${rankPair(0.9, 'p90')}
    FROM ranked
    GROUP BY is_total, grp
  )`
}

function responsesSql(f: ResponseStatsFilter): { sql: string; args: Args } {
  const args: Args = {}
  const sql = `WITH ${responseCtes(f, args)}
  SELECT * FROM resp ORDER BY is_total, needed DESC, grp`
  return { sql, args }
}

const COUNTS = `count(*) AS mentions,
      coalesce(sum(sentiment_label = 'negative'), 0) AS negative,
      coalesce(sum(sentiment_label = 'neutral'), 0) AS neutral,
      coalesce(sum(sentiment_label = 'positive'), 0) AS positive,
      coalesce(sum(intent = 'complaint'), 0) AS complaints,
      coalesce(sum(intent = 'question'), 0) AS questions`

/**
 * The overview in one statement. `scope` is someone else's mentions created in the window
 * (the brand's own posts never count); `counted` those of the brands asked for (--brand, else
 * every mention that is not competitor-only); `pairs` every (mention, configured brand) of the
 * scope, for share of voice and the brand rows. A competitor-only mention is in `pairs` only:
 * it counts in share of voice and in its own brand's row, nowhere else.
 *
 * Share of voice counts pairs, so a post naming us and a rival is one voice for each and the
 * brand rows' shares add up to 1: a brand row is that brand's pairs / all pairs in the window;
 * any other row (and the total) is the pairs of the brands asked for (--brand, else our own
 * brands) / all pairs in that group.
 */
function overviewSql(f: OverviewStatsFilter): { sql: string; args: Args } {
  const args: Args = {}
  const resp = responseCtes(f, args)
  const scopeWhere = ['m.is_own = 0', ...windowWhere(f, args)]
  const asked = f.brands?.length ? inList('fb.brand', 'brand', f.brands, args) : undefined
  const countedWhere = asked ? `EXISTS (SELECT 1 FROM mention_brands fb WHERE fb.mention_id = s.id AND ${asked})` : 's.competitor = 0'
  const voice = f.voice
  const ours = voice ? inList('b.brand', 'ours', f.brands?.length ? f.brands : voice.own, args) : 'NULL'
  const configured = voice ? `WHERE ${inList('b.brand', 'brand_all', voice.all, args)}` : ''
  const by = f.by
  const rowBrands = by === 'brand' && f.brands?.length ? `WHERE ${inList('p.brand', 'brand', f.brands, args)}` : ''
  const grouped = !by
    ? ''
    : by === 'brand'
      ? `SELECT 0 AS is_total, p.brand AS grp, ${COUNTS} FROM pairs p ${rowBrands} GROUP BY p.brand UNION ALL `
      : `SELECT 0 AS is_total, ${groupKey(by, 'c')} AS grp, ${COUNTS} FROM counted c GROUP BY grp UNION ALL `
  const voiceGroups = !by
    ? ''
    : by === 'brand'
      ? 'SELECT 0 AS is_total, p.brand AS grp, count(*) AS ours, (SELECT count(*) FROM pairs) AS everyone FROM pairs p GROUP BY p.brand UNION ALL '
      : `SELECT 0 AS is_total, ${groupKey(by, 'p')} AS grp, sum(p.ours) AS ours, count(*) AS everyone FROM pairs p GROUP BY grp UNION ALL `
  const voiced = voice
    ? `${voiceGroups}SELECT 1 AS is_total, NULL AS grp, coalesce(sum(p.ours), 0) AS ours, count(*) AS everyone FROM pairs p`
    : 'SELECT 1 AS is_total, NULL AS grp, NULL AS ours, NULL AS everyone'
  // Brand rows are the brands asked for; other groupings also list a group only rivals spoke
  // in (a source where every mention is competitor-only: no mentions, a share of voice of 0).
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
  grouped AS (${grouped}SELECT 1 AS is_total, NULL AS grp, ${COUNTS} FROM counted),
  voiced AS (${voiced}),
  keys AS (${keys})
  SELECT k.is_total, k.grp,
    coalesce(g.mentions, 0) AS mentions, coalesce(g.negative, 0) AS negative, coalesce(g.neutral, 0) AS neutral,
    coalesce(g.positive, 0) AS positive, coalesce(g.complaints, 0) AS complaints, coalesce(g.questions, 0) AS questions,
    v.ours, v.everyone,
    coalesce(r.needed, 0) AS needed, coalesce(r.answered, 0) AS answered, coalesce(r.unknown, 0) AS unknown,
    r.n_answered, r.p50_lo, r.p50_hi, r.p90_lo, r.p90_hi
  FROM keys k
  LEFT JOIN grouped g ON g.is_total = k.is_total AND g.grp IS k.grp
  LEFT JOIN voiced v ON v.is_total = k.is_total AND v.grp IS k.grp
  LEFT JOIN resp r ON r.is_total = k.is_total AND r.grp IS k.grp
  ORDER BY k.is_total, mentions DESC, k.grp`
  return { sql, args }
}

export function statsRepo(db: Db, file: string): StatsRepo {
  const run = storeRunner(file)
  // The statement depends only on which filters are present and how many values each has.
  const prepared = new Map<string, Statement<[Args], unknown>>()
  const all = <R>({ sql, args }: { sql: string; args: Args }): R[] => {
    let stmt = prepared.get(sql)
    if (!stmt) prepared.set(sql, (stmt = db.prepare<[Args], unknown>(sql)))
    return stmt.all(args) as R[]
  }
  return {
    responses: (f) =>
      run(() => {
        return responseRows(all<StatsRow>(responsesSql(f)))
      }),
    // The total row always comes back: `grouped` ends in an aggregate with no GROUP BY.
    overview: (f) =>
      run(() =>
        all<OverviewRow>(overviewSql(f)).map(overviewRow),
      ),
  }
}
