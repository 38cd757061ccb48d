const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR
const YEAR = 365 * DAY

/**
 * Compact age for tables: "42s", "5m", "3h", "2d", "1y" (floored). Days run up to a year:
 * "45d" sorts and compares at a glance better than mixing in weeks or months.
 * A time in the future (clock skew between us and the upstream) reads as "0s".
 */
export function formatAge(thenMs: number, nowMs: number): string {
  if (!Number.isFinite(thenMs) || !Number.isFinite(nowMs)) return ''
  const age = Math.max(0, nowMs - thenMs)
  if (age < MINUTE) return `${Math.floor(age / SECOND)}s`
  if (age < HOUR) return `${Math.floor(age / MINUTE)}m`
  if (age < DAY) return `${Math.floor(age / HOUR)}h`
  if (age < YEAR) return `${Math.floor(age / DAY)}d`
  return `${Math.floor(age / YEAR)}y`
}
