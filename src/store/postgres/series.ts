// Mention counts per brand per bucket of created_at (`mentions spikes`) on PostgreSQL: the
// SQLite engine's statement (src/store/sqlite/series.ts), one per call. Empty buckets are not
// rows; the detector fills them with zeros.
import type { BrandSeries, SeriesFilter, SeriesRepo } from '../types.js'
import { bucketStart, nocaseIn, params } from './analytics-sql.js'
import type { Pg } from './open.js'

interface Row {
  brand: string
  start: number
  total: number
  negative: number
  first_at: number
}

function countsSql(f: SeriesFilter): { sql: string; values: unknown[] } {
  const p = params()
  // SQLite's `%` takes the width as an integer, truncated.
  const bucket = p.big(Math.trunc(f.bucketMs))
  const where = ['NOT m.is_own', `m.created_at >= ${p.big(f.from)}`, `m.created_at < ${p.big(f.to)}`]
  if (f.brands?.length) where.push(nocaseIn('b.brand', f.brands, p))
  // The first mention over all time, per brand with counts, by walking the created_at index.
  const sql = `
  WITH counted AS (
    SELECT b.brand AS brand, ${bucketStart('m.created_at', bucket)} AS start,
      count(*) AS total, count(*) FILTER (WHERE m.sentiment_label = 'negative') AS negative
    FROM mentions m JOIN mention_brands b ON b.mention_id = m.id
    WHERE ${where.join(' AND ')}
    GROUP BY b.brand, 2
  ),
  brands AS (SELECT DISTINCT brand FROM counted)
  SELECT c.brand, c.start, c.total, c.negative, f.first_at
  FROM counted c JOIN (
    SELECT d.brand, (
      SELECT m.created_at FROM mentions m
      WHERE NOT m.is_own AND EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand = d.brand)
      ORDER BY m.created_at, m.id LIMIT 1
    ) AS first_at FROM brands d
  ) f ON f.brand = c.brand
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
