// Dev.to through the Forem API (no credential for reads). Forem has no keyword search, so the
// source polls article lists (the latest articles, and any configured tags), keeps what is
// new, and fetches the comment trees of articles that may concern a brand.
import { z } from 'zod'
import type { MentionDraft } from '../model.js'
import { fetchJson, rateLimitState, jsonBody } from './common.js'
import { htmlToText, normaliseWhitespace } from './html.js'
import { pollFeed, type FeedQuery, type PolledItem, type PolledPage, type PollPart } from './poll.js'
import { SourceResponseError, type Page, type Source, type SourceContext } from './types.js'
import { httpUrl } from './url.js'

export const devtoOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://dev.to'),
  /** Pages per list (latest, each tag) per pull. */
  maxPages: z.int().min(1).max(50).default(5),
  perPage: z.int().min(1).max(1000).default(100),
  /** Tag lists to poll besides the latest articles (without the #). */
  tags: z.array(z.string().regex(/^[a-z0-9]+$/i, 'a Forem tag is letters and digits only')).default([]),
  /** Poll /api/articles/latest (every new article, newest first). */
  latest: z.boolean().default(true),
  /** Hours below the resume point each pull re-reads: new comments under those articles are fetched. */
  overlapHours: z.number().min(0).max(24 * 30).default(24),
})
export type DevtoOptions = z.output<typeof devtoOptions>

const KIND = 'devto'
const API_KEY = 'DEVTO_API_KEY'
/** Where permalinks point when a response gives none (articles and comments live on dev.to). */
const SITE = 'https://dev.to'

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`), never fatal: one odd value must not cost
// the page.
const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)
const userSchema = z
  .object({ username: optString, name: optString })
  .nullish()
  .catch(undefined)

const articleSchema = z.object({
  id: z.union([z.int(), z.string().min(1)]).transform(String),
  title: optString,
  description: optString,
  url: optString,
  canonical_url: optString,
  path: optString,
  published_at: optString,
  published_timestamp: optString,
  created_at: optString,
  positive_reactions_count: optNumber,
  public_reactions_count: optNumber,
  comments_count: optNumber,
  user: userSchema,
})

const commentSchema = z.object({
  id_code: z.string().min(1),
  created_at: optString,
  body_html: optString,
  user: userSchema,
  positive_reactions_count: optNumber,
  public_reactions_count: optNumber,
  children: z.array(z.unknown()).nullish().catch(undefined),
})

export interface DevtoArticles {
  items: (PolledItem & { articleId: string })[]
  skipped: number
}

/** The article id inside an `article:<id>` externalId. */
export const articleExternalId = (id: string) => `article:${id}`
export const commentExternalId = (idCode: string) => `comment:${idCode}`


/** A Forem error body ({"error": "...", "status": 404}) as a line a user can act on. */
function shapeError(value: unknown, expected: string, url: string): SourceResponseError {
  if (value && typeof value === 'object' && 'error' in value && typeof value.error === 'string') {
    const status = 'status' in value && typeof value.status === 'number' ? ` ${value.status}` : ''
    return new SourceResponseError(`devto: the API answered with an error${status}: ${normaliseWhitespace(value.error).slice(0, 120)}`, url)
  }
  return new SourceResponseError(`devto: expected ${expected}`, url)
}

/** Reads an article list (/api/articles, /api/articles/latest). */
export function readDevtoArticles(body: unknown, url = 'devto'): DevtoArticles {
  const value = jsonBody(body, url)
  if (!Array.isArray(value)) throw shapeError(value, 'a JSON array of articles', url)
  const items: DevtoArticles['items'] = []
  let skipped = 0
  for (const raw of value) {
    const parsed = articleSchema.safeParse(raw)
    const draft = parsed.success ? articleDraft(parsed.data) : undefined
    if (!parsed.success || !draft) {
      skipped++
      continue
    }
    const item: DevtoArticles['items'][number] = { draft, articleId: parsed.data.id, thread: parsed.data.id }
    if (typeof parsed.data.comments_count === 'number') item.commentCount = parsed.data.comments_count
    items.push(item)
  }
  return { items, skipped }
}

/** The drafts of an article list. See readDevtoArticles. */
export function parseDevto(body: unknown, url?: string): MentionDraft[] {
  return readDevtoArticles(body, url).items.map((i) => i.draft)
}

function articleDraft(a: z.output<typeof articleSchema>): MentionDraft | undefined {
  const createdAt = firstTime(a.published_at, a.published_timestamp, a.created_at)
  if (createdAt === undefined) return undefined
  const url = httpUrl(a.url) ?? (a.path ? httpUrl(a.path, SITE) : undefined)
  if (!url) return undefined
  const draft: MentionDraft = {
    externalId: articleExternalId(a.id),
    url,
    // List responses carry no body: the description (Forem's excerpt) is what there is to match.
    text: htmlToText(a.description ?? ''),
    createdAt,
  }
  const title = normaliseWhitespace(a.title ?? '')
  if (title) draft.title = title
  const canonical = httpUrl(a.canonical_url)
  if (canonical && canonical !== url) draft.canonicalUrl = canonical
  const author = authorOf(a.user)
  if (author) draft.author = author
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  const likes = a.public_reactions_count ?? a.positive_reactions_count
  if (typeof likes === 'number') metrics.likes = likes
  if (typeof a.comments_count === 'number') metrics.replies = a.comments_count
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return draft
}

export interface DevtoCommentsRead {
  drafts: MentionDraft[]
  skipped: number
}

/**
 * Reads an article's comment tree (/api/comments?a_id=<id>) into flat drafts. A top-level
 * comment's parent is the article; a reply's is the comment it answers.
 */
export function readDevtoComments(
  body: unknown,
  article: { id: string; title?: string | undefined },
  url = 'devto',
): DevtoCommentsRead {
  const value = jsonBody(body, url)
  if (!Array.isArray(value)) throw shapeError(value, 'a JSON array of comments', url)
  const drafts: MentionDraft[] = []
  let skipped = 0
  const thread = articleExternalId(article.id)
  // An explicit stack: a deep thread must not exhaust the call stack.
  const stack: { raw: unknown; parent: string }[] = value.map((raw) => ({ raw, parent: thread })).reverse()
  while (stack.length > 0) {
    const { raw, parent } = stack.pop() as { raw: unknown; parent: string }
    const parsed = commentSchema.safeParse(raw)
    if (!parsed.success) {
      skipped++
      continue
    }
    const c = parsed.data
    const id = commentExternalId(c.id_code)
    const children = (c.children ?? []).map((child) => ({ raw: child, parent: id })).reverse()
    stack.push(...children)
    const createdAt = firstTime(c.created_at)
    const text = htmlToText(c.body_html ?? '')
    // A deleted or hidden comment keeps its place in the tree (its replies point at it), but
    // says nothing of its own.
    if (createdAt === undefined || /^\[(deleted|hidden by post author)\]$/i.test(text)) {
      if (createdAt === undefined) skipped++
      continue
    }
    const author = authorOf(c.user)
    const draft: MentionDraft = {
      externalId: id,
      url: author?.handle ? `${SITE}/${encodeURIComponent(String(author.handle).replace(/\p{Surrogate}/gu, '\ufffd'))}/comment/${encodeURIComponent(String(c.id_code).replace(/\p{Surrogate}/gu, '\ufffd'))}` : `${SITE}/comment/${encodeURIComponent(String(c.id_code).replace(/\p{Surrogate}/gu, '\ufffd'))}`,
      text,
      createdAt,
      parentExternalId: parent,
      threadExternalId: thread,
    }
    // The article's title gives a comment its context in lists; the pull matches on the text.
    const title = normaliseWhitespace(article.title ?? '')
    if (title) draft.title = title
    if (author) draft.author = author
    const likes = c.public_reactions_count ?? c.positive_reactions_count
    if (typeof likes === 'number') draft.metrics = { likes }
    const childCount = c.children?.length
    if (childCount) draft.metrics = { ...draft.metrics, replies: childCount }
    drafts.push(draft)
  }
  return { drafts, skipped }
}

function authorOf(user: z.output<typeof userSchema>): MentionDraft['author'] | undefined {
  const handle = normaliseWhitespace(user?.username ?? '')
  if (!handle) return undefined
  // Forem's API gives no follower count: reach stays unknown.
  const author: NonNullable<MentionDraft['author']> = { handle }
  const name = normaliseWhitespace(user?.name ?? '')
  if (name) author.name = name
  return author
}

function firstTime(...values: (string | null | undefined)[]): number | undefined {
  for (const v of values) {
    const t = Date.parse(v ?? '')
    if (Number.isFinite(t)) return t
  }
  return undefined
}

// ---------------------------------------------------------------------------------------
// URLs (pure)

function apiUrl(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
}

export function latestUrl(baseUrl: string, page: number, perPage: number): URL {
  const url = apiUrl(baseUrl, 'api/articles/latest')
  url.searchParams.set('per_page', String(perPage))
  url.searchParams.set('page', String(page))
  return url
}

export function tagUrl(baseUrl: string, tag: string, page: number, perPage: number): URL {
  const url = apiUrl(baseUrl, 'api/articles')
  url.searchParams.set('tag', tag)
  url.searchParams.set('per_page', String(perPage))
  url.searchParams.set('page', String(page))
  return url
}

export function commentsUrl(baseUrl: string, articleId: string): URL {
  const url = apiUrl(baseUrl, 'api/comments')
  url.searchParams.set('a_id', articleId)
  return url
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

async function get(ctx: SourceContext<DevtoOptions>, url: URL): Promise<unknown> {
  const key = ctx.env[API_KEY]?.trim()
  const { body, response } = await fetchJson(ctx, url, {
    headers: { accept: 'application/json', ...(key ? { 'api-key': key } : {}) },
    ...(key ? { credentials: [API_KEY] } : {}),
  })
  const state = rateLimitState(response.headers, ctx.now())
  if (state) ctx.report?.(state)
  return body
}

function searchDevto(ctx: SourceContext<DevtoOptions>, q: FeedQuery): AsyncIterable<Page> {
  const { baseUrl, perPage, tags, latest } = ctx.options
  const titles = new Map<string, string | undefined>()
  const listPart = (key: string, label: string, order: PollPart['order'], urlOf: (page: number) => URL): PollPart => ({
    key,
    label,
    order,
    async fetch(page): Promise<PolledPage> {
      const url = urlOf(page)
      const read = readDevtoArticles(await get(ctx, url), url.href)
      for (const i of read.items) titles.set(i.articleId, i.draft.title)
      return read
    },
  })
  const parts: PollPart[] = []
  if (latest) parts.push(listPart('latest', 'latest', 'newest', (p) => latestUrl(baseUrl, p, perPage)))
  // Forem sorts a tag's list by hotness, not by date.
  for (const tag of [...new Set(tags.map((t) => t.toLowerCase()))]) {
    parts.push(listPart(`tag:${tag}`, `tag ${tag}`, 'ranked', (p) => tagUrl(baseUrl, tag, p, perPage)))
  }
  return pollFeed({
    ctx,
    q,
    kind: KIND,
    parts,
    pageLimit: Math.max(1, Math.min(q.maxPages, ctx.options.maxPages)),
    overlapMs: ctx.options.overlapHours * 3600_000,
    noun: { one: 'article', many: 'articles' },
    async comments(item) {
      const id = item.thread as string
      const url = commentsUrl(baseUrl, id)
      const read = readDevtoComments(await get(ctx, url), { id, title: titles.get(id) }, url.href)
      if (read.skipped > 0) ctx.warn(`skipped ${read.skipped} unreadable comment(s) of ${item.draft.url}`)
      return read.drafts
    },
  })
}

export const devtoSource: Source<DevtoOptions> = {
  kind: KIND,
  scope: 'feed',
  options: devtoOptions,
  requires: [{ env: API_KEY, optional: true, why: 'sent as the api-key header; reads need none' }],
  // Tags live in cursor parts, so a tag added later starts afresh without resetting the rest.
  instanceKey: (options) => options.baseUrl,
  // The brand's comments come with each article's comment tree, linked by parent id.
  replies: 'thread',
  search: searchDevto,
}
