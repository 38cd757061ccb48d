import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import {
  APPSTORE_OVERLAP_MS,
  appStoreOptions,
  appStoreSource,
  lookupUrl,
  parseAppStore,
  parseLookup,
  readAppStore,
  reviewsUrl,
} from '../../src/sources/appstore.js'
import { getSource } from '../../src/sources/registry.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/appstore/${name}`, import.meta.url), 'utf8')
const us = { country: 'us', appId: '1234567890' }

describe('parseAppStore (JSON)', () => {
  const read = readAppStore(fixture('reviews-page1.json'), us)

  it('skips the app-metadata entry and maps a review: id, review page, title, plain text, nickname, stars, helpful votes', () => {
    expect(read.reviews).toBe(3)
    expect(read.drafts[0]).toEqual({
      externalId: '11223344556',
      url: 'https://apps.apple.com/us/app/id1234567890?see-all=reviews',
      title: 'Finally syncs',
      text: 'Sync works across my iPad and phone now. Great update!',
      author: { handle: 'notes_fan', name: 'notes_fan' },
      createdAt: Date.parse('2026-11-29T21:05:00Z'),
      rating: 5,
      metrics: { likes: 3 },
    })
    expect(read.drafts.map((d) => d.rating)).toEqual([5, 1, 4])
    expect(read.drafts[2]?.text).toBe('Nice app & fast, but the widget is blank.\nPlease fix.')
    // The storefront is not a language.
    expect(read.drafts.every((d) => d.lang === undefined)).toBe(true)
    expect(read.lastPage).toBe(1)
  })

  it('gives the same drafts from the XML form (its html content left aside)', () => {
    expect(parseAppStore(fixture('reviews-page1.xml'), us)).toEqual(read.drafts)
  })

  it('keeps no review without a date: counted as undated, never dated at first sight', () => {
    expect(readAppStore(fixture('reviews-undated.json'), us)).toMatchObject({ drafts: [], reviews: 2, undated: 2, skipped: 0 })
  })

  it('reads a page whose single entry is an object, and an empty storefront', () => {
    const single = parseAppStore(fixture('reviews-single.json'), { country: 'gb', appId: '1234567890' })
    expect(single).toHaveLength(1)
    expect(single[0]).toMatchObject({ externalId: '22334455667', rating: 2, url: 'https://apps.apple.com/gb/app/id1234567890?see-all=reviews' })
    expect(readAppStore(fixture('reviews-empty.json'), us)).toMatchObject({ drafts: [], reviews: 0 })
  })

  it('drops an odd field, not the review; an entry without an id is skipped and counted', () => {
    const body = JSON.parse(fixture('reviews-page1.json')) as { feed: { entry: Record<string, unknown>[] } }
    const [meta, first, second] = body.feed.entry
    body.feed.entry = [meta as Record<string, unknown>, { ...first, 'im:rating': { label: 'seven' }, title: 42 }, { ...second, id: undefined }]
    const r = readAppStore(body, us)
    expect(r.skipped).toBe(1)
    expect(r.drafts).toHaveLength(1)
    expect(r.drafts[0]?.rating).toBeUndefined()
    expect(r.drafts[0]?.title).toBeUndefined()
  })

  it('names the problem for a body that is not the feed', () => {
    expect(() => readAppStore('<html><body>Service Unavailable</body></html>', us)).toThrow(SourceResponseError)
    expect(() => readAppStore('{"feed":', us)).toThrow(/not JSON/)
    expect(() => readAppStore({ results: [] }, us)).toThrow(/"feed"/)
    expect(() => readAppStore({ feed: { entry: 'nope' } }, us)).toThrow(/"feed\.entry"/)
    expect(() => readAppStore('<html><body>oops</body></html>', us)).toThrow(/Atom <feed>/)
    const cut = fixture('reviews-page1.xml').slice(0, 2000)
    expect(() => readAppStore(cut, us)).toThrow(/closing <\/feed>/)
  })
})

describe('appstore URLs, options and declaration', () => {
  it('builds the documented feed URL, its alternate forms and the lookup', () => {
    expect(reviewsUrl('https://itunes.apple.com', 'us', '42', 3, 'json').href).toBe('https://itunes.apple.com/us/rss/customerreviews/page=3/id=42/sortby=mostrecent/json')
    expect(reviewsUrl('https://itunes.apple.com', 'jp', '42', 1, 'xml', 1).href).toBe('https://itunes.apple.com/jp/rss/customerreviews/id=42/sortBy=mostRecent/page=1/xml')
    expect(reviewsUrl('https://itunes.apple.com', 'jp', '42', 1, 'json', 2).href).toBe('https://itunes.apple.com/jp/rss/customerreviews/page=1/id=42/sortBy=mostRecent/json')
    expect(reviewsUrl('https://itunes.apple.com', 'jp', '42', 1, 'json', 3).href).toBe('https://itunes.apple.com/jp/rss/customerreviews/page=1/id=42/json')
    expect(lookupUrl('https://itunes.apple.com', 'de', '42').href).toBe('https://itunes.apple.com/lookup?id=42&country=de')
    expect(parseLookup(fixture('lookup.json'))).toBe(1532)
    expect(parseLookup(fixture('lookup-none.json'))).toBeUndefined()
  })

  it('has defaults, requires a numeric appId and caps maxPages at Apple’s 10', () => {
    expect(appStoreOptions.parse({ appId: '1234567890' })).toEqual({ appId: '1234567890', countries: ['us'], baseUrl: 'https://itunes.apple.com', maxPages: 10, format: 'json' })
    expect(appStoreOptions.parse({ appId: 1234567890, countries: ['GB', 'gb', 'de'] })).toMatchObject({ appId: '1234567890', countries: ['gb', 'de'] })
    expect(appStoreOptions.safeParse({}).success).toBe(false)
    expect(appStoreOptions.safeParse({ appId: 'com.acme.notes' }).success).toBe(false)
    expect(appStoreOptions.safeParse({ appId: '1', maxPages: 11 }).success).toBe(false)
    expect(appStoreOptions.safeParse({ appId: '1', countries: ['usa'] }).success).toBe(false)
  })

  it('is registered: feed scope, no credential, replies none, the 500-review cap in limits', () => {
    expect(getSource('appstore')).toBe(appStoreSource)
    expect(appStoreSource).toMatchObject({ scope: 'feed', requires: [], replies: 'none' })
    expect(appStoreSource.limits).toMatch(/at most 500 most recent reviews per country \(10 pages\)/)
    expect(appStoreSource.limits).toMatch(/answered is unknown/)
    expect(appStoreSource.instanceKey(appStoreOptions.parse({ appId: '42', countries: ['us', 'gb'] }))).toBe('https://itunes.apple.com id42')
  })
})

// ---------------------------------------------------------------------------------------
// A fake App Store on 127.0.0.1 that serves the feed in the real shapes.

const NOW = Date.parse('2026-11-30T12:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR
const APP = '1234567890'

interface FakeReview {
  id: string
  t: number
  rating: number
  text: string
}

interface FakeAppStore {
  url: string
  reviews: Record<string, FakeReview[]>
  /** Request paths (with query), in order. */
  paths: string[]
  /** Which forms carry dates. */
  dates: 'both' | 'xml' | 'none'
  /** URL forms (0–3) that answer with an empty feed. */
  emptyForms: Set<number>
  /** Serve reviews in this order instead of newest first (the unsorted form). */
  shuffle?: (list: FakeReview[]) => FakeReview[]
  ratingCount: number
  answers: { status: number; headers?: Record<string, string>; body: string }[]
}

const FORM_PATTERNS: [RegExp, number][] = [
  [/^page=(\d+)\/id=(\d+)\/sortby=mostrecent$/, 0],
  [/^id=(\d+)\/sortBy=mostRecent\/page=(\d+)$/, 1],
  [/^page=(\d+)\/id=(\d+)\/sortBy=mostRecent$/, 2],
  [/^page=(\d+)\/id=(\d+)$/, 3],
]

const isoOffset = (t: number) => new Date(t - 7 * HOUR).toISOString().replace(/\.\d{3}Z$/, '-07:00')

function jsonEntry(r: FakeReview, cc: string, dated: boolean): object {
  return {
    author: { uri: { label: `https://itunes.apple.com/${cc}/reviews/id${r.id}0` }, name: { label: `user${r.id}` }, label: '' },
    ...(dated ? { updated: { label: isoOffset(r.t) } } : {}),
    'im:version': { label: '4.2.0' },
    'im:rating': { label: String(r.rating) },
    id: { label: r.id },
    title: { label: `Review ${r.id}` },
    content: { label: r.text, attributes: { type: 'text' } },
    link: { attributes: { rel: 'related', href: `https://itunes.apple.com/${cc}/review?id=${APP}&type=Purple%20Software` } },
    'im:voteSum': { label: '0' },
    'im:contentType': { attributes: { term: 'Application', label: 'Application' } },
    'im:voteCount': { label: '0' },
  }
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

function xmlEntry(r: FakeReview, cc: string, dated: boolean): string {
  return `<entry>${dated ? `<updated>${isoOffset(r.t)}</updated>` : ''}<id>${r.id}</id><title>Review ${r.id}</title><content type="text">${esc(r.text)}</content><im:contentType term="Application" label="Application"/><im:voteSum>0</im:voteSum><im:voteCount>0</im:voteCount><im:rating>${r.rating}</im:rating><im:version>4.2.0</im:version><author><name>user${r.id}</name><uri>https://itunes.apple.com/${cc}/reviews/id${r.id}0</uri></author><link rel="related" href="https://itunes.apple.com/${cc}/review?id=${APP}&amp;type=Purple%20Software"/><content type="html">&lt;b&gt;${esc(esc(r.text))}&lt;/b&gt;</content></entry>`
}

const META_ENTRY = JSON.parse(fixture('reviews-page1.json')).feed.entry[0] as object

const open: { close(): Promise<void> }[] = []
let deps: TestDeps | undefined
afterEach(async () => {
  await deps?.close()
  deps = undefined
  while (open.length > 0) await open.pop()?.close()
})

async function startAppStore(reviews: Record<string, FakeReview[]>): Promise<FakeAppStore> {
  const fake: FakeAppStore = { url: '', reviews, paths: [], dates: 'both', emptyForms: new Set(), ratingCount: 0, answers: [] }
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x')
    fake.paths.push(decodeURIComponent(u.pathname) + u.search)
    const answer = fake.answers.shift()
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
      res.end(answer.body)
      return
    }
    if (u.pathname === '/lookup') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
      res.end(JSON.stringify({ resultCount: 1, results: [{ trackId: Number(APP), userRatingCount: fake.ratingCount }] }))
      return
    }
    const m = /^\/([a-z]{2})\/rss\/customerreviews\/(.+)\/(json|xml)$/.exec(decodeURIComponent(u.pathname))
    const form = m ? FORM_PATTERNS.find(([re]) => re.test(m[2] ?? '')) : undefined
    if (!m || !form) {
      res.writeHead(404)
      res.end()
      return
    }
    const [cc, , format] = [m[1] as string, m[2], m[3]]
    const nums = (form[0].exec(m[2] as string) as RegExpExecArray).slice(1).map(Number)
    const page = form[1] === 1 ? (nums[1] as number) : (nums[0] as number)
    const sorted = [...(fake.reviews[cc] ?? [])].sort((a, b) => b.t - a.t)
    const all = form[1] === 3 && fake.shuffle ? fake.shuffle(sorted) : sorted
    const empty = fake.emptyForms.has(form[1]) || page > 10
    const slice = empty ? [] : all.slice((page - 1) * 50, page * 50)
    const last = Math.max(1, Math.min(10, Math.ceil(all.length / 50)))
    const lastHref = `https://itunes.apple.com/${cc}/rss/customerreviews/page=${last}/id=${APP}/sortby=mostrecent/${format}?urlDesc=/customerreviews/id=${APP}/sortBy=mostRecent/${format}`
    if (format === 'json') {
      const dated = fake.dates === 'both'
      const entries = slice.map((r) => jsonEntry(r, cc, dated))
      if (page === 1 && entries.length > 0) entries.unshift(META_ENTRY)
      const feed: Record<string, unknown> = { author: { name: { label: 'iTunes Store' } }, updated: { label: isoOffset(NOW) }, link: [{ attributes: { rel: 'last', href: lastHref } }], id: { label: 'x' } }
      if (entries.length > 0) feed['entry'] = entries.length === 1 ? entries[0] : entries
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
      res.end(JSON.stringify({ feed }))
    } else {
      const dated = fake.dates !== 'none'
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' })
      res.end(
        `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns:im="http://itunes.apple.com/rss" xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><id>x</id><title>iTunes Store: Customer Reviews</title><link rel="last" href="${esc(lastHref)}"/>${slice.map((r) => xmlEntry(r, cc, dated)).join('\n')}</feed>`,
      )
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  open.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) })
  return fake
}

/** n reviews, one every `step` ms going back from `newest`; ids count down so newer is larger. */
function reviewsEvery(n: number, step: number, opts: { newest?: number; prefix?: number } = {}): FakeReview[] {
  const newest = opts.newest ?? NOW - HOUR
  const prefix = opts.prefix ?? 5_000_000
  return Array.from({ length: n }, (_, i) => ({ id: String(prefix + n - i), t: newest - i * step, rating: 5, text: 'Works fine.' }))
}

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }
const globex: Brand = { ...acme, name: 'Globex', terms: ['globex'] }

function setup(fake: FakeAppStore, options: Record<string, unknown> = {}, brands: Brand[] = [acme], dbFile = path.join(tempDir(), 'm.db')): TestDeps {
  deps = testDeps({
    dbFile,
    now: () => NOW,
    config: { brands, sources: [{ kind: 'appstore', options: { appId: APP, baseUrl: fake.url, ...options } }] },
  })
  return deps
}

const feedPaths = (f: FakeAppStore) => f.paths.filter((p) => p.includes('/customerreviews/'))
const pageOf = (p: string) => Number(/page=(\d+)/.exec(p)?.[1])
const storedIds = async (d: TestDeps) => (await listQueue(d, { queue: 'all' })).map((m) => m.externalId)
const cursorOf = async (d: TestDeps) => (await d.store().cursors.all())[0]?.cursor

describe('appstore search() through pull', () => {
  it('stores reviews under the app’s brand with their stars; a 1-star review is negative; answered is unknown', async () => {
    const fake = await startAppStore({
      us: [
        { id: '901', t: NOW - HOUR, rating: 1, text: 'After the update every note is gone. I want a refund.' },
        { id: '900', t: NOW - 2 * HOUR, rating: 5, text: 'Lovely, does what it says.' },
      ],
    })
    const d = setup(fake)
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(feedPaths(fake)).toEqual([`/us/rss/customerreviews/page=1/id=${APP}/sortby=mostrecent/json`])
    const all = await listQueue(d, { queue: 'all' })
    // Neither text names the brand: where it was found makes it Acme's.
    expect(all.map((m) => [m.externalId, m.brands, m.rating, m.answered])).toEqual([
      ['901', ['Acme'], 1, null],
      ['900', ['Acme'], 5, null],
    ])
    expect(all[0]).toMatchObject({ url: `https://apps.apple.com/us/app/id${APP}?see-all=reviews`, createdAt: NOW - HOUR })
    expect((await listQueue(d, { queue: 'negative' })).map((m) => m.externalId)).toEqual(['901'])
  })

  it('needs "brand" when more than one brand is ours, and takes it when given', async () => {
    const fake = await startAppStore({ us: [{ id: '1', t: NOW - HOUR, rating: 3, text: 'ok' }] })
    const failed = await pull(setup(fake, {}, [acme, globex]))
    expect(failed.status).toBe('failed')
    expect(failed.sources[0]?.error).toMatch(/set "brand" on this appstore entry/)
    await deps?.close()
    const d = setup(fake, { brand: 'globex' }, [acme, globex])
    expect((await pull(d)).status).toBe('ok')
    expect((await listQueue(d, { queue: 'all' }))[0]?.brands).toEqual(['Globex'])
  })

  it('pages at most 10 deep, and warns that reviews past Apple’s 500 cannot reach --since', async () => {
    // 600 reviews, one every 10 minutes: page 10 ends about 3.5 days back.
    const fake = await startAppStore({ us: reviewsEvery(600, 10 * 60_000) })
    const d = setup(fake)
    const result = await pull(d, { since: NOW - 7 * DAY })
    expect(result.status).toBe('ok')
    expect(feedPaths(fake).map(pageOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(await storedIds(d)).toHaveLength(500)
    expect(d.warnings.some((w) => /^appstore: us: Apple serves only the 500 most recent reviews; those before \S+ cannot be read \(this pull asked back to \S+\)$/.test(w))).toBe(true)
    // Nothing is owed that no pull could read; the cursor claims only what was read.
    const cursor = await cursorOf(d)
    expect(cursor?.gap).toBeUndefined()
    expect(cursor?.parts?.['us']).toMatchObject({ at: NOW - HOUR, oldest: NOW - HOUR - 499 * 10 * 60_000 })
  })

  it('owes what maxPages left unread, and the next pull reads it', async () => {
    const fake = await startAppStore({ us: reviewsEvery(200, HOUR) })
    const db = path.join(tempDir(), 'm.db')
    const d = setup(fake, { maxPages: 2 }, [acme], db)
    await pull(d, { since: NOW - 7 * DAY })
    expect(feedPaths(fake).map(pageOf)).toEqual([1, 2])
    expect(await storedIds(d)).toHaveLength(100)
    expect(d.warnings).toContain('appstore: us: stopped after 2 page(s) (maxPages); the rest is fetched next pull')
    expect((await cursorOf(d))?.parts?.['us']?.gap).toBeDefined()
    await d.close()

    fake.paths.length = 0
    const next = setup(fake, {}, [acme], db)
    await pull(next, { since: NOW - 7 * DAY })
    // From the top down through the owed stretch, until a page passes --since.
    expect(feedPaths(fake).map(pageOf)).toEqual([1, 2, 3, 4])
    expect(await storedIds(next)).toHaveLength(168)
    expect((await cursorOf(next))?.parts?.['us']?.gap).toBeUndefined()
  })

  it('resumes from the cursor: the second pull reads page 1 only and stores what is new', async () => {
    const fake = await startAppStore({ us: reviewsEvery(120, HOUR) })
    const d = setup(fake)
    await pull(d, { since: NOW - 7 * DAY })
    expect(feedPaths(fake).map(pageOf)).toEqual([1, 2, 3])
    expect(await storedIds(d)).toHaveLength(120)

    fake.reviews['us']?.push({ id: '9000001', t: NOW - 0.5 * HOUR, rating: 2, text: 'Slow today.' }, { id: '9000002', t: NOW - 0.25 * HOUR, rating: 4, text: 'Fixed.' })
    fake.paths.length = 0
    const second = await pull(d, { since: NOW - 7 * DAY })
    // Page 1 holds 50 hours of reviews: far below the resume point less the day of overlap.
    expect(50 * HOUR).toBeGreaterThan(APPSTORE_OVERLAP_MS)
    expect(feedPaths(fake).map(pageOf)).toEqual([1])
    expect(second.sources[0]).toMatchObject({ new: 2 })
    expect(await storedIds(d)).toHaveLength(122)
  })

  it('backfills an older --since by reading further down the same feed', async () => {
    const fake = await startAppStore({ us: reviewsEvery(120, HOUR) })
    const d = setup(fake)
    await pull(d, { since: NOW - DAY })
    expect(feedPaths(fake).map(pageOf)).toEqual([1])
    expect(await storedIds(d)).toHaveLength(24)

    fake.paths.length = 0
    const second = await pull(d, { since: NOW - 4 * DAY })
    expect(feedPaths(fake).map(pageOf)).toEqual([1, 2])
    expect(second.sources[0]).toMatchObject({ new: 96 - 24 })
    expect((await cursorOf(d))?.parts?.['us']).toMatchObject({ oldest: NOW - 4 * DAY })
  })

  it('keeps one cursor part per country', async () => {
    const fake = await startAppStore({ us: reviewsEvery(3, HOUR), gb: reviewsEvery(1, HOUR, { prefix: 7_000_000, newest: NOW - 3 * HOUR }) })
    const d = setup(fake, { countries: ['us', 'gb'] })
    await pull(d)
    expect(feedPaths(fake).map((p) => p.slice(0, 3))).toEqual(['/us', '/gb'])
    expect(await storedIds(d)).toHaveLength(4)
    const cursor = await cursorOf(d)
    expect(cursor?.parts?.['us']?.at).toBe(NOW - HOUR)
    expect(cursor?.parts?.['gb']?.at).toBe(NOW - 3 * HOUR)
    // A single gb review comes as an object, not a list, and is stored all the same.
    expect((await listQueue(d, { queue: 'all' })).find((m) => m.externalId === '7000001')?.url).toBe(`https://apps.apple.com/gb/app/id${APP}?see-all=reviews`)
  })

  it('reads JSON pages without dates again as XML, and stays on XML', async () => {
    const fake = await startAppStore({ us: reviewsEvery(80, HOUR) })
    fake.dates = 'xml'
    const d = setup(fake)
    await pull(d, { since: NOW - 7 * DAY })
    expect(feedPaths(fake).map((p) => `${pageOf(p)}${p.slice(-4)}`)).toEqual(['1json', '1/xml', '2/xml'])
    const all = await listQueue(d, { queue: 'all' })
    expect(all).toHaveLength(80)
    expect(all.find((m) => m.externalId === '5000080')?.createdAt).toBe(NOW - HOUR)
  })

  it('skips, with a warning, reviews that carry no date in any form', async () => {
    const fake = await startAppStore({ us: reviewsEvery(3, HOUR) })
    fake.dates = 'none'
    const d = setup(fake)
    await pull(d)
    expect(await storedIds(d)).toEqual([])
    expect(d.warnings).toContain('appstore: us: skipped 3 review(s) without a date (they cannot be placed in a window)')
  })

  it('tries the alternate URL forms when page 1 of the default one is empty, then keeps the form that answered', async () => {
    const fake = await startAppStore({ us: reviewsEvery(70, HOUR) })
    fake.emptyForms = new Set([0])
    const d = setup(fake)
    await pull(d, { since: NOW - 7 * DAY })
    expect(feedPaths(fake)).toEqual([
      `/us/rss/customerreviews/page=1/id=${APP}/sortby=mostrecent/json`,
      `/us/rss/customerreviews/id=${APP}/sortBy=mostRecent/page=1/json`,
      `/us/rss/customerreviews/id=${APP}/sortBy=mostRecent/page=2/json`,
    ])
    expect(await storedIds(d)).toHaveLength(70)
    expect(d.warnings).toEqual([])
  })

  it('warns when every form is empty for an app Apple says has ratings, and claims nothing', async () => {
    const fake = await startAppStore({ us: reviewsEvery(5, HOUR) })
    fake.emptyForms = new Set([0, 1, 2, 3])
    fake.ratingCount = 1532
    const d = setup(fake)
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(feedPaths(fake)).toHaveLength(4)
    expect(fake.paths.filter((p) => p.startsWith('/lookup'))).toEqual([`/lookup?id=${APP}&country=us`])
    expect(d.warnings).toEqual([`appstore: us: Apple's review feed for app ${APP} came back empty in all 4 URL forms, though Apple's lookup counts 1532 rating(s) there; nothing was read`])
    expect((await cursorOf(d))?.parts?.['us']).toBeUndefined()
  })

  it('says nothing for an app without ratings, and warns without a lookup when earlier pulls stored reviews', async () => {
    const fake = await startAppStore({ us: [] })
    const d = setup(fake)
    await pull(d)
    expect(d.warnings).toEqual([])
    expect(fake.paths.filter((p) => p.startsWith('/lookup'))).toHaveLength(1)

    fake.reviews['us'] = reviewsEvery(2, HOUR)
    await pull(d)
    expect(await storedIds(d)).toHaveLength(2)
    fake.emptyForms = new Set([0, 1, 2, 3])
    fake.paths.length = 0
    await pull(d)
    expect(fake.paths.filter((p) => p.startsWith('/lookup'))).toEqual([])
    expect(d.warnings).toEqual([`appstore: us: Apple's review feed for app ${APP} came back empty in all 4 URL forms, though earlier pulls stored reviews from it; nothing new was read`])
  })

  it('reads the unsorted form to its end before trusting it, and claims nothing when cut short', async () => {
    const fake = await startAppStore({ us: reviewsEvery(80, HOUR) })
    fake.emptyForms = new Set([0, 1, 2])
    // Oldest first: a walk that stopped at the cursor would miss everything new.
    fake.shuffle = (list) => [...list].reverse()
    const cut = setup(fake, { maxPages: 1 })
    await pull(cut, { since: NOW - 7 * DAY })
    expect(await storedIds(cut)).toHaveLength(50)
    expect(cut.warnings).toContain('appstore: us: the feed did not list reviews newest first; what was read is stored, and the same window is read again next pull')
    expect((await cursorOf(cut))?.parts?.['us']).toBeUndefined()
    await cut.close()

    const whole = setup(fake)
    await pull(whole, { since: NOW - 7 * DAY })
    expect(await storedIds(whole)).toHaveLength(80)
    expect((await cursorOf(whole))?.parts?.['us']?.at).toBe(NOW - HOUR)
  })

  it('retries a 429 after Retry-After, and fails with the retry time when it persists', async () => {
    const fake = await startAppStore({ us: reviewsEvery(2, HOUR) })
    fake.answers.push({ status: 429, headers: { 'retry-after': '1' }, body: 'Too Many Requests' })
    const d = setup(fake)
    expect((await pull(d)).status).toBe('ok')
    expect(await storedIds(d)).toHaveLength(2)

    for (let i = 0; i < 10; i++) fake.answers.push({ status: 429, headers: { 'retry-after': '3600' }, body: 'Too Many Requests' })
    const limited = await pull(d)
    expect(limited.status).toBe('failed')
    expect(limited.sources[0]?.error).toMatch(/HTTP 429 .*rate limited: retry after /)
  })

  it('fails clearly on a body that is not the feed', async () => {
    const fake = await startAppStore({ us: [] })
    fake.answers.push({ status: 200, body: '<html><body>Service Unavailable</body></html>' })
    const result = await pull(setup(fake))
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/expected an Atom <feed> of customer reviews/)
  })
})
