import { readFileSync } from 'node:fs'
import fs from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand, Cursor } from '../../src/model.js'
import {
  anchorsOf,
  fullAcct,
  handleHome,
  linkIds,
  mastodonHashtags,
  mastodonInstances,
  mastodonOptions,
  mastodonSource,
  parseMastodon,
  parseMastodonPage,
  partAfter,
} from '../../src/sources/mastodon.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/mastodon/${name}`, import.meta.url), 'utf8')

describe('parseMastodon', () => {
  const drafts = parseMastodon(fixture('tag_acme.json'), 'https://mastodon.social/api/v1/timelines/tag/acme')

  it('names a status by its uri, links its url, and keeps a remote acct as it is', () => {
    expect(drafts[0]).toEqual({
      externalId: 'https://fosstodon.org/users/ana/statuses/115599990000000001',
      url: 'https://fosstodon.org/@ana/115599990000000001',
      text: 'billing rant\n\nCharged twice by #acme again & support is silent.\n\nAnyone else?',
      author: { handle: 'ana@fosstodon.org', name: 'Ana Lima', reach: 412 },
      createdAt: Date.parse('2026-11-20T10:15:00.000Z'),
      lang: 'en',
      metrics: { likes: 7, reposts: 1, replies: 2 },
    })
  })

  it('completes a local acct with the serving host, and takes the link card as canonicalUrl', () => {
    expect(drafts[1]).toMatchObject({
      author: { handle: 'bernd@mastodon.social', reach: 12 },
      text: 'Die neue #Acme Version ist schnell:\nwirklich gut',
      canonicalUrl: 'https://acme.example/blog/release-5',
      lang: 'de',
    })
    expect(drafts[1]?.author?.name).toBeUndefined()
  })

  it('reads a v2 search result: a boost is the boosted status, direct messages and unreadable items are dropped', () => {
    const page = parseMastodonPage(fixture('search_acme.json'), 'https://mastodon.social/api/v2/search')
    expect(page.count).toBe(5)
    expect(page.skipped).toBe(3)
    const [reply, boosted] = page.statuses
    // A field of the wrong type is dropped, not fatal.
    expect(reply?.draft.metrics).toEqual({ reposts: 0, replies: 0 })
    expect(reply?.draft.author).toEqual({ handle: 'cleo@mastodon.social', reach: 5 })
    expect(reply?.draft.lang).toBeUndefined()
    expect(reply?.inReplyToId).toBe('115600990000000000')
    expect(boosted?.draft).toMatchObject({
      externalId: 'https://hachyderm.io/users/eve/statuses/1',
      url: 'https://hachyderm.io/@eve/1',
      text: "Acme's status page finally tells the truth",
      author: { handle: 'eve@hachyderm.io', name: 'Eve', reach: 1800 },
      createdAt: Date.parse('2026-11-19T08:00:00.000Z'),
    })
    // Paging follows the boost's own place in the timeline.
    expect(boosted?.id).toBe('115601000000000299')
    expect(boosted?.listedAt).toBe(Date.parse('2026-11-20T10:59:00.000Z'))
  })

  it('throws SourceResponseError for an error body, a body that is not JSON, or a wrong shape', () => {
    expect(() => parseMastodon(fixture('error_not_found.json'))).toThrow(/error \(Record not found\)/)
    expect(() => parseMastodon('<html>502</html>')).toThrow(SourceResponseError)
    expect(() => parseMastodon({ statuses: 'x' })).toThrow(/statuses/)
    expect(() => parseMastodon(null)).toThrow(SourceResponseError)
  })
})

describe('mastodon helpers', () => {
  it('derives hashtags from single-word terms, unless configured', () => {
    const brand = { name: 'Acme', terms: ['acme', '"Acme-Cloud"', '"acme brick"', 'ACME'] }
    expect(mastodonHashtags(brand, {})).toEqual(['acme', 'acmecloud'])
    expect(mastodonHashtags(brand, { Acme: ['AcmeHQ'] })).toEqual(['acmehq'])
    expect(mastodonOptions.safeParse({ hashtags: { Acme: ['two words'] } }).success).toBe(false)
    expect(mastodonOptions.parse({ hashtags: { Acme: ['#acme'] } }).hashtags).toEqual({ Acme: ['acme'] })
  })

  it('has the documented defaults and names its instances, never a token', () => {
    const o = mastodonOptions.parse({})
    expect(o).toEqual({ instances: ['https://mastodon.social'], hashtags: {}, maxPages: 5, limit: 40 })
    expect(mastodonSource.instanceKey(mastodonOptions.parse({ instances: ['https://a.example/', 'https://u:p@b.example/x?token=1'] }))).toBe(
      'https://a.example https://b.example/x',
    )
    expect(mastodonInstances({ baseUrl: 'http://127.0.0.1:9', instances: ['https://a.example'] })).toEqual(['http://127.0.0.1:9'])
    expect(mastodonSource.requires).toEqual([expect.objectContaining({ env: 'MASTODON_TOKEN', optional: true })])
    expect(mastodonSource.replies).toBe('own-activity')
  })

  it('reads the ids of a Link header', () => {
    expect(
      linkIds('<http://localhost:3000/api/v1/timelines/tag/hoot?max_id=117>; rel="next", <http://localhost:3000/api/v1/timelines/tag/hoot?min_id=118>; rel="prev"'),
    ).toEqual({ maxId: '117', minId: '118' })
    expect(linkIds(undefined)).toEqual({})
  })

  it('finds where a handle lives', () => {
    const instances = ['https://mastodon.social', 'http://127.0.0.1:8080']
    expect(handleHome('acme', instances)).toEqual({ instance: 'https://mastodon.social', acct: 'acme' })
    expect(handleHome('@help@127.0.0.1:8080', instances)).toEqual({ instance: 'http://127.0.0.1:8080', acct: 'help' })
    expect(handleHome('acme@fosstodon.org', instances)).toEqual({ instance: 'https://fosstodon.org', acct: 'acme' })
    expect(fullAcct('@Acme', 'mastodon.social')).toBe('acme@mastodon.social')
  })

  it('keeps anchors only where a walk may resume without skipping', () => {
    const bounds = { since: 100 }
    const part = partAfter(undefined, [{ window: { kind: 'new', from: 100, to: undefined }, status: 'truncated', oldestSeen: 500, newestSeen: 900 }], [
      { at: 900, id: 'n' },
      { at: 700, id: 'm' },
      { at: 500, id: 'o' },
    ], bounds)
    expect(part).toEqual({ at: 900, oldest: 100, gap: { from: 100, to: 500 }, id: 'n', parts: { gap: { at: 500, id: 'o' }, oldest: { at: 500, id: 'o' } } })
    expect(anchorsOf(part)).toEqual({ newest: { at: 900, id: 'n' }, gapTop: { at: 500, id: 'o' }, oldest: { at: 500, id: 'o' } })
    // An anchor that no longer sits at the gap's top is not used.
    expect(anchorsOf({ ...part, gap: { from: 100, to: 600 } }).gapTop).toBeUndefined()
  })
})

// ---------------------------------------------------------------------------------------
// Against loopback servers that page like Mastodon (max_id / min_id / limit, Link headers).

const NOW = Date.parse('2026-11-30T12:00:00Z')
const MIN = 60_000

interface FakeStatus {
  id: bigint
  uri: string
  at: number
  text: string
  tags: string[]
  acct: string
  inReplyTo?: bigint
}

interface FakeMastodon {
  url: string
  host: string
  statuses: FakeStatus[]
  /** pathname + search of every request, and its Authorization header. */
  requests: { path: string; query: Record<string, string>; auth?: string }[]
  accounts: Record<string, string>
  /** When set, a request without `Bearer <token>` gets 401; search needs it always. */
  token?: string
  /** Answer this status for the next N requests (then serve normally). */
  failNext?: { status: number; times: number; headers?: Record<string, string> }
  add(s: Omit<FakeStatus, 'id'> & { id?: bigint }): FakeStatus
  close(): Promise<void>
}

let nextId = 115_600_000_000_000_000n
const servers: FakeMastodon[] = []
let deps: TestDeps | undefined
let dir: string | undefined
let replay: ReplayServer | undefined

afterEach(async () => {
  await deps?.close()
  while (servers.length > 0) await servers.pop()?.close()
  await replay?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  deps = dir = replay = undefined
})

async function fakeMastodon(): Promise<FakeMastodon> {
  let server: Server
  const fake: FakeMastodon = {
    url: '',
    host: '',
    statuses: [],
    requests: [],
    accounts: {},
    add(s) {
      const st: FakeStatus = { ...s, id: s.id ?? nextId++ }
      fake.statuses.push(st)
      return st
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  const json = (s: FakeStatus) => {
    const [user, domain] = s.acct.split('@')
    const home = domain ?? fake.host
    return {
      id: String(s.id),
      created_at: new Date(s.at).toISOString(),
      in_reply_to_id: s.inReplyTo === undefined ? null : String(s.inReplyTo),
      visibility: 'public',
      language: 'en',
      uri: s.uri,
      url: s.uri.replace('/users/', '/@').replace('/statuses/', '/'),
      replies_count: 0,
      reblogs_count: 0,
      favourites_count: 1,
      spoiler_text: '',
      content: `<p>${s.text}</p>`,
      reblog: null,
      account: { id: '1', username: user, acct: domain ? s.acct : user, display_name: user, followers_count: 10, url: `http://${home}/@${user}` },
    }
  }
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    const query = Object.fromEntries(u.searchParams)
    const auth = req.headers.authorization
    fake.requests.push({ path: u.pathname, query, ...(auth ? { auth } : {}) })
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-ratelimit-limit': '300', 'x-ratelimit-remaining': '290', 'x-ratelimit-reset': new Date(NOW + 5 * MIN).toISOString(), ...headers })
      res.end(JSON.stringify(body))
    }
    if (fake.failNext && fake.failNext.times > 0) {
      fake.failNext.times--
      return send(fake.failNext.status, { error: 'nope' }, fake.failNext.headers)
    }
    if (fake.token && auth !== undefined && auth !== `Bearer ${fake.token}`) return send(401, { error: 'The access token is invalid' })
    const limit = Number(query.limit ?? 20)
    const page = (list: FakeStatus[]) => {
      let sorted = [...list].sort((a, b) => (a.id < b.id ? 1 : -1))
      if (query.max_id) sorted = sorted.filter((s) => s.id < BigInt(query.max_id as string))
      if (query.min_id) {
        const min = BigInt(query.min_id)
        sorted = sorted.filter((s) => s.id > min).reverse().slice(0, limit).reverse()
      }
      return sorted.slice(0, limit)
    }
    const linked = (items: FakeStatus[]): Record<string, string> => {
      const first = items[0]
      const last = items.at(-1)
      const base = `${fake.url}${u.pathname}`
      return first && last ? { link: `<${base}?max_id=${last.id}>; rel="next", <${base}?min_id=${first.id}>; rel="prev"` } : {}
    }
    const tag = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(u.pathname)
    if (tag) {
      const items = page(fake.statuses.filter((s) => s.tags.includes(decodeURIComponent(tag[1] ?? ''))))
      return send(200, items.map(json), linked(items))
    }
    if (u.pathname === '/api/v2/search') {
      if (!auth) return send(200, { accounts: [], statuses: [], hashtags: [] })
      const q = (query.q ?? '').toLowerCase()
      return send(200, { accounts: [], statuses: page(fake.statuses.filter((s) => s.text.toLowerCase().includes(q))).map(json), hashtags: [] })
    }
    if (u.pathname === '/api/v1/accounts/lookup') {
      const id = fake.accounts[query.acct ?? '']
      return id ? send(200, { id, acct: query.acct }) : send(404, { error: 'Record not found' })
    }
    const own = /^\/api\/v1\/accounts\/([^/]+)\/statuses$/.exec(u.pathname)
    if (own) {
      const acct = Object.entries(fake.accounts).find(([, id]) => id === own[1])?.[0]
      const items = page(fake.statuses.filter((s) => s.acct === acct))
      return send(200, items.map(json), linked(items))
    }
    const one = /^\/api\/v1\/statuses\/(\d+)$/.exec(u.pathname)
    if (one) {
      const s = fake.statuses.find((x) => String(x.id) === one[1])
      return s ? send(200, json(s)) : send(404, { error: 'Record not found' })
    }
    send(404, { error: 'Record not found' })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  fake.url = `http://127.0.0.1:${port}`
  fake.host = `127.0.0.1:${port}`
  servers.push(fake)
  return fake
}

const acme = (handles: string[] = []): Brand => ({
  name: 'Acme',
  terms: ['acme'],
  exclude: [],
  require: [],
  languages: [],
  competitor: false,
  handles: handles.length ? { mastodon: handles } : {},
})

function setup(instances: string[], opts: { env?: Record<string, string>; handles?: string[]; options?: Record<string, unknown> } = {}): TestDeps {
  dir ??= tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    ...(opts.env ? { env: opts.env } : {}),
    config: { brands: [acme(opts.handles)], sources: [{ kind: 'mastodon', options: { instances, limit: 2, ...opts.options } }] },
  })
  return deps
}

/** `n` statuses tagged #acme, newest first from `newest`, ten minutes apart. */
function seed(fake: FakeMastodon, n: number, newest: number, prefix = 'post'): FakeStatus[] {
  const out: FakeStatus[] = []
  // Ids grow with time, as snowflakes do: add oldest first.
  for (let i = n - 1; i >= 0; i--) {
    out.unshift(fake.add({ uri: `https://remote.example/users/u${prefix}${i}/statuses/${prefix}${i}`, at: newest - i * 10 * MIN, text: `Acme ${prefix} ${i}`, tags: ['acme'], acct: `u${prefix}${i}@remote.example` }))
  }
  return out
}

const tagRequests = (fake: FakeMastodon) => fake.requests.filter((r) => r.path === '/api/v1/timelines/tag/acme')

describe('mastodon pull', () => {
  it('pages down with the Link header, and stores a status seen on two instances once', async () => {
    const a = await fakeMastodon()
    const b = await fakeMastodon()
    const posts = seed(a, 5, NOW - 30 * MIN)
    // b knows the same posts under its own ids.
    for (const p of posts) b.add({ ...p, id: p.id + 7n })
    const d = setup([a.url, b.url])
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(tagRequests(a).map((r) => r.query.max_id)).toEqual([undefined, String(posts[1]?.id), String(posts[3]?.id)])
    expect(tagRequests(b).map((r) => r.query.max_id)).toEqual([undefined, String((posts[1]?.id ?? 0n) + 7n), String((posts[3]?.id ?? 0n) + 7n)])
    const all = await listQueue(d, { queue: 'all' })
    expect(all.map((m) => m.externalId).sort()).toEqual(posts.map((p) => p.uri).sort())
    expect(all.find((m) => m.externalId === posts[0]?.uri)).toMatchObject({ url: 'https://remote.example/@upost0/post0' })
  })

  it('resumes with min_id: a second pull fetches only what is new', async () => {
    const a = await fakeMastodon()
    const posts = seed(a, 3, NOW - 60 * MIN)
    const d = setup([a.url])
    await pull(d)
    const before = a.requests.length
    const fresh = seed(a, 1, NOW - 5 * MIN, 'fresh')
    const second = await pull(d)
    const again = tagRequests(a).slice(-(a.requests.length - before))
    expect(again.map((r) => r.query.min_id)).toEqual([String(posts[0]?.id)])
    expect(again.every((r) => r.query.max_id === undefined)).toBe(true)
    expect(second.sources[0]).toMatchObject({ fetched: 1, new: 1 })
    expect((await listQueue(d, { queue: 'all' })).map((m) => m.externalId)).toContain(fresh[0]?.uri)
  })

  it('backfills an older --since from the oldest status it holds, with max_id', async () => {
    const a = await fakeMastodon()
    const old = seed(a, 2, NOW - 3 * 24 * 60 * MIN, 'old')
    const recent = seed(a, 2, NOW - 60 * MIN, 'new')
    const d = setup([a.url])
    await pull(d, { sinceMs: 24 * 3600_000 })
    expect((await listQueue(d, { queue: 'all' })).map((m) => m.externalId).sort()).toEqual(recent.map((p) => p.uri).sort())
    const before = a.requests.length
    await pull(d, { sinceMs: 7 * 24 * 3600_000 })
    const later = a.requests.slice(before)
    expect(later.map((r) => r.query.max_id ?? `min:${r.query.min_id}`)).toEqual([`min:${recent[0]?.id}`, String(recent[1]?.id), String(old[1]?.id)])
    expect((await listQueue(d, { queue: 'all' })).map((m) => m.externalId).sort()).toEqual([...old, ...recent].map((p) => p.uri).sort())
    const cursor = await d.store().cursors.get({ source: 'mastodon', instance: a.url, brand: 'Acme' })
    expect(cursor?.oldest).toBe(NOW - 7 * 24 * 3600_000)
  })

  it('owes what maxPages cut short, and walks that gap first from where it stopped', async () => {
    const a = await fakeMastodon()
    const posts = seed(a, 6, NOW - 10 * MIN)
    const d = setup([a.url], { options: { maxPages: 1 } })
    await pull(d)
    expect(d.warnings.some((w) => w.includes('stopped') && w.includes('#acme'))).toBe(true)
    const cursor = await d.store().cursors.get({ source: 'mastodon', instance: a.url, brand: 'Acme' })
    expect(cursor?.gap).toEqual({ from: NOW - 7 * 24 * 3600_000, to: posts[1]?.at })
    const before = a.requests.length
    await pull(d)
    expect(a.requests[before]?.query.max_id).toBe(String(posts[1]?.id))
    expect(await listQueue(d, { queue: 'all' })).toHaveLength(4)
  })

  it("marks a mention answered when the brand's handle replied on its own instance", async () => {
    const home = await fakeMastodon()
    const other = await fakeMastodon()
    // The complaint lives on `other`; `home` knows it under a local id of its own.
    const complaint = other.add({ uri: 'https://remote.example/users/ana/statuses/1', at: NOW - 50 * MIN, text: 'Acme charged me twice', tags: ['acme'], acct: 'ana@remote.example' })
    const localCopy = home.add({ ...complaint, id: 900_000_000_000_000_001n })
    const calm = other.add({ uri: 'https://remote.example/users/bo/statuses/2', at: NOW - 40 * MIN, text: 'Acme is down again', tags: ['acme'], acct: 'bo@remote.example' })
    home.accounts.acme = '77'
    home.add({ uri: `http://${home.host}/users/acme/statuses/10`, at: NOW - 20 * MIN, text: 'Sorry, refunded!', tags: [], acct: 'acme', inReplyTo: localCopy.id })
    home.add({ uri: `http://${home.host}/users/acme/statuses/11`, at: NOW - 10 * MIN, text: 'Also sorry, on it', tags: [], acct: 'acme', inReplyTo: localCopy.id })
    const d = setup([home.url, other.url], { handles: ['acme'] })
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(home.requests.filter((r) => r.path === '/api/v1/accounts/lookup').map((r) => r.query.acct)).toEqual(['acme'])
    expect(home.requests.find((r) => r.path === '/api/v1/accounts/77/statuses')?.query.exclude_reblogs).toBe('true')
    // One parent lookup for two replies to it.
    expect(home.requests.filter((r) => r.path === `/api/v1/statuses/${localCopy.id}`)).toHaveLength(1)
    const unanswered = await listQueue(d, { queue: 'unanswered' })
    expect(unanswered.map((m) => m.externalId)).toEqual([calm.uri])
    const all = await listQueue(d, { queue: 'all' })
    expect(all.find((m) => m.externalId === complaint.uri)?.answered).toBe(true)
  })

  it("stores the brand's own tagged post as its own (never queued), known by its configured handle", async () => {
    const a = await fakeMastodon()
    a.add({ uri: `http://${a.host}/users/acme/statuses/1`, at: NOW - 5 * MIN, text: 'Acme 5 is out', tags: ['acme'], acct: 'acme' })
    const other = seed(a, 1, NOW - 9 * MIN)
    a.accounts.acme = '5'
    const d = setup([a.url], { handles: ['acme'] })
    await pull(d)
    expect((await listQueue(d, { queue: 'all' })).map((m) => m.externalId)).toEqual([other[0]?.uri])
  })

  it('searches the first instance only when MASTODON_TOKEN is set, and says what search covers', async () => {
    const a = await fakeMastodon()
    const b = await fakeMastodon()
    a.token = 'good'
    a.add({ uri: 'https://a.example/users/x/statuses/1', at: NOW - 30 * MIN, text: 'no tag but acme in words', tags: [], acct: 'x' })
    const d = setup([a.url, b.url], { env: { MASTODON_TOKEN: 'good' } })
    expect((await pull(d)).status).toBe('ok')
    const search = a.requests.filter((r) => r.path === '/api/v2/search')
    expect(search.map((r) => [r.query.q, r.query.type, r.auth])).toEqual([['acme', 'statuses', 'Bearer good']])
    expect(b.requests.some((r) => r.path === '/api/v2/search' || r.auth !== undefined)).toBe(false)
    expect((await listQueue(d, { queue: 'all' })).map((m) => m.externalId)).toEqual(['https://a.example/users/x/statuses/1'])
    const [state] = await d.store().cursors.all()
    expect(state?.upstream).toMatchObject({ remaining: 290, limit: 300, note: expect.stringMatching(/opted-in.*full-text search/) })
  })

  it('without MASTODON_TOKEN, reads hashtag timelines only and says how to add search', async () => {
    const a = await fakeMastodon()
    seed(a, 1, NOW - MIN)
    const d = setup([a.url])
    expect((await pull(d)).status).toBe('ok')
    expect(a.requests.some((r) => r.path === '/api/v2/search')).toBe(false)
    const [state] = await d.store().cursors.all()
    expect(state?.upstream?.note).toMatch(/set MASTODON_TOKEN/)
  })

  it('fails naming MASTODON_TOKEN when the instance rejects it (401)', async () => {
    const a = await fakeMastodon()
    a.token = 'good'
    const d = setup([a.url], { env: { MASTODON_TOKEN: 'bad' } })
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/credentials rejected.*MASTODON_TOKEN/)
  })

  it('a missing optional credential is not a failure; a missing handle fails naming it', async () => {
    const a = await fakeMastodon()
    const d = setup([a.url], { handles: ['nobody'] })
    const result = await pull(d)
    expect(result.status).toBe('partial')
    expect(result.sources.find((s) => s.instance.endsWith('#own'))?.error).toMatch(/no account "nobody"/)
    expect(result.sources.find((s) => !s.instance.endsWith('#own'))?.error).toBeUndefined()
  })

  it('retries a 429 after Retry-After, and keeps the retry time when the limit persists', async () => {
    const a = await fakeMastodon()
    seed(a, 1, NOW - MIN)
    a.failNext = { status: 429, times: 1, headers: { 'retry-after': '30' } }
    const d = setup([a.url])
    expect((await pull(d)).status).toBe('ok')
    expect(tagRequests(a)).toHaveLength(2)
    await d.close()
    a.failNext = { status: 429, times: 100, headers: { 'retry-after': '30' } }
    const d2 = setup([a.url])
    const result = await pull(d2)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/429.*rate limited: retry after/)
  })

  it('keeps going when one instance fails, warning and keeping its cursor', async () => {
    const a = await fakeMastodon()
    seed(a, 1, NOW - MIN)
    replay = await startReplayServer([jsonRoute('/api/v1/timelines/tag/acme', { error: 'down' }, { status: 500 })])
    const d = setup([a.url, replay.url])
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(await listQueue(d, { queue: 'all' })).toHaveLength(1)
    expect(d.warnings.some((w) => w.startsWith(`mastodon: ${new URL(replay?.url ?? '').host} failed (HTTP 500`))).toBe(true)
    const cursor: Cursor | undefined = await d.store().cursors.get({ source: 'mastodon', instance: `${a.url} ${replay.url}`, brand: 'Acme' })
    expect(Object.keys(cursor?.parts ?? {})).toEqual([`${a.url} #acme`])
  })
})
