// The brand's own Facebook Page through the Graph API (a Page access token). Four edges, each
// walked newest first with a cursor part of its own: the Page's posts with their comments,
// visitors' posts, posts that tag the Page, and ratings (recommendations). Everything found
// there is the brand's (`about`); what the Page itself wrote is the brand's own (`byOwner`),
// and a Page comment's parent is the comment or post it answers, so the store marks that
// mention answered without any handles in the config.
import { createHash } from 'node:crypto'
import { z } from 'zod'
import type { Cursor, MentionDraft, SourceState } from '../model.js'
import { HttpError, RateLimitError } from '../net/types.js'
import { errorSnippet } from '../net/redact.js'
import { credential, jsonBody, ownerBrand, readEach, refusal } from './common.js'
import { httpUrl } from './url.js'
import {
  cursorOfParts,
  keepHit,
  mergeWalks,
  orderWalks,
  partCursor,
  planWindows,
  type WalkState,
  type Window,
  type WindowBounds,
} from './window.js'
import { CredentialsRejectedError, SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'

export const FACEBOOK_TOKEN = 'FACEBOOK_PAGE_TOKEN'
const KIND = 'facebook'
const TOKEN_WHY = 'a Page access token for the configured Page (pages_read_engagement, pages_read_user_content)'

export const FACEBOOK_EDGES = ['posts', 'visitor_posts', 'tagged', 'ratings'] as const
export type FacebookEdge = (typeof FACEBOOK_EDGES)[number]

export const facebookOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://graph.facebook.com'),
  /** Each Graph API version lives about two years; Meta's own SDK pins v25.0 (June 2026). */
  apiVersion: z.string().regex(/^v\d+\.\d+$/, 'a Graph API version such as "v25.0"').default('v25.0'),
  // The numeric id: a Page's comments carry `from.id`, never its vanity name, and the Page's
  // own replies are recognised by that id. YAML may read it as a number.
  pageId: z
    .union([z.string(), z.int().nonnegative()])
    .transform((v) => String(v).trim())
    .pipe(z.string().regex(/^\d+$/, 'the numeric Page id (Page → About → Page transparency, or GET /me with the Page token)')),
  brand: z.string().optional(),
  edges: z.array(z.enum(FACEBOOK_EDGES)).min(1).default([...FACEBOOK_EDGES]),
  maxPages: z.int().min(1).max(50).default(5),
  /** Items per request; the Graph API serves at most 100. */
  limit: z.int().min(1).max(100).default(25),
  /**
   * Comments arrive long after their post: every pull re-reads the posts of this many days
   * below where the last one stopped, with their newest comments.
   */
  commentDays: z.number().min(0).max(90).default(7),
  /** Further pages of one post's comments, past the 100 that come with the post. */
  commentPages: z.int().min(0).max(20).default(2),
})
export type FacebookOptions = z.output<typeof facebookOptions>

const DAY_MS = 86_400_000
/** Visitors' posts and ratings can surface a little out of order; an hour re-read holds it. */
const FACEBOOK_OVERLAP_MS = 3600_000

// ---------------------------------------------------------------------------------------
// Graph errors (pure)

export interface GraphError {
  message?: string
  type?: string
  code?: number
  subcode?: number
  fbtraceId?: string
}

/**
 * The error fields of a Graph error body, also from a snippet cut short (the HTTP client keeps
 * only the head of an error body), or undefined when it is not a Graph error.
 */
export function readGraphError(text: string): GraphError | undefined {
  if (!/"error"\s*:\s*\{/.test(text)) return undefined
  const str = (name: string): { value: string; cut: boolean } | undefined => {
    const m = new RegExp(`"${name}"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)("|$)`).exec(text)
    if (!m) return undefined
    const raw = (m[1] as string).replace(/…$/, '')
    let value: string
    try {
      value = JSON.parse(`"${raw}"`) as string
    } catch {
      value = raw
    }
    return { value, cut: m[2] !== '"' }
  }
  const int = (name: string): number | undefined => {
    const m = new RegExp(`"${name}"\\s*:\\s*(\\d+)`).exec(text)
    return m ? Number(m[1]) : undefined
  }
  const message = str('message')
  const out: GraphError = {}
  if (message) out.message = message.cut ? `${message.value}…` : message.value
  const type = str('type')
  if (type && !type.cut) out.type = type.value
  // Graph messages start with "(#100)": the code survives a snippet that cut off its field.
  let code = int('code') ?? (message ? Number(/^\(#(\d+)\)/.exec(message.value)?.[1] ?? NaN) : NaN)
  // A token error's message is long enough to push its code out of the snippet, and it has
  // no "(#190)" prefix; its wording is what is left to go by.
  if (!Number.isFinite(code) && message && /\b(error validating access token|invalid oauth access token|malformed access token|session has expired|access token could not be decrypted)\b/i.test(message.value)) code = 190
  if (Number.isFinite(code)) out.code = code
  const subcode = int('error_subcode')
  if (subcode !== undefined) out.subcode = subcode
  const trace = str('fbtrace_id')
  if (trace && !trace.cut) out.fbtraceId = trace.value
  return out.code === undefined && out.message === undefined ? undefined : out
}

/** Raised for a Graph API error that is neither a credential problem nor a throttle. */
export class FacebookApiError extends Error {
  override name = 'FacebookApiError'
  constructor(message: string, readonly graph: GraphError, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** What each edge needs beyond pages_read_engagement, for a refusal that does not say. */
const EDGE_PERMISSIONS: Record<FacebookEdge, string> = {
  posts: 'pages_read_engagement and pages_read_user_content (for visitors\' comments)',
  visitor_posts: 'pages_read_user_content',
  tagged: 'pages_read_user_content',
  ratings: 'pages_read_user_content',
}

const TOKEN_SUBCODES: Record<number, string> = {
  458: 'the app was removed',
  459: 'the account is checkpointed',
  460: 'the password changed',
  463: 'it expired',
  464: 'the user is unconfirmed',
  467: 'it is no longer valid',
}

/** Throttle codes: app (4), user (17), Page (32), call rate (613), Business Use Case (80000s). */
export function isThrottle(code: number | undefined): boolean {
  return code === 4 || code === 17 || code === 32 || code === 613 || (code !== undefined && code >= 80000 && code <= 80099)
}

export interface GraphErrorContext {
  edge?: FacebookEdge
  /** Redacted URL of the request, for the error object (messages name no URL). */
  url?: string
  status?: number
  now: number
  /** Minutes until access returns, from the last usage headers, when they said. */
  regainMinutes?: number
  cause?: unknown
}

/**
 * One line a user can act on for a Graph error: 190 asks for a new token, a missing permission
 * names it (as far as the message does, else what the edge needs), PPCA says what kind of token
 * is wanted, a throttle is a RateLimitError saying when to retry.
 */
export function graphError(e: GraphError, c: GraphErrorContext): Error {
  const said = e.message ? errorSnippet(e.message, [], 200) : ''
  const tag = `#${e.code ?? '?'}${e.subcode !== undefined ? `/${e.subcode}` : ''}`
  const detail = `Graph error ${tag}${said ? `: ${said}` : ''}`
  const cause = c.cause === undefined ? {} : { cause: c.cause }
  const edgeName = c.edge ? ` /${c.edge}` : ''

  if (e.code === 190 || e.code === 102) {
    const why = e.subcode !== undefined && TOKEN_SUBCODES[e.subcode] ? ` (${TOKEN_SUBCODES[e.subcode]})` : ''
    return new CredentialsRejectedError(`the Page token expired or was revoked${why}: make a new ${FACEBOOK_TOKEN} (credentials rejected; ${detail})`, cause)
  }
  if (isThrottle(e.code)) {
    const guessed = c.regainMinutes === undefined || c.regainMinutes <= 0
    const waitMs = (guessed ? 60 : (c.regainMinutes as number)) * 60_000
    const retryAt = new Date(c.now + waitMs)
    const err = new RateLimitError(c.status ?? 400, c.url ?? 'https://graph.facebook.com/', said, retryAt, c.now)
    const scope = e.code === 32 || (e.code ?? 0) >= 80000 ? 'this Page' : e.code === 4 ? 'the app' : 'this token'
    const when = guessed ? 'Facebook gave no time; its limits count over a rolling hour or day' : 'as Facebook\'s usage headers estimate'
    err.message = `Facebook rate limit reached for ${scope} (${detail}); retry after ${retryAt.toISOString()}, in ${Math.round(waitMs / 60_000)} min (${when})`
    if (c.cause !== undefined) err.cause = c.cause
    return err
  }
  // "requires either app secret proof or an app token"; a plain missing-permission message
  // also names the PPCA feature, as one of the ways in, so the feature name alone is not it.
  if (e.code === 100 && /public content access/i.test(e.message ?? '') && /app secret proof|appsecret_proof|app token/i.test(e.message ?? '')) {
    return new CredentialsRejectedError(
      `Facebook asked for Page Public Content Access, which needs an app token or appsecret_proof: ${FACEBOOK_TOKEN} must be a Page access token of the configured Page itself (GET /{page-id}?fields=access_token with a user token that manages the Page), not a user or app token (${detail})`,
      cause,
    )
  }
  const permission = e.code === 10 || (e.code !== undefined && e.code >= 200 && e.code <= 299) || (e.code === 100 && /permission/i.test(e.message ?? ''))
  if (permission) {
    const named = [...new Set([...(e.message ?? '').matchAll(/\b(pages_[a-z_]+|read_insights|business_management)\b/g)].map((m) => m[1] as string))]
    const lacks = named.length > 0 ? `the ${named.join(' or ')} permission` : `a permission (${c.edge ? `/${c.edge} needs ${EDGE_PERMISSIONS[c.edge]}` : 'the message does not say which'})`
    return new CredentialsRejectedError(`the Page token lacks ${lacks}${named.length > 0 && c.edge ? ` for${edgeName}` : ''}: grant it to the app and make a new ${FACEBOOK_TOKEN} (credentials rejected; ${detail})`, cause)
  }
  if (e.code === 1 || e.code === 2) {
    return new FacebookApiError(`Facebook had a temporary error${edgeName ? ` on${edgeName}` : ''}; the next pull tries again (${detail})`, e, cause)
  }
  return new FacebookApiError(`Facebook refused the request${edgeName ? ` for${edgeName}` : ''} (${detail})`, e, cause)
}

// ---------------------------------------------------------------------------------------
// Usage headers (pure)

export interface GraphUsage {
  /** The highest share of any limit used, in percent. */
  percent: number
  /** Minutes until a throttled Page or app may call again, when a header says. */
  regainMinutes?: number
  /** Which header said it. */
  header: string
}

const usageNumbers = z.object({
  call_count: z.number().optional().catch(undefined),
  total_cputime: z.number().optional().catch(undefined),
  total_time: z.number().optional().catch(undefined),
  estimated_time_to_regain_access: z.number().optional().catch(undefined),
})

/**
 * The busiest of X-Business-Use-Case-Usage (per business object, a list of usage records),
 * X-Page-Usage and X-App-Usage (one record each, in percent of the limit).
 */
export function graphUsage(headers: Readonly<Record<string, string>>): GraphUsage | undefined {
  let best: GraphUsage | undefined
  const consider = (header: string, raw: unknown) => {
    const r = usageNumbers.safeParse(raw)
    if (!r.success) return
    const values = [r.data.call_count, r.data.total_cputime, r.data.total_time].filter((v): v is number => v !== undefined)
    if (values.length === 0 && r.data.estimated_time_to_regain_access === undefined) return
    const percent = Math.max(0, ...values)
    const regain = r.data.estimated_time_to_regain_access
    if (!best || percent > best.percent || (regain ?? 0) > (best.regainMinutes ?? 0)) {
      best = { percent: Math.max(percent, best?.percent ?? 0), header, ...(regain !== undefined && regain > 0 ? { regainMinutes: regain } : best?.regainMinutes !== undefined ? { regainMinutes: best.regainMinutes } : {}) }
    }
  }
  const parse = (name: string): unknown => {
    const text = headers[name]
    if (!text) return undefined
    try {
      return JSON.parse(text) as unknown
    } catch {
      return undefined
    }
  }
  const buc = parse('x-business-use-case-usage')
  if (buc && typeof buc === 'object') {
    for (const list of Object.values(buc as Record<string, unknown>)) {
      if (Array.isArray(list)) for (const entry of list) consider('X-Business-Use-Case-Usage', entry)
    }
  }
  for (const [name, shown] of [['x-page-usage', 'X-Page-Usage'], ['x-app-usage', 'X-App-Usage']] as const) {
    const v = parse(name)
    if (v) consider(shown, v)
  }
  return best
}

/** The usage as upstream state for `mentions sources`. */
export function usageState(usage: GraphUsage, now: number): SourceState {
  const state: SourceState = { note: `Graph API usage at ${Math.round(usage.percent)}% of the limit (${usage.header})` }
  if (usage.regainMinutes !== undefined) state.resetAt = now + usage.regainMinutes * 60_000
  return state
}

// ---------------------------------------------------------------------------------------
// Parsing (pure)

/** "2021-07-09T19:09:52+0000": the offset has no colon, so it is read explicitly. */
export function graphTime(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):?(\d{2}))$/.exec(s.trim())
  if (!m) return undefined
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  if (m[7] === 'Z') return utc
  const offset = (Number(m[9]) * 60 + Number(m[10])) * 60_000
  return m[8] === '+' ? utc - offset : utc + offset
}

const opt = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined)
const count = opt(z.number().int().nonnegative())
const actor = opt(z.object({ id: z.string(), name: opt(z.string()) }))
const summaryCount = opt(z.object({ summary: opt(z.object({ total_count: count })), count }))

const commentSchema = z.object({
  id: opt(z.string().min(1)),
  message: opt(z.string()),
  created_time: z.string(),
  from: actor,
  parent: opt(z.object({ id: z.string().min(1) })),
  permalink_url: opt(z.string()),
  like_count: count,
  // v2-era bodies count likes in `likes`.
  likes: count,
  comment_count: count,
})

const commentsEdge = opt(
  z.object({
    data: opt(z.array(z.unknown())),
    summary: opt(z.object({ total_count: count })),
    count,
    paging: opt(z.object({ next: opt(z.string()) })),
  }),
)

const postSchema = z.object({
  id: z.string().min(1),
  message: opt(z.string()),
  story: opt(z.string()),
  created_time: z.string(),
  from: actor,
  permalink_url: opt(z.string()),
  shares: opt(z.object({ count })),
  reactions: summaryCount,
  likes: summaryCount,
  comments: commentsEdge,
  attachments: opt(z.object({ data: opt(z.array(z.object({ type: opt(z.string()), unshimmed_url: opt(z.string()), url: opt(z.string()) }).catch({}))) })),
  link: opt(z.string()),
})

const ratingSchema = z.object({
  id: opt(z.string().min(1)),
  created_time: z.string(),
  recommendation_type: opt(z.enum(['positive', 'negative'])),
  review_text: opt(z.string()),
  rating: opt(z.number().int().min(1).max(5)),
  has_rating: opt(z.boolean()),
  reviewer: actor,
  // The Page answers a rating with a comment on its story.
  open_graph_story: opt(z.object({ id: z.string().min(1), comments: commentsEdge })),
})

const pagingSchema = opt(z.object({ next: opt(z.string()), cursors: opt(z.object({ after: opt(z.string()) })) }))

export interface ParseOptions {
  edge: FacebookEdge
  /** The Page's numeric id: what the Page wrote carries it in `from.id`. */
  pageId: string
  /** The brand the Page belongs to. */
  about?: string | undefined
  /** For error messages only (redacted). */
  url?: string
  /** Epoch ms, for the retry time of a throttle error body. */
  now?: number
}

export interface FacebookPage {
  drafts: MentionDraft[]
  /** created_time of every top-level item (post or rating), newest first: what paging walks by. */
  itemTimes: number[]
  skipped: number
  /** paging.next verbatim, when there is a next page. */
  next?: string
  /** Per post id, the next page of its comments when more than came with the post. */
  moreComments: Map<string, string>
}

const permalink = (id: string): string => `https://www.facebook.com/${encodeURIComponent(String(id).replace(/\p{Surrogate}/gu, '\ufffd'))}`

function fbUrl(given: string | undefined, id: string): string {
  const url = httpUrl(given)
  return url?.startsWith('https://') ? url : permalink(id)
}

function withAbout(draft: MentionDraft, about: string | undefined, byOwner: boolean): MentionDraft {
  if (about !== undefined) {
    draft.about = about
    if (byOwner) draft.byOwner = true
  }
  return draft
}

function author(from: { id: string; name?: string | undefined } | undefined): MentionDraft['author'] | undefined {
  if (!from) return undefined
  return from.name ? { handle: from.id, name: from.name } : { handle: from.id }
}

/** A comment's id, or one derived from its permalink when a body left the id out. */
function commentId(c: z.output<typeof commentSchema>, postId: string | undefined): string | undefined {
  if (c.id) return c.id
  const link = c.permalink_url ? httpUrl(c.permalink_url) : undefined
  if (!link) return undefined
  const params = new URL(link).searchParams
  const own = params.get('reply_comment_id') ?? params.get('comment_id')
  const post = postId?.split('_').at(-1) ?? /\/posts\/(\d+)/.exec(link)?.[1]
  return own && /^\d+$/.test(own) && post ? `${post}_${own}` : undefined
}

/** The post a comment's permalink belongs to ("{page}_{post}"), for a body read without its post. */
function postOfPermalink(link: string | undefined): string | undefined {
  const m = link ? /facebook\.com\/(\d+)\/posts\/(\d+)/.exec(link) : null
  return m ? `${m[1]}_${m[2]}` : undefined
}

function commentDraft(c: z.output<typeof commentSchema>, postId: string | undefined, o: ParseOptions): MentionDraft | undefined {
  const id = commentId(c, postId)
  const createdAt = graphTime(c.created_time)
  if (!id || createdAt === undefined) return undefined
  const post = postId ?? postOfPermalink(c.permalink_url)
  const draft: MentionDraft = { externalId: id, url: fbUrl(c.permalink_url, id), text: (c.message ?? '').trim(), createdAt }
  const who = author(c.from)
  if (who) draft.author = who
  // A top-level comment answers the post; a reply (filter=stream) names the comment it answers.
  const parent = c.parent?.id ?? post
  if (parent) draft.parentExternalId = parent
  if (post) draft.threadExternalId = post
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  const likes = c.like_count ?? c.likes
  if (likes !== undefined) metrics.likes = likes
  if (c.comment_count !== undefined) metrics.replies = c.comment_count
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  // A missing `from` is an unknown author, never taken for the Page.
  return withAbout(draft, o.about, c.from?.id === o.pageId)
}

function postDraft(p: z.output<typeof postSchema>, o: ParseOptions): MentionDraft | undefined {
  const createdAt = graphTime(p.created_time)
  if (createdAt === undefined) return undefined
  const draft: MentionDraft = { externalId: p.id, url: fbUrl(p.permalink_url, p.id), text: (p.message ?? p.story ?? '').trim(), createdAt }
  // /posts holds only the Page's own posts, so a post there without `from` is the Page's.
  const from = p.from ?? (o.edge === 'posts' ? { id: o.pageId } : undefined)
  const who = author(from)
  if (who) draft.author = who
  const shared = p.attachments?.data?.find((a) => a.type === 'share')
  const out = httpUrl(shared?.unshimmed_url ?? shared?.url ?? p.link)
  if (out && !/^https?:\/\/([a-z0-9-]+\.)*facebook\.com\//i.test(out)) draft.canonicalUrl = out
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  const likes = p.reactions?.summary?.total_count ?? p.likes?.summary?.total_count ?? p.likes?.count
  if (likes !== undefined) metrics.likes = likes
  if (p.shares?.count !== undefined) metrics.reposts = p.shares.count
  const replies = p.comments?.summary?.total_count ?? p.comments?.count
  if (replies !== undefined) metrics.replies = replies
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return withAbout(draft, o.about, from?.id === o.pageId)
}

/** A recommendation's stable id: its story, else one made of what it says and when. */
function ratingId(r: z.output<typeof ratingSchema>, createdAt: number): string {
  if (r.open_graph_story?.id) return r.open_graph_story.id
  if (r.id) return r.id
  // The default field set has neither id nor reviewer: the same review gives the same key.
  const digest = createHash('sha256').update(`${r.reviewer?.id ?? ''}\n${r.review_text ?? ''}`).digest('hex').slice(0, 16)
  return `rating_${Math.floor(createdAt / 1000)}_${digest}`
}

function ratingDraft(r: z.output<typeof ratingSchema>, o: ParseOptions): MentionDraft | undefined {
  const createdAt = graphTime(r.created_time)
  if (createdAt === undefined) return undefined
  const id = ratingId(r, createdAt)
  const story = r.open_graph_story?.id ?? r.id
  const url = story ? permalink(story) : `https://www.facebook.com/${encodeURIComponent(o.pageId)}/reviews`
  const draft: MentionDraft = { externalId: id, url, text: (r.review_text ?? '').trim(), createdAt }
  if (r.recommendation_type) draft.title = r.recommendation_type === 'positive' ? 'Recommends' : 'Does not recommend'
  // Stars only when Facebook gives real ones: a recommendation is a thumb, not a star count.
  if (r.rating !== undefined && r.has_rating !== false) draft.rating = r.rating
  const who = author(r.reviewer)
  if (who) draft.author = who
  return withAbout(draft, o.about, false)
}

/** The items of a list body (`data`) or of an `?ids=` body (keyed by id). */
function itemsOf(value: unknown, url: string, now: number): { items: unknown[]; paging: z.output<typeof pagingSchema> } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SourceResponseError('expected a JSON object with a "data" array', url)
  }
  const record = value as Record<string, unknown>
  if ('error' in record) {
    const graph = readGraphError(JSON.stringify(value))
    if (graph) throw graphError(graph, { url, now })
  }
  if ('data' in record) {
    if (!Array.isArray(record.data)) throw new SourceResponseError('"data" is not an array', url)
    return { items: record.data, paging: pagingSchema.parse(record.paging) }
  }
  const values = Object.values(record)
  if (values.length > 0 && values.every((v) => v !== null && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'string')) {
    return { items: values, paging: undefined }
  }
  throw new SourceResponseError('expected a "data" array (the response has none)', url)
}

/**
 * One response of /{page}/posts, /visitor_posts or /tagged (posts with their nested comments)
 * or /ratings, as a JSON string or parsed value. An error body throws its Graph error; any
 * other shape without `data` throws SourceResponseError naming the field. An item of the
 * wrong shape is skipped, not fatal.
 */
export function parseFacebookPage(body: unknown, o: ParseOptions): FacebookPage {
  const url = o.url ?? 'https://graph.facebook.com/'
  const { items, paging } = itemsOf(jsonBody(body, url), url, o.now ?? Date.now())
  const page: FacebookPage = { drafts: [], itemTimes: [], skipped: 0, moreComments: new Map() }
  if (paging?.next) page.next = paging.next
  if (o.edge === 'ratings') {
    const read = readEach(items, ratingSchema, (r) => {
      const draft = ratingDraft(r, o)
      return draft ? { rating: r, draft } : undefined
    })
    page.skipped = read.skipped
    for (const { rating, draft } of read.items) {
      page.drafts.push(draft)
      page.itemTimes.push(draft.createdAt)
      const story = rating.open_graph_story
      if (!story) continue
      // The rating's key is its story's id, so a comment on the story answers the rating.
      const comments = readEach(story.comments?.data ?? [], commentSchema, (c) => commentDraft(c, story.id, o))
      page.drafts.push(...comments.items)
      page.skipped += comments.skipped
    }
    return page
  }
  const read = readEach(items, postSchema, (p) => {
    const draft = postDraft(p, o)
    return draft ? { post: p, draft } : undefined
  })
  page.skipped = read.skipped
  for (const { post, draft } of read.items) {
    page.drafts.push(draft)
    page.itemTimes.push(draft.createdAt)
    const comments = readEach(post.comments?.data ?? [], commentSchema, (c) => commentDraft(c, post.id, o))
    page.drafts.push(...comments.items)
    page.skipped += comments.skipped
    if (post.comments?.paging?.next) page.moreComments.set(post.id, post.comments.paging.next)
  }
  return page
}

export interface FacebookComments {
  drafts: MentionDraft[]
  skipped: number
  next?: string
}

/** One response of /{post-id}/comments (or an `?ids=` look-up of comments). */
export function parseFacebookComments(body: unknown, o: Omit<ParseOptions, 'edge'> & { postId?: string }): FacebookComments {
  const url = o.url ?? 'https://graph.facebook.com/'
  const { items, paging } = itemsOf(jsonBody(body, url), url, o.now ?? Date.now())
  const read = readEach(items, commentSchema, (c) => commentDraft(c, o.postId, { ...o, edge: 'posts' }))
  return { drafts: read.items, skipped: read.skipped, ...(paging?.next ? { next: paging.next } : {}) }
}

// ---------------------------------------------------------------------------------------
// URLs (pure)

const COMMENT_FIELDS = 'id,from{id,name},message,created_time,parent{id},permalink_url,like_count,comment_count'
const POST_FIELDS = [
  'id',
  'message',
  'story',
  'created_time',
  'from{id,name}',
  'permalink_url',
  'shares',
  'attachments{type,unshimmed_url,url}',
  'reactions.summary(total_count).limit(0)',
  // Newest first, so the comments that came since the last pull are the ones that fit.
  `comments.filter(stream).order(reverse_chronological).summary(true).limit(100){${COMMENT_FIELDS}}`,
].join(',')
const RATING_FIELDS = 'created_time,recommendation_type,review_text,rating,has_rating,has_review,reviewer,open_graph_story'
/** With the comments on each rating's story, where the Page's reply is. */
const RATING_FIELDS_WITH_REPLIES = `created_time,recommendation_type,review_text,rating,has_rating,has_review,reviewer,open_graph_story{id,comments.filter(stream).limit(25){${COMMENT_FIELDS}}}`

function base(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
}

/** The first request of one edge's walk over a window. */
export function edgeUrl(
  o: Pick<FacebookOptions, 'baseUrl' | 'apiVersion' | 'pageId' | 'limit'>,
  edge: FacebookEdge,
  window: Pick<Window, 'from' | 'to'>,
  opts: { ratingReplies?: boolean } = {},
): URL {
  const url = new URL(`${o.apiVersion}/${o.pageId}/${edge}`, base(o.baseUrl))
  url.searchParams.set('fields', edge !== 'ratings' ? POST_FIELDS : opts.ratingReplies === false ? RATING_FIELDS : RATING_FIELDS_WITH_REPLIES)
  url.searchParams.set('limit', String(o.limit))
  url.searchParams.set('since', String(Math.floor(window.from / 1000)))
  if (window.to !== undefined) url.searchParams.set('until', String(Math.ceil(window.to / 1000)))
  return url
}

/**
 * A paging.next URL as the next request: followed verbatim (never rebuilt), but sent to the
 * configured base (a proxy, a test server; the token never goes to another host), and without
 * `access_token`, which travels in the Authorization header instead.
 */
export function followUrl(baseUrl: string, next: string): URL | undefined {
  let url: URL
  try {
    url = new URL(next)
  } catch {
    return undefined
  }
  const root = new URL(base(baseUrl))
  const out = url.origin === root.origin ? url : new URL(url.pathname.replace(/^\//, '') + url.search, root)
  out.searchParams.delete('access_token')
  return out
}

// ---------------------------------------------------------------------------------------
// Walks (I/O)

interface EdgeWalk extends WalkState {
  edge: FacebookEdge
}

interface Fetched {
  body: unknown
  headers: Record<string, string>
}

interface Session {
  ctx: SourceContext<FacebookOptions>
  token: string
  /** The last usage the Graph API reported: a throttle error says when to come back by it. */
  usage?: GraphUsage
  /** False once Facebook refused to expand the comments of rating stories. */
  ratingReplies: boolean
}

/** One GET with the token in the header; Graph error bodies become lines naming the cause. */
async function graphGet(s: Session, url: URL, edge: FacebookEdge): Promise<Fetched> {
  const { ctx } = s
  let response
  try {
    response = await ctx.http.get(url, { headers: { authorization: `Bearer ${s.token}` }, ...(ctx.signal ? { signal: ctx.signal } : {}) })
  } catch (err) {
    // A 429 keeps the client's message: it already says when to retry.
    if (err instanceof HttpError && !(err instanceof RateLimitError)) {
      const graph = readGraphError(err.bodySnippet)
      if (graph) {
        const failure = graphError(graph, {
          edge,
          url: err.url,
          status: err.status,
          now: ctx.now(),
          ...(s.usage?.regainMinutes !== undefined ? { regainMinutes: s.usage.regainMinutes } : {}),
          cause: err,
        })
        if (failure instanceof RateLimitError) ctx.report?.({ note: 'throttled by Facebook', resetAt: failure.retryAt.getTime() })
        throw failure
      }
    }
    throw refusal(err, [FACEBOOK_TOKEN])
  }
  const usage = graphUsage(response.headers)
  if (usage) {
    s.usage = usage
    ctx.report?.(usageState(usage, ctx.now()))
  }
  return { body: jsonBody(response.body, url.href), headers: response.headers }
}

function overlapFor(edge: FacebookEdge, o: FacebookOptions): number {
  return edge === 'ratings' ? FACEBOOK_OVERLAP_MS : Math.max(FACEBOOK_OVERLAP_MS, o.commentDays * DAY_MS)
}

async function* searchFacebook(ctx: SourceContext<FacebookOptions>, q: SourceQuery): AsyncIterable<Page> {
  const session: Session = { ctx, token: credential(ctx, KIND, FACEBOOK_TOKEN, TOKEN_WHY), ratingReplies: true }
  const about = ownerBrand(KIND, ctx.options.brand, q.brands)
  const o = ctx.options
  const pageLimit = Math.max(1, Math.min(q.maxPages, o.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const edges = [...new Set(o.edges)]

  // One cursor per edge: a quiet edge (no ratings this month) never moves another's.
  const previous = new Map<string, Cursor | undefined>(edges.map((edge) => [edge, partCursor(q.cursor, edge)]))
  const planned = edges.map((edge) => ({ edge, windows: planWindows(previous.get(edge), { ...bounds, overlap: overlapFor(edge, o) }) }))
  const walks = orderWalks(planned, ({ edge }, window): EdgeWalk => ({ edge, window, status: 'pending' }))
  const cursorNow = (): Cursor => cursorOfParts(edges, (key) => mergeWalks(previous.get(key), walks.filter((w) => w.edge === key), bounds))
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  const seen = new Set<string>()
  let exhausted: GraphUsage | undefined
  for (const walk of walks) {
    if (exhausted) break
    const { edge } = walk
    walk.status = 'running'
    let url: URL | undefined = edgeUrl(o, edge, walk.window, { ratingReplies: session.ratingReplies })
    let outside = 0
    let skipped = 0
    let commentsLeft = 0
    for (let pages = 0; ; pages++) {
      if (pages >= pageLimit || url === undefined) {
        walk.status = url === undefined ? 'done' : 'truncated'
        break
      }
      const fetched = await fetchEdge(session, url, edge, walk.window)
      const parsed = parseFacebookPage(fetched.body, { edge, pageId: o.pageId, about, url: url.href, now: ctx.now() })
      skipped += parsed.skipped
      for (const t of parsed.itemTimes) {
        if (walk.oldestSeen === undefined || t < walk.oldestSeen) walk.oldestSeen = t
        if (t >= walk.window.from && t <= (walk.window.to ?? Infinity) && (walk.newestSeen === undefined || t > walk.newestSeen)) walk.newestSeen = t
      }
      const drafts = [...parsed.drafts]
      // Meta asks callers to stop at the limit: further calls lengthen the block.
      const usage = session.usage
      if (usage && (usage.percent >= 100 || usage.regainMinutes !== undefined)) exhausted = usage
      for (const [postId, next] of exhausted ? [] : parsed.moreComments) {
        const more = await moreComments(session, next, postId, about, walk.window)
        drafts.push(...more.drafts)
        skipped += more.skipped
        if (more.left) commentsLeft++
      }
      const fresh: MentionDraft[] = []
      for (const d of drafts) {
        // Graph honours since/until on these edges; a proxy or an upstream that does not
        // must not flood the store with old items.
        if (!keepHit(d.createdAt, walk.window, bounds)) {
          outside++
          continue
        }
        if (seen.has(d.externalId)) continue
        seen.add(d.externalId)
        fresh.push(d)
      }
      const below = walk.oldestSeen !== undefined && walk.oldestSeen < walk.window.from
      url = parsed.next && !below && parsed.itemTimes.length > 0 ? followUrl(o.baseUrl, parsed.next) : undefined
      if (url === undefined) walk.status = 'done'
      else if (exhausted) walk.status = 'truncated'
      yield { mentions: fresh, cursor: cursorNow() }
      if (walk.status !== 'running') break
    }
    const label = edge === 'posts' ? 'the Page\'s posts' : `/${edge}`
    if (walk.status === 'truncated' && !exhausted) {
      ctx.warn(`stopped ${walk.window.kind === 'backfill' ? 'backfilling ' : ''}${label} after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (outside > 0) ctx.warn(`dropped ${outside} item(s) from ${label} created outside the pull's window`)
    if (skipped > 0) ctx.warn(`skipped ${skipped} unreadable item(s) from ${label}`)
    if (commentsLeft > 0) ctx.warn(`${commentsLeft} post(s) on ${label} have more comments than ${o.commentPages + 1} page(s) (commentPages); older ones were not read`)
  }
  if (exhausted) {
    const when = exhausted.regainMinutes !== undefined ? `; Facebook expects access again in ${exhausted.regainMinutes} min` : ''
    ctx.warn(`stopped: the Graph API reports ${Math.round(exhausted.percent)}% of this Page's limit used (${exhausted.header})${when}; the rest is fetched next pull`)
  }
}

/**
 * One page of an edge. The first ratings request asks for the comments of each rating's story
 * (the Page's replies); the Graph API documents no such expansion for that object, so a Page
 * where Facebook refuses it is read without them, once said.
 */
async function fetchEdge(s: Session, url: URL, edge: FacebookEdge, window: Window): Promise<Fetched> {
  try {
    return await graphGet(s, url, edge)
  } catch (err) {
    if (!(edge === 'ratings' && s.ratingReplies && err instanceof FacebookApiError && err.graph.code === 100)) throw err
    s.ratingReplies = false
    s.ctx.warn(`Facebook would not read the comments on ratings (${err.message}); ratings are read without the Page's replies, so they show as unanswered`)
    const plain = edgeUrl(s.ctx.options, edge, window, { ratingReplies: false })
    // A later page of the same walk keeps its paging position.
    for (const name of ['after', 'before', '__paging_token']) {
      const v = url.searchParams.get(name)
      if (v !== null) plain.searchParams.set(name, v)
    }
    return graphGet(s, plain, edge)
  }
}

/**
 * The rest of one post's comments (newest first), past the page that came with the post, down
 * to the start of the window or `commentPages` pages. `left` says comments were left unread.
 */
async function moreComments(
  s: Session,
  first: string,
  postId: string,
  about: string,
  window: Window,
): Promise<{ drafts: MentionDraft[]; skipped: number; left: boolean }> {
  const o = s.ctx.options
  const out = { drafts: [] as MentionDraft[], skipped: 0, left: false }
  let next: string | undefined = first
  for (let pages = 0; next !== undefined; pages++) {
    if (pages >= o.commentPages) {
      out.left = true
      break
    }
    const url = followUrl(o.baseUrl, next)
    if (!url) break
    const fetched = await graphGet(s, url, 'posts')
    const parsed = parseFacebookComments(fetched.body, { pageId: o.pageId, about, postId, url: url.href, now: s.ctx.now() })
    out.drafts.push(...parsed.drafts)
    out.skipped += parsed.skipped
    const oldest = Math.min(...parsed.drafts.map((d) => d.createdAt))
    next = parsed.drafts.length > 0 && oldest >= window.from ? parsed.next : undefined
  }
  return out
}

export const facebookSource: Source<FacebookOptions> = {
  kind: KIND,
  scope: 'feed',
  options: facebookOptions,
  requires: [{ env: FACEBOOK_TOKEN, why: TOKEN_WHY }],
  instanceKey: (options) => `${options.baseUrl}#${options.pageId}`,
  // The Page's own comments arrive with the posts they answer (from.id is the Page id).
  replies: 'thread',
  search: searchFacebook,
}
