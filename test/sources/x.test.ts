import fs, { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand, Cursor } from '../../src/model.js'
import { SourceResponseError } from '../../src/sources/types.js'
import {
  parseX,
  parseXPage,
  planXWalks,
  reachablePart,
  snowflakeTime,
  xOptions,
  xPartAfter,
  xQuery,
  xSource,
  type XWalkState,
} from '../../src/sources/x.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/x/${name}`, import.meta.url), 'utf8')

const E = 1288834974657n
const idAt = (ms: number, seq = 0): string => (((BigInt(ms) - E) << 22n) | BigInt(seq)).toString()

describe('parseX', () => {
  const page = parseXPage(fixture('search_acme.json'), 'https://api.x.com/2/tweets/search/recent')
  const [first, second, third] = page.drafts

  it('builds the permalink from the author, decodes X\'s escapes, and counts quotes as reposts', () => {
    expect(first).toEqual({
      externalId: '2126605775664054273',
      url: 'https://x.com/ana_l/status/2126605775664054273',
      text: 'Charged twice by @acme again & support is silent. Anyone else? <sigh>',
      author: { handle: 'ana_l', name: 'Ana Lima', reach: 412 },
      createdAt: Date.parse('2026-11-28T09:15:02.000Z'),
      lang: 'en',
      threadExternalId: '2126605775664054273',
      metrics: { likes: 11, reposts: 4, replies: 2 },
    })
  })

  it('takes a long post from note_tweet, its parent from replied_to, and its link elsewhere as canonicalUrl', () => {
    expect(second?.text).toContain('The sync engine is twice as fast')
    expect(second?.text).toContain('\n\n')
    expect(second?.parentExternalId).toBe('2126405698974646279')
    expect(second?.threadExternalId).toBe('2126405698974646279')
    expect(second?.canonicalUrl).toBe('https://acme.example/blog/release-5')
    // A field of the wrong type is dropped, not fatal.
    expect(second?.metrics).toEqual({ reposts: 0, replies: 0 })
  })

  it('treats "und" as no language, links an author it cannot name by id, and drops a post without an id', () => {
    expect(third?.lang).toBeUndefined()
    expect(third?.url).toBe('https://x.com/i/web/status/2126436841681846275')
    expect(third?.author).toBeUndefined()
    expect(page.count).toBe(4)
    expect(page.skipped).toBe(1)
    expect(page.nextToken).toBe('b26v89c19zqg8o3fq0')
  })

  it('reads the creation time from the snowflake id when created_at was not requested', () => {
    // The recorded post's text is the time its script composed it, a moment before X took it.
    const composed = Date.parse('2022-10-07T23:06:12.640Z')
    const at = snowflakeTime('1578522108187283456') ?? 0
    expect(at - composed).toBeGreaterThanOrEqual(0)
    expect(at - composed).toBeLessThan(1000)
    const [d] = parseX({ data: [{ id: '1578522108187283456', text: 'tweepy' }], meta: { result_count: 1 } })
    expect(d?.createdAt).toBe(at)
    expect(snowflakeTime('20')).toBeUndefined()
  })

  it('is an empty page for "no results", a clear error for an error body with 200 or a wrong shape', () => {
    expect(parseXPage(fixture('no_results.json'))).toMatchObject({ drafts: [], count: 0 })
    expect(() => parseX(fixture('error_200.json'))).toThrow(SourceResponseError)
    expect(() => parseX(fixture('error_200.json'))).toThrow(/X answered with an error: Invalid Request: One or more parameters.*Invalid since_id/)
    expect(() => parseX('[1,2]')).toThrow(/X API v2 response/)
    expect(() => parseX('{"foo":1}')).toThrow(/expected "data"/)
    expect(() => parseX('<html>')).toThrow(/not JSON/)
    expect(() => parseX({ title: 'Bad\u001b[31m', detail: 'x' })).toThrow(/Bad \[31m: x/)
  })
})

describe('x helpers', () => {
  const brand = (terms: string[], handles: string[] = []): Brand => ({ name: 'Acme', terms, exclude: [], require: [], languages: [], competitor: false, handles: { x: handles } })

  it('builds the query from terms, without retweets and without the brand\'s own handles', () => {
    expect(xQuery(brand(['acme']))).toBe('acme -is:retweet')
    expect(xQuery(brand(['acme', '"acme cloud"', 'acme  brick'], ['@acmehq', 'acme_help']), 'en')).toBe(
      '(acme OR "acme cloud" OR "acme brick") -is:retweet -from:acmehq -from:acme_help lang:en',
    )
    expect(xQuery(brand([]))).toBe('')
  })

  it('has the documented defaults, asks for the token, and names its instance by baseUrl', () => {
    const o = xOptions.parse({})
    expect(o).toEqual({ baseUrl: 'https://api.x.com', maxPages: 5, maxReadsPerPull: 100, maxReadsPerDay: 500 })
    expect(xSource.requires).toEqual([{ env: 'X_BEARER_TOKEN', why: expect.any(String) }])
    expect(xSource.instanceKey(o)).toBe('https://api.x.com')
    expect(xSource.replies).toBe('own-activity')
    expect(() => xOptions.parse({ maxReadsPerDay: 5 })).toThrow()
  })

  const NOW_ = Date.parse('2026-12-01T12:00:00Z')
  const floor = NOW_ - 6 * 24 * 3600_000
  const HOUR_ = 3600_000

  it('resumes with since_id and no overlap, walks an owed gap first with until_id, and backfills below oldest', () => {
    const part: Cursor = { id: '900', at: NOW_ - 3600_000, oldest: NOW_ - 86400_000, gap: { from: NOW_ - 5 * 3600_000, to: NOW_ - 4 * 3600_000 }, parts: { gapTop: { id: '500' }, gapFloor: { id: '400' } } }
    const plans = planXWalks(part, { since: NOW_ - 3 * 86400_000 }, floor, NOW_)
    expect(plans).toEqual([
      { kind: 'gap', from: NOW_ - 5 * 3600_000, to: NOW_ - 4 * 3600_000, untilId: '500', sinceId: '400' },
      { kind: 'new', from: NOW_ - 3600_000, to: undefined, sinceId: '900' },
      { kind: 'backfill', from: NOW_ - 3 * 86400_000, to: NOW_ - 86400_000, startTime: NOW_ - 3 * 86400_000, endTime: NOW_ - 86400_000 },
    ])
  })

  it('clamps to the 7-day window and says what fell out of reach', () => {
    const warnings: string[] = []
    const part: Cursor = { id: '900', at: floor - 1000, oldest: floor - 5000 }
    expect(planXWalks(part, { since: floor - 86400_000 }, floor, NOW_, (m) => warnings.push(m))).toEqual([{ kind: 'new', from: floor, to: undefined, startTime: floor }])
    expect(warnings[0]).toMatch(/older than X's 7-day search window/)
  })

  it('drops a gap wholly older than the window, saying so, and keeps what lies beside it', () => {
    const warnings: string[] = []
    const part: Cursor = { id: '900', at: NOW_ - HOUR_, gap: { from: floor - 3 * HOUR_, to: floor - HOUR_ }, parts: { gapTop: { id: '500' }, user: { id: '7' } } }
    const kept = reachablePart(part, floor, (m) => warnings.push(m))
    expect(kept).toEqual({ id: '900', at: NOW_ - HOUR_, parts: { user: { id: '7' } } })
    expect(warnings[0]).toMatch(/older than X's 7-day search window/)
    expect(planXWalks(kept, { since: floor }, floor, NOW_).map((p) => p.kind)).toEqual(['new'])
    expect(reachablePart({ ...part, gap: { from: floor - HOUR_, to: floor + HOUR_ } }, floor)).toHaveProperty('gap')
  })

  it('a walk cut short owes from the old newest id down to the oldest id read; finishing the gap clears it', () => {
    const prev: Cursor = { id: '100', at: 1000, oldest: 500 }
    const cut: XWalkState = { plan: { kind: 'new', from: 1000, to: undefined, sinceId: '100' }, status: 'truncated', newest: { id: '300', at: 3000 }, oldest: { id: '200', at: 2000 } }
    const after = xPartAfter(prev, [cut])
    expect(after).toEqual({ id: '300', at: 3000, oldest: 500, gap: { from: 1000, to: 2000 }, parts: { gapTop: { id: '200' }, gapFloor: { id: '100' } } })
    const gapWalk: XWalkState = { plan: planXWalks(after, { since: 0 }, 0, 10_000)[0] as XWalkState['plan'], status: 'done', newest: { id: '150', at: 1500 }, oldest: { id: '150', at: 1500 } }
    expect(gapWalk.plan).toMatchObject({ kind: 'gap', sinceId: '100', untilId: '200' })
    expect(xPartAfter(after, [gapWalk])).toEqual({ id: '300', at: 3000, oldest: 500 })
  })
})

// ---------------------------------------------------------------------------------------
// A fake X API on 127.0.0.1: recent search and user timelines with X's paging semantics
// (since_id / until_id exclusive, start_time inclusive, end_time exclusive, next_token),
// billing every post it returns.

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const NOW = Date.parse('2026-12-01T12:00:00Z')

interface FakePost {
  id: string
  at: number
  text: string
  author: string
  replyTo?: string
}

interface FakeRequest {
  path: string
  query: Record<string, string>
  auth?: string
}

interface FakeX {
  url: string
  posts: FakePost[]
  users: Record<string, string>
  requests: FakeRequest[]
  /** Every post id returned, in order (what X would bill). */
  served: string[]
  token: string
  /** Posts per page at most, whatever max_results says. */
  pageSize: number
  failNext?: { status: number; times: number; headers?: Record<string, string>; body?: unknown }
  close(): Promise<void>
}

const fakes: FakeX[] = []
let dir: string | undefined
let deps: TestDeps | undefined
afterEach(async () => {
  await deps?.close()
  deps = undefined
  while (fakes.length > 0) await fakes.pop()?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  dir = undefined
})

let seq = 0
async function fakeX(): Promise<FakeX> {
  let server: Server | undefined
  const fake: FakeX = {
    url: '',
    posts: [],
    users: { acmehq: '2000' },
    requests: [],
    served: [],
    token: 'good-token',
    pageSize: 100,
    close: () => new Promise((resolve) => server?.close(() => resolve())),
  }
  const userId = (name: string) => fake.users[name] ?? String(5000 + [...name].reduce((a, c) => a + c.charCodeAt(0), 0))
  const json = (p: FakePost) => ({
    id: p.id,
    edit_history_tweet_ids: [p.id],
    text: p.text,
    created_at: new Date(p.at).toISOString(),
    author_id: userId(p.author),
    conversation_id: p.replyTo ?? p.id,
    lang: 'en',
    public_metrics: { retweet_count: 0, reply_count: 0, like_count: 1, quote_count: 0 },
    ...(p.replyTo ? { referenced_tweets: [{ type: 'replied_to', id: p.replyTo }], in_reply_to_user_id: '1' } : {}),
  })
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    const query = Object.fromEntries(u.searchParams)
    const auth = req.headers.authorization
    fake.requests.push({ path: u.pathname, query, ...(auth ? { auth } : {}) })
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-rate-limit-limit': '450', 'x-rate-limit-remaining': '449', 'x-rate-limit-reset': String(Math.floor((NOW + 15 * MIN) / 1000)), ...headers })
      res.end(JSON.stringify(body))
    }
    if (fake.failNext && fake.failNext.times > 0) {
      fake.failNext.times--
      return send(fake.failNext.status, fake.failNext.body ?? { title: 'Error', detail: 'failing on purpose' }, fake.failNext.headers)
    }
    if (auth !== `Bearer ${fake.token}`) return send(401, { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' })
    const lookup = /^\/2\/users\/by\/username\/(\w+)$/.exec(u.pathname)
    if (lookup) {
      const name = lookup[1] ?? ''
      return fake.users[name] ? send(200, { data: { id: fake.users[name], name, username: name } }) : send(200, { errors: [{ title: 'Not Found Error', detail: `Could not find user with username: [${name}].` }] })
    }
    const timeline = /^\/2\/users\/(\d+)\/tweets$/.exec(u.pathname)
    if (u.pathname !== '/2/tweets/search/recent' && !timeline) return send(404, { title: 'Not Found' })
    const max = Number(query.max_results)
    if (!(max >= (timeline ? 5 : 10) && max <= 100)) return send(400, { title: 'Invalid Request', detail: `max_results ${query.max_results}` })
    let list = [...fake.posts].sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? 1 : -1))
    if (timeline) list = list.filter((p) => userId(p.author) === timeline[1])
    else {
      const excluded = [...(query.query ?? '').matchAll(/-from:(\w+)/g)].map((m) => m[1])
      list = list.filter((p) => p.text.toLowerCase().includes('acme') && !excluded.includes(p.author))
    }
    const big = (k: string) => (query[k] ? BigInt(query[k] as string) : undefined)
    const sinceId = big('since_id')
    const untilId = big('until_id')
    const token = big(timeline ? 'pagination_token' : 'next_token')
    if (sinceId !== undefined) list = list.filter((p) => BigInt(p.id) > sinceId)
    if (untilId !== undefined) list = list.filter((p) => BigInt(p.id) < untilId)
    if (token !== undefined) list = list.filter((p) => BigInt(p.id) < token)
    if (query.start_time) list = list.filter((p) => p.at >= Date.parse(query.start_time as string))
    if (query.end_time) list = list.filter((p) => p.at < Date.parse(query.end_time as string))
    const served = list.slice(0, Math.min(max, fake.pageSize))
    fake.served.push(...served.map((p) => p.id))
    if (served.length === 0) return send(200, { meta: { result_count: 0 } })
    const users = [...new Set(served.map((p) => p.author))].map((a) => ({ id: userId(a), username: a, name: a.toUpperCase(), public_metrics: { followers_count: 10 } }))
    const more = list.length > served.length
    return send(200, {
      data: served.map(json),
      includes: { users },
      meta: { result_count: served.length, newest_id: served[0]?.id, oldest_id: served.at(-1)?.id, ...(more ? { next_token: served.at(-1)?.id } : {}) },
    })
  })
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fakes.push(fake)
  return fake
}

/** `n` posts naming Acme, newest first from `newest`, ten minutes apart. */
function seed(fake: FakeX, n: number, newest: number, opts: { author?: string; prefix?: string } = {}): FakePost[] {
  const out: FakePost[] = []
  for (let i = 0; i < n; i++) {
    const at = newest - i * 10 * MIN
    const post = { id: idAt(at, seq++ % 4096), at, text: `Acme ${opts.prefix ?? 'post'} ${i}`, author: opts.author ?? `user${i % 7}` }
    fake.posts.push(post)
    out.push(post)
  }
  return out
}

const acme = (handles: string[] = []): Brand => ({ name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: handles.length ? { x: handles } : {} })

function setup(fake: FakeX, opts: { env?: Record<string, string | undefined>; handles?: string[]; options?: Record<string, unknown>; now?: () => number; brands?: Brand[] } = {}): TestDeps {
  dir ??= tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: opts.now ?? (() => NOW),
    env: 'env' in opts ? (opts.env ?? {}) : { X_BEARER_TOKEN: fake.token },
    config: { brands: opts.brands ?? [acme(opts.handles)], sources: [{ kind: 'x', options: { baseUrl: fake.url, ...opts.options } }] },
  })
  return deps
}

const searches = (fake: FakeX) => fake.requests.filter((r) => r.path === '/2/tweets/search/recent')
const ids = async (d: TestDeps) => (await listQueue(d, { queue: 'all' })).map((m) => m.externalId).sort()
const sorted = (posts: FakePost[]) => posts.map((p) => p.id).sort()

describe('x pull', () => {
  it('pages with next_token, sends the token as a Bearer header only, and asks for the fields it reads', async () => {
    const x = await fakeX()
    x.pageSize = 10
    const posts = seed(x, 25, NOW - MIN)
    const d = setup(x)
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(await ids(d)).toEqual(sorted(posts))
    const reqs = searches(x)
    expect(reqs).toHaveLength(3)
    expect(reqs[0]?.auth).toBe('Bearer good-token')
    for (const r of reqs) expect(Object.values(r.query).join(' ')).not.toContain('good-token')
    expect(reqs[0]?.query).toMatchObject({ query: 'acme -is:retweet', max_results: '100', expansions: 'author_id', 'user.fields': 'username,name,public_metrics' })
    expect(reqs[0]?.query['tweet.fields']).toContain('created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,public_metrics,lang')
    expect(reqs[1]?.query.next_token).toBe(posts[9]?.id)
    // Each page asks for what the budget still allows.
    expect(reqs.map((r) => r.query.max_results)).toEqual(['100', '90', '80'])
    const status = (await d.store().cursors.all()).find((c) => c.source === 'x')
    expect(status?.upstream).toMatchObject({ remaining: 475, limit: 500, resetAt: Date.parse('2026-12-02T00:00:00Z') })
    expect(status?.upstream?.note).toMatch(/^spent 25 of 500 reads today; rate limit 449\/450 requests left until 2026-12-01T12:15:00Z$/)
  })

  it('resumes with since_id = the newest post read, with no overlap: the second pull reads only what is new', async () => {
    const x = await fakeX()
    const old = seed(x, 5, NOW - HOUR)
    const d = setup(x)
    await pull(d)
    const fresh = seed(x, 3, NOW - MIN, { prefix: 'fresh' })
    x.served = []
    await pull(d)
    expect(searches(x)[1]?.query.since_id).toBe(old[0]?.id)
    expect(searches(x)[1]?.query.start_time).toBeUndefined()
    expect(x.served.sort()).toEqual(sorted(fresh))
    expect(await ids(d)).toEqual(sorted([...old, ...fresh]))
  })

  it('backfills an older --since below the oldest time it covers, and clamps a --since beyond 7 days', async () => {
    const x = await fakeX()
    const recent = seed(x, 3, NOW - HOUR)
    const older = seed(x, 4, NOW - 3 * DAY, { prefix: 'older' })
    const d = setup(x)
    await pull(d, { sinceMs: DAY })
    expect(await ids(d)).toEqual(sorted(recent))
    x.served = []
    await pull(d, { sinceMs: 30 * DAY })
    expect(x.served.sort()).toEqual(sorted(older))
    const backfill = searches(x).find((r) => r.query.end_time)
    expect(backfill?.query.end_time).toBe('2026-11-30T12:00:00Z')
    expect(backfill?.query.start_time).toBe('2026-11-24T12:01:00Z')
    expect(d.warnings.some((w) => /^x: X recent search covers only the last 7 days: --since .* clamped to 2026-11-24T12:01:00Z$/.test(w))).toBe(true)
    expect(await ids(d)).toEqual(sorted([...recent, ...older]))
  })

  it("owes what maxPages cut short and reads that gap first with until_id, never re-reading a post", async () => {
    const x = await fakeX()
    x.pageSize = 10
    const first = seed(x, 25, NOW - 30 * MIN)
    const d = setup(x, { options: { maxPages: 1 } })
    await pull(d)
    expect(d.warnings.some((w) => /stopped search .* after 1 page\(s\) \(maxPages\)/.test(w))).toBe(true)
    const fresh = seed(x, 2, NOW, { prefix: 'fresh' })
    await pull(d)
    const gap = searches(x)[1]
    expect(gap?.query.until_id).toBe(first[9]?.id)
    await pull(d)
    await pull(d)
    expect(await ids(d)).toEqual(sorted([...first, ...fresh]))
    expect(new Set(x.served).size).toBe(x.served.length)
  })

  it("marks a mention answered when the brand's handle replied on its timeline, looking the handle up once", async () => {
    const x = await fakeX()
    const [mention, other] = seed(x, 2, NOW - 2 * HOUR)
    const replyAt = NOW - HOUR
    x.posts.push({ id: idAt(replyAt, 1), at: replyAt, text: 'Sorry about that, we are on it', author: 'acmehq', replyTo: mention?.id })
    // Its own post naming the brand is never searched (-from:) and never queued.
    x.posts.push({ id: idAt(replyAt + MIN, 1), at: replyAt + MIN, text: 'Acme 5 is out', author: 'acmehq' })
    const d = setup(x, { handles: ['acmehq'] })
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(searches(x)[0]?.query.query).toBe('acme -is:retweet -from:acmehq')
    const unanswered = (await listQueue(d, { queue: 'unanswered' })).map((m) => m.externalId)
    expect(unanswered).toEqual([other?.id])
    const all = await listQueue(d, { queue: 'all' })
    expect(all.find((m) => m.externalId === mention?.id)?.answered).toBe(true)
    await pull(d)
    expect(x.requests.filter((r) => r.path.startsWith('/2/users/by/username/'))).toHaveLength(1)
    const timeline = x.requests.filter((r) => r.path === '/2/users/2000/tweets')
    expect(timeline[0]?.query.exclude).toBe('retweets')
    expect(timeline[1]?.query.since_id).toBe(idAt(replyAt + MIN, 1))
  })

  it('fails naming X_BEARER_TOKEN when it is missing (no request made) or rejected (401)', async () => {
    const x = await fakeX()
    const missing = await pull(setup(x, { env: undefined }))
    expect(missing.status).toBe('failed')
    expect(missing.sources[0]?.error).toMatch(/X_BEARER_TOKEN/)
    expect(x.requests).toHaveLength(0)
    await deps?.close()
    const rejected = await pull(setup(x, { env: { X_BEARER_TOKEN: 'wrong' } }))
    expect(rejected.status).toBe('failed')
    expect(rejected.sources[0]?.error).toMatch(/credentials rejected.*X_BEARER_TOKEN/)
  })

  it('says what to do on a 402 (credits) and a 403 (project access)', async () => {
    const x = await fakeX()
    x.failNext = { status: 402, times: 1, body: JSON.parse(fixture('credits_402.json')) }
    const paid = await pull(setup(x))
    expect(paid.sources[0]?.error).toMatch(/^X wants payment \(HTTP 402.*no credits left or is not enrolled in pay-per-use; add credits/)
    await deps?.close()
    x.failNext = { status: 403, times: 1, body: { title: 'Client Forbidden', reason: 'client-not-enrolled' } }
    const forbidden = await pull(setup(x))
    expect(forbidden.sources[0]?.error).toMatch(/X refused the request: the token's app must belong to a Project.*X_BEARER_TOKEN/)
  })

  it('retries a 429 after Retry-After, and keeps the retry time when the limit persists', async () => {
    const x = await fakeX()
    seed(x, 1, NOW - MIN)
    x.failNext = { status: 429, times: 1, headers: { 'retry-after': '30' } }
    expect((await pull(setup(x))).status).toBe('ok')
    expect(searches(x)).toHaveLength(2)
    await deps?.close()
    x.failNext = { status: 429, times: 100, headers: { 'retry-after': '30' } }
    const result = await pull(setup(x))
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/429.*rate limited: retry after/)
  })

  it('stops cleanly at the daily read budget, stores what it read, and the next UTC day resumes without re-reading', async () => {
    const x = await fakeX()
    x.pageSize = 10
    const first = seed(x, 45, NOW - MIN)
    let now = NOW
    const d = setup(x, { options: { maxReadsPerDay: 30 }, now: () => now })
    const one = await pull(d, { sinceMs: 2 * DAY })
    expect(one.status).toBe('failed')
    expect(one.sources[0]?.error).toBe('read budget spent: 30 of 30 reads today (maxReadsPerDay); resets 00:00 UTC (2026-12-02T00:00:00Z)')
    expect(await ids(d)).toEqual(sorted(first.slice(0, 30)))
    expect(searches(x).map((r) => r.query.max_results)).toEqual(['30', '20', '10'])
    const saved = await d.store().cursors.get({ source: 'x', instance: x.url, brand: 'Acme' })
    expect(saved?.gap).toBeDefined()
    expect((await d.store().cursors.all()).find((c) => c.source === 'x')?.upstream).toMatchObject({ remaining: 0, limit: 30 })

    // Same day: nothing left, no request.
    const again = await pull(d)
    expect(again.sources[0]?.error).toMatch(/^read budget spent: 30 of 30/)
    expect(searches(x)).toHaveLength(3)

    now = NOW + 13 * HOUR // 01:00 UTC the next day
    const fresh = seed(x, 5, now - MIN, { prefix: 'fresh' })
    const two = await pull(d, { sinceMs: 2 * DAY })
    expect(two.status).toBe('ok')
    const [gap, gap2, news] = searches(x).slice(3)
    expect(gap?.query.until_id).toBe(first[29]?.id)
    expect(gap?.query.since_id).toBeUndefined()
    expect(gap2?.query.next_token).toBeDefined()
    expect(news?.query.since_id).toBe(first[0]?.id)
    expect(news?.query.until_id).toBeUndefined()
    expect(await ids(d)).toEqual(sorted([...first, ...fresh]))
    expect(new Set(x.served).size).toBe(x.served.length)
    expect(x.served).toHaveLength(50)
  })

  it('counts maxReadsPerPull for the whole instance: every brand together', async () => {
    const x = await fakeX()
    x.pageSize = 10
    seed(x, 40, NOW - MIN)
    const globex: Brand = { ...acme(), name: 'Globex' }
    const d = setup(x, { options: { maxReadsPerPull: 25 }, brands: [acme(), globex] })
    const result = await pull(d)
    expect(result.sources.every((s) => s.error === undefined || /^read budget spent: \d+ of 25 reads this pull \(maxReadsPerPull\)/.test(s.error))).toBe(true)
    expect(result.sources.some((s) => s.error)).toBe(true)
    expect(x.served.length).toBeLessThanOrEqual(25)
    expect(searches(x).every((r) => Number(r.query.max_results) >= 10)).toBe(true)
  })

  it("counts the brand's own timeline against the same budget, and keeps the looked-up user id when it stops", async () => {
    const x = await fakeX()
    x.pageSize = 10
    const own = seed(x, 15, NOW - MIN, { author: 'acmehq', prefix: 'own' })
    const d = setup(x, { handles: ['acmehq'], options: { maxReadsPerPull: 20 } })
    const one = await pull(d)
    const ownReport = one.sources.find((s) => s.instance.endsWith('#own'))
    expect(ownReport?.error).toMatch(/^read budget spent: 11 of 20 reads this pull \(maxReadsPerPull\); fewer than 10 left/)
    expect(x.served).toHaveLength(10)
    await pull(d)
    expect(x.requests.filter((r) => r.path.startsWith('/2/users/by/username/'))).toHaveLength(1)
    const timeline = x.requests.filter((r) => r.path === '/2/users/2000/tweets')
    expect(timeline[1]?.query.until_id).toBe(own[9]?.id)
    expect(new Set(x.served).size).toBe(x.served.length)
    expect(x.served.sort()).toEqual(sorted(own))
  })

  it('fails the own-activity walk naming a handle X does not know, and still stores the search', async () => {
    const x = await fakeX()
    seed(x, 2, NOW - MIN)
    const d = setup(x, { handles: ['nobody_here'] })
    const result = await pull(d)
    expect(result.status).toBe('partial')
    expect(result.sources.find((s) => s.instance.endsWith('#own'))?.error).toMatch(/^no X account @nobody_here \(Not Found Error: Could not find user/)
    expect(await ids(d)).toHaveLength(2)
  })
})
