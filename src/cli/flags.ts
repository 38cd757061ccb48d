import { parseDuration, parseTimeBound } from '../config/duration.js'
import { UsageError } from '../errors.js'
import { INTENTS, SENTIMENT_LABELS, TRIAGE_STATES, type Intent, type SentimentLabel, type TriageState } from '../model.js'

export function durationFlag(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  const ms = parseDuration(String(value))
  if (ms === undefined) throw new UsageError(`${name} takes a duration like 30m, 24h or 7d (got "${String(value)}")`)
  return ms
}

/**
 * A point in time from a flag: a duration back from now ("24h", "7d") or an absolute date or
 * time ("2026-11-21", "2026-11-21T08:00", ISO-8601 with a zone). No zone means UTC.
 */
export function timeFlag(name: string, value: unknown, now: number): number | undefined {
  if (value === undefined) return undefined
  const t = parseTimeBound(String(value), now)
  if (t === undefined) {
    throw new UsageError(`${name} takes a duration (24h, 7d) or a date or time (2026-11-21, 2026-11-21T08:00Z); got "${String(value)}"`)
  }
  return t
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

/** A list flag whose every value must be one of `choices`. */
export function choiceListFlag<T extends string>(name: string, value: unknown, choices: readonly T[]): T[] | undefined {
  const items = listFlag(value)
  for (const v of items ?? []) {
    if (!(choices as readonly string[]).includes(v)) throw new UsageError(`${name} takes ${choices.join(', ')} (got "${v}")`)
  }
  return items as T[] | undefined
}

export interface ListFlags {
  brands?: string[]
  sources?: string[]
  since?: number
  until?: number
  newSince?: number
  assignees?: string[]
  states?: TriageState[]
  intents?: Intent[]
  sentiments?: SentimentLabel[]
  olderThan?: number
  minReach?: number
  answered?: ('yes' | 'no' | 'unknown')[]
  tags?: string[]
}

/** The filters every list command shares, from its flags. */
export function listQueryFlags(opts: Record<string, unknown>, now: number): ListFlags {
  const brands = listFlag(opts.brand)
  const sources = listFlag(opts.source)
  const since = timeFlag('--since', opts.since, now)
  const until = timeFlag('--until', opts.until, now)
  const newSince = timeFlag('--new-since', opts.newSince, now)
  if (since !== undefined && until !== undefined && until <= since) throw new UsageError('--until must be later than --since')
  // "none" asks for what nobody has: the store's '' for "no assignee".
  const assignees = listFlag(opts.assignee)?.map((a) => (a.toLowerCase() === 'none' ? '' : a))
  const states = choiceListFlag('--state', opts.state, TRIAGE_STATES)
  const intents = choiceListFlag('--intent', opts.intent, INTENTS)
  const sentiments = choiceListFlag('--sentiment', opts.sentiment, SENTIMENT_LABELS)
  const answered = choiceListFlag('--answered', opts.answered, ['yes', 'no', 'unknown'] as const)
  const older = durationFlag('--older-than', opts.olderThan)
  let minReach: number | undefined
  if (opts.minReach !== undefined) {
    minReach = Number(opts.minReach)
    if (!Number.isInteger(minReach) || minReach < 0) throw new UsageError(`--min-reach takes a whole number of followers (got "${String(opts.minReach)}")`)
  }
  const tags = listFlag(opts.tag)
  return {
    ...(brands ? { brands } : {}),
    ...(sources ? { sources } : {}),
    ...(since !== undefined ? { since } : {}),
    ...(until !== undefined ? { until } : {}),
    ...(newSince !== undefined ? { newSince } : {}),
    ...(assignees ? { assignees } : {}),
    ...(states ? { states } : {}),
    ...(intents ? { intents } : {}),
    ...(sentiments ? { sentiments } : {}),
    ...(answered ? { answered } : {}),
    ...(older !== undefined ? { olderThan: now - older } : {}),
    ...(minReach !== undefined ? { minReach } : {}),
    ...(tags ? { tags } : {}),
  }
}
