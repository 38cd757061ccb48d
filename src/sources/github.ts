// GitHub issues and pull requests through the REST search API (`/search/issues`), plus the
// comments of the threads it finds, and the brand handles' own comments (ownActivity) to tell
// which threads the brand answered. One brand → one walk per term and kind (issue, pr),
// newest first by created_at, each with its own cursor part.
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { HttpError, type HttpResponse } from '../net/types.js'
import { fetchJson, rateLimitState, jsonBody, readEach } from './common.js'
import { normaliseText, normaliseWhitespace } from './html.js'
import { httpUrl } from './url.js'
import {
  SourceResponseError,
  type OwnActivityQuery,
  type Page,
  type Source,
  type SourceContext,
  type SourceQuery,
} from './types.js'
import { keepHit, mergeWalks, partCursor, planWindows, type WalkState, type Window, type WindowBounds, orderWalks, cursorOfParts } from './window.js'

const KIND = 'github'
const TOKEN = 'GITHUB_TOKEN'
const TOKEN_WHY = 'a GitHub token raises the search limit from 10 to 30 requests/min and the REST limit from 60 to 5,000/hour'

const repoName = z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, 'expected "owner/name"')

export const gitHubOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://api.github.com'),
  /** Pages per walk (one term and kind over one time window). */
  maxPages: z.int().min(1).max(50).default(5),
  perPage: z.int().min(1).max(100).default(100),
  /** Restrict the search to these repositories ("owner/name"). */
  repos: z.array(repoName).default([]),
  /** Extra search qualifiers, sent as they are ("label:bug -author:app/dependabot"). */
  qualifiers: z.string().default(''),
  /** Matched threads per pull whose comments are read (0: none). Each costs a REST request. */
  maxCommentThreads: z.int().min(0).max(500).default(20),
  /** Comment pages (of 100) read per thread. */
  commentPages: z.int().min(1).max(10).default(2),
})
export type GitHubOptions = z.output<typeof gitHubOptions>

/** GitHub serves at most this many results per search, however it is paged. */
const SEARCH_RESULT_CAP = 1000

/**
 * How far below each part's resume point a pull re-reads. GitHub's search index trails the
 * database by seconds to minutes, and not in created_at order; an hour holds that with room
 * to spare and costs a few re-fetched results (inserts are idempotent).
 */
export const GITHUB_OVERLAP_MS = 3600_000

export type IssueKind = 'issue' | 'pr'
const KINDS: readonly IssueKind[] = ['issue', 'pr']

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`), never fatal: one odd value must not
// cost the whole page.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)
const userSchema = z.object({ login: optString }).nullish().catch(undefined)
const reactionsSchema = z.object({ total_count: optNumber }).nullish().catch(undefined)

const issueSchema = z.object({
  number: z.number().int().positive(),
  html_url: optString,
  repository_url: optString,
  title: optString,
  body: optString,
  user: userSchema,
  created_at: optString,
  updated_at: optString,
  comments: optNumber,
  reactions: reactionsSchema,
  pull_request: z.unknown().optional(),
})

const searchSchema = z.object({
  total_count: z.number(),
  incomplete_results: z.boolean().optional().catch(undefined),
  items: z.array(z.unknown()),
})

const commentSchema = z.object({
  id: z.union([z.number(), z.string().min(1)]).transform(String),
  html_url: optString,
  body: optString,
  user: userSchema,
  created_at: optString,
  updated_at: optString,
  reactions: reactionsSchema,
})

/** What the search walk and the comment reader need of an issue, beside its draft. */
export interface GitHubIssue {
  draft: MentionDraft
  repo: string
  number: number
  isPullRequest: boolean
  comments: number
  /** Epoch ms; the created time when the API gave none. */
  updatedAt: number
}

export interface GitHubSearchPage {
  issues: GitHubIssue[]
  totalCount: number
  /** GitHub stopped the search early (a timeout): the results may miss matches. */
  incomplete: boolean
  /** Items returned, including the ones that could not be read. */
  itemCount: number
  skipped: number
}

/**
 * Reads one `/search/issues` response (a JSON string or the parsed value). Throws
 * SourceResponseError naming what is missing when it is not a search response.
 */
export function parseGitHubSearchPage(body: unknown, url = KIND): GitHubSearchPage {
  const value = jsonBody(body, url)
  const parsed = searchSchema.safeParse(value)
  if (!parsed.success) throw shapeError(value, parsed.error, 'a search response with "total_count" and an "items" array', url)
  const { items: issues, skipped } = readEach(parsed.data.items, issueSchema, toIssue)
  return {
    issues,
    totalCount: parsed.data.total_count,
    incomplete: parsed.data.incomplete_results === true,
    itemCount: parsed.data.items.length,
    skipped,
  }
}

/** The drafts of one search response. See parseGitHubSearchPage. */
export function parseGitHub(body: unknown, url?: string): MentionDraft[] {
  return parseGitHubSearchPage(body, url).issues.map((i) => i.draft)
}

export interface ParentIssue {
  /** The issue's externalId, `<owner>/<repo>#<number>`. */
  externalId: string
  title?: string | undefined
}

/**
 * Reads one `/repos/:o/:r/issues/:n/comments` response: an array of comments, each a draft
 * whose parent and thread are the issue. Unreadable comments are skipped (counted).
 */
export function parseGitHubComments(body: unknown, parent: ParentIssue, url = KIND): { drafts: MentionDraft[]; count: number; skipped: number } {
  const value = jsonBody(body, url)
  if (!Array.isArray(value)) throw shapeError(value, undefined, 'an array of issue comments', url)
  const { items: drafts, skipped } = readEach(value, commentSchema, (c) => commentToDraft(c, parent))
  return { drafts, count: value.length, skipped }
}

type RawIssue = z.output<typeof issueSchema>
type RawComment = z.output<typeof commentSchema>

function toIssue(raw: RawIssue): GitHubIssue | undefined {
  const createdAt = Date.parse(raw.created_at ?? '')
  const url = httpUrl(raw.html_url)
  const repo = repoOf(raw.repository_url) ?? repoOf(url)
  if (!Number.isFinite(createdAt) || !url || !repo) return undefined
  const externalId = issueExternalId(repo, raw.number)
  // Markdown is the text the author wrote; only its whitespace is normalised.
  const draft: MentionDraft = { externalId, url, text: normaliseText(raw.body ?? ''), createdAt }
  const title = normaliseWhitespace(raw.title ?? '')
  if (title) draft.title = title
  // Search results give the login only: no display name, no follower count (reach would
  // cost a /users request per author, which the search budget cannot carry).
  if (raw.user?.login) draft.author = { handle: raw.user.login }
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  if (typeof raw.reactions?.total_count === 'number') metrics.likes = raw.reactions.total_count
  if (typeof raw.comments === 'number') metrics.replies = raw.comments
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  const updatedAt = Date.parse(raw.updated_at ?? '')
  return {
    draft,
    repo,
    number: raw.number,
    isPullRequest: raw.pull_request != null,
    comments: typeof raw.comments === 'number' ? raw.comments : 0,
    updatedAt: Number.isFinite(updatedAt) ? updatedAt : createdAt,
  }
}

function commentToDraft(raw: RawComment, parent: ParentIssue): MentionDraft | undefined {
  const createdAt = Date.parse(raw.created_at ?? '')
  const url = httpUrl(raw.html_url)
  if (!Number.isFinite(createdAt) || !url) return undefined
  const draft: MentionDraft = {
    externalId: `${parent.externalId}/comment/${raw.id}`,
    url,
    text: normaliseText(raw.body ?? ''),
    createdAt,
    parentExternalId: parent.externalId,
    threadExternalId: parent.externalId,
  }
  // The thread's title gives a comment its context in lists; it is not the comment's own.
  if (parent.title) draft.title = parent.title
  if (raw.user?.login) draft.author = { handle: raw.user.login }
  if (typeof raw.reactions?.total_count === 'number') draft.metrics = { likes: raw.reactions.total_count }
  return draft
}

export function issueExternalId(repo: string, number: number): string {
  return `${repo}#${number}`
}

/** "owner/name" from an API repository URL (…/repos/o/r) or a web URL (github.com/o/r/issues/1). */
function repoOf(url: string | null | undefined): string | undefined {
  if (!url) return undefined
  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    return undefined
  }
  const m = /\/repos\/([^/]+)\/([^/]+)\/?$/.exec(path) ?? /^\/([^/]+)\/([^/]+)\/(?:issues|pull)\/\d+/.exec(path)
  return m ? `${decodeURIComponent(m[1] as string)}/${decodeURIComponent(m[2] as string)}` : undefined
}


function shapeError(value: unknown, error: z.ZodError | undefined, expected: string, url: string): SourceResponseError {
  // GitHub's error bodies carry a message (and often a documentation_url): show it.
  const message = typeof value === 'object' && value !== null && 'message' in value ? (value as { message: unknown }).message : undefined
  const said = typeof message === 'string' ? `; GitHub said: ${normaliseWhitespace(message).slice(0, 120)}` : ''
  const field = error?.issues[0]?.path.join('.')
  const missing = field ? ` (field "${field}")` : ''
  return new SourceResponseError(`expected ${expected}${missing}${said}`, url, error ? { cause: error } : undefined)
}

// ---------------------------------------------------------------------------------------
// Queries (pure)

/**
 * The search terms of a brand: one query per distinct term (GitHub has OR, but one query per
 * term keeps one cursor per term, so a term added later starts afresh). A quoted phrase stays
 * quoted (GitHub matches it as a phrase); unquoted words are sent as they are, an AND that is
 * looser than the brand's match, which the pull applies strictly afterwards.
 */
export function gitHubTerms(terms: readonly string[]): string[] {
  const out = new Map<string, string>()
  for (const term of terms) {
    const t = normaliseWhitespace(term)
    if (!t || t === '""') continue
    const key = t.toLowerCase()
    if (!out.has(key)) out.set(key, t)
  }
  return [...out.values()]
}

/** GitHub reads ISO times to the second; widen the window outwards so nothing falls off. */
function isoSeconds(ms: number, round: 'down' | 'up'): string {
  const s = round === 'down' ? Math.floor(ms / 1000) : Math.ceil(ms / 1000)
  return new Date(s * 1000).toISOString().replace('.000Z', 'Z')
}

/** A date qualifier: `created:>=A`, or the documented range form `created:A..B` when bounded. */
export function dateQualifier(field: 'created' | 'updated', from: number, to: number | undefined): string {
  const low = isoSeconds(from, 'down')
  return to === undefined ? `${field}:>=${low}` : `${field}:${low}..${isoSeconds(to, 'up')}`
}

export interface SearchQueryParts {
  /** The term, or for own activity a `commenter:` qualifier. */
  text: string
  kind: IssueKind
  repos?: readonly string[]
  qualifiers?: string
}

/** The `q` of one search, without its date qualifier. `is:issue` or `is:pr` always: GitHub answers 422 without one. */
export function searchQuery(p: SearchQueryParts): string {
  const parts = [p.text, `is:${p.kind}`, ...(p.repos ?? []).map((r) => `repo:${r}`)]
  const extra = normaliseWhitespace(p.qualifiers ?? '')
  if (extra) parts.push(extra)
  return parts.join(' ')
}

export function searchUrl(baseUrl: string, p: { q: string; sort: 'created' | 'updated'; perPage: number; page: number }): URL {
  const url = new URL('search/issues', withSlash(baseUrl))
  url.searchParams.set('q', p.q)
  url.searchParams.set('sort', p.sort)
  url.searchParams.set('order', 'desc')
  url.searchParams.set('per_page', String(p.perPage))
  if (p.page > 1) url.searchParams.set('page', String(p.page))
  return url
}

export function commentsUrl(baseUrl: string, p: { repo: string; number: number; since: number; page: number }): URL {
  const [owner = '', name = ''] = p.repo.split('/')
  const path = `repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}/issues/${p.number}/comments`
  const url = new URL(path, withSlash(baseUrl))
  url.searchParams.set('since', isoSeconds(p.since, 'down'))
  url.searchParams.set('per_page', '100')
  if (p.page > 1) url.searchParams.set('page', String(p.page))
  return url
}

/** The page number of the Link header's rel="next", or undefined on the last page. */
export function nextPage(link: string | undefined): number | undefined {
  if (!link) return undefined
  for (const part of link.split(',')) {
    const m = /<([^>]*)>\s*;(.*)$/.exec(part.trim())
    if (!m || !/\brel="?([^"]*\s)?next(\s[^"]*)?"?/.test(m[2] ?? '')) continue
    try {
      const page = Number(new URL(m[1] as string, 'https://api.github.com/').searchParams.get('page'))
      return Number.isInteger(page) && page > 0 ? page : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}

function withSlash(baseUrl: string): string {
  return baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`
}

// ---------------------------------------------------------------------------------------
// I/O

interface Walk extends WalkState {
  part: string
  q: string
  /** A page said incomplete_results: the walk claims nothing and is walked again next pull. */
  incomplete?: boolean
}

interface Requester {
  get(url: URL): Promise<{ body: unknown; response: HttpResponse }>
}

function requester(ctx: SourceContext<GitHubOptions>): Requester {
  const token = ctx.env[TOKEN]?.trim()
  const headers: Record<string, string> = {
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  }
  const note = token
    ? undefined
    : `no ${TOKEN}: search is limited to 10 requests/min and comment reads to 60/hour`
  // Said before any request, so `mentions sources` shows it even when the first one fails.
  if (note) ctx.report?.({ note })
  return {
    async get(url) {
      const got = await fetchJson(ctx, url, {
        headers,
        credentials: [TOKEN],
        // A plain 403 (not an exhausted window, which the client turns into RateLimitError).
        forbidden: token ? 'GitHub refused the request (the token lacks access, or a secondary rate limit)' : 'GitHub refused the request (a secondary rate limit, or a resource that needs a token)',
      })
      const state = rateLimitState(got.response.headers, ctx.now())
      if (state && ctx.report) {
        const resource = got.response.headers['x-ratelimit-resource']
        const about = resource ? `${resource} quota` : undefined
        const text = [about, note].filter(Boolean).join('; ')
        ctx.report(text ? { ...state, note: text } : state)
      }
      return got
    },
  }
}

/**
 * One search walk over one time window, newest first: Link-header paging, and a new slice
 * below the oldest result seen when the 1,000-result cap would cut paging short. Yields each
 * page's issues; updates `walk` as it goes. `field` is the date the window is on.
 */
async function* walkSearch(
  ctx: SourceContext<GitHubOptions>,
  http: Requester,
  walk: Walk,
  opts: { field: 'created' | 'updated'; pageLimit: number; bounds: WindowBounds },
): AsyncIterable<GitHubIssue[]> {
  const { baseUrl, perPage } = ctx.options
  const { from, to } = walk.window
  const dateOf = (i: GitHubIssue) => (opts.field === 'created' ? i.draft.createdAt : i.updatedAt)
  let upper = to
  let page = 1
  let fetchedInSlice = 0
  walk.status = 'running'
  for (let pages = 0; ; pages++) {
    if (pages >= opts.pageLimit) {
      walk.status = 'truncated'
      return
    }
    const q = `${walk.q} ${dateQualifier(opts.field, from, upper)}`
    const url = searchUrl(baseUrl, { q, sort: opts.field, perPage, page })
    const { body, response } = await http.get(url)
    const parsed = parseGitHubSearchPage(body, url.href)
    if (parsed.skipped > 0) ctx.warn(`skipped ${parsed.skipped} unreadable result(s) for "${walk.q}"`)
    if (parsed.incomplete) walk.incomplete = true

    const kept: GitHubIssue[] = []
    for (const issue of parsed.issues) {
      const t = dateOf(issue)
      // Paging follows what the server sent, in or out of the window.
      if (walk.oldestSeen === undefined || t < walk.oldestSeen) walk.oldestSeen = t
      if (t >= from && (to === undefined || t <= to) && (walk.newestSeen === undefined || t > walk.newestSeen)) walk.newestSeen = t
      kept.push(issue)
    }
    fetchedInSlice += parsed.itemCount

    const next = nextPage(response.headers['link'])
    if (parsed.itemCount === 0) walk.status = 'done'
    else if (next !== undefined && (next - 1) * perPage < SEARCH_RESULT_CAP) page = next
    else if (parsed.totalCount > fetchedInSlice && walk.oldestSeen !== undefined) {
      // Paging cannot pass the 1,000th result: search again below the oldest one seen. The
      // bound is inclusive, so that second is read twice; the caller drops repeats.
      const nextUpper = walk.oldestSeen
      if (upper !== undefined && Math.ceil(nextUpper / 1000) >= Math.ceil(upper / 1000)) walk.status = 'truncated'
      else {
        upper = nextUpper
        page = 1
        fetchedInSlice = 0
      }
    } else walk.status = 'done'

    yield kept
    if (walk.status !== 'running') return
  }
}

/** The walks for a set of parts, owed gaps first (so they cannot starve), then new, then backfill. */
function planWalks(cursor: Cursor | undefined, parts: { part: string; q: string }[], bounds: WindowBounds): { walks: Walk[]; previous: Map<string, Cursor | undefined> } {
  const previous = new Map(parts.map((p) => [p.part, partCursor(cursor, p.part)]))
  const planned = parts.map((p) => ({ ...p, windows: planWindows(previous.get(p.part), { ...bounds, overlap: GITHUB_OVERLAP_MS }) }))
  const walks = orderWalks(planned, (p, window): Walk => ({ part: p.part, q: p.q, window, status: 'pending' }))
  return { walks, previous }
}

function cursorOf(parts: readonly string[], walks: readonly Walk[], previous: Map<string, Cursor | undefined>, bounds: WindowBounds): Cursor {
  return cursorOfParts(parts, (part) => {
    // An incomplete search proves nothing: count that walk as not started.
    const own = walks.filter((w) => w.part === part).map((w): WalkState => (w.incomplete ? { window: w.window, status: 'pending' } : w))
    return mergeWalks(previous.get(part), own, bounds)
  })
}

/**
 * Reads the comments of one thread created in the walk's window (comments `since` its start;
 * GitHub's `since` is on updated_at, so older ones that were edited are dropped here).
 */
async function readComments(
  ctx: SourceContext<GitHubOptions>,
  http: Requester,
  issue: GitHubIssue,
  window: Window,
  bounds: WindowBounds,
): Promise<MentionDraft[]> {
  const parent = { externalId: issue.draft.externalId, title: issue.draft.title }
  const out: MentionDraft[] = []
  let page = 1
  for (let pages = 0; pages < ctx.options.commentPages; pages++) {
    const url = commentsUrl(ctx.options.baseUrl, { repo: issue.repo, number: issue.number, since: window.from, page })
    const { body, response } = await http.get(url)
    const parsed = parseGitHubComments(body, parent, url.href)
    for (const d of parsed.drafts) if (keepHit(d.createdAt, window, bounds)) out.push(d)
    const next = nextPage(response.headers['link'])
    if (next === undefined) return out
    page = next
  }
  ctx.warn(`read the first ${ctx.options.commentPages} page(s) of comments on ${issue.draft.externalId}; the rest are not read`)
  return out
}

async function* searchGitHub(ctx: SourceContext<GitHubOptions>, q: SourceQuery): AsyncIterable<Page> {
  if (!q.brand) throw new Error('github: searched without a brand (its scope is "brand")')
  const http = requester(ctx)
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const terms = gitHubTerms(q.brand.terms)
  if (terms.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no searchable terms`)
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const parts = terms.flatMap((term) =>
    KINDS.map((kind) => ({ part: `is:${kind} ${term}`, q: searchQuery({ text: term, kind, repos: ctx.options.repos, qualifiers: ctx.options.qualifiers }) })),
  )
  const { walks, previous } = planWalks(q.cursor, parts, bounds)
  const partKeys = parts.map((p) => p.part)
  const cursorNow = () => cursorOf(partKeys, walks, previous, bounds)
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  const seen = new Set<string>()
  const commentsRead = new Set<string>()
  let threadBudget = ctx.options.maxCommentThreads
  let threadsSkipped = 0
  let commentsFailed = false
  for (const walk of walks) {
    let outside = 0
    for await (const issues of walkSearch(ctx, http, walk, { field: 'created', pageLimit, bounds })) {
      const fresh: MentionDraft[] = []
      const threads: GitHubIssue[] = []
      for (const issue of issues) {
        // An upstream that ignores the created: qualifier must not flood the store.
        if (!keepHit(issue.draft.createdAt, walk.window, bounds)) {
          outside++
          continue
        }
        if (seen.has(issue.draft.externalId)) continue
        seen.add(issue.draft.externalId)
        fresh.push(issue.draft)
        if (issue.comments > 0) threads.push(issue)
      }
      const cursor = cursorNow()
      yield { mentions: fresh, cursor }

      // Comments come after their page is stored, so a comment read that fails costs no issue.
      const comments: MentionDraft[] = []
      for (const issue of threads) {
        if (commentsFailed || commentsRead.has(issue.draft.externalId)) continue
        if (threadBudget <= 0) {
          threadsSkipped++
          continue
        }
        threadBudget--
        commentsRead.add(issue.draft.externalId)
        try {
          comments.push(...(await readComments(ctx, http, issue, walk.window, bounds)))
        } catch (err) {
          if (ctx.signal?.aborted) throw err
          // One deleted or transferred thread (404) costs only its comments; anything else
          // (rate limit, refused token) would fail every later read too.
          const message = err instanceof Error ? err.message : String(err)
          if (err instanceof HttpError && (err.status === 404 || err.status === 410)) {
            ctx.warn(`could not read the comments of ${issue.draft.externalId} (${message})`)
            continue
          }
          commentsFailed = true
          ctx.warn(`stopped reading comments for this pull: ${message}`)
        }
      }
      if (comments.length > 0) yield { mentions: comments, cursor }
    }
    if (walk.status === 'truncated') {
      const what = walk.window.kind === 'backfill' ? 'backfilling ' : ''
      ctx.warn(`stopped ${what}"${walk.q}" after ${pageLimit} page(s); the rest is fetched next pull`)
    }
    if (walk.incomplete) ctx.warn(`GitHub returned incomplete results for "${walk.q}" (a search timeout); that window is searched again next pull`)
    if (outside > 0) ctx.warn(`dropped ${outside} result(s) for "${walk.q}" created outside the pull's window`)
  }
  if (threadsSkipped > 0 && ctx.options.maxCommentThreads > 0) {
    ctx.warn(`read the comments of ${ctx.options.maxCommentThreads} thread(s) (maxCommentThreads); ${threadsSkipped} more thread(s) with comments were not read`)
  }
}

/**
 * The brand handles' own comments: for each login, the issues and pull requests it commented
 * on, updated in the window (`commenter:<login>`, newest updated first), then that thread's
 * comments by the login. The walk is on updated_at: a comment created at T leaves its thread
 * updated at T or later, so a walk that has read every thread updated since T has seen every
 * comment created since T.
 */
async function* gitHubOwnActivity(ctx: SourceContext<GitHubOptions>, q: OwnActivityQuery): AsyncIterable<Page> {
  const http = requester(ctx)
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const logins = [...new Set(q.handles.map((h) => h.trim().replace(/^@/, '')).filter((h) => /^[A-Za-z0-9-]+(\[bot\])?$/.test(h)))]
  if (logins.length === 0) {
    ctx.warn(`brand "${q.brand.name}" has no valid GitHub logins in handles.github`)
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const parts = logins.flatMap((login) =>
    KINDS.map((kind) => ({ part: `is:${kind} commenter:${login}`, login, q: searchQuery({ text: `commenter:${login}`, kind, repos: ctx.options.repos }) })),
  )
  const { walks, previous } = planWalks(q.cursor, parts, bounds)
  const partKeys = parts.map((p) => p.part)
  const loginOf = new Map(parts.map((p) => [p.part, p.login.toLowerCase()]))
  const cursorNow = () => cursorOf(partKeys, walks, previous, bounds)
  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }
  const seen = new Set<string>()
  for (const walk of walks) {
    const login = loginOf.get(walk.part) as string
    for await (const issues of walkSearch(ctx, http, walk, { field: 'updated', pageLimit, bounds })) {
      const own: MentionDraft[] = []
      for (const issue of issues) {
        if (issue.updatedAt < walk.window.from) continue
        for (const d of await readComments(ctx, http, issue, walk.window, bounds)) {
          if (d.author?.handle?.toLowerCase() !== login || seen.has(d.externalId)) continue
          seen.add(d.externalId)
          own.push(d)
        }
      }
      // The cursor moves only with the comments of this page's threads in hand.
      yield { mentions: own, cursor: cursorNow() }
    }
    if (walk.status === 'truncated') ctx.warn(`stopped reading ${login}'s activity after ${pageLimit} page(s); the rest is fetched next pull`)
    if (walk.incomplete) ctx.warn(`GitHub returned incomplete results for "${walk.q}"; that window is searched again next pull`)
  }
}

export const gitHubSource: Source<GitHubOptions> = {
  kind: KIND,
  scope: 'brand',
  options: gitHubOptions,
  requires: [{ env: TOKEN, optional: true, why: TOKEN_WHY }],
  instanceKey: (o) => [o.baseUrl, ...o.repos.map((r) => `repo:${r}`), normaliseWhitespace(o.qualifiers)].filter(Boolean).join(' '),
  // Search results carry no reach and no comments; the brand's own comments are read per
  // handle (ownActivity), and comments of matched threads by a handle link as replies too.
  replies: 'own-activity',
  search: searchGitHub,
  ownActivity: gitHubOwnActivity,
}
