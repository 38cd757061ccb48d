// YouTube through the Data API v3 (an API key). One brand → one search.list walk (its terms
// joined with `|`, YouTube's OR), newest first by publishedAt, resumed from a timestamp;
// then the comment threads of the videos that walk found, and of the brand's own channel
// when `channelId` is set. search.list has a small daily allowance per Google project, so
// every call is counted in the instance's ledger and the walk stops cleanly when its share
// (maxSearchesPerDay) is spent. Comment reads cost 1 unit each of the 10,000 a day.
//
// The API takes its key only as `key=` in the query: every URL here holds a secret. The HTTP
// client redacts `key` from the URLs it names and blanks the value out of response snippets;
// this file never puts a URL in a message or a warning, only video and thread ids.
import { z } from 'zod'
import type { Brand, Cursor, MentionDraft } from '../model.js'
import { HttpError, NetworkError, RateLimitError } from '../net/types.js'
import { errorSnippet, redactUrl } from '../net/redact.js'
import { credential, dayIn, jsonBody, ledgerOf, nextMidnight, readEach } from './common.js'
import { decodeEntities, htmlToText, normaliseText } from './html.js'
import {
  BudgetExhaustedError,
  CredentialsRejectedError,
  SourceResponseError,
  type Page,
  type Source,
  type SourceContext,
  type SourceQuery,
  type UsageLedger,
} from './types.js'
import { cursorOfParts, mergeWalks, orderWalks, partCursor, planWindows, keepHit, type WalkState, type WindowBounds } from './window.js'

const KIND = 'youtube'
const KEY = 'YOUTUBE_API_KEY'
const KEY_WHY = 'a YouTube Data API v3 key from the Google Cloud console'
/** YouTube's quota day: it resets at midnight Pacific time. */
export const QUOTA_TIME_ZONE = 'America/Los_Angeles'

export const youTubeOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://www.googleapis.com'),
  /** Pages per walk: search pages (of 50) per window, comment-thread pages (of 100) per video or channel. */
  maxPages: z.int().min(1).max(20).default(2),
  /** The brand's own channel (UC…): its comment threads are the brand's, its replies the brand's replies. */
  channelId: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/, 'expected a channel id (UC…)').optional(),
  /**
   * Which brand owns `channelId`, when several non-competitor brands are configured. Without
   * it every non-competitor brand's walk reads the channel.
   */
  channelBrand: z.string().min(1).optional(),
  /** search.list calls per (Pacific) day for this entry: a share of the ~100 a project gets. 0: no search. */
  maxSearchesPerDay: z.int().min(0).max(10_000).default(20),
  /** Videos per pull whose comment threads are read (1 unit per page). */
  maxVideos: z.int().min(0).max(500).default(20),
  /** Threads per pull whose replies beyond the 5 embedded are read (1 unit each). */
  maxReplyThreads: z.int().min(0).max(500).default(20),
  regionCode: z.string().regex(/^[A-Za-z]{2}$/, 'expected an ISO 3166-1 alpha-2 code').optional(),
  relevanceLanguage: z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]+)?$/, 'expected a language code').optional(),
})
export type YouTubeOptions = z.output<typeof youTubeOptions>

/**
 * How far below the resume point a pull re-reads. YouTube's search index takes minutes to
 * hours to list a new upload, not in publishedAt order; re-reading six hours costs no extra
 * search call unless that stretch holds more than a page of videos.
 */
export const YOUTUBE_OVERLAP_MS = 6 * 3600_000

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`), never fatal.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)

// Ids go into permalinks and warnings: only the characters YouTube uses (a reply's id is
// `<thread>.<reply>`).
const ytId = z.string().regex(/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/)

const searchItemSchema = z.object({
  id: z.object({ kind: optString, videoId: ytId }),
  snippet: z.object({
    publishedAt: z.string(),
    channelId: optString,
    channelTitle: optString,
    title: optString,
    description: optString,
  }),
})

const commentSchema = z.object({
  id: ytId,
  snippet: z.object({
    authorDisplayName: optString,
    authorChannelId: z.object({ value: ytId.nullish().catch(undefined) }).nullish().catch(undefined),
    videoId: ytId.nullish().catch(undefined),
    textDisplay: optString,
    textOriginal: optString,
    parentId: ytId.nullish().catch(undefined),
    likeCount: optNumber,
    publishedAt: z.string(),
  }),
})
type RawComment = z.output<typeof commentSchema>

const threadSchema = z.object({
  id: ytId,
  snippet: z.object({
    videoId: ytId.nullish().catch(undefined),
    topLevelComment: z.unknown(),
    totalReplyCount: optNumber,
  }),
  replies: z.object({ comments: z.array(z.unknown()).catch([]) }).nullish().catch(undefined),
})

const listSchema = z.object({
  kind: optString,
  nextPageToken: optString,
  items: z.array(z.unknown()),
})

const errorBodySchema = z.object({
  error: z.object({
    code: optNumber,
    message: optString,
    errors: z.array(z.object({ reason: optString }).catch({ reason: undefined })).nullish().catch(undefined),
  }),
})

/** Who owns the channel being read, so the owner's own comments are the brand's. */
export interface ChannelOwner {
  channelId: string
  brand: string
}

export interface ParseOptions {
  /** Every item is the brand's because of where it was found (the brand's channel). */
  about?: string
  /** Comments by this channel are the brand's own (its replies answer the comment above). */
  owner?: ChannelOwner
  /** Context for comments: the title of the video they are under. */
  videoTitle?: string
}

export interface YouTubeSearchPage {
  drafts: MentionDraft[]
  itemCount: number
  skipped: number
  nextPageToken: string | undefined
}

export interface YouTubeThread {
  threadId: string
  videoId: string
  totalReplyCount: number
  /** Replies carried in the thread itself (at most 5). */
  embedded: number
}

export interface YouTubeCommentsPage {
  drafts: MentionDraft[]
  /** Threads read (commentThreads only), with their reply counts. */
  threads: YouTubeThread[]
  itemCount: number
  skipped: number
  nextPageToken: string | undefined
}

/** An error body the API sent (`{"error": {...}}`), as one line naming its reason. */
export class YouTubeApiError extends SourceResponseError {
  override name = 'YouTubeApiError'
  constructor(readonly reason: string | undefined, readonly code: number | undefined, message: string, url: string) {
    super(`YouTube API error${code ? ` ${code}` : ''}${reason ? ` (${reason})` : ''}: ${message}`, url)
  }
}

function readList(body: unknown, url: string, expected: string): z.output<typeof listSchema> {
  const value = jsonBody(body, url)
  const list = listSchema.safeParse(value)
  if (list.success) return list.data
  const error = errorBodySchema.safeParse(value)
  if (error.success) {
    const e = error.data.error
    const reason = e.errors?.find((r) => r.reason)?.reason ?? undefined
    // Upstream text in an error line: one line, no control characters, short.
    throw new YouTubeApiError(reason ?? undefined, e.code ?? undefined, errorSnippet(htmlToText(e.message ?? ''), [], 200) || 'no message', url)
  }
  throw new SourceResponseError(`youtube: expected a ${expected} with an "items" array`, url, { cause: list.error })
}

/** Reads one search.list response (a JSON string or the parsed value). */
export function parseYouTubeSearch(body: unknown, url = KIND, opts: ParseOptions = {}): YouTubeSearchPage {
  const list = readList(body, url, 'search.list response')
  const { items, skipped } = readEach(list.items, searchItemSchema, (item) => videoDraft(item, opts))
  return { drafts: items, itemCount: list.items.length, skipped, nextPageToken: list.nextPageToken ?? undefined }
}

function videoDraft(item: z.output<typeof searchItemSchema>, opts: ParseOptions): MentionDraft | undefined {
  // type=video asks for videos only; a channel or playlist result has no videoId anyway.
  if (item.id.kind && item.id.kind !== 'youtube#video') return undefined
  const createdAt = Date.parse(item.snippet.publishedAt)
  if (!Number.isFinite(createdAt)) return undefined
  const id = item.id.videoId
  const draft: MentionDraft = {
    externalId: id,
    url: watchUrl(id),
    // search.list sends titles and descriptions HTML-escaped (`&#39;`), as plain text.
    text: decodeEntities(item.snippet.description ?? ''),
    createdAt,
  }
  const title = decodeEntities(item.snippet.title ?? '')
  if (title) draft.title = title
  const author: NonNullable<MentionDraft['author']> = {}
  if (item.snippet.channelId) author.handle = item.snippet.channelId
  const name = decodeEntities(item.snippet.channelTitle ?? '')
  if (name) author.name = name
  if (Object.keys(author).length > 0) draft.author = author
  if (opts.about) draft.about = opts.about
  // An upload of the brand's own channel is the brand's own post, not a mention to answer.
  if (opts.owner && item.snippet.channelId === opts.owner.channelId) {
    draft.about = opts.owner.brand
    draft.byOwner = true
  }
  return draft
}

/** Reads one commentThreads.list response: each thread's top-level comment and embedded replies. */
export function parseYouTubeCommentThreads(body: unknown, url = KIND, opts: ParseOptions = {}): YouTubeCommentsPage {
  const list = readList(body, url, 'commentThreads.list response')
  const threads: YouTubeThread[] = []
  const drafts: MentionDraft[] = []
  let skipped = 0
  for (const raw of list.items) {
    const thread = threadSchema.safeParse(raw)
    const top = thread.success ? commentSchema.safeParse(thread.data.snippet.topLevelComment) : undefined
    const videoId = thread.success ? (thread.data.snippet.videoId ?? (top?.success ? top.data.snippet.videoId : undefined)) : undefined
    const topDraft = thread.success && top?.success && videoId ? commentDraft(top.data, { videoId, threadId: thread.data.id, ...opts }) : undefined
    if (!thread.success || !topDraft || !videoId) {
      skipped++
      continue
    }
    const total = thread.data.snippet.totalReplyCount ?? 0
    topDraft.metrics = { ...topDraft.metrics, replies: total }
    drafts.push(topDraft)
    const embedded = thread.data.replies?.comments ?? []
    const replies = readEach(embedded, commentSchema, (c) => commentDraft(c, { videoId, threadId: thread.data.id, reply: true, ...opts }))
    drafts.push(...replies.items)
    skipped += replies.skipped
    threads.push({ threadId: thread.data.id, videoId, totalReplyCount: total, embedded: embedded.length })
  }
  return { drafts, threads, itemCount: list.items.length, skipped, nextPageToken: list.nextPageToken ?? undefined }
}

/** Reads one comments.list response (the replies of one thread, `parentId=`). */
export function parseYouTubeComments(body: unknown, url = KIND, opts: ParseOptions & { videoId?: string } = {}): YouTubeCommentsPage {
  const list = readList(body, url, 'comments.list response')
  const { items, skipped } = readEach(list.items, commentSchema, (c) => {
    const videoId = c.snippet.videoId ?? opts.videoId
    return videoId ? commentDraft(c, { ...opts, videoId, reply: true }) : undefined
  })
  return { drafts: items, threads: [], itemCount: list.items.length, skipped, nextPageToken: list.nextPageToken ?? undefined }
}

/**
 * The drafts of any recorded YouTube list response (search, commentThreads, comments).
 * comments.list replies do not name their video: without `videoId` they have no permalink
 * and are skipped.
 */
export function parseYouTube(body: unknown, url = KIND, opts: { videoId?: string } = {}): MentionDraft[] {
  const value = jsonBody(body, url)
  const kind = value !== null && typeof value === 'object' ? (value as { kind?: unknown }).kind : undefined
  if (kind === 'youtube#commentThreadListResponse') return parseYouTubeCommentThreads(value, url).drafts
  if (kind === 'youtube#commentListResponse') return parseYouTubeComments(value, url, opts).drafts
  return parseYouTubeSearch(value, url).drafts
}

function commentDraft(c: RawComment, ctx: ParseOptions & { videoId: string; threadId?: string; reply?: boolean }): MentionDraft | undefined {
  const createdAt = Date.parse(c.snippet.publishedAt)
  if (!Number.isFinite(createdAt)) return undefined
  const parent = c.snippet.parentId ?? (ctx.reply ? ctx.threadId : undefined)
  // A reply's id is already `<threadId>.<replyId>`; a top-level comment's id is its thread's.
  const externalId = parent && !c.id.includes('.') ? `${parent}.${c.id}` : c.id
  const draft: MentionDraft = {
    externalId,
    url: `${watchUrl(ctx.videoId)}&lc=${encodeURIComponent(externalId)}`,
    text: commentText(c),
    createdAt,
    // A top-level comment answers the video; a reply answers its thread's top comment.
    parentExternalId: parent ?? ctx.videoId,
    threadExternalId: ctx.videoId,
  }
  if (ctx.videoTitle) draft.title = ctx.videoTitle
  const author: NonNullable<MentionDraft['author']> = {}
  const channel = c.snippet.authorChannelId?.value ?? undefined
  if (channel) author.handle = channel
  if (c.snippet.authorDisplayName) author.name = c.snippet.authorDisplayName
  if (Object.keys(author).length > 0) draft.author = author
  if (typeof c.snippet.likeCount === 'number') draft.metrics = { likes: c.snippet.likeCount }
  if (ctx.about) draft.about = ctx.about
  if (ctx.owner && channel === ctx.owner.channelId) {
    draft.about = ctx.owner.brand
    draft.byOwner = true
  }
  return draft
}

const MARKUP = /<\/?[a-z][^<>]*>|&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i

function commentText(c: RawComment): string {
  // textOriginal is what the author typed; textDisplay is HTML unless textFormat=plainText.
  if (typeof c.snippet.textOriginal === 'string') return normaliseText(c.snippet.textOriginal)
  const shown = c.snippet.textDisplay ?? ''
  return MARKUP.test(shown) ? htmlToText(shown) : normaliseText(shown)
}

export function watchUrl(videoId: string): string {
  return `https://www.youtube.com/watch?v=${encodeURIComponent(String(videoId).replace(/\p{Surrogate}/gu, '\ufffd'))}`
}

// ---------------------------------------------------------------------------------------
// Queries and URLs (pure)

/**
 * The brand's terms as one search: phrases keep their quotes, terms are joined with `|`
 * (YouTube's OR), duplicates dropped. The pull matches strictly afterwards.
 */
export function youTubeQuery(terms: readonly string[]): string {
  const seen = new Set<string>()
  const out: string[] = []
  for (const raw of terms) {
    const words = raw.replace(/"/g, ' ').replace(/\|/g, ' ').trim().split(/\s+/).filter(Boolean)
    if (words.length === 0) continue
    const term = words.length > 1 || raw.includes('"') ? `"${words.join(' ')}"` : (words[0] as string)
    const key = term.toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    out.push(term)
  }
  return out.join('|')
}

/** RFC 3339 in whole seconds, the form the API documents. */
export function rfc3339(ms: number, round: 'down' | 'up' = 'down'): string {
  const s = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000)
  return new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function apiUrl(baseUrl: string, path: string, key: string, params: Record<string, string | undefined>): URL {
  const url = new URL(`youtube/v3/${path}`, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
  url.searchParams.set('key', key)
  return url
}

export function searchUrl(
  baseUrl: string,
  key: string,
  p: { q: string; from: number; to?: number | undefined; pageToken?: string | undefined; regionCode?: string | undefined; relevanceLanguage?: string | undefined },
): URL {
  return apiUrl(baseUrl, 'search', key, {
    part: 'snippet',
    type: 'video',
    order: 'date',
    q: p.q,
    publishedAfter: rfc3339(p.from, 'down'),
    publishedBefore: p.to === undefined ? undefined : rfc3339(p.to, 'up'),
    maxResults: '50',
    regionCode: p.regionCode,
    relevanceLanguage: p.relevanceLanguage,
    pageToken: p.pageToken,
  })
}

export function commentThreadsUrl(baseUrl: string, key: string, p: { videoId?: string; channelId?: string; pageToken?: string | undefined }): URL {
  return apiUrl(baseUrl, 'commentThreads', key, {
    part: 'snippet,replies',
    videoId: p.videoId,
    allThreadsRelatedToChannelId: p.channelId,
    order: 'time',
    maxResults: '100',
    textFormat: 'plainText',
    pageToken: p.pageToken,
  })
}

export function repliesUrl(baseUrl: string, key: string, parentId: string): URL {
  return apiUrl(baseUrl, 'comments', key, { part: 'snippet', parentId, maxResults: '100', textFormat: 'plainText' })
}

// ---------------------------------------------------------------------------------------
// Errors (pure)

/**
 * The machine-readable reason of an error response, from what the HTTP client kept of its
 * body (a short snippet). The reason sits in `error.errors[].reason`, often past the end of
 * the snippet, so the well-known messages are recognised too.
 */
export function youTubeErrorReason(status: number, snippet: string): string | undefined {
  const named = /"reason"\s*:\s*"([A-Za-z_]+)"/.exec(snippet)?.[1]
  if (named) return named
  if (/daily limit exceeded/i.test(snippet)) return 'dailyLimitExceeded'
  if (status === 403 && /exceeded your|quota/i.test(snippet)) return 'quotaExceeded'
  if (/API key not valid|API_KEY_INVALID|API key expired/i.test(snippet)) return 'keyInvalid'
  if (status === 403 && /disabled comments|comments? (are|is) disabled/i.test(snippet)) return 'commentsDisabled'
  return undefined
}

const QUOTA_REASONS = new Set(['quotaExceeded', 'dailyLimitExceeded'])
const KEY_REASONS = new Set(['keyInvalid', 'keyExpired', 'API_KEY_INVALID', 'forbidden', 'accessNotConfigured', 'ipRefererBlocked', 'API_KEY_SERVICE_BLOCKED'])

/** "midnight Pacific (08:00 UTC)" for the reset after `now`. */
export function resetLine(now: number): string {
  const at = new Date(nextMidnight(now, QUOTA_TIME_ZONE))
  const hhmm = `${String(at.getUTCHours()).padStart(2, '0')}:${String(at.getUTCMinutes()).padStart(2, '0')}`
  return `midnight Pacific (${hhmm} UTC)`
}

/**
 * The project's daily quota is spent upstream: a clean stop like a spent budget (what was
 * read is stored, the cursor holds), and the source fails until the reset.
 */
export class YouTubeQuotaError extends BudgetExhaustedError {
  override name = 'YouTubeQuotaError'
}

/** Comments are turned off on one video: that video is skipped, not the source. */
export class CommentsDisabledError extends Error {
  override name = 'CommentsDisabledError'
}

/** A failed request as a line a user can act on. `err` from the HTTP client. */
export function youTubeFailure(err: unknown, now: number, context: { comments?: boolean } = {}): unknown {
  if (!(err instanceof HttpError) || err instanceof RateLimitError) return err
  const reason = youTubeErrorReason(err.status, err.bodySnippet)
  if (reason && QUOTA_REASONS.has(reason)) {
    return new YouTubeQuotaError(`YouTube quota spent (${reason}); it resets at ${resetLine(now)}`, { cause: err })
  }
  // The thread list of a video with comments off answers 403 "The video identified by the
  // videoId parameter has disabled comments", which the snippet may cut before the end.
  if (err.status === 403 && (reason === 'commentsDisabled' || (context.comments && reason === undefined && /video identified by/i.test(err.bodySnippet)))) {
    return new CommentsDisabledError('comments are disabled', { cause: err })
  }
  if (err.status === 401 || err.status === 403 || (err.status === 400 && reason !== undefined && KEY_REASONS.has(reason))) {
    return new CredentialsRejectedError(`credentials rejected (${err.message}); check ${KEY}`, { cause: err })
  }
  return err
}

// ---------------------------------------------------------------------------------------
// Walks (I/O)

interface Walk extends WalkState {
  part: string
}

/** A video the search walk found, with the floor of the window it was found in. */
interface FoundVideo {
  id: string
  title: string | undefined
  floor: number
}

interface Usage {
  ledger: UsageLedger
  searchKey: string
  unitsKey: string
  resetAt: number
  limit: number
}

function usageOf(ctx: SourceContext<YouTubeOptions>): Usage {
  const now = ctx.now()
  const day = dayIn(now, QUOTA_TIME_ZONE)
  return {
    ledger: ledgerOf(ctx),
    searchKey: `search:${day}`,
    unitsKey: `units:${day}`,
    resetAt: nextMidnight(now, QUOTA_TIME_ZONE),
    limit: ctx.options.maxSearchesPerDay,
  }
}

async function reportUsage(ctx: SourceContext<YouTubeOptions>, u: Usage): Promise<void> {
  if (!ctx.report) return
  const searches = await u.ledger.used(u.searchKey)
  const units = await u.ledger.used(u.unitsKey)
  ctx.report({ remaining: Math.max(0, u.limit - searches), limit: u.limit, resetAt: u.resetAt, note: `${searches} searches, ${units} units today` })
}

/** One GET; failures as lines a user can act on, never naming the URL (it carries the key). */
async function getJson(ctx: SourceContext<YouTubeOptions>, url: URL, context: { comments?: boolean } = {}): Promise<{ body: unknown; shown: string }> {
  try {
    const res = await ctx.http.get(url, ctx.signal ? { signal: ctx.signal } : {})
    return { body: res.body, shown: redactUrl(url) }
  } catch (err) {
    throw youTubeFailure(err, ctx.now(), context)
  }
}

/**
 * One request, counted in the ledger once the server answered: what reached it is billed
 * whatever it said, except a quota refusal (nothing was served) or no answer at all.
 */
async function billed<T>(ctx: SourceContext<YouTubeOptions>, u: Usage, key: string, request: () => Promise<T>): Promise<T> {
  try {
    const out = await request()
    await u.ledger.spend(key, 1)
    return out
  } catch (err) {
    if (!(err instanceof YouTubeQuotaError) && !(err instanceof NetworkError) && !ctx.signal?.aborted) await u.ledger.spend(key, 1)
    throw err
  }
}

/** Which brand owns the configured channel in this brand's walk, if any. */
export function channelOwnerFor(options: Pick<YouTubeOptions, 'channelId' | 'channelBrand'>, brand: Brand): ChannelOwner | undefined {
  if (!options.channelId) return undefined
  if (options.channelBrand !== undefined) {
    return options.channelBrand.toLowerCase() === brand.name.toLowerCase() ? { channelId: options.channelId, brand: brand.name } : undefined
  }
  // A competitor's walk must never claim the brand's channel.
  return brand.competitor ? undefined : { channelId: options.channelId, brand: brand.name }
}

async function* searchYouTube(ctx: SourceContext<YouTubeOptions>, q: SourceQuery): AsyncIterable<Page> {
  if (!q.brand) throw new Error('youtube: searched without a brand (its scope is "brand")')
  const key = credential(ctx, KIND, KEY, KEY_WHY)
  const { baseUrl, maxPages, maxSearchesPerDay } = ctx.options
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const pageLimit = Math.max(1, Math.min(q.maxPages, maxPages))
  const owner = channelOwnerFor(ctx.options, q.brand)
  const usage = usageOf(ctx)
  const query = youTubeQuery(q.brand.terms)

  let cursor: Cursor = q.cursor ?? {}
  const found: FoundVideo[] = []
  let budgetSpent = false
  if (query === '') ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
  else if (maxSearchesPerDay > 0) {
    const previous = partCursor(q.cursor, query)
    const planned = [{ part: query, windows: planWindows(previous, { ...bounds, overlap: YOUTUBE_OVERLAP_MS }) }]
    const walks = orderWalks(planned, (p, window): Walk => ({ part: p.part, window, status: 'pending' }))
    const cursorNow = (): Cursor => cursorOfParts([query], () => mergeWalks(previous, walks, bounds))
    const seen = new Set<string>()
    let outside = 0
    try {
      for (const walk of walks) {
        let pageToken: string | undefined
        for (let pages = 0; ; pages++) {
          if (pages >= pageLimit) {
            walk.status = 'truncated'
            const what = walk.window.kind === 'backfill' ? 'backfilling' : 'searching'
            ctx.warn(`stopped ${what} "${query}" after ${pageLimit} page(s); the rest is fetched next pull`)
            break
          }
          if ((await usage.ledger.used(usage.searchKey)) >= maxSearchesPerDay) {
            // A walk cut short owes the rest of its window (a gap); one not started is planned again.
            if (walk.status === 'running') walk.status = 'truncated'
            budgetSpent = true
            break
          }
          walk.status = 'running'
          const url = searchUrl(baseUrl, key, { q: query, from: walk.window.from, to: walk.window.to, pageToken, regionCode: ctx.options.regionCode, relevanceLanguage: ctx.options.relevanceLanguage })
          const got = await billed(ctx, usage, usage.searchKey, () => getJson(ctx, url))
          const parsed = parseYouTubeSearch(got.body, got.shown, owner ? { owner } : {})
          if (parsed.skipped > 0) ctx.warn(`skipped ${parsed.skipped} unreadable search result(s)`)
          const fresh: MentionDraft[] = []
          for (const d of parsed.drafts) {
            if (walk.oldestSeen === undefined || d.createdAt < walk.oldestSeen) walk.oldestSeen = d.createdAt
            if (!keepHit(d.createdAt, walk.window, bounds)) {
              outside++
              continue
            }
            if (d.createdAt >= walk.window.from && d.createdAt <= (walk.window.to ?? Infinity) && (walk.newestSeen === undefined || d.createdAt > walk.newestSeen)) {
              walk.newestSeen = d.createdAt
            }
            if (seen.has(d.externalId)) continue
            seen.add(d.externalId)
            fresh.push(d)
            found.push({ id: d.externalId, title: d.title, floor: Math.min(walk.window.from, q.since) })
          }
          pageToken = parsed.nextPageToken
          if (parsed.itemCount === 0 || !pageToken) walk.status = 'done'
          cursor = cursorNow()
          yield { mentions: fresh, cursor }
          if (walk.status !== 'running') break
        }
        if (budgetSpent) break
      }
    } catch (err) {
      // A quota refusal mid-walk stops like a spent budget; tell what was spent first.
      await reportUsage(ctx, usage)
      throw err
    }
    if (outside > 0) ctx.warn(`dropped ${outside} video(s) published outside the pull's window`)
    if (budgetSpent) {
      cursor = cursorNow()
      yield { mentions: [], cursor }
    }
  }

  try {
    yield* readComments(ctx, { key, usage, owner, found, bounds, cursor })
  } finally {
    await reportUsage(ctx, usage)
  }
  if (budgetSpent) {
    const spent = await usage.ledger.used(usage.searchKey)
    throw new BudgetExhaustedError(
      `search budget spent: ${spent} of ${maxSearchesPerDay} searches today (maxSearchesPerDay); resets at ${resetLine(ctx.now())}`,
    )
  }
}

/**
 * The comment threads of the videos the walk found (at most maxVideos), then of the brand's
 * own channel. Each page carries the search's cursor: comments are a second look at what the
 * walk covered, and stopping among them loses nothing the cursor claims.
 */
async function* readComments(
  ctx: SourceContext<YouTubeOptions>,
  p: { key: string; usage: Usage; owner: ChannelOwner | undefined; found: FoundVideo[]; bounds: WindowBounds; cursor: Cursor },
): AsyncGenerator<Page> {
  const { baseUrl, maxVideos, maxPages } = ctx.options
  const top = p.bounds.until ?? Infinity
  let replyBudget = ctx.options.maxReplyThreads
  let replyThreadsLeft = 0

  /** One thread list (a video's or the channel's), newest first, down to `floor`. */
  async function* threads(label: string, params: { videoId?: string; channelId?: string }, floor: number, opts: ParseOptions): AsyncGenerator<MentionDraft[]> {
    let pageToken: string | undefined
    for (let pages = 0; pages < maxPages; pages++) {
      const url = commentThreadsUrl(baseUrl, p.key, { ...params, pageToken })
      const got = await billed(ctx, p.usage, p.usage.unitsKey, () => getJson(ctx, url, { comments: true }))
      const parsed = parseYouTubeCommentThreads(got.body, got.shown, opts)
      if (parsed.skipped > 0) ctx.warn(`skipped ${parsed.skipped} unreadable comment(s) on ${label}`)
      const kept = parsed.drafts.filter((d) => d.createdAt >= floor && d.createdAt <= top)
      for (const t of parsed.threads) {
        if (t.totalReplyCount <= t.embedded) continue
        if (replyBudget <= 0) {
          replyThreadsLeft++
          continue
        }
        replyBudget--
        const rurl = repliesUrl(baseUrl, p.key, t.threadId)
        const rgot = await billed(ctx, p.usage, p.usage.unitsKey, () => getJson(ctx, rurl, { comments: true }))
        const replies = parseYouTubeComments(rgot.body, rgot.shown, { ...opts, videoId: t.videoId })
        const have = new Set(kept.map((d) => d.externalId))
        for (const d of replies.drafts) if (!have.has(d.externalId) && d.createdAt >= floor && d.createdAt <= top) kept.push(d)
      }
      yield kept
      pageToken = parsed.nextPageToken
      // Threads come newest first: a page reaching below the floor ends the list.
      const oldest = Math.min(...parsed.drafts.filter((d) => !d.externalId.includes('.')).map((d) => d.createdAt))
      if (!pageToken || parsed.itemCount === 0 || oldest < floor) return
    }
  }

  let commentsFailed = false
  const videos = p.found.slice(0, maxVideos)
  if (p.found.length > videos.length) {
    ctx.warn(`read the comments of ${videos.length} video(s) (maxVideos); ${p.found.length - videos.length} more video(s) not read`)
  }
  for (const video of videos) {
    try {
      const opts: ParseOptions = { ...(p.owner ? { owner: p.owner } : {}), ...(video.title ? { videoTitle: video.title } : {}) }
      for await (const drafts of threads(`video ${video.id}`, { videoId: video.id }, video.floor, opts)) {
        if (drafts.length > 0) yield { mentions: drafts, cursor: p.cursor }
      }
    } catch (err) {
      if (ctx.signal?.aborted) throw err
      if (err instanceof CommentsDisabledError) {
        ctx.warn(`comments are disabled on video ${video.id}; skipped`)
        continue
      }
      if (err instanceof HttpError && err.status === 404) {
        ctx.warn(`video ${video.id} is gone (HTTP 404); its comments were skipped`)
        continue
      }
      // A spent quota or a refused key fails the source; anything else costs only the
      // comments, so the videos already stored keep their cursor.
      if (err instanceof YouTubeQuotaError || err instanceof CredentialsRejectedError) throw err
      ctx.warn(`stopped reading comments for this pull: ${err instanceof Error ? err.message : String(err)}`)
      commentsFailed = true
      break
    }
  }
  if (p.owner && !commentsFailed) {
    const opts: ParseOptions = { about: p.owner.brand, owner: p.owner }
    for await (const drafts of threads(`channel ${p.owner.channelId}`, { channelId: p.owner.channelId }, p.bounds.since, opts)) {
      if (drafts.length > 0) yield { mentions: drafts, cursor: p.cursor }
    }
  }
  if (replyThreadsLeft > 0) {
    ctx.warn(`read the replies of ${ctx.options.maxReplyThreads} thread(s) (maxReplyThreads); ${replyThreadsLeft} more thread(s) with replies not read`)
  }
}

export const youTubeSource: Source<YouTubeOptions> = {
  kind: KIND,
  scope: 'brand',
  options: youTubeOptions,
  requires: [{ env: KEY, why: KEY_WHY }],
  instanceKey: (options) => (options.channelId ? `${options.baseUrl} channel=${options.channelId}` : options.baseUrl),
  // The brand's replies are found in the threads read (by channelId, or by handles[youtube],
  // which are channel ids).
  replies: 'thread',
  limits: 'search.list: about 100 calls a day per Google project; other reads share 10,000 units a day; both reset at midnight Pacific',
  search: searchYouTube,
}
