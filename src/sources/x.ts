// X (Twitter) API v2. One brand → one recent-search query (its terms joined with OR), walked
// newest first and resumed with since_id. The brand's own posts come from each handle's
// timeline (ownActivity), so a reply links by referenced_tweets replied_to to the mention it
// answers. Every post X returns is billed (pay-per-use credits), so the walks never read a
// post twice and stop at a read budget per pull and per day.
import { z } from 'zod'
import type { Brand, Cursor, MentionDraft } from '../model.js'
import { HttpError } from '../net/types.js'
import { errorSnippet } from '../net/redact.js'
import { credential, dayIn, fetchJson, jsonBody, ledgerOf, nextMidnight, rateLimitState, readEach } from './common.js'
import { normaliseText } from './html.js'
import { httpUrl } from './url.js'
import {
  BudgetExhaustedError,
  SourceResponseError,
  type OwnActivityQuery,
  type Page,
  type Source,
  type SourceContext,
  type SourceQuery,
  type UsageLedger,
} from './types.js'
import { keepHit, partCursor, withParts, type Window, type WindowBounds } from './window.js'

export const X_TOKEN = 'X_BEARER_TOKEN'
const TOKEN_WHY = 'an X API app Bearer token (pay-per-use credits)'

export const xOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.x.com'),
  /** Pages per walk (one query or handle over one window). */
  maxPages: z.int().min(1).max(50).default(5),
  /** Posts read by this instance in one pull, every brand and handle together. */
  maxReadsPerPull: z.int().min(10).max(1_000_000).default(100),
  /** Posts read by this instance per UTC day, across pulls (kept in the database). */
  maxReadsPerDay: z.int().min(10).max(10_000_000).default(500),
  /** Only posts X tagged with this language (the `lang:` operator), e.g. "en". */
  lang: z.string().regex(/^[a-z]{2,3}$/, 'a two- or three-letter language code such as "en"').optional(),
})
export type XOptions = z.output<typeof xOptions>

/** X's smallest max_results on search: a budget with less left cannot pay for another page. */
export const X_MIN_PAGE = 10
const X_MAX_PAGE = 100
/** Recent search reaches back this far, no further. */
export const X_WINDOW_MS = 7 * 24 * 3600_000
/** Kept inside the 7 days so a request in flight or a skewed clock is not refused. */
const X_WINDOW_SLACK_MS = 60_000
/** A --since older than the window by more than this is worth a warning (not the default 7d). */
const CLAMP_WARN_MS = 3600_000
/** X refuses an end_time less than 10 s before the request. */
const END_TIME_MIN_AGE_MS = 15_000
/** X's query length limit for recent search (self-serve access). */
export const X_QUERY_MAX = 512

const TWEET_FIELDS = 'created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics,lang,note_tweet,entities'
const USER_FIELDS = 'username,name,public_metrics'

// ---------------------------------------------------------------------------------------
// Ids (pure)

/** X's snowflake epoch: an id's top bits are milliseconds since then. */
const SNOWFLAKE_EPOCH = 1288834974657n

/** When a post was created, read from its snowflake id (every id since 2010 is one). */
export function snowflakeTime(id: string): number | undefined {
  if (!/^\d{1,20}$/.test(id)) return undefined
  const ms = Number((BigInt(id) >> 22n) + SNOWFLAKE_EPOCH)
  // Pre-snowflake ids decode to 2010 exactly; those are not times.
  return ms > Number(SNOWFLAKE_EPOCH) ? ms : undefined
}

function newer(a: string, b: string): boolean {
  return BigInt(a) > BigInt(b)
}

// ---------------------------------------------------------------------------------------
// Parsing (pure)

const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)

const tweetSchema = z.object({
  id: z.string().regex(/^\d+$/),
  text: optString,
  created_at: optString,
  author_id: optString,
  conversation_id: optString,
  referenced_tweets: z.array(z.object({ type: z.string(), id: z.string().regex(/^\d+$/) })).nullish().catch(undefined),
  public_metrics: z
    .object({ retweet_count: optNumber, reply_count: optNumber, like_count: optNumber, quote_count: optNumber })
    .nullish()
    .catch(undefined),
  lang: optString,
  note_tweet: z.object({ text: optString }).nullish().catch(undefined),
  entities: z
    .object({ urls: z.array(z.object({ expanded_url: optString, unwound_url: optString })).nullish().catch(undefined) })
    .nullish()
    .catch(undefined),
})
type Tweet = z.output<typeof tweetSchema>

const userSchema = z.object({
  id: z.string(),
  username: optString,
  name: optString,
  public_metrics: z.object({ followers_count: optNumber }).nullish().catch(undefined),
})
type User = z.output<typeof userSchema>

const problemSchema = z.object({
  message: optString,
  title: optString,
  detail: optString,
  type: optString,
})

const responseSchema = z.object({
  data: z.array(z.unknown()).optional(),
  includes: z.object({ users: z.array(z.unknown()).nullish().catch(undefined) }).nullish().catch(undefined),
  meta: z
    .object({ result_count: optNumber, next_token: optString, newest_id: optString, oldest_id: optString })
    .nullish()
    .catch(undefined),
  errors: z.array(z.unknown()).nullish().catch(undefined),
  title: optString,
  detail: optString,
  type: optString,
})

export interface XPage {
  drafts: MentionDraft[]
  /** Posts X returned (each one billed), readable or not. */
  count: number
  /** Posts dropped for lacking an id. */
  skipped: number
  /** Where the next page of this query starts, if there is one. */
  nextToken: string | undefined
  /** Per-item problems X reported beside the data (a deleted referenced post …). */
  partialErrors: number
}

/** One line from an X problem body ({title, detail, type} or {errors: [...]}), sanitised. */
export function xProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const v = value as { errors?: unknown }
  const first = Array.isArray(v.errors) ? problemSchema.safeParse(v.errors[0]) : undefined
  const top = problemSchema.safeParse(value)
  const parts = [
    top.success ? top.data.title : undefined,
    top.success ? top.data.detail : undefined,
    first?.success ? first.data.title : undefined,
    first?.success ? (first.data.detail ?? first.data.message) : undefined,
  ]
  const text = [...new Set(parts.filter((p): p is string => typeof p === 'string' && p.trim() !== ''))].join(': ')
  return text ? errorSnippet(text, [], 160) : undefined
}

/**
 * Reads one search or timeline response (a JSON string or the parsed value). No `data` with
 * result_count 0 is an empty page; an error body, or a body that is neither, is a
 * SourceResponseError naming what X said.
 */
export function parseXPage(body: unknown, url = 'x'): XPage {
  const value = jsonBody(body, url)
  const parsed = responseSchema.safeParse(value)
  if (!parsed.success) throw new SourceResponseError('expected an X API v2 response object with "data" or "meta"', url, { cause: parsed.error })
  const r = parsed.data
  const partialErrors = r.errors?.length ?? 0
  if (r.data === undefined) {
    if (r.meta?.result_count === 0) return { drafts: [], count: 0, skipped: 0, nextToken: undefined, partialErrors }
    const problem = xProblem(value)
    if (problem) throw new SourceResponseError(`X answered with an error: ${problem}`, url)
    throw new SourceResponseError('expected "data" (posts) or "meta.result_count" in the X response', url)
  }
  const users = new Map<string, User>()
  for (const raw of r.includes?.users ?? []) {
    const u = userSchema.safeParse(raw)
    if (u.success) users.set(u.data.id, u.data)
  }
  const { items, skipped } = readEach(r.data, tweetSchema, (t) => tweetToDraft(t, users))
  return { drafts: items, count: r.data.length, skipped, nextToken: r.meta?.next_token ?? undefined, partialErrors }
}

/** The drafts of one response. See parseXPage. */
export function parseX(body: unknown, url?: string): MentionDraft[] {
  return parseXPage(body, url).drafts
}

/** Language tags X uses for "no language": undetermined, and its q* pseudo-codes (media only …). */
function realLang(lang: string | null | undefined): string | undefined {
  if (!lang || lang === 'und' || lang === 'zxx' || /^q[a-z]{2}$/.test(lang)) return undefined
  return lang
}

/** X sends text with &, < and > escaped, and nothing else: it is not HTML. */
function xText(s: string): string {
  return normaliseText(s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'))
}

const OWN_HOSTS = /(^|\.)(x\.com|twitter\.com|t\.co)$/i

function tweetToDraft(t: Tweet, users: ReadonlyMap<string, User>): MentionDraft | undefined {
  // Without tweet.fields=created_at X sends no time; the snowflake id carries it exactly.
  const parsedAt = Date.parse(t.created_at ?? '')
  const createdAt = Number.isFinite(parsedAt) ? parsedAt : snowflakeTime(t.id)
  if (createdAt === undefined) return undefined
  const user = t.author_id ? users.get(t.author_id) : undefined
  const username = user?.username ?? undefined
  const draft: MentionDraft = {
    externalId: t.id,
    // A lone surrogate (valid JSON: "\ud800") would make encodeURIComponent throw.
    url: username ? `https://x.com/${encodeURIComponent(username.replace(/\p{Surrogate}/gu, '\ufffd'))}/status/${t.id}` : `https://x.com/i/web/status/${t.id}`,
    // A long post's `text` is its first 280 characters; note_tweet holds all of it.
    text: xText(t.note_tweet?.text ?? t.text ?? ''),
    createdAt,
  }
  if (user) {
    const author: NonNullable<MentionDraft['author']> = {}
    if (username) author.handle = username
    if (user.name) author.name = user.name
    if (typeof user.public_metrics?.followers_count === 'number') author.reach = user.public_metrics.followers_count
    if (Object.keys(author).length > 0) draft.author = author
  }
  const lang = realLang(t.lang)
  if (lang) draft.lang = lang
  const parent = t.referenced_tweets?.find((r) => r.type === 'replied_to')
  if (parent) draft.parentExternalId = parent.id
  if (t.conversation_id) draft.threadExternalId = t.conversation_id
  const m = t.public_metrics
  if (m) {
    const metrics: NonNullable<MentionDraft['metrics']> = {}
    if (typeof m.like_count === 'number') metrics.likes = m.like_count
    // A quote is a repost with words: both spread the post.
    if (typeof m.retweet_count === 'number' || typeof m.quote_count === 'number') metrics.reposts = (m.retweet_count ?? 0) + (m.quote_count ?? 0)
    if (typeof m.reply_count === 'number') metrics.replies = m.reply_count
    if (Object.keys(metrics).length > 0) draft.metrics = metrics
  }
  for (const u of t.entities?.urls ?? []) {
    const link = httpUrl(u.unwound_url ?? u.expanded_url)
    if (link && !OWN_HOSTS.test(new URL(link).hostname)) {
      draft.canonicalUrl = link
      break
    }
  }
  return draft
}

// ---------------------------------------------------------------------------------------
// Queries (pure)

/** A brand's handles for X, without @, de-duplicated. */
export function xHandles(handles: readonly string[] | undefined): string[] {
  return [...new Set((handles ?? []).map((h) => h.trim().replace(/^@/, '')).filter((h) => /^\w{1,15}$/.test(h)))]
}

/**
 * The recent-search query of a brand: its terms with OR (bare words as they are, phrases
 * quoted), no retweets (a retweet is a second copy of a post, billed again), and none of the
 * brand's own posts (they come from its timeline). The pull still matches every post locally.
 */
export function xQuery(brand: Pick<Brand, 'terms' | 'handles'>, lang?: string): string {
  const terms = [...new Set(brand.terms.map((raw) => {
    const text = raw.trim().replace(/"/g, ' ').trim().replace(/\s+/g, ' ')
    if (!text) return ''
    return /\s/.test(text) ? `"${text}"` : text
  }).filter(Boolean))]
  if (terms.length === 0) return ''
  const any = terms.length === 1 ? (terms[0] as string) : `(${terms.join(' OR ')})`
  const parts = [any, '-is:retweet', ...xHandles(brand.handles.x).map((h) => `-from:${h}`)]
  if (lang) parts.push(`lang:${lang}`)
  return parts.join(' ')
}

function apiUrl(baseUrl: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
}

/** ISO time at whole seconds, as start_time / end_time take it. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
}

// ---------------------------------------------------------------------------------------
// Cursors (pure)
//
// X pages by post id, and ids are time-ordered snowflakes, so a part (one query, or one
// handle) resumes from ids, not times: `id` is the newest post read, and the next pull asks
// for since_id=<id>, which is exclusive and exact. No overlap is re-read, unlike window.ts's
// sources: X's search index does not surface posts late below since_id, and every post read
// again would be billed again. `at`, `oldest` and `gap` still say in epoch ms what the part
// covers, for `mentions sources` and for backfills.
//
// A walk stopped early (maxPages, the read budget) owes what lies between the part's old
// newest id and the oldest id it read: `gap`, with parts.gapTop.id (until_id: exclusive, so
// the post already read is not read again) and parts.gapFloor.id (since_id; absent when the
// gap starts at a time, on a first pull or a backfill). At most one gap: a pull that cannot
// finish the gap walks nothing else for that part, and whatever is newer stays above the
// newest id, reachable by since_id.

export interface XWalkPlan {
  kind: Window['kind']
  /** Epoch ms the walk covers (for keepHit and the cursor's times). */
  from: number
  to: number | undefined
  sinceId?: string
  untilId?: string
  startTime?: number
  endTime?: number
}

export interface XWalkState {
  plan: XWalkPlan
  status: 'pending' | 'running' | 'done' | 'truncated'
  newest?: { id: string; at: number }
  oldest?: { id: string; at: number }
}

function anchor(c: Cursor | undefined, name: string): string | undefined {
  const id = c?.parts?.[name]?.id
  return id && /^\d+$/.test(id) ? id : undefined
}

/**
 * The walks a part owes, in order: its gap, what is new above its newest id, and a backfill
 * when `since` reaches below what it covers. `floor` is the oldest time recent search still
 * reaches; `since` has been clamped to it. Warnings say what fell out of reach.
 */
export function planXWalks(part: Cursor | undefined, bounds: WindowBounds, floor: number, now: number, warn: (m: string) => void = () => {}): XWalkPlan[] {
  const since = Math.max(bounds.since, floor)
  const endTime = bounds.until !== undefined && bounds.until < now - END_TIME_MIN_AGE_MS ? bounds.until : undefined
  const plans: XWalkPlan[] = []
  const gapTop = anchor(part, 'gapTop')
  // A gap wholly older than the window cannot be read: reachablePart has dropped it.
  if (part?.gap && gapTop && part.gap.to >= floor) {
    const gap = part.gap
    const floorId = anchor(part, 'gapFloor')
    const plan: XWalkPlan = { kind: 'gap', from: Math.max(gap.from, floor), to: gap.to, untilId: gapTop }
    if (floorId && gap.from >= floor) plan.sinceId = floorId
    else {
      plan.startTime = Math.max(gap.from, floor)
      if (gap.from < floor) warn(`part of the gap an earlier pull owed (from ${isoSeconds(gap.from)}) is older than X's 7-day search window and cannot be read any more`)
    }
    plans.push(plan)
  }
  const newestId = part?.id && /^\d+$/.test(part.id) ? part.id : undefined
  if (newestId && part?.at !== undefined && part.at >= floor) {
    plans.push({ kind: 'new', from: part.at, to: endTime, sinceId: newestId, ...(endTime !== undefined ? { endTime } : {}) })
  } else {
    if (newestId && part?.at !== undefined) warn(`posts after ${isoSeconds(part.at)} that the last pull had not reached are older than X's 7-day search window and cannot be read any more`)
    const to = endTime
    if (to === undefined || to > since) plans.push({ kind: 'new', from: since, to, startTime: since, ...(to !== undefined ? { endTime: to } : {}) })
  }
  // A part that resumes by id covers from `oldest`; the first pull's start_time set it.
  const oldest = newestId && part?.at !== undefined && part.at >= floor ? part.oldest : undefined
  if (oldest !== undefined && since < oldest - 1000) {
    plans.push({ kind: 'backfill', from: since, to: oldest, startTime: since, endTime: oldest })
  }
  return plans
}

/**
 * The part as far as X can still serve it: a gap that lies wholly before `floor` (older than
 * the 7-day window) is dropped, with a warning, so it is neither requested nor kept owing.
 */
export function reachablePart(part: Cursor | undefined, floor: number, warn: (m: string) => void = () => {}): Cursor | undefined {
  if (!part?.gap || part.gap.to >= floor) return part
  warn(`the gap an earlier pull owed (${isoSeconds(part.gap.from)} to ${isoSeconds(part.gap.to)}) is older than X's 7-day search window and cannot be read any more`)
  const { gap: _gap, parts, ...rest } = part
  const { gapTop: _top, gapFloor: _floor, ...keep } = parts ?? {}
  return Object.keys(keep).length > 0 ? { ...rest, parts: keep } : rest
}

/**
 * The part after these walks, safe to commit at any point: a walk still running is taken as
 * stopped where it is (it owes the rest). `keep` holds what the part stores beside its
 * window (the handle's user id).
 */
export function xPartAfter(previous: Cursor | undefined, walks: readonly XWalkState[], keep: Record<string, Cursor> = {}): Cursor {
  let id = previous?.id
  let at = previous?.at
  let oldest = previous?.oldest
  let gap = previous?.gap
  let gapTop = anchor(previous, 'gapTop')
  let gapFloor = anchor(previous, 'gapFloor')
  const clearGap = () => {
    gap = undefined
    gapTop = gapFloor = undefined
  }
  for (const w of walks) {
    if (w.status === 'pending') continue
    const done = w.status === 'done'
    if (w.plan.kind === 'gap') {
      if (done) clearGap()
      else if (w.oldest && gap) {
        gapTop = w.oldest.id
        gap = { from: gap.from, to: w.oldest.at }
      }
      continue
    }
    if (w.plan.kind === 'new') {
      const start = w.plan.from
      if (!w.newest || !w.oldest) {
        // Nothing read. A first walk that finished covered its window: nothing there.
        if (done && id === undefined) oldest ??= start
        continue
      }
      if (!done) {
        // Owed: from the old newest post (or the window's start) down to the oldest read.
        gap = { from: at ?? start, to: w.oldest.at }
        gapTop = w.oldest.id
        gapFloor = id
      }
      if (id === undefined || newer(w.newest.id, id)) {
        id = w.newest.id
        at = w.newest.at
      }
      oldest ??= start
      continue
    }
    // backfill
    if (done) oldest = w.plan.from
    else if (w.oldest) {
      gap = { from: w.plan.from, to: w.oldest.at }
      gapTop = w.oldest.id
      gapFloor = undefined
      oldest = w.plan.from
    }
  }
  const out: Cursor = {}
  if (id !== undefined) out.id = id
  if (at !== undefined) out.at = at
  if (oldest !== undefined && (at === undefined || oldest <= at)) out.oldest = oldest
  const parts: Record<string, Cursor> = { ...keep }
  if (gap && gapTop) {
    out.gap = gap
    parts.gapTop = { id: gapTop }
    if (gapFloor) parts.gapFloor = { id: gapFloor }
  }
  if (Object.keys(parts).length > 0) out.parts = parts
  return out
}

// ---------------------------------------------------------------------------------------
// The read budget (I/O: the ledger)

interface PullBudget {
  /** Posts read by this instance in this pull. */
  reads: number
  /** Requests of this instance, one at a time: a check and its spend must not interleave. */
  queue: Promise<void>
}

// The pull hands every brand's walk (search and own activity) of one instance the same
// ledger object, a new one each pull; keyed by it, this is the instance's spend this pull.
// A caller without a pull (ledgerOf's walk-long ledger) gets one per walk.
const pulls = new WeakMap<UsageLedger, PullBudget>()

class ReadBudget {
  private readonly ledger: UsageLedger
  private readonly pull: PullBudget
  constructor(private readonly ctx: SourceContext<XOptions>) {
    this.ledger = ledgerOf(ctx)
    let p = pulls.get(this.ledger)
    if (!p) pulls.set(this.ledger, (p = { reads: 0, queue: Promise.resolve() }))
    this.pull = p
  }

  /**
   * Runs one billed request with max_results = what is left (at most 100), then records the
   * posts it returned. Throws BudgetExhaustedError, before any request, once fewer than 10
   * reads are left.
   */
  async request<T>(fn: (maxResults: number) => Promise<{ value: T; reads: number; headers: Readonly<Record<string, string>> }>): Promise<T> {
    const run = this.pull.queue.then(() => this.requestNow(fn))
    this.pull.queue = run.then(() => undefined, () => undefined)
    return run
  }

  private async requestNow<T>(fn: (maxResults: number) => Promise<{ value: T; reads: number; headers: Readonly<Record<string, string>> }>): Promise<T> {
    const { maxReadsPerDay, maxReadsPerPull } = this.ctx.options
    const now = this.ctx.now()
    const key = `reads:${dayIn(now, 'UTC')}`
    const today = await this.ledger.used(key)
    const leftToday = maxReadsPerDay - today
    const leftPull = maxReadsPerPull - this.pull.reads
    const left = Math.min(leftToday, leftPull)
    if (left < X_MIN_PAGE) {
      this.report(today, now)
      const small = left > 0 ? `; fewer than ${X_MIN_PAGE} left, X's smallest page` : ''
      if (leftToday <= leftPull) {
        throw new BudgetExhaustedError(`read budget spent: ${today} of ${maxReadsPerDay} reads today (maxReadsPerDay)${small}; resets 00:00 UTC (${isoSeconds(nextMidnight(now, 'UTC'))})`)
      }
      throw new BudgetExhaustedError(`read budget spent: ${this.pull.reads} of ${maxReadsPerPull} reads this pull (maxReadsPerPull)${small}; the next pull resumes where this one stopped`)
    }
    const got = await fn(Math.min(X_MAX_PAGE, left))
    this.pull.reads += got.reads
    // Billed once X answered: spent even if storing the page fails later.
    if (got.reads > 0) await this.ledger.spend(key, got.reads)
    this.report(today + got.reads, now, got.headers)
    return got.value
  }

  private report(spentToday: number, now: number, headers?: Readonly<Record<string, string>>): void {
    const { maxReadsPerDay } = this.ctx.options
    let note = `spent ${spentToday} of ${maxReadsPerDay} reads today`
    const limit = headers ? rateLimitState(headers, now) : undefined
    if (limit?.remaining !== undefined) {
      note += `; rate limit ${limit.remaining}${limit.limit !== undefined ? `/${limit.limit}` : ''} requests left`
      if (limit.resetAt !== undefined) note += ` until ${isoSeconds(limit.resetAt)}`
    }
    this.ctx.report?.({ remaining: Math.max(0, maxReadsPerDay - spentToday), limit: maxReadsPerDay, resetAt: nextMidnight(now, 'UTC'), note })
  }
}

// ---------------------------------------------------------------------------------------
// Requests (I/O)

type Ctx = SourceContext<XOptions>

/** X's payment wall: no credits left, or an account not enrolled in pay-per-use. */
export class XPaymentRequiredError extends Error {
  override name = 'XPaymentRequiredError'
}

/** X's refusals as lines a user can act on. */
async function xGet(ctx: Ctx, token: string, url: URL): Promise<{ body: unknown; headers: Readonly<Record<string, string>> }> {
  try {
    const { body, response } = await fetchJson(ctx, url, {
      headers: { authorization: `Bearer ${token}` },
      credentials: [X_TOKEN],
      forbidden: 'X refused the request: the token\'s app must belong to a Project with access to this endpoint (see the developer console, console.x.com)',
    })
    return { body, headers: response.headers }
  } catch (err) {
    if (err instanceof HttpError && err.status === 402) {
      throw new XPaymentRequiredError(
        `X wants payment (${err.message}): the account behind ${X_TOKEN} has no credits left or is not enrolled in pay-per-use; add credits in the developer console (console.x.com)`,
        { cause: err },
      )
    }
    throw err
  }
}

interface Endpoint {
  path: string
  /** search pages with next_token, timelines with pagination_token. */
  tokenParam: 'next_token' | 'pagination_token'
  params: Record<string, string>
  label: string
  /** False for a post the endpoint should not have returned (another author on a timeline). */
  accept?: (d: MentionDraft) => boolean
}

function pageUrl(ctx: Ctx, ep: Endpoint, plan: XWalkPlan, maxResults: number, token: string | undefined): URL {
  const url = apiUrl(ctx.options.baseUrl, ep.path)
  for (const [k, v] of Object.entries(ep.params)) url.searchParams.set(k, v)
  url.searchParams.set('max_results', String(maxResults))
  if (plan.sinceId) url.searchParams.set('since_id', plan.sinceId)
  if (plan.untilId) url.searchParams.set('until_id', plan.untilId)
  if (plan.startTime !== undefined) url.searchParams.set('start_time', isoSeconds(Math.ceil(plan.startTime / 1000) * 1000))
  if (plan.endTime !== undefined) url.searchParams.set('end_time', isoSeconds(Math.ceil(plan.endTime / 1000) * 1000))
  url.searchParams.set('tweet.fields', TWEET_FIELDS)
  url.searchParams.set('expansions', 'author_id')
  url.searchParams.set('user.fields', USER_FIELDS)
  if (token) url.searchParams.set(ep.tokenParam, token)
  return url
}

interface PartSpec {
  key: string
  endpoint: Endpoint
  /** Kept in the part beside its window (a handle's user id). */
  keep?: Record<string, Cursor>
}

/**
 * The oldest time recent search still reaches; `since` is clamped to it, with a warning when
 * it asked for more than 7 days. Own activity keeps to the same window (quietly): a timeline
 * reaches further back, but an older reply answers a mention search can no longer see.
 */
function searchFloor(ctx: Ctx, since: number, warn = true): number {
  const now = ctx.now()
  const floor = Math.ceil((now - X_WINDOW_MS + X_WINDOW_SLACK_MS) / 1000) * 1000
  if (warn && since < now - X_WINDOW_MS - CLAMP_WARN_MS) {
    ctx.warn(`X recent search covers only the last 7 days: --since ${isoSeconds(since)} clamped to ${isoSeconds(floor)}`)
  }
  return floor
}

/**
 * Walks every part over what it owes (gap, new, backfill), newest first, one page per
 * request, each page with a cursor safe to commit. When the read budget runs out it yields a
 * last page with that cursor (the gap owed) and throws BudgetExhaustedError.
 */
async function* walkParts(ctx: Ctx, token: string, budget: ReadBudget, cursor: Cursor | undefined, specs: readonly PartSpec[], q: { since: number; until?: number | undefined; maxPages: number }, floor: number): AsyncGenerator<Page, void> {
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const now = ctx.now()
  const previous = new Map(specs.map((s) => [s.key, reachablePart(partCursor(cursor, s.key), floor, ctx.warn)]))
  const walks = new Map(specs.map((s) => [s.key, planXWalks(previous.get(s.key), bounds, floor, now, ctx.warn).map((plan): XWalkState => ({ plan, status: 'pending' }))]))
  const cursorNow = (): Cursor => {
    const parts: Record<string, Cursor> = {}
    for (const s of specs) {
      const part = xPartAfter(previous.get(s.key), walks.get(s.key) ?? [], s.keep)
      if (Object.keys(part).length > 0) parts[s.key] = part
    }
    return withParts(parts)
  }
  const seen = new Set<string>()
  for (const spec of specs) {
    for (const walk of walks.get(spec.key) ?? []) {
      walk.status = 'running'
      let next: string | undefined
      let outside = 0
      let refused = 0
      for (let pages = 0; ; pages++) {
        if (pages >= pageLimit) {
          walk.status = 'truncated'
          break
        }
        let page: XPage
        try {
          page = await budget.request(async (maxResults) => {
            const url = pageUrl(ctx, spec.endpoint, walk.plan, maxResults, next)
            const { body, headers } = await xGet(ctx, token, url)
            const parsed = parseXPage(body, url.href)
            return { value: parsed, reads: parsed.count, headers }
          })
        } catch (err) {
          if (err instanceof BudgetExhaustedError) {
            walk.status = 'truncated'
            yield { mentions: [], cursor: cursorNow() }
          }
          throw err
        }
        if (page.skipped > 0) ctx.warn(`skipped ${page.skipped} unreadable post(s) from ${spec.endpoint.label}`)
        const fresh: MentionDraft[] = []
        for (const d of page.drafts) {
          // Paging and the cursor follow every post read, kept or not: each was billed.
          if (!walk.newest || newer(d.externalId, walk.newest.id)) walk.newest = { id: d.externalId, at: d.createdAt }
          if (!walk.oldest || newer(walk.oldest.id, d.externalId)) walk.oldest = { id: d.externalId, at: d.createdAt }
          if (!keepHit(d.createdAt, { kind: walk.plan.kind, from: walk.plan.from, to: walk.plan.to }, bounds)) {
            outside++
            continue
          }
          if (spec.endpoint.accept && !spec.endpoint.accept(d)) {
            refused++
            continue
          }
          if (seen.has(d.externalId)) continue
          seen.add(d.externalId)
          fresh.push(d)
        }
        next = page.nextToken
        if (!next || page.count === 0) walk.status = 'done'
        yield { mentions: fresh, cursor: cursorNow() }
        if (walk.status !== 'running') break
      }
      if (outside > 0) ctx.warn(`dropped ${outside} post(s) from ${spec.endpoint.label} created outside the pull's window`)
      if (refused > 0) ctx.warn(`dropped ${refused} post(s) from ${spec.endpoint.label} not written by its owner`)
      if (walk.status === 'truncated') {
        ctx.warn(`stopped ${walk.plan.kind === 'backfill' ? 'backfilling ' : ''}${spec.endpoint.label} after ${pageLimit} page(s) (maxPages); the next pull reads the rest first`)
        // One gap per part: what is newer stays above its newest id for the next pull.
        break
      }
    }
  }
  // Nothing walked (nothing owed, or until before the window): the cursor as it was.
  if (specs.every((s) => (walks.get(s.key) ?? []).every((w) => w.status === 'pending'))) yield { mentions: [], cursor: cursor ?? {} }
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

async function* searchX(ctx: Ctx, q: SourceQuery): AsyncIterable<Page> {
  if (!q.brand) throw new Error('x: searched without a brand (its scope is "brand")')
  const token = credential(ctx, 'x', X_TOKEN, TOKEN_WHY)
  const query = xQuery(q.brand, ctx.options.lang)
  if (!query) {
    ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  if (query.length > X_QUERY_MAX) {
    throw new Error(`the X query for brand "${q.brand.name}" is ${query.length} characters; X allows ${X_QUERY_MAX}: use fewer or shorter terms`)
  }
  if (q.cursor?.parts && !q.cursor.parts[query]) {
    ctx.warn(`the query for brand "${q.brand.name}" changed; reading its window afresh (posts already read are billed again)`)
  }
  const floor = searchFloor(ctx, q.since)
  const spec: PartSpec = {
    key: query,
    endpoint: { path: '/2/tweets/search/recent', tokenParam: 'next_token', params: { query }, label: `search "${errorSnippet(query, [], 80)}"` },
  }
  yield* walkParts(ctx, token, new ReadBudget(ctx), q.cursor, [spec], q, floor)
}

// ---------------------------------------------------------------------------------------
// Own activity (I/O)

const userLookupSchema = z.object({ data: z.object({ id: z.string().regex(/^\d+$/), username: optString }) })

/** The id behind a handle, one billed look-up (counted as one read). */
async function lookUpUser(ctx: Ctx, token: string, budget: ReadBudget, handle: string): Promise<string> {
  return budget.request(async () => {
    const url = apiUrl(ctx.options.baseUrl, `/2/users/by/username/${encodeURIComponent(handle)}`)
    const { body, headers } = await xGet(ctx, token, url)
    const parsed = userLookupSchema.safeParse(body)
    if (!parsed.success) {
      const problem = xProblem(body)
      throw new SourceResponseError(problem ? `no X account @${handle} (${problem})` : `no X account @${handle} (unexpected answer from /2/users/by/username)`, url.href)
    }
    return { value: parsed.data.data.id, reads: 1, headers }
  })
}

/**
 * Each handle's own recent posts and replies from its timeline (/2/users/:id/tweets, no
 * retweets), resumed with since_id like search. Drafts are built as search's, so a reply's
 * parentExternalId (replied_to) is the externalId (post id) of the mention it answers.
 */
async function* xOwnActivity(ctx: Ctx, q: OwnActivityQuery): AsyncIterable<Page> {
  const handles = xHandles(q.handles)
  if (handles.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const token = credential(ctx, 'x', X_TOKEN, TOKEN_WHY)
  const budget = new ReadBudget(ctx)
  const specs: PartSpec[] = []
  for (const handle of handles) {
    let userId = partCursor(q.cursor, handle)?.parts?.user?.id
    if (!userId || !/^\d+$/.test(userId)) {
      try {
        userId = await lookUpUser(ctx, token, budget, handle)
      } catch (err) {
        // Handles looked up so far are kept, so nobody pays for them twice.
        if (err instanceof BudgetExhaustedError) yield { mentions: [], cursor: ownCursor(q.cursor, specs) }
        throw err
      }
    }
    const id = userId
    specs.push({
      key: handle,
      keep: { user: { id } },
      endpoint: {
        path: `/2/users/${id}/tweets`,
        tokenParam: 'pagination_token',
        params: { exclude: 'retweets' },
        label: `@${handle}'s posts`,
        // A timeline holds its owner's posts; a proxy that mixes others in must not make them the brand's.
        accept: (d) => d.author?.handle === undefined || d.author.handle.toLowerCase() === handle.toLowerCase(),
      },
    })
  }
  // The look-ups are kept even if the walk stops before its first page.
  yield { mentions: [], cursor: ownCursor(q.cursor, specs) }
  yield* walkParts(ctx, token, budget, ownCursor(q.cursor, specs), specs, q, searchFloor(ctx, q.since, false))
}

/** The own-activity cursor with each handle's user id recorded beside its part. */
function ownCursor(cursor: Cursor | undefined, specs: readonly PartSpec[]): Cursor {
  const parts: Record<string, Cursor> = {}
  for (const s of specs) {
    const prev = partCursor(cursor, s.key) ?? {}
    parts[s.key] = { ...prev, parts: { ...prev.parts, ...s.keep } }
  }
  return withParts(parts)
}

export const xSource: Source<XOptions> = {
  kind: 'x',
  scope: 'brand',
  options: xOptions,
  requires: [{ env: X_TOKEN, why: TOKEN_WHY }],
  instanceKey: (options) => options.baseUrl,
  // The handles' own timelines hold every reply, whether or not it names the brand.
  replies: 'own-activity',
  limits: 'recent search reaches back 7 days; every post read is billed (about $0.005 each)',
  search: searchX,
  ownActivity: xOwnActivity,
}
