// Mastodon, on several instances at once. Per brand: the hashtag timeline of each of its
// hashtags on every instance (public, the dependable path), plus full-text status search on
// the first instance when MASTODON_TOKEN is set (a bonus: since 4.2 it covers only posts of
// accounts that opted in, and only on servers running Elasticsearch/OpenSearch).
//
// Ids are instance-local, so a status is named by its ActivityPub `uri`: the same post seen
// on two instances (or in a timeline and in search) is one mention.
import { z } from 'zod'
import type { Brand, Cursor, MentionDraft } from '../model.js'
import { errorSnippet } from '../net/redact.js'
import { HttpError } from '../net/types.js'
import { fetchJson, rateLimitState, jsonBody, readEach } from './common.js'
import { htmlToText, normaliseWhitespace } from './html.js'
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
import { keepHit, mergeWalks, partCursor, planWindows, type Window, type WalkState, type WindowBounds, cursorOfParts } from './window.js'

const TOKEN = 'MASTODON_TOKEN'
const TOKEN_WHY = 'full-text status search on the first instance: a user token with read:search'
const DEFAULT_INSTANCE = 'https://mastodon.social'

/** A hashtag as Mastodon stores it: letters, digits and underscores, without the '#'. */
const hashtag = z
  .string()
  .transform((s) => s.trim().replace(/^#/, ''))
  .pipe(z.string().regex(/^[\p{L}\p{N}_]+$/u, 'a hashtag is letters, digits and _ (without spaces)'))

export const mastodonOptions = z.object({
  /**
   * One instance (or a proxy, or a test server) instead of `instances`. `instances` has a
   * default, so the two cannot be told apart once parsed: when both are set, baseUrl wins.
   */
  baseUrl: z.url({ protocol: /^https?$/ }).optional(),
  instances: z.array(z.url({ protocol: /^https?$/ })).min(1).default([DEFAULT_INSTANCE]),
  /** Per brand name, the hashtags to follow; a brand not listed uses its single-word terms. */
  hashtags: z.record(z.string(), z.array(hashtag)).default({}),
  /** Pages per walk (one hashtag, search term or handle on one instance, over one window). */
  maxPages: z.int().min(1).max(50).default(5),
  /** Statuses per request; Mastodon serves at most 40. */
  limit: z.int().min(1).max(40).default(40),
})
export type MastodonOptions = z.output<typeof mastodonOptions>

/** The instances a configuration walks, each as origin + path without a trailing slash. */
export function mastodonInstances(options: Pick<MastodonOptions, 'baseUrl' | 'instances'>): string[] {
  const list = options.baseUrl ? [options.baseUrl] : options.instances
  return [...new Set(list.map(instanceBase))]
}

function instanceBase(s: string): string {
  // Only origin and path: a URL's userinfo or query never reaches the cursor key or output.
  const u = new URL(s)
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`
}

/**
 * The hashtags followed for a brand: the configured ones, else its single-word terms with
 * quotes and punctuation removed ("Acme-Cloud" → acmecloud). A phrase cannot be a hashtag.
 */
export function mastodonHashtags(brand: Pick<Brand, 'name' | 'terms'>, configured: Readonly<Record<string, readonly string[]>>): string[] {
  const own = Object.hasOwn(configured, brand.name) ? configured[brand.name] : undefined
  const source = own ?? brand.terms.map((t) => t.replace(/"/g, '').trim()).filter((t) => t !== '' && !/\s/.test(t))
  const tags = source.map((t) => t.replace(/^#/, '').replace(/[^\p{L}\p{N}_]/gu, '').toLowerCase()).filter(Boolean)
  return [...new Set(tags)]
}

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`), never fatal: one odd value from one
// server (there are many implementations behind this API) must not cost the page.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)
const optId = z.union([z.string(), z.number()]).nullish().catch(undefined)

const accountSchema = z
  .object({
    acct: optString,
    username: optString,
    display_name: optString,
    followers_count: optNumber,
  })
  .nullish()
  .catch(undefined)

const statusFields = {
  id: z.union([z.string().min(1), z.number()]).transform(String),
  uri: z.string().min(1),
  created_at: z.string(),
  url: optString,
  content: optString,
  spoiler_text: optString,
  language: optString,
  visibility: optString,
  in_reply_to_id: optId,
  account: accountSchema,
  favourites_count: optNumber,
  reblogs_count: optNumber,
  replies_count: optNumber,
  card: z.object({ url: optString }).nullish().catch(undefined),
}
const innerStatusSchema = z.object(statusFields)
const statusSchema = z.object({ ...statusFields, reblog: z.unknown().optional() })
type RawStatus = z.output<typeof innerStatusSchema>

/** One status as the walk needs it: the draft, plus where it sits in the instance's timeline. */
export interface ParsedStatus {
  draft: MentionDraft
  /** The instance-local id of the item in the list (a boost's own id): what paging uses. */
  id: string
  /** Epoch ms of the item in the list (a boost's own time): its place in the timeline. */
  listedAt: number
  /** Instance-local id of the status this one replies to. */
  inReplyToId?: string
}

export interface MastodonPage {
  statuses: ParsedStatus[]
  /** Items in the response, including unreadable and dropped ones (paging counts them). */
  count: number
  /** Items dropped for lacking an id, a uri or a time. */
  skipped: number
}

/**
 * Reads a Mastodon response holding statuses: a timeline (an array), a v2 search result
 * (`statuses`), a thread context (`ancestors` / `descendants`) or one status. `host` is the
 * instance that served it: a local account's `acct` has no domain, so the host completes it.
 * Throws SourceResponseError for a body that is not JSON or holds no statuses.
 */
export function parseMastodonPage(body: unknown, url = 'mastodon', host = hostOf(url)): MastodonPage {
  const value = jsonBody(body, url)
  const items = statusList(value, url)
  const { items: statuses, skipped } = readEach(items, statusSchema, (s) => toParsed(s, host))
  return { statuses, count: items.length, skipped }
}

/** The drafts of one response. See parseMastodonPage. */
export function parseMastodon(body: unknown, url?: string, host?: string): MentionDraft[] {
  return parseMastodonPage(body, url, host).statuses.map((s) => s.draft)
}

function statusList(value: unknown, url: string): unknown[] {
  if (Array.isArray(value)) return value
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>
    if (Array.isArray(o.statuses)) return o.statuses
    if (Array.isArray(o.ancestors) || Array.isArray(o.descendants)) {
      return [...(Array.isArray(o.ancestors) ? o.ancestors : []), ...(Array.isArray(o.descendants) ? o.descendants : [])]
    }
    if (typeof o.error === 'string') {
      throw new SourceResponseError(`mastodon: the instance answered with an error (${snippet(o.error)})`, url)
    }
    if ('uri' in o && 'created_at' in o) return [o]
    if ('statuses' in o) throw new SourceResponseError('mastodon: expected "statuses" to be an array', url)
  }
  throw new SourceResponseError('mastodon: expected an array of statuses (or a search result with "statuses")', url)
}

function toParsed(outer: z.output<typeof statusSchema>, host: string): ParsedStatus | undefined {
  const listedAt = Date.parse(outer.created_at)
  if (!Number.isFinite(listedAt)) return undefined
  // A boost is the boosted status: that is what was said, and what the store should hold once.
  const inner = outer.reblog != null ? innerStatusSchema.safeParse(outer.reblog) : undefined
  if (inner && !inner.success) return undefined
  const status: RawStatus = inner?.data ?? outer
  // A direct message is a private conversation, not a public mention.
  if (status.visibility === 'direct') return undefined
  const draft = toDraft(status, host)
  if (!draft) return undefined
  const out: ParsedStatus = { draft, id: outer.id, listedAt }
  if (status.in_reply_to_id != null && status === outer) out.inReplyToId = String(status.in_reply_to_id)
  return out
}

function toDraft(s: RawStatus, host: string): MentionDraft | undefined {
  const createdAt = Date.parse(s.created_at)
  if (!Number.isFinite(createdAt)) return undefined
  const url = httpUrl(s.url) ?? httpUrl(s.uri)
  if (!url) return undefined
  const body = htmlToText(s.content ?? '')
  // A content warning is the author's own summary; it comes first, as clients show it.
  const warning = normaliseWhitespace(s.spoiler_text ?? '')
  const draft: MentionDraft = { externalId: s.uri, url, text: warning && body ? `${warning}\n\n${body}` : warning || body, createdAt }
  const author = authorOf(s.account, host)
  if (author) draft.author = author
  if (s.language) draft.lang = s.language.toLowerCase()
  const canonical = httpUrl(s.card?.url)
  if (canonical && canonical !== url) draft.canonicalUrl = canonical
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  if (typeof s.favourites_count === 'number') metrics.likes = s.favourites_count
  if (typeof s.reblogs_count === 'number') metrics.reposts = s.reblogs_count
  if (typeof s.replies_count === 'number') metrics.replies = s.replies_count
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return draft
}

function authorOf(account: z.output<typeof accountSchema>, host: string): MentionDraft['author'] | undefined {
  if (!account) return undefined
  const author: NonNullable<MentionDraft['author']> = {}
  const handle = fullAcct(account.acct ?? account.username, host)
  if (handle) author.handle = handle
  const name = normaliseWhitespace(account.display_name ?? '')
  if (name) author.name = name
  if (typeof account.followers_count === 'number') author.reach = account.followers_count
  return Object.keys(author).length > 0 ? author : undefined
}

/**
 * `user@domain` for any account: a local account's `acct` is only `user`, which would name a
 * different person on each instance.
 */
export function fullAcct(acct: string | null | undefined, host: string): string | undefined {
  const a = acct?.trim().replace(/^@/, '')
  if (!a) return undefined
  return a.includes('@') ? a.toLowerCase() : `${a}@${host}`.toLowerCase()
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return 'unknown'
  }
}

function snippet(s: string): string {
  return errorSnippet(s, [], 60) || 'empty body'
}

/**
 * The ids a Link header pages to: `next` (max_id, older) and `prev` (min_id, newer). Only the
 * ids are taken: the server's absolute URLs may name a host other than the one configured
 * (a proxy, a local domain).
 */
export function linkIds(link: string | undefined): { maxId?: string; minId?: string } {
  const out: { maxId?: string; minId?: string } = {}
  if (!link) return out
  for (const m of link.matchAll(/<([^>]*)>\s*;\s*rel="?([^";,]+)"?/g)) {
    let params: URLSearchParams
    try {
      params = new URL(m[1] ?? '', 'https://x.invalid/').searchParams
    } catch {
      continue
    }
    const rel = m[2]?.trim()
    const maxId = params.get('max_id')
    const minId = params.get('min_id') ?? params.get('since_id')
    if (rel === 'next' && maxId) out.maxId = maxId
    if (rel === 'prev' && minId) out.minId = minId
  }
  return out
}

// ---------------------------------------------------------------------------------------
// Cursors (pure): time coverage from window.ts, plus status ids to page from.
//
// A part (one instance + one hashtag, search term or handle) covers a time span like every
// windowed source. Mastodon pages by id, not time, so a part also keeps anchors: real statuses
// (time + instance-local id) where a walk can resume. `id` at `at` is the newest (min_id for
// what is new); parts.gap and parts.oldest are where an owed gap and a backfill resume
// (max_id, paging down). An anchor that is missing or stale only costs a walk from the top.

interface Anchor {
  at: number
  id: string
}

interface Anchors {
  newest?: Anchor
  gapTop?: Anchor
  oldest?: Anchor
}

function asAnchor(c: Cursor | undefined): Anchor | undefined {
  return c?.at !== undefined && c.id ? { at: c.at, id: c.id } : undefined
}

export function anchorsOf(part: Cursor | undefined): Anchors {
  if (!part) return {}
  const out: Anchors = {}
  const newest = asAnchor(part)
  if (newest) out.newest = newest
  const gapTop = asAnchor(part.parts?.gap)
  if (gapTop && part.gap && gapTop.at >= part.gap.to) out.gapTop = gapTop
  const oldest = asAnchor(part.parts?.oldest)
  if (oldest && part.oldest !== undefined && oldest.at >= part.oldest) out.oldest = oldest
  return out
}

/**
 * The part cursor after these walks. Anchors are chosen among real statuses seen: the newest
 * at or below `at` (min_id from there re-reads at most what is stored), the oldest at or
 * above the gap's top and above `oldest` (max_id from there re-reads, never skips).
 */
export function partAfter(previous: Cursor | undefined, walks: readonly WalkState[], seen: readonly Anchor[], bounds: WindowBounds): Cursor {
  const merged = mergeWalks(previous, walks, bounds)
  const { id: _id, parts: _parts, ...part } = merged
  if (part.at === undefined) return part
  const before = anchorsOf(previous)
  const candidates = [...seen, ...[before.newest, before.gapTop, before.oldest].filter((a): a is Anchor => a !== undefined)]
  const at = part.at
  const newest = pick(candidates.filter((a) => a.at <= at), (a, b) => a.at > b.at)
  const gapTo = part.gap?.to
  const gapTop = gapTo === undefined ? undefined : pick(candidates.filter((a) => a.at >= gapTo && a.at <= at), (a, b) => a.at < b.at)
  const from = part.oldest ?? at
  const oldest = pick(candidates.filter((a) => a.at >= from && a.at <= at), (a, b) => a.at < b.at)
  const out: Cursor = { ...part }
  if (newest) out.id = newest.id
  const parts: Record<string, Cursor> = {}
  if (gapTop) parts.gap = { at: gapTop.at, id: gapTop.id }
  if (oldest) parts.oldest = { at: oldest.at, id: oldest.id }
  if (Object.keys(parts).length > 0) out.parts = parts
  return out
}

function pick<T>(list: readonly T[], better: (a: T, b: T) => boolean): T | undefined {
  let best: T | undefined
  for (const x of list) if (best === undefined || better(x, best)) best = x
  return best
}

// ---------------------------------------------------------------------------------------
// Walks (I/O)

/**
 * Below the resume point, a walk from the top (no anchor) re-reads this much: a remote post
 * reaches an instance when it federates, which can be minutes after it was written.
 */
export const MASTODON_OVERLAP_MS = 15 * 60_000

interface Endpoint {
  instance: string
  host: string
  /** The path under the instance, and its fixed parameters. */
  path: string
  params: Record<string, string>
  /**
   * Timelines send a Link header. v2 search sends none: it pages by the last id of a page
   * with max_id, which assumes its results come newest first (as Mastodon 4.2+ is believed to
   * order status search by id; not verified against a recording). Under another order it
   * could miss results: search is the bonus path, hashtag timelines the dependable one.
   */
  linked: boolean
  /** Whether the token goes with it (only ever to the first instance). */
  token?: string
}

interface PartWalk extends WalkState {
  key: string
  endpoint: Endpoint
  /** Forward walk with min_id from this anchor (what is new), else max_id downwards. */
  fromAnchor?: Anchor
  startMaxId?: string
  seen: Anchor[]
}

interface Fetched {
  statuses: ParsedStatus[]
  count: number
  maxId?: string
  minId?: string
}

type Ctx = SourceContext<MastodonOptions>

async function fetchStatuses(ctx: Ctx, ep: Endpoint, extra: Record<string, string>, note: string): Promise<Fetched> {
  const url = apiUrl(ep.instance, ep.path)
  for (const [k, v] of Object.entries({ ...ep.params, limit: String(ctx.options.limit), ...extra })) url.searchParams.set(k, v)
  const { body, response } = await fetchJson(ctx, url, {
    credentials: ep.token ? [TOKEN] : [],
    ...(ep.token ? { headers: { authorization: `Bearer ${ep.token}` } } : {}),
  })
  ctx.report?.({ ...rateLimitState(response.headers, ctx.now()), note })
  const page = parseMastodonPage(body, url.href, ep.host)
  if (page.skipped > 0) ctx.warn(`skipped ${page.skipped} unreadable status(es) from ${ep.host}${ep.path}`)
  const links = ep.linked ? linkIds(response.headers.link) : {}
  const out: Fetched = { statuses: page.statuses, count: page.count }
  const last = page.statuses.at(-1)?.id
  const first = page.statuses[0]?.id
  const maxId = links.maxId ?? last
  const minId = links.minId ?? first
  if (maxId) out.maxId = maxId
  if (minId) out.minId = minId
  return out
}

function apiUrl(instance: string, path: string): URL {
  return new URL(path.replace(/^\//, ''), `${instance}/`)
}

interface PartSpec {
  key: string
  endpoint: Endpoint
}

/**
 * Walks every part over the windows its cursor owes, newest first within a walk (or, for what
 * is new after an anchor, forward with min_id), yielding one page per request with a cursor
 * that is safe to commit. `transform` turns a page's statuses into drafts (own activity
 * resolves reply parents there). An instance that fails is skipped with a warning, its parts'
 * cursors kept; when every instance fails, the first failure is thrown.
 */
async function* walkParts(
  ctx: Ctx,
  cursor: Cursor | undefined,
  specs: readonly PartSpec[],
  bounds: WindowBounds,
  maxPages: number,
  note: string,
  transform: (statuses: ParsedStatus[], walk: PartSpec) => Promise<MentionDraft[]> = async (s) => s.map((x) => x.draft),
): AsyncIterable<Page> {
  const pageLimit = Math.max(1, Math.min(maxPages, ctx.options.maxPages))
  const previous = new Map(specs.map((s) => [s.key, partCursor(cursor, s.key)]))
  const walks: PartWalk[] = []
  const planned = specs.map((spec) => {
    const prev = previous.get(spec.key)
    const anchors = anchorsOf(prev)
    const windows = planWindows(prev, { ...bounds, overlap: MASTODON_OVERLAP_MS })
    return { spec, anchors, windows }
  })
  for (const kind of ['gap', 'new', 'backfill'] as const) {
    for (const { spec, anchors, windows } of planned) {
      for (const window of windows) {
        if (window.kind !== kind) continue
        const walk: PartWalk = { key: spec.key, endpoint: spec.endpoint, window, status: 'pending', seen: [] }
        if (kind === 'new' && anchors.newest) {
          walk.fromAnchor = anchors.newest
          walk.window = { kind: 'new', from: anchors.newest.at, to: window.to }
        }
        if (kind === 'gap' && anchors.gapTop) walk.startMaxId = anchors.gapTop.id
        if (kind === 'backfill' && anchors.oldest) walk.startMaxId = anchors.oldest.id
        walks.push(walk)
      }
    }
  }

  const cursorNow = (): Cursor =>
    cursorOfParts(specs.map((s) => s.key), (key) => {
      const mine = walks.filter((w) => w.key === key)
      return partAfter(previous.get(key), mine.map(progressOf), mine.flatMap((w) => w.seen), bounds)
    })

  if (walks.length === 0) {
    yield { mentions: [], cursor: cursor ?? {} }
    return
  }

  const seenUris = new Set<string>()
  const failed = new Map<string, unknown>()
  let yielded = false
  for (const walk of walks) {
    const instance = walk.endpoint.instance
    if (failed.has(instance)) continue
    walk.status = 'running'
    let pages = 0
    let outside = 0
    let maxId = walk.startMaxId
    let minId = walk.fromAnchor?.id
    try {
      for (;;) {
        if (pages >= pageLimit) {
          walk.status = 'truncated'
          break
        }
        pages++
        const extra: Record<string, string> = walk.fromAnchor ? { min_id: minId ?? '' } : maxId ? { max_id: maxId } : {}
        const got = await fetchStatuses(ctx, walk.endpoint, extra, note)
        const kept: ParsedStatus[] = []
        let beyondTop = false
        for (const s of got.statuses) {
          const t = s.listedAt
          if (walk.oldestSeen === undefined || t < walk.oldestSeen) walk.oldestSeen = t
          if (walk.window.to !== undefined && t > walk.window.to) beyondTop = true
          if (!keepHit(t, walk.window, bounds)) {
            outside++
            continue
          }
          if (t >= walk.window.from && (walk.window.to === undefined || t <= walk.window.to)) {
            if (walk.newestSeen === undefined || t > walk.newestSeen) walk.newestSeen = t
            walk.seen.push({ at: t, id: s.id })
          }
          if (seenUris.has(s.draft.externalId)) continue
          seenUris.add(s.draft.externalId)
          kept.push(s)
        }
        const mentions = kept.length > 0 ? await transform(kept, walk) : []
        const short = got.count < ctx.options.limit
        if (walk.fromAnchor) {
          // Forward: each page is the next stretch above the last; the walk ends at the top of
          // the timeline, or once it passes the window's end.
          if (got.count === 0 || short || beyondTop || !got.minId) walk.status = 'done'
          else minId = got.minId
        } else if (got.count === 0 || short || !got.maxId || (walk.oldestSeen !== undefined && walk.oldestSeen < walk.window.from)) {
          walk.status = 'done'
        } else {
          maxId = got.maxId
        }
        yield { mentions, cursor: cursorNow() }
        yielded = true
        if (walk.status !== 'running') break
      }
    } catch (err) {
      // Rejected credentials are the user's to fix, whichever instance: never a warning.
      if (err instanceof CredentialsRejectedError) throw err
      if (walk.status === 'running') walk.status = 'truncated'
      failed.set(instance, err)
      ctx.warn(`${hostOf(instance)} failed (${err instanceof Error ? err.message : String(err)}); its cursor is kept`)
      continue
    }
    if (walk.status === 'truncated') {
      const what = walk.window.kind === 'backfill' ? 'backfilling ' : ''
      ctx.warn(`stopped ${what}${walk.key} after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (outside > 0) ctx.warn(`dropped ${outside} status(es) from ${walk.key} created outside the pull's window`)
  }
  const instances = new Set(specs.map((s) => s.endpoint.instance))
  if (failed.size > 0 && failed.size === instances.size) throw failed.values().next().value
  if (!yielded) yield { mentions: [], cursor: cursorNow() }
}

/**
 * What a walk has covered, for window.ts. A forward walk from an anchor is contiguous from the
 * anchor up: it has covered [anchor, newest seen] whether or not it finished, and owes nothing
 * (what lies above is simply new next time).
 */
function progressOf(walk: PartWalk): WalkState {
  if (!walk.fromAnchor || walk.status === 'pending') return walk
  const finished = walk.status === 'done'
  const top = finished ? walk.window.to : walk.window.to === undefined ? undefined : (walk.newestSeen ?? walk.window.from)
  const window: Window = { kind: 'new', from: walk.window.from, to: top }
  return { window, status: 'done', oldestSeen: walk.oldestSeen, newestSeen: walk.newestSeen }
}

// ---------------------------------------------------------------------------------------
// search() and ownActivity()

function tokenOf(ctx: Ctx): string | undefined {
  return ctx.env[TOKEN]?.trim() || undefined
}

function noteFor(token: string | undefined): string {
  return token
    ? 'hashtag timelines, plus full-text search on the first instance: it covers only opted-in (indexable) posts, on servers with full-text search'
    : `hashtag timelines only; set ${TOKEN} for full-text search (opted-in posts only, on servers with full-text search)`
}

/** The brand's configured handles, keyed by the `user@domain` their posts carry. */
export function handleAliases(handles: readonly string[], firstHost: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const h of handles) {
    const acct = fullAcct(h, firstHost)
    if (acct) out.set(acct, h.replace(/^@/, ''))
  }
  return out
}

async function* searchMastodon(ctx: Ctx, q: SourceQuery): AsyncIterable<Page> {
  if (!q.brand) throw new Error('mastodon: searched without a brand (its scope is "brand")')
  const instances = mastodonInstances(ctx.options)
  const token = tokenOf(ctx)
  const first = instances[0] as string
  const tags = mastodonHashtags(q.brand, ctx.options.hashtags)
  const specs: PartSpec[] = []
  for (const instance of instances) {
    const host = hostOf(instance)
    const tokenFor = instance === first && token ? { token } : {}
    for (const tag of tags) {
      specs.push({
        key: `${instance} #${tag}`,
        endpoint: { instance, host, path: `/api/v1/timelines/tag/${encodeURIComponent(tag)}`, params: {}, linked: true, ...tokenFor },
      })
    }
  }
  if (token) {
    const host = hostOf(first)
    const terms = [...new Set(q.brand.terms.map((t) => normaliseWhitespace(t)).filter(Boolean))]
    for (const term of terms) {
      specs.push({
        key: `${first} search:${term.toLowerCase()}`,
        endpoint: { instance: first, host, path: '/api/v2/search', params: { q: term, type: 'statuses', resolve: 'false' }, linked: false, token },
      })
    }
  }
  const note = noteFor(token)
  if (specs.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no hashtag (set hashtags["${q.brand.name}"]) and ${TOKEN} is not set`)
    ctx.report?.({ note })
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  // The brand's own posts found here are its own (the pull knows them by the configured handle).
  const aliases = handleAliases(q.brand.handles.mastodon ?? [], hostOf(first))
  const asOwn = async (statuses: ParsedStatus[]) =>
    statuses.map(({ draft }) => {
      const own = draft.author?.handle ? aliases.get(draft.author.handle) : undefined
      return own && draft.author ? { ...draft, author: { ...draft.author, handle: own } } : draft
    })
  yield* walkParts(ctx, q.cursor, specs, { since: q.since, until: q.until }, q.maxPages, note, asOwn)
}

/** Where a handle lives: `name@host` on that host (a configured instance if one matches), `name` on the first. */
export function handleHome(handle: string, instances: readonly string[]): { instance: string; acct: string } {
  const h = handle.replace(/^@/, '')
  const at = h.indexOf('@')
  const first = instances[0] ?? DEFAULT_INSTANCE
  if (at < 0) return { instance: first, acct: h }
  const name = h.slice(0, at)
  const host = h.slice(at + 1).toLowerCase()
  const configured = instances.find((i) => hostOf(i).toLowerCase() === host)
  return { instance: configured ?? `https://${host}`, acct: name }
}

const lookupSchema = z.object({ id: z.union([z.string().min(1), z.number()]).transform(String) })

async function* ownActivityMastodon(ctx: Ctx, q: OwnActivityQuery): AsyncIterable<Page> {
  const instances = mastodonInstances(ctx.options)
  const token = tokenOf(ctx)
  const first = instances[0] as string
  const note = noteFor(token)
  const specs: PartSpec[] = []
  const handleOf = new Map<string, string>()
  for (const handle of q.handles) {
    const { instance, acct } = handleHome(handle, instances)
    const tokenFor = instance === first && token ? { token } : {}
    const ep: Endpoint = { instance, host: hostOf(instance), path: '/api/v1/accounts/lookup', params: {}, linked: false, ...tokenFor }
    const url = apiUrl(instance, ep.path)
    url.searchParams.set('acct', acct)
    let body: unknown
    try {
      ;({ body } = await fetchJson(ctx, url, { credentials: ep.token ? [TOKEN] : [], ...(ep.token ? { headers: { authorization: `Bearer ${ep.token}` } } : {}) }))
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) throw new Error(`mastodon: no account "${acct}" on ${hostOf(instance)} (handles.mastodon of brand "${q.brand.name}")`, { cause: err })
      throw err
    }
    const account = lookupSchema.safeParse(body)
    if (!account.success) throw new SourceResponseError('mastodon: account lookup without an "id"', url.href, { cause: account.error })
    const key = `${instance} @${acct}`
    handleOf.set(key, handle.replace(/^@/, ''))
    specs.push({
      key,
      endpoint: { ...ep, path: `/api/v1/accounts/${encodeURIComponent(account.data.id)}/statuses`, params: { exclude_reblogs: 'true' }, linked: true },
    })
  }
  if (specs.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  // A reply's in_reply_to_id is local to the instance that served it; the parent's uri is what
  // the stored mention is named by. One lookup per parent per pull.
  const parents = new Map<string, string | null>()
  let missing = 0
  const resolve = async (statuses: ParsedStatus[], { key, endpoint: ep }: PartSpec): Promise<MentionDraft[]> => {
    // Stored under the handle as configured: that is how the pull knows the brand's own posts.
    const handle = handleOf.get(key)
    const out: MentionDraft[] = []
    for (const s of statuses) {
      const draft: MentionDraft = { ...s.draft, ...(handle ? { author: { ...s.draft.author, handle } } : {}) }
      if (s.inReplyToId) {
        const cacheKey = `${ep.instance} ${s.inReplyToId}`
        let uri = parents.get(cacheKey)
        if (uri === undefined) {
          uri = await parentUri(ctx, ep, s.inReplyToId)
          parents.set(cacheKey, uri)
          if (uri === null) missing++
        }
        if (uri) draft.parentExternalId = uri
      }
      out.push(draft)
    }
    return out
  }
  yield* walkParts(ctx, q.cursor, specs, { since: q.since, until: q.until }, q.maxPages, note, resolve)
  if (missing > 0) ctx.warn(`${missing} replied-to status(es) are gone or not visible; those replies mark nothing answered`)
}

async function parentUri(ctx: Ctx, ep: Endpoint, id: string): Promise<string | null> {
  const url = apiUrl(ep.instance, `/api/v1/statuses/${encodeURIComponent(id)}`)
  try {
    const { body } = await fetchJson(ctx, url, { credentials: ep.token ? [TOKEN] : [], ...(ep.token ? { headers: { authorization: `Bearer ${ep.token}` } } : {}) })
    const parsed = innerStatusSchema.pick({ uri: true }).safeParse(body)
    return parsed.success ? parsed.data.uri : null
  } catch (err) {
    // Deleted, or visible only to its audience: the reply stays a post of the brand's own.
    if (err instanceof HttpError && (err.status === 404 || err.status === 410)) return null
    throw err
  }
}

export const mastodonSource: Source<MastodonOptions> = {
  kind: 'mastodon',
  scope: 'brand',
  options: mastodonOptions,
  requires: [{ env: TOKEN, optional: true, why: TOKEN_WHY }],
  // The instances walked: one cursor per configured set, never a credential.
  instanceKey: (options) => mastodonInstances(options).join(' '),
  replies: 'own-activity',
  search: searchMastodon,
  ownActivity: ownActivityMastodon,
}
