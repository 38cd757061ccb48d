import fs, { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand, SourceState } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import type { ReplayRoute } from '../../src/net/replay.js'
import { redactUrl } from '../../src/net/redact.js'
import { RateLimitError } from '../../src/net/types.js'
import {
  FACEBOOK_TOKEN,
  FacebookApiError,
  edgeUrl,
  facebookOptions,
  facebookSource,
  followUrl,
  graphError,
  graphTime,
  graphUsage,
  parseFacebookComments,
  parseFacebookPage,
  readGraphError,
  type FacebookOptions,
} from '../../src/sources/facebook.js'
import { CredentialsRejectedError, SourceResponseError, type Page, type SourceQuery } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { startReplayServer, type ReplayServer } from '../support/replay.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/facebook/${name}`, import.meta.url), 'utf8')
const P1 = fixture('page_posts_p1.json')
const P2 = fixture('page_posts_p2.json')
const VISITOR = fixture('visitor_posts.json')
const TAGGED = fixture('tagged.json')
const RATINGS = fixture('ratings.json')
const E190 = fixture('error_190_expired.json')
const E10 = fixture('error_10_permission.json')
const E32 = fixture('error_32_page_rate_limit.json')

const PAGE = '1029384756'
const ABOUT = 'Acme'
const NOW = Date.parse('2026-12-01T00:00:00Z')
const DAY = 86_400_000
const TOKEN = 'EAAB-page-token-secret'
const at = (iso: string) => Date.parse(iso)
const secs = (ms: number) => String(Math.floor(ms / 1000))

const EDGE = (edge: string) => `/v25.0/${PAGE}/${edge}`
const POSTS = EDGE('posts')

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }

// ---------------------------------------------------------------------------------------
// Parsing

describe('parseFacebookPage (posts with their comments)', () => {
  const page = parseFacebookPage(P1, { edge: 'posts', pageId: PAGE, about: ABOUT })
  const byId = new Map(page.drafts.map((d) => [d.externalId, d]))

  it("maps the Page's post: its own (byOwner), about the brand, permalink, the link it shares, engagement", () => {
    expect(byId.get('1029384756_5002')).toEqual({
      externalId: '1029384756_5002',
      url: 'https://www.facebook.com/1029384756/posts/5002/',
      canonicalUrl: 'https://acme.example/winter-menu',
      text: 'Our winter menu is here: try the new Acme hot chocolate.',
      createdAt: at('2026-11-30T18:00:00Z'),
      author: { handle: PAGE, name: 'Acme Coffee' },
      metrics: { likes: 41, reposts: 3, replies: 3 },
      about: ABOUT,
      byOwner: true,
    })
  })

  it('maps comments: a top-level one answers the post, a reply the comment named by parent', () => {
    expect(byId.get('5002_7001')).toMatchObject({
      parentExternalId: '1029384756_5002',
      threadExternalId: '1029384756_5002',
      author: { handle: '200000000001', name: 'Dana Kim' },
      metrics: { likes: 4, replies: 1 },
      about: ABOUT,
      url: 'https://www.facebook.com/1029384756/posts/5002/?comment_id=7001',
    })
    expect(byId.get('5002_7001')?.byOwner).toBeUndefined()
    expect(byId.get('5002_7003')).toMatchObject({ parentExternalId: '5002_7001', threadExternalId: '1029384756_5002', byOwner: true, about: ABOUT })
  })

  it('treats a comment without `from` as an unknown author, never as the Page', () => {
    const d = byId.get('5001_7101')
    expect(d?.author).toBeUndefined()
    expect(d?.byOwner).toBeUndefined()
  })

  it('lists the times of the posts (what paging walks by) and the next page', () => {
    expect(page.itemTimes).toEqual([at('2026-11-30T18:00:00Z'), at('2026-11-29T09:00:00Z')])
    expect(page.next).toMatch(/after=QVFIUnBn/)
    expect(parseFacebookPage(P2, { edge: 'posts', pageId: PAGE }).next).toBeUndefined()
  })

  it("marks a visitor's post as not the Page's, and the Page's comment on it as its reply", () => {
    const v = parseFacebookPage(VISITOR, { edge: 'visitor_posts', pageId: PAGE, about: ABOUT }).drafts
    expect(v[0]).toMatchObject({ externalId: '1029384756_6001', author: { handle: '200000000004' }, about: ABOUT })
    expect(v[0]?.byOwner).toBeUndefined()
    expect(v[1]).toMatchObject({ externalId: '6001_7301', parentExternalId: '1029384756_6001', byOwner: true })
  })

  it('drops a field of an unexpected type, skips an unreadable item, and names a changed shape', () => {
    const odd = JSON.stringify({
      data: [
        { id: '1029384756_1', message: 42, created_time: '2026-11-30T18:00:00+0000', shares: 'many', from: { id: 7 } },
        { id: '1029384756_2', created_time: 'yesterday' },
      ],
    })
    const parsed = parseFacebookPage(odd, { edge: 'visitor_posts', pageId: PAGE })
    expect(parsed.drafts).toEqual([{ externalId: '1029384756_1', url: 'https://www.facebook.com/1029384756_1', text: '', createdAt: at('2026-11-30T18:00:00Z') }])
    expect(parsed.skipped).toBe(1)
    expect(() => parseFacebookPage('{"data":{"id":"1"}}', { edge: 'posts', pageId: PAGE })).toThrow(SourceResponseError)
    expect(() => parseFacebookPage('{"data":{"id":"1"}}', { edge: 'posts', pageId: PAGE })).toThrow(/"data" is not an array/)
    expect(() => parseFacebookPage('{"items":[]}', { edge: 'posts', pageId: PAGE })).toThrow(/"data" array/)
  })

  it('falls back to https://www.facebook.com/<id> without a usable permalink', () => {
    const body = { data: [{ id: '1029384756_9', created_time: '2026-11-30T18:00:00+0000', permalink_url: 'javascript:alert(1)' }] }
    expect(parseFacebookPage(body, { edge: 'tagged', pageId: PAGE }).drafts[0]?.url).toBe('https://www.facebook.com/1029384756_9')
  })
})

describe('parseFacebookPage (ratings)', () => {
  const drafts = parseFacebookPage(RATINGS, { edge: 'ratings', pageId: PAGE, about: ABOUT }).drafts

  it('keys a rating by its story, stores stars only when Facebook gives real ones', () => {
    expect(drafts[0]).toEqual({
      externalId: '900000000001',
      url: 'https://www.facebook.com/900000000001',
      title: 'Does not recommend',
      text: 'Rude staff and the espresso machine was broken again.',
      createdAt: at('2026-11-30T12:00:00Z'),
      author: { handle: '200000000005', name: 'Pat Quinn' },
      about: ABOUT,
    })
    expect(drafts[2]).toMatchObject({ externalId: '900000000002', rating: 5, title: 'Recommends' })
  })

  it("reads the Page's comment on a rating's story as its reply to that rating", () => {
    expect(drafts[1]).toMatchObject({ externalId: '900000000001_7401', parentExternalId: '900000000001', threadExternalId: '900000000001', byOwner: true, about: ABOUT })
  })

  it('gives a recommendation with the default fields only (no id) a stable key and the reviews page', () => {
    const d = drafts[3]
    expect(d?.externalId).toMatch(/^rating_\d+_[0-9a-f]{16}$/)
    expect(d?.rating).toBeUndefined()
    expect(d?.url).toBe(`https://www.facebook.com/${PAGE}/reviews`)
    const again = parseFacebookPage(RATINGS, { edge: 'ratings', pageId: PAGE }).drafts[3]
    expect(again?.externalId).toBe(d?.externalId)
  })
})

describe('parseFacebookComments (/{post}/comments)', () => {
  it('derives a missing id from the permalink and links replies by reply_comment_id', () => {
    const body = {
      data: [
        { created_time: '2026-11-30T10:00:00+0000', message: 'Hi', permalink_url: 'https://www.facebook.com/1029384756/posts/5002/?comment_id=7001&reply_comment_id=7009' },
        { created_time: '2026-11-30T09:00:00+0000', message: 'No link' },
      ],
      paging: { next: 'https://graph.facebook.com/v25.0/1029384756_5002/comments?after=X' },
    }
    const parsed = parseFacebookComments(body, { pageId: PAGE })
    expect(parsed.drafts).toHaveLength(1)
    expect(parsed.drafts[0]).toMatchObject({ externalId: '5002_7009', threadExternalId: '1029384756_5002' })
    expect(parsed.skipped).toBe(1)
    expect(parsed.next).toMatch(/after=X/)
  })
})

describe('graphTime', () => {
  it('reads the +0000 offset without a colon, and refuses what it cannot read', () => {
    expect(graphTime('2021-07-09T19:09:52+0000')).toBe(Date.UTC(2021, 6, 9, 19, 9, 52))
    expect(graphTime('2021-07-09T21:09:52+0200')).toBe(Date.UTC(2021, 6, 9, 19, 9, 52))
    expect(graphTime('2021-07-09T19:09:52Z')).toBe(Date.UTC(2021, 6, 9, 19, 9, 52))
    expect(graphTime('last tuesday')).toBeUndefined()
  })
})

// ---------------------------------------------------------------------------------------
// Errors and usage

describe('Graph errors', () => {
  it('reads a Graph error from a snippet cut short, taking the code from "(#NNN)"', () => {
    const snippet = '{"error":{"message":"(#100) Object does not exist, cannot be loaded due to missing permission or reviewable feature, or…'
    expect(readGraphError(snippet)).toMatchObject({ code: 100, message: expect.stringMatching(/missing permission.*…$/) })
    expect(readGraphError('{"data":[]}')).toBeUndefined()
    // A token error's long message pushes "code" out of the snippet.
    expect(readGraphError(E190.slice(0, 120))?.code).toBe(190)
  })

  it('190: the token expired or was revoked, with the reason from the subcode', () => {
    const err = graphError(readGraphError(E190) ?? {}, { now: NOW })
    expect(err).toBeInstanceOf(CredentialsRejectedError)
    expect(err.message).toMatch(/^the Page token expired or was revoked \(it expired\): make a new FACEBOOK_PAGE_TOKEN \(credentials rejected; Graph error #190\/463: Error validating/)
  })

  it('a missing permission names the permission the message names, else what the edge needs', () => {
    expect(graphError(readGraphError(E10) ?? {}, { now: NOW, edge: 'visitor_posts' }).message).toMatch(
      /^the Page token lacks the pages_read_user_content permission for \/visitor_posts: grant it to the app and make a new FACEBOOK_PAGE_TOKEN/,
    )
    const cut = graphError({ code: 100, message: '(#100) Object does not exist, cannot be loaded due to missing permission or…' }, { now: NOW, edge: 'ratings' })
    expect(cut).toBeInstanceOf(CredentialsRejectedError)
    expect(cut.message).toMatch(/^the Page token lacks a permission \(\/ratings needs pages_read_user_content\)/)
    expect(graphError({ code: 200, message: '(#200) Permissions error' }, { now: NOW }).message).toMatch(/lacks a permission/)
  })

  it('PPCA: says what kind of token is wanted', () => {
    const err = graphError({ code: 100, message: '(#100) Pages Public Content Access requires either app secret proof or an app token' }, { now: NOW })
    expect(err).toBeInstanceOf(CredentialsRejectedError)
    expect(err.message).toMatch(/Page Public Content Access.*FACEBOOK_PAGE_TOKEN must be a Page access token of the configured Page/)
  })

  it('a throttle is a RateLimitError saying when to retry, by the usage headers when they said', () => {
    for (const code of [4, 17, 32, 613, 80001]) {
      const err = graphError({ code, message: 'limit' }, { now: NOW })
      expect(err).toBeInstanceOf(RateLimitError)
      expect((err as RateLimitError).retryAt.getTime()).toBe(NOW + 3600_000)
      expect(err.message).toMatch(/^Facebook rate limit reached for .*; retry after 2026-12-01T01:00:00.000Z, in 60 min \(Facebook gave no time/)
    }
    const known = graphError({ code: 80001, message: 'too many calls' }, { now: NOW, regainMinutes: 25 }) as RateLimitError
    expect(known.retryAt.getTime()).toBe(NOW + 25 * 60_000)
    expect(known.message).toMatch(/for this Page .*in 25 min \(as Facebook's usage headers estimate\)/)
  })

  it('anything else names the Graph error; its text is sanitised', () => {
    const err = graphError({ code: 803, message: 'Some of the aliases you requested do not exist: \u001b[31macme' }, { now: NOW, edge: 'posts' })
    expect(err).toBeInstanceOf(FacebookApiError)
    expect(err.message).toBe('Facebook refused the request for /posts (Graph error #803: Some of the aliases you requested do not exist: [31macme)')
  })
})

describe('graphUsage', () => {
  it('takes the busiest of the usage headers, with the time to regain access', () => {
    const headers = {
      'x-business-use-case-usage': JSON.stringify({ [PAGE]: [{ type: 'pages', call_count: 12, total_cputime: 96, total_time: 40, estimated_time_to_regain_access: 0 }] }),
      'x-app-usage': JSON.stringify({ call_count: 5, total_cputime: 1, total_time: 1 }),
    }
    expect(graphUsage(headers)).toEqual({ percent: 96, header: 'X-Business-Use-Case-Usage' })
    expect(graphUsage({ 'x-page-usage': '{"call_count":100,"estimated_time_to_regain_access":30}' })).toEqual({ percent: 100, regainMinutes: 30, header: 'X-Page-Usage' })
    expect(graphUsage({ 'x-page-usage': 'not json' })).toBeUndefined()
    expect(graphUsage({})).toBeUndefined()
  })
})

describe('URLs', () => {
  const o = facebookOptions.parse({ pageId: PAGE })

  it('asks an edge for its fields, a window in unix seconds, and the page size', () => {
    const url = edgeUrl(o, 'posts', { from: 1_700_000_000_500, to: 1_700_000_100_500 })
    expect(url.pathname).toBe(`/v25.0/${PAGE}/posts`)
    expect(url.searchParams.get('since')).toBe('1700000000')
    expect(url.searchParams.get('until')).toBe('1700000101')
    expect(url.searchParams.get('fields')).toContain('comments.filter(stream).order(reverse_chronological).summary(true).limit(100){id,from{id,name},message,created_time,parent{id}')
    expect(edgeUrl(o, 'ratings', { from: 0, to: undefined }).searchParams.get('fields')).toMatch(/^created_time,recommendation_type,review_text,rating,has_rating,has_review,reviewer,open_graph_story\{id,comments\.filter\(stream\)\.limit\(25\)\{id,from\{id,name\}/)
    expect(edgeUrl(o, 'ratings', { from: 0, to: undefined }, { ratingReplies: false }).searchParams.get('fields')).toBe('created_time,recommendation_type,review_text,rating,has_rating,has_review,reviewer,open_graph_story')
    expect(url.searchParams.has('access_token')).toBe(false)
  })

  it('follows paging.next verbatim, on the configured host, without the token', () => {
    const next = 'https://graph.facebook.com/v25.0/1/posts?access_token=SECRET&limit=25&after=QQ%3D%3D'
    expect(followUrl('http://127.0.0.1:9/', next)?.href).toBe('http://127.0.0.1:9/v25.0/1/posts?limit=25&after=QQ%3D%3D')
    expect(followUrl('https://graph.facebook.com', next)?.href).toBe('https://graph.facebook.com/v25.0/1/posts?limit=25&after=QQ%3D%3D')
    expect(followUrl('https://proxy.example/fb/', 'https://evil.example/v25.0/1/posts?x=1')?.href).toBe('https://proxy.example/fb/v25.0/1/posts?x=1')
    // Should a URL with the token ever be shown, the shared redaction hides it.
    expect(redactUrl(next)).toBe('https://graph.facebook.com/v25.0/1/posts?access_token=***&limit=25&after=QQ%3D%3D')
  })

  it('needs the numeric Page id (a number in YAML is fine)', () => {
    expect(facebookOptions.parse({ pageId: 1029384756 }).pageId).toBe(PAGE)
    expect(facebookOptions.safeParse({ pageId: 'AcmeCoffee' }).success).toBe(false)
    expect(facebookOptions.safeParse({}).success).toBe(false)
    expect(o).toMatchObject({ baseUrl: 'https://graph.facebook.com', apiVersion: 'v25.0', edges: ['posts', 'visitor_posts', 'tagged', 'ratings'] })
  })
})

// ---------------------------------------------------------------------------------------
// pull() with the real store, HTTP client and replay server

let server: ReplayServer | undefined
let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = deps = dir = undefined
})

const JSON_TYPE = { 'content-type': 'application/json; charset=UTF-8' }
const json = (p: string, body: string | object, extra: Partial<ReplayRoute> = {}): ReplayRoute => ({
  path: p,
  headers: JSON_TYPE,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  ...extra,
})
const EMPTY = { data: [] }
const quiet = (...edges: string[]) => edges.map((e) => json(EDGE(e), EMPTY))
const P2_ROUTE = json(POSTS, P2, { query: { after: 'QVFIUnBn' } })

async function setup(routes: ReplayRoute[], opts: { env?: Record<string, string>; options?: Record<string, unknown> } = {}) {
  server = await startReplayServer(routes)
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    env: opts.env ?? { [FACEBOOK_TOKEN]: TOKEN },
    config: { brands: [acme], sources: [{ kind: 'facebook', options: { baseUrl: server.url, pageId: PAGE, ...opts.options } }] },
  })
  return { server, deps }
}

describe('facebook pull', () => {
  it("pages through the Page's posts and marks what the Page answered", async () => {
    const { deps, server } = await setup([P2_ROUTE, json(POSTS, P1), json(EDGE('visitor_posts'), VISITOR), json(EDGE('tagged'), TAGGED), json(EDGE('ratings'), RATINGS)])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    const posts = server.requests.filter((r) => r.path === POSTS)
    expect(posts.map((r) => r.query.after)).toEqual([undefined, 'QVFIUnBn'])
    expect(posts[0]?.query).toMatchObject({ since: secs(NOW - 7 * DAY), limit: '25' })
    // The token travels in the header only, even where paging.next carried it.
    for (const r of server.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(r.query.access_token).toBeUndefined()
    }
    const unanswered = (await listQueue(deps, { queue: 'unanswered' })).map((m) => m.externalId)
    expect(unanswered).toEqual(expect.arrayContaining(['5002_7002', '5000_7201', '300000000009_8001', '900000000002']))
    expect(unanswered).not.toContain('900000000001')
    // Answered by the Page: Dana's complaint (a reply) and Jo's visitor post (a comment on it).
    expect(unanswered).not.toContain('5002_7001')
    expect(unanswered).not.toContain('1029384756_6001')
    // The Page's own posts and comments never queue.
    for (const own of ['1029384756_5002', '5002_7003', '6001_7301']) expect(unanswered).not.toContain(own)
    const all = new Map((await listQueue(deps, { queue: 'all' })).map((m) => [m.externalId, m]))
    expect(all.get('5002_7001')?.answered).toBe(true)
    expect(all.get('1029384756_6001')?.answered).toBe(true)
    expect(all.get('5002_7002')?.answered).toBe(false)
    expect(all.get('900000000002')?.rating).toBe(5)
    // Answered by the Page's comment on the rating's story.
    expect(all.get('900000000001')?.answered).toBe(true)
    expect(all.get('900000000002')?.answered).toBe(false)
    expect(all.get('900000000001')?.rating ?? null).toBeNull()
    expect(all.get('5002_7001')?.brands).toEqual(['Acme'])
  })

  it('resumes from each edge\'s cursor: the next pull reads only what is new (plus the overlap)', async () => {
    const withNew = JSON.parse(P1) as { data: { comments: { data: object[] } }[] }
    withNew.data[0]?.comments.data.unshift({
      id: '5002_7004',
      from: { name: 'Mo Diaz', id: '200000000007' },
      message: 'Any nut-free options?',
      created_time: '2026-11-30T23:00:00+0000',
    })
    const { deps, server } = await setup(
      [P2_ROUTE, json(POSTS, P1, { times: 1 }), json(POSTS, withNew), ...quiet('visitor_posts', 'tagged'), json(EDGE('ratings'), RATINGS)],
      { options: { commentDays: 1 } },
    )
    expect((await pull(deps)).status).toBe('ok')
    const before = await deps.store().mentions.count()
    const firstCount = server.requests.length
    expect((await pull(deps)).status).toBe('ok')
    const second = server.requests.slice(firstCount)
    // Posts: a day of re-read below the newest post, for late comments; p1 already reaches
    // below that, so page 2 is not fetched again.
    expect(second.filter((r) => r.path === POSTS).map((r) => [r.query.since, r.query.after])).toEqual([[secs(at('2026-11-30T18:00:00Z') - DAY), undefined]])
    expect(second.find((r) => r.path === EDGE('ratings'))?.query.since).toBe(secs(at('2026-11-30T12:00:00Z') - 3600_000))
    // Edges that had nothing resume from the pull's since.
    expect(second.find((r) => r.path === EDGE('tagged'))?.query.since).toBe(secs(NOW - 7 * DAY))
    expect(await deps.store().mentions.count()).toBe(before + 1)
  })

  it('backfills the older window when a later pull reaches further back', async () => {
    const old = { data: [{ id: '1029384756_4000', message: 'Grand opening!', created_time: '2026-11-10T12:00:00+0000', from: { id: PAGE, name: 'Acme Coffee' } }] }
    const { deps, server } = await setup([
      json(POSTS, old, { query: { since: secs(NOW - 30 * DAY) } }),
      json(POSTS, P2),
      ...quiet('visitor_posts', 'tagged', 'ratings'),
    ])
    await pull(deps)
    const firstCount = server.requests.length
    expect((await pull(deps, { sinceMs: 30 * DAY })).status).toBe('ok')
    const backfill = server.requests.slice(firstCount).filter((r) => r.path === POSTS && r.query.since === secs(NOW - 30 * DAY))
    expect(backfill).toHaveLength(1)
    expect(backfill[0]?.query.until).toBe(secs(NOW - 7 * DAY))
    const cursor = await deps.store().cursors.get({ source: 'facebook', instance: `${server.url}#${PAGE}`, brand: '' })
    expect(cursor?.parts?.posts?.oldest).toBe(NOW - 30 * DAY)
  })

  it('records what a page bound leaves owed, and walks it first next pull', async () => {
    const { deps, server } = await setup([P2_ROUTE, json(POSTS, P1), ...quiet('visitor_posts', 'tagged', 'ratings')], { options: { maxPages: 1 } })
    await pull(deps)
    expect(deps.warnings.some((w) => /facebook: stopped the Page's posts after 1 page\(s\)/.test(w))).toBe(true)
    const key = { source: 'facebook', instance: `${server.url}#${PAGE}`, brand: '' }
    const gap = (await deps.store().cursors.get(key))?.parts?.posts?.gap
    expect(gap).toEqual({ from: NOW - 7 * DAY, to: at('2026-11-29T09:00:00Z') })
    const firstCount = server.requests.length
    await pull(deps)
    const next = server.requests.slice(firstCount).find((r) => r.path === POSTS)
    expect(next?.query).toMatchObject({ since: secs(NOW - 7 * DAY), until: secs(at('2026-11-29T09:00:00Z')) })
  })

  it('fails clearly without FACEBOOK_PAGE_TOKEN', async () => {
    const { deps, server } = await setup([], { env: {} })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toBe('set FACEBOOK_PAGE_TOKEN (a Page access token for the configured Page (pages_read_engagement, pages_read_user_content))')
    expect(server.requests).toHaveLength(0)
  })

  it('190 says the token expired or was revoked; a bare 401 says credentials rejected', async () => {
    let env = await setup([{ path: POSTS, status: 400, headers: JSON_TYPE, body: E190 }, ...quiet('visitor_posts', 'tagged', 'ratings')])
    let result = await pull(env.deps)
    expect(result.status).toBe('failed')
    // The client keeps only the head of an error body: the subcode is cut off, the code is read from the wording.
    expect(result.sources[0]?.error).toMatch(/^the Page token expired or was revoked: make a new FACEBOOK_PAGE_TOKEN \(credentials rejected; Graph error #190: Error validating access token/)
    await deps?.close()
    await server?.close()
    env = await setup([{ path: POSTS, status: 401, body: 'unauthorized' }])
    result = await pull(env.deps)
    expect(result.sources[0]?.error).toMatch(/^credentials rejected \(HTTP 401 Unauthorized from .*\); check FACEBOOK_PAGE_TOKEN$/)
  })

  it('never shows the token, even when an error echoes it', async () => {
    const echo = JSON.stringify({ error: { message: `Invalid OAuth access token - Cannot parse access token: ${TOKEN}`, type: 'OAuthException', code: 190 } })
    const { deps } = await setup([{ path: POSTS, status: 400, headers: JSON_TYPE, body: echo }])
    const result = await pull(deps)
    expect(result.sources[0]?.error).toMatch(/^the Page token expired or was revoked/)
    expect(result.sources[0]?.error).not.toContain(TOKEN)
  })

  it('reads ratings without their replies where Facebook refuses to expand them, saying so', async () => {
    const refused = JSON.stringify({ error: { message: '(#100) Tried accessing nonexisting field (comments) on node type (OpenGraphAction)', type: 'OAuthException', code: 100 } })
    const { deps, server } = await setup([
      json(EDGE('ratings'), refused, { status: 400, query: { fields: /open_graph_story\{/ } }),
      json(EDGE('ratings'), RATINGS),
      ...quiet('posts', 'visitor_posts', 'tagged'),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(server.requests.filter((r) => r.path === EDGE('ratings'))).toHaveLength(2)
    expect(deps.warnings.some((w) => /^facebook: Facebook would not read the comments on ratings \(Facebook refused the request for \/ratings \(Graph error #100: .*nonexisting field/.test(w))).toBe(true)
    const ids = (await listQueue(deps, { queue: 'all' })).map((m) => m.externalId)
    expect(ids).toEqual(expect.arrayContaining(['900000000001', '900000000002']))
  })

  it('a missing permission names it', async () => {
    const { deps } = await setup([json(POSTS, P2), json(EDGE('visitor_posts'), E10, { status: 400 }), ...quiet('tagged', 'ratings')])
    const result = await pull(deps)
    expect(result.sources[0]?.error).toMatch(/^the Page token lacks the pages_read_user_content permission for \/visitor_posts/)
  })

  it('a 429 keeps the client\'s retry time', async () => {
    const { deps } = await setup([{ path: POSTS, status: 429, headers: { 'retry-after': '7200' }, body: 'slow down' }])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/HTTP 429 .*rate limited: retry after .*, in 7200 s/)
  })
})

describe('facebook search, page rate limits', () => {
  async function walk(routes: ReplayRoute[], options: Partial<FacebookOptions> = {}) {
    server = await startReplayServer(routes)
    const http = createHttp({ userAgent: 'mentions-test', sleep: async () => {}, timeoutMs: 5000 })
    const reports: SourceState[] = []
    const warnings: string[] = []
    const pages: Page[] = []
    const ctx = {
      http,
      options: facebookOptions.parse({ baseUrl: server.url, pageId: PAGE, edges: ['posts'], ...options }),
      env: { [FACEBOOK_TOKEN]: TOKEN },
      now: () => NOW,
      warn: (m: string) => void warnings.push(m),
      report: (s: SourceState) => void reports.push(s),
    }
    const q: SourceQuery = { brands: [acme], since: NOW - 7 * DAY, maxPages: 10 }
    let error: unknown
    try {
      for await (const page of facebookSource.search(ctx, q)) pages.push(page)
    } catch (err) {
      error = err
    } finally {
      await http.close()
    }
    return { reports, warnings, pages, error }
  }
  const usage = (callCount: number, regain: number) => ({
    'x-business-use-case-usage': JSON.stringify({ [PAGE]: [{ type: 'pages', call_count: callCount, total_cputime: 3, total_time: 4, estimated_time_to_regain_access: regain }] }),
  })

  it('reports the usage headers, and a Page throttle says when to retry', async () => {
    const { reports, pages, error } = await walk([
      json(POSTS, E32, { status: 400, query: { after: 'QVFIUnBn' } }),
      json(POSTS, P1, { headers: { ...JSON_TYPE, ...usage(80, 0) } }),
    ])
    expect(pages).toHaveLength(1)
    expect(reports[0]).toEqual({ note: 'Graph API usage at 80% of the limit (X-Business-Use-Case-Usage)' })
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as Error).message).toMatch(/^Facebook rate limit reached for this Page \(Graph error #32: \(#32\) Page request limit reached\); retry after 2026-12-01T01:00:00.000Z/)
    expect(reports.at(-1)).toEqual({ note: 'throttled by Facebook', resetAt: NOW + 3600_000 })
  })

  it('stops at the limit the headers report, owing the rest, without another call', async () => {
    const { reports, pages, warnings, error, } = await walk([P2_ROUTE, json(POSTS, P1, { headers: { ...JSON_TYPE, ...usage(100, 25) } })])
    expect(error).toBeUndefined()
    expect(server?.requests).toHaveLength(1)
    expect(reports[0]).toMatchObject({ resetAt: NOW + 25 * 60_000 })
    expect(pages.at(-1)?.cursor.parts?.posts?.gap).toEqual({ from: NOW - 7 * DAY, to: at('2026-11-29T09:00:00Z') })
    expect(warnings).toContain("stopped: the Graph API reports 100% of this Page's limit used (X-Business-Use-Case-Usage); Facebook expects access again in 25 min; the rest is fetched next pull")
  })

  it('reads the further comments of a post, down to the window', async () => {
    const more = JSON.parse(P2) as { data: { comments: { paging?: object } }[] }
    const post = more.data[0]
    if (post) post.comments.paging = { next: `https://graph.facebook.com/v25.0/1029384756_5000/comments?limit=100&after=C2` }
    const { pages } = await walk([
      json('/v25.0/1029384756_5000/comments', {
        data: [{ id: '5000_7200', from: { id: PAGE, name: 'Acme Coffee' }, message: 'Yes!', created_time: '2026-11-26T12:30:00+0000' }],
      }),
      json(POSTS, more),
    ])
    const ids = pages.flatMap((p) => p.mentions.map((m) => m.externalId))
    expect(ids).toEqual(['1029384756_5000', '5000_7201', '5000_7200'])
    expect(pages[0]?.mentions[2]).toMatchObject({ parentExternalId: '1029384756_5000', byOwner: true, about: 'Acme' })
  })
})
