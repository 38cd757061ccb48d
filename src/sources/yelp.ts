// Yelp (Fusion, now "Yelp Places API") review excerpts of the brand's own businesses:
// GET /v3/businesses/{id}/reviews?sort_by=newest. Yelp serves at most 3 excerpts per business
// and no way to page back in time, so every pull re-reads them and keeps those inside its
// window (reviews.ts); the store's idempotent upsert turns the repeats into nothing new.
// The API carries no owner replies (the Respond to Reviews API is partner-only), so answered
// stays unknown.
import { z } from 'zod'
import type { Cursor, MentionDraft, SourceState } from '../model.js'
import { HttpError, RateLimitError, type HttpResponse } from '../net/types.js'
import { errorSnippet } from '../net/redact.js'
import { credential, fetchJson, jsonBody, nextMidnight, ownerBrand, rateLimitState, readEach } from './common.js'
import { normaliseWhitespace } from './html.js'
import { readFixedWindow } from './reviews.js'
import { httpUrl } from './url.js'
import { CredentialsRejectedError, SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'
import { cursorOfParts, partCursor, type WindowBounds } from './window.js'

export const YELP_KEY = 'YELP_API_KEY'
const WHY = 'a Yelp Places (Fusion) API key'
/**
 * The zone of `time_created` when nothing better is known: Yelp writes it without an offset,
 * and its clients read it as Pacific time (SOURCE-APIS: Yelp, "Review fields").
 */
export const YELP_DEFAULT_TIME_ZONE = 'America/Los_Angeles'

const ianaZone = z.string().refine((tz) => validZone(tz), 'an IANA time zone such as "America/New_York"')

export const yelpOptions = z
  .object({
    /** The 22-character business ids (an alias costs one lookup per pull to find the id). */
    businessIds: z.array(z.string().trim().min(1).regex(/^[\w-]+$/, 'a Yelp business id or alias')).min(1),
    brand: z.string().min(1).optional(),
    baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.yelp.com'),
    /** Requests per pull: one per business (two for an alias). */
    maxPages: z.int().min(1).max(100).default(20),
    /** Yelp's locale, e.g. "en_US": reviews in that language. */
    locale: z.string().regex(/^[a-z]{2,3}_[A-Z]{2}$/, 'a Yelp locale such as "en_US"').optional(),
    /** The zone Yelp's `time_created` is in, when it is not Pacific time; beats the lookup's. */
    timeZone: ianaZone.optional(),
  })
  .refine((o) => o.businessIds.length <= o.maxPages, { message: 'more businessIds than maxPages (one request per business): raise maxPages', path: ['maxPages'] })
export type YelpOptions = z.output<typeof yelpOptions>

// ---------------------------------------------------------------------------------------
// Time (pure): Yelp's "YYYY-MM-DD HH:MM:SS" is a wall-clock time in a zone it does not name.

function validZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz })
    return true
  } catch {
    return false
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** The zone's offset from UTC at instant `t`, in ms (east positive). */
function offsetAt(t: number, timeZone: string): number {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
    formatters.set(timeZone, f)
  }
  const p = Object.fromEntries(f.formatToParts(t).map((x) => [x.type, Number(x.value)]))
  const wall = Date.UTC(p.year ?? 0, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0)
  return wall - (t - (t % 1000))
}

/**
 * Epoch ms of a wall-clock "YYYY-MM-DD HH:MM:SS" in `timeZone`, or undefined when it is not
 * one. A time that occurs twice (the hour DST ends) reads as the first; one that never occurs
 * (the hour DST starts) as the instant an hour later on the clock.
 */
export function wallClockToEpoch(local: string, timeZone: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim())
  if (!m) return undefined
  const [y, mo, d, h, mi, s] = m.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number]
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, s)
  if (!validZone(timeZone)) return undefined
  // Two passes: the offset one side of a DST change can differ from the other's.
  const first = asUtc - offsetAt(asUtc, timeZone)
  const second = asUtc - offsetAt(first, timeZone)
  const earlier = Math.min(first, second)
  return asUtc - offsetAt(earlier, timeZone) === earlier ? earlier : Math.max(first, second)
}

// ---------------------------------------------------------------------------------------
// Parsing (pure)

const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)

const reviewSchema = z.object({
  id: z.string().min(1),
  url: optString,
  text: optString,
  rating: optNumber,
  time_created: z.string(),
  user: z.object({ id: optString, name: optString, profile_url: optString }).nullish().catch(undefined),
})

const reviewsSchema = z.object({
  reviews: z.array(z.unknown()),
  total: optNumber,
  possible_languages: z.array(z.string()).nullish().catch(undefined),
})

const errorSchema = z.object({
  error: z.object({ code: optString, description: optString, field: optString }),
})

export interface YelpReviewsRead {
  drafts: MentionDraft[]
  /** Reviews that could not be read (no id, no readable time). */
  skipped: number
  /** How many reviews Yelp holds for the business (it shows 3 of them). */
  total?: number | undefined
}

export interface YelpReadOptions {
  /** The zone `time_created` is in (YELP_DEFAULT_TIME_ZONE unless the config or lookup says). */
  timeZone?: string
  /** The locale asked for ("en_US" → lang "en"). */
  locale?: string | undefined
  url?: string
  businessId?: string
}

/**
 * Reads one /v3/businesses/{id}/reviews response (a JSON string or the parsed value). A Yelp
 * error body throws the line it means.
 */
export function parseYelpReviews(body: unknown, opts: YelpReadOptions = {}): YelpReviewsRead {
  const url = opts.url ?? 'yelp'
  const value = jsonBody(body, url)
  const err = errorSchema.safeParse(value)
  if (err.success) throw yelpApiError(undefined, err.data.error, opts.businessId ?? '(unknown)')
  const parsed = reviewsSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new SourceResponseError(`expected a reviews response (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unexpected shape'})`, url, { cause: parsed.error })
  }
  const timeZone = opts.timeZone ?? YELP_DEFAULT_TIME_ZONE
  const lang = opts.locale?.split('_')[0]
  const { items: drafts, skipped } = readEach(parsed.data.reviews, reviewSchema, (r) => {
    const createdAt = wallClockToEpoch(r.time_created, timeZone)
    if (createdAt === undefined) return undefined
    const draft: MentionDraft = {
      externalId: r.id,
      url: reviewLink(r.url, r.id, opts.businessId),
      text: normaliseWhitespace(r.text ?? ''),
      createdAt,
    }
    const author: NonNullable<MentionDraft['author']> = {}
    if (r.user?.id) author.handle = r.user.id
    const name = normaliseWhitespace(r.user?.name ?? '')
    if (name) author.name = name
    if (Object.keys(author).length > 0) draft.author = author
    if (typeof r.rating === 'number' && Number.isInteger(r.rating) && r.rating >= 1 && r.rating <= 5) draft.rating = r.rating
    if (lang) draft.lang = lang
    return draft
  })
  return { drafts, skipped, total: parsed.data.total ?? undefined }
}

/**
 * The review's permalink without the API client's tracking parameters (`adjust_creative`
 * and `utm_source` carry the client id); `hrid` is what points at the review.
 */
function reviewLink(raw: string | null | undefined, id: string, businessId = ''): string {
  const u = httpUrl(raw)
  // Without Yelp's link, the business page with the review's hrid is the nearest permalink.
  if (!u || !u.startsWith('https://')) return `https://www.yelp.com/biz/${encodeURIComponent(String(businessId).replace(/\p{Surrogate}/gu, '\ufffd'))}?hrid=${encodeURIComponent(String(id).replace(/\p{Surrogate}/gu, '\ufffd'))}`
  const url = new URL(u)
  for (const name of [...url.searchParams.keys()]) if (name === 'adjust_creative' || name.startsWith('utm_')) url.searchParams.delete(name)
  return url.href
}

const lookupSchema = z.object({
  id: z.string().min(1),
  alias: optString,
  name: optString,
  // Not in the recorded lookup; should Yelp name the business's zone, it is the right one.
  timezone: optString,
})

export interface YelpBusiness {
  id: string
  name?: string | undefined
  timeZone?: string | undefined
}

/** Reads one /v3/businesses/{id-or-alias} response. */
export function parseYelpBusiness(body: unknown, businessId: string, url = 'yelp'): YelpBusiness {
  const value = jsonBody(body, url)
  const err = errorSchema.safeParse(value)
  if (err.success) throw yelpApiError(undefined, err.data.error, businessId)
  const parsed = lookupSchema.safeParse(value)
  if (!parsed.success) throw new SourceResponseError('expected a business with an "id"', url, { cause: parsed.error })
  const b = parsed.data
  const out: YelpBusiness = { id: b.id }
  if (b.name) out.name = b.name
  if (b.timezone && validZone(b.timezone)) out.timeZone = b.timezone
  return out
}

/** A failure of one business (not found, not served), not of the source: the others are still read. */
export class BusinessError extends Error {
  override name = 'BusinessError'
}

export interface YelpErrorBody {
  code?: string | null | undefined
  description?: string | null | undefined
  field?: string | null | undefined
}

/**
 * The line a Yelp error means ({"error":{"code","description"}}), by its code and, for codes
 * Yelp adds later, by HTTP status.
 */
export function yelpApiError(status: number | undefined, e: YelpErrorBody, businessId: string, opts: { cause?: unknown; nowMs?: number } = {}): Error {
  const code = e.code ? errorSnippet(e.code, [], 60) : undefined
  const said = e.description ? errorSnippet(e.description, [], 160) : ''
  const what = [code, said].filter(Boolean).join(': ') || `HTTP ${status ?? '?'}`
  const cause = opts.cause !== undefined ? { cause: opts.cause } : undefined
  const business = `business "${errorSnippet(businessId, [], 60)}"`
  // The client's RateLimitError knows when to come back; its own message repeats the body.
  const retry = opts.cause instanceof RateLimitError ? `; rate limited: retry after ${opts.cause.retryAt.toISOString()}` : ''
  switch (code) {
    case 'TOKEN_INVALID':
    case 'UNAUTHORIZED_ACCESS_TOKEN':
    case 'INVALID_AUTHORIZATION_METHOD':
      return new CredentialsRejectedError(`credentials rejected (${what}); check ${YELP_KEY}`, cause)
    case 'BUSINESS_NOT_FOUND':
      return new BusinessError(`${business} not found on Yelp (${what}); check businessIds`, cause)
    case 'BUSINESS_UNAVAILABLE':
      return new BusinessError(`Yelp serves no reviews for ${business} (${what})`, cause)
    case 'TOO_MANY_REQUESTS_PER_SECOND':
      return new Error(`rate limit reached: too many requests per second (${what})${retry}`, cause)
    case 'ACCESS_LIMIT_REACHED': {
      const reset = opts.nowMs !== undefined ? `; it resets at ${new Date(nextMidnight(opts.nowMs, 'UTC')).toISOString()}` : '; it resets at midnight UTC'
      return new Error(`daily request limit reached (${what})${retry || reset}`, cause)
    }
    case 'INVALID_LOCALE':
      return new Error(`Yelp refused the locale (${what}); check "locale" in the yelp entry`, cause)
    case 'VALIDATION_ERROR':
      if (e.field === 'locale') return new Error(`Yelp refused the locale (${what}); check "locale" in the yelp entry`, cause)
      return new BusinessError(`Yelp refused the request for ${business} (${what}${e.field ? `, field ${errorSnippet(e.field, [], 40)}` : ''})`, cause)
    case 'INTERNAL_ERROR':
      return new BusinessError(`Yelp failed on ${business} (${what}); try again later`, cause)
  }
  if (status === 401 || status === 403) return new CredentialsRejectedError(`credentials rejected (${what}); check ${YELP_KEY}`, cause)
  if (status === 429) return new Error(`rate limit reached (${what})${retry}`, cause)
  if (status === 404) return new BusinessError(`${business} not found on Yelp (${what}); check businessIds`, cause)
  return new BusinessError(`Yelp answered ${what} for ${business}`, cause)
}

/** What an HTTP error's short body snippet still holds of Yelp's error JSON. */
export function yelpErrorFromSnippet(snippet: string): YelpErrorBody | undefined {
  const code = /"code"\s*:\s*"([A-Z_]+)"/.exec(snippet)?.[1]
  if (!code) return undefined
  const description = /"description"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(snippet)?.[1]?.replace(/\\(.)/g, '$1')
  const field = /"field"\s*:\s*"([^"\\]*)"/.exec(snippet)?.[1]
  return { code, description, field }
}

/**
 * Yelp's headers: RateLimit-Remaining, RateLimit-DailyLimit and RateLimit-ResetTime (ISO 8601)
 * rather than the draft's RateLimit-Limit / -Reset.
 */
export function yelpRateState(headers: Readonly<Record<string, string>>, nowMs: number): SourceState | undefined {
  const state = rateLimitState(headers, nowMs)
  if (!state) return undefined
  const daily = Number(headers['ratelimit-dailylimit'])
  if (state.limit === undefined && Number.isFinite(daily) && headers['ratelimit-dailylimit'] !== undefined) state.limit = daily
  const reset = Date.parse(headers['ratelimit-resettime'] ?? '')
  if (state.resetAt === undefined && Number.isFinite(reset)) state.resetAt = reset
  state.note = 'calls per day (Yelp plan limit)'
  return state
}

// ---------------------------------------------------------------------------------------
// URLs (pure)

function apiUrl(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
}

export function reviewsUrl(baseUrl: string, businessId: string, locale?: string): URL {
  const url = apiUrl(baseUrl, `v3/businesses/${encodeURIComponent(businessId)}/reviews`)
  url.searchParams.set('sort_by', 'newest')
  if (locale) url.searchParams.set('locale', locale)
  return url
}

export function businessUrl(baseUrl: string, businessId: string, locale?: string): URL {
  const url = apiUrl(baseUrl, `v3/businesses/${encodeURIComponent(businessId)}`)
  if (locale) url.searchParams.set('locale', locale)
  return url
}

/**
 * A 22-character encrypted id rather than an alias ("yelp-san-francisco"): aliases are
 * lower case, ids mix cases. /reviews reportedly 404s on aliases, so those are looked up first.
 */
export function isBusinessId(s: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(s) && /[A-Z]/.test(s)
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

async function get(ctx: SourceContext<YelpOptions>, url: URL, key: string, businessId: string): Promise<HttpResponse & { json: unknown }> {
  try {
    const { body, response } = await fetchJson(ctx, url, { headers: { Authorization: `Bearer ${key}` }, credentials: [YELP_KEY] })
    const state = yelpRateState(response.headers, ctx.now())
    if (state) ctx.report?.(state)
    return { ...response, json: body }
  } catch (err) {
    const http = err instanceof HttpError ? err : err instanceof Error && err.cause instanceof HttpError ? err.cause : undefined
    if (!http) throw err
    const body = yelpErrorFromSnippet(http.bodySnippet)
    // A 429 without Yelp's body keeps the client's message: it says when to retry.
    if (!body && http instanceof RateLimitError) throw http
    throw yelpApiError(http.status, body ?? {}, businessId, { cause: http, nowMs: ctx.now() })
  }
}

async function readBusiness(ctx: SourceContext<YelpOptions>, configured: string, key: string): Promise<YelpReviewsRead> {
  const { baseUrl, locale } = ctx.options
  let id = configured
  let timeZone = ctx.options.timeZone
  if (!isBusinessId(configured)) {
    const url = businessUrl(baseUrl, configured, locale)
    const res = await get(ctx, url, key, configured)
    const business = parseYelpBusiness(res.json, configured, url.href)
    id = business.id
    timeZone ??= business.timeZone
  }
  const url = reviewsUrl(baseUrl, id, locale)
  const res = await get(ctx, url, key, configured)
  return parseYelpReviews(res.json, { timeZone: timeZone ?? YELP_DEFAULT_TIME_ZONE, locale, url: url.href, businessId: configured })
}

async function* searchYelp(ctx: SourceContext<YelpOptions>, q: SourceQuery): AsyncIterable<Page> {
  const key = credential(ctx, 'yelp', YELP_KEY, WHY)
  const about = ownerBrand('yelp', ctx.options.brand, q.brands)
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const ids = [...new Set(ctx.options.businessIds)]
  const limit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const parts = new Map<string, Cursor>()
  for (const id of ids) {
    const part = partCursor(q.cursor, id)
    if (part) parts.set(id, part)
  }
  const cursorNow = () => cursorOfParts(ids, (id) => parts.get(id) ?? {})
  const failures: string[] = []
  let read = 0
  for (const id of ids) {
    if (read >= limit) {
      ctx.warn(`read ${limit} of ${ids.length} businesses (maxPages: ${limit}); the rest wait for the next pull`)
      break
    }
    read++
    let business: YelpReviewsRead
    try {
      business = await readBusiness(ctx, id, key)
    } catch (err) {
      // One business that is gone or not served must not hide the others' reviews.
      if (err instanceof BusinessError) {
        failures.push(err.message)
        continue
      }
      throw err
    }
    if (business.skipped > 0) ctx.warn(`skipped ${business.skipped} unreadable review(s) of business "${id}"`)
    const { kept, outside, cursor } = readFixedWindow(parts.get(id), business.drafts, bounds)
    parts.set(id, cursor)
    if (outside > 0 && q.cursor === undefined) {
      // Said on a first pull only: later pulls re-read the same excerpts and would repeat it.
      ctx.warn(`${outside} review(s) of business "${id}" are older than the pull's window and were left out`)
    }
    yield { mentions: kept.map((d) => ({ ...d, about })), cursor: cursorNow() }
  }
  if (failures.length > 0) {
    const more = failures.length > 3 ? ` (and ${failures.length - 3} more)` : ''
    throw new Error(`${failures.length} of ${ids.length} business(es) not read: ${failures.slice(0, 3).join('; ')}${more}`)
  }
  if (read === 0) yield { mentions: [], cursor: q.cursor ?? {} }
}

export const yelpSource: Source<YelpOptions> = {
  kind: 'yelp',
  scope: 'feed',
  options: yelpOptions,
  requires: [{ env: YELP_KEY, why: WHY }],
  instanceKey: (o) => `${o.baseUrl} ${[...new Set(o.businessIds)].sort().join(',')}`,
  // The Fusion API has no owner replies (Respond to Reviews is a partner-only API).
  replies: 'none',
  limits: 'at most 3 review excerpts per business, truncated by Yelp',
  search: searchYelp,
}
