import { readFileSync } from 'node:fs'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import {
  GOOGLE_PLACES_FIELD_MASK,
  googlePlacesOptions,
  googlePlacesSource,
  legacyDetailsUrl,
  legacyStatusError,
  parseGooglePlaces,
  parseGooglePlacesLegacy,
  PlaceError,
  placeUrl,
} from '../../src/sources/googleplaces.js'
import { readFixedWindow } from '../../src/sources/reviews.js'
import { CredentialsRejectedError, SourceResponseError } from '../../src/sources/types.js'
import { buildConfigSchema } from '../../src/config/schema.js'
import { sources } from '../../src/sources/registry.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, useReplayServers, type ReplayRoute } from '../support/replay.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/googleplaces/${name}`, import.meta.url), 'utf8')

describe('parseGooglePlaces (Places API New)', () => {
  const read = parseGooglePlaces(fixture('place_new.json'), 'ChIJAcmeCoffeeRoasters01')

  it('maps a review: resource name as id, its own permalink, rating, author, original text and language', () => {
    expect(read.drafts[0]).toEqual({
      externalId: 'places/ChIJAcmeCoffeeRoasters01/reviews/Ci9DQUlRQUNvZENodHljRjlvT2pnelJFbEtXRmxPY2kwNWMxbHNPRGxsYWtFNGJWRRAB',
      url: 'https://www.google.com/maps/reviews/data=!4m6!14m5!1m4!2m3!1sCi9DQUlRQUNvZENodHljRjlvT2pnelJFbEtXRmxPY2kwNWMxbHNPRGxsYWtFNGJWRRAB!2m1!1s0x808fba02425dad8f:0x6c296c66619367e0',
      title: 'Acme Coffee Roasters',
      text: 'The coffee was fine I guess. Service was a bit slow.',
      author: { handle: '109273401647355350001', name: 'Dana K.' },
      createdAt: Date.parse('2026-11-14T05:17:25.518Z'),
      lang: 'en',
      rating: 1,
    })
    expect(read.placeName).toBe('Acme Coffee Roasters')
  })

  it("keeps the reviewer's own words over Google's translation, and the primary language subtag", () => {
    expect(read.drafts[1]).toMatchObject({ text: 'Toller Flat White und freundliches Personal.', lang: 'de', rating: 5 })
  })

  it('drops a field of the wrong type or an unsafe link, and skips an undated review', () => {
    expect(read.drafts[2]).toEqual({
      externalId: 'places/ChIJAcmeCoffeeRoasters01/reviews/ChZDSUhNMG9nS0VJQ0FnSURtb2RpZlJnEAE',
      url: 'https://maps.google.com/?cid=1234567890123456789',
      title: 'Acme Coffee Roasters',
      text: '',
      author: { name: 'Sam' },
      createdAt: Date.parse('2026-10-31T08:30:00Z'),
    })
    expect(read.drafts).toHaveLength(3)
    expect(read.skipped).toBe(1)
  })

  it('reads a place without reviews as none, and names a changed shape', () => {
    expect(parseGooglePlaces('{"id":"X","displayName":{"text":"X"}}', 'X').drafts).toEqual([])
    expect(() => parseGooglePlaces('{"id":"X","reviews":"many"}', 'X')).toThrow(/reviews/)
    expect(() => parseGooglePlaces('<html>', 'X')).toThrow(SourceResponseError)
  })

  it('turns error bodies into the line they mean', () => {
    expect(() => parseGooglePlaces(fixture('error_new_invalid_key.json'), 'P')).toThrow(CredentialsRejectedError)
    expect(() => parseGooglePlaces(fixture('error_new_invalid_key.json'), 'P')).toThrow(/credentials rejected \(INVALID_ARGUMENT: API key not valid.*check GOOGLE_PLACES_API_KEY/)
    expect(() => parseGooglePlaces(fixture('error_new_permission_denied.json'), 'P')).toThrow(/credentials rejected \(PERMISSION_DENIED: Places API \(New\) has not been used.*GOOGLE_PLACES_API_KEY/)
    expect(() => parseGooglePlaces(fixture('error_new_not_found.json'), 'Pgone')).toThrow(PlaceError)
    expect(() => parseGooglePlaces(fixture('error_new_not_found.json'), 'Pgone')).toThrow(/place Pgone not found/)
  })
})

describe('parseGooglePlacesLegacy', () => {
  const read = parseGooglePlacesLegacy(fixture('place_legacy.json'), 'ChIJAcmeCoffeeRoasters01')

  it('derives a stable id from the author profile and time, and links the place', () => {
    expect(read.drafts[0]).toEqual({
      externalId: 'places/ChIJAcmeCoffeeRoasters01/reviews/legacy-109273401647355350001-1795065445',
      url: 'https://maps.google.com/?cid=1234567890123456789',
      title: 'Acme Coffee Roasters',
      text: 'The coffee was fine I guess. Service was a bit slow.',
      author: { handle: '109273401647355350001', name: 'Dana K.' },
      createdAt: 1795065445_000,
      lang: 'en',
      rating: 1,
    })
    // Same body, same ids: a re-read upserts rather than duplicates.
    expect(parseGooglePlacesLegacy(fixture('place_legacy.json'), 'ChIJAcmeCoffeeRoasters01').drafts.map((d) => d.externalId)).toEqual(read.drafts.map((d) => d.externalId))
  })

  it('falls back to the author name for the id when there is no profile link; skips a review without time', () => {
    expect(read.drafts[1]?.externalId).toMatch(/^places\/ChIJAcmeCoffeeRoasters01\/reviews\/legacy-name-[0-9a-f]{16}-1794477600$/)
    expect(read.drafts[1]).toMatchObject({ text: '', lang: 'fr', rating: 4, author: { name: 'Anonymous Visitor' } })
    expect(read.skipped).toBe(1)
  })

  it('gives each non-OK status its own line', () => {
    expect(() => parseGooglePlacesLegacy(fixture('legacy_over_query_limit.json'), 'P')).toThrow(/^rate or quota limit reached \(OVER_QUERY_LIMIT: You have exceeded your daily request quota/)
    expect(() => parseGooglePlacesLegacy(fixture('legacy_request_denied.json'), 'P')).toThrow(CredentialsRejectedError)
    expect(() => parseGooglePlacesLegacy(fixture('legacy_request_denied.json'), 'P')).toThrow(/request denied \(REQUEST_DENIED: This API project is not authorized.*GOOGLE_PLACES_API_KEY/)
    expect(() => parseGooglePlacesLegacy(fixture('legacy_invalid_request.json'), 'Pbad')).toThrow(/^place Pbad: invalid request \(INVALID_REQUEST\); check the place id$/)
    expect(legacyStatusError('NOT_FOUND', undefined, 'Pgone')).toBeInstanceOf(PlaceError)
    expect(legacyStatusError('UNKNOWN_ERROR', 'x\u001b[2Jy', 'P').message).toBe('place P: Google answered UNKNOWN_ERROR: x [2Jy')
  })
})

describe('googleplaces URLs, options and the fixed window', () => {
  it('builds the New and legacy URLs', () => {
    expect(placeUrl('https://places.googleapis.com', 'ChIJ1', 'de').href).toBe('https://places.googleapis.com/v1/places/ChIJ1?languageCode=de')
    expect(legacyDetailsUrl('https://maps.googleapis.com', 'ChIJ1', 'K').href).toBe(
      'https://maps.googleapis.com/maps/api/place/details/json?place_id=ChIJ1&fields=place_id%2Cname%2Curl%2Creviews&reviews_sort=newest&reviews_no_translations=true&key=K',
    )
  })

  it('needs place ids, defaults to the New API, and declares its cap and unknown replies', () => {
    expect(googlePlacesOptions.parse({ placeIds: ['a'] })).toEqual({ placeIds: ['a'], api: 'new', maxPages: 20 })
    expect(() => googlePlacesOptions.parse({})).toThrow()
    expect(() => googlePlacesOptions.parse({ placeIds: ['a', 'b'], maxPages: 1 })).toThrow(/maxPages/)
    expect(googlePlacesSource).toMatchObject({ kind: 'googleplaces', scope: 'feed', replies: 'none', limits: 'at most 5 reviews per place, chosen by Google (most relevant, not newest)' })
    expect(googlePlacesSource.requires).toEqual([expect.objectContaining({ env: 'GOOGLE_PLACES_API_KEY' })])
    expect(googlePlacesSource.instanceKey(googlePlacesOptions.parse({ placeIds: ['b', 'a'], api: 'legacy' }))).toBe('https://maps.googleapis.com legacy a,b')
  })

  it('keeps what lies in the window, and records the newest time seen', () => {
    const d = (t: number) => ({ externalId: String(t), url: 'https://x.example', text: '', createdAt: t })
    const first = readFixedWindow(undefined, [d(50), d(150), d(120)], { since: 100 })
    expect(first.kept.map((x) => x.createdAt)).toEqual([150, 120])
    expect(first.outside).toBe(1)
    expect(first.cursor).toEqual({ at: 150, oldest: 100 })
    // A later read with an older since reaches it again (the fixed window is re-read whole).
    const later = readFixedWindow(first.cursor, [d(50), d(150)], { since: 40, until: 200 })
    expect(later.kept.map((x) => x.createdAt)).toEqual([50, 150])
    expect(later.cursor).toMatchObject({ at: 200, oldest: 40 })
    expect(readFixedWindow(undefined, [d(50)], { since: 100, until: 90 })).toEqual({ kept: [], outside: 1, cursor: {} })
  })
})

describe('googleplaces in a config file', () => {
  const schema = buildConfigSchema(Object.values(sources))
  const brands = [{ name: 'Acme', terms: ['acme'] }, { name: 'Globex', terms: ['globex'], competitor: true }, { name: 'Initech', terms: ['initech'] }]

  it('takes an entry that names its brand, and asks for the brand when two could own it', () => {
    expect(schema.safeParse({ brands, sources: [{ kind: 'googleplaces', brand: 'acme', placeIds: ['ChIJ1'] }] }).success).toBe(true)
    const missing = schema.safeParse({ brands, sources: [{ kind: 'googleplaces', placeIds: ['ChIJ1'] }] })
    expect(missing.error?.issues.map((i) => i.path.join('.'))).toEqual(['sources.0.brand'])
  })
})

// ---------------------------------------------------------------------------------------
// Through pull, against a loopback Places API

const NOW = Date.parse('2026-11-21T00:00:00Z')
const DAY = 24 * 3600_000
const KEY = 'gp-test-key-0000000000000000'
const serve = useReplayServers()

let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  deps = dir = undefined
})

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }

function setup(url: string, options: Record<string, unknown> = {}, env: Record<string, string> = { GOOGLE_PLACES_API_KEY: KEY }): TestDeps {
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    env,
    config: { brands: [acme], sources: [{ kind: 'googleplaces', options: { baseUrl: url, placeIds: ['P1', 'P2'], ...options } }] },
  })
  return deps
}

interface R {
  id: string
  t: number
  rating: number
  text: string
}

function place(id: string, reviews: R[]): object {
  return {
    id,
    displayName: { text: `Acme ${id}`, languageCode: 'en' },
    googleMapsUri: `https://maps.google.com/?cid=${id}`,
    rating: 4,
    userRatingCount: 10,
    reviews: reviews.map((r) => ({
      name: `places/${id}/reviews/${r.id}`,
      rating: r.rating,
      text: { text: r.text, languageCode: 'en' },
      originalText: { text: r.text, languageCode: 'en' },
      authorAttribution: { displayName: 'Someone', uri: 'https://www.google.com/maps/contrib/1/reviews' },
      publishTime: new Date(r.t).toISOString(),
      googleMapsUri: `https://www.google.com/maps/reviews/data=${r.id}`,
    })),
  }
}

const p1: R[] = [
  { id: 'r1', t: NOW - 1 * DAY, rating: 1, text: 'The coffee was fine I guess. Service was a bit slow.' },
  { id: 'r2', t: NOW - 3 * DAY, rating: 5, text: 'Lovely place.' },
  { id: 'r0', t: NOW - 40 * DAY, rating: 4, text: 'Old but good.' },
]
const p2: R[] = [{ id: 's1', t: NOW - 2 * DAY, rating: 2, text: 'Meh.' }]

const routes = (extra: ReplayRoute[] = []): ReplayRoute[] => [...extra, jsonRoute('/v1/places/P1', place('P1', p1)), jsonRoute('/v1/places/P2', place('P2', p2))]
const ids = async (d: TestDeps, queue: 'all' | 'negative' | 'unanswered' = 'all') => (await listQueue(d, { queue })).map((m) => m.externalId).sort()

describe('googleplaces search() through pull', () => {
  it("reads every place with the key and field mask in headers, and stores its reviews as the brand's", async () => {
    const server = await serve(routes())
    const d = setup(server.url)
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(server.requests.map((r) => r.path)).toEqual(['/v1/places/P1', '/v1/places/P2'])
    for (const r of server.requests) {
      expect(r.headers['x-goog-api-key']).toBe(KEY)
      expect(r.headers['x-goog-fieldmask']).toBe(GOOGLE_PLACES_FIELD_MASK)
      expect(r.query).toEqual({})
    }
    // The 40-day-old review lies outside the 7-day first pull.
    expect(await ids(d)).toEqual(['places/P1/reviews/r1', 'places/P1/reviews/r2', 'places/P2/reviews/s1'])
    expect(d.warnings).toEqual(['googleplaces: 1 review(s) of place P1 are older than the pull\'s window and were left out'])
    const all = await listQueue(d, { queue: 'all' })
    const r1 = all.find((m) => m.externalId === 'places/P1/reviews/r1')
    // The text never names the brand: it is Acme's because it is a review of Acme's place.
    expect(r1).toMatchObject({ brands: ['Acme'], rating: 1, answered: null, title: 'Acme P1', lang: 'en' })
    expect(all.find((m) => m.externalId === 'places/P1/reviews/r2')).toMatchObject({ rating: 5, sentimentLabel: 'positive' })
  })

  it('puts a 1-star review with mild words in the negative queue', async () => {
    const server = await serve(routes())
    const d = setup(server.url)
    await pull(d)
    expect(await ids(d, 'negative')).toContain('places/P1/reviews/r1')
  })

  it('re-reads the same 5 on the next pull: nothing new, nothing said; a new review is stored', async () => {
    const next: R[] = [{ id: 'r3', t: NOW - 0.5 * DAY, rating: 3, text: 'OK.' }, ...p1.slice(0, 2)]
    const server = await serve([jsonRoute('/v1/places/P1', place('P1', p1), { times: 2 }), jsonRoute('/v1/places/P1', place('P1', next)), ...routes()])
    const d = setup(server.url)
    await pull(d)
    d.warnings.length = 0
    const second = await pull(d)
    expect(second.status).toBe('ok')
    expect(second.sources[0]).toMatchObject({ new: 0, updated: 0 })
    expect(second.sources[0]?.error).toBeUndefined()
    expect(d.warnings).toEqual([])
    const third = await pull(d)
    expect(third.sources[0]).toMatchObject({ new: 1 })
    expect(await ids(d)).toContain('places/P1/reviews/r3')
    const cursor = (await d.store().cursors.all())[0]?.cursor
    expect(cursor?.parts?.P1).toMatchObject({ at: NOW - 0.5 * DAY })
  })

  it('backfills: a pull with an older since keeps the older review it re-reads', async () => {
    const server = await serve(routes())
    const d = setup(server.url)
    await pull(d)
    await pull(d, { since: NOW - 60 * DAY })
    expect(await ids(d)).toContain('places/P1/reviews/r0')
  })

  it('uses the legacy endpoint with reviews_sort=newest, and never shows the key', async () => {
    const legacy = JSON.parse(fixture('place_legacy.json')) as { result: { reviews: { time: number }[] } }
    legacy.result.reviews[0]!.time = Math.floor((NOW - DAY) / 1000)
    const server = await serve([
      jsonRoute('/maps/api/place/details/json', legacy, { query: { place_id: 'P1', reviews_sort: 'newest', key: KEY } }),
      jsonRoute('/maps/api/place/details/json', JSON.parse(fixture('legacy_over_query_limit.json')), { query: { place_id: 'P2' } }),
    ])
    const d = setup(server.url, { api: 'legacy' })
    const result = await pull(d)
    expect(await ids(d)).toEqual([`places/P1/reviews/legacy-109273401647355350001-${Math.floor((NOW - DAY) / 1000)}`])
    expect(result.sources[0]?.error).toMatch(/^rate or quota limit reached \(OVER_QUERY_LIMIT/)
    expect(JSON.stringify(result)).not.toContain(KEY)
    expect(d.warnings.join('\n')).not.toContain(KEY)
  })

  it('fails clearly without the key, naming the variable', async () => {
    const server = await serve(routes())
    const d = setup(server.url, {}, {})
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/GOOGLE_PLACES_API_KEY/)
    expect(server.requests).toHaveLength(0)
  })

  it('says the credentials were rejected on a 403, and on the 400 an invalid key gets', async () => {
    for (const [status, file] of [[403, 'error_new_permission_denied.json'], [400, 'error_new_invalid_key.json']] as const) {
      const server = await serve([{ path: '/v1/places/P1', status, headers: { 'content-type': 'application/json' }, body: fixture(file) }, ...routes()])
      const d = setup(server.url)
      const result = await pull(d)
      expect(result.status).toBe('failed')
      expect(result.sources[0]?.error).toMatch(/credentials rejected.*check GOOGLE_PLACES_API_KEY/)
      await d.close()
    }
  })

  it('keeps the rate-limit message of a 429 with Retry-After (after the retry it allows)', async () => {
    const limited = { path: '/v1/places/P1', status: 429, headers: { 'retry-after': '3600', 'content-type': 'application/json' }, body: '{"error":{"code":429,"message":"Quota exceeded","status":"RESOURCE_EXHAUSTED"}}' }
    const server = await serve([limited, ...routes()])
    const d = setup(server.url)
    const result = await pull(d)
    expect(result.sources[0]?.error).toMatch(/rate limited: retry after/)
    // A short Retry-After is waited out and retried.
    const brief = await serve([{ ...limited, headers: { 'retry-after': '1' }, times: 1 }, ...routes()])
    await d.close()
    const d2 = setup(brief.url)
    expect((await pull(d2)).status).toBe('ok')
    expect(brief.requests.filter((r) => r.path === '/v1/places/P1')).toHaveLength(2)
  })

  it('still reads the second place when the first is not found, and names the one that failed', async () => {
    const server = await serve([{ path: '/v1/places/P1', status: 404, headers: { 'content-type': 'application/json' }, body: fixture('error_new_not_found.json') }, ...routes()])
    const d = setup(server.url)
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/^1 of 2 place\(s\) not read: place P1 not found \(NOT_FOUND: Requested entity was not found.\)$/)
    expect(await ids(d)).toEqual(['places/P2/reviews/s1'])
  })
})
