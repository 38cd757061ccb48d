// Lobsters (lobste.rs; no credential). Its search is HTML only, so the source polls the newest
// stories (/newest.json, then /newest/page/<n>.json), keeps what is new, and reads the comments
// of stories that may concern a brand (/s/<short_id>.json: the story with all its comments).
import { z } from 'zod'
import type { MentionDraft } from '../model.js'
import { fetchJson, rateLimitState, jsonBody } from './common.js'
import { htmlToText, normaliseWhitespace } from './html.js'
import { pollFeed, type FeedQuery, type PolledItem } from './poll.js'
import { SourceResponseError, type Page, type Source, type SourceContext } from './types.js'
import { httpUrl } from './url.js'

export const lobstersOptions = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://lobste.rs'),
  /**
   * Pages of 25 stories per pull. Lobsters allows 30 requests a minute per IP: the pages and
   * the matched stories' comment reads share that.
   */
  maxPages: z.int().min(1).max(20).default(4),
  /** Hours below the resume point each pull re-reads: new comments under those stories are fetched. */
  overlapHours: z.number().min(0).max(24 * 30).default(24),
})
export type LobstersOptions = z.output<typeof lobstersOptions>

const KIND = 'lobsters'
const SITE = 'https://lobste.rs'

// ---------------------------------------------------------------------------------------
// Parsing (pure)

const optString = z.string().nullish().catch(undefined)
const optNumber = z.number().nullish().catch(undefined)
// A username now; an object with username and karma in older responses.
const userSchema = z
  .union([z.string(), z.object({ username: optString, karma: optNumber })])
  .nullish()
  .catch(undefined)

const commentSchema = z.object({
  short_id: z.string().min(1),
  short_id_url: optString,
  url: optString,
  created_at: optString,
  is_deleted: z.boolean().nullish().catch(undefined),
  is_moderated: z.boolean().nullish().catch(undefined),
  score: optNumber,
  parent_comment: optString,
  comment: optString,
  comment_plain: optString,
  commenting_user: userSchema,
})

const storySchema = z.object({
  short_id: z.string().min(1),
  short_id_url: optString,
  comments_url: optString,
  created_at: optString,
  title: optString,
  url: optString,
  score: optNumber,
  comment_count: optNumber,
  description: optString,
  description_plain: optString,
  submitter_user: userSchema,
  comments: z.array(z.unknown()).nullish().catch(undefined),
})

export const storyExternalId = (shortId: string) => `story:${shortId}`
export const commentExternalId = (shortId: string) => `comment:${shortId}`

export interface LobstersRead {
  stories: (PolledItem & { shortId: string })[]
  comments: MentionDraft[]
  skipped: number
}

/**
 * Reads a story list (/newest.json, /hottest.json, /t/<tag>.json) or one story with its
 * comments (/s/<short_id>.json). Throws SourceResponseError for anything else.
 */
export function readLobsters(body: unknown, url = 'lobsters'): LobstersRead {
  const value = jsonBody(body, url)
  const out: LobstersRead = { stories: [], comments: [], skipped: 0 }
  const list = Array.isArray(value) ? value : value && typeof value === 'object' && 'short_id' in value ? [value] : undefined
  if (!list) {
    const error = value && typeof value === 'object' && 'error' in value && typeof value.error === 'string' ? `: ${normaliseWhitespace(value.error).slice(0, 120)}` : ''
    throw new SourceResponseError(`lobsters: expected a story list or a story with "short_id"${error}`, url)
  }
  for (const raw of list) {
    const parsed = storySchema.safeParse(raw)
    const draft = parsed.success ? storyDraft(parsed.data) : undefined
    if (!parsed.success || !draft) {
      out.skipped++
      continue
    }
    const s = parsed.data
    const item: LobstersRead['stories'][number] = { draft, shortId: s.short_id, thread: s.short_id }
    if (typeof s.comment_count === 'number') item.commentCount = s.comment_count
    out.stories.push(item)
    for (const rawComment of s.comments ?? []) {
      const c = commentSchema.safeParse(rawComment)
      const comment = c.success ? commentDraft(c.data, s.short_id, draft) : undefined
      if (comment) out.comments.push(comment)
      else if (!c.success || !(c.data.is_deleted || c.data.is_moderated)) out.skipped++
    }
  }
  return out
}

/** Every draft in a response: stories, then comments. See readLobsters. */
export function parseLobsters(body: unknown, url?: string): MentionDraft[] {
  const read = readLobsters(body, url)
  return [...read.stories.map((s) => s.draft), ...read.comments]
}

function storyDraft(s: z.output<typeof storySchema>): MentionDraft | undefined {
  const createdAt = Date.parse(s.created_at ?? '')
  if (!Number.isFinite(createdAt)) return undefined
  const draft: MentionDraft = {
    externalId: storyExternalId(s.short_id),
    url: httpUrl(s.short_id_url) ?? httpUrl(s.comments_url) ?? `${SITE}/s/${encodeURIComponent(String(s.short_id).replace(/\p{Surrogate}/gu, '\ufffd'))}`,
    text: s.description ? htmlToText(s.description) : (s.description_plain ?? '').trim(),
    createdAt,
  }
  const title = normaliseWhitespace(s.title ?? '')
  if (title) draft.title = title
  const canonical = httpUrl(s.url)
  if (canonical) draft.canonicalUrl = canonical
  const author = authorOf(s.submitter_user)
  if (author) draft.author = author
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  if (typeof s.score === 'number') metrics.score = s.score
  if (typeof s.comment_count === 'number') metrics.replies = s.comment_count
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
  return draft
}

function commentDraft(c: z.output<typeof commentSchema>, storyId: string, story: MentionDraft): MentionDraft | undefined {
  // Deleted and moderated comments keep their place in the thread but say nothing.
  if (c.is_deleted || c.is_moderated) return undefined
  const createdAt = Date.parse(c.created_at ?? '')
  if (!Number.isFinite(createdAt)) return undefined
  const draft: MentionDraft = {
    externalId: commentExternalId(c.short_id),
    url: httpUrl(c.url) ?? httpUrl(c.short_id_url) ?? `${SITE}/c/${encodeURIComponent(String(c.short_id).replace(/\p{Surrogate}/gu, '\ufffd'))}`,
    text: c.comment ? htmlToText(c.comment) : (c.comment_plain ?? '').trim(),
    createdAt,
    parentExternalId: c.parent_comment ? commentExternalId(c.parent_comment) : storyExternalId(storyId),
    threadExternalId: storyExternalId(storyId),
  }
  // The story's title gives a comment its context in lists; the pull matches on the text.
  if (story.title) draft.title = story.title
  const author = authorOf(c.commenting_user)
  if (author) draft.author = author
  if (typeof c.score === 'number') draft.metrics = { score: c.score }
  return draft
}

function authorOf(user: z.output<typeof userSchema>): MentionDraft['author'] | undefined {
  const handle = normaliseWhitespace(typeof user === 'string' ? user : (user?.username ?? ''))
  if (!handle) return undefined
  const author: NonNullable<MentionDraft['author']> = { handle }
  // Only older responses carry karma; today's give the username alone, and reach stays unknown.
  if (user && typeof user === 'object' && typeof user.karma === 'number') author.reach = user.karma
  return author
}

// ---------------------------------------------------------------------------------------
// URLs (pure)

function siteUrl(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
}

export function newestUrl(baseUrl: string, page: number): URL {
  return siteUrl(baseUrl, page <= 1 ? 'newest.json' : `newest/page/${page}.json`)
}

export function storyUrl(baseUrl: string, shortId: string): URL {
  return siteUrl(baseUrl, `s/${encodeURIComponent(shortId)}.json`)
}

// ---------------------------------------------------------------------------------------
// Search (I/O)

async function get(ctx: SourceContext<LobstersOptions>, url: URL): Promise<LobstersRead> {
  const { body, response } = await fetchJson(ctx, url, { headers: { accept: 'application/json' } })
  const state = rateLimitState(response.headers, ctx.now())
  if (state) ctx.report?.(state)
  return readLobsters(body, url.href)
}

function searchLobsters(ctx: SourceContext<LobstersOptions>, q: FeedQuery): AsyncIterable<Page> {
  const { baseUrl } = ctx.options
  return pollFeed({
    ctx,
    q,
    kind: KIND,
    parts: [
      {
        key: 'newest',
        label: 'newest',
        order: 'newest',
        async fetch(page) {
          const read = await get(ctx, newestUrl(baseUrl, page))
          return { items: read.stories, skipped: read.skipped }
        },
      },
    ],
    pageLimit: Math.max(1, Math.min(q.maxPages, ctx.options.maxPages)),
    overlapMs: ctx.options.overlapHours * 3600_000,
    noun: { one: 'story', many: 'stories' },
    async comments(item) {
      const url = storyUrl(baseUrl, item.thread as string)
      const read = await get(ctx, url)
      if (read.skipped > 0) ctx.warn(`skipped ${read.skipped} unreadable comment(s) of ${item.draft.url}`)
      return read.comments
    },
  })
}

export const lobstersSource: Source<LobstersOptions> = {
  kind: KIND,
  scope: 'feed',
  options: lobstersOptions,
  requires: [],
  instanceKey: (options) => options.baseUrl,
  // The brand's comments come with each story's comment list, linked by parent_comment.
  replies: 'thread',
  search: searchLobsters,
}
