// Discourse forums (any instance: baseUrl is the forum). One brand → one full-page search per
// term, newest first (`order:latest`), bounded by day-granular `after:`/`before:` dates and
// filtered exactly here. Search answers one post per topic (its latest match) with a blurb,
// so every matched topic is read in full: the whole text of each post, and the replies in it.
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { HttpError, type HttpResponse } from '../net/types.js'
import { fetchJson, rateLimitState, jsonBody } from './common.js'
import { htmlToText, normaliseWhitespace } from './html.js'
import {
  MissingCredentialError,
  SourceResponseError,
  type OwnActivityQuery,
  type Page,
  type Source,
  type SourceContext,
  type SourceQuery,
} from './types.js'
import { keepHit, mergeWalks, partCursor, planWindows, type WalkState, type WindowBounds, orderWalks, cursorOfParts } from './window.js'

export const discourseOptions = z.object({
  // No default: there is no one Discourse; the forum is the instance.
  baseUrl: z.url({ protocol: /^https?$/ }),
  maxPages: z.int().min(1).max(50).default(5),
  /** Posts read per matched topic at most (newest first); a longer topic is read in part. */
  maxTopicPosts: z.int().min(20).max(2000).default(200),
})
export type DiscourseOptions = z.output<typeof discourseOptions>

export const DISCOURSE_API_KEY = 'DISCOURSE_API_KEY'
export const DISCOURSE_API_USERNAME = 'DISCOURSE_API_USERNAME'
const CREDENTIALS = [DISCOURSE_API_KEY, DISCOURSE_API_USERNAME] as const

/** Post ids per `/t/<id>/posts.json?post_ids[]=` request: Discourse's own chunk size. */
const POST_CHUNK = 20
/** Discourse's `post_type` for small actions ("closed this topic"): no text of anyone's. */
const SMALL_ACTION = 3
/** `actions_summary` id of a like. */
const LIKE_ACTION = 2
const DAY_MS = 86_400_000

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`) rather than failing the post.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)

const postSchema = z.object({
  id: z.number(),
  username: optString,
  name: optString,
  display_username: optString,
  created_at: optString,
  cooked: optString,
  blurb: optString,
  post_number: optNumber,
  post_type: optNumber,
  reply_to_post_number: optNumber,
  reply_count: optNumber,
  like_count: optNumber,
  topic_id: optNumber,
  topic_slug: optString,
  topic_title: optString,
  deleted_at: optString,
  hidden: z.boolean().nullish().catch(undefined),
  actions_summary: z.array(z.unknown()).nullish().catch(undefined),
})
export type DiscoursePost = z.output<typeof postSchema>
const actionSummarySchema = z.object({ id: z.number(), count: z.number() })

const topicSchema = z.object({
  id: z.number(),
  title: optString,
  fancy_title: optString,
  slug: optString,
})
export type DiscourseTopicInfo = z.output<typeof topicSchema>

const searchSchema = z.object({
  posts: z.array(z.unknown()).optional(),
  topics: z.array(z.unknown()).nullish().catch(undefined),
  grouped_search_result: z
    .object({
      more_posts: z.boolean().nullish().catch(undefined),
      more_full_page_results: z.boolean().nullish().catch(undefined),
      error: z.string().nullish().catch(undefined),
    })
    .nullish()
    .catch(undefined),
})

const streamSchema = z.object({
  post_stream: z.object({
    posts: z.array(z.unknown()),
    stream: z.array(z.number()).nullish().catch(undefined),
  }),
  id: optNumber,
  title: optString,
  fancy_title: optString,
  slug: optString,
})

const latestSchema = z.object({ latest_posts: z.array(z.unknown()) })

const userActionSchema = z.object({
  post_id: optNumber,
  topic_id: optNumber,
  post_number: optNumber,
  reply_to_post_number: optNumber,
  created_at: optString,
  excerpt: optString,
  username: optString,
  name: optString,
  acting_username: optString,
  acting_name: optString,
  slug: optString,
  title: optString,
  deleted: z.boolean().nullish().catch(undefined),
  action_type: optNumber,
})
export type DiscourseUserAction = z.output<typeof userActionSchema>
const userActionsSchema = z.object({ user_actions: z.array(z.unknown()) })

/** A topic as far as drafts need it: where its posts live and which post opened it. */
export interface TopicContext {
  id: number
  slug?: string | undefined
  title?: string | undefined
  /** The id of post number 1, the parent of a reply to the topic itself. */
  firstPostId?: number | undefined
  /** Post number → post id, for replies to a post. */
  idByNumber: ReadonlyMap<number, number>
}

export const postExternalId = (id: number): string => `post:${id}`
export const topicThreadId = (topicId: number): string => `topic:${topicId}`


const errorBodySchema = z.object({ errors: z.array(z.string()).min(1), error_type: z.string().optional() })

/** Discourse answers some refusals with a 200 or an error status and `{ errors: [...] }`. */
function forumError(value: unknown, url: string): void {
  const e = errorBodySchema.safeParse(value)
  if (!e.success) return
  const type = e.data.error_type ? ` (${e.data.error_type})` : ''
  throw new SourceResponseError(`discourse: the forum answered with an error${type}: ${e.data.errors.join('; ').slice(0, 200)}`, url)
}

function shapeError(what: string, url: string, cause: unknown): SourceResponseError {
  return new SourceResponseError(`discourse: expected ${what}`, url, { cause })
}

/** `<baseUrl>/<path>`, keeping a path prefix of baseUrl (forums served from a subfolder). */
export function discourseUrl(baseUrl: string, path: string): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  return new URL(path.replace(/^\//, ''), base)
}

function permalink(baseUrl: string, topic: { id: number; slug?: string | undefined }, postNumber: number): string {
  // Discourse redirects any slug to the right one; "-" stands in when it is unknown.
  const slug = encodeURIComponent(String(topic.slug || '-').replace(/\p{Surrogate}/gu, '\ufffd'))
  return discourseUrl(baseUrl, `t/${slug}/${topic.id}/${postNumber}`).href
}

/** The plain text of a time, or NaN. */
const epoch = (iso: string | null | undefined): number => Date.parse(iso ?? '')

function likesOf(post: DiscoursePost): number | undefined {
  if (typeof post.like_count === 'number') return post.like_count
  for (const raw of post.actions_summary ?? []) {
    const a = actionSummarySchema.safeParse(raw)
    if (a.success && a.data.id === LIKE_ACTION) return a.data.count
  }
  return undefined
}

/**
 * The parent of a post: the post it replies to, else the topic's first post; undefined for
 * the first post, or when the post replied to is not known (a wrong link would mark the
 * wrong mention answered; no link leaves it unanswered).
 */
export function parentOf(
  post: { post_number?: number | null | undefined; reply_to_post_number?: number | null | undefined },
  topic: Pick<TopicContext, 'firstPostId' | 'idByNumber'>,
): string | undefined {
  if (post.post_number === 1) return undefined
  const replyTo = post.reply_to_post_number
  if (typeof replyTo === 'number' && replyTo > 0) {
    const id = topic.idByNumber.get(replyTo)
    return id === undefined ? undefined : postExternalId(id)
  }
  return topic.firstPostId === undefined ? undefined : postExternalId(topic.firstPostId)
}

/**
 * One post as a draft, or undefined for what is not a person's post (small actions, deleted
 * posts) or lacks an id, a time or a place in a topic.
 */
export function postToDraft(post: DiscoursePost, topic: TopicContext, baseUrl: string): MentionDraft | undefined {
  const createdAt = epoch(post.created_at)
  const postNumber = post.post_number
  if (!Number.isFinite(createdAt) || typeof postNumber !== 'number') return undefined
  if (post.post_type === SMALL_ACTION || post.deleted_at) return undefined
  const html = post.cooked ?? post.blurb ?? ''
  const draft: MentionDraft = {
    externalId: postExternalId(post.id),
    url: permalink(baseUrl, { id: topic.id, slug: topic.slug ?? post.topic_slug ?? undefined }, postNumber),
    text: htmlToText(html),
    createdAt,
    threadExternalId: topicThreadId(topic.id),
  }
  const title = htmlToText(topic.title ?? post.topic_title ?? '')
  if (title) draft.title = title
  const author: NonNullable<MentionDraft['author']> = {}
  if (post.username) author.handle = post.username
  const name = normaliseWhitespace(post.name || post.display_username || '')
  if (name) author.name = name
  if (Object.keys(author).length > 0) draft.author = author
  const parent = parentOf(post, topic)
  if (parent) draft.parentExternalId = parent
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  const likes = likesOf(post)
  if (likes !== undefined) metrics.likes = likes
  if (typeof post.reply_count === 'number') metrics.replies = post.reply_count
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return draft
}

export interface DiscourseSearchPage {
  /** Readable hits: one post per topic, its latest match, with a blurb. */
  posts: DiscoursePost[]
  topics: Map<number, DiscourseTopicInfo>
  /** Hits dropped for lacking an id, a time or a topic. */
  skipped: number
  /** The server says a further page holds more. */
  more: boolean
  /** The forum refused the query (e.g. "term too short"); no hits follow. */
  error?: string
}

/** Reads one `/search.json` response (a JSON string or the parsed value). */
export function parseDiscourseSearch(body: unknown, url = 'discourse'): DiscourseSearchPage {
  const value = jsonBody(body, url)
  forumError(value, url)
  const parsed = searchSchema.safeParse(value)
  const isSearch = value !== null && typeof value === 'object' && ('posts' in value || 'grouped_search_result' in value)
  if (!parsed.success || !isSearch) {
    throw shapeError('a search response with a "posts" array and "grouped_search_result"', url, parsed.error)
  }
  const topics = new Map<number, DiscourseTopicInfo>()
  for (const raw of parsed.data.topics ?? []) {
    const t = topicSchema.safeParse(raw)
    if (t.success) topics.set(t.data.id, t.data)
  }
  const posts: DiscoursePost[] = []
  let skipped = 0
  for (const raw of parsed.data.posts ?? []) {
    const p = postSchema.safeParse(raw)
    if (p.success && typeof p.data.topic_id === 'number' && Number.isFinite(epoch(p.data.created_at))) posts.push(p.data)
    else skipped++
  }
  const g = parsed.data.grouped_search_result
  // Discourse writes null for "no more". A server that writes neither field says nothing:
  // a non-empty page may then have a next one, and an empty one ends the walk.
  const raw = (value as { grouped_search_result?: unknown }).grouped_search_result
  const says = raw !== null && typeof raw === 'object' && ('more_full_page_results' in raw || 'more_posts' in raw)
  const more = g?.more_full_page_results === true || g?.more_posts === true || (!says && posts.length > 0)
  const page: DiscourseSearchPage = { posts, topics, skipped, more }
  if (g?.error) page.error = g.error
  return page
}

/** A search hit as a draft from its blurb: what is known when the topic cannot be read. */
export function searchHitToDraft(post: DiscoursePost, topic: DiscourseTopicInfo | undefined, baseUrl: string): MentionDraft | undefined {
  if (typeof post.topic_id !== 'number') return undefined
  // The parent is unknown from a hit alone (search gives no reply_to_post_number), and a
  // reply without one is not the topic's first post: no parent rather than a guessed one.
  const context: TopicContext = { id: post.topic_id, slug: topic?.slug ?? undefined, title: topic?.fancy_title ?? topic?.title ?? undefined, idByNumber: new Map() }
  return postToDraft({ ...post, cooked: undefined }, context, baseUrl)
}

export interface DiscoursePostsPage {
  posts: DiscoursePost[]
  /** The topic's post ids in order, when the body is a whole topic (`/t/<id>.json`). */
  stream?: number[]
  topic?: DiscourseTopicInfo
  skipped: number
}

/**
 * Reads a body that holds posts: a topic (`/t/<id>.json`), a topic's posts
 * (`/t/<id>/posts.json`), the latest posts (`/posts.json`) or one post (`/posts/<id>.json`).
 */
export function parseDiscoursePosts(body: unknown, url = 'discourse'): DiscoursePostsPage {
  const value = jsonBody(body, url)
  forumError(value, url)
  let raws: unknown[]
  let stream: number[] | undefined
  let topic: DiscourseTopicInfo | undefined
  const s = streamSchema.safeParse(value)
  if (s.success) {
    raws = s.data.post_stream.posts
    stream = s.data.post_stream.stream ?? undefined
    if (typeof s.data.id === 'number') {
      topic = { id: s.data.id, title: s.data.title, fancy_title: s.data.fancy_title, slug: s.data.slug }
    }
  } else {
    const l = latestSchema.safeParse(value)
    if (l.success) raws = l.data.latest_posts
    else if (value !== null && typeof value === 'object' && 'cooked' in value && 'id' in value) raws = [value]
    else throw shapeError('posts in "post_stream.posts" or "latest_posts"', url, s.error)
  }
  const posts: DiscoursePost[] = []
  let skipped = 0
  for (const raw of raws) {
    const p = postSchema.safeParse(raw)
    if (p.success) posts.push(p.data)
    else skipped++
  }
  return { posts, skipped, ...(stream ? { stream } : {}), ...(topic ? { topic } : {}) }
}

/** The topic context the posts of one body give by themselves (ids of the posts present). */
export function topicContextOf(posts: readonly DiscoursePost[], topicId: number, info?: DiscourseTopicInfo, stream?: readonly number[]): TopicContext {
  const idByNumber = new Map<number, number>()
  for (const p of posts) if (p.topic_id === topicId && typeof p.post_number === 'number') idByNumber.set(p.post_number, p.id)
  const any = posts.find((p) => p.topic_id === topicId)
  // A topic's stream begins with its first post, whether or not that post was loaded.
  const firstPostId = idByNumber.get(1) ?? stream?.[0]
  return {
    id: topicId,
    slug: info?.slug ?? any?.topic_slug ?? undefined,
    title: info?.fancy_title ?? info?.title ?? any?.topic_title ?? undefined,
    firstPostId,
    idByNumber,
  }
}

/**
 * The drafts of one Discourse response: search (from blurbs), a topic, a topic's posts, the
 * latest posts or one post. Replies whose parent is not in the body get none.
 */
export function parseDiscourse(body: unknown, baseUrl: string, url = 'discourse'): MentionDraft[] {
  const value = jsonBody(body, url)
  forumError(value, url)
  if (value !== null && typeof value === 'object' && 'grouped_search_result' in value) {
    const page = parseDiscourseSearch(value, url)
    return page.posts.flatMap((p) => searchHitToDraft(p, page.topics.get(p.topic_id ?? -1), baseUrl) ?? [])
  }
  const page = parseDiscoursePosts(value, url)
  const byTopic = new Map<number, DiscoursePost[]>()
  for (const p of page.posts) {
    const tid = p.topic_id ?? page.topic?.id
    if (typeof tid !== 'number') continue
    const list = byTopic.get(tid) ?? []
    list.push({ ...p, topic_id: tid })
    byTopic.set(tid, list)
  }
  const drafts: MentionDraft[] = []
  for (const [tid, posts] of byTopic) {
    const topic = topicContextOf(posts, tid, page.topic?.id === tid ? page.topic : undefined, page.stream)
    for (const p of posts) {
      const d = postToDraft(p, topic, baseUrl)
      if (d) drafts.push(d)
    }
  }
  return drafts
}

/** Reads one `/user_actions.json` response. */
export function parseDiscourseUserActions(body: unknown, url = 'discourse'): { actions: DiscourseUserAction[]; count: number } {
  const value = jsonBody(body, url)
  forumError(value, url)
  const parsed = userActionsSchema.safeParse(value)
  if (!parsed.success) throw shapeError('a "user_actions" array', url, parsed.error)
  const actions: DiscourseUserAction[] = []
  for (const raw of parsed.data.user_actions) {
    const a = userActionSchema.safeParse(raw)
    if (a.success) actions.push(a.data)
  }
  return { actions, count: parsed.data.user_actions.length }
}

// ---------------------------------------------------------------------------------------
// Queries (pure)

/** The distinct search terms of a brand; quoted phrases stay quoted (Discourse honours them). */
export function discourseTerms(terms: readonly string[]): string[] {
  return [...new Set(terms.map((t) => normaliseWhitespace(t)).filter((t) => t.replace(/"/g, '').trim() !== ''))]
}

const day = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

/**
 * The search URL for one term over [from, to]. Discourse compares dates as `created_at >
 * after` and `created_at < before` at midnight in the forum's time zone, so the dates sit a
 * day outside the window on each side (two above: `before` is exclusive); the walk then
 * keeps exactly the window.
 */
export function searchUrl(baseUrl: string, p: { term: string; from: number; to?: number | undefined; page: number }): URL {
  const parts = [p.term, 'order:latest', `after:${day(p.from - DAY_MS)}`]
  if (p.to !== undefined) parts.push(`before:${day(p.to + 2 * DAY_MS)}`)
  const url = discourseUrl(baseUrl, 'search.json')
  url.searchParams.set('q', parts.join(' '))
  url.searchParams.set('page', String(p.page))
  return url
}

// ---------------------------------------------------------------------------------------
// I/O

/**
 * How far below each term's resume point a pull re-reads: a post becomes searchable when the
 * forum's indexer has run, which can lag its created_at by minutes. The query's day-granular
 * dates already make the server return the day before; the hour is what is kept of it.
 */
export const DISCOURSE_OVERLAP_MS = 3600_000

/** Api-Key / Api-Username when both are set; none when neither; an error naming both otherwise. */
export function discourseHeaders(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const key = env[DISCOURSE_API_KEY]?.trim()
  const user = env[DISCOURSE_API_USERNAME]?.trim()
  if (key && user) return { 'Api-Key': key, 'Api-Username': user }
  if (!key && !user) return {}
  const missing = key ? DISCOURSE_API_USERNAME : DISCOURSE_API_KEY
  const present = key ? DISCOURSE_API_KEY : DISCOURSE_API_USERNAME
  throw new MissingCredentialError(missing, 'discourse', `${present} is set without it: set both ${DISCOURSE_API_KEY} and ${DISCOURSE_API_USERNAME}, or neither`)
}

interface LoadedTopic {
  context: TopicContext
  posts: DiscoursePost[]
}

/** Every request of one pull: headers, rate-limit reports, and the topics already read. */
class Forum {
  private readonly headers: Record<string, string>
  private readonly topics = new Map<number, Promise<LoadedTopic | undefined>>()
  private readonly byNumber = new Map<string, Promise<number | undefined>>()

  constructor(private readonly ctx: SourceContext<DiscourseOptions>) {
    this.headers = discourseHeaders(ctx.env)
  }

  async get(path: string | URL): Promise<{ body: unknown; url: string }> {
    const url = typeof path === 'string' ? discourseUrl(this.ctx.options.baseUrl, path) : path
    const { body, response } = await fetchJson(this.ctx, url, {
      headers: { accept: 'application/json', ...this.headers },
      credentials: CREDENTIALS,
      forbidden: this.headers['Api-Key'] ? 'access refused' : `access refused: the forum may need ${DISCOURSE_API_KEY} and ${DISCOURSE_API_USERNAME}`,
    })
    this.reportLimits(response)
    return { body, url: response.url }
  }

  private reportLimits(response: HttpResponse): void {
    const state = rateLimitState(response.headers, this.ctx.now())
    if (state) this.ctx.report?.(state)
  }

  /** A topic's posts, newest first down to `from` (or maxTopicPosts), read once per pull. */
  topic(topicId: number, from: number): Promise<LoadedTopic | undefined> {
    let loaded = this.topics.get(topicId)
    if (!loaded) {
      loaded = this.loadTopic(topicId, from)
      this.topics.set(topicId, loaded)
    }
    return loaded
  }

  private async loadTopic(topicId: number, from: number): Promise<LoadedTopic | undefined> {
    let first: { body: unknown; url: string }
    try {
      first = await this.get(`t/${topicId}.json`)
    } catch (err) {
      // Deleted or moved out of sight between the search and now: the blurb stands in.
      if (err instanceof HttpError && err.status === 404) return undefined
      throw err
    }
    const page = parseDiscoursePosts(first.body, first.url)
    const posts = [...page.posts]
    const have = new Set(posts.map((p) => p.id))
    const stream = page.stream ?? []
    // The rest of a long topic, from its newest post backwards: post numbers follow creation,
    // so once a whole chunk is older than the window nothing further back is needed.
    const missing = stream.filter((id) => !have.has(id)).reverse()
    const budget = Math.max(0, this.ctx.options.maxTopicPosts - posts.length)
    const wanted = missing.slice(0, budget)
    for (let i = 0; i < wanted.length; i += POST_CHUNK) {
      const chunk = wanted.slice(i, i + POST_CHUNK)
      const url = discourseUrl(this.ctx.options.baseUrl, `t/${topicId}/posts.json`)
      for (const id of chunk) url.searchParams.append('post_ids[]', String(id))
      const res = await this.get(url)
      const more = parseDiscoursePosts(res.body, res.url).posts
      posts.push(...more)
      if (more.length > 0 && more.every((p) => epoch(p.created_at) < from)) break
    }
    if (missing.length > wanted.length) {
      this.ctx.warn(`read the newest ${this.ctx.options.maxTopicPosts} posts of topic ${topicId} (of ${stream.length}); raise maxTopicPosts to read more`)
    }
    const info = page.topic ?? { id: topicId }
    const filled = posts.map((p) => ({ ...p, topic_id: p.topic_id ?? topicId }))
    return { context: topicContextOf(filled, topicId, info, stream), posts: filled }
  }

  /** The id of post `postNumber` of a topic (cached), or undefined when it is gone. */
  postIdByNumber(topicId: number, postNumber: number): Promise<number | undefined> {
    const key = `${topicId}/${postNumber}`
    let id = this.byNumber.get(key)
    if (!id) {
      id = this.get(`posts/by_number/${topicId}/${postNumber}.json`).then(
        (res) => parseDiscoursePosts(res.body, res.url).posts[0]?.id,
        (err: unknown) => {
          if (err instanceof HttpError && err.status === 404) return undefined
          throw err
        },
      )
      this.byNumber.set(key, id)
    }
    return id
  }

  /** Fills in the ids a post's parent link needs that the loaded posts do not give. */
  async resolveParent(post: DiscoursePost, topic: TopicContext): Promise<TopicContext> {
    if (post.post_number === 1 || typeof post.topic_id !== 'number') return topic
    const needed = typeof post.reply_to_post_number === 'number' && post.reply_to_post_number > 0 ? post.reply_to_post_number : 1
    if (needed === 1 ? topic.firstPostId !== undefined : topic.idByNumber.has(needed)) return topic
    const id = await this.postIdByNumber(topic.id, needed)
    if (id === undefined) return topic
    const idByNumber = new Map(topic.idByNumber).set(needed, id)
    return { ...topic, idByNumber, ...(needed === 1 ? { firstPostId: id } : {}) }
  }
}

interface TermWalk extends WalkState {
  term: string
}

function planTermWalks(keys: readonly string[], cursor: Cursor | undefined, bounds: WindowBounds, overlap: number) {
  const previous = new Map(keys.map((k) => [k, partCursor(cursor, k)]))
  const planned = keys.map((k) => ({ k, windows: planWindows(previous.get(k), { ...bounds, overlap }) }))
  const walks = orderWalks(planned, ({ k }, window): TermWalk => ({ term: k, window, status: 'pending' }))
  const cursorNow = (): Cursor => cursorOfParts(keys, (k) => mergeWalks(previous.get(k), walks.filter((w) => w.term === k), bounds))
  return { walks, cursorNow }
}

function see(walk: WalkState, createdAt: number): void {
  if (walk.oldestSeen === undefined || createdAt < walk.oldestSeen) walk.oldestSeen = createdAt
  const w = walk.window
  if (createdAt >= w.from && createdAt <= (w.to ?? Infinity) && (walk.newestSeen === undefined || createdAt > walk.newestSeen)) {
    walk.newestSeen = createdAt
  }
}

async function* searchDiscourse(ctx: SourceContext<DiscourseOptions>, q: SourceQuery): AsyncIterable<Page> {
  if (!q.brand) throw new Error('discourse: searched without a brand (its scope is "brand")')
  const forum = new Forum(ctx)
  const { baseUrl } = ctx.options
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const terms = discourseTerms(q.brand.terms)
  if (terms.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const { walks, cursorNow } = planTermWalks(terms, q.cursor, bounds, DISCOURSE_OVERLAP_MS)
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  // A topic is read once per pull, down to the oldest point any walk needs.
  const floor = Math.min(bounds.since, ...walks.map((w) => w.window.from))
  const emitted = new Set<string>()
  for (const walk of walks) {
    walk.status = 'running'
    let outside = 0
    for (let page = 1; ; page++) {
      if (page > pageLimit) {
        walk.status = 'truncated'
        break
      }
      const url = searchUrl(baseUrl, { term: walk.term, from: walk.window.from, to: walk.window.to, page })
      const res = await forum.get(url)
      const hits = parseDiscourseSearch(res.body, res.url)
      if (hits.error) ctx.warn(`the forum refused "${walk.term}": ${hits.error}`)
      if (hits.skipped > 0) ctx.warn(`skipped ${hits.skipped} unreadable search hit(s) for "${walk.term}"`)
      const fresh: MentionDraft[] = []
      const keep = (d: MentionDraft): void => {
        if (emitted.has(d.externalId)) return
        emitted.add(d.externalId)
        fresh.push(d)
      }
      for (const hit of hits.posts) {
        const createdAt = epoch(hit.created_at)
        see(walk, createdAt)
        // The hit is its topic's latest match: a topic whose latest match lies outside the
        // window holds no match inside it, so it is not read (below the window, an earlier
        // pull stored it already; outside the pull's bounds, the server ignored the dates).
        if (createdAt < walk.window.from || createdAt > (walk.window.to ?? Infinity)) {
          if (!keepHit(createdAt, walk.window, bounds)) outside++
          continue
        }
        const topicId = hit.topic_id as number
        const loaded = await forum.topic(topicId, floor)
        if (!loaded) {
          const d = searchHitToDraft(hit, hits.topics.get(topicId), baseUrl)
          if (d) keep(d)
          continue
        }
        for (const post of loaded.posts) {
          if (!keepHit(epoch(post.created_at), walk.window, bounds)) continue
          const context = await forum.resolveParent(post, loaded.context)
          const d = postToDraft(post, context, baseUrl)
          if (d) keep(d)
        }
        // A hit deeper in a long topic than maxTopicPosts reaches: its blurb, not nothing.
        if (!loaded.posts.some((p) => p.id === hit.id)) {
          const d = searchHitToDraft(hit, hits.topics.get(topicId), baseUrl)
          if (d) keep(d)
        }
      }
      if (hits.posts.length === 0 || !hits.more || hits.error) walk.status = 'done'
      // A page whose hits are all older than the window: nothing further down is wanted.
      else if (walk.oldestSeen !== undefined && walk.oldestSeen < walk.window.from) walk.status = 'done'
      yield { mentions: fresh, cursor: cursorNow() }
      if (walk.status !== 'running') break
    }
    if (walk.status === 'truncated') {
      const what = walk.window.kind === 'backfill' ? 'backfilling ' : ''
      ctx.warn(`stopped ${what}"${walk.term}" after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (outside > 0) ctx.warn(`passed over ${outside} hit(s) for "${walk.term}" created outside the pull's window`)
  }
}

/** What an own reply needs that a user action may lack: then the post itself is read. */
function actionIsEnough(a: DiscourseUserAction): boolean {
  const excerpt = a.excerpt ?? ''
  // Excerpts are cut at a few hundred characters and end in an ellipsis when they are.
  const truncated = /(&hellip;|…|\.\.\.)\s*$/.test(excerpt)
  return excerpt.trim() !== '' && !truncated && typeof a.post_number === 'number' && typeof a.topic_id === 'number'
}

async function* ownActivityDiscourse(ctx: SourceContext<DiscourseOptions>, q: OwnActivityQuery): AsyncIterable<Page> {
  const forum = new Forum(ctx)
  const { baseUrl } = ctx.options
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const handles = [...new Set(q.handles.map((h) => h.toLowerCase()))]
  const { walks, cursorNow } = planTermWalks(handles, q.cursor, bounds, DISCOURSE_OVERLAP_MS)
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const emitted = new Set<string>()
  for (const walk of walks) {
    walk.status = 'running'
    let offset = 0
    for (let pages = 0; ; pages++) {
      if (pages >= pageLimit) {
        walk.status = 'truncated'
        break
      }
      const url = discourseUrl(baseUrl, 'user_actions.json')
      url.searchParams.set('username', walk.term)
      url.searchParams.set('filter', '5')
      url.searchParams.set('offset', String(offset))
      const res = await forum.get(url)
      const { actions, count } = parseDiscourseUserActions(res.body, res.url)
      offset += count
      const fresh: MentionDraft[] = []
      for (const a of actions) {
        const createdAt = epoch(a.created_at)
        if (!Number.isFinite(createdAt)) continue
        see(walk, createdAt)
        // Only the window walked: below it an earlier pull stored the reply already, and
        // reading it again could cost a post and a parent request each.
        const w = walk.window
        if (createdAt < w.from || createdAt > (w.to ?? Infinity) || a.deleted || typeof a.post_id !== 'number') continue
        const d = await ownReplyDraft(forum, a, baseUrl)
        if (d && !emitted.has(d.externalId)) {
          emitted.add(d.externalId)
          fresh.push(d)
        }
      }
      if (count === 0 || (walk.oldestSeen !== undefined && walk.oldestSeen < walk.window.from)) walk.status = 'done'
      yield { mentions: fresh, cursor: cursorNow() }
      if (walk.status !== 'running') break
    }
    if (walk.status === 'truncated') ctx.warn(`stopped reading replies by "${walk.term}" after ${pageLimit} page(s); the rest is fetched next pull`)
  }
}

async function ownReplyDraft(forum: Forum, a: DiscourseUserAction, baseUrl: string): Promise<MentionDraft | undefined> {
  let post: DiscoursePost
  if (actionIsEnough(a)) {
    post = {
      id: a.post_id as number,
      username: a.acting_username ?? a.username,
      name: a.acting_name ?? a.name,
      created_at: a.created_at,
      cooked: a.excerpt,
      post_number: a.post_number,
      reply_to_post_number: a.reply_to_post_number,
      topic_id: a.topic_id,
      topic_slug: a.slug,
      topic_title: a.title,
    }
  } else {
    let res: { body: unknown; url: string }
    try {
      res = await forum.get(`posts/${a.post_id}.json`)
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) return undefined
      throw err
    }
    const read = parseDiscoursePosts(res.body, res.url).posts[0]
    if (!read) return undefined
    post = { ...read, topic_id: read.topic_id ?? a.topic_id, topic_slug: read.topic_slug ?? a.slug, topic_title: read.topic_title ?? a.title }
  }
  if (typeof post.topic_id !== 'number') return undefined
  const base: TopicContext = { id: post.topic_id, slug: post.topic_slug ?? undefined, title: post.topic_title ?? undefined, idByNumber: new Map() }
  const context = await forum.resolveParent(post, base)
  return postToDraft(post, context, baseUrl)
}

export const discourseSource: Source<DiscourseOptions> = {
  kind: 'discourse',
  scope: 'brand',
  options: discourseOptions,
  requires: [
    { env: DISCOURSE_API_KEY, optional: true, why: `private categories and higher rate limits; needs ${DISCOURSE_API_USERNAME} too` },
    { env: DISCOURSE_API_USERNAME, optional: true, why: `the user ${DISCOURSE_API_KEY} acts as; needs ${DISCOURSE_API_KEY} too` },
  ],
  // The forum is the instance; the key is never part of it.
  instanceKey: (options) => options.baseUrl,
  // The brand handles' own replies (user_actions) link to the posts they answer.
  replies: 'own-activity',
  search: searchDiscourse,
  ownActivity: ownActivityDiscourse,
}
