import fs, { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand, Cursor } from '../../src/model.js'
import {
  REDDIT_OVERLAP_MS,
  defaultUserAgent,
  listingUrl,
  parseReddit,
  parseRedditPage,
  redditOptions,
  redditQueries,
  redditSource,
  searchSpecs,
  tokenRequest,
  userSpecs,
} from '../../src/sources/reddit.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type RecordedRequest, type ReplayRoute, type ReplayServer } from '../support/replay.js'

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/reddit/${name}`, import.meta.url), 'utf8')

describe('parseReddit', () => {
  it('maps a self post: fullname id, permalink, HTML body as plain text, score as likes, num_comments as replies', () => {
    const [post] = parseReddit(fixture('search_acme_new.json'))
    expect(post).toEqual({
      externalId: 't3_1h0c4aa',
      url: 'https://www.reddit.com/r/selfhosted/comments/1h0c4aa/acme_cloud_pricing_support/',
      title: 'Acme Cloud pricing & support <rant>',
      text: "Our Acme Cloud bill doubled & support won't answer. Anyone else?\n\nquoted",
      author: { handle: 'quietfox' },
      createdAt: 1764620400_000,
      metrics: { score: 41, likes: 41, replies: 17 },
    })
  })

  it('gives a link post the linked URL as canonicalUrl and drops the ?ref= of search permalinks', () => {
    const link = parseReddit(fixture('search_acme_new.json'))[1]
    expect(link?.canonicalUrl).toBe('https://blog.acme.example/sync-engine?utm_source=reddit')
    expect(link?.url).toBe('https://www.reddit.com/r/technology/comments/1h0c3zz/acme_ships_a_new_sync_engine/')
    expect(link?.text).toBe('')
  })

  it('drops a deleted author and a score of the wrong type, skips an item without a time, and reads `after`', () => {
    const page = parseRedditPage(fixture('search_acme_new.json'))
    expect(page).toMatchObject({ itemCount: 4, skipped: 1, after: 't3_1h0c3x9' })
    const deleted = page.drafts[2]
    expect(deleted?.externalId).toBe('t3_1h0c3y1')
    expect(deleted?.author).toBeUndefined()
    expect(deleted?.metrics).toEqual({ replies: 3 })
  })

  it('maps comments: parent_id and link_id fullnames, the post title as context, no thread-wide reply count', () => {
    const page = parseRedditPage(fixture('subreddit_comments.json'))
    // The "more" stub is not an item.
    expect(page).toMatchObject({ itemCount: 2, skipped: 0, after: undefined })
    expect(page.drafts[0]).toEqual({
      externalId: 't1_m1a2b3c',
      url: 'https://www.reddit.com/r/selfhosted/comments/1gzz999/which_sync_tool_do_you_use/m1a2b3c/',
      title: 'Which sync tool do you use?',
      text: 'Acme > everything else, but the client leaks memory.',
      author: { handle: 'homelabber' },
      createdAt: 1764619000_000,
      parentExternalId: 't1_m1a0000',
      threadExternalId: 't3_1gzz999',
      metrics: { score: 5, likes: 5 },
    })
    // HTML escaped once more (a request without raw_json=1) still comes out as text.
    expect(page.drafts[1]?.text).toBe('Syncthing, always.')
  })

  it('reads a thread (an array of Listings) with its nested replies', () => {
    const comment = JSON.parse(fixture('user_comments.json')).data.children[0]
    const reply = { kind: 't1', data: { ...comment.data, name: 't1_zzz', id: 'zzz', parent_id: 't1_m1b9z9z', replies: '' } }
    const thread = [
      JSON.parse(fixture('search_acme_new.json')),
      { kind: 'Listing', data: { after: null, children: [{ ...comment, data: { ...comment.data, replies: { kind: 'Listing', data: { children: [reply] } } } }] } },
    ]
    const ids = parseReddit(thread).map((d) => d.externalId)
    expect(ids.slice(-2)).toEqual(['t1_m1b9z9z', 't1_zzz'])
  })

  it('throws SourceResponseError for a body that is not JSON, an error object, or not a Listing', () => {
    expect(() => parseReddit('<html>blocked by network security</html>')).toThrow(SourceResponseError)
    expect(() => parseReddit(fixture('error_forbidden.json'))).toThrow('reddit: the API answered with an error (403 Forbidden)')
    expect(() => parseReddit({ kind: 't3', data: {} })).toThrow('expected a Listing, got kind "t3"')
    expect(() => parseReddit({ kind: 'Listing', data: { things: [] } })).toThrow('"data.children"')
  })
})

describe('reddit requests', () => {
  it('searches each distinct term, phrases quoted, and each subreddit’s new posts and comments', () => {
    expect(redditQueries(['acme', 'ACME', '"acme cloud"', '  ', '""'])).toEqual(['acme', '"acme cloud"'])
    const specs = searchSpecs(['acme'], ['selfhosted', 'SelfHosted'])
    expect(specs.map((s) => s.key)).toEqual(['search:acme', 'new:selfhosted', 'comments:selfhosted'])
    const url = listingUrl('https://oauth.reddit.com', specs[0]!, { limit: 100, after: 't3_abc' })
    expect(url.pathname).toBe('/search')
    expect(Object.fromEntries(url.searchParams)).toEqual({ q: 'acme', sort: 'new', type: 'link', t: 'all', limit: '100', raw_json: '1', after: 't3_abc' })
    expect(listingUrl('https://proxy.example/reddit/', specs[2]!, { limit: 50 }).href).toBe('https://proxy.example/reddit/r/selfhosted/comments?limit=50&raw_json=1')
  })

  it('reads the handles’ own comments, newest first', () => {
    const [spec] = userSpecs(['u/Acme_Support', '@acme_support'])
    expect(userSpecs(['u/Acme_Support', '@acme_support'])).toHaveLength(1)
    expect(listingUrl('https://oauth.reddit.com', spec!, { limit: 100 }).href).toBe('https://oauth.reddit.com/user/Acme_Support/comments?sort=new&limit=100&raw_json=1')
  })

  it('asks for a password grant only when both username and password are set', () => {
    const app = tokenRequest({ clientId: 'cid', clientSecret: 'sec' }, 'ua')
    expect(app.body).toBe('grant_type=client_credentials')
    expect(app.headers.authorization).toBe(`Basic ${Buffer.from('cid:sec').toString('base64')}`)
    const script = tokenRequest({ clientId: 'cid', clientSecret: 'sec', username: 'bot', password: 'p&ss' }, 'ua')
    expect(script.body).toBe('grant_type=password&username=bot&password=p%26ss')
    expect(redditSource.requires.filter((r) => !r.optional).map((r) => r.env)).toEqual(['REDDIT_CLIENT_ID', 'REDDIT_CLIENT_SECRET'])
  })

  it('names a user agent the way Reddit asks for one', () => {
    expect(defaultUserAgent('acme_bot')).toBe('cli:mentions:1 (by /u/acme_bot)')
    expect(defaultUserAgent(undefined)).toBe('cli:mentions:1 (brand-mention monitor)')
  })

  it('validates options and names the instance by host and subreddits, never a secret', () => {
    const o = redditOptions.parse({ subreddits: ['r/SelfHosted', '/r/webdev'] })
    expect(o).toMatchObject({ baseUrl: 'https://oauth.reddit.com', tokenUrl: 'https://www.reddit.com/api/v1/access_token', maxPages: 3, limit: 100, subreddits: ['SelfHosted', 'webdev'] })
    expect(redditSource.instanceKey(o)).toBe('https://oauth.reddit.com r/SelfHosted+webdev')
    expect(redditSource.instanceKey(redditOptions.parse({}))).toBe('https://oauth.reddit.com')
    expect(redditOptions.safeParse({ subreddits: ['no spaces'] }).success).toBe(false)
    expect(redditOptions.safeParse({ limit: 101 }).success).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------
// Against a loopback server, through pull()

const NOW = Date.parse('2026-12-01T20:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR
const ENV = { REDDIT_CLIENT_ID: 'client-id-1', REDDIT_CLIENT_SECRET: 'client-secret-1' }
const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { reddit: ['acme_support'] } }
const noHandles: Brand = { ...acme, handles: {} }

let seq = 0
function post(title: string, at: number, more: Record<string, unknown> = {}): object {
  const id = `p${(seq++).toString(36)}`
  return {
    kind: 't3',
    data: { id, name: `t3_${id}`, title, selftext: '', author: 'someone', score: 1, num_comments: 0, is_self: true, permalink: `/r/test/comments/${id}/x/`, created_utc: at / 1000, ...more },
  }
}
function comment(body: string, at: number, more: Record<string, unknown> = {}): object {
  const id = `c${(seq++).toString(36)}`
  return {
    kind: 't1',
    data: { id, name: `t1_${id}`, body, author: 'someone', score: 1, parent_id: 't3_root', link_id: 't3_root', permalink: `/r/test/comments/root/x/${id}/`, created_utc: at / 1000, ...more },
  }
}
const fullname = (thing: object) => (thing as { data: { name: string } }).data.name
function listing(children: object[], after: string | null = null): object {
  return { kind: 'Listing', data: { after, dist: children.length, modhash: '', geo_filter: '', children, before: null } }
}
const rateHeaders = { 'x-ratelimit-used': '4', 'x-ratelimit-remaining': '96.0', 'x-ratelimit-reset': '300' }
const tokenRoute = (extras: Partial<ReplayRoute> = {}): ReplayRoute =>
  extras.body === undefined
    ? jsonRoute('/api/v1/access_token', JSON.parse(fixture('token.json')), extras)
    : { ...extras, path: '/api/v1/access_token', headers: { 'content-type': 'application/json', ...extras.headers } }

let server: ReplayServer | undefined
let deps: TestDeps | undefined
let dir: string | undefined

afterEach(async () => {
  await deps?.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = deps = dir = undefined
})

async function setup(
  routes: ReplayRoute[],
  opts: { env?: Record<string, string>; options?: Record<string, unknown>; brand?: Brand; now?: () => number } = {},
): Promise<{ server: ReplayServer; deps: TestDeps }> {
  server = await startReplayServer(routes)
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    env: opts.env ?? ENV,
    now: opts.now ?? (() => NOW),
    config: {
      brands: [opts.brand ?? noHandles],
      sources: [{ kind: 'reddit', options: { baseUrl: server.url, tokenUrl: `${server.url}/api/v1/access_token`, ...opts.options } }],
    },
  })
  return { server, deps }
}

/** The same address with new routes: a replay server's routes are fixed when it starts. */
async function reroute(routes: ReplayRoute[]): Promise<ReplayServer> {
  const port = Number(new URL(server!.url).port)
  await server!.close()
  server = await startReplayServer([tokenRoute(), ...routes], { port })
  return server
}

const apiCalls = (s: ReplayServer, p?: string): RecordedRequest[] => s.requests.filter((r) => r.path !== '/api/v1/access_token' && (p === undefined || r.path === p))
const tokenCalls = (s: ReplayServer): RecordedRequest[] => s.requests.filter((r) => r.path === '/api/v1/access_token')
const key = { source: 'reddit', instance: '', brand: 'Acme' }
async function cursorOf(d: TestDeps, s: ReplayServer, instance = s.url): Promise<Cursor | undefined> {
  return d.store().cursors.get({ ...key, instance })
}

describe('reddit pull: paging, token, headers, rate limits', () => {
  it('walks `after` pages until an item older than since, with one token, a bearer header, a User-Agent and raw_json', async () => {
    const p1 = [post('acme one', NOW - HOUR), post('acme two', NOW - 2 * HOUR)]
    const p2 = [post('acme three', NOW - 3 * DAY), post('acme too old', NOW - 8 * DAY)]
    const { server, deps } = await setup([
      tokenRoute(),
      jsonRoute('/search', listing(p2, 't3_never'), { query: { after: fullname(p1[1]!) }, headers: rateHeaders }),
      jsonRoute('/search', listing(p1, fullname(p1[1]!)), { headers: rateHeaders }),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    // The too-old item is outside the 7-day window: dropped by the walk, never stored.
    expect(result.sources[0]).toMatchObject({ fetched: 3, new: 3 })
    const calls = apiCalls(server, '/search')
    expect(calls).toHaveLength(2)
    expect(calls[0]?.query).toMatchObject({ q: 'acme', sort: 'new', type: 'link', raw_json: '1', limit: '100' })
    expect(calls[0]?.headers.authorization).toBe(`bearer ${JSON.parse(fixture('token.json')).access_token}`)
    expect(calls[0]?.headers['user-agent']).toBe('cli:mentions:1 (brand-mention monitor)')
    const token = tokenCalls(server)
    expect(token).toHaveLength(1)
    expect(token[0]?.method).toBe('POST')
    expect(token[0]?.headers.authorization).toBe(`Basic ${Buffer.from('client-id-1:client-secret-1').toString('base64')}`)
    expect(token[0]?.headers['content-type']).toBe('application/x-www-form-urlencoded')
    const [status] = await deps.store().cursors.all()
    expect(status?.upstream).toEqual({ remaining: 96, limit: 100, resetAt: NOW + 300_000 })
    expect(deps.warnings.join('\n')).toContain("1 item(s) lie outside the pull's window")
  })

  it('shares one token between the brand searches and the handles’ own activity of a pull', async () => {
    const { server, deps } = await setup(
      [tokenRoute(), jsonRoute('/search', listing([])), jsonRoute('/user/acme_support/comments', listing([]))],
      { brand: acme, env: { ...ENV, REDDIT_USERNAME: 'acme_bot', REDDIT_PASSWORD: 'hunter22' } },
    )
    expect((await pull(deps)).status).toBe('ok')
    expect(tokenCalls(server)).toHaveLength(1)
    expect(apiCalls(server).map((r) => r.path).sort()).toEqual(['/search', '/user/acme_support/comments'])
    expect(apiCalls(server)[0]?.headers['user-agent']).toBe('cli:mentions:1 (by /u/acme_bot)')
  })

  it('fetches a new token when the cached one has expired', async () => {
    let now = NOW
    const { server, deps } = await setup(
      [jsonRoute('/api/v1/access_token', { access_token: 'short', token_type: 'bearer', expires_in: 600 }), jsonRoute('/search', listing([]))],
      { now: () => now },
    )
    await pull(deps)
    now += 5 * 60_000 // still valid (beyond the one-minute margin)
    await pull(deps)
    expect(tokenCalls(server)).toHaveLength(1)
    now += 10 * 60_000
    await pull(deps)
    expect(tokenCalls(server)).toHaveLength(2)
  })

  it('walks the subreddits’ new posts and comments; the pull keeps only what names a brand', async () => {
    const reply = comment('acme support is slow today', NOW - HOUR, { parent_id: 't1_up', link_id: 't3_thread', link_title: 'Hosting?' })
    const { server, deps } = await setup(
      [
        tokenRoute(),
        jsonRoute('/search', listing([])),
        jsonRoute('/r/selfhosted/new', listing([post('unrelated post', NOW - HOUR), post('I moved to Acme', NOW - 2 * HOUR)])),
        jsonRoute('/r/selfhosted/comments', listing([reply, comment('nothing to see', NOW - 2 * HOUR)])),
      ],
      { options: { subreddits: ['selfhosted'] } },
    )
    const result = await pull(deps)
    expect(result.sources[0]).toMatchObject({ fetched: 4, new: 2, dropped: 2 })
    expect(apiCalls(server).map((r) => r.path)).toEqual(['/search', '/r/selfhosted/new', '/r/selfhosted/comments'])
    const all = await listQueue(deps, { queue: 'all' })
    const stored = all.find((m) => m.externalId === fullname(reply))
    expect(stored).toMatchObject({ parentExternalId: 't1_up', threadExternalId: 't3_thread', title: 'Hosting?' })
    expect(Object.keys((await cursorOf(deps, server, `${server.url} r/selfhosted`))?.parts ?? {})).toEqual(['search:acme', 'new:selfhosted', 'comments:selfhosted'])
  })
})

describe('reddit pull: cursors', () => {
  it('resumes: the second pull reads only the first page and stores only what is new', async () => {
    const older = [post('acme a', NOW - 2 * DAY), post('acme b', NOW - 3 * DAY)]
    const older2 = [post('acme c', NOW - 8 * DAY)]
    let now = NOW
    const { server: first0, deps } = await setup(
      [tokenRoute(), jsonRoute('/search', listing(older2), { query: { after: fullname(older[1]!) } }), jsonRoute('/search', listing(older, fullname(older[1]!)))],
      { now: () => now },
    )
    expect((await pull(deps)).sources[0]).toMatchObject({ new: 2 })
    const first = await cursorOf(deps, first0)
    expect(first?.parts?.['search:acme']?.at).toBe(NOW - 2 * DAY)

    // A day later: one new post; the page also holds the known ones, then stops.
    now = NOW + DAY
    const fresh = post('acme d', NOW + 12 * HOUR)
    const server = await reroute([jsonRoute('/search', listing(older2), { query: { after: fullname(older[1]!) } }), jsonRoute('/search', listing([fresh, ...older], fullname(older[1]!)))])
    const second = await pull(deps)
    expect(second.sources[0]).toMatchObject({ new: 1 })
    const calls = apiCalls(server)
    expect(calls).toHaveLength(1)
    expect(calls[0]?.query.after).toBeUndefined()
    expect((await cursorOf(deps, server))?.parts?.['search:acme']?.at).toBe(NOW + 12 * HOUR)
  })

  it('re-reads an hour below the resume point', async () => {
    // An item found late (index lag) within the overlap is still stored.
    const known = post('acme known', NOW - 2 * HOUR)
    const late = post('acme late', NOW - 2 * HOUR - REDDIT_OVERLAP_MS / 2)
    const { deps } = await setup([tokenRoute(), jsonRoute('/search', listing([known]))])
    await pull(deps)
    await reroute([jsonRoute('/search', listing([known, late]))])
    expect((await pull(deps)).sources[0]).toMatchObject({ new: 1 })
  })

  it('backfills: a second pull with an older since fetches the older window', async () => {
    const recent = [post('acme recent', NOW - HOUR), post('acme 2 days', NOW - 2 * DAY)]
    const { deps } = await setup([
      tokenRoute(),
      jsonRoute('/search', listing([post('acme 5 days', NOW - 5 * DAY)]), { query: { after: fullname(recent[1]!) } }),
      jsonRoute('/search', listing(recent, fullname(recent[1]!))),
    ])
    // First pull covers 3 days: it stops at the 5-day-old item (outside, not stored).
    expect((await pull(deps, { sinceMs: 3 * DAY })).sources[0]).toMatchObject({ new: 2 })

    const deep = post('acme 20 days', NOW - 20 * DAY)
    // The new window finds nothing newer; the backfill walks from the top past its own bottom.
    const server = await reroute([
      jsonRoute('/search', listing([post('acme 5 days', NOW - 5 * DAY), deep], fullname(deep)), { query: { after: fullname(recent[1]!) } }),
      jsonRoute('/search', listing([post('acme 40 days', NOW - 40 * DAY)]), { query: { after: fullname(deep) } }),
      jsonRoute('/search', listing(recent, fullname(recent[1]!))),
    ])
    const second = await pull(deps, { sinceMs: 30 * DAY })
    expect(apiCalls(server).map((r) => r.query.after ?? '')).toEqual(['', '', fullname(recent[1]!), fullname(deep)])
    expect(second.sources[0]).toMatchObject({ new: 2 })
    const texts = (await listQueue(deps, { queue: 'all' })).map((m) => m.title)
    expect(texts).toContain('acme 20 days')
    expect(texts).not.toContain('acme 40 days')
    expect((await cursorOf(deps, server))?.parts?.['search:acme']?.oldest).toBe(NOW - 30 * DAY)
  })

  it('owes what maxPages left unread as a gap, and resumes it next pull after the fullname where it stopped', async () => {
    const p1 = [post('acme 1', NOW - HOUR), post('acme 3h', NOW - 3 * HOUR)]
    const p2 = [post('acme 2', NOW - 2 * DAY)]
    const routes = [
      jsonRoute('/search', listing(p2), { query: { after: fullname(p1[1]!) } }),
      jsonRoute('/search', listing(p1, fullname(p1[1]!))),
    ]
    const { server: s1, deps } = await setup([tokenRoute(), routes[1]!], { options: { maxPages: 1 } })
    await pull(deps)
    const part = (await cursorOf(deps, s1))?.parts?.['search:acme']
    expect(part).toEqual({ at: NOW - HOUR, oldest: NOW - 7 * DAY, gap: { from: NOW - 7 * DAY, to: NOW - 3 * HOUR }, id: fullname(p1[1]!) })
    expect(deps.warnings.join('\n')).toContain('stopped search "acme" after 1 page(s)')

    const server = await reroute(routes)
    await pull(deps)
    // The gap walk starts after the anchor; the new window then reads the top page.
    expect(apiCalls(server).map((r) => r.query.after ?? '')).toEqual([fullname(p1[1]!), ''])
    expect((await cursorOf(deps, server))?.parts?.['search:acme']).toEqual({ at: NOW - HOUR, oldest: NOW - 7 * DAY })
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.title)).toEqual(['acme 1', 'acme 3h', 'acme 2'])
  })

  it('walks a gap from the top again when the fullname it resumed after has gone', async () => {
    const top = [post('acme 1', NOW - HOUR), post('acme 3h', NOW - 3 * HOUR)]
    const mid = [post('acme 1d', NOW - DAY), post('acme 2d', NOW - 2 * DAY)]
    const { server: s1, deps } = await setup(
      [tokenRoute(), jsonRoute('/search', listing(mid, fullname(mid[1]!)), { query: { after: fullname(top[1]!) } }), jsonRoute('/search', listing(top, fullname(top[1]!)))],
      { options: { maxPages: 2 } },
    )
    await pull(deps)
    expect((await cursorOf(deps, s1))?.parts?.['search:acme']?.id).toBe(fullname(mid[1]!))

    const server = await reroute([
      jsonRoute('/search', listing([]), { query: { after: fullname(mid[1]!) } }),
      jsonRoute('/search', listing(mid, fullname(mid[1]!)), { query: { after: fullname(top[1]!) } }),
      jsonRoute('/search', listing(top, fullname(top[1]!))),
    ])
    await pull(deps)
    expect(apiCalls(server).map((r) => r.query.after ?? '')).toEqual([fullname(mid[1]!), '', ''])
    // An empty answer after the anchor is not "the gap is empty": it is still owed.
    expect((await cursorOf(deps, server))?.parts?.['search:acme']?.gap).toEqual({ from: NOW - 7 * DAY, to: NOW - 2 * DAY })
  })
})

describe('reddit pull: the brand’s own replies', () => {
  it('marks a mention answered when a brand handle’s comment has it as parent_id', async () => {
    const question = post('acme ate my files', NOW - 3 * HOUR)
    const other = post('acme is great', NOW - 2 * HOUR)
    const answer = comment('Sorry! We restored them, check your inbox.', NOW - HOUR, { author: 'acme_support', parent_id: fullname(question), link_id: fullname(question) })
    const { server, deps } = await setup(
      [tokenRoute(), jsonRoute('/search', listing([other, question])), jsonRoute('/user/acme_support/comments', listing([answer]))],
      { brand: acme },
    )
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    const own = apiCalls(server, '/user/acme_support/comments')
    expect(own[0]?.query).toMatchObject({ sort: 'new', raw_json: '1' })
    const unanswered = await listQueue(deps, { queue: 'unanswered' })
    expect(unanswered.map((m) => m.externalId)).toEqual([fullname(other)])
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => [m.externalId, m.answered])).toEqual([[fullname(other), false], [fullname(question), true]])
  })
})

describe('reddit pull: failures', () => {
  it('fails clearly, naming the variable, when a credential is missing (and makes no request)', async () => {
    const { server, deps } = await setup([tokenRoute(), jsonRoute('/search', listing([]))], { env: { REDDIT_CLIENT_ID: 'x' } })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toContain('set REDDIT_CLIENT_SECRET')
    expect(server.requests).toHaveLength(0)
  })

  it('says the credentials were rejected, naming them, on a 401 from the token endpoint', async () => {
    const { deps } = await setup([tokenRoute({ status: 401, body: '{"message": "Unauthorized", "error": 401}' })])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/^credentials rejected \(HTTP 401 .*\); check REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET$/)
    expect(result.sources[0]?.error).not.toContain('client-secret-1')
  })

  it('names the username and password when the password grant is refused', async () => {
    const { deps } = await setup([tokenRoute({ body: '{"error": "invalid_grant"}' })], { env: { ...ENV, REDDIT_USERNAME: 'bot', REDDIT_PASSWORD: 'wrong' } })
    const result = await pull(deps)
    expect(result.sources[0]?.error).toBe('credentials rejected (Reddit token: invalid_grant); check REDDIT_USERNAME, REDDIT_PASSWORD')
  })

  it('takes a new token once when the API refuses the cached one, then reports the 401', async () => {
    const { server, deps } = await setup([tokenRoute(), jsonRoute('/search', { message: 'Unauthorized', error: 401 }, { status: 401 })])
    const result = await pull(deps)
    expect(result.sources[0]?.error).toMatch(/^credentials rejected .*check REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET$/)
    expect(tokenCalls(server)).toHaveLength(2)
    expect(apiCalls(server)).toHaveLength(2)
  })

  it('says Reddit needs an approved API app on a 403', async () => {
    const { deps } = await setup([tokenRoute(), { path: '/search', status: 403, body: fixture('error_forbidden.json') }])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toContain('Reddit refused the request: it needs an approved API app (REDDIT_CLIENT_ID/SECRET)')
    expect(result.sources[0]?.error).toContain('check REDDIT_CLIENT_ID, REDDIT_CLIENT_SECRET')
  })

  it('retries a 429 after its Retry-After', async () => {
    const ok = await setup([
      tokenRoute(),
      jsonRoute('/search', { message: 'Too Many Requests', error: 429 }, { status: 429, headers: { 'retry-after': '2' }, times: 1 }),
      jsonRoute('/search', listing([post('acme ok', NOW - HOUR)])),
    ])
    expect((await pull(ok.deps)).sources[0]).toMatchObject({ new: 1 })
    expect(apiCalls(ok.server)).toHaveLength(2)
  })

  it('keeps the retry time of a 429 that outlasts the wait the client accepts', async () => {
    const { deps: d2 } = await setup([tokenRoute(), jsonRoute('/search', { error: 429 }, { status: 429, headers: { 'retry-after': '3600' } })])
    const result = await pull(d2)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/HTTP 429 .*rate limited: retry after \S+, in \d+ s/)
  })

  it('reports a token endpoint answering 429 as rate limited, with its retry time', async () => {
    const { deps } = await setup([tokenRoute({ status: 429, headers: { 'retry-after': '120' }, body: '{"error": 429}' })])
    const result = await pull(deps)
    expect(result.sources[0]?.error).toMatch(/HTTP 429 .*rate limited: retry after \S+, in 120 s/)
  })

  it('never takes a 200 that is not a Listing for "no mentions"', async () => {
    const { deps } = await setup([tokenRoute(), jsonRoute('/search', { kind: 'Listing', data: { items: [] } })])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toContain('"data.children"')
  })
})
