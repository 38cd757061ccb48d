import { parseDuration } from '../config/duration.js'
import { UsageError } from '../errors.js'

export function durationFlag(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  const ms = parseDuration(String(value))
  if (ms === undefined) throw new UsageError(`${name} takes a duration like 30m, 24h or 7d (got "${String(value)}")`)
  return ms
}

// A date, or a date and time with an optional zone (no zone means UTC).
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i

/**
 * A point in time from a flag: a duration back from now ("24h", "7d") or an absolute date or
 * time ("2026-11-21", "2026-11-21T08:00", ISO-8601 with a zone). A date alone is 00:00 UTC.
 */
export function timeFlag(name: string, value: unknown, now: number): number | undefined {
  if (value === undefined) return undefined
  const text = String(value).trim()
  const ms = parseDuration(text)
  if (ms !== undefined) return now - ms
  if (ISO.test(text)) {
    const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(text) || !text.includes(':') ? text : `${text}Z`
    const t = Date.parse(zoned.replace(' ', 'T'))
    if (Number.isFinite(t)) return t
  }
  throw new UsageError(`${name} takes a duration like 24h or 7d, or a date like 2026-11-21 or 2026-11-21T08:00Z (got "${text}")`)
}

/** A flag that may be repeated or given comma-separated: `--source rss --source x,hackernews`. */
export function listFlag(value: unknown): string[] | undefined {
  if (value === undefined) return undefined
  const items = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((s) => s.trim()).filter(Boolean)
  return items.length ? [...new Set(items)] : undefined
}

/** Commander's collector for repeatable options. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}

export function idArg(value: string | undefined): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a mention id (a positive number), got "${value ?? ''}"`)
  return n
}

export function limitFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive whole number (got "${String(value)}")`)
  return n
}

/** The filters every list command shares, from its flags. */
export function listQueryFlags(opts: Record<string, unknown>, now: number): {
  brands?: string[]
  sources?: string[]
  since?: number
  until?: number
  newSince?: number
} {
  const brands = listFlag(opts.brand)
  const sources = listFlag(opts.source)
  const since = timeFlag('--since', opts.since, now)
  const until = timeFlag('--until', opts.until, now)
  const newSince = timeFlag('--new-since', opts.newSince, now)
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until must be later than --since')
  return {
    ...(brands ? { brands } : {}),
    ...(sources ? { sources } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(newSince !== undefined ? { newSince } : {}),
  }
}
