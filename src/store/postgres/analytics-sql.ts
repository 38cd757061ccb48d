// SQL pieces the PostgreSQL stats, series and digest repositories share, each written so the
// answer is the SQLite engine's to the row and to the bit: SQLite compares text byte by byte,
// sorts NULL before every value, folds case in ASCII only (NOCASE) and keeps UTC days.

/** Positional parameters ($1, $2 …) collected while a statement is written. */
export interface Params {
  readonly values: unknown[]
  text(v: string): string
  /** Epoch ms, counts and widths: bigint, so the comparison walks the bigint indexes. */
  big(v: number): string
}

export function params(): Params {
  const values: unknown[] = []
  const bind = (v: unknown, type: string) => {
    values.push(v)
    return `$${values.length}::${type}`
  }
  return { values, text: (v) => bind(v, 'text'), big: (v) => bind(v, 'bigint') }
}

// NOCASE folds A–Z alone; PostgreSQL's lower() under the "C" collation does exactly that,
// where the database's own collation would also fold É to é and match what SQLite does not.
const asciiLower = (v: string) => v.replace(/[A-Z]/g, (c) => c.toLowerCase())

/** `col` is one of `values` without case, as SQLite's `col COLLATE NOCASE IN (…)`. */
export function nocaseIn(col: string, values: readonly string[], p: Params): string {
  // SQLite takes `IN ()` as false; PostgreSQL refuses the syntax.
  if (!values.length) return 'false'
  return `lower(${col} COLLATE "C") IN (${values.map((v) => p.text(asciiLower(v))).join(', ')})`
}

/** An ascending sort key as SQLite orders text: bytewise, NULL first. */
export const textAsc = (col: string) => `${col} COLLATE "C" ASC NULLS FIRST`

const utc = (at: string) => `(timestamp 'epoch' + ${at} * interval '1 millisecond')`
/** The UTC day of epoch ms `at`, YYYY-MM-DD. */
export const utcDay = (at: string) => `to_char(${utc(at)}, 'YYYY-MM-DD')`
/** The ISO week of epoch ms `at` (its Thursday's year), 2026-W48. */
export const isoWeek = (at: string) => `to_char(${utc(at)}, 'IYYY-"W"IW')`

/** The start of the bucket of epoch ms `at`: a whole multiple of the width, as SQLite's integer `%`. */
export const bucketStart = (at: string, width: string) => `${at} - ${at} % ${width}`
