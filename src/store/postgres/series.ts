// Mention counts per brand per bucket of created_at (`mentions spikes`) on PostgreSQL: the
// SQLite engine's answer (src/store/sqlite/series.ts), one statement per call. Empty buckets
// are not rows; the detector fills them with zeros.
import type { BrandSeries, SeriesFilter, SeriesRepo } from '../types.js'
import { bucketStart, nocaseIn, params, type Params } from './analytics-sql.js'
import type { Pg } from './open.js'

interface Row {
  brand: string
  start: number
  total: number
  negative: number
  first_at: number
}

const HOUR = 3_600_000

/** Brand rows joined to their mentions (not own posts) said in [from, to), counted one each. */
function fromRows(f: SeriesFilter, p: Params, from: number, to: number, bucket: string): string {
  const brands = f.brands?.length ? nocaseIn('b.brand', f.brands, p) : undefined
  return `SELECT b.brand, ${bucketStart('m.created_at', bucket)}, 1, (m.sentiment_label = 'negative')::int
    FROM mentions m JOIN mention_brands b ON b.mention_id = m.id
    WHERE NOT m.is_own AND m.created_at >= ${p.big(from)} AND m.created_at < ${p.big(to)}${brands ? ` AND ${brands}` : ''}`
}

/**
 * The counts to group, per brand and bucket start. A bucket a whole number of hours wide starts
 * on an hour, so the window's whole hours come from mention_hours (migration 4: a few hundred
 * rows for four weeks, where the rows were every mention of them joined to every brand row)
 * and only the partial hours at either end from the rows, as the SQLite engine reads them.
 */
function countedSql(f: SeriesFilter, p: Params, bucket: string): string {
  const lo = Math.ceil(f.from / HOUR) * HOUR
  const hi = Math.floor(f.to / HOUR) * HOUR
  if (f.bucketMs % HOUR !== 0 || lo >= hi) return fromRows(f, p, f.from, f.to, bucket)
  const hourBrands = f.brands?.length ? ` AND ${nocaseIn('h.brand', f.brands, p)}` : ''
  const parts = [
    `SELECT h.brand, ${bucketStart('h.hour', bucket)}, h.total, h.negative FROM mention_hours h
      WHERE h.hour >= ${p.big(lo)} AND h.hour < ${p.big(hi)} AND h.total > 0${hourBrands}`,
  ]
  if (f.from < lo) parts.push(fromRows(f, p, f.from, lo, bucket))
  if (hi < f.to) parts.push(fromRows(f, p, hi, f.to, bucket))
  return parts.join(' UNION ALL ')
}

function countsSql(f: SeriesFilter): { sql: string; values: unknown[] } {
  const p = params()
  // SQLite's `%` takes the width as an integer, truncated.
  const bucket = p.big(Math.trunc(f.bucketMs))
  // Per brand, its first mention over all time, not the window: the hourly counts name the
  // hour it fell in (a walk of the created_at index testing each row's brands reached far back
  // for a brand seldom mentioned), and the rows of that hour say when. An hour key is within
  // an hour of the times it counts, whichever way `%` rounds, so the range around it holds
  // the first.
  const sql = `
  WITH counted AS (
    SELECT c.brand, c.start, sum(c.total)::bigint AS total, sum(c.negative)::bigint AS negative
    FROM (${countedSql(f, p, bucket)}) AS c (brand, start, total, negative)
    GROUP BY 1, 2 HAVING sum(c.total) > 0
  ),
  first_hours AS (
    SELECT d.brand, (SELECT min(h.hour) FROM mention_hours h WHERE h.brand = d.brand AND h.total > 0) AS hour
    FROM (SELECT DISTINCT brand FROM counted) d
  ),
  firsts AS (
    SELECT f.brand, (
      SELECT m.created_at FROM mentions m
      WHERE NOT m.is_own AND m.created_at >= f.hour - ${HOUR} AND m.created_at < f.hour + ${HOUR}
        AND EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand = f.brand)
      ORDER BY m.created_at, m.id LIMIT 1
    ) AS first_at FROM first_hours f
  )
  SELECT c.brand, c.start, c.total, c.negative, f.first_at
  FROM counted c JOIN firsts f ON f.brand = c.brand
  ORDER BY c.brand COLLATE "C", c.start`
  return { sql, values: p.values }
}

export function seriesRepo(pg: Pg): SeriesRepo {
  return {
    async counts(f) {
      const { sql, values } = countsSql(f)
      const out: BrandSeries[] = []
      for (const r of await pg.query<Row>(sql, values)) {
        let s = out[out.length - 1]
        if (s?.brand !== r.brand) out.push((s = { brand: r.brand, firstAt: r.first_at, buckets: [] }))
        s.buckets.push({ start: r.start, total: r.total, negative: r.negative })
      }
      return out
    },
  }
}
