import fs, { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import {
  findUrl,
  parseTrustpilot,
  parseTrustpilotBusinessUnit,
  readTrustpilotReviews,
  reviewsUrl,
  trustpilotOptions,
  trustpilotSource,
} from '../../src/sources/trustpilot.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/trustpilot/${name}`, import.meta.url), 'utf8')

describe('parseTrustpilot', () => {
  const read = readTrustpilotReviews(fixture('reviews_page.json'))

  it('maps a review: id, permalink, stars as rating, title and text, consumer, language, likes, the company reply', () => {
    expect(read.drafts[0]).toEqual({
      externalId: '674a1f0e9b8c7d6e5f4a3b2c',
      url: 'https://www.trustpilot.com/reviews/674a1f0e9b8c7d6e5f4a3b2c',
      title: 'Parcel never arrived',
      text: 'Ordered from Acme three weeks ago.\n\nStill nothing, and support does not answer.',
      createdAt: Date.parse('2026-11-20T14:02:33Z'),
      author: { handle: '5c9d8e7f6a5b4c3d2e1f0a9b', name: 'Jane D.', reach: 12 },
      lang: 'en',
      rating: 1,
      metrics: { likes: 3 },
      ownerReply: { at: Date.parse('2026-11-21T09:15:00Z'), handle: 'Acme' },
    })
  })

  it('decodes an escaped title, drops a field of the wrong type, leaves an unanswered review without a reply, skips an undated one', () => {
    expect(read.drafts[1]).toMatchObject({ title: 'Great & fast', rating: 5, lang: 'da', author: { handle: '5c9d8e7f6a5b4c3d2e1f0a9c', name: 'Lars' } })
    expect(read.drafts[1]?.author?.reach).toBeUndefined()
    expect(read.drafts[1]?.ownerReply).toBeUndefined()
    expect(read).toMatchObject({ skipped: 1, count: 3, hasNext: true })
    expect(parseTrustpilot(fixture('reviews_page.json'))).toHaveLength(2)
  })

  it("gives 'company' as the reply's handle when the review does not name the business, and invents no stars", () => {
    const body = { reviews: [{ id: 'r1', createdAt: '2026-11-20T00:00:00Z', stars: 0, text: 'x', companyReply: { text: 'thanks', createdAt: '2026-11-21T00:00:00Z' } }], links: [] }
    const [d] = parseTrustpilot(JSON.stringify(body))
    expect(d?.ownerReply).toEqual({ at: Date.parse('2026-11-21T00:00:00Z'), handle: 'company' })
    expect(d?.rating).toBeUndefined()
    expect(readTrustpilotReviews(body).hasNext).toBe(false)
  })

  it("names the problem for a body that is not JSON or not a reviews response, quoting the API's message", () => {
    expect(() => parseTrustpilot('<html>Bad gateway</html>')).toThrow(SourceResponseError)
    expect(() => parseTrustpilot('{"fault":{"faultstring":"Invalid ApiKey"}}')).toThrow(/expected a reviews response with a "reviews" array: Invalid ApiKey/)
    expect(() => parseTrustpilot(JSON.stringify({ message: 'no\u001b]0;title\u0007way' }))).toThrow(/array: no \]0;title way$/)
  })

  it('reads a business unit found by domain', () => {
    expect(parseTrustpilotBusinessUnit(fixture('business_unit_find.json'))).toEqual({ id: '5f1a2b3c4d5e6f7a8b9c0d1e', displayName: 'Acme' })
    expect(() => parseTrustpilotBusinessUnit('{"message":"Not found"}')).toThrow(/expected a business unit with an "id": Not found/)
  })

  it('builds find and reviews URLs, and has defaults, a required key, feed scope and owner-response replies', () => {
    expect(findUrl('https://api.trustpilot.com', 'acme.example').href).toBe('https://api.trustpilot.com/v1/business-units/find?name=acme.example')
    expect(reviewsUrl('https://api.trustpilot.com', '5f1a2b3c4d5e6f7a8b9c0d1e', 2, 100).href).toBe(
      'https://api.trustpilot.com/v1/business-units/5f1a2b3c4d5e6f7a8b9c0d1e/reviews?orderBy=createdat.desc&perPage=100&page=2',
    )
    expect(trustpilotOptions.parse({ domain: 'acme.example' })).toEqual({ baseUrl: 'https://api.trustpilot.com', domain: 'acme.example', maxPages: 5, perPage: 100, replyWindowDays: 30 })
    expect(trustpilotOptions.safeParse({}).success).toBe(false)
    expect(trustpilotOptions.safeParse({ businessUnitId: '../../x' }).success).toBe(false)
    expect(trustpilotSource).toMatchObject({ kind: 'trustpilot', scope: 'feed', replies: 'owner-response', requires: [{ env: 'TRUSTPILOT_API_KEY' }] })
  })
})

// ---------------------------------------------------------------------------------------
// A loopback Trustpilot: find by domain, and one business unit's reviews newest first by page.

const NOW = Date.parse('2026-11-21T00:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR
const UNIT = '5f1a2b3c4d5e6f7a8b9c0d1e'
const KEY = 'tp-key-1'

interface FakeReview {
  id: string
  t: number
  stars: number
  text: string
  reply?: number
}

interface Request {
  path: string
  query: URLSearchParams
  headers: Record<string, string | string[] | undefined>
}

interface FakeTrustpilot {
  url: string
  reviews: FakeReview[]
  requests: Request[]
  answers: { status: number; headers?: Record<string, string>; body: string }[]
  headers: Record<string, string>
  close(): Promise<void>
}

const open: FakeTrustpilot[] = []
let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  while (open.length > 0) await open.pop()?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  deps = dir = undefined
})

async function startTrustpilot(reviews: FakeReview[]): Promise<FakeTrustpilot> {
  const fake: FakeTrustpilot = { url: '', reviews, requests: [], answers: [], headers: {}, close: async () => {} }
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    fake.requests.push({ path: u.pathname, query: u.searchParams, headers: req.headers })
    const answer = fake.answers.shift()
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', ...fake.headers })
      res.end(JSON.stringify(value))
    }
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(answer.body)
      return
    }
    if (req.headers.apikey !== KEY) return send(401, { fault: { faultstring: 'Invalid ApiKey' } })
    if (u.pathname === '/v1/business-units/find') {
      if (u.searchParams.get('name') !== 'acme.example') return send(404, { message: 'Not found' })
      return send(200, { id: UNIT, displayName: 'Acme', name: { identifying: 'acme.example' } })
    }
    if (u.pathname !== `/v1/business-units/${UNIT}/reviews`) return send(404, { message: 'Not found' })
    const page = Number(u.searchParams.get('page') ?? '1')
    const perPage = Number(u.searchParams.get('perPage') ?? '20')
    const sorted = [...fake.reviews].sort((a, b) => b.t - a.t)
    const slice = sorted.slice((page - 1) * perPage, page * perPage)
    const links = page * perPage < sorted.length ? [{ href: `${fake.url}${u.pathname}?page=${page + 1}`, method: 'GET', rel: 'next-page' }] : []
    send(200, {
      links,
      reviews: slice.map((r) => ({
        id: r.id,
        stars: r.stars,
        title: 'A review',
        text: r.text,
        language: 'en',
        createdAt: new Date(r.t).toISOString(),
        consumer: { id: `c-${r.id}`, displayName: 'Someone', numberOfReviews: 2 },
        businessUnit: { id: UNIT, displayName: 'Acme' },
        ...(r.reply !== undefined ? { companyReply: { text: 'We are sorry.', createdAt: new Date(r.reply).toISOString() } } : {}),
      })),
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  open.push(fake)
  return fake
}

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }

function setup(fake: FakeTrustpilot, options: Record<string, unknown> = {}, env: Record<string, string> = { TRUSTPILOT_API_KEY: KEY }): TestDeps {
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    env,
    config: { brands: [acme], sources: [{ kind: 'trustpilot', options: { baseUrl: fake.url, businessUnitId: UNIT, perPage: 2, replyWindowDays: 2, ...options } }] },
  })
  return deps
}

const reviewPages = (f: FakeTrustpilot) => f.requests.filter((r) => r.path.endsWith('/reviews')).map((r) => Number(r.query.get('page')))
const stored = async (d: TestDeps) => (await listQueue(d, { queue: 'all' })).map((m) => m.externalId).sort()
const review = (id: string, t: number, opts: Partial<FakeReview> = {}): FakeReview => ({ id, t, stars: 4, text: 'Fine service.', ...opts })

describe('trustpilot search() through pull', () => {
  it('resolves a domain once, pages newest first until it passes since, sends the key as a header only', async () => {
    const fake = await startTrustpilot([review('r1', NOW - HOUR), review('r2', NOW - 2 * DAY), review('r3', NOW - 3 * DAY), review('r4', NOW - 9 * DAY)])
    const d = setup(fake, { businessUnitId: undefined, domain: 'acme.example' })
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/business-units/find', `/v1/business-units/${UNIT}/reviews`, `/v1/business-units/${UNIT}/reviews`])
    expect(reviewPages(fake)).toEqual([1, 2])
    expect(fake.requests[1]?.query.get('orderBy')).toBe('createdat.desc')
    expect(fake.requests.every((r) => r.headers.apikey === KEY && !r.query.has('apikey'))).toBe(true)
    expect(await stored(d)).toEqual(['r1', 'r2', 'r3'])
    // Stored under the brand although the text never names it; the cursor keeps the unit's id.
    expect((await listQueue(d, { queue: 'all' })).every((m) => m.brands[0] === 'Acme' && m.rating === 4)).toBe(true)
    expect((await d.store().cursors.all())[0]?.cursor.id).toBe(UNIT)

    fake.requests.length = 0
    await pull(d)
    expect(fake.requests.some((r) => r.path.endsWith('/find'))).toBe(false)
  })

  it('resumes from the cursor (reading only what is new and the reply window) and backfills an older since', async () => {
    const fake = await startTrustpilot([review('a1', NOW - 3 * DAY), review('a2', NOW - 5 * DAY), review('a3', NOW - 6 * DAY), review('a4', NOW - 20 * DAY)])
    const d = setup(fake)
    await pull(d, { since: NOW - 4 * DAY })
    expect(await stored(d)).toEqual(['a1'])

    fake.reviews.push(review('a5', NOW - HOUR), review('a6', NOW - 2 * HOUR))
    fake.requests.length = 0
    const second = await pull(d, { since: NOW - 4 * DAY })
    // Page 1 holds the two new reviews; page 2 reaches below the resume point less two days.
    expect(reviewPages(fake)).toEqual([1, 2])
    expect(second.sources[0]).toMatchObject({ new: 2 })
    expect(await stored(d)).toEqual(['a1', 'a5', 'a6'])

    fake.requests.length = 0
    await pull(d, { since: NOW - 7 * DAY })
    expect(await stored(d)).toEqual(['a1', 'a2', 'a3', 'a5', 'a6'])
  })

  it('marks a review with a company reply answered, at the reply\'s time, and leaves a 1-star one negative and unanswered', async () => {
    const fake = await startTrustpilot([
      review('bad', NOW - 2 * HOUR, { stars: 1, text: 'Parcel never arrived and nobody answers.' }),
      review('replied', NOW - 5 * HOUR, { stars: 2, text: 'Late again.', reply: NOW - HOUR }),
    ])
    const d = setup(fake)
    await pull(d)
    expect((await listQueue(d, { queue: 'unanswered' })).map((m) => m.externalId)).toEqual(['bad'])
    expect((await listQueue(d, { queue: 'negative' })).map((m) => m.externalId)).toContain('bad')
    const all = await listQueue(d, { queue: 'all' })
    expect(all.find((m) => m.externalId === 'replied')).toMatchObject({ answered: true, rating: 2 })
    expect(all.find((m) => m.externalId === 'bad')).toMatchObject({ answered: false, rating: 1, sentimentLabel: 'negative' })
    await d.close()
    const db = new Database(path.join(dir as string, 'm.db'), { readonly: true })
    try {
      expect(db.prepare('SELECT replied_at AS at, handle FROM replies').all()).toEqual([{ at: NOW - HOUR, handle: 'Acme' }])
    } finally {
      db.close()
    }
  })

  it('records a company reply that appears on a later pull, inside the reply window', async () => {
    const fake = await startTrustpilot([review('late', NOW - DAY, { stars: 1, text: 'Broken on arrival.' }), review('newer', NOW - 2 * HOUR)])
    const d = setup(fake)
    await pull(d)
    expect((await listQueue(d, { queue: 'unanswered' })).map((m) => m.externalId).sort()).toEqual(['late', 'newer'])

    // Answered 22 hours below the newest stored review: inside the two-day reply window.
    const target = fake.reviews[0] as FakeReview
    target.reply = NOW - HOUR
    const second = await pull(d)
    expect(second.sources[0]).toMatchObject({ new: 0, updated: 1 })
    expect((await listQueue(d, { queue: 'unanswered' })).map((m) => m.externalId)).toEqual(['newer'])
    expect((await listQueue(d, { queue: 'all' })).find((m) => m.externalId === 'late')).toMatchObject({ answered: true })
  })

  it('does not notice a reply to a review older than the reply window', async () => {
    const fake = await startTrustpilot([review('old', NOW - 3 * DAY, { stars: 1, text: 'Broken.' }), review('newer', NOW - 2 * HOUR)])
    const d = setup(fake)
    await pull(d)
    ;(fake.reviews[0] as FakeReview).reply = NOW - HOUR
    await pull(d)
    expect((await listQueue(d, { queue: 'all' })).find((m) => m.externalId === 'old')).toMatchObject({ answered: false })
  })

  it('fails with one line naming TRUSTPILOT_API_KEY when it is not set, without a request', async () => {
    const fake = await startTrustpilot([review('x', NOW - HOUR)])
    const d = setup(fake, {}, {})
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/set TRUSTPILOT_API_KEY/)
    expect(fake.requests).toHaveLength(0)
  })

  it('says the credentials were rejected (401), naming the variable, never the key', async () => {
    const fake = await startTrustpilot([review('x', NOW - HOUR)])
    const d = setup(fake, {}, { TRUSTPILOT_API_KEY: 'wrong-key' })
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/^credentials rejected \(HTTP 401 .*\); check TRUSTPILOT_API_KEY$/)
    expect(result.sources[0]?.error).not.toContain('wrong-key')
  })

  it('retries a 429 after Retry-After, fails with the retry time when it persists, and reports X-RateLimit-*', async () => {
    const fake = await startTrustpilot([review('r1', NOW - HOUR)])
    fake.headers = { 'x-ratelimit-limit': '833', 'x-ratelimit-remaining': '830' }
    fake.answers.push({ status: 429, headers: { 'retry-after': '1' }, body: '{"message":"Too many requests"}' })
    const d = setup(fake)
    expect((await pull(d)).status).toBe('ok')
    expect(await stored(d)).toEqual(['r1'])
    expect((await d.store().cursors.all())[0]?.upstream).toMatchObject({ limit: 833, remaining: 830 })

    for (let i = 0; i < 10; i++) fake.answers.push({ status: 429, headers: { 'retry-after': '3600' }, body: '{}' })
    const limited = await pull(d)
    expect(limited.status).toBe('failed')
    expect(limited.sources[0]?.error).toMatch(/HTTP 429 .*rate limited: retry after /)
  })

  it('names a business unit id or a domain that Trustpilot does not know', async () => {
    const fake = await startTrustpilot([])
    const d = setup(fake, { businessUnitId: '0000000000000000000000aa' })
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toBe('business unit 0000000000000000000000aa not found; check businessUnitId')

    await d.close()
    fs.rmSync(dir as string, { recursive: true, force: true })
    const e = setup(fake, { businessUnitId: undefined, domain: 'nobody.example' })
    expect((await pull(e)).sources[0]?.error).toBe('no Trustpilot business unit found for domain nobody.example; check domain or set businessUnitId')
  })
})
