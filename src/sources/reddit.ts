// Reddit through its OAuth Data API (oauth.reddit.com). One brand → a site search per term,
// plus the newest posts and comments of configured subreddits (matched locally by the pull);
// the brand handles' own comments tell which mentions they answered. Every listing is walked
// newest first, paged by fullname (`after`), and bounded by created_utc windows.
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { errorSnippet } from '../net/redact.js'
import { HttpError, type Http } from '../net/types.js'
import { credential, fetchJson, rateLimitState, refusal, jsonBody } from './common.js'
import { decodeEntities, htmlToText, normaliseText, normaliseWhitespace } from './html.js'
import { CredentialsRejectedError, SourceResponseError, type OwnActivityQuery, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'
import { httpUrl } from './url.js'
import { keepHit, mergeWalks, partCursor, planWindows, walkProgress, type WalkState, type Window, type WindowBounds, orderWalks, cursorOfParts } from './window.js'

const KIND = 'reddit'

// Reddit's own name rules: subreddits 2–21 of [A-Za-z0-9_], users 3–20 of [A-Za-z0-9_-].
const subredditName = z
  .string()
  .transform((s) => s.trim().replace(/^\/?r\//i, ''))
  .pipe(z.string().regex(/^[A-Za-z0-9_]{2,21}$/, 'a subreddit name such as "webdev" (letters, digits, _)'))

export const redditOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://oauth.reddit.com'),
  /** Where the OAuth token comes from (a proxy, or the tests' loopback server). */
  tokenUrl: z.url({ protocol: /^https?$/ }).default('https://www.reddit.com/api/v1/access_token'),
  maxPages: z.int().min(1).max(10).default(3),
  limit: z.int().min(1).max(100).default(100),
  /** Subreddits whose newest posts and comments are read and matched locally. */
  subreddits: z.array(subredditName).default([]),
  /**
   * Reddit asks for "<platform>:<app id>:<version> (by /u/<username>)" and throttles generic
   * agents; the default names REDDIT_USERNAME when it is set.
   */
  userAgent: z.string().trim().min(1).optional(),
})
export type RedditOptions = z.output<typeof redditOptions>

export const REDDIT_CLIENT_ID = 'REDDIT_CLIENT_ID'
export const REDDIT_CLIENT_SECRET = 'REDDIT_CLIENT_SECRET'
export const REDDIT_USERNAME = 'REDDIT_USERNAME'
export const REDDIT_PASSWORD = 'REDDIT_PASSWORD'
const APP_VARS = [REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET] as const

/** Since late 2025 a 403 from Reddit usually means the app (or the request) is not approved. */
export const REDDIT_FORBIDDEN =
  'Reddit refused the request: it needs an approved API app (REDDIT_CLIENT_ID/SECRET); since Nov 2025 Reddit grants Data API access only on request'

/** Listings end after about this many items, however they are paged. */
const LISTING_CAP = 1000

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// Every field but the fullname is optional: a field of an unexpected type is dropped (`catch`)
// rather than failing the item, so one odd value never costs the whole page.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)
const optBool = z.boolean().nullish().catch(undefined)

const thingSchema = z.object({
  kind: z.string(),
  data: z.record(z.string(), z.unknown()),
})

const itemSchema = z.object({
  name: optString,
  id: optString,
  author: optString,
  created_utc: optNumber,
  permalink: optString,
  score: optNumber,
  // t3 (post)
  title: optString,
  selftext: optString,
  selftext_html: optString,
  url: optString,
  is_self: optBool,
  num_comments: optNumber,
  // t1 (comment)
  body: optString,
  body_html: optString,
  parent_id: optString,
  link_id: optString,
  link_title: optString,
  replies: z.unknown().optional(),
})
type Item = z.output<typeof itemSchema>

const listingSchema = z.object({
  kind: z.literal('Listing'),
  data: z.object({
    children: z.array(z.unknown()),
    after: z.string().nullish().catch(undefined),
  }),
})

export interface RedditPage {
  drafts: MentionDraft[]
  /** Things in the listing (posts and comments), including the ones that could not be read. */
  itemCount: number
  /** Things dropped for lacking a fullname or a creation time. */
  skipped: number
  /** The fullname to page on (older items); undefined at the end of the listing. */
  after: string | undefined
}

/**
 * Reads one Listing (search, /r/<sub>/new, /r/<sub>/comments, /user/<name>/comments), or the
 * array of Listings a thread answers with, whose nested replies are read too. Throws
 * SourceResponseError for a body that is not JSON, an error object, or not a Listing.
 */
export function parseRedditPage(body: unknown, url = KIND): RedditPage {
  const value = jsonBody(body, url)
  const listings = Array.isArray(value) ? value : [value]
  const out: RedditPage = { drafts: [], itemCount: 0, skipped: 0, after: undefined }
  for (const [i, raw] of listings.entries()) {
    const parsed = listingSchema.safeParse(raw)
    if (!parsed.success) throw new SourceResponseError(shapeError(raw), url, { cause: parsed.error })
    if (i === 0 && parsed.data.data.after) out.after = parsed.data.data.after
    readChildren(parsed.data.data.children, out)
  }
  return out
}

/** The drafts of one Reddit response. See parseRedditPage. */
export function parseReddit(body: unknown, url?: string): MentionDraft[] {
  return parseRedditPage(body, url).drafts
}

function shapeError(raw: unknown): string {
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>
    // Reddit's error bodies: {"message": "Forbidden", "error": 403} or {"error": "invalid_grant"}.
    if ('error' in o) {
      const detail = [o.error, o.message, o.reason].filter((v) => typeof v === 'string' || typeof v === 'number').join(' ')
      return `reddit: the API answered with an error (${normaliseWhitespace(detail).slice(0, 80) || 'no detail'})`
    }
    if (o.kind !== 'Listing') return `reddit: expected a Listing, got kind ${JSON.stringify(o.kind ?? null).slice(0, 40)}`
  }
  return 'reddit: expected a Listing with a "data.children" array'
}

function readChildren(children: readonly unknown[], out: RedditPage): void {
  for (const raw of children) {
    const thing = thingSchema.safeParse(raw)
    // "more" stubs (unloaded replies) and other kinds (subreddits, users) are not mentions.
    if (!thing.success || (thing.data.kind !== 't1' && thing.data.kind !== 't3')) continue
    out.itemCount++
    const item = itemSchema.safeParse(thing.data.data)
    const draft = item.success ? itemToDraft(thing.data.kind, item.data) : undefined
    if (draft) out.drafts.push(draft)
    else out.skipped++
    // A thread nests replies; a listing sends "" there.
    const nested = item.success ? listingSchema.safeParse(item.data.replies) : undefined
    if (nested?.success) readChildren(nested.data.data.children, out)
  }
}

function itemToDraft(kind: 't1' | 't3', item: Item): MentionDraft | undefined {
  const createdAt = typeof item.created_utc === 'number' ? Math.round(item.created_utc * 1000) : Number.NaN
  if (!Number.isFinite(createdAt)) return undefined
  const fullname = item.name ?? (item.id ? `${kind}_${item.id}` : undefined)
  if (!fullname || !fullname.startsWith(`${kind}_`)) return undefined

  const draft: MentionDraft = { externalId: fullname, url: permalinkOf(item, fullname), text: '', createdAt }
  // Deleted and removed items keep their place in a listing with a placeholder author.
  if (item.author && item.author !== '[deleted]' && item.author !== '[removed]') draft.author = { handle: item.author }

  const metrics: NonNullable<MentionDraft['metrics']> = {}
  if (typeof item.score === 'number') {
    // Reddit's one vote count (ups less downs): what other sources call likes.
    metrics.score = item.score
    metrics.likes = item.score
  }
  if (kind === 't1') {
    draft.text = plainText(item.body_html, item.body)
    // The post title gives a comment its context in lists; it is not the comment's own.
    // Titles are plain text, yet some arrive entity-encoded (a title of "&shy;" was seen).
    const title = normaliseWhitespace(decodeEntities(item.link_title ?? ''))
    if (title) draft.title = title
    if (item.parent_id) draft.parentExternalId = item.parent_id
    if (item.link_id) draft.threadExternalId = item.link_id
    // A comment listing's num_comments counts the whole post's comments, not this one's replies.
  } else {
    draft.text = plainText(item.selftext_html, item.selftext)
    const title = normaliseWhitespace(decodeEntities(item.title ?? ''))
    if (title) draft.title = title
    const link = item.is_self ? undefined : httpUrl(item.url)
    if (link && link !== draft.url && !isRedditPermalink(link)) draft.canonicalUrl = link
    if (typeof item.num_comments === 'number') metrics.replies = item.num_comments
  }
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return draft
}

/** The rendered HTML when Reddit sent it (raw_json=1: unescaped), else the Markdown source. */
function plainText(html: string | null | undefined, markdown: string | null | undefined): string {
  if (html) {
    // Without raw_json=1 Reddit escapes the HTML once more; undo that before reading it.
    return htmlToText(/^\s*&lt;/.test(html) ? decodeEntities(html) : html)
  }
  return normaliseText(decodeEntities(markdown ?? ''))
}

function permalinkOf(item: Item, fullname: string): string {
  const resolved = httpUrl(item.permalink, 'https://www.reddit.com')
  if (resolved) {
    const u = new URL(resolved)
    // Search results carried ?ref=search_posts once: tracking, not identity.
    u.search = ''
    u.hash = ''
    return u.href
  }
  return `https://www.reddit.com/by_id/${encodeURIComponent(String(fullname).replace(/\p{Surrogate}/gu, '\ufffd'))}`
}

function isRedditPermalink(link: string): boolean {
  const u = new URL(link)
  return /(^|\.)reddit\.com$/i.test(u.hostname) && /^\/r\/[^/]+\/comments\//.test(u.pathname)
}

// ---------------------------------------------------------------------------------------
// Requests (pure)

/**
 * One site search per term: Reddit's search takes OR, but one query per term keeps one
 * cursor per term, so a term added later starts afresh without re-reading the others. A
 * quoted phrase is sent quoted (Reddit searches phrases); case and duplicates are folded.
 */
export function redditQueries(terms: readonly string[]): string[] {
  const out = new Map<string, string>()
  for (const term of terms) {
    const q = normaliseWhitespace(term)
    if (q.replace(/"/g, '').trim() && !out.has(q.toLowerCase())) out.set(q.toLowerCase(), q)
  }
  return [...out.values()]
}

/** An upstream listing walked with its own cursor part. */
export interface ListingSpec {
  /** The cursor part's key: "search:<q>", "new:<sub>", "comments:<sub>", "user:<name>". */
  key: string
  path: string
  params: Record<string, string>
  /** For warnings. */
  label: string
}

export function searchSpecs(terms: readonly string[], subreddits: readonly string[]): ListingSpec[] {
  const specs: ListingSpec[] = redditQueries(terms).map((q) => ({
    key: `search:${q}`,
    path: 'search',
    params: { q, sort: 'new', type: 'link', t: 'all' },
    label: `search "${q}"`,
  }))
  for (const sub of uniqueFolded(subreddits)) {
    specs.push({ key: `new:${sub}`, path: `r/${sub}/new`, params: {}, label: `r/${sub} posts` })
    specs.push({ key: `comments:${sub}`, path: `r/${sub}/comments`, params: {}, label: `r/${sub} comments` })
  }
  return specs
}

export function userSpecs(handles: readonly string[]): ListingSpec[] {
  return uniqueFolded(handles.map((h) => h.trim().replace(/^\/?u\//i, '').replace(/^@/, '')).filter(Boolean)).map((h) => ({
    key: `user:${h}`,
    path: `user/${encodeURIComponent(h)}/comments`,
    params: { sort: 'new' },
    label: `u/${h} comments`,
  }))
}

function uniqueFolded(names: readonly string[]): string[] {
  const seen = new Map<string, string>()
  for (const n of names) if (!seen.has(n.toLowerCase())) seen.set(n.toLowerCase(), n)
  return [...seen.values()]
}

export function listingUrl(baseUrl: string, spec: ListingSpec, opts: { limit: number; after?: string | undefined }): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  const url = new URL(spec.path, base)
  for (const [k, v] of Object.entries(spec.params)) url.searchParams.set(k, v)
  url.searchParams.set('limit', String(opts.limit))
  // Without it Reddit HTML-escapes &, < and > inside every JSON string.
  url.searchParams.set('raw_json', '1')
  if (opts.after) url.searchParams.set('after', opts.after)
  return url
}

export function defaultUserAgent(username: string | undefined): string {
  return `cli:mentions:1 (${username ? `by /u/${username}` : 'brand-mention monitor'})`
}

// ---------------------------------------------------------------------------------------
// OAuth token

export interface RedditCredentials {
  clientId: string
  clientSecret: string
  /** Both set: a script app's password grant (the user's own rate limit). */
  username?: string
  password?: string
}

export function redditCredentials(ctx: Pick<SourceContext<unknown>, 'env'>): RedditCredentials {
  const clientId = credential(ctx, KIND, REDDIT_CLIENT_ID, 'the id of an approved Reddit API app')
  const clientSecret = credential(ctx, KIND, REDDIT_CLIENT_SECRET, "that app's secret")
  const username = ctx.env[REDDIT_USERNAME]?.trim()
  const password = ctx.env[REDDIT_PASSWORD]
  return username && password ? { clientId, clientSecret, username, password } : { clientId, clientSecret }
}

/** The token request's headers and form body: a password grant when both are set. */
export function tokenRequest(creds: RedditCredentials, userAgent: string): { headers: Record<string, string>; body: string } {
  const form = new URLSearchParams(
    creds.username && creds.password
      ? { grant_type: 'password', username: creds.username, password: creds.password }
      : { grant_type: 'client_credentials' },
  )
  return {
    headers: {
      authorization: `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': userAgent,
      accept: 'application/json',
    },
    body: form.toString(),
  }
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional().catch(undefined),
})

interface Token {
  value: string
  expiresAt: number
}

/** Tokens live as long as the HTTP client, i.e. one pull; every task of it shares them. */
const tokenCache = new WeakMap<Http, Map<string, Promise<Token>>>()

/** Refetched this long before Reddit's expiry, so a token never dies mid-request. */
const TOKEN_MARGIN_MS = 60_000

function cacheKey(tokenUrl: string, c: RedditCredentials): string {
  return JSON.stringify([tokenUrl, c.clientId, c.clientSecret, c.username ?? '', c.password ?? ''])
}

async function accessToken(ctx: SourceContext<RedditOptions>, creds: RedditCredentials, userAgent: string, fresh = false): Promise<string> {
  let byKey = tokenCache.get(ctx.http)
  if (!byKey) tokenCache.set(ctx.http, (byKey = new Map()))
  const key = cacheKey(ctx.options.tokenUrl, creds)
  const cached = byKey.get(key)
  if (cached && !fresh) {
    const token = await cached.catch(() => undefined)
    if (token && token.expiresAt - TOKEN_MARGIN_MS > ctx.now()) return token.value
  }
  // Concurrent tasks of one pull wait for the same request rather than each asking.
  const pending = fetchToken(ctx, creds, userAgent)
  byKey.set(key, pending)
  pending.catch(() => {
    if (byKey.get(key) === pending) byKey.delete(key)
  })
  return (await pending).value
}

/**
 * POSTs for an app-only (or script-app password) token through the project's HTTP client:
 * its proxy, timeout and redaction apply, and it retries only on a 429/503 that says when.
 */
async function fetchToken(ctx: SourceContext<RedditOptions>, creds: RedditCredentials, userAgent: string): Promise<Token> {
  const url = ctx.options.tokenUrl
  const req = tokenRequest(creds, userAgent)
  let text: string
  try {
    const res = await ctx.http.post(url, {
      headers: req.headers,
      form: Object.fromEntries(new URLSearchParams(req.body)),
      // Asking for a token twice is harmless.
      idempotent: true,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })
    text = res.body
  } catch (err) {
    throw refusal(err, APP_VARS, REDDIT_FORBIDDEN)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (cause) {
    throw new SourceResponseError(`reddit: token response is not JSON (${errorSnippet(text, [creds.clientSecret, creds.password ?? ''].filter((x) => x.length >= 4), 60) || 'empty body'})`, url, { cause })
  }
  const parsed = tokenSchema.safeParse(body)
  if (!parsed.success) {
    // A wrong username or password is a 200 with {"error": "invalid_grant"}.
    const error = body && typeof body === 'object' && 'error' in body ? String((body as { error: unknown }).error).slice(0, 40) : ''
    if (error) {
      const vars = creds.username ? [REDDIT_USERNAME, REDDIT_PASSWORD] : APP_VARS
      throw new CredentialsRejectedError(`credentials rejected (Reddit token: ${error}); check ${vars.join(', ')}`)
    }
    throw new SourceResponseError('reddit: token response has no "access_token"', url, { cause: parsed.error })
  }
  // Reddit's app-only tokens last 24 h; assume an hour when it does not say.
  return { value: parsed.data.access_token, expiresAt: ctx.now() + (parsed.data.expires_in ?? 3600) * 1000 }
}

/** One authorised GET; a token refused mid-pull (expired, revoked) is fetched again once. */
async function apiGet(ctx: SourceContext<RedditOptions>, url: URL, creds: RedditCredentials, userAgent: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const token = await accessToken(ctx, creds, userAgent, attempt > 0)
    try {
      const { body, response } = await fetchJson(ctx, url, {
        headers: { authorization: `bearer ${token}`, 'user-agent': userAgent },
        credentials: APP_VARS,
        forbidden: REDDIT_FORBIDDEN,
      })
      const state = rateLimitState(response.headers, ctx.now())
      if (state) {
        // Reddit sends used and remaining, not the limit: their sum is the window's budget.
        const used = Number(response.headers['x-ratelimit-used'])
        if (state.limit === undefined && Number.isFinite(used) && state.remaining !== undefined) state.limit = used + state.remaining
        ctx.report?.(state)
      }
      return body
    } catch (err) {
      const expired = err instanceof CredentialsRejectedError && err.cause instanceof HttpError && err.cause.status === 401
      if (!expired || attempt > 0) throw err
    }
  }
}

// ---------------------------------------------------------------------------------------
// Walks (I/O)

/**
 * How far below each listing's resume point a pull re-reads. Reddit's search index lags by
 * minutes, and a post approved from the spam filter enters /new with its original time: an
 * hour holds both and costs a page at most.
 */
export const REDDIT_OVERLAP_MS = 3600_000

interface SpecWalk extends WalkState {
  spec: ListingSpec
  /** The fullname the walk would page on next: where a walk cut short resumes. */
  after?: string | undefined
}

/**
 * The fullname a gap walk may start after. Reddit has no time filter, so a gap walked from the
 * top re-reads every page above it and, under a small page bound, never reaches it. A walk cut
 * short keeps its next `after` in the part's `id`; it is good for the gap that walk left
 * (same top), and only for that one.
 */
export function partAnchor(part: Cursor, walks: readonly SpecWalk[], previous: Cursor | undefined): string | undefined {
  if (!part.gap) return undefined
  for (const w of [...walks].reverse()) {
    if ((w.status !== 'truncated' && w.status !== 'running') || !w.after) continue
    if (walkProgress(w).owed?.to === part.gap.to) return w.after
  }
  return previous?.id && previous.gap?.to === part.gap.to ? previous.id : undefined
}

interface WalkQuery {
  cursor?: Cursor | undefined
  since: number
  until?: number | undefined
  maxPages: number
}

async function* walkListings(ctx: SourceContext<RedditOptions>, specs: readonly ListingSpec[], q: WalkQuery): AsyncIterable<Page> {
  const creds = redditCredentials(ctx)
  const userAgent = ctx.options.userAgent ?? defaultUserAgent(creds.username)
  const { baseUrl, limit } = ctx.options
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }

  // One cursor per listing: a listing answering empty, or lagging, never moves another's.
  const previous = new Map(specs.map((s) => [s.key, partCursor(q.cursor, s.key)]))
  const planned = specs.map((spec) => ({ spec, windows: planWindows(previous.get(spec.key), { ...bounds, overlap: REDDIT_OVERLAP_MS }) }))
  const walks = orderWalks(planned, ({ spec }, window): SpecWalk => ({ spec, window, status: 'pending' }))
  const cursorNow = (): Cursor =>
    cursorOfParts(specs.map((s) => s.key), (key) => {
      const before = previous.get(key)
      const mine = walks.filter((w) => w.spec.key === key)
      const { id: _id, ...part } = mergeWalks(before, mine, bounds)
      const anchor = partAnchor(part, mine, before)
      return anchor ? { ...part, id: anchor } : part
    })
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  const seen = new Set<string>()
  for (const walk of walks) {
    walk.status = 'running'
    const anchor = walk.window.kind === 'gap' ? previous.get(walk.spec.key)?.id : undefined
    let after = anchor
    let reached = 0
    let outside = 0
    for (let pages = 0; ; pages++) {
      if (pages >= pageLimit) {
        walk.status = 'truncated'
        break
      }
      const url = listingUrl(baseUrl, walk.spec, { limit, after })
      const parsed = parseRedditPage(await apiGet(ctx, url, creds, userAgent), url.href)
      if (parsed.skipped > 0) ctx.warn(`skipped ${parsed.skipped} unreadable item(s) from ${walk.spec.label}`)
      reached += parsed.itemCount
      const fresh: MentionDraft[] = []
      for (const d of parsed.drafts) {
        if (walk.oldestSeen === undefined || d.createdAt < walk.oldestSeen) walk.oldestSeen = d.createdAt
        if (!keepHit(d.createdAt, walk.window, bounds)) {
          outside++
          continue
        }
        if (inWindow(d.createdAt, walk.window) && (walk.newestSeen === undefined || d.createdAt > walk.newestSeen)) walk.newestSeen = d.createdAt
        if (seen.has(d.externalId)) continue
        seen.add(d.externalId)
        fresh.push(d)
      }
      if (anchor && pages === 0 && parsed.itemCount === 0) {
        // The item it resumed after is gone (deleted, or aged out of the listing): from the top.
        after = undefined
      } else if (walk.oldestSeen !== undefined && walk.oldestSeen < walk.window.from) walk.status = 'done'
      else if (!parsed.after || parsed.itemCount === 0) {
        // The listing ended. Below its ~1,000-item cap nothing older can be reached, so owing
        // it would only make every later pull walk the same pages again.
        walk.status = 'done'
        if (reached >= LISTING_CAP) ctx.warn(`${walk.spec.label}: Reddit lists only the newest ${LISTING_CAP} items; older ones in the window are out of reach`)
      } else after = parsed.after
      walk.after = after
      // Pages that fell outside the pull's window still count toward the page bound.
      yield { mentions: fresh, cursor: cursorNow() }
      if (walk.status !== 'running') break
    }
    if (walk.status === 'truncated') {
      const what = walk.window.kind === 'backfill' ? 'backfilling ' : ''
      ctx.warn(`stopped ${what}${walk.spec.label} after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (outside > 0) ctx.warn(`${walk.spec.label}: ${outside} item(s) lie outside the pull's window`)
  }
}

function inWindow(t: number, w: Window): boolean {
  return t >= w.from && t <= (w.to ?? Infinity)
}

function searchReddit(ctx: SourceContext<RedditOptions>, q: SourceQuery): AsyncIterable<Page> {
  if (!q.brand) throw new Error('reddit: searched without a brand (its scope is "brand")')
  const specs = searchSpecs(q.brand.terms, ctx.options.subreddits)
  if (specs.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
    return once({ mentions: [], cursor: q.cursor ?? {} })
  }
  return walkListings(ctx, specs, q)
}

function ownActivityReddit(ctx: SourceContext<RedditOptions>, q: OwnActivityQuery): AsyncIterable<Page> {
  const specs = userSpecs(q.handles)
  if (specs.length === 0) return once({ mentions: [], cursor: q.cursor ?? {} })
  return walkListings(ctx, specs, q)
}

async function* once(page: Page): AsyncIterable<Page> {
  yield page
}

export const redditSource: Source<RedditOptions> = {
  kind: KIND,
  scope: 'brand',
  options: redditOptions,
  requires: [
    { env: REDDIT_CLIENT_ID, why: 'the id of a Reddit API app that Reddit has approved (reddit.com/prefs/apps)' },
    { env: REDDIT_CLIENT_SECRET, why: "that app's secret" },
    { env: REDDIT_USERNAME, optional: true, why: 'with REDDIT_PASSWORD: a script app signs in as this user' },
    { env: REDDIT_PASSWORD, optional: true, why: "with REDDIT_USERNAME: that user's password (password grant)" },
  ],
  // Subreddits are part of the instance: each listing keeps a part of one cursor, and two
  // entries watching different subreddits must not overwrite each other's.
  instanceKey: (o) => (o.subreddits.length ? `${o.baseUrl} r/${[...uniqueFolded(o.subreddits)].sort().join('+')}` : o.baseUrl),
  replies: 'own-activity',
  search: searchReddit,
  ownActivity: ownActivityReddit,
}
