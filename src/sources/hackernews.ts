// Hacker News through Algolia's HN Search API (no credentials). One brand → one or more
// search_by_date walks, newest first, resumed from a created_at timestamp.
import { httpUrl } from './url.js'
import { errorSnippet } from '../net/redact.js'
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { htmlToText, normaliseWhitespace } from './html.js'
import { SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'
import { keepHit, mergeWalks, partCursor, planWindows, withParts, type WalkState, type WindowBounds } from './window.js'

export const hackerNewsOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://hn.algolia.com'),
  maxPages: z.int().min(1).max(50).default(5),
  hitsPerPage: z.int().min(1).max(1000).default(100),
  tags: z.string().min(1).default('(story,comment)'),
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
  page: number | undefined
  nbPages: number | undefined
  nbHits: number | undefined
}

/**
 * Reads one search / search_by_date response (a JSON string or the parsed value).
 * Throws SourceResponseError when it is not JSON or not an Algolia response.
 */
export function parseHackerNewsPage(body: unknown, url = 'hackernews'): HackerNewsPage {
  let value = body
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body)
    } catch (cause) {
      throw new SourceResponseError(`hackernews: response is not JSON (${snippet(body)})`, url, { cause })
    }
  }
  const parsed = responseSchema.safeParse(value)
  if (!parsed.success) {
    throw new SourceResponseError(
      'hackernews: expected an Algolia search response with a "hits" array',
      url,
      { cause: parsed.error },
    )
  }
  const drafts: MentionDraft[] = []
  let skipped = 0
  for (const raw of parsed.data.hits) {
    const hit = hitSchema.safeParse(raw)
    const draft = hit.success ? hitToDraft(hit.data) : undefined
    if (draft) drafts.push(draft)
    else skipped++
  }
  return {
    drafts,
    hitCount: parsed.data.hits.length,
    skipped,
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
    url: `https://news.ycombinator.com/item?id=${encodeURIComponent(hit.objectID)}`,
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

function snippet(s: string): string {
  return errorSnippet(s, [], 60) || 'empty body'
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

export function searchByDateUrl(baseUrl: string, p: SearchUrlParams): URL {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
  const url = new URL('api/v1/search_by_date', base)
  const filters = [`created_at_i>=${Math.floor(p.from / 1000)}`]
  if (p.to !== undefined) filters.push(`created_at_i<=${Math.ceil(p.to / 1000)}`)
  url.searchParams.set('query', p.query)
  url.searchParams.set('tags', p.tags)
  url.searchParams.set('numericFilters', filters.join(','))
  url.searchParams.set('hitsPerPage', String(p.hitsPerPage))
  url.searchParams.set('page', String(p.page))
  return url
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

/**
 * How far below each query's resume point a pull re-reads. Algolia indexes new items within
 * seconds to minutes, but not always in created_at order: an item can become searchable
 * after a newer one was seen and its created_at already passed. An hour holds that lag with
 * room to spare and costs a handful of re-fetched hits per query (inserts are idempotent).
 */
export const HACKERNEWS_OVERLAP_MS = 3600_000

interface QueryWalk extends WalkState {
  query: string
}

async function* searchHackerNews(
  ctx: SourceContext<HackerNewsOptions>,
  q: SourceQuery,
): AsyncIterable<Page> {
  if (!q.brand) throw new Error('hackernews: searched without a brand (its scope is "brand")')
  const { baseUrl, tags, hitsPerPage } = ctx.options
  // Both bound the same thing: pages per walk (one query over one time window).
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const queries = hackerNewsQueries(q.brand.terms)
  if (queries.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  // One cursor per query: a query answering empty, or lagging, never moves another's.
  const previous = new Map(queries.map((query) => [query, partCursor(q.cursor, query)]))
  const planned = queries.map((query) => ({
    query,
    windows: planWindows(previous.get(query), { ...bounds, overlap: HACKERNEWS_OVERLAP_MS }),
  }))
  const walks: QueryWalk[] = []
  // Owed gaps first (so they cannot starve), then what is new, then any backfill.
  for (const kind of ['gap', 'new', 'backfill'] as const) {
    for (const { query, windows } of planned) {
      for (const window of windows) if (window.kind === kind) walks.push({ query, window, status: 'pending' })
    }
  }

  const cursorNow = (): Cursor => {
    const parts: Record<string, Cursor> = {}
    for (const query of queries) {
      const part = mergeWalks(previous.get(query), walks.filter((w) => w.query === query), bounds)
      if (Object.keys(part).length > 0) parts[query] = part
    }
    return withParts(parts)
  }

  if (walks.length === 0) {
    // Nothing to walk (until before since, or a window the cursor already covers): nothing learned.
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  const seen = new Set<string>()
  for (const walk of walks) {
    walk.status = 'running'
    const { from, to } = walk.window
    let upper = to
    let page = 0
    let fetchedInSlice = 0
    let outside = 0
    for (let pages = 0; ; pages++) {
      if (pages >= pageLimit) {
        walk.status = 'truncated'
        break
      }
      const url = searchByDateUrl(baseUrl, { query: walk.query, tags, hitsPerPage, page, from, ...(upper !== undefined ? { to: upper } : {}) })
      const res = await ctx.http.get(url, ctx.signal ? { signal: ctx.signal } : {})
      const parsed = parseHackerNewsPage(res.body, url.href)
      if (parsed.skipped > 0) ctx.warn(`skipped ${parsed.skipped} unreadable hit(s) from ${url.href}`)

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
        if (seen.has(d.externalId)) continue
        seen.add(d.externalId)
        fresh.push(d)
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

      yield { mentions: fresh, cursor: cursorNow() }
      if (walk.status !== 'running') break
    }
    if (walk.status === 'truncated') {
      const what = walk.window.kind === 'backfill' ? 'backfilling ' : ''
      ctx.warn(`stopped ${what}"${walk.query}" after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (outside > 0) {
      ctx.warn(`dropped ${outside} hit(s) for "${walk.query}" created outside the pull's window`)
    }
  }
}

export const hackerNewsSource: Source<HackerNewsOptions> = {
  kind: 'hackernews',
  scope: 'brand',
  options: hackerNewsOptions,
  requires: [],
  instanceKey: (options) => options.baseUrl,
  // The brand's comments arrive in search results when they name it; ownActivity (its
  // handles' own comments) is the next step.
  replies: 'thread',
  search: searchHackerNews,
}
