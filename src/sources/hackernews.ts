// Hacker News through Algolia's HN Search API (no credentials). One brand → one or more
// search_by_date walks, newest first, resumed from a created_at timestamp. The brand's own
// comments come from a search_by_date walk per handle (ownActivity), and the threads search
// matched are checked for the brand's replies through /api/v1/items/<id> (thread look-ups).
import { httpUrl } from './url.js'
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { jsonBody } from './common.js'
import { htmlToText, normaliseWhitespace } from './html.js'
import { RateLimitError } from '../net/types.js'
import {
  SourceResponseError,
  type OwnActivityQuery,
  type Page,
  type Source,
  type SourceContext,
  type SourceQuery,
} from './types.js'
import { inBounds, keepHit, mergeWalks, partCursor, planWindows, type WalkState, type WindowBounds, orderWalks, cursorOfParts } from './window.js'

export const hackerNewsOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://hn.algolia.com'),
  maxPages: z.int().min(1).max(50).default(5),
  hitsPerPage: z.int().min(1).max(1000).default(100),
  tags: z.string().min(1).default('(story,comment)'),
  /**
   * Threads (matched stories and comments that have replies) fetched whole per brand and
   * pull to look for the brand's replies: one request each. 0 turns look-ups off.
   */
  threadLookups: z.int().min(0).max(200).default(20),
})
export type HackerNewsOptions = z.output<typeof hackerNewsOptions>

/** Algolia serves at most this many hits per query, however it is paged. */
const ALGOLIA_HIT_CAP = 1000

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// Every field but the id is optional and nullable: the pre-2023 format writes explicit
// nulls, the 2023+ format omits them. A field of an unexpected type is dropped (`catch`)
// rather than failing the hit, so one odd value never costs the whole page.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)
const optId = z.union([z.number(), z.string()]).nullish().catch(undefined)

const hitSchema = z.object({
  objectID: z.union([z.string().min(1), z.number()]).transform(String),
  created_at: optString,
  created_at_i: optNumber,
  title: optString,
  url: optString,
  author: optString,
  points: optNumber,
  story_text: optString,
  comment_text: optString,
  num_comments: optNumber,
  story_id: optId,
  story_title: optString,
  parent_id: optId,
  children: z.array(z.unknown()).nullish().catch(undefined),
  _tags: z.array(z.string()).nullish().catch(undefined),
})
type Hit = z.output<typeof hitSchema>

const responseSchema = z.object({
  hits: z.array(z.unknown()),
  page: z.number().optional().catch(undefined),
  nbPages: z.number().optional().catch(undefined),
  nbHits: z.number().optional().catch(undefined),
})

export interface HackerNewsPage {
  drafts: MentionDraft[]
  /** Hits returned by the API, including the ones that could not be read. */
  hitCount: number
  /** Hits dropped for lacking an id or a creation time. */
  skipped: number
  /** objectIDs of the hits that have replies (a story's num_comments, a comment's children). */
  withReplies: string[]
  page: number | undefined
  nbPages: number | undefined
  nbHits: number | undefined
}

/**
 * Reads one search / search_by_date response (a JSON string or the parsed value).
 * Throws SourceResponseError when it is not JSON or not an Algolia response.
 */
export function parseHackerNewsPage(body: unknown, url = 'hackernews'): HackerNewsPage {
  const value = jsonBody(body, url)
  const parsed = responseSchema.safeParse(value)
  if (!parsed.success) {
    throw new SourceResponseError(
      'hackernews: expected an Algolia search response with a "hits" array',
      url,
      { cause: parsed.error },
    )
  }
  const drafts: MentionDraft[] = []
  const withReplies: string[] = []
  let skipped = 0
  for (const raw of parsed.data.hits) {
    const hit = hitSchema.safeParse(raw)
    const draft = hit.success ? hitToDraft(hit.data) : undefined
    if (!hit.success || !draft) {
      skipped++
      continue
    }
    drafts.push(draft)
    if ((hit.data.num_comments ?? 0) > 0 || (hit.data.children?.length ?? 0) > 0) withReplies.push(draft.externalId)
  }
  return {
    drafts,
    hitCount: parsed.data.hits.length,
    skipped,
    withReplies,
    page: parsed.data.page,
    nbPages: parsed.data.nbPages,
    nbHits: parsed.data.nbHits,
  }
}

/** The drafts of one Algolia response. See parseHackerNewsPage. */
export function parseHackerNews(body: unknown, url?: string): MentionDraft[] {
  return parseHackerNewsPage(body, url).drafts
}

function hitToDraft(hit: Hit): MentionDraft | undefined {
  const createdAt =
    typeof hit.created_at_i === 'number' && Number.isFinite(hit.created_at_i)
      ? hit.created_at_i * 1000
      : Date.parse(hit.created_at ?? '')
  if (!Number.isFinite(createdAt)) return undefined

  const draft: MentionDraft = {
    externalId: hit.objectID,
    // A lone surrogate (valid JSON: "\ud800") would make encodeURIComponent throw.
    url: `https://news.ycombinator.com/item?id=${encodeURIComponent(hit.objectID.replace(/\p{Surrogate}/gu, '\ufffd'))}`,
    text: '',
    createdAt,
  }
  if (hit.author) draft.author = { handle: hit.author }

  const isComment = typeof hit.comment_text === 'string' || (hit._tags?.includes('comment') ?? false)
  if (isComment) {
    draft.text = htmlToText(hit.comment_text ?? '')
    // The story title gives a comment its context in lists; it is not the comment's own.
    const storyTitle = normaliseWhitespace(hit.story_title ?? '')
    if (storyTitle) draft.title = storyTitle
    if (hit.parent_id != null) draft.parentExternalId = String(hit.parent_id)
    if (hit.story_id != null) draft.threadExternalId = String(hit.story_id)
  } else {
    // Stories, Ask/Show HN, polls, jobs: titles are plain text; url-only stories have no body.
    draft.text = htmlToText(hit.story_text ?? '')
    const title = normaliseWhitespace(hit.title ?? '')
    if (title) draft.title = title
    const canonical = httpUrl(hit.url)
    if (canonical) draft.canonicalUrl = canonical
  }

  const metrics: NonNullable<MentionDraft['metrics']> = {}
  // HN has one vote count: points are what every other source calls likes; `score` keeps
  // the name HN gives them.
  if (typeof hit.points === 'number') {
    metrics.likes = hit.points
    metrics.score = hit.points
  }
  if (typeof hit.num_comments === 'number') metrics.replies = hit.num_comments
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return draft
}

// /api/v1/items/<id>: one item with its whole reply tree nested in `children`. Field names
// differ from a search hit's (`id` a number, `text` for both stories and comments, `type`).
const itemSchema = z.object({
  id: z.union([z.number(), z.string().min(1)]).transform(String),
  type: optString,
  created_at: optString,
  created_at_i: optNumber,
  author: optString,
  title: optString,
  url: optString,
  text: optString,
  points: optNumber,
  parent_id: optId,
  story_id: optId,
})
type Item = z.output<typeof itemSchema>

export interface HackerNewsThread {
  /** Every readable item of the tree, root first, depth first. */
  drafts: MentionDraft[]
  /** The ids of every item in the tree, readable or not (a look-up below them is redundant). */
  ids: Set<string>
  /** Items dropped for lacking an id or a creation time. */
  skipped: number
}

/**
 * Reads one /api/v1/items/<id> response. Comments take the root story's title as context, as
 * search's comment hits take story_title. Throws SourceResponseError when it is not JSON or
 * has no item id at its root.
 */
export function parseHackerNewsItem(body: unknown, url = 'hackernews'): HackerNewsThread {
  const value = jsonBody(body, url, 'item response')
  const root = itemSchema.safeParse(value)
  if (!root.success) {
    throw new SourceResponseError('hackernews: expected an item with an "id" from /api/v1/items', url, { cause: root.error })
  }
  const storyTitle = isStory(root.data) ? normaliseWhitespace(root.data.title ?? '') : ''
  const out: HackerNewsThread = { drafts: [], ids: new Set(), skipped: 0 }
  // Explicit stack: a long reply chain must not be limited by the call stack.
  const stack: unknown[] = [value]
  while (stack.length > 0) {
    const raw = stack.pop()
    const node = itemSchema.safeParse(raw)
    const draft = node.success ? itemToDraft(node.data, storyTitle) : undefined
    if (node.success) out.ids.add(node.data.id)
    if (draft) out.drafts.push(draft)
    else out.skipped++
    const children = raw !== null && typeof raw === 'object' ? (raw as { children?: unknown }).children : undefined
    if (Array.isArray(children)) for (let i = children.length - 1; i >= 0; i--) stack.push(children[i])
  }
  return out
}

function isStory(item: Item): boolean {
  return item.type != null ? item.type !== 'comment' : item.parent_id == null
}

function itemToDraft(item: Item, storyTitle: string): MentionDraft | undefined {
  const createdAt =
    typeof item.created_at_i === 'number' && Number.isFinite(item.created_at_i)
      ? item.created_at_i * 1000
      : Date.parse(item.created_at ?? '')
  if (!Number.isFinite(createdAt)) return undefined
  const draft: MentionDraft = {
    externalId: item.id,
    url: `https://news.ycombinator.com/item?id=${encodeURIComponent(String(item.id).replace(/\p{Surrogate}/gu, '\ufffd'))}`,
    text: htmlToText(item.text ?? ''),
    createdAt,
  }
  if (item.author) draft.author = { handle: item.author }
  if (isStory(item)) {
    const title = normaliseWhitespace(item.title ?? '')
    if (title) draft.title = title
    const canonical = httpUrl(item.url)
    if (canonical) draft.canonicalUrl = canonical
  } else {
    if (storyTitle) draft.title = storyTitle
    if (item.parent_id != null) draft.parentExternalId = String(item.parent_id)
    if (item.story_id != null) draft.threadExternalId = String(item.story_id)
  }
  if (typeof item.points === 'number') draft.metrics = { likes: item.points, score: item.points }
  return draft
}

// ---------------------------------------------------------------------------------------
// Queries (pure)

/**
 * The Algolia queries for a brand's terms.
 *
 * Algolia's `query` is an AND of words with no OR operator (algolia/hn-search#169 is the
 * open request). `optionalWords` can relax it, but it ranks partial matches lower and,
 * from four optional words on, raises the number of required words every 1,000 hits; on a
 * date-sorted index that makes recall depend on volume. So each term is its own query, and
 * the hits are merged and de-duplicated by objectID. A quoted phrase is sent as its words:
 * the pull matches phrases strictly afterwards, so a looser upstream match only costs bytes.
 *
 * A query whose words include every word of another query can only return a subset of that
 * query's hits (`"acme cloud"` ⊂ `acme`), so it is dropped to save requests.
 */
export function hackerNewsQueries(terms: readonly string[]): string[] {
  // Keyed by the sorted word set: word order does not change what Algolia matches.
  const byWords = new Map<string, { query: string; words: Set<string> }>()
  for (const term of terms) {
    const words = [...new Set(term.replace(/"/g, ' ').toLowerCase().split(/\s+/).filter(Boolean))]
    if (words.length === 0) continue
    const key = [...words].sort().join(' ')
    if (!byWords.has(key)) byWords.set(key, { query: words.join(' '), words: new Set(words) })
  }
  const entries = [...byWords.values()]
  return entries
    .filter((e) => !entries.some((other) => other !== e && isSubset(other.words, e.words)))
    .map((e) => e.query)
}

function isSubset(small: Set<string>, big: Set<string>): boolean {
  if (small.size > big.size) return false
  for (const w of small) if (!big.has(w)) return false
  return true
}

export interface SearchUrlParams {
  query: string
  tags: string
  hitsPerPage: number
  page: number
  /** Epoch ms, inclusive. */
  from: number
  /** Epoch ms, inclusive; open-ended when undefined. */
  to?: number
}

function apiUrl(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
}

export function searchByDateUrl(baseUrl: string, p: SearchUrlParams): URL {
  const url = apiUrl(baseUrl, 'api/v1/search_by_date')
  const filters = [`created_at_i>=${Math.floor(p.from / 1000)}`]
  if (p.to !== undefined) filters.push(`created_at_i<=${Math.ceil(p.to / 1000)}`)
  url.searchParams.set('query', p.query)
  url.searchParams.set('tags', p.tags)
  url.searchParams.set('numericFilters', filters.join(','))
  url.searchParams.set('hitsPerPage', String(p.hitsPerPage))
  url.searchParams.set('page', String(p.page))
  return url
}

/**
 * Algolia's tags for a handle's own comments: `comment` AND `author_<handle>` (a comma is AND).
 * Stories are left out: the brand's own submissions answer nobody.
 */
export function authorTags(handle: string): string {
  return `comment,author_${handle}`
}

/** The whole thread below one item. */
export function itemUrl(baseUrl: string, id: string): URL {
  return apiUrl(baseUrl, `api/v1/items/${encodeURIComponent(id)}`)
}

/** A brand's handles for this source, as the pull passes them to ownActivity (no leading @). */
export function hackerNewsHandles(handles: readonly string[] | undefined): string[] {
  return [...new Set((handles ?? []).map((h) => h.trim().replace(/^@/, '')).filter(Boolean))]
}

// ---------------------------------------------------------------------------------------
// Walks (I/O): search and own activity share them

/**
 * How far below each query's resume point a pull re-reads. Algolia indexes new items within
 * seconds to minutes, but not always in created_at order: an item can become searchable
 * after a newer one was seen and its created_at already passed. An hour holds that lag with
 * room to spare and costs a handful of re-fetched hits per query (inserts are idempotent).
 */
export const HACKERNEWS_OVERLAP_MS = 3600_000

/** One Algolia query with a cursor part of its own. */
interface WalkSpec {
  /** The key of its part in cursor.parts. */
  key: string
  /** How warnings name it. */
  label: string
  query: string
  tags: string
  /** False for a hit the upstream should not have returned (another author): dropped, counted. */
  accept?: (draft: MentionDraft) => boolean
  /** Why `accept` refused, for the warning. */
  refused?: string
}

interface SpecWalk extends WalkState {
  spec: WalkSpec
}

interface WalkQuery {
  cursor?: SourceQuery['cursor']
  since: number
  until?: number | undefined
  maxPages: number
}

interface WalkResult {
  /** The cursor of the last page yielded (q.cursor when nothing was walked). */
  cursor: Cursor
  /** Every externalId yielded. */
  seen: Set<string>
  /** The drafts yielded whose hit has replies, in the order met. */
  withReplies: MentionDraft[]
}

/**
 * search_by_date walks for every spec, newest first, each resumed from its own part of the
 * cursor: owed gaps first (so they cannot starve), then what is new, then any backfill. Every
 * page yields a cursor safe to commit as it stands.
 */
async function* walkSpecs(ctx: SourceContext<HackerNewsOptions>, specs: readonly WalkSpec[], q: WalkQuery): AsyncGenerator<Page, WalkResult> {
  const { baseUrl, hitsPerPage } = ctx.options
  // Both bound the same thing: pages per walk (one query over one time window).
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const result: WalkResult = { cursor: q.cursor ?? {}, seen: new Set(), withReplies: [] }

  // One cursor per spec: a query answering empty, or lagging, never moves another's.
  const previous = new Map(specs.map((spec) => [spec.key, partCursor(q.cursor, spec.key)]))
  const planned = specs.map((spec) => ({
    spec,
    windows: planWindows(previous.get(spec.key), { ...bounds, overlap: HACKERNEWS_OVERLAP_MS }),
  }))
  const walks = orderWalks(planned, ({ spec }, window): SpecWalk => ({ spec, window, status: 'pending' }))
  const cursorNow = (): Cursor =>
    cursorOfParts(specs.map((s) => s.key), (key) => mergeWalks(previous.get(key), walks.filter((w) => w.spec.key === key), bounds))

  if (walks.length === 0) {
    // Nothing to walk (until before since, or a window the cursor already covers): nothing learned.
    yield { mentions: [], cursor: result.cursor }
    return result
  }

  for (const walk of walks) {
    const { spec } = walk
    walk.status = 'running'
    const { from, to } = walk.window
    let upper = to
    let page = 0
    let fetchedInSlice = 0
    let outside = 0
    let refused = 0
    for (let pages = 0; ; pages++) {
      if (pages >= pageLimit) {
        walk.status = 'truncated'
        break
      }
      const url = searchByDateUrl(baseUrl, { query: spec.query, tags: spec.tags, hitsPerPage, page, from, ...(upper !== undefined ? { to: upper } : {}) })
      const res = await ctx.http.get(url, ctx.signal ? { signal: ctx.signal } : {})
      const parsed = parseHackerNewsPage(res.body, url.href)
      if (parsed.skipped > 0) ctx.warn(`skipped ${parsed.skipped} unreadable hit(s) from ${url.href}`)
      const replied = new Set(parsed.withReplies)

      const fresh: MentionDraft[] = []
      for (const d of parsed.drafts) {
        // Paging follows what the server sent, in or out of the window.
        if (walk.oldestSeen === undefined || d.createdAt < walk.oldestSeen) walk.oldestSeen = d.createdAt
        // An upstream that ignores numericFilters must not flood the store with old items.
        if (!keepHit(d.createdAt, walk.window, bounds)) {
          outside++
          continue
        }
        if (d.createdAt >= from && (to === undefined || d.createdAt <= to)) {
          if (walk.newestSeen === undefined || d.createdAt > walk.newestSeen) walk.newestSeen = d.createdAt
        }
        if (spec.accept && !spec.accept(d)) {
          refused++
          continue
        }
        if (result.seen.has(d.externalId)) continue
        result.seen.add(d.externalId)
        fresh.push(d)
        if (replied.has(d.externalId)) result.withReplies.push(d)
      }
      fetchedInSlice += parsed.hitCount

      const nbPages = parsed.nbPages ?? 0
      const nextWithinCap = (page + 1) * hitsPerPage < ALGOLIA_HIT_CAP
      if (parsed.hitCount === 0) {
        walk.status = 'done'
      } else if (nextWithinCap) {
        if (page + 1 < nbPages) page++
        else walk.status = 'done'
      } else if ((parsed.nbHits ?? 0) > fetchedInSlice && walk.oldestSeen !== undefined) {
        // Algolia serves no hit past the 1,000th: start a new slice below the oldest hit
        // seen. `<=` re-fetches that second's hits; the objectID set drops them.
        const nextUpper = walk.oldestSeen
        if (upper !== undefined && Math.ceil(nextUpper / 1000) >= Math.ceil(upper / 1000)) {
          // One second holds more than the cap: nothing more can be reached this way.
          walk.status = 'truncated'
        } else {
          upper = nextUpper
          page = 0
          fetchedInSlice = 0
        }
      } else {
        walk.status = 'done'
      }

      result.cursor = cursorNow()
      yield { mentions: fresh, cursor: result.cursor }
      if (walk.status !== 'running') break
    }
    if (walk.status === 'truncated') {
      const what = walk.window.kind === 'backfill' ? 'backfilling ' : ''
      ctx.warn(`stopped ${what}"${spec.label}" after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (outside > 0) {
      ctx.warn(`dropped ${outside} hit(s) for "${spec.label}" created outside the pull's window`)
    }
    if (refused > 0) {
      ctx.warn(`dropped ${refused} hit(s) for "${spec.label}" ${spec.refused ?? 'that do not belong to it'}`)
    }
  }
  return result
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

async function* searchHackerNews(
  ctx: SourceContext<HackerNewsOptions>,
  q: SourceQuery,
): AsyncIterable<Page> {
  if (!q.brand) throw new Error('hackernews: searched without a brand (its scope is "brand")')
  const queries = hackerNewsQueries(q.brand.terms)
  if (queries.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const { tags } = ctx.options
  const specs = queries.map((query): WalkSpec => ({ key: query, label: query, query, tags }))
  const walked = yield* walkSpecs(ctx, specs, q)

  const handles = hackerNewsHandles(q.brand.handles.hackernews)
  if (handles.length > 0 && ctx.options.threadLookups > 0 && walked.withReplies.length > 0) {
    yield* lookUpThreads(ctx, walked, handles, { since: q.since, until: q.until })
  }
}

// ---------------------------------------------------------------------------------------
// Thread look-ups (I/O)

/**
 * The brand's replies inside the threads search matched in this pull, one /api/v1/items
 * request per thread, at most `threadLookups` of them. A search hit names the brand, but the
 * reply to it often does not ("fixed now, sorry"), so search alone never sees it.
 *
 * Stories go first (one look-up covers every matched comment below them), then comments,
 * newest first; a candidate inside a tree already fetched costs nothing. A failed look-up
 * is a warning, not a failed search: the pages walked are stored and the cursor moves; the
 * brand's own-activity walk finds the same replies by another road. Pages carry the cursor
 * the walks ended with, so stopping among them loses nothing.
 */
async function* lookUpThreads(
  ctx: SourceContext<HackerNewsOptions>,
  walked: WalkResult,
  handles: readonly string[],
  bounds: WindowBounds,
): AsyncGenerator<Page> {
  const { baseUrl, threadLookups } = ctx.options
  const own = new Set(handles.map((h) => h.toLowerCase()))
  const candidates = [...walked.withReplies].sort(
    (a, b) => Number(a.parentExternalId !== undefined) - Number(b.parentExternalId !== undefined) || b.createdAt - a.createdAt,
  )
  const inFetchedTree = new Set<string>()
  let requests = 0
  let left = 0
  let failed = 0
  let firstFailure: string | undefined
  for (const candidate of candidates) {
    if (inFetchedTree.has(candidate.externalId)) continue
    if (requests >= threadLookups) {
      left++
      continue
    }
    requests++
    const url = itemUrl(baseUrl, candidate.externalId)
    let thread: HackerNewsThread
    try {
      const res = await ctx.http.get(url, ctx.signal ? { signal: ctx.signal } : {})
      thread = parseHackerNewsItem(res.body, url.href)
    } catch (err) {
      if (ctx.signal?.aborted) throw err
      if (err instanceof RateLimitError) {
        ctx.warn(`thread look-ups stopped: ${err.message}`)
        break
      }
      failed++
      firstFailure ??= err instanceof Error ? err.message : String(err)
      continue
    }
    for (const id of thread.ids) inFetchedTree.add(id)
    const replies: MentionDraft[] = []
    for (const d of thread.drafts) {
      const handle = d.author?.handle?.toLowerCase()
      if (handle === undefined || !own.has(handle) || d.parentExternalId === undefined) continue
      // A reply after --until is left to a later pull (or the own-activity walk).
      if (!inBounds(d.createdAt, bounds) || walked.seen.has(d.externalId)) continue
      walked.seen.add(d.externalId)
      if (d.title === undefined && candidate.title !== undefined) d.title = candidate.title
      replies.push(d)
    }
    if (replies.length > 0) yield { mentions: replies, cursor: walked.cursor }
  }
  if (failed > 0) ctx.warn(`${failed} of ${requests} thread look-up(s) failed; first: ${firstFailure ?? 'unknown error'}`)
  if (left > 0) ctx.warn(`looked up ${threadLookups} thread(s) with replies; ${left} more not checked (threadLookups: ${threadLookups})`)
}

// ---------------------------------------------------------------------------------------
// Own activity (I/O)

/**
 * The brand handles' own comments, newest first: search_by_date with the tags
 * `comment,author_<handle>` and no query, one walk (and cursor part) per handle. The drafts
 * are built exactly like search's, so a reply's parentExternalId (parent_id) is the
 * externalId (objectID) of the mention it answers, and the store marks that one answered.
 */
async function* hackerNewsOwnActivity(
  ctx: SourceContext<HackerNewsOptions>,
  q: OwnActivityQuery,
): AsyncIterable<Page> {
  const handles = hackerNewsHandles(q.handles)
  if (handles.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const specs = handles.map((handle): WalkSpec => {
    const lower = handle.toLowerCase()
    return {
      key: handle,
      label: authorTags(handle),
      query: '',
      tags: authorTags(handle),
      // Algolia filters by the tag; a proxy or an upstream change that ignores it must not
      // make other people's comments the brand's own.
      accept: (d) => d.author?.handle?.toLowerCase() === lower,
      refused: `not written by ${handle}`,
    }
  })
  yield* walkSpecs(ctx, specs, q)
}

export const hackerNewsSource: Source<HackerNewsOptions> = {
  kind: 'hackernews',
  scope: 'brand',
  options: hackerNewsOptions,
  requires: [],
  instanceKey: (options) => options.baseUrl,
  // The handles' own comments (ownActivity) find every reply, whether or not it names the
  // brand; thread look-ups in search find them sooner for the threads just matched.
  replies: 'own-activity',
  search: searchHackerNews,
  ownActivity: hackerNewsOwnActivity,
}
