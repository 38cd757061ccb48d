// Spike counts straight from the tables, for tests of the store's faster ways to the same figures.
import Database from 'better-sqlite3'
import type { BrandSeries } from '../../src/store/types.js'

/** The counts straight from the table, grouped over the whole window. */
export function seriesOracle(file: string, from: number, to: number, bucket: number, brands?: string[]): BrandSeries[] {
  const db = new Database(file, { readonly: true })
  const filter = brands?.length ? `AND b.brand COLLATE NOCASE IN (${brands.map(() => '?').join(', ')})` : ''
  const rows = db
    .prepare(`SELECT b.brand AS brand, m.created_at - m.created_at % ? AS start, count(*) AS total, sum(m.sentiment_label = 'negative') AS negative
      FROM mentions m JOIN mention_brands b ON b.mention_id = m.id
      WHERE m.is_own = 0 AND m.created_at >= ? AND m.created_at < ? ${filter} GROUP BY brand, start ORDER BY brand, start`)
    .all(bucket, from, to, ...(brands?.length ? brands : [])) as { brand: string; start: number; total: number; negative: number }[]
  const first = db.prepare(`SELECT min(m.created_at) FROM mentions m JOIN mention_brands b ON b.mention_id = m.id WHERE m.is_own = 0 AND b.brand = ?`).pluck()
  const out: BrandSeries[] = []
  for (const r of rows) {
    let s = out[out.length - 1]
    if (s?.brand !== r.brand) out.push((s = { brand: r.brand, firstAt: first.get(r.brand) as number, buckets: [] }))
    s.buckets.push({ start: r.start, total: r.total, negative: r.negative })
  }
  db.close()
  return out
}
