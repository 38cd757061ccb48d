import fs, { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import type { Http } from '../../src/net/types.js'
import {
  BLUESKY_OVERLAP_MS,
  blueskyOptions,
  blueskyPermalink,
  blueskyQueries,
  blueskySource,
  parseBluesky,
  parseBlueskyPage,
  searchPostsUrl,
} from '../../src/sources/bluesky.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayRoute, type ReplayServer } from '../support/replay.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/bluesky/${name}`, import.meta.url), 'utf8')
const json = (name: string): unknown => JSON.parse(fixture(name))

const P0 = fixture('searchPosts_acme_p0.json')
const P1 = fixture('searchPosts_acme_p1.json')
const FEED = fixture('getAuthorFeed_acme.json')
const ANA_POST = 'at://did:plc:ana4rlqlmwk3dvxbqkjyvzgr/app.bsky.feed.post/3mcacme0001aa'
const NOW = Date.parse('2026-11-30T12:00:00Z')

describe('parseBluesky (searchPosts)', () => {
  const drafts = parseBluesky(P0)

  it('maps a post: at:// uri as id, bsky.app permalink, author, lang, engagement, sortAt time', () => {
    expect(drafts[0]).toEqual({
      externalId: ANA_POST,
      url: 'https://bsky.app/profile/ana.bsky.social/post/3mcacme0001aa',
      text: 'Acme support has not answered my ticket in 3 days. Anyone else?',
      createdAt: Date.parse('2026-11-30T11:40:00.000Z'),
      author: { handle: 'ana.bsky.social', name: 'Ana Ruiz' },
      lang: 'en',
      // Quote posts count as reposts: 1 repost + 1 quote.
      metrics: { likes: 5, reposts: 2, replies: 2 },
    })
  })

  it('keeps no reach: search results carry no follower counts', () => {
    for (const d of drafts) expect(d.author?.reach).toBeUndefined()
  })

  it('takes the link card as canonicalUrl, the first langs entry as lang, and drops an empty display name', () => {
    expect(drafts[1]).toMatchObject({ canonicalUrl: 'https://acme.example/status/2026-11-30', lang: 'en', author: { handle: 'ben.example.com' } })
    expect(drafts[1]?.author?.name).toBeUndefined()
  })

  it('keeps a reply’s parent and root as their at:// uris', () => {
    expect(drafts[2]).toMatchObject({ parentExternalId: ANA_POST, threadExternalId: ANA_POST })
    expect(drafts[0]?.parentExternalId).toBeUndefined()
  })

  it('dates a post claimed in the future by when it was indexed, and links an invalid handle by DID', () => {
    const [future, orphan] = parseBluesky(P1)
    expect(future?.createdAt).toBe(Date.parse('2026-11-30T10:30:00.000Z'))
    expect(future?.lang).toBeUndefined()
    expect(orphan?.url).toBe('https://bsky.app/profile/did%3Aplc%3Agone2n4uvjxjjlz3zwdkaoy3/post/3mcacme0005ee')
    expect(orphan?.author).toEqual({ handle: 'handle.invalid' })
  })

  it('reports the paging cursor', () => {
    expect(parseBlueskyPage(P0).cursor).toBe('3')
    expect(parseBlueskyPage(P1).cursor).toBeUndefined()
  })
})

describe('parseBluesky (getAuthorFeed, getPostThread)', () => {
  it('reads the brand’s own posts and replies, skipping reposts of other people’s posts', () => {
    const page = parseBlueskyPage(FEED)
    expect(page.reposts).toBe(1)
    expect(page.drafts.map((d) => [d.author?.handle, d.parentExternalId])).toEqual([
      ['acme.bsky.social', ANA_POST],
      ['acme.bsky.social', undefined],
    ])
  })

  it('reads every post of a thread', () => {
    const post = (json('searchPosts_acme_p0.json') as { posts: object[] }).posts
    const body = { thread: { $type: 'app.bsky.feed.defs#threadViewPost', post: post[0], replies: [{ post: post[2], replies: [] }, { $type: 'app.bsky.feed.defs#notFoundPost', uri: 'at://x/y/z', notFound: true }] } }
    expect(parseBluesky(body).map((d) => d.externalId)).toEqual([ANA_POST, 'at://did:plc:ben7cxyqsr2otlwx6ohdbqvj/app.bsky.feed.post/3mcacme0003cc'])
  })
})

describe('parseBluesky defensively', () => {
  it('skips posts without a uri, author or time, and drops fields of the wrong type', () => {
    const good = (json('searchPosts_acme_p0.json') as { posts: Record<string, unknown>[] }).posts[0] as Record<string, unknown>
    const page = parseBlueskyPage({
      posts: [
        { ...good, likeCount: 'many', record: { ...(good.record as object), langs: 'en' } },
        { ...good, uri: 'https://not-at-uri' },
        { ...good, uri: 'at://did:plc:x/app.bsky.feed.like/3abc' },
        { ...good, author: null },
        { ...good, record: { text: 'no time' }, indexedAt: 'never' },
      ],
    })
    expect(page.postCount).toBe(5)
    expect(page.skipped).toBe(4)
    expect(page.drafts[0]?.metrics).toEqual({ reposts: 2, replies: 2 })
    expect(page.drafts[0]?.lang).toBeUndefined()
  })

  it('throws SourceResponseError for a body that is not JSON, an XRPC error body, and another shape', () => {
    expect(() => parseBluesky('<html>oops</html>')).toThrow(SourceResponseError)
    expect(() => parseBluesky(fixture('error_expired_token.json'))).toThrow(/server answered with an error \(ExpiredToken: Token has expired\)/)
    expect(() => parseBluesky({ hits: [] })).toThrow(/"posts" array/)
  })

  it('builds permalinks only for post records', () => {
    expect(blueskyPermalink('at://did:plc:a/app.bsky.feed.post/3k', 'a.test', undefined)).toBe('https://bsky.app/profile/a.test/post/3k')
    expect(blueskyPermalink('at://did:plc:a/app.bsky.feed.repost/3k', 'a.test', undefined)).toBeUndefined()
  })
})

describe('blueskyQueries and searchPostsUrl', () => {
  it('keeps phrases quoted and drops a phrase that a single-word term already covers', () => {
    expect(blueskyQueries(['acme', '"acme cloud"', 'Acme', '"road runner"', ''])).toEqual(['acme', '"road runner"'])
  })

  it('asks for the latest posts in [from, to] (until is exclusive upstream)', () => {
    const url = searchPostsUrl('https://bsky.social', { q: 'acme', limit: 100, from: Date.parse('2026-11-23T12:00:00Z'), to: Date.parse('2026-11-30T12:00:00Z'), cursor: '25' })
    expect(url.pathname).toBe('/xrpc/app.bsky.feed.searchPosts')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      q: 'acme', sort: 'latest', since: '2026-11-23T12:00:00.000Z', until: '2026-11-30T12:00:00.001Z', limit: '100', cursor: '25',
    })
  })

  it('applies the documented defaults and names the instance without secrets', () => {
    const o = blueskyOptions.parse({})
    expect(o).toEqual({ baseUrl: 'https://bsky.social', maxPages: 5, limit: 100 })
    expect(blueskySource.instanceKey(blueskyOptions.parse({ baseUrl: 'https://me:pw@pds.example' }))).toBe('https://***@pds.example/')
    expect(blueskySource.requires.map((r) => [r.env, r.optional ?? false])).toEqual([['BLUESKY_HANDLE', false], ['BLUESKY_APP_PASSWORD', false]])
    expect(blueskySource.replies).toBe('own-activity')
  })
})

// ---------------------------------------------------------------------------------------
// Pulls against a loopback server.
//
// The real client throughout; the POSTs it sends are noted for the assertions.

interface Posted {
  path: string
  json: unknown
  headers: Record<string, string>
}

/** The real client, with what each POST carried noted for the assertions. */
function withPost(http: Http, posted: Posted[]): Http {
  return {
    get: (url, opts) => http.get(url, opts),
    post(url, opts) {
      const headers = { ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers }
      posted.push({ path: new URL(url).pathname, json: opts.json, headers })
      return http.post(url, opts)
    },
  }
}

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { bluesky: ['acme.bsky.social'] } }
const ENV = { BLUESKY_HANDLE: 'acme.bsky.social', BLUESKY_APP_PASSWORD: 'abcd-efgh-ijkl-mnop' }
const SEARCH = '/xrpc/app.bsky.feed.searchPosts'
const FEED_PATH = '/xrpc/app.bsky.feed.getAuthorFeed'
const CREATE = '/xrpc/com.atproto.server.createSession'
const REFRESH = '/xrpc/com.atproto.server.refreshSession'
const LIMITS = { 'ratelimit-limit': '3000', 'ratelimit-remaining': '2990', 'ratelimit-reset': String(Math.floor(NOW / 1000) + 300), 'ratelimit-policy': '3000;w=300' }
const session = (n: string) => ({ ...(json('createSession.json') as object), accessJwt: `access-${n}`, refreshJwt: `refresh-${n}` })
const createRoute = jsonRoute(CREATE, session('one'))

let server: ReplayServer | undefined
let deps: TestDeps | undefined
let dir: string | undefined
let posted: Posted[] = []

afterEach(async () => {
  await deps?.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = deps = dir = undefined
  posted = []
})

async function setup(routes: ReplayRoute[], opts: { env?: Record<string, string>; brand?: Brand; options?: Record<string, unknown> } = {}) {
  server = await startReplayServer(routes)
  dir = tempDir()
  const d = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    env: opts.env ?? ENV,
    config: { brands: [opts.brand ?? acme], sources: [{ kind: 'bluesky', options: { baseUrl: server.url, ...opts.options } }] },
  })
  const real = d.http.bind(d)
  let wrapped: Http | undefined
  d.http = () => (wrapped ??= withPost(real(), posted))
  deps = d
  return { server, deps: d }
}

const searches = (s: ReplayServer) => s.requests.filter((r) => r.path === SEARCH)
const DAY = 86_400_000

describe('bluesky pull', () => {
  it('logs in once, pages searchPosts by cursor, stores the posts and reports RateLimit-* headers', async () => {
    const { server, deps } = await setup([
      createRoute,
      jsonRoute(SEARCH, JSON.parse(P1), { query: { cursor: '3' }, headers: LIMITS }),
      jsonRoute(SEARCH, JSON.parse(P0), { headers: LIMITS }),
      jsonRoute(FEED_PATH, { feed: [] }),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(result.sources.find((s) => !s.instance.endsWith('#own'))).toMatchObject({ brand: 'Acme', fetched: 5, new: 5 })

    expect(posted).toEqual([{ path: CREATE, json: { identifier: 'acme.bsky.social', password: 'abcd-efgh-ijkl-mnop' }, headers: { 'content-type': 'application/json' } }])
    const s = searches(server)
    expect(s.map((r) => r.query.cursor ?? null)).toEqual([null, '3'])
    expect(s[0]?.query).toMatchObject({ q: 'acme', sort: 'latest', since: new Date(NOW - 7 * DAY).toISOString(), limit: '100' })
    expect(s[0]?.query.until).toBeUndefined()
    for (const r of server.requests.filter((r) => r.method === 'GET')) expect(r.headers.authorization).toBe('Bearer access-one')

    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => m.url)).toContain('https://bsky.app/profile/ana.bsky.social/post/3mcacme0001aa')
    const status = (await deps.store().cursors.all()).find((c) => c.instance === `${server.url}/`)
    expect(status?.upstream).toMatchObject({ remaining: 2990, limit: 3000, resetAt: NOW + 300_000 })
    expect(status?.cursor.parts?.acme).toMatchObject({ at: Date.parse('2026-11-30T11:40:00.000Z'), oldest: NOW - 7 * DAY })
  })

  it('resumes from the cursor (an hour of overlap), and backfills an older --since', async () => {
    const { server, deps } = await setup([createRoute, jsonRoute(SEARCH, { posts: (json('searchPosts_acme_p0.json') as { posts: unknown[] }).posts }), jsonRoute(FEED_PATH, { feed: [] })])
    await pull(deps)
    await pull(deps)
    const newest = Date.parse('2026-11-30T11:40:00.000Z')
    const second = searches(server)[1]
    expect(second?.query.since).toBe(new Date(newest - BLUESKY_OVERLAP_MS).toISOString())
    expect(second?.query.until).toBeUndefined()

    // A pull reaching 30 days back walks only what the store lacks: below the 7 days it holds.
    const before = searches(server).length
    await pull(deps, { sinceMs: 30 * DAY })
    const third = searches(server).slice(before)
    expect(third.map((r) => [r.query.since, r.query.until ?? null])).toEqual([
      [new Date(newest - BLUESKY_OVERLAP_MS).toISOString(), null],
      [new Date(NOW - 30 * DAY).toISOString(), new Date(NOW - 7 * DAY + 1).toISOString()],
    ])
    // One session for the three pulls' deps: createSession is rate-limited per account.
    expect(posted.map((p) => p.path)).toEqual([CREATE])
  })

  it('marks a mention answered when a brand handle’s author feed holds the reply', async () => {
    const { server, deps } = await setup([createRoute, jsonRoute(SEARCH, JSON.parse(P0)), jsonRoute(SEARCH, JSON.parse(P1), { query: { cursor: '3' } }), jsonRoute(FEED_PATH, JSON.parse(FEED))])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    const feed = server.requests.find((r) => r.path === FEED_PATH)
    expect(feed?.query).toMatchObject({ actor: 'acme.bsky.social', filter: 'posts_with_replies' })

    const unanswered = await listQueue(deps, { queue: 'unanswered' })
    expect(unanswered.map((m) => m.externalId)).not.toContain(ANA_POST)
    expect(unanswered.length).toBeGreaterThan(0)
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.find((m) => m.externalId === ANA_POST)?.answered).toBe(true)
    // The brand's own posts are stored but never queued.
    expect(all.map((m) => m.authorHandle)).not.toContain('acme.bsky.social')
  })

  it('refreshes an expired access token once and repeats the request', async () => {
    const { server, deps } = await setup([
      createRoute,
      jsonRoute(REFRESH, session('two')),
      jsonRoute(SEARCH, json('error_expired_token.json'), { status: 400, times: 1 }),
      jsonRoute(SEARCH, JSON.parse(P1)),
      jsonRoute(FEED_PATH, { feed: [] }),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(posted.map((p) => [p.path, p.headers.authorization ?? null])).toEqual([
      [CREATE, null],
      [REFRESH, 'Bearer refresh-one'],
    ])
    expect(searches(server).map((r) => r.headers.authorization)).toEqual(['Bearer access-one', 'Bearer access-two'])
  })

  it('logs in again when the refresh token has expired too (ExpiredToken as a 401)', async () => {
    const { deps } = await setup([
      createRoute,
      jsonRoute(CREATE, session('three')),
      jsonRoute(REFRESH, json('error_expired_token.json'), { status: 400 }),
      jsonRoute(SEARCH, json('error_expired_token.json'), { status: 401, times: 1 }),
      jsonRoute(SEARCH, JSON.parse(P1)),
      jsonRoute(FEED_PATH, { feed: [] }),
    ])
    expect((await pull(deps)).status).toBe('ok')
    expect(posted.map((p) => p.path)).toEqual([CREATE, REFRESH, CREATE])
  })

  it('fails, naming the variable, when a credential is missing', async () => {
    const { server, deps } = await setup([createRoute], { env: { BLUESKY_HANDLE: 'acme.bsky.social' } })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    for (const r of result.sources) expect(r.error).toMatch(/BLUESKY_APP_PASSWORD/)
    expect(server.requests).toEqual([])
  })

  it('says the credentials were rejected, naming the variables, on a 401 from createSession', async () => {
    const { deps } = await setup([
      jsonRoute(CREATE, { error: 'AuthenticationRequired', message: 'Invalid identifier or password' }, { status: 401 }),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    const error = result.sources[0]?.error ?? ''
    expect(error).toMatch(/credentials rejected/)
    expect(error).toMatch(/BLUESKY_HANDLE, BLUESKY_APP_PASSWORD/)
    expect(error).not.toContain('abcd-efgh-ijkl-mnop')
  })

  it('retries a 429 after its Retry-After (the test client never sleeps)', async () => {
    const { server, deps } = await setup([
      createRoute,
      jsonRoute(SEARCH, { error: 'RateLimitExceeded', message: 'Rate Limit Exceeded' }, { status: 429, times: 1, headers: { 'retry-after': '2' } }),
      jsonRoute(SEARCH, JSON.parse(P1)),
      jsonRoute(FEED_PATH, { feed: [] }),
    ])
    expect((await pull(deps)).status).toBe('ok')
    expect(searches(server)).toHaveLength(2)
  })

  it('fails saying when to retry when a 429 asks for a longer wait than the client allows', async () => {
    const { deps } = await setup([
      createRoute,
      jsonRoute(SEARCH, { error: 'RateLimitExceeded' }, { status: 429, headers: { 'retry-after': '3600', ...LIMITS, 'ratelimit-remaining': '0' } }),
      jsonRoute(FEED_PATH, { feed: [] }),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('partial')
    const error = result.sources.find((s) => !s.instance.endsWith('#own'))?.error ?? ''
    expect(error).toMatch(/HTTP 429/)
    expect(error).toMatch(/rate limited: retry after \S+, in 3600 s/)
  })

  it('records the window it still owes when maxPages cuts a walk short, and walks it first next pull', async () => {
    const { server, deps } = await setup(
      [createRoute, jsonRoute(SEARCH, JSON.parse(P0), { times: 1 }), jsonRoute(SEARCH, JSON.parse(P1)), jsonRoute(FEED_PATH, { feed: [] })],
      { options: { maxPages: 1 } },
    )
    await pull(deps)
    const cursor = (await deps.store().cursors.all()).find((c) => !c.instance.endsWith('#own'))?.cursor
    const oldestOnPage = Date.parse('2026-11-30T10:55:00.000Z')
    expect(cursor?.parts?.acme?.gap).toEqual({ from: NOW - 7 * DAY, to: oldestOnPage })
    expect(deps.warnings.some((w) => /stopped "acme" after 1 page/.test(w))).toBe(true)

    await pull(deps)
    const gapWalk = searches(server)[1]
    expect([gapWalk?.query.since, gapWalk?.query.until]).toEqual([new Date(NOW - 7 * DAY).toISOString(), new Date(oldestOnPage + 1).toISOString()])
  })
})

// ---------------------------------------------------------------------------------------
// The walks themselves, driven directly (as pull.ts drives them) against a loopback server.

function post(rkey: string, at: string, text: string, opts: { handle?: string; parent?: string } = {}): object {
  const did = opts.handle === 'acme.bsky.social' ? 'did:plc:acme5q2kx3ua6zeb4ffdn7pb' : 'did:plc:ana4rlqlmwk3dvxbqkjyvzgr'
  return {
    uri: `at://${did}/app.bsky.feed.post/${rkey}`,
    cid: `bafyrei${rkey}`,
    author: { did, handle: opts.handle ?? 'ana.bsky.social', displayName: 'X', labels: [] },
    record: {
      $type: 'app.bsky.feed.post',
      createdAt: at,
      text,
      langs: ['en'],
      ...(opts.parent ? { reply: { parent: { cid: 'c', uri: opts.parent }, root: { cid: 'c', uri: opts.parent } } } : {}),
    },
    replyCount: 0, repostCount: 0, likeCount: 0, quoteCount: 0, indexedAt: at, labels: [],
  }
}

async function collect(iterable: AsyncIterable<{ mentions: { externalId: string }[]; cursor: object }>) {
  const pages: { ids: string[]; cursor: object }[] = []
  for await (const p of iterable) pages.push({ ids: p.mentions.map((m) => m.externalId.split('/').pop() ?? ''), cursor: p.cursor })
  return pages
}

describe('bluesky walks', () => {
  const cleanups: (() => Promise<void>)[] = []
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.()
  })

  async function context(routes: ReplayRoute[], options: Record<string, unknown> = {}, http?: Http) {
    const s = await startReplayServer([createRoute, ...routes])
    cleanups.push(() => s.close())
    const { createHttp } = await import('../../src/net/client.js')
    const client = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
    cleanups.push(() => client.close())
    const warnings: string[] = []
    const ctx = {
      http: http ?? withPost(client, posted),
      options: blueskyOptions.parse({ baseUrl: s.url, ...options }),
      env: ENV,
      now: () => NOW,
      warn: (m: string) => void warnings.push(m),
    }
    return { server: s, ctx, warnings, client }
  }

  it('starts a new slice below the oldest post when a full page comes without a cursor', async () => {
    const { server, ctx } = await context(
      [
        jsonRoute(SEARCH, { posts: [post('c', '2026-11-30T09:00:00.000Z', 'acme c')] }, { query: { until: '2026-11-30T10:00:00.001Z' } }),
        jsonRoute(SEARCH, { posts: [post('a', '2026-11-30T11:00:00.000Z', 'acme a'), post('b', '2026-11-30T10:00:00.000Z', 'acme b')] }),
      ],
      { limit: 2 },
    )
    const pages = await collect(blueskySource.search(ctx, { brand: acme, since: NOW - DAY, maxPages: 5 }))
    expect(pages.map((p) => p.ids)).toEqual([['a', 'b'], ['c']])
    expect(searches(server).map((r) => r.query.until ?? null)).toEqual([null, '2026-11-30T10:00:00.001Z'])
    expect(pages.at(-1)?.cursor).toMatchObject({ parts: { acme: { at: Date.parse('2026-11-30T11:00:00.000Z'), oldest: NOW - DAY } } })
  })

  it('pages a handle’s author feed until it passes below since, keeping only posts inside the window', async () => {
    const { server, ctx } = await context([
      jsonRoute(FEED_PATH, { feed: [{ post: post('r2', '2026-11-28T08:00:00.000Z', 'older reply', { handle: 'acme.bsky.social', parent: ANA_POST }) }, { post: post('old', '2026-11-20T08:00:00.000Z', 'too old', { handle: 'acme.bsky.social' }) }], cursor: 'p3' }, { query: { cursor: 'p2' } }),
      jsonRoute(FEED_PATH, { feed: [{ post: post('r1', '2026-11-30T11:00:00.000Z', 'thanks!', { handle: 'acme.bsky.social', parent: ANA_POST }) }], cursor: 'p2' }),
    ])
    const pages = await collect(blueskySource.ownActivity!(ctx, { brand: acme, handles: ['@Acme.bsky.social'], since: NOW - 7 * DAY, maxPages: 5 }))
    expect(pages.map((p) => p.ids)).toEqual([['r1'], ['r2']])
    // Below since after the second page: no third request.
    expect(server.requests.filter((r) => r.path === FEED_PATH).map((r) => r.query.cursor ?? null)).toEqual([null, 'p2'])
    expect(pages.at(-1)?.cursor).toMatchObject({ parts: { 'acme.bsky.social': { at: Date.parse('2026-11-30T11:00:00.000Z'), oldest: NOW - 7 * DAY } } })
    expect((pages.at(-1)?.cursor as { parts: Record<string, { gap?: unknown }> }).parts['acme.bsky.social']?.gap).toBeUndefined()
  })

  it('owes the rest of a handle’s window when maxPages stops the feed early', async () => {
    const { ctx, warnings } = await context([
      jsonRoute(FEED_PATH, {
        feed: [
          { post: post('r1', '2026-11-30T11:00:00.000Z', 'hi', { handle: 'acme.bsky.social' }) },
          { post: post('r0', '2026-11-29T11:00:00.000Z', 'hello', { handle: 'acme.bsky.social' }) },
        ],
        cursor: 'p2',
      }),
    ])
    const pages = await collect(blueskySource.ownActivity!(ctx, { brand: acme, handles: ['acme.bsky.social'], since: NOW - 7 * DAY, maxPages: 1 }))
    expect(pages.at(-1)?.cursor).toMatchObject({
      parts: { 'acme.bsky.social': { at: Date.parse('2026-11-30T11:00:00.000Z'), gap: { from: NOW - 7 * DAY, to: Date.parse('2026-11-29T11:00:00.000Z') } } },
    })
    expect(warnings.join('\n')).toMatch(/stopped reading @acme.bsky.social's posts after 1 page/)
  })

  it('says what to change when the service refuses search with a 403', async () => {
    const { ctx } = await context([jsonRoute(SEARCH, { error: 'Forbidden' }, { status: 403 })])
    const walk = collect(blueskySource.search(ctx, { brand: acme, since: NOW - DAY, maxPages: 1 }))
    await expect(walk).rejects.toThrow(/Bluesky refused the request .*set baseUrl to your PDS or appViewUrl to https:\/\/api\.bsky\.app.*check BLUESKY_HANDLE, BLUESKY_APP_PASSWORD/)
  })
})
