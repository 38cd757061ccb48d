import fs, { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import { foursquareOptions, foursquareSource, nextLink, parseFoursquare, readFoursquareTips, tipsUrl } from '../../src/sources/foursquare.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/foursquare/${name}`, import.meta.url), 'utf8')
const VENUE = '4b0588a1f964a52015bd22e3'

describe('parseFoursquare', () => {
  const read = readFoursquareTips(fixture('tips_newest.json'), VENUE)

  it('maps a tip: its id, the venue page, plain text kept in lines, lang and agrees; no author, no rating', () => {
    expect(read.drafts[0]).toEqual({
      externalId: '6543a1b2c3d4e5f601234567',
      url: `https://foursquare.com/v/${VENUE}`,
      text: 'Ask for the Acme flat white.\nThe oat one is better than the regular.',
      createdAt: Date.parse('2026-11-20T18:04:11.000Z'),
      threadExternalId: `venue:${VENUE}`,
      lang: 'en',
      metrics: { likes: 4 },
    })
  })

  it('drops a field of the wrong type, and skips a tip without a date or without text', () => {
    expect(read.drafts[1]).toMatchObject({ externalId: '6543a1b2c3d4e5f601234568', text: 'Wifi password is on the receipt' })
    expect(read.drafts[1]?.metrics).toBeUndefined()
    expect(read.skipped).toBe(2)
    expect(parseFoursquare(fixture('tips_newest.json'), VENUE)).toHaveLength(2)
  })

  it("names the problem for a body that is not JSON or not a list, quoting the API's message", () => {
    expect(() => parseFoursquare('<html>502</html>', VENUE)).toThrow(SourceResponseError)
    expect(() => parseFoursquare('{"message":"Invalid request token."}', VENUE)).toThrow(/expected a JSON array of tips: Invalid request token\./)
    expect(() => parseFoursquare(JSON.stringify({ message: 'bad\u001b[2Jthing' }), VENUE)).toThrow(/tips: bad \[2Jthing$/)
  })

  it('reads the rel="next" target of a Link header', () => {
    expect(nextLink('<https://places-api.foursquare.com/places/x/tips?cursor=abc&limit=50>; rel="next"')).toBe('https://places-api.foursquare.com/places/x/tips?cursor=abc&limit=50')
    expect(nextLink('<https://a.example/1>; rel="prev", <https://a.example/3>; rel="next"')).toBe('https://a.example/3')
    expect(nextLink('<https://a.example/1>; rel="prev"')).toBeUndefined()
    expect(nextLink(undefined)).toBeUndefined()
  })

  it('builds the newest-tips URL, and has defaults, a required key, feed scope and no reply detection', () => {
    expect(tipsUrl('https://places-api.foursquare.com', VENUE, 50).href).toBe(
      `https://places-api.foursquare.com/places/${VENUE}/tips?limit=50&sort=NEWEST&fields=id%2Ccreated_at%2Ctext%2Clang%2Cagree_count`,
    )
    expect(foursquareOptions.parse({ venueIds: [VENUE] })).toEqual({
      baseUrl: 'https://places-api.foursquare.com',
      venueIds: [VENUE],
      maxPages: 2,
      limit: 50,
      apiVersion: '2025-06-17',
      overlapHours: 24,
    })
    expect(foursquareOptions.safeParse({}).success).toBe(false)
    expect(foursquareOptions.safeParse({ venueIds: ['../x'] }).success).toBe(false)
    expect(foursquareSource).toMatchObject({ kind: 'foursquare', scope: 'feed', replies: 'none', requires: [{ env: 'FOURSQUARE_API_KEY' }] })
    expect(foursquareSource.requires[0]?.optional).toBeUndefined()
  })
})

// ---------------------------------------------------------------------------------------
// A loopback Places API: /places/<id>/tips newest first, paged through Link rel="next".

const NOW = Date.parse('2026-11-21T00:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR
const V1 = '4b0588a1f964a52015bd22e3'
const V2 = '5a1b2c3d4e5f60718293a4b5'
const BAD = '000000000000000000000000'

interface FakeTip {
  id: string
  t: number
  text: string
}

interface Request {
  path: string
  query: URLSearchParams
  headers: Record<string, string | string[] | undefined>
}

interface FakePlaces {
  url: string
  venues: Record<string, FakeTip[]>
  requests: Request[]
  answers: { status: number; headers?: Record<string, string>; body: string }[]
  headers: Record<string, string>
  close(): Promise<void>
}

const open: FakePlaces[] = []
let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  while (open.length > 0) await open.pop()?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  deps = dir = undefined
})

async function startPlaces(venues: Record<string, FakeTip[]>): Promise<FakePlaces> {
  const fake: FakePlaces = { url: '', venues, requests: [], answers: [], headers: {}, close: async () => {} }
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    fake.requests.push({ path: u.pathname, query: u.searchParams, headers: req.headers })
    const answer = fake.answers.shift()
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(answer.body)
      return
    }
    const m = /^\/places\/(\w+)\/tips$/.exec(u.pathname)
    const tips = m ? fake.venues[m[1] as string] : undefined
    if (!m || !tips) {
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end('{"message":"Place not found"}')
      return
    }
    const limit = Number(u.searchParams.get('limit') ?? '10')
    const offset = Number(u.searchParams.get('cursor') ?? '0')
    const sorted = [...tips].sort((a, b) => b.t - a.t)
    const slice = sorted.slice(offset, offset + limit)
    const headers: Record<string, string> = { 'content-type': 'application/json', ...fake.headers }
    if (offset + limit < sorted.length) headers.link = `<${fake.url}/places/${m[1]}/tips?cursor=${offset + limit}&limit=${limit}&sort=NEWEST>; rel="next"`
    res.writeHead(200, headers)
    res.end(JSON.stringify(slice.map((tip) => ({ id: tip.id, created_at: new Date(tip.t).toISOString(), text: tip.text }))))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  open.push(fake)
  return fake
}

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }
const globex: Brand = { name: 'Globex', terms: ['globex'], exclude: [], require: [], languages: [], competitor: true, handles: {} }

function setup(fake: FakePlaces, options: Record<string, unknown> = {}, env: Record<string, string> = { FOURSQUARE_API_KEY: 'fsq-key-1' }): TestDeps {
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    env,
    config: { brands: [acme, globex], sources: [{ kind: 'foursquare', options: { baseUrl: fake.url, venueIds: [V1], limit: 2, overlapHours: 1, ...options } }] },
  })
  return deps
}

const tipPaths = (f: FakePlaces) => f.requests.map((r) => `${r.path}${r.query.has('cursor') ? `@${r.query.get('cursor')}` : ''}`)
const stored = async (d: TestDeps) => (await listQueue(d, { queue: 'all' })).map((m) => m.externalId).sort()
const tip = (id: string, t: number, text = 'nice place'): FakeTip => ({ id, t, text })

describe('foursquare search() through pull', () => {
  it('pages each venue through Link until it passes since, with the Bearer key and version header; tips are the brand\'s, answered unknown', async () => {
    const fake = await startPlaces({
      [V1]: [tip('t1', NOW - HOUR, 'cold coffee, rude staff'), tip('t2', NOW - 2 * DAY), tip('t3', NOW - 3 * DAY), tip('t4', NOW - 9 * DAY)],
      [V2]: [tip('u1', NOW - 5 * HOUR)],
    })
    const d = setup(fake, { venueIds: [V1, V2] })
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(tipPaths(fake)).toEqual([`/places/${V1}/tips`, `/places/${V1}/tips@2`, `/places/${V2}/tips`])
    expect(fake.requests[0]?.query.get('sort')).toBe('NEWEST')
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer fsq-key-1')
    expect(fake.requests[0]?.headers['x-places-api-version']).toBe('2025-06-17')
    expect(await stored(d)).toEqual(['t1', 't2', 't3', 'u1'])
    const all = await listQueue(d, { queue: 'all' })
    // Stored under the only non-competitor brand although no tip names it.
    expect(all.every((m) => m.brands[0] === 'Acme' && m.answered === null && m.rating === null)).toBe(true)
    expect(all.find((m) => m.externalId === 't1')?.url).toBe(`https://foursquare.com/v/${V1}`)
  })

  it('resumes from the cursor (only the newest page is read again) and backfills an older since', async () => {
    const fake = await startPlaces({ [V1]: [tip('a1', NOW - 5 * HOUR), tip('a2', NOW - 3 * DAY), tip('a3', NOW - 6 * DAY)] })
    const d = setup(fake, { limit: 3 })
    await pull(d, { since: NOW - DAY })
    expect(await stored(d)).toEqual(['a1'])

    fake.venues[V1]?.push(tip('a4', NOW - HOUR))
    fake.requests.length = 0
    const second = await pull(d, { since: NOW - DAY })
    expect(tipPaths(fake)).toEqual([`/places/${V1}/tips`])
    expect(second.sources[0]).toMatchObject({ new: 1 })
    expect(await stored(d)).toEqual(['a1', 'a4'])

    fake.requests.length = 0
    await pull(d, { since: NOW - 7 * DAY })
    expect(tipPaths(fake)).toEqual([`/places/${V1}/tips`, `/places/${V1}/tips@3`])
    expect(await stored(d)).toEqual(['a1', 'a2', 'a3', 'a4'])
  })

  it("files tips under the entry's brand, and fails naming the choice when two brands could own the venue", async () => {
    const fake = await startPlaces({ [V1]: [tip('b1', NOW - HOUR, 'great espresso')] })
    const beta: Brand = { ...acme, name: 'Beta', terms: ['beta'] }
    dir = tempDir()
    const entry = (options: Record<string, unknown>) => ({ kind: 'foursquare', options: { baseUrl: fake.url, venueIds: [V1], ...options } })
    deps = testDeps({ dbFile: path.join(dir, 'm.db'), now: () => NOW, env: { FOURSQUARE_API_KEY: 'k' }, config: { brands: [acme, beta], sources: [entry({})] } })
    const unsure = await pull(deps)
    expect(unsure.sources[0]?.error).toMatch(/^set "brand" on this foursquare entry/)
    await deps.close()
    deps = testDeps({ dbFile: path.join(dir, 'm.db'), now: () => NOW, env: { FOURSQUARE_API_KEY: 'k' }, config: { brands: [acme, beta], sources: [entry({ brand: 'beta' })] } })
    expect((await pull(deps)).status).toBe('ok')
    expect((await listQueue(deps, { queue: 'all' })).map((m) => [m.externalId, m.brands])).toEqual([['b1', ['Beta']]])
  })

  it('names a venue the API does not know, and still reads the others', async () => {
    const fake = await startPlaces({ [V1]: [tip('ok1', NOW - HOUR)] })
    const d = setup(fake, { venueIds: [BAD, V1] })
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(await stored(d)).toEqual(['ok1'])
    expect(d.warnings.some((w) => w.startsWith(`foursquare: venue ${BAD} could not be read (HTTP 404`) && w.endsWith('check venueIds'))).toBe(true)
  })

  it('fails, naming them, when no venue can be read (never "no news")', async () => {
    const fake = await startPlaces({})
    const d = setup(fake, { venueIds: [BAD] })
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toBe(`no venue could be read (${BAD}); check venueIds`)
  })

  it('fails with one line naming FOURSQUARE_API_KEY when it is not set, without a request', async () => {
    const fake = await startPlaces({ [V1]: [tip('x', NOW - HOUR)] })
    const d = setup(fake, {}, {})
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/set FOURSQUARE_API_KEY/)
    expect(fake.requests).toHaveLength(0)
  })

  it('says the credentials were rejected (401), naming the variable, and stops every venue', async () => {
    const fake = await startPlaces({ [V1]: [tip('x', NOW - HOUR)], [V2]: [tip('y', NOW - HOUR)] })
    fake.answers.push({ status: 401, body: '{"message":"Invalid request token."}' })
    const d = setup(fake, { venueIds: [V1, V2] })
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/^credentials rejected \(HTTP 401 .*\); check FOURSQUARE_API_KEY$/)
    expect(fake.requests).toHaveLength(1)
    expect(result.sources[0]?.error).not.toContain('fsq-key-1')
  })

  it('retries a 429 after Retry-After, fails with the retry time when it persists, and reports X-RateLimit-*', async () => {
    const fake = await startPlaces({ [V1]: [tip('r1', NOW - HOUR)] })
    fake.headers = { 'x-ratelimit-limit': '500', 'x-ratelimit-remaining': '499' }
    fake.answers.push({ status: 429, headers: { 'retry-after': '1' }, body: '{"message":"Rate limit exceeded"}' })
    const d = setup(fake)
    expect((await pull(d)).status).toBe('ok')
    expect(await stored(d)).toEqual(['r1'])
    expect((await d.store().cursors.all())[0]?.upstream).toMatchObject({ limit: 500, remaining: 499 })

    for (let i = 0; i < 10; i++) fake.answers.push({ status: 429, headers: { 'retry-after': '3600' }, body: '{}' })
    const limited = await pull(d)
    expect(limited.status).toBe('failed')
    expect(limited.sources[0]?.error).toMatch(/HTTP 429 .*rate limited: retry after /)
  })

  it('follows a next link only on the API\'s own origin (the key goes nowhere else)', async () => {
    const fake = await startPlaces({})
    fake.answers.push({
      status: 200,
      headers: { link: '<http://127.0.0.2:9/places/x/tips?cursor=2>; rel="next"' },
      body: JSON.stringify([{ id: 'n1', created_at: new Date(NOW - HOUR).toISOString(), text: 'acme' }, { id: 'n2', created_at: new Date(NOW - 2 * HOUR).toISOString(), text: 'acme' }]),
    })
    const d = setup(fake)
    expect((await pull(d)).status).toBe('ok')
    expect(fake.requests).toHaveLength(1)
    expect(await stored(d)).toEqual(['n1', 'n2'])
  })
})
