// Helpers every adapter shares: credentials from the environment, one GET that reads JSON and
// turns HTTP refusals into lines a user can act on, and upstream rate-limit state. An adapter
// that repeats something a third time lifts it here.
import type { z } from 'zod'
import type { Brand } from '../model.js'
import { HttpError, RateLimitError, type GetOptions, type HttpResponse } from '../net/types.js'
import { parseResetTime } from '../net/ratelimit.js'
import { errorSnippet } from '../net/redact.js'
import { CredentialsRejectedError, MissingCredentialError, SourceResponseError, type SourceContext, type SourceState, type UsageLedger } from './types.js'

/** The variable's value, or MissingCredentialError naming it (the pull skips the source, exit 3). */
export function credential(ctx: Pick<SourceContext<unknown>, 'env'>, kind: string, variable: string, why: string): string {
  const value = ctx.env[variable]?.trim()
  if (!value) throw new MissingCredentialError(variable, kind, why)
  return value
}

export interface FetchJsonOptions extends Omit<GetOptions, 'signal'> {
  /** The variables behind the request's credentials, named when the upstream refuses them. */
  credentials?: readonly string[]
  /** A 403 that means "this API needs approval" rather than "wrong key" (Reddit). */
  forbidden?: string
}

/**
 * GET and parse JSON. A 401 (or 403) becomes CredentialsRejectedError naming the variables
 * to check; a RateLimitError keeps its retry time; a body that is not JSON is a
 * SourceResponseError with a short, secret-free snippet.
 */
export async function fetchJson(
  ctx: Pick<SourceContext<unknown>, 'http' | 'signal'>,
  url: URL | string,
  opts: FetchJsonOptions = {},
): Promise<{ body: unknown; response: HttpResponse }> {
  const { credentials = [], forbidden, ...get } = opts
  let response: HttpResponse
  try {
    response = await ctx.http.get(url, { ...get, ...(ctx.signal ? { signal: ctx.signal } : {}) })
  } catch (err) {
    throw refusal(err, credentials, forbidden)
  }
  if (response.notModified) return { body: undefined, response }
  try {
    return { body: JSON.parse(response.body) as unknown, response }
  } catch (cause) {
    const shown = errorSnippet(response.body, [], 60) || 'empty body'
    throw new SourceResponseError(`response is not JSON (${shown})`, response.url, { cause })
  }
}

/** HTTP refusals as lines a user can act on; anything else unchanged. */
export function refusal(err: unknown, credentials: readonly string[], forbidden?: string): unknown {
  if (!(err instanceof HttpError) || err instanceof RateLimitError) return err
  const check = credentials.length ? `; check ${credentials.join(', ')}` : ''
  if (err.status === 401) return new CredentialsRejectedError(`credentials rejected (${err.message})${check}`, { cause: err })
  if (err.status === 403) {
    return new CredentialsRejectedError(`${forbidden ?? 'access refused'} (${err.message})${check}`, { cause: err })
  }
  return err
}

/**
 * Rate-limit state from the usual header families: X-RateLimit-* / X-Ratelimit-* (GitHub,
 * Reddit, Mastodon), RateLimit-* (IETF draft: Bluesky, Discourse), x-rate-limit-* (X).
 */
export function rateLimitState(headers: Readonly<Record<string, string>>, nowMs: number): SourceState | undefined {
  for (const prefix of ['x-ratelimit-', 'ratelimit-', 'x-rate-limit-']) {
    const remaining = num(headers[`${prefix}remaining`])
    if (remaining === undefined) continue
    const state: SourceState = { remaining }
    const limit = num(headers[`${prefix}limit`])
    if (limit !== undefined) state.limit = limit
    // Epoch seconds, epoch ms, seconds from now or an HTTP/ISO date: the client reads them all.
    const wait = parseResetTime(headers[`${prefix}reset`], nowMs)
    if (wait !== undefined) state.resetAt = nowMs + wait
    return state
  }
  return undefined
}

function num(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v.split(/[;,]/)[0]?.trim())
  return Number.isFinite(n) ? n : undefined
}

/**
 * A response body as JSON: a string is parsed, anything else is taken as already parsed (the
 * parsers accept both, for tests and recorded bodies). Not JSON is a SourceResponseError
 * with a short, secret-free snippet; the pull names the source, so the message does not.
 */
export function jsonBody(body: unknown, url: string, what = 'response'): unknown {
  if (typeof body !== 'string') return body
  try {
    return JSON.parse(body) as unknown
  } catch (cause) {
    throw new SourceResponseError(`${what} is not JSON (${errorSnippet(body, [], 60) || 'empty body'})`, url, { cause })
  }
}

/**
 * Each raw item read by its schema and mapped; an item that fails either is counted, not
 * fatal, so one odd item never costs the page.
 */
export function readEach<S extends z.ZodType, T>(raws: readonly unknown[], schema: S, map: (item: z.output<S>) => T | undefined): { items: T[]; skipped: number } {
  const items: T[] = []
  let skipped = 0
  for (const raw of raws) {
    const parsed = schema.safeParse(raw)
    const item = parsed.success ? map(parsed.data) : undefined
    if (item === undefined) skipped++
    else items.push(item)
  }
  return { items, skipped }
}

/**
 * The instance's budget ledger: the pull's (kept in the database), or for a direct caller
 * (a test, a one-off walk) one that lasts as long as the walk.
 */
export function ledgerOf(ctx: Pick<SourceContext<unknown>, 'usage'>): UsageLedger {
  if (ctx.usage) return ctx.usage
  const spent = new Map<string, number>()
  return {
    used: async (key) => spent.get(key) ?? 0,
    spend: async (key, n) => void spent.set(key, (spent.get(key) ?? 0) + n),
  }
}

/** The calendar day (YYYY-MM-DD) at `now` in an IANA time zone: budgets reset at its midnight. */
export function dayIn(now: number, timeZone = 'UTC'): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** Epoch ms of the next midnight after `now` in an IANA time zone. */
export function nextMidnight(now: number, timeZone = 'UTC'): number {
  const today = dayIn(now, timeZone)
  // Walk forward by the hour (DST days are 23 or 25 hours long) until the date changes.
  let t = now - (now % 3_600_000) + 3_600_000
  while (dayIn(t, timeZone) === today) t += 3_600_000
  // Then back to the exact minute the day began (zones with :30 and :45 offsets).
  while (dayIn(t - 60_000, timeZone) !== today) t -= 60_000
  return t
}

/**
 * The brand a channel belongs to (a place's reviews, a Page, an app): the entry's `brand`, or
 * the only configured brand that is not a competitor. Items from it carry `about`, so they are
 * stored under that brand without naming it.
 */
export function ownerBrand(kind: string, configured: string | undefined, brands: readonly Brand[] | undefined): string {
  const known = brands ?? []
  if (configured !== undefined) {
    const found = known.find((b) => b.name.toLowerCase() === configured.toLowerCase())
    if (!found && known.length > 0) {
      throw new Error(`brand "${configured}" of this ${kind} entry is not configured (brands: ${known.map((b) => b.name).join(', ')})`)
    }
    return found?.name ?? configured
  }
  const ours = known.filter((b) => !b.competitor)
  if (ours.length === 1) return (ours[0] as Brand).name
  throw new Error(`set "brand" on this ${kind} entry to the brand it belongs to (one of: ${known.map((b) => b.name).join(', ') || 'none configured'})`)
}
