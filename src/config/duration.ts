// "30m", "24h", "7d", "2w" → milliseconds, via the `ms` package; and the time bounds of
// `--since` / `--until`, which take either a duration back from now or a date or time.
import ms from 'ms'

/** Milliseconds, or undefined when the text is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim()
  // `ms` reads a bare number as milliseconds; nobody means "--since 7" as 7 ms, so demand a unit.
  if (!/^\d+(\.\d+)?\s*[a-z]+$/i.test(trimmed)) return undefined
  const value = ms(trimmed as ms.StringValue)
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

// YYYY-MM-DD, optionally followed by T (or a space) HH:MM[:SS[.fff]] and a zone (Z, ±HH:MM, ±HHMM).
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * A point in time (epoch ms) from `--since` / `--until` text, or undefined when it is neither:
 * - a duration back from `now`: "7d" is now − 7 days (see parseDuration);
 * - a date, "2026-11-21": 00:00 UTC of that day;
 * - a date and time, "2026-11-21T08:00" or "2026-11-21 08:00:30": read as UTC when it names
 *   no zone (every output prints UTC, and a cron job's time zone should not move a window);
 * - full ISO-8601 with a zone: "2026-11-21T08:00:00Z", "2026-11-21T09:00+01:00".
 * Impossible dates ("2026-02-30", "24:00") are refused rather than rolled over.
 */
export function parseTimeBound(text: string, now: number): number | undefined {
  const trimmed = text.trim()
  const duration = parseDuration(trimmed)
  if (duration !== undefined) return now - duration

  const m = DATE_TIME.exec(trimmed)
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.slice(0, 3).padEnd(3, '0')))
  // Date.UTC rolls 2026-02-30 over into March: refuse what did not survive the round trip.
  const check = new Date(utc)
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined
  return utc - zoneOffsetMs(zone)
}

/** Milliseconds east of UTC for "Z", "+02:00", "-0530"; 0 when absent. */
function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === 'Z') return 0
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2, 4))
  return sign * (hours * 60 + minutes) * 60_000
}
