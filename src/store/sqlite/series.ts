// Mention counts per brand per bucket of created_at (`mentions spikes`, the digest's spikes).
// Empty buckets are not rows; the detector fills them with zeros.
import type { Statement } from 'better-sqlite3'
import type { BrandSeries, SeriesFilter, SeriesRepo } from '../types.js'
import { storeFailure, type Db } from './open.js'

interface Row {
  brand: string
  start: number
  total: number
  negative: number
}

type Args = Record<string, unknown>

// Past these, one grouped statement: fewer statements than buckets, fewer columns than brands.
const MAX_RANGE_BUCKETS = 400
const MAX_RANGE_BRANDS = 16

const FROM = 'FROM mentions m JOIN mention_brands b ON b.mention_id = m.id WHERE m.is_own = 0'

/**
 * One statement over the window, grouped by brand and bucket. A bucket starts at a whole
 * multiple of the width. `%` works in integers whatever the binding's type (better-sqlite3 may
 * bind a number as REAL, and `/` would then not floor); created_at is never before 1970 in
 * practice, where `%` would round toward zero.
 */
function groupedSql(brands: number): string {
  return `SELECT b.brand AS brand, m.created_at - m.created_at % @bucket AS start,
      count(*) AS total, coalesce(sum(m.sentiment_label = 'negative'), 0) AS negative
    ${FROM} AND m.created_at >= @from AND m.created_at < @to
      ${brands ? `AND b.brand COLLATE NOCASE IN (${Array.from({ length: brands }, (_, i) => `@brand${i}`).join(', ')})` : ''}
    GROUP BY b.brand, start ORDER BY b.brand, start`
}

/**
 * One statement per bucket, a column pair per stored brand: the grouped statement sorted every
 * row of the window (80k rows for the digest's 28 days at a million mentions) in a temporary
 * b-tree to group them, while a range of the created_at index with sums needs no sort at all.
 */
function rangeSql(names: number): string {
  const cols = Array.from({ length: names }, (_, i) => `coalesce(sum(b.brand = @name${i}), 0), coalesce(sum(b.brand = @name${i} AND m.sentiment_label = 'negative'), 0)`)
  // CROSS JOIN keeps mentions outside, and no brand list is offered as a constraint: given one,
  // the planner started from every mention_brands row of those brands, over all time, once per
  // bucket, or probed the key once per listed brand. A brand not asked for adds to no sum.
  return `SELECT ${cols.join(', ')} FROM mentions m CROSS JOIN mention_brands b ON b.mention_id = m.id
    WHERE m.is_own = 0 AND m.created_at >= @lo AND m.created_at < @hi`
}

const HOUR = 3_600_000

/**
 * Whole hours of the window from mention_hours (migration 7), summed into buckets: a bucket
 * that is a whole number of hours starts on an hour, so every bucket is whole hours but for
 * where the window itself starts or ends inside one.
 */
function hoursSql(brands: number): string {
  return `SELECT brand, hour - hour % @bucket AS start, sum(total) AS total, sum(negative) AS negative
    FROM mention_hours WHERE hour >= @lo AND hour < @hi AND total > 0
      ${brands ? `AND brand COLLATE NOCASE IN (${Array.from({ length: brands }, (_, i) => `@brand${i}`).join(', ')})` : ''}
    GROUP BY brand, start ORDER BY brand, start`
}

/** The hourly counts' rows and the partial hours' rows added per (brand, bucket), in the grouped order: brand (BINARY), then bucket. */
function addRows(parts: readonly Row[][]): Row[] {
  const byKey = new Map<string, Row>()
  for (const rows of parts) {
    for (const r of rows) {
      const key = `${r.brand}\u0000${r.start}`
      const had = byKey.get(key)
      if (had) {
        had.total += r.total
        had.negative += r.negative
      } else byKey.set(key, { ...r })
    }
  }
  return [...byKey.values()].sort((a, b) => (a.brand < b.brand ? -1 : a.brand > b.brand ? 1 : a.start - b.start))
}

// SQLite's NOCASE folds ASCII letters only.
const nocase = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase())

export function seriesRepo(db: Db, file: string): SeriesRepo {
  // Statements depend only on how many brands there are.
  const prepared = new Map<string, Statement<[Args], unknown>>()
  const statement = (sql: string) => {
    let stmt = prepared.get(sql)
    if (!stmt) prepared.set(sql, (stmt = db.prepare<[Args], unknown>(sql)))
    return stmt
  }
  // The stored brand names, by seeking the (brand, mention_id) key from one name to the next:
  // a handful of lookups instead of a DISTINCT over every row.
  const storedBrands = (): string[] => {
    const next = statement('SELECT brand FROM mention_brands WHERE brand > @after ORDER BY brand LIMIT 1').pluck(true)
    const out: string[] = []
    for (let b = next.get({ after: '' }) as string | undefined; b !== undefined && out.length <= MAX_RANGE_BRANDS; b = next.get({ after: b }) as string | undefined) out.push(b)
    return out
  }
  // Per brand, its oldest mention over all time, not the window: a brand quiet for the whole
  // window but watched for months has that history. The hourly counts name the hour it fell in
  // (a grouped min() over every row of a busy brand took seconds at a million mentions), and
  // the created_at index within that hour says when.
  const firstAt = (brand: string): number => {
    const hour = statement('SELECT min(hour) FROM mention_hours WHERE brand = @brand AND total > 0').pluck(true).get({ brand }) as number | null
    return statement(`SELECT m.created_at FROM mentions m
      WHERE m.is_own = 0 AND m.created_at >= @lo AND m.created_at < @hi
        AND EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand = @brand)
      ORDER BY m.created_at, m.id LIMIT 1`)
      .pluck(true)
      .get({ brand, lo: hour ?? Number.MIN_SAFE_INTEGER, hi: hour === null ? Number.MAX_SAFE_INTEGER : hour + HOUR }) as number
  }

  const grouped = (f: SeriesFilter): Row[] => {
    const args: Args = { from: f.from, to: f.to, bucket: f.bucketMs }
    f.brands?.forEach((b, i) => (args[`brand${i}`] = b))
    return statement(groupedSql(f.brands?.length ?? 0)).all(args) as Row[]
  }
  const ranged = (f: SeriesFilter, names: string[]): Row[] => {
    const args: Args = {}
    names.forEach((n, i) => (args[`name${i}`] = n))
    const stmt = statement(rangeSql(names.length)).raw(true)
    const out: Row[][] = names.map(() => [])
    for (let start = f.from - (f.from % f.bucketMs); start < f.to; start += f.bucketMs) {
      const sums = stmt.get({ ...args, lo: Math.max(start, f.from), hi: Math.min(start + f.bucketMs, f.to) }) as number[]
      names.forEach((brand, i) => {
        const total = sums[2 * i] as number
        if (total > 0) out[i]?.push({ brand, start, total, negative: sums[2 * i + 1] as number })
      })
    }
    // Ordered as the grouped statement orders them: by brand (BINARY), then bucket.
    return out.flat()
  }

  // From the rows themselves: one statement per bucket, or one grouped over the window.
  const fromRows = (f: SeriesFilter): Row[] => {
    const buckets = (f.to - (f.from - (f.from % f.bucketMs))) / f.bucketMs
    if (buckets > MAX_RANGE_BUCKETS) return grouped(f)
    const asked = f.brands?.length ? f.brands.map(nocase) : undefined
    const stored = storedBrands()
    const names = asked ? stored.filter((b) => asked.includes(nocase(b))) : stored
    return stored.length > MAX_RANGE_BRANDS ? grouped(f) : names.length ? ranged(f, names) : []
  }
  // Whole hours from mention_hours, the partial hours at either end from the rows.
  const fromHours = (f: SeriesFilter): Row[] => {
    const lo = Math.ceil(f.from / HOUR) * HOUR
    const hi = Math.floor(f.to / HOUR) * HOUR
    if (lo >= hi) return fromRows(f)
    const args: Args = { lo, hi, bucket: f.bucketMs }
    f.brands?.forEach((b, i) => (args[`brand${i}`] = b))
    const parts = [statement(hoursSql(f.brands?.length ?? 0)).all(args) as Row[]]
    if (f.from < lo) parts.push(fromRows({ ...f, to: lo }))
    if (hi < f.to) parts.push(fromRows({ ...f, from: hi }))
    return parts.length === 1 ? (parts[0] as Row[]) : addRows(parts)
  }

  return {
    counts: async (f) => {
      try {
        const rows = f.bucketMs % HOUR === 0 ? fromHours(f) : fromRows(f)
        const out: BrandSeries[] = []
        for (const r of rows) {
          let s = out[out.length - 1]
          if (s?.brand !== r.brand) out.push((s = { brand: r.brand, firstAt: firstAt(r.brand), buckets: [] }))
          s.buckets.push({ start: r.start, total: r.total, negative: r.negative })
        }
        return out
      } catch (err) {
        throw storeFailure(err, file)
      }
    },
  }
}
