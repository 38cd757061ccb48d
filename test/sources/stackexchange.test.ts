import fs, { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand, SourceState } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import type { ReplayRoute } from '../../src/net/replay.js'
import {
  StackExchangeApiError,
  apiError,
  backoffWaitMs,
  handlesBySite,
  parseStackExchange,
  parseStackExchangeHandle,
  parseStackExchangePage,
  readErrorBody,
  searchAdvancedUrl,
  siteOrigin,
  stackExchangeId,
  stackExchangeOptions,
  stackExchangeSource,
  userAnswersUrl,
} from '../../src/sources/stackexchange.js'
import { CredentialsRejectedError, SourceResponseError, type Page, type SourceQuery } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/stackexchange/${name}`, import.meta.url), 'utf8')
const P1 = fixture('search_advanced_acme_p1.json')
const P2 = fixture('search_advanced_acme_p2.json')
const ANSWERS = fixture('user_answers_acme_support.json')
const THROTTLED = fixture('error_throttle_violation.json')

const SEARCH = '/2.3/search/advanced'
/** A little after the fixtures' newest question (created at T0 - 600 s). */
const T0 = 1764547200
const NOW = (T0 + 60) * 1000
const DAY = 86_400_000

const acme: Brand = {
  name: 'Acme',
  terms: ['acme'],
  exclude: [],
  require: [],
  languages: [],
  competitor: false,
  handles: { stackexchange: ['stackoverflow:5550001'] },
}

/** A search/advanced body with the given questions, in the real wrapper shape. */
function questions(items: { id: number; at: number; title?: string }[], extra: Record<string, unknown> = {}): object {
  return {
    items: items.map((q) => ({
      tags: ['acme-sdk'],
      owner: { reputation: 10, user_id: 8000000 + q.id % 1000, user_type: 'registered', display_name: `user${q.id}`, link: `https://stackoverflow.com/users/${8000000 + q.id % 1000}/u` },
      is_answered: false,
      view_count: 1,
      answer_count: 0,
      score: 0,
      last_activity_date: q.at,
      creation_date: q.at,
      question_id: q.id,
      link: `https://stackoverflow.com/questions/${q.id}/acme-q`,
      title: q.title ?? `Acme question ${q.id}`,
      body: `<p>Acme question ${q.id}</p>`,
    })),
    has_more: false,
    quota_max: 300,
    quota_remaining: 250,
    ...extra,
  }
}

describe('parseStackExchange (search/advanced with filter=withbody)', () => {
  const drafts = parseStackExchange(P1)

  it('maps a question: decoded title and name, body as text, reputation as reach, score and answers', () => {
    expect(drafts[0]).toEqual({
      externalId: 'q79990001',
      url: 'https://stackoverflow.com/questions/79990001/why-does-acmes-sdk-throw-quota-exceeded',
      title: `Why does Acme's SDK throw "quota exceeded" on the first call?`,
      text: 'I just signed up for Acme and the very first call fails:\n\nAcmeError: quota exceeded & retry later\n\nIs this a bug or am I holding it wrong?',
      author: { handle: 'stackoverflow:7001001', name: 'José Müller', reach: 1523 },
      createdAt: 1764546600_000,
      metrics: { score: -1, replies: 0 },
    })
  })

  it('keeps link text and drops hrefs', () => {
    expect(drafts[1]?.text).toBe('The signature header never matches my HMAC. I followed the docs.')
    expect(drafts[1]?.metrics).toEqual({ score: 3, replies: 2 })
  })

  it('reads a deleted owner (no user_id) as a name without a handle', () => {
    expect(parseStackExchange(P2)[0]?.author).toEqual({ name: 'user4821' })
  })

  it('reports paging, quota and backoff fields', () => {
    expect(parseStackExchangePage(P1)).toMatchObject({ itemCount: 2, skipped: 0, hasMore: true, quotaMax: 300, quotaRemaining: 287, backoff: undefined })
    expect(parseStackExchangePage(P2).hasMore).toBe(false)
    expect(parseStackExchangePage({ items: [], backoff: 10 }).backoff).toBe(10)
  })

  it('qualifies ids with the site on every site but Stack Overflow', () => {
    expect(parseStackExchange(P1, 'superuser')[0]?.externalId).toBe('superuser:q79990001')
    expect(parseStackExchange(P1, 'superuser')[0]?.author?.handle).toBe('superuser:7001001')
    expect(stackExchangeId('stackoverflow', 'a', 5)).toBe('a5')
  })
})

describe('parseStackExchange (users/{ids}/answers)', () => {
  it('maps an answer: a<id>, parent and thread q<question_id>, url from the owner link origin', () => {
    expect(parseStackExchange(ANSWERS)[0]).toEqual({
      externalId: 'a79990050',
      url: 'https://stackoverflow.com/a/79990050',
      text: "The signature is computed over the raw body; don't re-serialise the JSON before hashing.",
      author: { handle: 'stackoverflow:5550001', name: 'Acme Support', reach: 4410 },
      createdAt: 1764545100_000,
      parentExternalId: 'q79990002',
      threadExternalId: 'q79990002',
      metrics: { score: 4 },
    })
  })

  it('builds the url from the site name when the answer has no owner link', () => {
    const body = { items: [{ answer_id: 9, question_id: 8, creation_date: 1 }] }
    expect(parseStackExchange(body, 'math')[0]?.url).toBe('https://math.stackexchange.com/a/9')
    expect(parseStackExchange(body, 'math')[0]?.parentExternalId).toBe('math:q8')
  })
})

describe('parseStackExchange defensively', () => {
  it('skips items without an id or a date, and ignores fields of the wrong type', () => {
    const page = parseStackExchangePage({
      items: [
        { creation_date: 1700000000, title: 'no id' },
        { question_id: 1, title: 'no date' },
        { question_id: 2, creation_date: 1700000000, title: 7, score: 'high', owner: 'someone', link: 'javascript:alert(1)' },
      ],
      has_more: 'yes',
    })
    expect(page.skipped).toBe(2)
    expect(page.hasMore).toBe(false)
    expect(page.drafts).toEqual([{ externalId: 'q2', url: 'https://stackoverflow.com/q/2', text: '', createdAt: 1700000000000 }])
  })

  it('throws SourceResponseError for a body that is not JSON, or without items', () => {
    expect(() => parseStackExchange('<html>502 Bad Gateway</html>')).toThrow(SourceResponseError)
    expect(() => parseStackExchange('<html>502 Bad Gateway</html>')).toThrow(/not JSON/)
    expect(() => parseStackExchange({ items: 'nope' })).toThrow(/"items"/)
    expect(() => parseStackExchange(null)).toThrow(SourceResponseError)
  })

  it('turns an error body into an error naming the error and the key variable', () => {
    expect(() => parseStackExchange(THROTTLED)).toThrow(StackExchangeApiError)
    expect(() => parseStackExchange(THROTTLED)).toThrow(
      'Stack Exchange throttled the request, throttle_violation (502): too many requests from this IP, more requests available in 84913 seconds; more requests in 84913 s; set STACKEXCHANGE_KEY to raise the daily quota from 300 requests per IP to 10,000',
    )
  })
})

describe('API errors', () => {
  it('reads an error snippet cut short by the HTTP client, naming the error from its id', () => {
    const cut = THROTTLED.slice(0, 90) + '…'
    expect(readErrorBody(cut)).toEqual({ errorId: 502, errorName: 'throttle_violation', errorMessage: 'too many requests from this IP, more requests available i…' })
    expect(readErrorBody('upstream exploded')).toBeUndefined()
  })

  it('makes key problems CredentialsRejectedError, naming the variable', () => {
    const invalid = apiError({ errorId: 400, errorName: 'bad_parameter', errorMessage: 'key is invalid' }, { keySet: true })
    expect(invalid).toBeInstanceOf(CredentialsRejectedError)
    expect(invalid.message).toBe('credentials rejected by Stack Exchange, bad_parameter (400): key is invalid; check STACKEXCHANGE_KEY')
    expect(apiError({ errorId: 403, errorName: 'access_denied', errorMessage: undefined }, { keySet: false })).toBeInstanceOf(CredentialsRejectedError)
  })

  it('says whether the key was sent for other errors, and what to do when throttled with one', () => {
    const other = apiError({ errorId: 400, errorName: 'bad_parameter', errorMessage: 'pagesize' }, { keySet: false })
    expect(other).toBeInstanceOf(StackExchangeApiError)
    expect(other.message).toBe('Stack Exchange API error bad_parameter (400): pagesize (sent without STACKEXCHANGE_KEY)')
    const throttled = apiError({ errorId: 502, errorName: 'throttle_violation', errorMessage: 'slow down' }, { keySet: true })
    expect(throttled.message).toMatch(/the quota of STACKEXCHANGE_KEY is used up/)
  })
})

describe('urls, handles, options', () => {
  it('builds search/advanced with sort=creation, order=desc and epoch-second dates', () => {
    const url = searchAdvancedUrl('https://api.stackexchange.com', {
      site: 'stackoverflow', q: 'acme cloud', page: 2, pagesize: 100, filter: 'withbody', from: 1_700_000_000_999, to: 1_700_000_500_001, key: 'k',
    })
    expect(url.origin + url.pathname).toBe('https://api.stackexchange.com/2.3/search/advanced')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      site: 'stackoverflow', q: 'acme cloud', sort: 'creation', order: 'desc', fromdate: '1700000000', todate: '1700000501',
      page: '2', pagesize: '100', filter: 'withbody', key: 'k',
    })
  })

  it('builds users/{ids}/answers with ids joined by ";" and keeps a path prefix', () => {
    const url = userAnswersUrl('http://127.0.0.1:9/se/', { site: 'superuser', userIds: [1, 2], page: 1, pagesize: 50, filter: 'withbody', from: 0 })
    expect(url.pathname).toBe('/se/2.3/users/1;2/answers')
    expect(url.searchParams.get('todate')).toBeNull()
    expect(url.searchParams.get('key')).toBeNull()
  })

  it('reads handles as <site>:<user id>, and warns about the others', () => {
    expect(parseStackExchangeHandle('StackOverflow:12345')).toEqual({ site: 'stackoverflow', userId: 12345 })
    expect(parseStackExchangeHandle('12345')).toBeUndefined()
    const warnings: string[] = []
    const bySite = handlesBySite(['stackoverflow:1', '2', 'superuser:3', 'stackoverflow:1', 'stackoverflow:4'], ['stackoverflow'], (m) => void warnings.push(m))
    expect([...bySite]).toEqual([['stackoverflow', [1, 4]]])
    expect(warnings).toEqual([
      'handle "2" is not of the form <site>:<user id> (e.g. "stackoverflow:12345"); skipped',
      'handle "superuser:3" is on superuser, which this source does not search; skipped',
    ])
  })

  it('knows the sites whose origin is not <site>.stackexchange.com', () => {
    expect(siteOrigin('stackoverflow')).toBe('https://stackoverflow.com')
    expect(siteOrigin('mathoverflow')).toBe('https://mathoverflow.net')
    expect(siteOrigin('unix')).toBe('https://unix.stackexchange.com')
  })

  it('applies the documented defaults and bounds', () => {
    expect(stackExchangeOptions.parse({})).toEqual({
      baseUrl: 'https://api.stackexchange.com', maxPages: 5, pagesize: 100, sites: ['stackoverflow'], filter: 'withbody',
    })
    expect(stackExchangeOptions.parse({ sites: [' SuperUser '] }).sites).toEqual(['superuser'])
    expect(stackExchangeOptions.safeParse({ pagesize: 101 }).success).toBe(false)
    expect(stackExchangeOptions.safeParse({ sites: [] }).success).toBe(false)
    expect(stackExchangeOptions.safeParse({ sites: ['a b'] }).success).toBe(false)
  })

  it('names the instance by baseUrl and sites, with an optional key and own-activity replies', () => {
    expect(stackExchangeSource.instanceKey(stackExchangeOptions.parse({ sites: ['stackoverflow', 'superuser'] }))).toBe(
      'https://api.stackexchange.com stackoverflow,superuser',
    )
    expect(stackExchangeSource.requires).toEqual([{ env: 'STACKEXCHANGE_KEY', optional: true, why: expect.stringMatching(/10,000/) }])
    expect(stackExchangeSource.replies).toBe('own-activity')
    expect(stackExchangeSource.ownActivity).toBeTypeOf('function')
  })
})

// ---------------------------------------------------------------------------------------
// search() against a real loopback server through the real client

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function run(
  routes: ReplayRoute[],
  q: Partial<SourceQuery> = {},
  opts: { options?: Record<string, unknown>; env?: Record<string, string>; signal?: AbortSignal; onPage?: (p: Page) => void; started?: (s: ReplayServer) => void } = {},
): Promise<{ pages: Page[]; server: ReplayServer; warnings: string[]; reports: SourceState[] }> {
  const server = await startReplayServer(routes)
  opts.started?.(server)
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => server.close(), () => http.close())
  const warnings: string[] = []
  const reports: SourceState[] = []
  const ctx = {
    http,
    options: stackExchangeOptions.parse({ baseUrl: server.url, pagesize: 2, ...opts.options }),
    env: opts.env ?? {},
    now: () => NOW,
    warn: (m: string) => void warnings.push(m),
    report: (s: SourceState) => void reports.push(s),
    ...(opts.signal ? { signal: opts.signal } : {}),
  }
  const pages: Page[] = []
  for await (const page of stackExchangeSource.search(ctx, { brand: acme, maxPages: 10, since: NOW - 7 * DAY, ...q })) {
    pages.push(page)
    opts.onPage?.(page)
  }
  return { pages, server, warnings, reports }
}

const twoPages: ReplayRoute[] = [
  { path: SEARCH, query: { page: '1' }, body: P1 },
  { path: SEARCH, query: { page: '2' }, body: P2 },
]

describe('stackexchange search()', () => {
  it('pages on has_more, one cursor part per site and term, each page safe to commit', async () => {
    const since = NOW - 7 * DAY
    const { pages, server, reports } = await run(twoPages)
    expect(server.requests.map((r) => r.query)).toEqual([1, 2].map((page) => ({
      site: 'stackoverflow', q: 'acme', sort: 'creation', order: 'desc', fromdate: String(since / 1000), page: String(page), pagesize: '2', filter: 'withbody',
    })))
    expect(pages.map((p) => p.mentions.map((m) => m.externalId))).toEqual([['q79990001', 'q79990002'], ['q79989990']])
    const newest = 1764546600_000
    const afterP1 = { at: newest, oldest: since, gap: { from: since, to: 1764543600_000 } }
    const done = { at: newest, oldest: since }
    expect(pages.map((p) => p.cursor)).toEqual([
      { ...afterP1, parts: { 'stackoverflow acme': afterP1 } },
      { ...done, parts: { 'stackoverflow acme': done } },
    ])
    expect(reports).toEqual([
      { remaining: 287, limit: 300, note: 'no STACKEXCHANGE_KEY: 300 requests a day per IP' },
      { remaining: 286, limit: 300, note: 'no STACKEXCHANGE_KEY: 300 requests a day per IP' },
    ])
  })

  it('walks every site and term, and sends the key when it is set', async () => {
    const { server, pages, reports } = await run(
      [jsonRoute(SEARCH, questions([]))],
      { brand: { ...acme, terms: ['acme', '"acme cloud"', 'initech'] } },
      { options: { sites: ['stackoverflow', 'superuser'] }, env: { STACKEXCHANGE_KEY: 'app-key' } },
    )
    expect(server.requests.map((r) => [r.query.site, r.query.q, r.query.key])).toEqual([
      ['stackoverflow', 'acme', 'app-key'], ['stackoverflow', 'initech', 'app-key'],
      ['superuser', 'acme', 'app-key'], ['superuser', 'initech', 'app-key'],
    ])
    expect(Object.keys(pages.at(-1)?.cursor.parts ?? {})).toEqual(['stackoverflow acme', 'stackoverflow initech', 'superuser acme', 'superuser initech'])
    expect(reports[0]).toEqual({ remaining: 250, limit: 300 })
  })

  it('records the window it still owes as a gap when maxPages cuts the walk short', async () => {
    const since = NOW - 7 * DAY
    const { pages, server, warnings } = await run(twoPages, { maxPages: 1 })
    expect(server.requests).toHaveLength(1)
    expect(pages.at(-1)?.cursor.parts?.['stackoverflow acme']).toEqual({ at: 1764546600_000, oldest: since, gap: { from: since, to: 1764543600_000 } })
    expect(warnings).toEqual(['stopped "acme" on stackoverflow after 1 page(s); the rest is fetched next pull'])
  })

  it('drops questions outside the window when the server ignores fromdate', async () => {
    const { pages, warnings } = await run([jsonRoute(SEARCH, questions([{ id: 1, at: T0 - 30 * 86_400 }, { id: 2, at: T0 - 100 }]))])
    expect(pages.flatMap((p) => p.mentions.map((m) => m.externalId))).toEqual(['q2'])
    expect(warnings).toEqual([`dropped 1 item(s) from "acme" on stackoverflow created outside the pull's window`])
  })

  it('waits out the backoff before calling the same method again', async () => {
    const page1 = questions([{ id: 1, at: T0 - 100 }], { has_more: true, backoff: 0.05 })
    const page2 = questions([{ id: 2, at: T0 - 200 }])
    const { server, pages } = await run([
      jsonRoute(SEARCH, page1, { query: { page: '1' } }),
      jsonRoute(SEARCH, page2, { query: { page: '2' } }),
    ])
    expect(server.requests).toHaveLength(2)
    expect(pages.flatMap((p) => p.mentions.map((m) => m.externalId))).toEqual(['q1', 'q2'])
  })

  it('does not call the method again during a backoff, and stops when the pull is interrupted', async () => {
    const page1 = questions([{ id: 1, at: T0 - 100 }], { has_more: true, backoff: 600 })
    const stop = new AbortController()
    const routes = [jsonRoute(SEARCH, page1, { query: { page: '1' } }), jsonRoute(SEARCH, questions([]), { query: { page: '2' } })]
    let server: ReplayServer | undefined
    // Without the wait, page 2 would be asked for at once, long before the abort.
    const outcome = run(routes, {}, { signal: stop.signal, started: (s) => (server = s), onPage: () => void setTimeout(() => stop.abort(), 200) })
    await expect(outcome).rejects.toThrow(/abort/i)
    expect(server?.requests.map((r) => r.query.page)).toEqual(['1'])
  })
})

describe('backoffWaitMs', () => {
  it('is per client and per method', async () => {
    const server = await startReplayServer([jsonRoute(SEARCH, questions([], { backoff: 30 }))])
    const http = createHttp({ userAgent: 'mentions-test', retries: 0 })
    const other = createHttp({ userAgent: 'mentions-test', retries: 0 })
    cleanups.push(() => server.close(), () => http.close(), () => other.close())
    const ctx = { http, options: stackExchangeOptions.parse({ baseUrl: server.url }), env: {}, now: () => NOW, warn: () => {} }
    for await (const _ of stackExchangeSource.search(ctx, { brand: acme, maxPages: 1, since: NOW - DAY })) void _
    expect(backoffWaitMs(http, '/2.3/search/advanced', NOW)).toBe(30_000)
    expect(backoffWaitMs(http, '/2.3/search/advanced', NOW + 31_000)).toBe(0)
    expect(backoffWaitMs(http, '/2.3/users/{ids}/answers', NOW)).toBe(0)
    expect(backoffWaitMs(other, '/2.3/search/advanced', NOW)).toBe(0)
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

async function setup(routes: ReplayRoute[], opts: { env?: Record<string, string>; brand?: Brand } = {}) {
  server = await startReplayServer(routes)
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    ...(opts.env ? { env: opts.env } : {}),
    config: { brands: [opts.brand ?? acme], sources: [{ kind: 'stackexchange', options: { baseUrl: server.url, pagesize: 2 } }] },
  })
  return { server, deps }
}

const ANSWERS_PATH = '/2.3/users/5550001/answers'
const noAnswers = jsonRoute(ANSWERS_PATH, { items: [], has_more: false, quota_max: 300, quota_remaining: 280 })

describe('stackexchange pull', () => {
  it('stores every page, then fetches only what is new, an hour of overlap below the newest', async () => {
    const { deps, server } = await setup([
      { path: SEARCH, query: { page: '1' }, body: P1, times: 1 },
      { path: SEARCH, query: { page: '2' }, body: P2, times: 1 },
      jsonRoute(SEARCH, questions([{ id: 79990100, at: T0 + 30 }])),
      noAnswers,
    ])
    const first = await pull(deps)
    expect(first.status).toBe('ok')
    expect(first.sources.find((s) => !s.instance.endsWith('#own'))).toMatchObject({ new: 3 })
    const second = await pull(deps)
    expect(second.status).toBe('ok')
    const searches = server.requests.filter((r) => r.path === SEARCH)
    expect(searches.map((r) => [r.query.page, r.query.fromdate])).toEqual([
      ['1', String((NOW - 7 * DAY) / 1000)], ['2', String((NOW - 7 * DAY) / 1000)], ['1', String(1764546600 - 3600)],
    ])
    expect(await deps.store().mentions.count()).toBe(4)
  })

  it('backfills the older window when a later pull reaches further back', async () => {
    const { deps, server } = await setup([
      jsonRoute(SEARCH, questions([{ id: 79990200, at: T0 - 100 }]), { query: { fromdate: String((NOW - 7 * DAY) / 1000) } }),
      jsonRoute(SEARCH, questions([]), { query: { fromdate: String(T0 - 100 - 3600) } }),
      jsonRoute(SEARCH, questions([{ id: 79980000, at: T0 - 20 * 86_400 }]), { query: { fromdate: String((NOW - 30 * DAY) / 1000) } }),
      noAnswers,
    ])
    await pull(deps)
    await pull(deps, { sinceMs: 30 * DAY })
    const searches = server.requests.filter((r) => r.path === SEARCH)
    expect(searches.at(-1)?.query).toMatchObject({ fromdate: String((NOW - 30 * DAY) / 1000), todate: String((NOW - 7 * DAY) / 1000) })
    const ids = (await listQueue(deps, { queue: 'all' })).map((m) => m.externalId)
    expect(ids).toEqual(['q79990200', 'q79980000'])
  })

  it("marks a question answered when one of the brand's users answered it", async () => {
    const onePage = P1.replace('"has_more": true', '"has_more": false')
    const { deps, server } = await setup([{ path: SEARCH, body: onePage }, { path: ANSWERS_PATH, body: ANSWERS }])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    const own = server.requests.find((r) => r.path === ANSWERS_PATH)
    expect(own?.query).toMatchObject({ site: 'stackoverflow', sort: 'creation', order: 'desc', filter: 'withbody' })
    const unanswered = (await listQueue(deps, { queue: 'unanswered' })).map((m) => m.externalId)
    expect(unanswered).toEqual(['q79990001'])
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => [m.externalId, m.answered])).toEqual([['q79990001', false], ['q79990002', true]])
  })

  it('works without STACKEXCHANGE_KEY, and a quota run out names the variable', async () => {
    const { deps, server } = await setup([{ path: SEARCH, status: 400, headers: { 'content-type': 'application/json; charset=utf-8' }, body: THROTTLED }, noAnswers])
    const result = await pull(deps)
    expect(server.requests.every((r) => r.query.key === undefined)).toBe(true)
    const search = result.sources.find((s) => !s.instance.endsWith('#own'))
    expect(search?.error).toMatch(/throttle_violation \(502\).*set STACKEXCHANGE_KEY/)
    expect(result.status).toBe('partial')
  })

  it('says credentials were rejected on a 401, naming the variable', async () => {
    const { deps } = await setup([{ path: SEARCH, status: 401, body: 'unauthorized' }, { path: ANSWERS_PATH, status: 401, body: 'unauthorized' }], { env: { STACKEXCHANGE_KEY: 'wrong' } })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    for (const s of result.sources) expect(s.error).toMatch(/credentials rejected.*STACKEXCHANGE_KEY/)
  })

  it('says credentials were rejected when the API calls the key invalid', async () => {
    const body = JSON.stringify({ error_id: 400, error_message: 'key is invalid', error_name: 'bad_parameter' })
    const { deps } = await setup([{ path: SEARCH, status: 400, headers: { 'content-type': 'application/json' }, body }, noAnswers], { env: { STACKEXCHANGE_KEY: 'wrong' } })
    const result = await pull(deps)
    const search = result.sources.find((s) => s.error)
    expect(search?.error).toBe('credentials rejected by Stack Exchange, bad_parameter (400): key is invalid; check STACKEXCHANGE_KEY')
  })

  it('retries a 429 after its Retry-After, and reports when to retry once retries are spent', async () => {
    const { deps, server } = await setup([
      { path: SEARCH, status: 429, headers: { 'retry-after': '2' }, body: 'slow down', times: 1 },
      jsonRoute(SEARCH, questions([{ id: 79990300, at: T0 - 100 }])),
      noAnswers,
    ])
    const ok = await pull(deps)
    expect(ok.status).toBe('ok')
    expect(server.requests.filter((r) => r.path === SEARCH)).toHaveLength(2)
    expect(await deps.store().mentions.count()).toBe(1)
  })

  it('fails the source with the rate-limit message when the 429s do not stop', async () => {
    const { deps } = await setup([{ path: SEARCH, status: 429, headers: { 'retry-after': '2' }, body: 'slow down' }, noAnswers])
    const result = await pull(deps)
    expect(result.sources.find((s) => s.error)?.error).toMatch(/HTTP 429.*rate limited: retry after/)
  })
})
