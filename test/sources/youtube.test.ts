import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand, Cursor, SourceState } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import type { ReplayRoute } from '../../src/net/replay.js'
import {
  YOUTUBE_OVERLAP_MS,
  YouTubeApiError,
  channelOwnerFor,
  commentThreadsUrl,
  parseYouTube,
  parseYouTubeCommentThreads,
  parseYouTubeComments,
  parseYouTubeSearch,
  resetLine,
  rfc3339,
  searchUrl,
  youTubeErrorReason,
  youTubeOptions,
  youTubeQuery,
  youTubeSource,
} from '../../src/sources/youtube.js'
import { BudgetExhaustedError, SourceResponseError, type Page, type SourceQuery } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/youtube/${name}`, import.meta.url), 'utf8')
const P1 = fixture('search_acme_p1.json')
const P2 = fixture('search_acme_p2.json')
const THREADS = fixture('comment_threads_video.json')
const REPLIES = fixture('comments_replies_b002.json')
const CHANNEL = fixture('comment_threads_channel.json')
const QUOTA = fixture('error_quota_exceeded.json')
const KEY_INVALID = fixture('error_key_invalid.json')
const COMMENTS_OFF = fixture('error_comments_disabled.json')

const SEARCH = '/youtube/v3/search'
const THREADS_PATH = '/youtube/v3/commentThreads'
const COMMENTS = '/youtube/v3/comments'
const OWN_CHANNEL = 'UCacmeOfficial0000000000'
const API_KEY = 'AIzaTESTsecretKEY0123456789'
/** 04:00 Pacific on 1 December 2026 (PST): an hour after the newest video. */
const NOW = Date.parse('2026-12-01T12:00:00Z')
const DAY = 86_400_000
const HOUR = 3_600_000
const json = { 'content-type': 'application/json; charset=UTF-8' }

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }

/** A search.list body with the given videos, in the real wrapper shape. */
function videos(items: { id: string; at: number; title?: string }[], nextPageToken?: string): object {
  return {
    kind: 'youtube#searchListResponse',
    etag: 'x',
    ...(nextPageToken ? { nextPageToken } : {}),
    regionCode: 'US',
    pageInfo: { totalResults: items.length, resultsPerPage: 50 },
    items: items.map((v) => ({
      kind: 'youtube#searchResult',
      etag: 'e',
      id: { kind: 'youtube#video', videoId: v.id },
      snippet: { publishedAt: new Date(v.at).toISOString(), channelId: 'UCthirdparty00000000000a', title: v.title ?? `Acme video ${v.id}`, description: 'about Acme', channelTitle: 'Someone', liveBroadcastContent: 'none' },
    })),
  }
}
const noThreads = { kind: 'youtube#commentThreadListResponse', etag: 'x', pageInfo: { totalResults: 0, resultsPerPage: 100 }, items: [] }

// ---------------------------------------------------------------------------------------
// Parsing (pure)

describe('parseYouTubeSearch', () => {
  const page = parseYouTubeSearch(P1)

  it('maps a video: id, watch url, decoded title and description, channel as author', () => {
    expect(page.drafts[0]).toEqual({
      externalId: 'vidAcme0001',
      url: 'https://www.youtube.com/watch?v=vidAcme0001',
      title: "Acme widget review: it's great",
      text: "Unboxing the Acme widget & more: what I think of it 'honestly'",
      createdAt: Date.parse('2026-12-01T11:00:00Z'),
      author: { handle: 'UCthirdparty00000000000a', name: 'Some Reviewer' },
    })
    expect(page.nextPageToken).toBe('CDIQAA')
    expect(page.itemCount).toBe(2)
  })

  it("marks the brand channel's own uploads as the brand's", () => {
    const own = parseYouTubeSearch(P1, 'u', { owner: { channelId: OWN_CHANNEL, brand: 'Acme' } }).drafts
    expect(own.map((d) => [d.externalId, d.about, d.byOwner])).toEqual([['vidAcme0001', undefined, undefined], ['vidAcme0002', 'Acme', true]])
  })

  it('skips results that are not videos or lack a date, and drops fields of the wrong type', () => {
    const body = JSON.parse(P1) as { items: Record<string, unknown>[] }
    body.items.push({ id: { kind: 'youtube#channel', channelId: 'UCx' }, snippet: { publishedAt: '2026-12-01T00:00:00Z' } })
    body.items.push({ id: { kind: 'youtube#video', videoId: 'noDate' }, snippet: { title: 'x' } })
    const first = body.items[0] as { snippet: Record<string, unknown> }
    first.snippet.channelTitle = 42
    const parsed = parseYouTubeSearch(JSON.stringify(body))
    expect(parsed.skipped).toBe(2)
    expect(parsed.drafts[0]?.author).toEqual({ handle: 'UCthirdparty00000000000a' })
  })

  it('throws SourceResponseError for a body that is not JSON or has no items, and names an error body', () => {
    expect(() => parseYouTubeSearch('<html>oops</html>')).toThrow(SourceResponseError)
    expect(() => parseYouTubeSearch('{"kind":"youtube#searchListResponse"}')).toThrow(/"items"/)
    expect(() => parseYouTubeSearch(QUOTA)).toThrow(YouTubeApiError)
    expect(() => parseYouTubeSearch(QUOTA)).toThrow('YouTube API error 403 (quotaExceeded): The request cannot be completed because you have exceeded your quota.')
  })
})

describe('parseYouTubeCommentThreads and parseYouTubeComments', () => {
  const page = parseYouTubeCommentThreads(THREADS, 'u', { owner: { channelId: OWN_CHANNEL, brand: 'Acme' }, videoTitle: 'Why my Acme widget broke' })

  it('maps a top-level comment: the thread id, an lc permalink, likes, reply count, the video as parent', () => {
    expect(page.drafts[0]).toEqual({
      externalId: 'UgzThreadA001',
      url: 'https://www.youtube.com/watch?v=vidAcme0003&lc=UgzThreadA001',
      title: 'Why my Acme widget broke',
      text: 'My Acme widget stopped charging after a week. Anyone else?',
      createdAt: Date.parse('2026-12-01T11:30:00Z'),
      parentExternalId: 'vidAcme0003',
      threadExternalId: 'vidAcme0003',
      author: { handle: 'UCviewer00000000000000a1', name: 'A Viewer' },
      metrics: { likes: 4, replies: 1 },
    })
  })

  it("maps an embedded reply as <thread>.<reply> under its thread; the channel owner's reply is the brand's", () => {
    expect(page.drafts[1]).toMatchObject({
      externalId: 'UgzThreadA001.9aReply001',
      url: 'https://www.youtube.com/watch?v=vidAcme0003&lc=UgzThreadA001.9aReply001',
      parentExternalId: 'UgzThreadA001',
      threadExternalId: 'vidAcme0003',
      author: { handle: OWN_CHANNEL, name: 'Acme' },
      about: 'Acme',
      byOwner: true,
    })
    // Someone else's reply on a third-party video is matched like any comment.
    expect(page.drafts[3]).toMatchObject({ externalId: 'UgzThreadB002.9bReply001', author: { handle: 'UCviewer00000000000000b2' } })
    expect(page.drafts[3]?.about).toBeUndefined()
  })

  it('reports each thread with its total and embedded reply counts', () => {
    expect(page.threads).toEqual([
      { threadId: 'UgzThreadA001', videoId: 'vidAcme0003', totalReplyCount: 1, embedded: 1 },
      { threadId: 'UgzThreadB002', videoId: 'vidAcme0003', totalReplyCount: 7, embedded: 1 },
    ])
  })

  it("gives every comment of the brand's channel `about`", () => {
    const channel = parseYouTubeCommentThreads(CHANNEL, 'u', { about: 'Acme' })
    expect(channel.drafts.map((d) => [d.externalId, d.about, d.byOwner])).toEqual([['UgzChanC003', 'Acme', undefined]])
  })

  it('reads replies from comments.list, which do not name their video', () => {
    const replies = parseYouTubeComments(REPLIES, 'u', { videoId: 'vidAcme0003' })
    expect(replies.drafts.map((d) => [d.externalId, d.parentExternalId, d.url])).toEqual([
      ['UgzThreadB002.9bReply003', 'UgzThreadB002', 'https://www.youtube.com/watch?v=vidAcme0003&lc=UgzThreadB002.9bReply003'],
      ['UgzThreadB002.9bReply002', 'UgzThreadB002', 'https://www.youtube.com/watch?v=vidAcme0003&lc=UgzThreadB002.9bReply002'],
    ])
    expect(parseYouTubeComments(REPLIES).skipped).toBe(2)
  })

  it('builds a reply id from its parent when the API gives a bare one, and reads HTML when there is no textOriginal', () => {
    const body = {
      kind: 'youtube#commentListResponse',
      items: [{ id: 'bare1', snippet: { parentId: 'T1', videoId: 'v1', textDisplay: 'Acme &amp; <b>friends</b>', publishedAt: '2026-12-01T00:00:00Z' } }],
    }
    expect(parseYouTubeComments(body).drafts[0]).toMatchObject({ externalId: 'T1.bare1', parentExternalId: 'T1', text: 'Acme & friends' })
  })

  it('parseYouTube reads any list response by its kind', () => {
    expect(parseYouTube(P2).map((d) => d.externalId)).toEqual(['vidAcme0003'])
    expect(parseYouTube(THREADS)).toHaveLength(4)
    expect(parseYouTube(REPLIES, 'u', { videoId: 'v' })).toHaveLength(2)
  })
})

describe('queries, urls, errors', () => {
  it('joins the terms with | and keeps phrases quoted', () => {
    expect(youTubeQuery(['acme', '"Acme Cloud"', 'ACME', 'road runner', ' ', 'a|b'])).toBe('acme|"Acme Cloud"|"road runner"|"a b"')
  })

  it('searches videos newest first from publishedAfter, in whole RFC 3339 seconds, with the key', () => {
    const url = searchUrl('http://127.0.0.1:1/', 'K', { q: 'acme|"acme cloud"', from: NOW - 1500, to: NOW + 1500, pageToken: 'T', regionCode: 'US' })
    expect(url.pathname).toBe('/youtube/v3/search')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      part: 'snippet', type: 'video', order: 'date', q: 'acme|"acme cloud"', publishedAfter: '2026-12-01T11:59:58Z', publishedBefore: '2026-12-01T12:00:02Z',
      maxResults: '50', regionCode: 'US', pageToken: 'T', key: 'K',
    })
    expect(rfc3339(NOW)).toBe('2026-12-01T12:00:00Z')
    const threads = commentThreadsUrl('https://www.googleapis.com', 'K', { channelId: OWN_CHANNEL })
    expect(Object.fromEntries(threads.searchParams)).toEqual({
      part: 'snippet,replies', allThreadsRelatedToChannelId: OWN_CHANNEL, order: 'time', maxResults: '100', textFormat: 'plainText', key: 'K',
    })
  })

  it('finds the reason of an error from what the HTTP client keeps of its body', () => {
    const snippet = (body: string) => body.replace(/\s+/g, ' ').slice(0, 120)
    expect(youTubeErrorReason(403, snippet(QUOTA))).toBe('quotaExceeded')
    expect(youTubeErrorReason(403, '{ "error": { "errors": [ { "domain": "usageLimits", "reason": "dailyLimitExceeded"')).toBe('dailyLimitExceeded')
    expect(youTubeErrorReason(403, '{"error":{"code":403,"message":"Daily Limit Exceeded. The quota will be reset at midnight')).toBe('dailyLimitExceeded')
    expect(youTubeErrorReason(400, snippet(KEY_INVALID))).toBe('keyInvalid')
    expect(youTubeErrorReason(403, '{"error":{"message":"The video identified by the videoId parameter has disabled comments."')).toBe('commentsDisabled')
    expect(youTubeErrorReason(500, 'oops')).toBeUndefined()
  })

  it('says when the quota resets in UTC, for winter and summer time', () => {
    expect(resetLine(NOW)).toBe('midnight Pacific (08:00 UTC)')
    expect(resetLine(Date.parse('2026-07-01T12:00:00Z'))).toBe('midnight Pacific (07:00 UTC)')
  })

  it('reads the channel as the brand’s only in its owner’s walk', () => {
    const competitor = { ...acme, name: 'Globex', competitor: true }
    expect(channelOwnerFor({ channelId: OWN_CHANNEL }, acme)).toEqual({ channelId: OWN_CHANNEL, brand: 'Acme' })
    expect(channelOwnerFor({ channelId: OWN_CHANNEL }, competitor)).toBeUndefined()
    expect(channelOwnerFor({ channelId: OWN_CHANNEL, channelBrand: 'acme' }, acme)).toEqual({ channelId: OWN_CHANNEL, brand: 'Acme' })
    expect(channelOwnerFor({ channelId: OWN_CHANNEL, channelBrand: 'Other' }, acme)).toBeUndefined()
    expect(channelOwnerFor({}, acme)).toBeUndefined()
  })

  it('applies the documented defaults and declares the key, thread replies and the upstream caps', () => {
    expect(youTubeOptions.parse({})).toEqual({ baseUrl: 'https://www.googleapis.com', maxPages: 2, maxSearchesPerDay: 20, maxVideos: 20, maxReplyThreads: 20 })
    expect(() => youTubeOptions.parse({ regionCode: 'USA' })).toThrow()
    expect(youTubeSource).toMatchObject({ kind: 'youtube', scope: 'brand', replies: 'thread', requires: [{ env: 'YOUTUBE_API_KEY', why: expect.any(String) }] })
    expect(youTubeSource.requires[0]?.optional).toBeUndefined()
    expect(youTubeSource.limits).toMatch(/100 calls a day/)
    expect(youTubeSource.instanceKey(youTubeOptions.parse({ channelId: OWN_CHANNEL }))).toBe(`https://www.googleapis.com channel=${OWN_CHANNEL}`)
    expect(youTubeSource.instanceKey(youTubeOptions.parse({})).includes(API_KEY)).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------
// search() against a real loopback server through the real client

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

interface RunResult {
  pages: Page[]
  server: ReplayServer
  warnings: string[]
  reports: SourceState[]
  error?: unknown
}

async function run(routes: ReplayRoute[], q: Partial<SourceQuery> = {}, opts: { options?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<RunResult> {
  const server = await startReplayServer(routes)
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => server.close(), () => http.close())
  const warnings: string[] = []
  const reports: SourceState[] = []
  const ctx = {
    http,
    options: youTubeOptions.parse({ baseUrl: server.url, ...opts.options }),
    env: opts.env ?? { YOUTUBE_API_KEY: API_KEY },
    now: () => NOW,
    warn: (m: string) => void warnings.push(m),
    report: (s: SourceState) => void reports.push(s),
  }
  const pages: Page[] = []
  try {
    for await (const page of youTubeSource.search(ctx, { brand: acme, maxPages: 10, since: NOW - 7 * DAY, ...q })) pages.push(page)
  } catch (error) {
    return { pages, server, warnings, reports, error }
  }
  return { pages, server, warnings, reports }
}

const searchPages: ReplayRoute[] = [
  { path: SEARCH, query: { pageToken: 'CDIQAA' }, headers: json, body: P2 },
  { path: SEARCH, headers: json, body: P1 },
]
const threadRoutes: ReplayRoute[] = [
  { path: THREADS_PATH, query: { videoId: 'vidAcme0003' }, headers: json, body: THREADS },
  { path: THREADS_PATH, query: { allThreadsRelatedToChannelId: OWN_CHANNEL }, headers: json, body: CHANNEL },
  jsonRoute(THREADS_PATH, noThreads),
  { path: COMMENTS, query: { parentId: 'UgzThreadB002' }, headers: json, body: REPLIES },
]

describe('youtube search()', () => {
  it('pages on nextPageToken with the key in the query, then reads each video’s threads and the extra replies', async () => {
    const { pages, server, reports, error } = await run([...searchPages, ...threadRoutes])
    expect(error).toBeUndefined()
    const searches = server.requests.filter((r) => r.path === SEARCH)
    expect(searches.map((r) => r.query)).toEqual([undefined, 'CDIQAA'].map((pageToken) => ({
      part: 'snippet', type: 'video', order: 'date', q: 'acme', publishedAfter: rfc3339(NOW - 7 * DAY), maxResults: '50', key: API_KEY, ...(pageToken ? { pageToken } : {}),
    })))
    expect(server.requests.filter((r) => r.path === THREADS_PATH).map((r) => r.query.videoId)).toEqual(['vidAcme0001', 'vidAcme0002', 'vidAcme0003'])
    // Thread B says 7 replies and embeds 1: its replies are read; thread A embeds all it has.
    expect(server.requests.filter((r) => r.path === COMMENTS).map((r) => r.query)).toEqual([
      { part: 'snippet', parentId: 'UgzThreadB002', maxResults: '100', textFormat: 'plainText', key: API_KEY },
    ])
    expect(pages.map((p) => p.mentions.map((m) => m.externalId))).toEqual([
      ['vidAcme0001', 'vidAcme0002'],
      ['vidAcme0003'],
      ['UgzThreadA001', 'UgzThreadA001.9aReply001', 'UgzThreadB002', 'UgzThreadB002.9bReply001', 'UgzThreadB002.9bReply003', 'UgzThreadB002.9bReply002'],
    ])
    // Each page's cursor is safe to commit: the first claims only down to its oldest video.
    const first = pages[0]?.cursor as Cursor
    expect(first.parts?.acme).toEqual({ at: Date.parse('2026-12-01T11:00:00Z'), oldest: NOW - 7 * DAY, gap: { from: NOW - 7 * DAY, to: Date.parse('2026-12-01T10:00:00Z') } })
    expect(pages[1]?.cursor.parts?.acme).toEqual({ at: Date.parse('2026-12-01T11:00:00Z'), oldest: NOW - 7 * DAY })
    expect(pages[2]?.cursor).toEqual(pages[1]?.cursor)
    expect(reports.at(-1)).toEqual({ remaining: 18, limit: 20, resetAt: Date.parse('2026-12-02T08:00:00Z'), note: '2 searches, 4 units today' })
  })

  it("reads the brand channel's threads when channelId is set, and marks the owner's replies and uploads", async () => {
    const { pages, server } = await run([...searchPages, ...threadRoutes], {}, { options: { channelId: OWN_CHANNEL } })
    expect(server.requests.filter((r) => r.path === THREADS_PATH).at(-1)?.query).toMatchObject({ allThreadsRelatedToChannelId: OWN_CHANNEL, order: 'time' })
    const all = pages.flatMap((p) => p.mentions)
    expect(all.find((d) => d.externalId === 'UgzChanC003')).toMatchObject({ about: 'Acme' })
    expect(all.find((d) => d.externalId === 'UgzThreadA001.9aReply001')).toMatchObject({ about: 'Acme', byOwner: true })
    expect(all.find((d) => d.externalId === 'vidAcme0002')).toMatchObject({ about: 'Acme', byOwner: true })
    expect(all.find((d) => d.externalId === 'UgzThreadA001')?.about).toBeUndefined()
  })

  it('records the window it still owes as a gap when maxPages cuts the walk short', async () => {
    const { pages, warnings } = await run([...searchPages, ...threadRoutes], {}, { options: { maxPages: 1, maxVideos: 0 } })
    expect(pages).toHaveLength(1)
    expect(pages[0]?.cursor.gap).toEqual({ from: NOW - 7 * DAY, to: Date.parse('2026-12-01T10:00:00Z') })
    expect(warnings).toContain('stopped searching "acme" after 1 page(s); the rest is fetched next pull')
  })

  it('stops at the daily search budget after yielding what it read, owing the rest, and says when it resets', async () => {
    const { pages, server, error, reports } = await run([...searchPages, ...threadRoutes], {}, { options: { maxSearchesPerDay: 1 } })
    expect(server.requests.filter((r) => r.path === SEARCH)).toHaveLength(1)
    expect(error).toBeInstanceOf(BudgetExhaustedError)
    expect((error as Error).message).toBe('search budget spent: 1 of 1 searches today (maxSearchesPerDay); resets at midnight Pacific (08:00 UTC)')
    // The videos read still get their comments read (other quota); the cursor owes the rest.
    expect(server.requests.filter((r) => r.path === THREADS_PATH).map((r) => r.query.videoId)).toEqual(['vidAcme0001', 'vidAcme0002'])
    expect(pages.at(-1)?.cursor.gap).toEqual({ from: NOW - 7 * DAY, to: Date.parse('2026-12-01T10:00:00Z') })
    expect(reports.at(-1)).toMatchObject({ remaining: 0, limit: 1, note: '1 searches, 2 units today' })
  })

  it('makes no search at all with maxSearchesPerDay 0, and still reads the channel', async () => {
    const { server, error, pages } = await run([...searchPages, ...threadRoutes], {}, { options: { maxSearchesPerDay: 0, channelId: OWN_CHANNEL } })
    expect(error).toBeUndefined()
    expect(server.requests.map((r) => r.path)).toEqual([THREADS_PATH])
    expect(pages.flatMap((p) => p.mentions.map((m) => m.externalId))).toEqual(['UgzChanC003'])
  })

  it('skips a video whose comments are disabled with a warning, and reads the others', async () => {
    const { error, warnings, server, pages } = await run([
      ...searchPages,
      { path: THREADS_PATH, query: { videoId: 'vidAcme0001' }, status: 403, headers: json, body: COMMENTS_OFF },
      ...threadRoutes,
    ])
    expect(error).toBeUndefined()
    expect(warnings).toContain('comments are disabled on video vidAcme0001; skipped')
    expect(server.requests.filter((r) => r.path === THREADS_PATH)).toHaveLength(3)
    expect(pages.flatMap((p) => p.mentions).some((m) => m.externalId === 'UgzThreadA001')).toBe(true)
  })

  it('stops reading comments with a warning when a thread list fails, keeping the search', async () => {
    const { error, warnings, server } = await run([
      ...searchPages,
      { path: THREADS_PATH, query: { videoId: 'vidAcme0001' }, status: 500, body: 'backend error' },
      ...threadRoutes,
    ], {}, { options: { channelId: OWN_CHANNEL } })
    expect(error).toBeUndefined()
    expect(warnings).toEqual([expect.stringMatching(/^stopped reading comments for this pull: HTTP 500 Internal Server Error from 127\.0\.0\.1:\d+\/youtube\/v3\/commentThreads: backend error$/)])
    expect(server.requests.filter((r) => r.path === THREADS_PATH)).toHaveLength(1)
  })

  it('fails with the quota line when the quota runs out among the comments', async () => {
    const { error, pages, reports } = await run([...searchPages, { path: THREADS_PATH, status: 403, headers: json, body: QUOTA }])
    expect((error as Error).message).toBe('YouTube quota spent (quotaExceeded); it resets at midnight Pacific (08:00 UTC)')
    // A request refused for quota served nothing: it is not counted.
    expect(reports.at(-1)?.note).toBe('2 searches, 0 units today')
    expect(error).toBeInstanceOf(BudgetExhaustedError)
    expect(pages.flatMap((p) => p.mentions.map((m) => m.externalId))).toEqual(['vidAcme0001', 'vidAcme0002', 'vidAcme0003'])
  })

  it('drops items whose ids hold characters YouTube never uses (they go into links and warnings)', () => {
    const body = JSON.parse(P2) as { items: { id: { videoId: string } }[] }
    body.items[0]!.id.videoId = 'bad\u001b[31mid'
    expect(parseYouTubeSearch(body).skipped).toBe(1)
  })

  it('drops videos published outside the window when the server ignores publishedAfter', async () => {
    const old = videos([{ id: 'vNew', at: NOW - HOUR }, { id: 'vOld', at: NOW - 30 * DAY }])
    const { pages, warnings } = await run([jsonRoute(SEARCH, old), jsonRoute(THREADS_PATH, noThreads)])
    expect(pages.flatMap((p) => p.mentions.map((m) => m.externalId))).toEqual(['vNew'])
    expect(warnings).toContain("dropped 1 video(s) published outside the pull's window")
  })

  it('never shows the key in a failing request’s message, even when the server echoes it', async () => {
    const echo = `{"error":{"code":500,"message":"backend error for key ${API_KEY}"}}`
    const failures = await Promise.all([
      run([{ path: SEARCH, status: 500, headers: json, body: echo }]),
      run([{ path: SEARCH, status: 403, headers: json, body: QUOTA }]),
      run([{ path: SEARCH, status: 400, headers: json, body: KEY_INVALID }]),
      run([{ path: SEARCH, headers: json, body: 'not json' }]),
    ])
    for (const f of failures) {
      expect(f.error).toBeInstanceOf(Error)
      const err = f.error as Error & { url?: string; cause?: Error & { url?: string } }
      for (const text of [err.message, err.url, err.cause?.message, err.cause?.url, ...f.warnings, JSON.stringify(f.reports)]) {
        expect(text ?? '').not.toContain(API_KEY)
      }
    }
    expect((failures[0]?.error as Error).message).toMatch(/HTTP 500 .*backend error for key \*\*\*/)
  })
})

// ---------------------------------------------------------------------------------------
// pull() with a real SQLite file

let open: TestDeps[] = []
afterEach(async () => {
  for (const d of open) await d.close()
  open = []
})

async function setup(routes: ReplayRoute[], opts: { env?: Record<string, string>; options?: Record<string, unknown>; brand?: Brand; now?: () => number } = {}): Promise<{ deps: TestDeps; server: ReplayServer }> {
  const server = await startReplayServer(routes)
  cleanups.push(() => server.close())
  const deps = testDeps({
    config: { brands: [opts.brand ?? acme], sources: [{ kind: 'youtube', options: { baseUrl: server.url, ...opts.options } }] },
    dbFile: `${tempDir()}/m.db`,
    now: opts.now ?? (() => NOW),
    env: opts.env ?? { YOUTUBE_API_KEY: API_KEY },
  })
  open.push(deps)
  return { deps, server }
}

describe('youtube pull', () => {
  it('stores every page, then searches only what is new, re-reading the overlap', async () => {
    const { deps, server } = await setup([
      { path: SEARCH, query: { pageToken: 'CDIQAA' }, headers: json, body: P2, times: 1 },
      { path: SEARCH, headers: json, body: P1, times: 1 },
      jsonRoute(SEARCH, videos([{ id: 'vidAcme0004', at: NOW - 10 * 60_000 }])),
      ...threadRoutes,
    ])
    const first = await pull(deps)
    expect(first.status).toBe('ok')
    const second = await pull(deps)
    expect(second.status).toBe('ok')
    const afters = server.requests.filter((r) => r.path === SEARCH).map((r) => r.query.publishedAfter)
    expect(afters).toEqual([rfc3339(NOW - 7 * DAY), rfc3339(NOW - 7 * DAY), rfc3339(Date.parse('2026-12-01T11:00:00Z') - YOUTUBE_OVERLAP_MS)])
    const ids = (await listQueue(deps, { queue: 'all' })).map((m) => m.externalId)
    expect(ids).toContain('vidAcme0004')
    expect(ids).toContain('UgzThreadB002.9bReply003')
    // Replies that do not name the brand on someone else's video are not mentions.
    expect(ids).not.toContain('UgzThreadB002.9bReply001')
  })

  it('backfills the older window when a later pull reaches further back', async () => {
    const { deps, server } = await setup([
      jsonRoute(SEARCH, videos([{ id: 'vOld', at: NOW - 20 * DAY }]), { query: { publishedAfter: rfc3339(NOW - 30 * DAY) } }),
      jsonRoute(SEARCH, videos([{ id: 'vRecent', at: NOW - DAY }])),
      jsonRoute(THREADS_PATH, noThreads),
    ])
    await pull(deps)
    await pull(deps, { sinceMs: 30 * DAY })
    const last = server.requests.filter((r) => r.path === SEARCH).at(-1)
    expect(last?.query).toMatchObject({ publishedAfter: rfc3339(NOW - 30 * DAY), publishedBefore: rfc3339(NOW - 7 * DAY) })
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.externalId)).toEqual(['vRecent', 'vOld'])
  })

  it("marks a comment answered when the channel owner replied, with no handles configured", async () => {
    const { deps } = await setup([...searchPages, ...threadRoutes], { options: { channelId: OWN_CHANNEL } })
    expect((await pull(deps)).status).toBe('ok')
    const unanswered = (await listQueue(deps, { queue: 'unanswered' })).map((m) => m.externalId)
    expect(unanswered).not.toContain('UgzThreadA001')
    expect(unanswered).toContain('UgzChanC003')
    const all = new Map((await listQueue(deps, { queue: 'all' })).map((m) => [m.externalId, m]))
    expect(all.get('UgzThreadA001')?.answered).toBe(true)
    // On the brand's channel every comment is answerable: none yet is a "no", not "unknown".
    expect(all.get('UgzChanC003')).toMatchObject({ answered: false, brands: ['Acme'] })
    // The owner's own upload and reply are the brand's posts, never queued.
    expect(all.has('vidAcme0002')).toBe(false)
    expect(all.has('UgzThreadA001.9aReply001')).toBe(false)
  })

  it('marks a comment answered by a reply from a handle in handles.youtube (a channel id)', async () => {
    const { deps } = await setup([...searchPages, ...threadRoutes], { brand: { ...acme, handles: { youtube: [OWN_CHANNEL] } } })
    await pull(deps)
    const all = new Map((await listQueue(deps, { queue: 'all' })).map((m) => [m.externalId, m.answered]))
    expect(all.get('UgzThreadA001')).toBe(true)
    expect(all.get('UgzThreadB002')).toBe(false)
  })

  it('fails the source naming YOUTUBE_API_KEY when it is missing', async () => {
    const { deps, server } = await setup([...searchPages], { env: {} })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/set YOUTUBE_API_KEY/)
    expect(server.requests).toHaveLength(0)
  })

  it('says credentials were rejected on a 401, and on a 400 keyInvalid, naming the variable', async () => {
    for (const route of [{ status: 401, body: 'unauthorized' }, { status: 400, headers: json, body: KEY_INVALID }]) {
      const { deps } = await setup([{ path: SEARCH, ...route }])
      const result = await pull(deps)
      expect(result.status).toBe('failed')
      expect(result.sources[0]?.error).toMatch(/^credentials rejected \(HTTP 40[01] .*\); check YOUTUBE_API_KEY$/)
      expect(result.sources[0]?.error).not.toContain(API_KEY)
    }
  })

  it('says the quota is spent on a 403 quotaExceeded, not that the key was rejected, and keeps what was read', async () => {
    const { deps } = await setup([
      { path: SEARCH, query: { pageToken: 'CDIQAA' }, status: 403, headers: json, body: QUOTA },
      { path: SEARCH, headers: json, body: P1 },
      jsonRoute(THREADS_PATH, noThreads),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toBe('YouTube quota spent (quotaExceeded); it resets at midnight Pacific (08:00 UTC)')
    // The first page is stored and its cursor saved, owing what lies below it.
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.externalId)).toEqual(['vidAcme0001', 'vidAcme0002'])
    const cursor = await deps.store().cursors.get({ source: 'youtube', instance: youTubeSource.instanceKey(youTubeOptions.parse({ baseUrl: (deps.config().sources[0]?.options as { baseUrl: string }).baseUrl })), brand: 'Acme' })
    expect(cursor?.gap).toEqual({ from: NOW - 7 * DAY, to: Date.parse('2026-12-01T10:00:00Z') })
  })

  it('keeps to the daily search budget across pulls: none left the same day, a fresh one the next', async () => {
    let now = NOW
    const { deps, server } = await setup([
      jsonRoute(SEARCH, videos([{ id: 'vA', at: NOW - HOUR }]), { times: 1 }),
      jsonRoute(SEARCH, videos([{ id: 'vB', at: NOW + DAY - HOUR }])),
      jsonRoute(THREADS_PATH, noThreads),
    ], { options: { maxSearchesPerDay: 1 }, now: () => now })
    expect((await pull(deps)).status).toBe('ok')
    now = NOW + 2 * HOUR
    const second = await pull(deps)
    expect(second.status).toBe('failed')
    expect(second.sources[0]?.error).toBe('search budget spent: 1 of 1 searches today (maxSearchesPerDay); resets at midnight Pacific (08:00 UTC)')
    expect(server.requests.filter((r) => r.path === SEARCH)).toHaveLength(1)
    now = NOW + DAY
    const third = await pull(deps)
    expect(third.status).toBe('ok')
    expect(server.requests.filter((r) => r.path === SEARCH)).toHaveLength(2)
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.externalId)).toEqual(['vB', 'vA'])
  })

  it('retries a 429 after its Retry-After', async () => {
    const { deps, server } = await setup([
      { path: SEARCH, status: 429, headers: { 'retry-after': '2' }, body: 'slow down', times: 1 },
      jsonRoute(SEARCH, videos([{ id: 'vR', at: NOW - HOUR }])),
      jsonRoute(THREADS_PATH, noThreads),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(server.requests.filter((r) => r.path === SEARCH)).toHaveLength(2)
    expect(await deps.store().mentions.count()).toBe(1)
  })

  it('fails the source with the rate-limit message when the 429s do not stop', async () => {
    const { deps } = await setup([{ path: SEARCH, status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }])
    const result = await pull(deps)
    expect(result.sources[0]?.error).toMatch(/HTTP 429.*rate limited: retry after/)
    expect(result.sources[0]?.error).not.toContain(API_KEY)
  })
})
