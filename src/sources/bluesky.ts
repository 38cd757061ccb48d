// Bluesky through the AT Protocol XRPC API. Search needs a session since 2025-01 (unauthenticated
// searchPosts answers 403), so every pull logs in with a handle and an app password, then walks
// app.bsky.feed.searchPosts newest first per term, bounded by since/until. The brand's own
// replies come from its handles' author feeds (ownActivity), linked by record.reply.parent.uri.
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { HttpError, type Http, type HttpResponse } from '../net/types.js'
import { errorSnippet, redactUrl } from '../net/redact.js'
import { credential, fetchJson, rateLimitState, refusal, jsonBody } from './common.js'
import { normaliseWhitespace } from './html.js'
import { httpUrl } from './url.js'
import {
  CredentialsRejectedError,
  SourceResponseError,
  type OwnActivityQuery,
  type Page,
  type Source,
  type SourceContext,
  type SourceQuery,
} from './types.js'
import { keepHit, mergeWalks, partCursor, planWindows, type WalkState, type Window, type WindowBounds, orderWalks, cursorOfParts } from './window.js'

export const blueskyOptions = z.object({
  // The service that holds the account (its PDS, or the bsky.social entryway for accounts
  // hosted by Bluesky): sessions are created there, and by default every app.bsky.* call goes
  // there too, which the PDS proxies to the AppView with the session's authority.
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://bsky.social'),
  // Optional: send search and author feeds straight to an AppView (`https://api.bsky.app`)
  // with the session's token. `public.api.bsky.app` is not a good choice: it refuses
  // unauthenticated search and, from some IPs, authenticated calls too (SOURCE-APIS, 2026).
  appViewUrl: z.url({ protocol: /^https?$/ }).optional(),
  maxPages: z.int().min(1).max(50).default(5),
  limit: z.int().min(1).max(100).default(100),
})
export type BlueskyOptions = z.output<typeof blueskyOptions>

const KIND = 'bluesky'
const HANDLE_VAR = 'BLUESKY_HANDLE'
const PASSWORD_VAR = 'BLUESKY_APP_PASSWORD'
const CREDENTIALS = [HANDLE_VAR, PASSWORD_VAR] as const

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`), never fatal: one odd post must not
// cost the page. Only the uri, the author and a time are needed to make a draft.
const optString = z.string().nullish().catch(undefined)
const optCount = z.number().int().nonnegative().nullish().catch(undefined)
const strongRef = z.object({ uri: z.string() }).nullish().catch(undefined)

const facetSchema = z.object({
  features: z.array(z.object({ $type: optString, uri: optString }).passthrough()).catch([]),
})

const recordSchema = z
  .object({
    text: optString,
    createdAt: optString,
    langs: z.array(z.string()).nullish().catch(undefined),
    reply: z.object({ parent: strongRef, root: strongRef }).nullish().catch(undefined),
    facets: z.array(z.unknown()).nullish().catch(undefined),
    embed: z
      .object({
        $type: optString,
        external: z.object({ uri: optString }).nullish().catch(undefined),
        media: z.object({ external: z.object({ uri: optString }).nullish().catch(undefined) }).nullish().catch(undefined),
      })
      .nullish()
      .catch(undefined),
  })
  .catch({})

const postViewSchema = z.object({
  uri: z.string().startsWith('at://'),
  author: z.object({ did: optString, handle: optString, displayName: optString }),
  record: recordSchema,
  indexedAt: optString,
  likeCount: optCount,
  repostCount: optCount,
  replyCount: optCount,
  quoteCount: optCount,
})
type PostView = z.output<typeof postViewSchema>

const errorBodySchema = z.object({ error: z.string(), message: z.string().optional().catch(undefined) })
const searchSchema = z.object({ posts: z.array(z.unknown()), cursor: optString, hitsTotal: optCount })
const feedItemSchema = z.object({
  post: z.unknown(),
  // A repost or a pin: the post is someone else's or out of time order.
  reason: z.object({ $type: optString }).passthrough().nullish().catch(undefined),
})
const feedSchema = z.object({ feed: z.array(z.unknown()), cursor: optString })
const threadSchema = z.object({ thread: z.unknown() })

export interface BlueskyPage {
  drafts: MentionDraft[]
  /** Posts the API returned, including the ones that could not be read. */
  postCount: number
  /** Posts dropped for lacking a uri, an author or a time. */
  skipped: number
  /** Feed items skipped because they are reposts or pins (author feeds only). */
  reposts: number
  cursor: string | undefined
}

/**
 * Reads one searchPosts (`{posts}`), getAuthorFeed (`{feed}`) or getPostThread (`{thread}`)
 * response, as a JSON string or the parsed value. An XRPC error body (`{error, message}`) or
 * any other shape is a SourceResponseError that says what came back.
 */
export function parseBlueskyPage(body: unknown, url = KIND): BlueskyPage {
  const value = jsonBody(body, url)
  const out: BlueskyPage = { drafts: [], postCount: 0, skipped: 0, reposts: 0, cursor: undefined }
  const read = (raw: unknown) => {
    out.postCount++
    const post = postViewSchema.safeParse(raw)
    const draft = post.success ? postToDraft(post.data) : undefined
    if (draft) out.drafts.push(draft)
    else out.skipped++
  }
  const search = searchSchema.safeParse(value)
  if (search.success) {
    search.data.posts.forEach(read)
    out.cursor = search.data.cursor ?? undefined
    return out
  }
  const feed = feedSchema.safeParse(value)
  if (feed.success) {
    for (const raw of feed.data.feed) {
      const item = feedItemSchema.safeParse(raw)
      if (item.success && item.data.reason) {
        out.reposts++
        continue
      }
      read(item.success ? item.data.post : undefined)
    }
    out.cursor = feed.data.cursor ?? undefined
    return out
  }
  const thread = threadSchema.safeParse(value)
  if (thread.success) {
    threadPosts(thread.data.thread, read)
    return out
  }
  const error = errorBodySchema.safeParse(value)
  if (error.success) {
    const detail = errorSnippet(`${error.data.error}${error.data.message ? `: ${error.data.message}` : ''}`, [], 120)
    throw new SourceResponseError(`bluesky: the server answered with an error (${detail})`, url)
  }
  throw new SourceResponseError('bluesky: expected a "posts" array (searchPosts) or a "feed" array (getAuthorFeed)', url)
}

/** The drafts of one response. See parseBlueskyPage. */
export function parseBluesky(body: unknown, url?: string): MentionDraft[] {
  return parseBlueskyPage(body, url).drafts
}

/** Every post of a threadViewPost: its parents, itself, its replies (blocked/not-found skipped). */
function threadPosts(node: unknown, read: (raw: unknown) => void, depth = 0): void {
  if (depth > 1000 || typeof node !== 'object' || node === null || !('post' in node)) return
  const n = node as { post: unknown; parent?: unknown; replies?: unknown }
  read(n.post)
  if (n.parent !== undefined) threadPosts(n.parent, read, depth + 1)
  if (Array.isArray(n.replies)) for (const r of n.replies) threadPosts(r, read, depth + 1)
}

/** `at://<did>/app.bsky.feed.post/<rkey>` → its rkey, or undefined for any other record. */
export function postRkey(uri: string): string | undefined {
  const m = /^at:\/\/[^/]+\/app\.bsky\.feed\.post\/([A-Za-z0-9._:~-]+)$/.exec(uri)
  return m?.[1]
}

/** The bsky.app page of a post: by handle when it has a valid one, else by DID. */
export function blueskyPermalink(uri: string, handle: string | undefined, did: string | undefined): string | undefined {
  const rkey = postRkey(uri)
  if (!rkey) return undefined
  const actor = handle && handle !== 'handle.invalid' ? handle : (did ?? /^at:\/\/([^/]+)\//.exec(uri)?.[1])
  if (!actor) return undefined
  return `https://bsky.app/profile/${encodeURIComponent(String(actor).replace(/\p{Surrogate}/gu, '\ufffd'))}/post/${encodeURIComponent(String(rkey).replace(/\p{Surrogate}/gu, '\ufffd'))}`
}

function postToDraft(post: PostView): MentionDraft | undefined {
  const { record, author } = post
  const handle = author.handle ?? undefined
  const url = blueskyPermalink(post.uri, handle, author.did ?? undefined)
  if (!url) return undefined
  // The API filters and orders by sortAt, the earlier of the claimed createdAt and indexedAt
  // (so a post dated in the future sorts when it was indexed). Using the same time keeps
  // the window arithmetic in step with what since/until select.
  const claimed = Date.parse(record.createdAt ?? '')
  const indexed = Date.parse(post.indexedAt ?? '')
  const times = [claimed, indexed].filter(Number.isFinite)
  if (times.length === 0) return undefined
  const createdAt = Math.min(...times)

  const draft: MentionDraft = { externalId: post.uri, url, text: normaliseText(record.text ?? ''), createdAt }
  const who: NonNullable<MentionDraft['author']> = {}
  if (handle) who.handle = handle
  const name = normaliseWhitespace(author.displayName ?? '')
  if (name) who.name = name
  // Search results carry profileViewBasic: no follower count, so reach stays unknown.
  if (Object.keys(who).length > 0) draft.author = who
  const lang = record.langs?.find((l) => l.trim() !== '')
  if (lang) draft.lang = lang
  if (record.reply?.parent?.uri) draft.parentExternalId = record.reply.parent.uri
  if (record.reply?.root?.uri) draft.threadExternalId = record.reply.root.uri
  const canonical = linkOf(record)
  if (canonical) draft.canonicalUrl = canonical

  const metrics: NonNullable<MentionDraft['metrics']> = {}
  if (typeof post.likeCount === 'number') metrics.likes = post.likeCount
  // Quote posts are reposts with a comment: both spread the post, and the model has one field.
  if (typeof post.repostCount === 'number' || typeof post.quoteCount === 'number') {
    metrics.reposts = (post.repostCount ?? 0) + (post.quoteCount ?? 0)
  }
  if (typeof post.replyCount === 'number') metrics.replies = post.replyCount
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return draft
}

/** Post text is plain already; only control characters other than newlines and tabs go. */
function normaliseText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim()
}

/** Where the post points: an external embed (link card), else its first link facet. */
function linkOf(record: z.output<typeof recordSchema>): string | undefined {
  const embedded = httpUrl(record.embed?.external?.uri ?? record.embed?.media?.external?.uri)
  if (embedded) return embedded
  for (const raw of record.facets ?? []) {
    const facet = facetSchema.safeParse(raw)
    if (!facet.success) continue
    for (const f of facet.data.features) {
      const link = f.$type === 'app.bsky.richtext.facet#link' ? httpUrl(f.uri) : undefined
      if (link) return link
    }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------
// Queries and URLs (pure)

/**
 * One searchPosts query per distinct term. A quoted phrase stays quoted (the search service
 * supports phrases); a term whose words include every word of a single-word query can only
 * return a subset of that query's posts, so it is dropped to save requests.
 */
export function blueskyQueries(terms: readonly string[]): string[] {
  const seen = new Map<string, { query: string; words: string[] }>()
  for (const term of terms) {
    const words = term.replace(/"/g, ' ').toLowerCase().split(/\s+/).filter(Boolean)
    if (words.length === 0) continue
    const phrase = /^\s*".*"\s*$/.test(term) && words.length > 1
    const query = phrase ? `"${words.join(' ')}"` : words.join(' ')
    if (!seen.has(query)) seen.set(query, { query, words })
  }
  const entries = [...seen.values()]
  const singles = new Set(entries.filter((e) => e.words.length === 1).map((e) => e.words[0]))
  return entries.filter((e) => e.words.length === 1 || !e.words.some((w) => singles.has(w))).map((e) => e.query)
}

function xrpcUrl(base: string, method: string): URL {
  return new URL(`xrpc/${method}`, base.endsWith('/') ? base : `${base}/`)
}

export interface SearchPostsParams {
  q: string
  limit: number
  /** Epoch ms, inclusive. */
  from: number
  /** Epoch ms, inclusive; open-ended when undefined. */
  to?: number | undefined
  cursor?: string | undefined
}

export function searchPostsUrl(base: string, p: SearchPostsParams): URL {
  const url = xrpcUrl(base, 'app.bsky.feed.searchPosts')
  url.searchParams.set('q', p.q)
  url.searchParams.set('sort', 'latest')
  url.searchParams.set('since', new Date(p.from).toISOString())
  // `until` is exclusive upstream; the window's end is inclusive.
  if (p.to !== undefined) url.searchParams.set('until', new Date(p.to + 1).toISOString())
  url.searchParams.set('limit', String(p.limit))
  if (p.cursor) url.searchParams.set('cursor', p.cursor)
  return url
}

export function authorFeedUrl(base: string, p: { actor: string; limit: number; cursor?: string | undefined }): URL {
  const url = xrpcUrl(base, 'app.bsky.feed.getAuthorFeed')
  url.searchParams.set('actor', p.actor)
  url.searchParams.set('filter', 'posts_with_replies')
  url.searchParams.set('limit', String(p.limit))
  if (p.cursor) url.searchParams.set('cursor', p.cursor)
  return url
}

// ---------------------------------------------------------------------------------------
// Session (I/O)

interface Session {
  accessJwt: string
  refreshJwt: string
}

const sessionSchema = z.object({ accessJwt: z.string().min(1), refreshJwt: z.string().min(1) })

/**
 * Sessions per HTTP client (one per process), so the brands and own-activity walks of one
 * pull share one login: createSession is rate-limited per account. Tokens live in memory
 * only; they are never stored or printed.
 */
interface SessionEntry {
  session: Promise<Session>
  /** The access token, once the session resolved. */
  token?: string
}
const sessions = new WeakMap<Http, Map<string, SessionEntry>>()

class SessionClient {
  private readonly handle: string
  private readonly password: string
  private readonly key: string
  private readonly http: Http
  private readonly cache: Map<string, SessionEntry>

  constructor(private readonly ctx: SourceContext<BlueskyOptions>) {
    this.handle = credential(ctx, KIND, HANDLE_VAR, 'the account that logs in to search').replace(/^@/, '')
    this.password = credential(ctx, KIND, PASSWORD_VAR, 'an app password for that account')
    this.http = ctx.http
    this.key = `${ctx.options.baseUrl}\n${this.handle}`
    let cache = sessions.get(ctx.http)
    if (!cache) sessions.set(ctx.http, (cache = new Map()))
    this.cache = cache
  }

  private async post(method: string, opts: { json?: unknown; bearer?: string }): Promise<Session> {
    const url = xrpcUrl(this.ctx.options.baseUrl, method)
    let res: HttpResponse
    try {
      res = await this.http.post(url, {
        ...(opts.json !== undefined ? { json: opts.json } : {}),
        headers: opts.bearer ? { authorization: `Bearer ${opts.bearer}` } : {},
        // A second login or refresh is harmless; a dead kept-alive socket must not fail the pull.
        idempotent: true,
        ...(this.ctx.signal ? { signal: this.ctx.signal } : {}),
      })
    } catch (err) {
      throw refusal(err, CREDENTIALS)
    }
    // Not reported: the session calls have their own, much smaller, limits, which would hide
    // the search budget that `mentions sources` shows.
    let parsed: unknown
    try {
      parsed = JSON.parse(res.body)
    } catch (cause) {
      throw new SourceResponseError(`bluesky: ${method} answered with something that is not JSON`, res.url, { cause })
    }
    const session = sessionSchema.safeParse(parsed)
    if (!session.success) throw new SourceResponseError(`bluesky: ${method} answered without accessJwt/refreshJwt`, res.url)
    return session.data
  }

  private create(): Promise<Session> {
    return this.post('com.atproto.server.createSession', { json: { identifier: this.handle, password: this.password } })
  }

  private remember(session: Promise<Session>): Promise<Session> {
    const entry: SessionEntry = { session }
    this.cache.set(this.key, entry)
    // A failed login is not remembered: the next walk tries again and reports its own error.
    session.then(
      (s) => void (entry.token = s.accessJwt),
      () => void (this.cache.get(this.key) === entry && this.cache.delete(this.key)),
    )
    return session
  }

  /** The current session, created once per client and handle. */
  session(): Promise<Session> {
    return this.cache.get(this.key)?.session ?? this.remember(this.create())
  }

  /**
   * After an ExpiredToken: refresh the session, or log in again when the refresh token has
   * expired too. A walk that finds the session already renewed (or being renewed) by another
   * shares that one: refresh tokens are single-use.
   */
  private renew(expired: Session): Promise<Session> {
    const entry = this.cache.get(this.key)
    if (entry && entry.token !== expired.accessJwt) return entry.session
    return this.remember(this.refreshOrCreate(expired))
  }

  private async refreshOrCreate(expired: Session): Promise<Session> {
    try {
      return await this.post('com.atproto.server.refreshSession', { bearer: expired.refreshJwt })
    } catch (err) {
      if (isExpired(err) || err instanceof CredentialsRejectedError) return this.create()
      throw err
    }
  }

  /** GET an app.bsky.* URL with the session, renewing it once on ExpiredToken. */
  async getJson(url: URL): Promise<{ body: unknown; response: HttpResponse }> {
    let session = await this.session()
    for (let attempt = 0; ; attempt++) {
      try {
        const got = await fetchJson(this.ctx, url, {
          headers: { authorization: `Bearer ${session.accessJwt}` },
          credentials: CREDENTIALS,
          forbidden: `Bluesky refused the request (${url.host} may block search from this network; set baseUrl to your PDS or appViewUrl to https://api.bsky.app)`,
        })
        this.reportLimits(got.response)
        return got
      } catch (err) {
        if (attempt > 0 || !isExpired(err)) throw err
        session = await this.renew(session)
      }
    }
  }

  private reportLimits(res: HttpResponse): void {
    const state = rateLimitState(res.headers, this.ctx.now())
    if (state) this.ctx.report?.({ ...state, note: 'author reach unknown: search results carry no follower counts' })
  }
}

/** The access token has expired: an ExpiredToken error, as a 400 or a 401. */
function isExpired(err: unknown): boolean {
  const http = err instanceof HttpError ? err : err instanceof CredentialsRejectedError && err.cause instanceof HttpError ? err.cause : undefined
  return http !== undefined && (http.status === 400 || http.status === 401) && /ExpiredToken/.test(http.bodySnippet)
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

/**
 * How far below each query's resume point a pull re-reads. The search index can make a post
 * searchable minutes after newer ones were seen; an hour holds that lag with room to spare
 * and costs a page or so per term (inserts are idempotent).
 */
export const BLUESKY_OVERLAP_MS = 3600_000

function note(walk: WalkState, d: MentionDraft): void {
  if (walk.oldestSeen === undefined || d.createdAt < walk.oldestSeen) walk.oldestSeen = d.createdAt
  const w = walk.window
  if (d.createdAt >= w.from && (w.to === undefined || d.createdAt <= w.to)) {
    if (walk.newestSeen === undefined || d.createdAt > walk.newestSeen) walk.newestSeen = d.createdAt
  }
}

const pendingWalk = <K extends string>(p: { key: K }, window: Window): WalkState & { key: K } => ({ key: p.key, window, status: 'pending' })

function partsCursor(keys: readonly string[], previous: Map<string, Cursor | undefined>, walks: readonly (WalkState & { key: string })[], bounds: WindowBounds): Cursor {
  return cursorOfParts(keys, (key) => mergeWalks(previous.get(key), walks.filter((w) => w.key === key), bounds))
}

async function* searchBluesky(ctx: SourceContext<BlueskyOptions>, q: SourceQuery): AsyncIterable<Page> {
  if (!q.brand) throw new Error('bluesky: searched without a brand (its scope is "brand")')
  const client = new SessionClient(ctx)
  const base = ctx.options.appViewUrl ?? ctx.options.baseUrl
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const queries = blueskyQueries(q.brand.terms)
  if (queries.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  // One cursor per query: a query answering empty, or lagging, never moves another's.
  const previous = new Map(queries.map((query) => [query, partCursor(q.cursor, query)]))
  const walks = orderWalks(
    queries.map((query) => ({ key: query, windows: planWindows(previous.get(query), { ...bounds, overlap: BLUESKY_OVERLAP_MS }) })),
    pendingWalk,
  )
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const cursorNow = () => partsCursor(queries, previous, walks, bounds)

  const seen = new Set<string>()
  for (const walk of walks) {
    walk.status = 'running'
    const { from } = walk.window
    let upper = walk.window.to
    let pageCursor: string | undefined
    let outside = 0
    for (let pages = 0; ; pages++) {
      if (pages >= pageLimit) {
        walk.status = 'truncated'
        break
      }
      const url = searchPostsUrl(base, { q: walk.key, limit: ctx.options.limit, from, to: upper, cursor: pageCursor })
      const { body, response } = await client.getJson(url)
      const parsed = parseBlueskyPage(body, response.url)
      if (parsed.skipped > 0) ctx.warn(`skipped ${parsed.skipped} unreadable post(s) for "${walk.key}"`)
      const before = walk.oldestSeen
      const fresh: MentionDraft[] = []
      for (const d of parsed.drafts) {
        note(walk, d)
        // An upstream that ignores since/until must not flood the store with old posts.
        if (!keepHit(d.createdAt, walk.window, bounds)) {
          outside++
          continue
        }
        if (seen.has(d.externalId)) continue
        seen.add(d.externalId)
        fresh.push(d)
      }

      if (parsed.postCount === 0 || (walk.oldestSeen !== undefined && walk.oldestSeen < from)) {
        walk.status = 'done'
      } else if (parsed.cursor) {
        pageCursor = parsed.cursor
      } else if (parsed.postCount >= ctx.options.limit && walk.oldestSeen !== undefined) {
        // A full page without a cursor: the service "may not allow scrolling through the
        // entire result set". Start a new slice below the oldest post seen (its millisecond
        // included; the uri set drops repeats) instead of claiming the rest was empty.
        if (before !== undefined && walk.oldestSeen >= before) walk.status = 'truncated'
        else {
          upper = walk.oldestSeen
          pageCursor = undefined
        }
      } else {
        walk.status = 'done'
      }
      yield { mentions: fresh, cursor: cursorNow() }
      if (walk.status !== 'running') break
    }
    if (walk.status === 'truncated') {
      const what = walk.window.kind === 'backfill' ? 'backfilling ' : ''
      ctx.warn(`stopped ${what}"${walk.key}" after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (outside > 0) ctx.warn(`dropped ${outside} post(s) for "${walk.key}" created outside the pull's window`)
  }
}

// ---------------------------------------------------------------------------------------
// Own activity (I/O)

/**
 * The brand handles' own posts and replies (getAuthorFeed, posts_with_replies), newest first.
 * The feed takes no date filter, so each handle's feed is read once from the top, and every
 * window planned for that handle (gap, new, backfill) is advanced by the same pages: a
 * window is done once the feed passes below its start, or when the feed ends.
 */
async function* ownActivityBluesky(ctx: SourceContext<BlueskyOptions>, q: OwnActivityQuery): AsyncIterable<Page> {
  const client = new SessionClient(ctx)
  const base = ctx.options.appViewUrl ?? ctx.options.baseUrl
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const handles = [...new Set(q.handles.map((h) => h.replace(/^@/, '').toLowerCase()).filter(Boolean))]
  const previous = new Map(handles.map((h) => [h, partCursor(q.cursor, h)]))
  const walks = orderWalks(handles.map((h) => ({ key: h, windows: planWindows(previous.get(h), { ...bounds, overlap: BLUESKY_OVERLAP_MS }) })), pendingWalk)
  const cursorNow = () => partsCursor(handles, previous, walks, bounds)
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  for (const handle of handles) {
    const mine = walks.filter((w) => w.key === handle)
    if (mine.length === 0) continue
    const bottom = Math.min(...mine.map((w) => w.window.from))
    let feedCursor: string | undefined
    let oldest: number | undefined
    for (let pages = 0; ; pages++) {
      if (pages >= pageLimit) {
        for (const w of mine) if (w.status === 'running') w.status = 'truncated'
        ctx.warn(`stopped reading @${handle}'s posts after ${pageLimit} page(s); the rest is fetched next pull`)
        break
      }
      const { body, response } = await client.getJson(authorFeedUrl(base, { actor: handle, limit: ctx.options.limit, cursor: feedCursor }))
      const parsed = parseBlueskyPage(body, response.url)
      const kept: MentionDraft[] = []
      for (const d of parsed.drafts) {
        if (oldest === undefined || d.createdAt < oldest) oldest = d.createdAt
        for (const w of mine) {
          // A window is entered once the feed reaches its top.
          if (w.status === 'pending' && d.createdAt <= (w.window.to ?? Infinity)) w.status = 'running'
          if (w.status === 'running') note(w, d)
        }
        if (mine.some((w) => keepHit(d.createdAt, w.window, bounds))) kept.push(d)
      }
      for (const w of mine) if (w.status === 'running' && w.oldestSeen !== undefined && w.oldestSeen < w.window.from) w.status = 'done'
      const end = !parsed.cursor || parsed.postCount + parsed.reposts === 0
      if (end) for (const w of mine) if (w.status === 'running' || w.status === 'pending') w.status = 'done'
      yield { mentions: kept, cursor: cursorNow() }
      if (end || (oldest !== undefined && oldest < bottom)) break
      feedCursor = parsed.cursor
    }
  }
}

export const blueskySource: Source<BlueskyOptions> = {
  kind: KIND,
  scope: 'brand',
  options: blueskyOptions,
  requires: [
    { env: HANDLE_VAR, why: 'search needs a logged-in session since 2025 (e.g. acme.bsky.social)' },
    { env: PASSWORD_VAR, why: 'an app password for that account (Settings → Privacy and security → App passwords)' },
  ],
  // Never a secret: a baseUrl with user:password in it is shown without them.
  instanceKey: (options) => redactUrl(options.baseUrl) + (options.appViewUrl ? ` ${redactUrl(options.appViewUrl)}` : ''),
  // Search results rarely hold the brand's replies (they need not name it): its handles'
  // author feeds do, each reply naming its parent post's at:// uri.
  replies: 'own-activity',
  search: searchBluesky,
  ownActivity: ownActivityBluesky,
}
