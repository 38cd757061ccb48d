// Trustpilot's public Business Units API (an API key, no OAuth): one business unit's service
// reviews, newest first, with the company's replies. A domain is resolved to its business
// unit once (/v1/business-units/find) and the id kept in the cursor.
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { errorSnippet } from '../net/redact.js'
import { HttpError } from '../net/types.js'
import { credential, fetchJson, jsonBody, ownerBrand, rateLimitState, readEach } from './common.js'
import { decodeEntities, normaliseText, normaliseWhitespace } from './html.js'
import { pollFeed, type PolledPage } from './poll.js'
import { SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'

const businessUnitId = z.string().regex(/^[A-Za-z0-9]{8,40}$/, 'a Trustpilot business unit id is 8 to 40 letters and digits')

export const trustpilotOptions = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.trustpilot.com'),
    /** The business unit (its id in Trustpilot's Business Units API). */
    businessUnitId: businessUnitId.optional(),
    /** Or the company's domain as Trustpilot lists it ("acme.com"), resolved once to the id. */
    domain: z.string().regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i, 'a domain name such as acme.com').optional(),
    /** The brand the business unit is; optional when only one non-competitor brand is configured. */
    brand: z.string().min(1).optional(),
    /** Pages of reviews per pull. */
    maxPages: z.int().min(1).max(50).default(5),
    /** Reviews per page (the API allows 1–100). */
    perPage: z.int().min(1).max(100).default(100),
    /**
     * Days below the newest stored review that each pull reads again, so a company reply
     * written after a review was stored is recorded. Bounded by maxPages.
     */
    replyWindowDays: z.number().min(0).max(365).default(30),
  })
  .refine((o) => o.businessUnitId !== undefined || o.domain !== undefined, { message: 'set businessUnitId or domain', path: ['businessUnitId'] })
export type TrustpilotOptions = z.output<typeof trustpilotOptions>

const KIND = 'trustpilot'
const API_KEY = 'TRUSTPILOT_API_KEY'
const WHY = "a Trustpilot API key (the application's key), sent as the apikey header"
const SITE = 'https://www.trustpilot.com'
const DAY = 24 * 3600_000

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`), never fatal.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)

const reviewSchema = z.object({
  id: z.string().min(1),
  stars: optNumber,
  title: optString,
  text: optString,
  language: optString,
  createdAt: optString,
  numberOfLikes: optNumber,
  consumer: z.object({ id: optString, displayName: optString, numberOfReviews: optNumber }).nullish().catch(undefined),
  businessUnit: z.object({ id: optString, displayName: optString }).nullish().catch(undefined),
  companyReply: z.object({ text: optString, createdAt: optString, updatedAt: optString }).nullish().catch(undefined),
})

const linkSchema = z.object({ rel: optString, href: optString })
const reviewsSchema = z.object({
  reviews: z.array(z.unknown()),
  links: z.array(z.unknown()).nullish().catch(undefined),
})

export const reviewPage = (id: string) => `${SITE}/reviews/${encodeURIComponent(String(id).replace(/\p{Surrogate}/gu, '\ufffd'))}`

export interface TrustpilotReviews {
  drafts: MentionDraft[]
  /** Reviews dropped for lacking an id or a date. */
  skipped: number
  /** Reviews the API returned, readable or not. */
  count: number
  /** False when the response's links say there is no next page; undefined when it has no links. */
  hasNext: boolean | undefined
}

/** An error body ({"message": …} or {"fault": {"faultstring": …}}) as a short, plain line. */
function upstreamMessage(value: unknown): string {
  if (!value || typeof value !== 'object') return ''
  const v = value as { message?: unknown; fault?: { faultstring?: unknown } }
  const m = typeof v.message === 'string' ? v.message : typeof v.fault?.faultstring === 'string' ? v.fault.faultstring : ''
  // Control characters and bidi overrides go: the line may reach a terminal.
  return m ? `: ${errorSnippet(m, [], 120)}` : ''
}

/**
 * Reads one /v1/business-units/{id}/reviews response. Throws SourceResponseError for a body
 * that is not JSON or has no `reviews` array, quoting the API's message when it sent one.
 */
export function readTrustpilotReviews(body: unknown, url = 'trustpilot'): TrustpilotReviews {
  const value = jsonBody(body, url)
  const parsed = reviewsSchema.safeParse(value)
  if (!parsed.success) throw new SourceResponseError(`trustpilot: expected a reviews response with a "reviews" array${upstreamMessage(value)}`, url, { cause: parsed.error })
  const { items, skipped } = readEach(parsed.data.reviews, reviewSchema, reviewDraft)
  let hasNext: boolean | undefined
  if (parsed.data.links) {
    hasNext = parsed.data.links.some((l) => {
      const link = linkSchema.safeParse(l)
      return link.success && link.data.rel?.toLowerCase() === 'next-page'
    })
  }
  return { drafts: items, skipped, count: parsed.data.reviews.length, hasNext }
}

/** The drafts of one reviews response. See readTrustpilotReviews. */
export function parseTrustpilot(body: unknown, url?: string): MentionDraft[] {
  return readTrustpilotReviews(body, url).drafts
}

function reviewDraft(r: z.output<typeof reviewSchema>): MentionDraft | undefined {
  const createdAt = Date.parse(r.createdAt ?? '')
  if (!Number.isFinite(createdAt)) return undefined
  const draft: MentionDraft = { externalId: r.id, url: reviewPage(r.id), text: normaliseText(r.text ?? ''), createdAt }
  // Whether the API HTML-escapes titles is not documented; decoding plain text is harmless.
  const title = decodeEntities(r.title ?? '')
  if (title) draft.title = title
  const c = r.consumer
  const handle = normaliseWhitespace(c?.id ?? '')
  const name = normaliseWhitespace(c?.displayName ?? '')
  if (handle || name) {
    // Display names are not unique; the consumer id is. How many reviews the reviewer has
    // written is the weight Trustpilot itself shows beside the name.
    const author: NonNullable<MentionDraft['author']> = handle ? { handle } : {}
    if (name) author.name = name
    if (typeof c?.numberOfReviews === 'number' && c.numberOfReviews >= 0) author.reach = c.numberOfReviews
    draft.author = author
  }
  const lang = normaliseWhitespace(r.language ?? '')
  if (lang) draft.lang = lang
  if (typeof r.stars === 'number' && Number.isInteger(r.stars) && r.stars >= 1 && r.stars <= 5) draft.rating = r.stars
  if (typeof r.numberOfLikes === 'number') draft.metrics = { likes: r.numberOfLikes }
  // The reply's first writing is when the company answered; an edit later does not move it.
  const replied = Date.parse(r.companyReply?.createdAt ?? r.companyReply?.updatedAt ?? '')
  if (r.companyReply && Number.isFinite(replied)) {
    draft.ownerReply = { at: replied, handle: normaliseWhitespace(r.businessUnit?.displayName ?? '') || 'company' }
  }
  return draft
}

const businessUnitSchema = z.object({
  id: z.string().min(1),
  displayName: optString,
  name: z.object({ identifying: optString }).nullish().catch(undefined),
})

export interface TrustpilotBusinessUnit {
  id: string
  displayName?: string
}

/** Reads a /v1/business-units/find response: the unit's id (and name). */
export function parseTrustpilotBusinessUnit(body: unknown, url = 'trustpilot'): TrustpilotBusinessUnit {
  const value = jsonBody(body, url)
  const parsed = businessUnitSchema.safeParse(value)
  if (!parsed.success || !businessUnitId.safeParse(parsed.data.id).success) {
    throw new SourceResponseError(`trustpilot: expected a business unit with an "id"${upstreamMessage(value)}`, url, parsed.success ? {} : { cause: parsed.error })
  }
  const unit: TrustpilotBusinessUnit = { id: parsed.data.id }
  const name = normaliseWhitespace(parsed.data.displayName ?? parsed.data.name?.identifying ?? '')
  if (name) unit.displayName = name
  return unit
}

// ---------------------------------------------------------------------------------------
// URLs (pure)

function apiUrl(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
}

export function findUrl(baseUrl: string, domain: string): URL {
  const url = apiUrl(baseUrl, 'v1/business-units/find')
  url.searchParams.set('name', domain)
  return url
}

export function reviewsUrl(baseUrl: string, id: string, page: number, perPage: number): URL {
  const url = apiUrl(baseUrl, `v1/business-units/${encodeURIComponent(id)}/reviews`)
  url.searchParams.set('orderBy', 'createdat.desc')
  url.searchParams.set('perPage', String(perPage))
  url.searchParams.set('page', String(page))
  return url
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

async function get(ctx: SourceContext<TrustpilotOptions>, url: URL, key: string, notFound: string): Promise<unknown> {
  try {
    // The key goes in a header, never the query string: URLs end up in messages and logs.
    const { body, response } = await fetchJson(ctx, url, { headers: { accept: 'application/json', apikey: key }, credentials: [API_KEY] })
    const state = rateLimitState(response.headers, ctx.now())
    if (state) ctx.report?.(state)
    return body
  } catch (err) {
    if (err instanceof HttpError && err.status === 404) throw new Error(notFound, { cause: err })
    throw err
  }
}

async function* searchTrustpilot(ctx: SourceContext<TrustpilotOptions>, q: SourceQuery): AsyncIterable<Page> {
  const key = credential(ctx, KIND, API_KEY, WHY)
  const about = ownerBrand(KIND, ctx.options.brand, q.brands)
  const { baseUrl, perPage, domain } = ctx.options

  let id = ctx.options.businessUnitId ?? q.cursor?.id
  if (id === undefined && domain !== undefined) {
    const url = findUrl(baseUrl, domain)
    id = parseTrustpilotBusinessUnit(await get(ctx, url, key, `no Trustpilot business unit found for domain ${domain}; check domain or set businessUnitId`), url.href).id
  }
  if (id === undefined) throw new Error('set businessUnitId or domain')
  const unit = id
  // Every cursor carries the id, so a domain is looked up once, not every pull.
  const withId = (cursor: Cursor): Cursor => (ctx.options.businessUnitId ? cursor : { ...cursor, id: unit })

  let ended = false
  const walk = pollFeed({
    ctx,
    q,
    kind: KIND,
    parts: [
      {
        key: 'reviews',
        label: `business unit ${unit}`,
        order: 'newest',
        async fetch(page): Promise<PolledPage> {
          // A short page, or links without a next page, ends the list without another request.
          if (ended) return { items: [], skipped: 0 }
          const url = reviewsUrl(baseUrl, unit, page, perPage)
          const read = readTrustpilotReviews(await get(ctx, url, key, `business unit ${unit} not found; check ${ctx.options.businessUnitId ? 'businessUnitId' : 'domain'}`), url.href)
          ended = read.count < perPage || read.hasNext === false
          return { items: read.drafts.map((draft) => ({ draft: { ...draft, about } })), skipped: read.skipped }
        },
      },
    ],
    pageLimit: Math.max(1, Math.min(q.maxPages, ctx.options.maxPages)),
    overlapMs: ctx.options.replyWindowDays * DAY,
    noun: { one: 'review', many: 'reviews' },
    // The company's reply comes inside each review.
    comments: async () => [],
  })
  for await (const page of walk) yield { ...page, cursor: withId(page.cursor) }
}

export const trustpilotSource: Source<TrustpilotOptions> = {
  kind: KIND,
  scope: 'feed',
  options: trustpilotOptions,
  requires: [{ env: API_KEY, why: WHY }],
  instanceKey: (options) => `${options.baseUrl}#${options.businessUnitId ?? `domain=${options.domain?.toLowerCase() ?? ''}`}`,
  // A review's companyReply is the company's answer, with its time.
  replies: 'owner-response',
  search: searchTrustpilot,
}
