// Google Places reviews of the brand's own places. Places API (New) by default
// (GET /v1/places/{id}, key and field mask in headers); Place Details (Legacy) where a key
// still allows it. Either way Google shows at most 5 reviews per place and no way to page
// past them, so every pull re-reads the 5 and keeps those inside its window (reviews.ts); the
// store's idempotent upsert turns the repeats into nothing new. Neither API carries the
// owner's replies (only the Business Profile API does, with the owner's OAuth), so answered
// stays unknown.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { HttpError, RateLimitError } from '../net/types.js'
import { errorSnippet, redactUrl } from '../net/redact.js'
import { credential, fetchJson, jsonBody, ownerBrand, readEach } from './common.js'
import { normaliseWhitespace } from './html.js'
import { readFixedWindow } from './reviews.js'
import { httpUrl } from './url.js'
import { CredentialsRejectedError, SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'
import { cursorOfParts, partCursor, type WindowBounds } from './window.js'

export const GOOGLE_PLACES_KEY = 'GOOGLE_PLACES_API_KEY'
const WHY = 'a Google Cloud API key with the Places API enabled'
export const GOOGLE_PLACES_NEW_BASE = 'https://places.googleapis.com'
export const GOOGLE_PLACES_LEGACY_BASE = 'https://maps.googleapis.com'
/** Only what a review needs: `reviews` alone already bills at the top (Atmosphere) tier. */
export const GOOGLE_PLACES_FIELD_MASK = 'id,displayName,rating,userRatingCount,reviews,googleMapsUri'

export const googlePlacesOptions = z
  .object({
    placeIds: z.array(z.string().trim().min(1).regex(/^[\w-]+$/, 'a Google place id (letters, digits, _ and -)')).min(1),
    brand: z.string().min(1).optional(),
    api: z.enum(['new', 'legacy']).default('new'),
    /** Defaults to the chosen API's host (places.googleapis.com, or maps.googleapis.com for legacy). */
    baseUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Requests per pull: one per place. */
    maxPages: z.int().min(1).max(100).default(20),
    /** Ask for reviews in this language (BCP 47); unset: as written. */
    language: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/).optional(),
  })
  .refine((o) => o.placeIds.length <= o.maxPages, { message: 'more placeIds than maxPages (one request per place): raise maxPages', path: ['maxPages'] })
export type GooglePlacesOptions = z.output<typeof googlePlacesOptions>

export function googlePlacesBase(options: Pick<GooglePlacesOptions, 'api' | 'baseUrl'>): string {
  return options.baseUrl ?? (options.api === 'legacy' ? GOOGLE_PLACES_LEGACY_BASE : GOOGLE_PLACES_NEW_BASE)
}

// ---------------------------------------------------------------------------------------
// Parsing (pure)

const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)
const localized = z.object({ text: optString, languageCode: optString }).nullish().catch(undefined)

const newReviewSchema = z.object({
  name: z.string().min(1),
  rating: optNumber,
  text: localized,
  originalText: localized,
  authorAttribution: z.object({ displayName: optString, uri: optString }).nullish().catch(undefined),
  publishTime: optString,
  googleMapsUri: optString,
})

const newPlaceSchema = z.object({
  id: optString,
  displayName: localized,
  googleMapsUri: optString,
  rating: optNumber,
  userRatingCount: optNumber,
  reviews: z.array(z.unknown()).nullish(),
})

const legacyReviewSchema = z.object({
  author_name: optString,
  author_url: optString,
  language: optString,
  original_language: optString,
  rating: optNumber,
  text: optString,
  time: z.number(),
})

const legacySchema = z.object({
  status: z.string(),
  error_message: optString,
  result: z
    .object({
      place_id: optString,
      name: optString,
      url: optString,
      reviews: z.array(z.unknown()).nullish(),
    })
    .nullish(),
})

export interface GooglePlacesRead {
  drafts: MentionDraft[]
  /** Reviews that could not be read (no id, no time). */
  skipped: number
  /** The place's name, as Google shows it. */
  placeName?: string | undefined
}

/** A failure of one place (not found, not a valid id), not of the source: the others are still read. */
export class PlaceError extends Error {
  override name = 'PlaceError'
}

/**
 * Reads one Places API (New) place (a JSON string or the parsed value). An error body
 * ({error:{code,message,status}}) throws the line it means; a body without `reviews` is a
 * place with none.
 */
export function parseGooglePlaces(body: unknown, placeId: string, url = 'googleplaces'): GooglePlacesRead {
  const value = jsonBody(body, url)
  const apiError = googleApiError(value)
  if (apiError) throw newApiError(apiError, placeId)
  const parsed = newPlaceSchema.safeParse(value)
  if (!parsed.success) throw new SourceResponseError(`expected a place from /v1/places (${fieldOf(parsed.error)})`, url, { cause: parsed.error })
  const place = parsed.data
  const placeName = normaliseWhitespace(place.displayName?.text ?? '') || undefined
  const placeUrl = httpUrl(place.googleMapsUri) ?? placeLink(place.id ?? placeId)
  const { items: drafts, skipped } = readEach(place.reviews ?? [], newReviewSchema, (r) => {
    const createdAt = Date.parse(r.publishTime ?? '')
    if (!Number.isFinite(createdAt)) return undefined
    // The original words first: a translation is Google's, not the reviewer's.
    const body = r.originalText?.text != null ? r.originalText : r.text
    const draft: MentionDraft = {
      externalId: r.name,
      url: httpsOnly(r.googleMapsUri) ?? placeUrl,
      text: normaliseWhitespace(body?.text ?? ''),
      createdAt,
    }
    if (placeName) draft.title = placeName
    const author = authorOf(r.authorAttribution?.uri, r.authorAttribution?.displayName)
    if (author) draft.author = author
    const lang = primaryLanguage(body?.languageCode)
    if (lang) draft.lang = lang
    const rating = stars(r.rating)
    if (rating !== undefined) draft.rating = rating
    return draft
  })
  return { drafts, skipped, placeName }
}

/**
 * Reads one legacy Place Details response. Legacy reviews have no id: a review is known by
 * its author's profile and its time (Google's own clients key them so), which survives
 * edits of the text.
 */
export function parseGooglePlacesLegacy(body: unknown, placeId: string, url = 'googleplaces'): GooglePlacesRead {
  const value = jsonBody(body, url)
  const parsed = legacySchema.safeParse(value)
  if (!parsed.success) throw new SourceResponseError(`expected a Place Details response with a "status" (${fieldOf(parsed.error)})`, url, { cause: parsed.error })
  const { status, error_message: message, result } = parsed.data
  if (status !== 'OK') throw legacyStatusError(status, message ?? undefined, placeId)
  const placeName = normaliseWhitespace(result?.name ?? '') || undefined
  const placeUrl = httpUrl(result?.url) ?? placeLink(result?.place_id ?? placeId)
  const { items: drafts, skipped } = readEach(result?.reviews ?? [], legacyReviewSchema, (r) => {
    if (!Number.isFinite(r.time)) return undefined
    const who = contributorId(r.author_url) ?? (r.author_name ? `name-${digest(r.author_name)}` : undefined)
    if (!who) return undefined
    const draft: MentionDraft = {
      externalId: `places/${placeId}/reviews/legacy-${who}-${r.time}`,
      url: placeUrl,
      text: normaliseWhitespace(r.text ?? ''),
      createdAt: r.time * 1000,
    }
    if (placeName) draft.title = placeName
    const author = authorOf(r.author_url, r.author_name)
    if (author) draft.author = author
    const lang = primaryLanguage(r.original_language ?? r.language)
    if (lang) draft.lang = lang
    const rating = stars(r.rating)
    if (rating !== undefined) draft.rating = rating
    return draft
  })
  return { drafts, skipped, placeName }
}

interface GoogleApiError {
  code?: number | undefined
  message?: string | undefined
  status?: string | undefined
}

const googleErrorSchema = z.object({
  error: z.object({ code: optNumber, message: optString, status: optString }),
})

function googleApiError(value: unknown): GoogleApiError | undefined {
  const parsed = googleErrorSchema.safeParse(value)
  if (!parsed.success) return undefined
  const { code, message, status } = parsed.data.error
  return { code: code ?? undefined, message: message ?? undefined, status: status ?? undefined }
}

/** Reads what an HTTP error's short body snippet still holds of Google's error JSON. */
export function googleErrorFromSnippet(snippet: string): GoogleApiError | undefined {
  const status = /"status"\s*:\s*"([A-Z_]+)"/.exec(snippet)?.[1]
  const message = /"message"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(snippet)?.[1]
  const code = /"code"\s*:\s*(\d+)/.exec(snippet)?.[1]
  if (!status && !message) return undefined
  return { status, message: message?.replace(/\\(.)/g, '$1'), code: code ? Number(code) : undefined }
}

/** The line a Places API (New) error means. */
export function newApiError(e: GoogleApiError, placeId: string, cause?: unknown): Error {
  const said = shown(e.message)
  const what = [e.status, said].filter(Boolean).join(': ')
  const opts = cause ? { cause } : undefined
  if (e.status === 'PERMISSION_DENIED' || e.status === 'UNAUTHENTICATED' || e.code === 401 || e.code === 403 || /api key/i.test(e.message ?? '')) {
    return new CredentialsRejectedError(`credentials rejected (${what}); check ${GOOGLE_PLACES_KEY} and that Places API (New) is enabled for its project`, opts)
  }
  if (e.status === 'RESOURCE_EXHAUSTED' || e.code === 429) {
    return new Error(`rate or quota limit reached (${what}); try again later or raise the quota in the Google Cloud console`, opts)
  }
  if (e.status === 'NOT_FOUND' || e.code === 404) return new PlaceError(`place ${placeId} not found (${what})`, opts)
  if (e.status === 'INVALID_ARGUMENT' || e.code === 400) return new PlaceError(`place ${placeId}: request refused (${what}); check the place id`, opts)
  return new PlaceError(`place ${placeId}: Google answered ${what || `error ${e.code ?? 'unknown'}`}`, opts)
}

/** The line a legacy `status` means (legacy errors arrive with HTTP 200). */
export function legacyStatusError(status: string, message: string | undefined, placeId: string): Error {
  const said = shown(message)
  const detail = said ? `${status}: ${said}` : status
  switch (status) {
    case 'OVER_QUERY_LIMIT':
      return new Error(`rate or quota limit reached (${detail}); try again later or raise the quota in the Google Cloud console`)
    case 'REQUEST_DENIED':
      return new CredentialsRejectedError(
        `request denied (${detail}); check ${GOOGLE_PLACES_KEY}: the legacy Places API must be enabled for its project (new projects cannot enable it: use api "new")`,
      )
    case 'INVALID_REQUEST':
      return new PlaceError(`place ${placeId}: invalid request (${detail}); check the place id`)
    case 'NOT_FOUND':
    case 'ZERO_RESULTS':
      return new PlaceError(`place ${placeId} not found (${detail})`)
    default:
      return new PlaceError(`place ${placeId}: Google answered ${detail}`)
  }
}

// ---------------------------------------------------------------------------------------
// Small pure helpers

/** Upstream text for an error line: one line, no control characters, short. */
function shown(text: string | undefined): string {
  return text ? errorSnippet(text, [], 160) : ''
}

function fieldOf(error: z.ZodError): string {
  const issue = error.issues[0]
  return issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unexpected shape'
}

function httpsOnly(s: string | null | undefined): string | undefined {
  const u = httpUrl(s)
  return u?.startsWith('https://') ? u : undefined
}

function placeLink(placeId: string): string {
  return `https://www.google.com/maps/place/?q=place_id:${encodeURIComponent(placeId)}`
}

/** The contributor id in https://www.google.com/maps/contrib/<id>/reviews. */
function contributorId(uri: string | null | undefined): string | undefined {
  return /\/maps\/contrib\/(\d+)/.exec(uri ?? '')?.[1]
}

function authorOf(uri: string | null | undefined, name: string | null | undefined): MentionDraft['author'] | undefined {
  const author: NonNullable<MentionDraft['author']> = {}
  const id = contributorId(uri)
  if (id) author.handle = id
  const display = normaliseWhitespace(name ?? '')
  if (display) author.name = display
  return Object.keys(author).length > 0 ? author : undefined
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 16)
}

/** "en-US" → "en": the store keeps ISO 639-1 codes. */
function primaryLanguage(code: string | null | undefined): string | undefined {
  const primary = (code ?? '').split(/[-_]/)[0]?.toLowerCase()
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined
}

function stars(rating: number | null | undefined): number | undefined {
  return typeof rating === 'number' && Number.isInteger(rating) && rating >= 1 && rating <= 5 ? rating : undefined
}

// ---------------------------------------------------------------------------------------
// URLs (pure)

function apiUrl(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
}

export function placeUrl(baseUrl: string, placeId: string, language?: string): URL {
  const url = apiUrl(baseUrl, `v1/places/${encodeURIComponent(placeId)}`)
  if (language) url.searchParams.set('languageCode', language)
  return url
}

/** The key rides in the query (legacy has no header for it); shown URLs are redacted. */
export function legacyDetailsUrl(baseUrl: string, placeId: string, key: string, language?: string): URL {
  const url = apiUrl(baseUrl, 'maps/api/place/details/json')
  url.searchParams.set('place_id', placeId)
  url.searchParams.set('fields', 'place_id,name,url,reviews')
  url.searchParams.set('reviews_sort', 'newest')
  url.searchParams.set('reviews_no_translations', 'true')
  if (language) url.searchParams.set('language', language)
  url.searchParams.set('key', key)
  return url
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

async function readPlace(ctx: SourceContext<GooglePlacesOptions>, placeId: string, key: string): Promise<GooglePlacesRead> {
  const base = googlePlacesBase(ctx.options)
  const { language } = ctx.options
  if (ctx.options.api === 'legacy') {
    const url = legacyDetailsUrl(base, placeId, key, language)
    const { body } = await fetchJson(ctx, url, { credentials: [GOOGLE_PLACES_KEY] })
    return parseGooglePlacesLegacy(body, placeId, redactUrl(url))
  }
  const url = placeUrl(base, placeId, language)
  let body: unknown
  try {
    ;({ body } = await fetchJson(ctx, url, {
      headers: { 'X-Goog-Api-Key': key, 'X-Goog-FieldMask': GOOGLE_PLACES_FIELD_MASK },
      credentials: [GOOGLE_PLACES_KEY],
    }))
  } catch (err) {
    throw explainNewApiFailure(err, placeId)
  }
  return parseGooglePlaces(body, placeId, url.href)
}

/** Google's error JSON says more than the HTTP status: an invalid key arrives as a 400. */
function explainNewApiFailure(err: unknown, placeId: string): unknown {
  if (err instanceof RateLimitError) return err
  const http = err instanceof HttpError ? err : err instanceof Error && err.cause instanceof HttpError ? err.cause : undefined
  if (!http) return err
  const e = googleErrorFromSnippet(http.bodySnippet) ?? {}
  return newApiError({ ...e, code: e.code ?? http.status }, placeId, err)
}

async function* searchGooglePlaces(ctx: SourceContext<GooglePlacesOptions>, q: SourceQuery): AsyncIterable<Page> {
  const key = credential(ctx, 'googleplaces', GOOGLE_PLACES_KEY, WHY)
  const about = ownerBrand('googleplaces', ctx.options.brand, q.brands)
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const placeIds = [...new Set(ctx.options.placeIds)]
  const limit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const parts = new Map<string, Cursor>()
  for (const id of placeIds) {
    const part = partCursor(q.cursor, id)
    if (part) parts.set(id, part)
  }
  const cursorNow = () => cursorOfParts(placeIds, (id) => parts.get(id) ?? {})
  const failures: string[] = []
  let read = 0
  for (const placeId of placeIds) {
    if (read >= limit) {
      ctx.warn(`read ${limit} of ${placeIds.length} places (maxPages: ${limit}); the rest wait for the next pull`)
      break
    }
    read++
    let place: GooglePlacesRead
    try {
      place = await readPlace(ctx, placeId, key)
    } catch (err) {
      // One place that is gone or mistyped must not hide the others' reviews.
      if (err instanceof PlaceError) {
        failures.push(err.message)
        continue
      }
      throw err
    }
    if (place.skipped > 0) ctx.warn(`skipped ${place.skipped} unreadable review(s) of place ${placeId}`)
    const { kept, outside, cursor } = readFixedWindow(parts.get(placeId), place.drafts, bounds)
    parts.set(placeId, cursor)
    if (outside > 0 && q.cursor === undefined) {
      // Said on a first pull only: later pulls re-read the same 5 and would repeat it forever.
      ctx.warn(`${outside} review(s) of place ${placeId} are older than the pull's window and were left out`)
    }
    yield { mentions: kept.map((d) => ({ ...d, about })), cursor: cursorNow() }
  }
  if (failures.length > 0) {
    const more = failures.length > 3 ? ` (and ${failures.length - 3} more)` : ''
    throw new Error(`${failures.length} of ${placeIds.length} place(s) not read: ${failures.slice(0, 3).join('; ')}${more}`)
  }
  if (read === 0) yield { mentions: [], cursor: q.cursor ?? {} }
}

export const googlePlacesSource: Source<GooglePlacesOptions> = {
  kind: 'googleplaces',
  scope: 'feed',
  options: googlePlacesOptions,
  requires: [{ env: GOOGLE_PLACES_KEY, why: WHY }],
  instanceKey: (o) => `${googlePlacesBase(o)} ${o.api} ${[...new Set(o.placeIds)].sort().join(',')}`,
  // Neither Places API shows owner replies (only the Business Profile API, with the owner's OAuth).
  replies: 'none',
  limits: 'at most 5 reviews per place, chosen by Google (most relevant, not newest)',
  search: searchGooglePlaces,
}
