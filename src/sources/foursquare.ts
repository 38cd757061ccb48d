// Foursquare Places (the 2025 Places API at places-api.foursquare.com): the tips people leave
// on the brand's venues. Tips have no search, no rating, no author and no owner reply, so the
// source polls each configured venue's newest tips and files them under the venue's brand.
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { errorSnippet } from '../net/redact.js'
import { HttpError, RateLimitError } from '../net/types.js'
import { credential, fetchJson, jsonBody, ownerBrand, rateLimitState, readEach } from './common.js'
import { normaliseText, normaliseWhitespace } from './html.js'
import { pollFeed, type PolledItem, type PolledPage } from './poll.js'
import { SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'
import { partCursor, withParts } from './window.js'

export const foursquareOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://places-api.foursquare.com'),
  /** The brand's venues (fsq_place_id, as in a place's Foursquare URL). */
  venueIds: z.array(z.string().regex(/^[A-Za-z0-9]{8,40}$/, 'a Foursquare place id is 8 to 40 letters and digits')).min(1),
  /** The brand these venues belong to; optional when only one non-competitor brand is configured. */
  brand: z.string().min(1).optional(),
  /** Pages of tips per venue per pull (each page is one billed request). */
  maxPages: z.int().min(1).max(20).default(2),
  /** Tips per page; the API serves at most 50. */
  limit: z.int().min(1).max(50).default(50),
  /** Sent as X-Places-Api-Version: the API answers in the shape of this dated version. */
  apiVersion: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).default('2025-06-17'),
  /** Hours below the newest stored tip each pull re-reads (a tip edited since is updated). */
  overlapHours: z.number().min(0).max(24 * 30).default(24),
})
export type FoursquareOptions = z.output<typeof foursquareOptions>

const KIND = 'foursquare'
const API_KEY = 'FOURSQUARE_API_KEY'
const WHY = 'a Foursquare Places service API key, sent as a Bearer token'
const SITE = 'https://foursquare.com'

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`), never fatal.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)

const tipSchema = z.object({
  id: z.string().min(1),
  created_at: optString,
  text: optString,
  lang: optString,
  agree_count: optNumber,
})

/**
 * The venue page on foursquare.com (its usual form is /v/<slug>/<id>; the slug is not in a tip
 * response, so the short form is used). Tips have no page of their own.
 */
export const venuePage = (venueId: string) => `${SITE}/v/${encodeURIComponent(venueId)}`

export interface FoursquareTips {
  drafts: MentionDraft[]
  /** Tips dropped for lacking an id, a date or any text. */
  skipped: number
}

/**
 * Reads one /places/{id}/tips response (a JSON array of tips). Throws SourceResponseError for
 * a body that is not JSON or not a list, quoting the API's own `message` when it sent one.
 */
export function readFoursquareTips(body: unknown, venueId: string, url = 'foursquare'): FoursquareTips {
  const value = jsonBody(body, url)
  if (!Array.isArray(value)) {
    const message = value && typeof value === 'object' && 'message' in value && typeof value.message === 'string' ? `: ${errorSnippet(value.message, [], 120)}` : ''
    throw new SourceResponseError(`foursquare: expected a JSON array of tips${message}`, url)
  }
  const { items, skipped } = readEach(value, tipSchema, (tip) => tipDraft(tip, venueId))
  return { drafts: items, skipped }
}

/** The drafts of one tips response. See readFoursquareTips. */
export function parseFoursquare(body: unknown, venueId: string, url?: string): MentionDraft[] {
  return readFoursquareTips(body, venueId, url).drafts
}

function tipDraft(tip: z.output<typeof tipSchema>, venueId: string): MentionDraft | undefined {
  const createdAt = Date.parse(tip.created_at ?? '')
  const text = normaliseText(tip.text ?? '')
  if (!Number.isFinite(createdAt) || !text) return undefined
  // Tip ids are global, so the id alone is the externalId; the venue is its thread.
  const draft: MentionDraft = { externalId: tip.id, url: venuePage(venueId), text, createdAt, threadExternalId: `venue:${venueId}` }
  const lang = normaliseWhitespace(tip.lang ?? '')
  if (lang) draft.lang = lang
  if (typeof tip.agree_count === 'number') draft.metrics = { likes: tip.agree_count }
  return draft
}

/** The rel="next" target of a Link header, when there is one. */
export function nextLink(header: string | undefined): string | undefined {
  for (const part of (header ?? '').split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]+)>(.*)$/.exec(part)
    if (m && /;\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(m[2] ?? '')) return m[1]
  }
  return undefined
}

// ---------------------------------------------------------------------------------------
// URLs (pure)

export function tipsUrl(baseUrl: string, venueId: string, limit: number): URL {
  const url = new URL(`places/${encodeURIComponent(venueId)}/tips`, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
  url.searchParams.set('limit', String(limit))
  url.searchParams.set('sort', 'NEWEST')
  url.searchParams.set('fields', 'id,created_at,text,lang,agree_count')
  return url
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

/** A venue the API refused as such (unknown, malformed, gone), as opposed to a refused key or a limit. */
function venueRefused(err: unknown): err is HttpError {
  return err instanceof HttpError && !(err instanceof RateLimitError) && [400, 404, 410, 422].includes(err.status)
}

async function* searchFoursquare(ctx: SourceContext<FoursquareOptions>, q: SourceQuery): AsyncIterable<Page> {
  const key = credential(ctx, KIND, API_KEY, WHY)
  const about = ownerBrand(KIND, ctx.options.brand, q.brands)
  const { baseUrl, limit, apiVersion } = ctx.options
  const origin = new URL(baseUrl).origin
  const headers = { accept: 'application/json', authorization: `Bearer ${key}`, 'x-places-api-version': apiVersion }
  const venues = [...new Set(ctx.options.venueIds)]

  // One cursor part per venue; a venue dropped from the config loses its part.
  const parts: Record<string, Cursor> = {}
  for (const v of venues) {
    const part = partCursor(q.cursor, v)
    if (part) parts[v] = part
  }
  const failed: string[] = []
  let yielded = false

  for (const venueId of venues) {
    let next: string | undefined
    const { cursor: _all, ...rest } = q
    const own = parts[venueId]
    const venueWalk = pollFeed({
      ctx,
      q: own ? { ...rest, cursor: withParts({ [venueId]: own }) } : rest,
      kind: KIND,
      parts: [
        {
          key: venueId,
          label: `venue ${venueId}`,
          order: 'newest',
          async fetch(page): Promise<PolledPage> {
            // Page 1 is the newest tips; later pages only through the Link the API gave, on
            // the API's own origin (the key must not travel anywhere else).
            const url = page === 1 ? tipsUrl(baseUrl, venueId, limit) : next !== undefined ? new URL(next, baseUrl) : undefined
            if (!url || url.origin !== origin) return { items: [], skipped: 0 }
            const { body, response } = await fetchJson(ctx, url, { headers, credentials: [API_KEY] })
            const state = rateLimitState(response.headers, ctx.now())
            if (state) ctx.report?.(state)
            next = nextLink(response.headers.link)
            const read = readFoursquareTips(body, venueId, url.href)
            const items: PolledItem[] = read.drafts.map((draft) => ({ draft: { ...draft, about } }))
            return { items, skipped: read.skipped }
          },
        },
      ],
      pageLimit: Math.max(1, Math.min(q.maxPages, ctx.options.maxPages)),
      overlapMs: ctx.options.overlapHours * 3600_000,
      noun: { one: 'tip', many: 'tips' },
      // Tips have no replies to fetch.
      comments: async () => [],
    })
    try {
      for await (const page of venueWalk) {
        const part = page.cursor.parts?.[venueId]
        if (part) parts[venueId] = part
        yielded = true
        yield { mentions: page.mentions, cursor: withParts({ ...parts }) }
      }
    } catch (err) {
      if (!venueRefused(err)) throw err
      // One wrong id in the config must not cost the other venues; its part stays as it was.
      failed.push(venueId)
      ctx.warn(`venue ${venueId} could not be read (${err.message}); check venueIds`)
    }
  }
  if (failed.length === venues.length) {
    throw new Error(`no venue could be read (${failed.join(', ')}); check venueIds`)
  }
  if (!yielded) yield { mentions: [], cursor: q.cursor ?? {} }
}

export const foursquareSource: Source<FoursquareOptions> = {
  kind: KIND,
  scope: 'feed',
  options: foursquareOptions,
  requires: [{ env: API_KEY, why: WHY }],
  // Venues live in cursor parts, so a venue added later starts afresh without resetting the
  // rest; the brand keeps two brands' entries from sharing (and overwriting) one cursor.
  instanceKey: (options) => (options.brand ? `${options.baseUrl}#brand=${options.brand.toLowerCase()}` : options.baseUrl),
  // Tips carry no owner reply and the API shows no venue-manager responses: answered is unknown.
  replies: 'none',
  limits: 'tips only: no star rating, no author, no owner replies',
  search: searchFoursquare,
}
