// Stack Exchange API 2.3 (Stack Overflow and the other sites). One brand → one
// /search/advanced walk per site and term, newest first (sort=creation), resumed from a
// creation_date timestamp; the brand's own answers come from /users/{ids}/answers.
import { setTimeout as sleepTimer } from 'node:timers/promises'
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { errorSnippet } from '../net/redact.js'
import { HttpError, RateLimitError, type Http } from '../net/types.js'
import { fetchJson, jsonBody, readEach } from './common.js'
import { hackerNewsQueries } from './hackernews.js'
import { decodeEntities, htmlToText } from './html.js'
import {
  CredentialsRejectedError,
  SourceResponseError,
  type OwnActivityQuery,
  type Page,
  type Source,
  type SourceContext,
  type SourceQuery,
} from './types.js'
import { httpUrl } from './url.js'
import { keepHit, mergeWalks, partCursor, planWindows, type WalkState, type WindowBounds, orderWalks, cursorOfParts } from './window.js'

export const STACKEXCHANGE_KEY = 'STACKEXCHANGE_KEY'
const KEY_WHY = 'raises the daily quota from 300 requests per IP to 10,000'

/** A site's API name ("stackoverflow", "superuser", "math"): what the `site` parameter takes. */
const siteName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9.-]*$/, 'a Stack Exchange site name such as "stackoverflow" or "superuser"')

export const stackExchangeOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.stackexchange.com'),
  maxPages: z.int().min(1).max(50).default(5),
  /** The API serves at most 100 items a page. */
  pagesize: z.int().min(1).max(100).default(100),
  sites: z.array(siteName).min(1).default(['stackoverflow']),
  /** `withbody` is the built-in filter that adds `body` to the default fields. */
  filter: z.string().min(1).default('withbody'),
})
export type StackExchangeOptions = z.output<typeof stackExchangeOptions>

// ---------------------------------------------------------------------------------------
// Ids (pure)

/**
 * Question and answer ids are per site, so on any site but Stack Overflow the id carries the
 * site: `q123` is Stack Overflow's question 123, `superuser:q123` Super User's. Stack Overflow
 * keeps the bare form, so adding a site never renames stored mentions.
 */
export function stackExchangeId(site: string, type: 'q' | 'a', id: number): string {
  return site === 'stackoverflow' ? `${type}${id}` : `${site}:${type}${id}`
}

/**
 * The author handle of an item, and the form a brand's `handles.stackexchange` entries take:
 * `<site>:<user_id>` (user ids, like question ids, are per site; display names are not unique).
 */
export function stackExchangeHandle(site: string, userId: number): string {
  return `${site}:${userId}`
}

/** Reads a configured handle ("stackoverflow:12345"), or undefined when it is not of that form. */
export function parseStackExchangeHandle(handle: string): { site: string; userId: number } | undefined {
  const m = /^([a-z0-9][a-z0-9.-]*):(\d+)$/i.exec(handle.trim())
  if (!m) return undefined
  return { site: (m[1] as string).toLowerCase(), userId: Number(m[2]) }
}

/** The web origin of a site, for links the default filters leave out (answers have no `link`). */
export function siteOrigin(site: string): string {
  if (site.includes('.')) return `https://${site.replace(/\.$/, '')}`
  const dotCom = ['stackoverflow', 'serverfault', 'superuser', 'askubuntu', 'stackapps']
  if (dotCom.includes(site)) return `https://${site}.com`
  if (site === 'mathoverflow') return 'https://mathoverflow.net'
  return `https://${site}.stackexchange.com`
}

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`) rather than failing the item.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)

// `withbody` adds only `body`: owner.reputation and tags come with the default filter on the
// /questions shape but are absent from the recorded body-filter search response, so every
// owner field is optional. display_name is HTML-escaped like titles are.
const ownerSchema = z
  .object({
    user_id: optNumber,
    display_name: optString,
    reputation: optNumber,
    link: optString,
  })
  .nullish()
  .catch(undefined)

const itemSchema = z.object({
  question_id: z.number().int(),
  answer_id: z.number().int().optional(),
  creation_date: z.number(),
  title: optString,
  body: optString,
  link: optString,
  owner: ownerSchema,
  score: optNumber,
  answer_count: optNumber,
})
type Item = z.output<typeof itemSchema>

const wrapperSchema = z.object({
  items: z.array(z.unknown()),
  has_more: z.boolean().optional().catch(undefined),
  quota_max: z.number().optional().catch(undefined),
  quota_remaining: z.number().optional().catch(undefined),
  backoff: z.number().optional().catch(undefined),
})

export interface StackExchangePage {
  drafts: MentionDraft[]
  itemCount: number
  /** Items dropped for lacking an id or a creation date. */
  skipped: number
  hasMore: boolean
  quotaMax: number | undefined
  quotaRemaining: number | undefined
  /** Seconds to wait before calling the same method again. */
  backoff: number | undefined
}

/** An error the API answered with (`error_id`, `error_name`, `error_message`). */
export interface StackExchangeErrorBody {
  errorId: number | undefined
  errorName: string | undefined
  errorMessage: string | undefined
}

/** The API's documented error ids, for a body whose name was cut off. */
const ERROR_NAMES: Readonly<Record<number, string>> = {
  400: 'bad_parameter',
  401: 'access_token_required',
  402: 'invalid_access_token',
  403: 'access_denied',
  404: 'no_method',
  405: 'key_required',
  406: 'access_token_compromised',
  407: 'write_failed',
  409: 'duplicate_request',
  500: 'internal_error',
  502: 'throttle_violation',
  503: 'temporarily_unavailable',
}

/** Raised for an error the API answered with; the message names it. */
export class StackExchangeApiError extends Error {
  override name = 'StackExchangeApiError'
  constructor(message: string, readonly error: StackExchangeErrorBody, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/**
 * The error fields of a body, also from a snippet cut short (the HTTP client keeps only the
 * head of an error body), or undefined when it is not an API error.
 */
export function readErrorBody(text: string): StackExchangeErrorBody | undefined {
  const id = /"error_id"\s*:\s*(\d+)/.exec(text)
  const name = /"error_name"\s*:\s*"([^"\\]*)"/.exec(text)
  if (!id && !name) return undefined
  const message = /"error_message"\s*:\s*"((?:[^"\\]|\\.)*)("|$)/.exec(text)
  const errorId = id ? Number(id[1]) : undefined
  let errorMessage: string | undefined
  if (message) {
    const raw = (message[1] as string).replace(/…$/, '')
    try {
      errorMessage = JSON.parse(`"${raw}"`) as string
    } catch {
      errorMessage = raw
    }
    if (message[2] !== '"') errorMessage += '…'
  }
  return {
    errorId,
    errorName: name?.[1] ?? (errorId !== undefined ? ERROR_NAMES[errorId] : undefined),
    errorMessage,
  }
}

/**
 * What a user can act on for an API error: which error, what it said, and what the key
 * variable has to do with it. Key problems are CredentialsRejectedError (check the key);
 * the rest StackExchangeApiError.
 */
export function apiError(body: StackExchangeErrorBody, opts: { keySet: boolean; cause?: unknown }): Error {
  const what = `${body.errorName ?? 'error'}${body.errorId !== undefined ? ` (${body.errorId})` : ''}`
  const said = body.errorMessage ? `: ${errorSnippet(body.errorMessage, [], 160)}` : ''
  const cause = opts.cause === undefined ? {} : { cause: opts.cause }
  const aboutKey = /\bkey\b/i.test(body.errorMessage ?? '')
  if ([401, 402, 403, 405, 406].includes(body.errorId ?? 0) || (body.errorId === 400 && aboutKey)) {
    return new CredentialsRejectedError(`credentials rejected by Stack Exchange, ${what}${said}; check ${STACKEXCHANGE_KEY}`, cause)
  }
  if (body.errorName === 'throttle_violation' || body.errorId === 502) {
    const hint = opts.keySet
      ? `the quota of ${STACKEXCHANGE_KEY} is used up or requests came too fast`
      : `set ${STACKEXCHANGE_KEY} to raise the daily quota from 300 requests per IP to 10,000`
    const wait = /available in (\d+) seconds?/i.exec(body.errorMessage ?? '')
    const retry = wait ? `; more requests in ${wait[1]} s` : ''
    return new StackExchangeApiError(`Stack Exchange throttled the request, ${what}${said}${retry}; ${hint}`, body, cause)
  }
  const sent = opts.keySet ? `sent with ${STACKEXCHANGE_KEY}` : `sent without ${STACKEXCHANGE_KEY}`
  return new StackExchangeApiError(`Stack Exchange API error ${what}${said} (${sent})`, body, cause)
}

/**
 * Reads one response of /search/advanced or /users/{ids}/answers (a JSON string or the parsed
 * value) for `site`. An error body throws the API's error; any other shape without `items`
 * throws SourceResponseError naming the field.
 */
export function parseStackExchangePage(body: unknown, site = 'stackoverflow', url = 'stackexchange', keySet = false): StackExchangePage {
  const value = jsonBody(body, url)
  if (value !== null && typeof value === 'object' && ('error_id' in value || 'error_name' in value)) {
    const error = readErrorBody(JSON.stringify(value))
    if (error) throw apiError(error, { keySet })
  }
  const parsed = wrapperSchema.safeParse(value)
  if (!parsed.success) {
    throw new SourceResponseError('stackexchange: expected a response wrapper with an "items" array', url, { cause: parsed.error })
  }
  const { items: drafts, skipped } = readEach(parsed.data.items, itemSchema, (item) => itemToDraft(item, site))
  return {
    drafts,
    itemCount: parsed.data.items.length,
    skipped,
    hasMore: parsed.data.has_more === true,
    quotaMax: parsed.data.quota_max,
    quotaRemaining: parsed.data.quota_remaining,
    backoff: parsed.data.backoff,
  }
}

/** The drafts of one response. See parseStackExchangePage. */
export function parseStackExchange(body: unknown, site?: string, url?: string): MentionDraft[] {
  return parseStackExchangePage(body, site, url).drafts
}

function itemToDraft(item: Item, site: string): MentionDraft | undefined {
  const createdAt = item.creation_date * 1000
  if (!Number.isFinite(createdAt)) return undefined
  const owner = item.owner ?? undefined
  // The owner's profile link names the site's real origin; the table is the fallback.
  const origin = originOf(item.link ?? undefined) ?? originOf(owner?.link ?? undefined) ?? siteOrigin(site)
  const question = stackExchangeId(site, 'q', item.question_id)
  const isAnswer = item.answer_id !== undefined
  const draft: MentionDraft = {
    externalId: isAnswer ? stackExchangeId(site, 'a', item.answer_id as number) : question,
    url: httpUrl(item.link) ?? (isAnswer ? `${origin}/a/${item.answer_id}` : `${origin}/q/${item.question_id}`),
    text: htmlToText(item.body ?? ''),
    createdAt,
  }
  // Titles come HTML-escaped (&#39;, &quot;) but are plain text.
  const title = decodeEntities(item.title ?? '')
  if (title) draft.title = title
  if (owner) {
    const author: NonNullable<MentionDraft['author']> = {}
    if (typeof owner.user_id === 'number') author.handle = stackExchangeHandle(site, owner.user_id)
    const name = decodeEntities(owner.display_name ?? '')
    if (name) author.name = name
    if (typeof owner.reputation === 'number') author.reach = owner.reputation
    if (Object.keys(author).length > 0) draft.author = author
  }
  if (isAnswer) {
    draft.parentExternalId = question
    draft.threadExternalId = question
  }
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  if (typeof item.score === 'number') metrics.score = item.score
  if (typeof item.answer_count === 'number') metrics.replies = item.answer_count
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return draft
}

function originOf(link: string | undefined): string | undefined {
  const url = httpUrl(link)
  return url ? new URL(url).origin : undefined
}

// ---------------------------------------------------------------------------------------
// URLs (pure)

export interface WindowParams {
  site: string
  page: number
  pagesize: number
  filter: string
  /** Epoch ms, inclusive. */
  from: number
  /** Epoch ms, inclusive; open-ended when undefined. */
  to?: number | undefined
  key?: string | undefined
}

function apiUrl(baseUrl: string, path: string, p: WindowParams): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  const url = new URL(path, base)
  url.searchParams.set('site', p.site)
  url.searchParams.set('sort', 'creation')
  url.searchParams.set('order', 'desc')
  url.searchParams.set('fromdate', String(Math.floor(p.from / 1000)))
  if (p.to !== undefined) url.searchParams.set('todate', String(Math.ceil(p.to / 1000)))
  url.searchParams.set('page', String(p.page))
  url.searchParams.set('pagesize', String(p.pagesize))
  url.searchParams.set('filter', p.filter)
  if (p.key) url.searchParams.set('key', p.key)
  return url
}

export function searchAdvancedUrl(baseUrl: string, p: WindowParams & { q: string }): URL {
  const url = apiUrl(baseUrl, '2.3/search/advanced', p)
  url.searchParams.set('q', p.q)
  return url
}

export function userAnswersUrl(baseUrl: string, p: WindowParams & { userIds: readonly number[] }): URL {
  return apiUrl(baseUrl, `2.3/users/${p.userIds.join(';')}/answers`, p)
}

// ---------------------------------------------------------------------------------------
// Backoff

/**
 * When each method may be called again, per HTTP client (one per process, shared by every
 * brand's walk): the API asks that a `backoff` be honoured per method, whoever calls it.
 */
const resumeAt = new WeakMap<Http, Map<string, number>>()

/** Milliseconds to wait before calling `method` again (0 when free). */
export function backoffWaitMs(http: Http, method: string, nowMs: number): number {
  const at = resumeAt.get(http)?.get(method)
  return at === undefined ? 0 : Math.max(0, at - nowMs)
}

function recordBackoff(http: Http, method: string, seconds: number, nowMs: number): void {
  let map = resumeAt.get(http)
  if (!map) resumeAt.set(http, (map = new Map()))
  map.set(method, Math.max(map.get(method) ?? 0, nowMs + seconds * 1000))
}

// ---------------------------------------------------------------------------------------
// The walk (I/O)

/**
 * How far below each resume point a pull re-reads: search is served from an index that
 * takes a while to see new posts, so a question can show up after a newer one was seen.
 */
export const STACKEXCHANGE_OVERLAP_MS = 3600_000

/** One upstream query: its cursor part, the method it calls, and its URL for a page. */
interface Stream {
  key: string
  site: string
  method: string
  label: string
  url(page: number, window: { from: number; to: number | undefined }): URL
}

interface StreamWalk extends WalkState {
  stream: Stream
}

async function* walkStreams(
  ctx: SourceContext<StackExchangeOptions>,
  streams: Stream[],
  q: { cursor?: Cursor | undefined; since: number; until?: number | undefined; maxPages: number },
): AsyncIterable<Page> {
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const keySet = Boolean(ctx.env[STACKEXCHANGE_KEY]?.trim())
  // One cursor per site and query: one answering empty, or lagging, never moves another's.
  const previous = new Map(streams.map((s) => [s.key, partCursor(q.cursor, s.key)]))
  const walks: StreamWalk[] = []
  const planned = streams.map((stream) => ({
    stream,
    windows: planWindows(previous.get(stream.key), { ...bounds, overlap: STACKEXCHANGE_OVERLAP_MS }),
  }))
  walks.push(...orderWalks(planned, ({ stream }, window): StreamWalk => ({ stream, window, status: 'pending' })))
  const cursorNow = (): Cursor => cursorOfParts(streams.map((x) => x.key), (key) => mergeWalks(previous.get(key), walks.filter((w) => w.stream.key === key), bounds))
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  const seen = new Set<string>()
  let lowQuotaWarned = false
  for (const walk of walks) {
    walk.status = 'running'
    const { stream } = walk
    const { from, to } = walk.window
    let outside = 0
    for (let page = 1; ; page++) {
      if (page > pageLimit) {
        walk.status = 'truncated'
        break
      }
      const wait = backoffWaitMs(ctx.http, stream.method, ctx.now())
      if (wait > 0) {
        if (wait >= 10_000) ctx.warn(`waiting ${Math.ceil(wait / 1000)} s: the API asked for a backoff on ${stream.method}`)
        await sleepTimer(wait, undefined, ctx.signal ? { signal: ctx.signal } : undefined)
      }
      const url = stream.url(page, walk.window)
      const body = await get(ctx, url, keySet)
      const parsed = parseStackExchangePage(body, stream.site, url.href, keySet)
      if (parsed.backoff !== undefined && parsed.backoff > 0) recordBackoff(ctx.http, stream.method, parsed.backoff, ctx.now())
      if (parsed.quotaRemaining !== undefined) {
        ctx.report?.({
          remaining: parsed.quotaRemaining,
          ...(parsed.quotaMax !== undefined ? { limit: parsed.quotaMax } : {}),
          ...(keySet ? {} : { note: `no ${STACKEXCHANGE_KEY}: 300 requests a day per IP` }),
        })
        if (parsed.quotaRemaining <= 0 && !lowQuotaWarned) {
          lowQuotaWarned = true
          ctx.warn(`the daily quota is used up (quota_max ${parsed.quotaMax ?? '?'})${keySet ? '' : `; set ${STACKEXCHANGE_KEY} to raise it to 10,000`}`)
        }
      }
      if (parsed.skipped > 0) ctx.warn(`skipped ${parsed.skipped} unreadable item(s) from ${stream.label}`)

      const fresh: MentionDraft[] = []
      for (const d of parsed.drafts) {
        if (walk.oldestSeen === undefined || d.createdAt < walk.oldestSeen) walk.oldestSeen = d.createdAt
        // An upstream that ignores fromdate/todate must not flood the store with old items.
        if (!keepHit(d.createdAt, walk.window, bounds)) {
          outside++
          continue
        }
        if (d.createdAt >= from && (to === undefined || d.createdAt <= to)) {
          if (walk.newestSeen === undefined || d.createdAt > walk.newestSeen) walk.newestSeen = d.createdAt
        }
        if (seen.has(d.externalId)) continue
        seen.add(d.externalId)
        fresh.push(d)
      }
      if (!parsed.hasMore || parsed.itemCount === 0) walk.status = 'done'
      yield { mentions: fresh, cursor: cursorNow() }
      if (walk.status !== 'running') break
    }
    if (walk.status === 'truncated') {
      const what = walk.window.kind === 'backfill' ? 'backfilling ' : ''
      ctx.warn(`stopped ${what}${stream.label} after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (outside > 0) ctx.warn(`dropped ${outside} item(s) from ${stream.label} created outside the pull's window`)
  }
}

/** One GET; API error bodies (HTTP 400 and friends) become errors naming the error and the key. */
async function get(ctx: SourceContext<StackExchangeOptions>, url: URL, keySet: boolean): Promise<unknown> {
  try {
    const { body } = await fetchJson(ctx, url, { credentials: [STACKEXCHANGE_KEY] })
    return body
  } catch (err) {
    const http = err instanceof HttpError ? err : err instanceof Error && err.cause instanceof HttpError ? err.cause : undefined
    // A 429 keeps the client's message: it says when to retry.
    if (!http || http instanceof RateLimitError) throw err
    const error = readErrorBody(http.bodySnippet)
    if (!error) throw err
    throw apiError(error, { keySet, cause: err })
  }
}

function keyOf(ctx: SourceContext<StackExchangeOptions>): string | undefined {
  // Optional: without it the API serves 300 requests a day per IP.
  return ctx.env[STACKEXCHANGE_KEY]?.trim() || undefined
}

async function* searchStackExchange(ctx: SourceContext<StackExchangeOptions>, q: SourceQuery): AsyncIterable<Page> {
  if (!q.brand) throw new Error('stackexchange: searched without a brand (its scope is "brand")')
  const { baseUrl, pagesize, filter, sites } = ctx.options
  const key = keyOf(ctx)
  // Search `q` matches all of its words, as Algolia's query does: the same queries serve.
  const queries = hackerNewsQueries(q.brand.terms)
  if (queries.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const streams: Stream[] = sites.flatMap((site) =>
    queries.map((query) => ({
      key: `${site} ${query}`,
      site,
      method: '/2.3/search/advanced',
      label: `"${query}" on ${site}`,
      url: (page: number, w: { from: number; to: number | undefined }) =>
        searchAdvancedUrl(baseUrl, { site, q: query, page, pagesize, filter, from: w.from, to: w.to, key }),
    })),
  )
  yield* walkStreams(ctx, streams, q)
}

/** The brand's handles grouped by site; malformed ones and other sites' are warned about. */
export function handlesBySite(handles: readonly string[], sites: readonly string[], warn: (m: string) => void): Map<string, number[]> {
  const bySite = new Map<string, number[]>()
  for (const handle of handles) {
    const parsed = parseStackExchangeHandle(handle)
    if (!parsed) {
      warn(`handle "${handle}" is not of the form <site>:<user id> (e.g. "stackoverflow:12345"); skipped`)
      continue
    }
    if (!sites.includes(parsed.site)) {
      warn(`handle "${handle}" is on ${parsed.site}, which this source does not search; skipped`)
      continue
    }
    const ids = bySite.get(parsed.site) ?? []
    if (!ids.includes(parsed.userId)) ids.push(parsed.userId)
    bySite.set(parsed.site, ids)
  }
  return bySite
}

/** The API takes up to 100 ids per /users/{ids} call. */
const IDS_PER_CALL = 100

async function* ownAnswers(ctx: SourceContext<StackExchangeOptions>, q: OwnActivityQuery): AsyncIterable<Page> {
  const { baseUrl, pagesize, filter, sites } = ctx.options
  const key = keyOf(ctx)
  const streams: Stream[] = []
  for (const [site, ids] of handlesBySite(q.handles, sites, ctx.warn)) {
    for (let i = 0; i < ids.length; i += IDS_PER_CALL) {
      const chunk = ids.slice(i, i + IDS_PER_CALL)
      streams.push({
        key: `${site} answers ${chunk.join(';')}`,
        site,
        method: '/2.3/users/{ids}/answers',
        label: `answers of ${chunk.map((id) => `${site}:${id}`).join(', ')}`,
        url: (page, w) => userAnswersUrl(baseUrl, { site, userIds: chunk, page, pagesize, filter, from: w.from, to: w.to, key }),
      })
    }
  }
  if (streams.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  yield* walkStreams(ctx, streams, q)
}

export const stackExchangeSource: Source<StackExchangeOptions> = {
  kind: 'stackexchange',
  scope: 'brand',
  options: stackExchangeOptions,
  requires: [{ env: STACKEXCHANGE_KEY, optional: true, why: KEY_WHY }],
  // Cursor parts are per site: two entries searching different sites must not share one.
  instanceKey: (options) => `${options.baseUrl} ${options.sites.join(',')}`,
  // Search returns questions only; the brand's answers come from its users' own activity.
  replies: 'own-activity',
  search: searchStackExchange,
  ownActivity: ownAnswers,
}
