import { readFileSync } from 'node:fs'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import {
  BusinessError,
  businessUrl,
  isBusinessId,
  parseYelpBusiness,
  parseYelpReviews,
  reviewsUrl,
  wallClockToEpoch,
  yelpApiError,
  yelpErrorFromSnippet,
  yelpOptions,
  yelpRateState,
  yelpSource,
} from '../../src/sources/yelp.js'
import { CredentialsRejectedError, SourceResponseError } from '../../src/sources/types.js'
import { buildConfigSchema } from '../../src/config/schema.js'
import { sources } from '../../src/sources/registry.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, useReplayServers, type ReplayRoute } from '../support/replay.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/yelp/${name}`, import.meta.url), 'utf8')

describe('wallClockToEpoch (Yelp time_created has no zone)', () => {
  it('reads Pacific time: PDT (UTC-7) in summer, PST (UTC-8) in winter', () => {
    expect(wallClockToEpoch('2023-06-11 11:33:42', 'America/Los_Angeles')).toBe(Date.parse('2023-06-11T18:33:42Z'))
    expect(wallClockToEpoch('2026-01-15 08:05:00', 'America/Los_Angeles')).toBe(Date.parse('2026-01-15T16:05:00Z'))
  })

  it("reads another zone when the business's is known", () => {
    expect(wallClockToEpoch('2026-07-01 12:00:00', 'America/New_York')).toBe(Date.parse('2026-07-01T16:00:00Z'))
    expect(wallClockToEpoch('2026-07-01 12:00:00', 'Asia/Kolkata')).toBe(Date.parse('2026-07-01T06:30:00Z'))
    expect(wallClockToEpoch('2026-07-01 12:00:00', 'UTC')).toBe(Date.parse('2026-07-01T12:00:00Z'))
  })

  it('takes the first of a repeated hour (DST ends) and skips past a missing one (DST starts)', () => {
    // 2026-11-01 01:30 happens twice in Los Angeles: first in PDT.
    expect(wallClockToEpoch('2026-11-01 01:30:00', 'America/Los_Angeles')).toBe(Date.parse('2026-11-01T08:30:00Z'))
    // 2026-03-08 02:30 never happens there: read as 03:30 PDT.
    expect(wallClockToEpoch('2026-03-08 02:30:00', 'America/Los_Angeles')).toBe(Date.parse('2026-03-08T10:30:00Z'))
  })

  it('refuses what is not a wall-clock time or not a zone', () => {
    expect(wallClockToEpoch('yesterday', 'UTC')).toBeUndefined()
    expect(wallClockToEpoch('2026-13-01 00:00:00', 'UTC')).toBeUndefined()
    expect(wallClockToEpoch('2026-01-01 00:00:00', 'Mars/Olympus')).toBeUndefined()
  })
})

describe('parseYelpReviews', () => {
  const read = parseYelpReviews(fixture('reviews.json'), { businessId: 'acme-coffee-san-francisco' })

  it('maps an excerpt: id, permalink without tracking parameters, rating, author, Pacific time', () => {
    expect(read.drafts[0]).toEqual({
      externalId: 'xAG4O7l-t1ubbwVAlPnDKg',
      url: 'https://www.yelp.com/biz/acme-coffee-san-francisco?hrid=xAG4O7l-t1ubbwVAlPnDKg',
      text: 'The coffee was fine I guess. Service was a bit slow and the line was long by the time we...',
      author: { handle: 'W8UK02IDdRS2GL_66fuq6w', name: 'Ella A.' },
      createdAt: Date.parse('2026-06-11T18:33:42Z'),
      rating: 1,
    })
    expect(read.drafts[1]?.createdAt).toBe(Date.parse('2026-01-15T16:05:00Z'))
    expect(read.total).toBe(212)
  })

  it('skips a review whose time cannot be read, and uses the zone and locale it is given', () => {
    expect(read.drafts).toHaveLength(2)
    expect(read.skipped).toBe(1)
    const ny = parseYelpReviews(fixture('reviews.json'), { timeZone: 'America/New_York', locale: 'en_US' })
    expect(ny.drafts[0]).toMatchObject({ createdAt: Date.parse('2026-06-11T15:33:42Z'), lang: 'en' })
    const unsafe = parseYelpReviews({ reviews: [{ id: 'r9', url: 'javascript:alert(1)', rating: 2, time_created: '2026-01-01 00:00:00' }] }, { businessId: 'acme-sf' })
    expect(unsafe.drafts[0]?.url).toBe('https://www.yelp.com/biz/acme-sf?hrid=r9')
  })

  it('names a changed shape, and turns an error body into its line', () => {
    expect(() => parseYelpReviews('{"reviews":{}}')).toThrow(/reviews/)
    expect(() => parseYelpReviews('not json')).toThrow(SourceResponseError)
    expect(() => parseYelpReviews(fixture('error_business_not_found.json'), { businessId: 'gone-cafe' })).toThrow(BusinessError)
    expect(() => parseYelpReviews(fixture('error_token_invalid.json'))).toThrow(CredentialsRejectedError)
  })

  it('reads a lookup: the id, and a zone only when Yelp names a real one', () => {
    expect(parseYelpBusiness(fixture('business_lookup.json'), 'acme-coffee-san-francisco')).toEqual({ id: 'AcmeCoffeeSF0000000001', name: 'Acme Coffee' })
    expect(parseYelpBusiness({ id: 'X', timezone: 'America/Chicago' }, 'x').timeZone).toBe('America/Chicago')
    expect(parseYelpBusiness({ id: 'X', timezone: 'Nowhere/Else' }, 'x').timeZone).toBeUndefined()
  })
})

describe('Yelp errors, rate-limit headers, URLs and options', () => {
  it('gives each error code its line', () => {
    const err = (status: number, code: string, description = 'd', field?: string) => yelpApiError(status, { code, description, field }, 'gone-cafe', { nowMs: Date.parse('2026-11-20T15:00:00Z') })
    expect(err(401, 'TOKEN_INVALID')).toBeInstanceOf(CredentialsRejectedError)
    expect(err(401, 'UNAUTHORIZED_ACCESS_TOKEN').message).toBe('credentials rejected (UNAUTHORIZED_ACCESS_TOKEN: d); check YELP_API_KEY')
    expect(err(404, 'BUSINESS_NOT_FOUND').message).toBe('business "gone-cafe" not found on Yelp (BUSINESS_NOT_FOUND: d); check businessIds')
    expect(err(403, 'BUSINESS_UNAVAILABLE')).toBeInstanceOf(BusinessError)
    expect(err(429, 'TOO_MANY_REQUESTS_PER_SECOND').message).toMatch(/^rate limit reached: too many requests per second/)
    expect(err(429, 'ACCESS_LIMIT_REACHED').message).toBe('daily request limit reached (ACCESS_LIMIT_REACHED: d); it resets at 2026-11-21T00:00:00.000Z')
    expect(err(400, 'VALIDATION_ERROR', 'bad', 'locale').message).toMatch(/check "locale"/)
    expect(err(400, 'INVALID_LOCALE')).not.toBeInstanceOf(BusinessError)
    expect(err(500, 'INTERNAL_ERROR')).toBeInstanceOf(BusinessError)
    // Codes Yelp adds later fall back to the status.
    expect(err(403, 'SOMETHING_NEW')).toBeInstanceOf(CredentialsRejectedError)
    expect(err(418, 'SOMETHING_NEW\u001b[2J').message).toBe('Yelp answered SOMETHING_NEW [2J: d for business "gone-cafe"')
  })

  it("reads Yelp's error out of a short body snippet", () => {
    expect(yelpErrorFromSnippet('{"error": {"code": "BUSINESS_NOT_FOUND", "description": "The requested business could not be fou…')).toEqual({
      code: 'BUSINESS_NOT_FOUND',
      description: 'The requested business could not be fou…',
      field: undefined,
    })
    expect(yelpErrorFromSnippet('<html>')).toBeUndefined()
  })

  it('reports RateLimit-Remaining, -DailyLimit and -ResetTime', () => {
    expect(yelpRateState({ 'ratelimit-dailylimit': '300', 'ratelimit-remaining': '297', 'ratelimit-resettime': '2026-11-21T00:00:00+00:00' }, 0)).toEqual({
      remaining: 297,
      limit: 300,
      resetAt: Date.parse('2026-11-21T00:00:00Z'),
      note: 'calls per day (Yelp plan limit)',
    })
    expect(yelpRateState({}, 0)).toBeUndefined()
  })

  it('builds URLs, tells ids from aliases, and declares its cap and unknown replies', () => {
    expect(reviewsUrl('https://api.yelp.com', 'AcmeCoffeeSF0000000001', 'en_US').href).toBe('https://api.yelp.com/v3/businesses/AcmeCoffeeSF0000000001/reviews?sort_by=newest&locale=en_US')
    expect(businessUrl('http://127.0.0.1:1/', 'acme-coffee').href).toBe('http://127.0.0.1:1/v3/businesses/acme-coffee')
    expect(isBusinessId('4kMBvIEWPxWkWKFN__8SxQ')).toBe(true)
    expect(isBusinessId('yelp-san-francisco')).toBe(false)
    expect(isBusinessId('eleven-madison-park-ny')).toBe(false)
    expect(yelpOptions.parse({ businessIds: ['a'] })).toEqual({ businessIds: ['a'], baseUrl: 'https://api.yelp.com', maxPages: 20 })
    expect(() => yelpOptions.parse({ businessIds: ['a'], timeZone: 'Pacific' })).toThrow(/IANA/)
    expect(() => yelpOptions.parse({ businessIds: ['a'], locale: 'en-us' })).toThrow()
    expect(yelpSource).toMatchObject({ kind: 'yelp', scope: 'feed', replies: 'none', limits: 'at most 3 review excerpts per business, truncated by Yelp' })
    expect(yelpSource.requires).toEqual([expect.objectContaining({ env: 'YELP_API_KEY' })])
  })
})

describe('yelp in a config file', () => {
  const schema = buildConfigSchema(Object.values(sources))
  const brands = [{ name: 'Acme', terms: ['acme'] }, { name: 'Globex', terms: ['globex'], competitor: true }, { name: 'Initech', terms: ['initech'] }]

  it('takes an entry that names its brand, and asks for the brand when two could own it', () => {
    expect(schema.safeParse({ brands, sources: [{ kind: 'yelp', brand: 'acme', businessIds: ['x'], timeZone: 'America/Denver' }] }).success).toBe(true)
    const missing = schema.safeParse({ brands, sources: [{ kind: 'yelp', businessIds: ['x'] }] })
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['sources.0.brand'])
  })
})

// ---------------------------------------------------------------------------------------
// Through pull, against a loopback Yelp

const NOW = Date.parse('2026-11-21T00:00:00Z')
const DAY = 24 * 3600_000
const KEY = 'yelp-test-key-000000000000'
const B1 = 'AcmeCoffeeSF0000000001'
const B2 = 'AcmeCoffeeLA0000000002'
const serve = useReplayServers()

let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  deps = dir = undefined
})

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }

function setup(url: string, options: Record<string, unknown> = {}, env: Record<string, string> = { YELP_API_KEY: KEY }): TestDeps {
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    env,
    config: { brands: [acme], sources: [{ kind: 'yelp', options: { baseUrl: url, businessIds: [B1, B2], ...options } }] },
  })
  return deps
}

/** A wall-clock time in Los Angeles, as Yelp writes it (November 2026: PST, UTC-8). */
const pacific = (t: number) => new Date(t - 8 * 3600_000).toISOString().replace('T', ' ').slice(0, 19)

interface R {
  id: string
  t: number
  rating: number
  text: string
}

const reviews = (list: R[]) => ({
  reviews: list.map((r) => ({
    id: r.id,
    url: `https://www.yelp.com/biz/acme?adjust_creative=c&hrid=${r.id}&utm_source=c`,
    text: r.text,
    rating: r.rating,
    time_created: pacific(r.t),
    user: { id: `u-${r.id}`, profile_url: `https://www.yelp.com/user_details?userid=u-${r.id}`, image_url: null, name: 'Pat Q.' },
  })),
  total: list.length,
  possible_languages: ['en'],
})

const b1: R[] = [
  { id: 'r1', t: NOW - 1 * DAY, rating: 1, text: 'The coffee was fine I guess. Service was a bit slow...' },
  { id: 'r2', t: NOW - 3 * DAY, rating: 5, text: 'Lovely place...' },
  { id: 'r0', t: NOW - 40 * DAY, rating: 4, text: 'Old but good...' },
]
const b2: R[] = [{ id: 's1', t: NOW - 2 * DAY, rating: 2, text: 'Meh...' }]
const limits = { 'ratelimit-dailylimit': '300', 'ratelimit-remaining': '290', 'ratelimit-resettime': '2026-11-21T00:00:00+00:00' }

const routes = (extra: ReplayRoute[] = []): ReplayRoute[] => [
  ...extra,
  jsonRoute(`/v3/businesses/${B1}/reviews`, reviews(b1), { headers: limits }),
  jsonRoute(`/v3/businesses/${B2}/reviews`, reviews(b2), { headers: limits }),
]
const ids = async (d: TestDeps, queue: 'all' | 'negative' | 'unanswered' = 'all') => (await listQueue(d, { queue })).map((m) => m.externalId).sort()
const errorRoute = (p: string, status: number, file: string): ReplayRoute => ({ path: p, status, headers: { 'content-type': 'application/json' }, body: fixture(file) })

describe('yelp search() through pull', () => {
  it("reads each business newest first with the bearer key, stores the excerpts as the brand's, and reports the daily limit", async () => {
    const server = await serve(routes())
    const d = setup(server.url)
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(server.requests.map((r) => r.path)).toEqual([`/v3/businesses/${B1}/reviews`, `/v3/businesses/${B2}/reviews`])
    for (const r of server.requests) {
      expect(r.headers.authorization).toBe(`Bearer ${KEY}`)
      expect(r.query).toEqual({ sort_by: 'newest' })
    }
    expect(await ids(d)).toEqual(['r1', 'r2', 's1'])
    const all = await listQueue(d, { queue: 'all' })
    expect(all.find((m) => m.externalId === 'r1')).toMatchObject({ brands: ['Acme'], rating: 1, answered: null, createdAt: NOW - DAY, url: 'https://www.yelp.com/biz/acme?hrid=r1' })
    expect(await ids(d, 'negative')).toContain('r1')
    expect(d.warnings).toEqual(['yelp: 1 review(s) of business "AcmeCoffeeSF0000000001" are older than the pull\'s window and were left out'])
    const cursors = await d.store().cursors.all()
    expect(cursors[0]).toMatchObject({ upstream: { remaining: 290, limit: 300, resetAt: NOW } })
  })

  it('re-reads the same excerpts on the next pull: nothing new, nothing said; a new one is stored', async () => {
    const next: R[] = [{ id: 'r3', t: NOW - 0.5 * DAY, rating: 4, text: 'Better now...' }, ...b1.slice(0, 2)]
    const server = await serve([jsonRoute(`/v3/businesses/${B1}/reviews`, reviews(b1), { times: 2 }), jsonRoute(`/v3/businesses/${B1}/reviews`, reviews(next)), ...routes()])
    const d = setup(server.url)
    await pull(d)
    d.warnings.length = 0
    const second = await pull(d)
    expect(second.status).toBe('ok')
    expect(second.sources[0]).toMatchObject({ new: 0, updated: 0 })
    expect(d.warnings).toEqual([])
    const third = await pull(d)
    expect(third.sources[0]).toMatchObject({ new: 1 })
    expect((await d.store().cursors.all())[0]?.cursor.parts?.[B1]).toMatchObject({ at: NOW - 0.5 * DAY })
  })

  it('backfills: a pull with an older since keeps the older excerpt it re-reads', async () => {
    const server = await serve(routes())
    const d = setup(server.url)
    await pull(d)
    await pull(d, { since: NOW - 60 * DAY })
    expect(await ids(d)).toContain('r0')
  })

  it("looks an alias up first, and reads time_created in the business's zone when it names one", async () => {
    const server = await serve([
      jsonRoute('/v3/businesses/acme-coffee-new-york', { id: 'AcmeCoffeeNY0000000003', alias: 'acme-coffee-new-york', timezone: 'America/New_York' }),
      jsonRoute('/v3/businesses/AcmeCoffeeNY0000000003/reviews', { reviews: [{ id: 'ny1', url: 'https://www.yelp.com/biz/x?hrid=ny1', text: 'ok', rating: 3, time_created: '2026-11-20 10:00:00', user: { id: 'u', name: 'U.' } }], total: 1 }),
    ])
    const d = setup(server.url, { businessIds: ['acme-coffee-new-york'] })
    expect((await pull(d)).status).toBe('ok')
    expect(server.requests.map((r) => r.path)).toEqual(['/v3/businesses/acme-coffee-new-york', '/v3/businesses/AcmeCoffeeNY0000000003/reviews'])
    // 10:00 in New York in November is 15:00 UTC (EST), not 18:00 (Pacific).
    expect((await listQueue(d, { queue: 'all' }))[0]?.createdAt).toBe(Date.parse('2026-11-20T15:00:00Z'))
  })

  it('the configured timeZone wins over the Pacific default', async () => {
    const server = await serve(routes())
    const d = setup(server.url, { timeZone: 'UTC' })
    await pull(d)
    const r1 = (await listQueue(d, { queue: 'all' })).find((m) => m.externalId === 'r1')
    expect(r1?.createdAt).toBe(NOW - DAY - 8 * 3600_000)
  })

  it('fails clearly without the key, naming the variable', async () => {
    const server = await serve(routes())
    const d = setup(server.url, {}, {})
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/YELP_API_KEY/)
    expect(server.requests).toHaveLength(0)
  })

  it('says the credentials were rejected on a 401 TOKEN_INVALID', async () => {
    const server = await serve(routes([errorRoute(`/v3/businesses/${B1}/reviews`, 401, 'error_token_invalid.json')]))
    const d = setup(server.url)
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toBe('credentials rejected (TOKEN_INVALID: Invalid access token or authorization header.); check YELP_API_KEY')
  })

  it('says the daily limit was reached on a 429 ACCESS_LIMIT_REACHED, keeping when to retry', async () => {
    const server = await serve(routes([{ ...errorRoute(`/v3/businesses/${B1}/reviews`, 429, 'error_access_limit_reached.json'), headers: { 'content-type': 'application/json', 'retry-after': '7200' } }]))
    const d = setup(server.url)
    const result = await pull(d)
    expect(result.sources[0]?.error).toMatch(/^daily request limit reached \(ACCESS_LIMIT_REACHED: You've reached the access limit.*rate limited: retry after \S+Z$/)
  })

  it('retries a 429 with a short Retry-After and then reads on', async () => {
    const server = await serve(routes([{ path: `/v3/businesses/${B1}/reviews`, status: 429, headers: { 'retry-after': '1' }, body: '{"error":{"code":"TOO_MANY_REQUESTS_PER_SECOND","description":"slow down"}}', times: 1 }]))
    const d = setup(server.url)
    expect((await pull(d)).status).toBe('ok')
    expect(server.requests.filter((r) => r.path === `/v3/businesses/${B1}/reviews`)).toHaveLength(2)
  })

  it('still reads the second business when the first is not found, and names the one that failed', async () => {
    const server = await serve(routes([errorRoute(`/v3/businesses/${B1}/reviews`, 404, 'error_business_not_found.json')]))
    const d = setup(server.url)
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toBe(`1 of 2 business(es) not read: business "${B1}" not found on Yelp (BUSINESS_NOT_FOUND: The requested business could not be found.); check businessIds`)
    expect(await ids(d)).toEqual(['s1'])
  })
})
