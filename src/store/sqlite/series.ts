// Mention counts per brand per bucket of created_at (`mentions spikes`): one statement per
// call, one scan of the window on the created_at index, whatever the number of brands or
// buckets. Empty buckets are not rows; the detector fills them with zeros.
import type { Statement } from 'better-sqlite3'
import type { BrandSeries, SeriesFilter, SeriesRepo } from '../types.js'
import { storeFailure, type Db } from './open.js'

interface Row {
  brand: string
  start: number
  total: number
  negative: number
  first_at: number
}

function countsSql(f: SeriesFilter): { sql: string; args: Record<string, unknown> } {
  const args: Record<string, unknown> = { from: f.from, to: f.to, bucket: f.bucketMs }
  const brandList = f.brands?.length ? f.brands.map((_, i) => `@brand${i}`).join(', ') : undefined
  f.brands?.forEach((b, i) => (args[`brand${i}`] = b))
  // A bucket starts at a whole multiple of the width. `%` works in integers whatever the
  // binding's type (better-sqlite3 may bind a number as REAL, and `/` would then not floor);
  // created_at is never before 1970 in practice, where `%` would round toward zero.
  // The first mention is looked up over all time, not the window: a brand quiet for the whole
  // window but watched for months has that history; only brands with counts are looked up.
  const sql = `
  WITH counted AS (
    SELECT b.brand AS brand, m.created_at - m.created_at % @bucket AS start,
      count(*) AS total, coalesce(sum(m.sentiment_label = 'negative'), 0) AS negative
    FROM mentions m JOIN mention_brands b ON b.mention_id = m.id
    WHERE m.is_own = 0 AND m.created_at >= @from AND m.created_at < @to
      ${brandList ? `AND b.brand COLLATE NOCASE IN (${brandList})` : ''}
    GROUP BY b.brand, start
  ),
  brands AS (SELECT DISTINCT brand FROM counted)
  SELECT c.brand, c.start, c.total, c.negative, f.first_at
  FROM counted c JOIN (
    -- Per brand, the oldest mention by walking the created_at index from the start until one
    -- of the brand's rows turns up: a grouped min() over every row of a busy brand took seconds
    -- at a million mentions.
    SELECT d.brand, (
      SELECT m.created_at FROM mentions m
      WHERE m.is_own = 0 AND EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand = d.brand)
      ORDER BY m.created_at, m.id LIMIT 1
    ) AS first_at FROM brands d
  ) f ON f.brand = c.brand
  ORDER BY c.brand, c.start`
  return { sql, args }
}

export function seriesRepo(db: Db, file: string): SeriesRepo {
  // The statement depends only on how many brands are asked for.
  const prepared = new Map<string, Statement<[Record<string, unknown>], Row>>()
  return {
    counts: async (f) => {
      try {
        const { sql, args } = countsSql(f)
        let stmt = prepared.get(sql)
        if (!stmt) prepared.set(sql, (stmt = db.prepare<[Record<string, unknown>], Row>(sql)))
        const out: BrandSeries[] = []
        for (const r of stmt.all(args)) {
          let s = out[out.length - 1]
          if (s?.brand !== r.brand) out.push((s = { brand: r.brand, firstAt: r.first_at, buckets: [] }))
          s.buckets.push({ start: r.start, total: r.total, negative: r.negative })
        }
        return out
      } catch (err) {
        throw storeFailure(err, file)
      }
    },
  }
}
