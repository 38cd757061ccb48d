import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { Brand, Cursor, MentionDraft } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import { startReplayServer, type ReplayRoute, type ReplayServer } from '../../src/net/replay.js'
import {
  hackerNewsOptions,
  hackerNewsQueries,
  hackerNewsSource,
  parseHackerNews,
  parseHackerNewsPage,
  searchByDateUrl,
} from '../../src/sources/hackernews.js'
import { SourceResponseError, type Page, type SourceQuery } from '../../src/sources/types.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/hackernews/${name}`, import.meta.url), 'utf8')

const P0 = fixture('search_by_date_globex_p0.json')
const P1 = fixture('search_by_date_globex_p1.json')
const OLD = fixture('search_by_date_old_format_2020.json')
const SEARCH = '/api/v1/search_by_date'
/** created_at_i of the fixtures' newest and oldest hits on page 0 (T0 - 60, T0 - 7200). */
const T0 = 1747224000
const P0_NEWEST_MS = (T0 - 60) * 1000
const P0_OLDEST_MS = (T0 - 7200) * 1000
const P1_OLDEST_MS = (T0 - 26000) * 1000

const globex: Brand = { name: 'Globex', terms: ['globex'], exclude: [], require: [], languages: [], competitor: false, handles: {} }

describe('parseHackerNews (2023+ format)', () => {
  const drafts = parseHackerNews(P0)

  it('maps a comment: text from comment_text, story title as context, parent and thread ids', () => {
    const c = drafts.find((d) => d.externalId === '43981234')
    expect(c).toEqual({
      externalId: '43981234',
      url: 'https://news.ycombinator.com/item?id=43981234',
      title: 'Globex raises Series C to build a "boring" observability stack',
      text:
        'We ran Globex for about a year. The agent is lightweight, but the query language takes getting used to.\n\n' +
        "The thing I didn't expect: their docs at https://docs.globex.example/agent are actually good & current.\n\n" +
        'Would use again.',
      author: { handle: 'mkrause' },
      createdAt: P0_NEWEST_MS,
      parentExternalId: '43980777',
      threadExternalId: '43979001',
    })
  })

  it('maps an Ask HN story: title, story_text as text, score and replies', () => {
    const s = drafts.find((d) => d.externalId === '43980555')
    expect(s?.title).toBe('Ask HN: Anyone migrated off Globex after the pricing change?')
    expect(s?.text).toBe(
      `Our bill went from $400 to $1,900/month with no change in volume. Support says it's "working as intended".\n\n` +
        'Has anyone moved to something self-hosted? What did you lose?',
    )
    expect(s?.metrics).toEqual({ likes: 14, score: 14, replies: 9 })
    expect(s?.canonicalUrl).toBeUndefined()
    expect(s?.parentExternalId).toBeUndefined()
  })

  it('maps a url-only story: empty text, canonicalUrl = the story url', () => {
    const s = drafts.find((d) => d.externalId === '43979001')
    expect(s?.text).toBe('')
    expect(s?.title).toBe('Globex raises Series C to build a "boring" observability stack')
    expect(s?.canonicalUrl).toBe('https://techcrunch.example/2025/05/13/globex-series-c/')
    expect(s?.url).toBe('https://news.ycombinator.com/item?id=43979001')
  })

  it('never stores _highlightResult markup', () => {
    for (const d of drafts) {
      expect(d.text).not.toContain('<em>')
      expect(d.title ?? '').not.toContain('<em>')
    }
  })

  it('reports paging fields', () => {
    const page = parseHackerNewsPage(P0)
    expect(page).toMatchObject({ page: 0, nbPages: 2, nbHits: 5, hitCount: 3, skipped: 0 })
  })

  it('lists the hits that have replies: stories with num_comments, comments with children', () => {
    expect(parseHackerNewsPage(P0).withReplies).toEqual(['43980555', '43979001'])
    const page = parseHackerNewsPage({
      hits: [
        { objectID: '7', created_at_i: 1700000000, _tags: ['comment'], comment_text: 'x', children: [8, 9] },
        { objectID: '8', created_at_i: 1700000000, _tags: ['comment'], comment_text: 'y', children: [] },
        { objectID: '9', created_at_i: 1700000000, title: 'z', num_comments: 0 },
        { objectID: '10', created_at_i: 1700000000, title: 'w', num_comments: 'lots', children: 'no' },
      ],
    })
    expect(page.withReplies).toEqual(['7'])
    expect(page.drafts).toHaveLength(4)
  })
})

describe('parseHackerNews (pre-2023 format)', () => {
  const drafts = parseHackerNews(JSON.parse(OLD))

  it('reads explicit nulls: a comment has no score (points null) and no canonicalUrl', () => {
    const c = drafts.find((d) => d.externalId === '24967355')
    expect(c?.metrics).toBeUndefined()
    expect(c?.text).toBe(
      "Initech's TPS tooling is the reason half of us learned to write cover sheets in our sleep.\n\nIt works, it's just <i>not</i> pleasant.",
    )
    expect(c?.parentExternalId).toBe('24967001')
    expect(c?.createdAt).toBe(1604308491000)
  })

  it('falls back to created_at when created_at_i is missing', () => {
    const s = drafts.find((d) => d.externalId === '24962218')
    expect(s?.createdAt).toBe(Date.parse('2020-11-01T22:45:00.000Z'))
    expect(s?.text).toBe('Getting a 502 on every page since this morning. Their status page says "All systems operational".')
  })

  it('reads a story with points and num_comments', () => {
    const s = drafts.find((d) => d.externalId === '24967001')
    expect(s?.metrics).toEqual({ likes: 57, score: 57, replies: 23 })
    expect(s?.canonicalUrl).toBe('https://initech.example/blog/tps-open-source')
  })
})

describe('parseHackerNews defensively', () => {
  it('skips hits without an id or a time, and ignores fields of the wrong type', () => {
    const page = parseHackerNewsPage({
      hits: [
        { created_at_i: 1700000000, title: 'no id' },
        { objectID: '1', title: 'no time' },
        { objectID: '2', created_at_i: 1700000000, title: 'odd fields', points: 'many', author: 7, _tags: 'story' },
        { objectID: 3, created_at: '2023-11-14T22:13:20Z', comment_text: null, _tags: ['comment'] },
      ],
    })
    expect(page.skipped).toBe(2)
    expect(page.drafts.map((d) => d.externalId)).toEqual(['2', '3'])
    expect(page.drafts[0]).toMatchObject({ title: 'odd fields', text: '' })
    expect(page.drafts[0]?.author).toBeUndefined()
    expect(page.drafts[0]?.metrics).toBeUndefined()
    expect(page.drafts[1]).toMatchObject({ text: '', createdAt: 1700000000000 })
  })

  it('throws SourceResponseError for a body that is not JSON', () => {
    expect(() => parseHackerNews('<html>502 Bad Gateway</html>', 'https://hn.example/x')).toThrow(SourceResponseError)
    expect(() => parseHackerNews('<html>502 Bad Gateway</html>')).toThrow(/not JSON/)
  })

  it('throws SourceResponseError for JSON of the wrong shape', () => {
    expect(() => parseHackerNews({ message: 'Invalid value for numericFilters', status: 400 })).toThrow(
      SourceResponseError,
    )
    expect(() => parseHackerNews({ hits: 'nope' })).toThrow(/hits/)
    expect(() => parseHackerNews(null)).toThrow(SourceResponseError)
  })
})

describe('hackerNewsQueries', () => {
  it('sends a quoted phrase as its words', () => {
    expect(hackerNewsQueries(['"Acme Cloud"'])).toEqual(['acme cloud'])
  })

  it('drops a query whose hits are a subset of another query (and duplicates)', () => {
    expect(hackerNewsQueries(['acme', '"acme cloud"', 'ACME', 'initech'])).toEqual(['acme', 'initech'])
    expect(hackerNewsQueries(['"acme cloud"', '"cloud acme"'])).toEqual(['acme cloud'])
  })

  it('ignores empty terms', () => {
    expect(hackerNewsQueries(['  ', '""'])).toEqual([])
  })
})

describe('searchByDateUrl', () => {
  it('builds the search_by_date URL with seconds in numericFilters', () => {
    const url = searchByDateUrl('https://hn.algolia.com', {
      query: 'acme cloud',
      tags: '(story,comment)',
      hitsPerPage: 100,
      page: 2,
      from: 1_700_000_000_999,
      to: 1_700_000_500_001,
    })
    expect(url.origin + url.pathname).toBe('https://hn.algolia.com/api/v1/search_by_date')
    expect(url.searchParams.get('query')).toBe('acme cloud')
    expect(url.searchParams.get('numericFilters')).toBe('created_at_i>=1700000000,created_at_i<=1700000501')
    expect(url.searchParams.get('page')).toBe('2')
  })

  it('keeps a path prefix of baseUrl (proxies)', () => {
    const url = searchByDateUrl('http://127.0.0.1:9/hn/', { query: 'a', tags: 'story', hitsPerPage: 1, page: 0, from: 0 })
    expect(url.pathname).toBe('/hn/api/v1/search_by_date')
  })
})

describe('hackerNewsOptions', () => {
  it('applies the documented defaults', () => {
    expect(hackerNewsOptions.parse({})).toEqual({
      baseUrl: 'https://hn.algolia.com',
      maxPages: 5,
      hitsPerPage: 100,
      tags: '(story,comment)',
      threadLookups: 20,
    })
  })

  it('rejects out-of-range values', () => {
    expect(hackerNewsOptions.safeParse({ maxPages: 0 }).success).toBe(false)
    expect(hackerNewsOptions.safeParse({ hitsPerPage: 1001 }).success).toBe(false)
    expect(hackerNewsOptions.safeParse({ baseUrl: 'not a url' }).success).toBe(false)
    expect(hackerNewsOptions.safeParse({ threadLookups: -1 }).success).toBe(false)
    expect(hackerNewsOptions.safeParse({ threadLookups: 0 }).success).toBe(true)
  })

  it('names the instance by its baseUrl and needs no credentials', () => {
    expect(hackerNewsSource.instanceKey(hackerNewsOptions.parse({}))).toBe('https://hn.algolia.com')
    expect(hackerNewsSource.requires).toEqual([])
    expect(hackerNewsSource.scope).toBe('brand')
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
  q: Omit<SourceQuery, 'maxPages' | 'since'> & Partial<Pick<SourceQuery, 'maxPages' | 'since'>>,
  options: Record<string, unknown> = {},
): Promise<{ pages: Page[]; server: ReplayServer; warnings: string[] }> {
  const server = await startReplayServer(routes)
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => server.close(), () => http.close())
  const warnings: string[] = []
  const ctx = {
    http,
    options: hackerNewsOptions.parse({ baseUrl: server.url, hitsPerPage: 3, ...options }),
    env: {},
    now: () => T0 * 1000,
    warn: (m: string) => void warnings.push(m),
  }
  const pages: Page[] = []
  for await (const page of hackerNewsSource.search(ctx, { maxPages: 10, since: 1_747_000_000_000, ...q })) {
    pages.push(page)
  }
  return { pages, server, warnings }
}

const twoPages: ReplayRoute[] = [
  { path: SEARCH, query: { page: '0' }, body: P0 },
  { path: SEARCH, query: { page: '1' }, body: P1 },
]

/** A 2023+ page with `n` comment hits, newest first, from `newestS` down one minute apart. */
function syntheticPage(opts: { n: number; newestS: number; firstId: number; page: number; nbPages: number; nbHits: number }): string {
  const hits = Array.from({ length: opts.n }, (_, i) => ({
    _tags: ['comment'],
    author: `user${i}`,
    comment_text: `Globex comment ${opts.firstId + i}`,
    created_at_i: opts.newestS - i * 60,
    objectID: String(opts.firstId + i),
    parent_id: 1,
    story_id: 1,
    story_title: 'Globex thread',
  }))
  return JSON.stringify({ hits, page: opts.page, nbPages: opts.nbPages, nbHits: opts.nbHits, hitsPerPage: 500 })
}

describe('hackernews search()', () => {
  it('walks both pages, stops at nbPages, and gives every page the newest created_at of the pull', async () => {
    const { pages, server } = await run(twoPages, { brand: globex })
    expect(server.requests).toHaveLength(2)
    expect(server.requests.map((r) => r.query.page)).toEqual(['0', '1'])
    for (const r of server.requests) {
      expect(r.path).toBe(SEARCH)
      expect(r.query).toMatchObject({
        query: 'globex',
        tags: '(story,comment)',
        hitsPerPage: '3',
        numericFilters: 'created_at_i>=1747000000',
      })
    }
    expect(pages).toHaveLength(2)
    expect(pages.map((p) => p.mentions.length)).toEqual([3, 2])
    // Each cursor is safe to commit as it stands: after page 0 the rest of the walk is owed.
    const afterP0 = { at: P0_NEWEST_MS, oldest: 1_747_000_000_000, gap: { from: 1_747_000_000_000, to: P0_OLDEST_MS } }
    const afterP1 = { at: P0_NEWEST_MS, oldest: 1_747_000_000_000 }
    expect(pages.map((p) => p.cursor)).toEqual([
      { ...afterP0, parts: { globex: afterP0 } },
      { ...afterP1, parts: { globex: afterP1 } },
    ])
  })

  it('resumes an hour below cursor.at (ms), as created_at_i>= seconds', async () => {
    const { server } = await run([{ path: SEARCH, body: P1.replace('"nbPages": 2', '"nbPages": 1') }], {
      brand: globex,
      cursor: { at: 1_747_200_123_456, oldest: 1_746_000_000_000 },
    })
    expect(server.requests.map((r) => r.query.numericFilters)).toEqual([`created_at_i>=${1_747_200_123 - 3600}`])
  })

  it('keeps the previous cursor.at when nothing newer is found', async () => {
    const empty = JSON.stringify({ hits: [], page: 0, nbPages: 0, nbHits: 0 })
    const cursor = { at: 1_747_300_000_000, oldest: 1_747_000_000_000 }
    const { pages } = await run([{ path: SEARCH, body: empty }], { brand: globex, cursor })
    expect(pages).toHaveLength(1)
    expect(pages[0]).toEqual({ mentions: [], cursor: { ...cursor, parts: { globex: cursor } } })
  })

  it('records the window it still owes as a gap when maxPages cuts the walk short', async () => {
    const since = 1_747_000_000_000
    const { pages, server, warnings } = await run(twoPages, { brand: globex, since, maxPages: 1 })
    expect(server.requests).toHaveLength(1)
    expect(pages).toHaveLength(1)
    expect(pages[0]?.cursor).toMatchObject({ at: P0_NEWEST_MS, oldest: since, gap: { from: since, to: P0_OLDEST_MS } })
    expect(pages[0]?.cursor.parts?.globex).toEqual({ at: P0_NEWEST_MS, oldest: since, gap: { from: since, to: P0_OLDEST_MS } })
    expect(warnings).toEqual(['stopped "globex" after 1 page(s); the rest is fetched next pull'])
  })

  it('honours the smaller of the query bound and the configured maxPages', async () => {
    const { server, pages } = await run(twoPages, { brand: globex, maxPages: 10 }, { maxPages: 1 })
    expect(server.requests).toHaveLength(1)
    expect(pages.at(-1)?.cursor.gap).toBeDefined()
  })

  it('fetches a recorded gap first, then the new window, and clears the gap when both finish', async () => {
    const gap = { from: 1_747_000_000_000, to: P0_NEWEST_MS }
    const previousAt = P0_NEWEST_MS + 60_000
    const gapFilter = `created_at_i>=1747000000,created_at_i<=${P0_NEWEST_MS / 1000}`
    const newFilter = `created_at_i>=${previousAt / 1000 - 3600}`
    const fresh = syntheticPage({ n: 1, newestS: T0 + 600, firstId: 43990000, page: 0, nbPages: 1, nbHits: 1 })
    const { pages, server } = await run(
      [
        { path: SEARCH, query: { numericFilters: gapFilter, page: '0' }, body: P0 },
        { path: SEARCH, query: { numericFilters: gapFilter, page: '1' }, body: P1 },
        { path: SEARCH, query: { numericFilters: newFilter }, body: fresh },
      ],
      { brand: globex, cursor: { at: previousAt, gap } },
    )
    expect(server.requests.map((r) => r.query.numericFilters)).toEqual([gapFilter, gapFilter, newFilter])
    // While the gap is being filled, the cursor still owes what is left of it. The old cursor
    // (no `oldest`) is read as covering its gap's start upwards: nothing to backfill here.
    const filling = { at: previousAt, oldest: gap.from, gap: { from: gap.from, to: P0_OLDEST_MS } }
    expect(pages[0]?.cursor).toEqual({ ...filling, parts: { globex: filling } })
    const done = { at: (T0 + 600) * 1000, oldest: gap.from }
    expect(pages.at(-1)?.cursor).toEqual({ ...done, parts: { globex: done } })
    expect(pages.flatMap((p) => p.mentions.map((m) => m.externalId))).toEqual([
      '43981234', '43980555', '43979001', '43977310', '43976002', '43990000',
    ])
  })

  it('shrinks the gap when the gap walk is itself cut short', async () => {
    const gap = { from: 1_747_000_000_000, to: P0_NEWEST_MS }
    const { pages } = await run(twoPages, { brand: globex, cursor: { at: P0_NEWEST_MS + 1000, gap }, maxPages: 1 })
    // Gap walk: page 0 only; its oldest hit bounds what is still owed. The new window
    // returned the same page (the server ignores filters), found nothing newer, so `at` holds.
    const last = pages.at(-1)
    expect(last?.cursor.gap).toEqual({ from: gap.from, to: P0_OLDEST_MS })
    expect(last?.cursor.at).toBe(P0_NEWEST_MS + 1000)
  })

  it('issues one query per distinct term and drops hits already seen in this pull', async () => {
    const brand: Brand = { name: 'Globex', terms: ['globex', '"globex agent"', 'initech'], exclude: [], require: [], languages: [], competitor: false, handles: {} }
    const onePage = P0.replace('"nbPages": 2', '"nbPages": 1')
    const { pages, server } = await run([{ path: SEARCH, body: onePage }], { brand })
    expect(server.requests.map((r) => r.query.query)).toEqual(['globex', 'initech'])
    expect(pages.map((p) => p.mentions.length)).toEqual([3, 0])
  })

  it('slices below the oldest hit when paging would pass Algolia’s 1,000-hit cap', async () => {
    const newestS = T0
    const routes: ReplayRoute[] = [
      { path: SEARCH, query: { page: '0', numericFilters: /^created_at_i>=\d+$/ }, times: 1,
        body: syntheticPage({ n: 2, newestS, firstId: 100, page: 0, nbPages: 2, nbHits: 1200 }) },
      { path: SEARCH, query: { page: '1' }, times: 1,
        body: syntheticPage({ n: 2, newestS: newestS - 120, firstId: 102, page: 1, nbPages: 2, nbHits: 1200 }) },
      { path: SEARCH, query: { page: '0', numericFilters: /<=/ }, times: 1,
        body: syntheticPage({ n: 2, newestS: newestS - 180, firstId: 103, page: 0, nbPages: 1, nbHits: 2 }) },
    ]
    const { pages, server } = await run(routes, { brand: globex }, { hitsPerPage: 500 })
    expect(server.requests).toHaveLength(3)
    const third = server.requests[2]?.query
    expect(third?.page).toBe('0')
    expect(third?.numericFilters).toBe(`created_at_i>=1747000000,created_at_i<=${newestS - 180}`)
    // Hit 103 sits on the slice boundary and comes back twice; it is stored once.
    expect(pages.flatMap((p) => p.mentions.map((m) => m.externalId))).toEqual(['100', '101', '102', '103', '104'])
    expect(pages.at(-1)?.cursor).toMatchObject({ at: newestS * 1000, oldest: 1_747_000_000_000 })
    expect(pages.at(-1)?.cursor.gap).toBeUndefined()
  })

  it('throws SourceResponseError for a 200 that is not an Algolia response', async () => {
    await expect(
      run([{ path: SEARCH, body: '<html><body>Service Unavailable</body></html>' }], { brand: globex }),
    ).rejects.toThrow(SourceResponseError)
  })

  it('refuses to run without a brand', async () => {
    await expect(run(twoPages, {})).rejects.toThrow(/brand/)
  })
})

// ---------------------------------------------------------------------------------------
// Against a loopback server that behaves like Algolia (filters, paging, the hit cap), so a
// pull can be stopped, resumed and repeated and the store checked for what it misses.

interface FakeItem {
  id: string
  /** created_at_i, seconds */
  t: number
  text: string
}

interface FakeAlgolia {
  url: string
  items: FakeItem[]
  /** Items not searchable yet (Algolia's indexing lag). */
  hidden: Set<string>
  /** Queries whose next answer is empty, once. */
  emptyOnce: Set<string>
  requests: { query: string; numericFilters: string; page: number }[]
}

async function startFakeAlgolia(items: FakeItem[]): Promise<FakeAlgolia> {
  const { createServer } = await import('node:http')
  const fake: FakeAlgolia = { url: '', items, hidden: new Set(), emptyOnce: new Set(), requests: [] }
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    const query = u.searchParams.get('query') ?? ''
    const numericFilters = u.searchParams.get('numericFilters') ?? ''
    const hitsPerPage = Number(u.searchParams.get('hitsPerPage') ?? '20')
    const page = Number(u.searchParams.get('page') ?? '0')
    fake.requests.push({ query, numericFilters, page })
    let lo = -Infinity
    let hi = Infinity
    for (const f of numericFilters.split(',').filter(Boolean)) {
      const m = /^created_at_i(>=|<=)(\d+)$/.exec(f)
      if (!m) throw new Error(`unexpected filter ${f}`)
      if (m[1] === '>=') lo = Math.max(lo, Number(m[2]))
      else hi = Math.min(hi, Number(m[2]))
    }
    const words = query.split(/\s+/).filter(Boolean)
    let matching = fake.items
      .filter((i) => !fake.hidden.has(i.id) && i.t >= lo && i.t <= hi)
      .filter((i) => words.every((w) => i.text.toLowerCase().split(/\W+/).includes(w)))
      .sort((a, b) => b.t - a.t || Number(b.id) - Number(a.id))
    if (fake.emptyOnce.delete(query)) matching = []
    const reachable = matching.slice(0, 1000)
    const hits = reachable.slice(page * hitsPerPage, (page + 1) * hitsPerPage).map((i) => ({
      _tags: ['comment'],
      author: 'someone',
      comment_text: i.text,
      created_at_i: i.t,
      objectID: i.id,
      parent_id: 1,
      story_id: 1,
    }))
    const body = JSON.stringify({ hits, page, nbHits: matching.length, nbPages: Math.ceil(reachable.length / hitsPerPage), hitsPerPage })
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as import('node:net').AddressInfo
  fake.url = `http://127.0.0.1:${port}`
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return fake
}

interface PullOutcome {
  cursor: Cursor | undefined
  pages: number
  warnings: string[]
}

/**
 * What src/app/pull.ts does with a source: store every page, and commit the last page's
 * cursor once the iteration finished. With `stopAfter`, the pull stops right after that
 * page was stored and commits that page's cursor (the worst case a page's cursor must survive).
 */
async function pullInto(
  fake: FakeAlgolia,
  stored: Map<string, MentionDraft>,
  q: Omit<SourceQuery, 'maxPages'> & { maxPages?: number },
  opts: { stopAfter?: number; hitsPerPage?: number; nowS?: number } = {},
): Promise<PullOutcome> {
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => http.close())
  const warnings: string[] = []
  const ctx = {
    http,
    options: hackerNewsOptions.parse({ baseUrl: fake.url, hitsPerPage: opts.hitsPerPage ?? 2, maxPages: 50 }),
    env: {},
    now: () => (opts.nowS ?? T0) * 1000,
    warn: (m: string) => void warnings.push(m),
  }
  let cursor = q.cursor
  let pages = 0
  for await (const page of hackerNewsSource.search(ctx, { maxPages: 3, ...q })) {
    for (const m of page.mentions) stored.set(m.externalId, m)
    cursor = page.cursor
    pages++
    if (opts.stopAfter !== undefined && pages >= opts.stopAfter) break
  }
  return { cursor, pages, warnings }
}

const DAY_S = 86_400
const brand2: Brand = { ...globex, terms: ['globex', 'initech'] }

/** `n` items for `word`, spread evenly from `newestS` down over `spanS` seconds. */
function spread(word: string, firstId: number, n: number, newestS: number, spanS: number): FakeItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: String(firstId + i),
    t: newestS - Math.floor((i * spanS) / n),
    text: `${word} item ${firstId + i}`,
  }))
}

const idsIn = (items: FakeItem[], fromS: number, toS = Infinity) => items.filter((i) => i.t >= fromS && i.t <= toS).map((i) => i.id).sort()

describe('hackernews search() per-query cursors, overlap and backfill', () => {
  it('keeps one cursor per query: a query answering empty once does not lose its items', async () => {
    const items: FakeItem[] = [
      { id: '1', t: T0 - 5 * 3600, text: 'globex one' },
      { id: '2', t: T0 - 4 * 3600, text: 'initech two' },
    ]
    const fake = await startFakeAlgolia(items)
    const stored = new Map<string, MentionDraft>()
    const since = (T0 - 7 * DAY_S) * 1000
    const first = await pullInto(fake, stored, { brand: brand2, since })
    expect(first.cursor?.parts).toEqual({
      globex: { at: (T0 - 5 * 3600) * 1000, oldest: since },
      initech: { at: (T0 - 4 * 3600) * 1000, oldest: since },
    })
    // A day later: both got a new item, but initech's query answers empty this once.
    items.push({ id: '3', t: T0 + 3600, text: 'initech three' }, { id: '4', t: T0 + 7200, text: 'globex four' })
    fake.emptyOnce.add('initech')
    const second = await pullInto(fake, stored, { brand: brand2, since: since + DAY_S * 1000, cursor: first.cursor }, { nowS: T0 + DAY_S })
    expect(second.cursor?.parts?.initech?.at).toBe((T0 - 4 * 3600) * 1000)
    expect(second.cursor?.parts?.globex?.at).toBe((T0 + 7200) * 1000)
    // The summary is what every query covers: initech's resume point.
    expect(second.cursor?.at).toBe((T0 - 4 * 3600) * 1000)
    await pullInto(fake, stored, { brand: brand2, since: since + DAY_S * 1000, cursor: second.cursor }, { nowS: T0 + DAY_S })
    expect([...stored.keys()].sort()).toEqual(['1', '2', '3', '4'])
  })

  it('re-reads an hour below the resume point: an item indexed late is still stored', async () => {
    const items: FakeItem[] = [
      { id: '10', t: T0 - 600, text: 'globex newer' },
      { id: '11', t: T0 - 1200, text: 'globex indexed late' },
    ]
    const fake = await startFakeAlgolia(items)
    fake.hidden.add('11')
    const stored = new Map<string, MentionDraft>()
    const since = (T0 - 7 * DAY_S) * 1000
    const first = await pullInto(fake, stored, { brand: globex, since })
    expect([...stored.keys()]).toEqual(['10'])
    fake.hidden.delete('11')
    await pullInto(fake, stored, { brand: globex, since, cursor: first.cursor })
    expect([...stored.keys()].sort()).toEqual(['10', '11'])
    expect(fake.requests.at(-1)?.numericFilters).toBe(`created_at_i>=${T0 - 600 - 3600}`)
  })

  it('resumes every query from an old cursor that has only `at`, and backfills below it', async () => {
    const fake = await startFakeAlgolia([])
    const at = (T0 - DAY_S) * 1000
    const since = (T0 - 7 * DAY_S) * 1000
    const { cursor } = await pullInto(fake, new Map(), { brand: brand2, since, cursor: { at } })
    const newFilter = `created_at_i>=${T0 - DAY_S - 3600}`
    const backfill = `created_at_i>=${T0 - 7 * DAY_S},created_at_i<=${T0 - DAY_S}`
    expect(fake.requests.map((r) => [r.query, r.numericFilters])).toEqual([
      ['globex', newFilter], ['initech', newFilter], ['globex', backfill], ['initech', backfill],
    ])
    expect(cursor?.parts).toEqual({ globex: { at, oldest: since }, initech: { at, oldest: since } })
  })

  it('starts a term added to the brand afresh from since', async () => {
    const fake = await startFakeAlgolia([])
    const since = (T0 - 7 * DAY_S) * 1000
    const cursor = { at: (T0 - 60) * 1000, oldest: since, parts: { globex: { at: (T0 - 60) * 1000, oldest: since } } }
    await pullInto(fake, new Map(), { brand: brand2, since, cursor })
    expect(fake.requests.map((r) => [r.query, r.numericFilters])).toEqual([
      ['globex', `created_at_i>=${T0 - 60 - 3600}`],
      ['initech', `created_at_i>=${T0 - 7 * DAY_S}`],
    ])
  })

  it('backfills a longer --since after 7-day pulls, continuing a cut-short backfill next pull', async () => {
    const items = spread('globex', 100, 40, T0 - 60, 80 * DAY_S)
    const fake = await startFakeAlgolia(items)
    const stored = new Map<string, MentionDraft>()
    const week = (T0 - 7 * DAY_S) * 1000
    const first = await pullInto(fake, stored, { brand: globex, since: week, maxPages: 10 })
    expect([...stored.keys()].sort()).toEqual(idsIn(items, T0 - 7 * DAY_S))
    expect(first.cursor?.oldest).toBe(week)

    // --since 90d: 2 hits a page, 3 pages a window; the backfill owes ~30 items, so it is cut short.
    const quarter = (T0 - 90 * DAY_S) * 1000
    const second = await pullInto(fake, stored, { brand: globex, since: quarter, cursor: first.cursor })
    expect(second.warnings).toContain('stopped backfilling "globex" after 3 page(s); the rest is fetched next pull')
    expect(second.cursor?.oldest).toBe(quarter)
    expect(second.cursor?.gap?.from).toBe(quarter)
    // Later default 7-day pulls keep working through the owed part, gap first.
    let cursor = second.cursor
    for (let i = 0; i < 10 && cursor?.gap; i++) cursor = (await pullInto(fake, stored, { brand: globex, since: week, cursor })).cursor
    expect(cursor?.gap).toBeUndefined()
    expect([...stored.keys()].sort()).toEqual(items.map((i) => i.id).sort())
  })

  it('drops hits from outside [since, until] when the server ignores numericFilters', async () => {
    const { pages, warnings } = await run([{ path: SEARCH, body: OLD }], { brand: globex, since: (T0 - 7 * DAY_S) * 1000 })
    expect(pages.flatMap((p) => p.mentions)).toEqual([])
    expect(warnings.some((w) => /^dropped \d+ hit\(s\) for "globex" created outside the pull's window$/.test(w))).toBe(true)
  })

  it('bounds walks by until: never moves `at` past it, never claims until..now', async () => {
    const items = spread('globex', 200, 20, T0 - 60, 10 * DAY_S)
    const fake = await startFakeAlgolia(items)
    const stored = new Map<string, MentionDraft>()
    const since = (T0 - 7 * DAY_S) * 1000
    const until = (T0 - 3 * DAY_S) * 1000
    const { cursor } = await pullInto(fake, stored, { brand: globex, since, until, maxPages: 20 })
    expect(fake.requests[0]?.numericFilters).toBe(`created_at_i>=${T0 - 7 * DAY_S},created_at_i<=${T0 - 3 * DAY_S}`)
    expect([...stored.keys()].sort()).toEqual(idsIn(items, T0 - 7 * DAY_S, T0 - 3 * DAY_S))
    expect(cursor?.parts?.globex).toEqual({ at: until, oldest: since })
    // The next open pull walks from until (less the overlap) to now.
    fake.requests.length = 0
    await pullInto(fake, stored, { brand: globex, since, cursor, maxPages: 20 })
    expect(fake.requests[0]?.numericFilters).toBe(`created_at_i>=${T0 - 3 * DAY_S - 3600}`)
    expect([...stored.keys()].sort()).toEqual(idsIn(items, T0 - 7 * DAY_S))
  })

  it('with until before the covered window: stores that window, leaves the cursor as it was', async () => {
    const items = spread('globex', 300, 30, T0 - 60, 90 * DAY_S)
    const fake = await startFakeAlgolia(items)
    const stored = new Map<string, MentionDraft>()
    const since = (T0 - 7 * DAY_S) * 1000
    const cursor = { at: (T0 - 60) * 1000, oldest: since, parts: { globex: { at: (T0 - 60) * 1000, oldest: since } } }
    const range = { since: (T0 - 80 * DAY_S) * 1000, until: (T0 - 60 * DAY_S) * 1000 }
    const after = await pullInto(fake, stored, { brand: globex, ...range, cursor, maxPages: 20 })
    expect([...stored.keys()].sort()).toEqual(idsIn(items, T0 - 80 * DAY_S, T0 - 60 * DAY_S))
    expect(after.cursor?.parts?.globex).toEqual(cursor.parts.globex)
  })

  it('yields, on every page, a cursor that loses nothing when the pull stops right there', async () => {
    // Two terms, a prior cursor that owes a gap, a 60-day backfill and a new window; every
    // walk runs into the page bound at least once, over several pulls.
    const items = [
      ...spread('globex', 1000, 24, T0 - 30, 60 * DAY_S),
      ...spread('initech', 2000, 18, T0 - 90, 60 * DAY_S),
      { id: '3000', t: T0 - 3 * DAY_S, text: 'globex initech both' },
    ]
    const since = (T0 - 60 * DAY_S) * 1000
    const windowIds = idsIn(items, T0 - 60 * DAY_S)
    // What an earlier 7-day pull left: both queries covered to T0 - 2 days, globex owing a gap.
    const base: Cursor = withPartsFor({
      globex: { at: (T0 - 2 * DAY_S) * 1000, oldest: (T0 - 7 * DAY_S) * 1000, gap: { from: (T0 - 6 * DAY_S) * 1000, to: (T0 - 4 * DAY_S) * 1000 } },
      initech: { at: (T0 - 2 * DAY_S) * 1000, oldest: (T0 - 7 * DAY_S) * 1000 },
    })
    const coveredBefore = items.filter((i) => i.t >= T0 - 7 * DAY_S && i.t <= T0 - 2 * DAY_S && !(i.text.startsWith('globex') && i.t >= T0 - 6 * DAY_S && i.t <= T0 - 4 * DAY_S))

    const probe = await startFakeAlgolia(items)
    const total = (await pullInto(probe, new Map(), { brand: brand2, since, cursor: base })).pages
    expect(total).toBeGreaterThan(6)
    for (let stopAfter = 1; stopAfter <= total; stopAfter++) {
      const fake = await startFakeAlgolia(items)
      const stored = new Map<string, MentionDraft>(coveredBefore.map((i) => [i.id, { externalId: i.id, url: '', text: i.text, createdAt: i.t * 1000 }]))
      let { cursor } = await pullInto(fake, stored, { brand: brand2, since, cursor: base }, { stopAfter })
      // Every claim the committed cursor makes holds already…
      for (const [query, part] of Object.entries(cursor?.parts ?? {})) {
        const claimed = items.filter((i) => i.text.split(' ').includes(query) && covers(part, i.t * 1000))
        expect(claimed.filter((i) => !stored.has(i.id)).map((i) => i.id), `stop ${stopAfter}, ${query}`).toEqual([])
      }
      // …and resuming with the same window fills it all in.
      for (let i = 0; i < 12; i++) cursor = (await pullInto(fake, stored, { brand: brand2, since, ...(cursor ? { cursor } : {}) })).cursor
      expect(windowIds.filter((id) => !stored.has(id)), `stop after ${stopAfter}`).toEqual([])
    }
  })
})

function covers(c: Cursor, t: number): boolean {
  if (c.at === undefined) return false
  if (t > c.at || t < (c.oldest ?? c.at)) return false
  return !(c.gap && t >= c.gap.from && t <= c.gap.to)
}

function withPartsFor(parts: Record<string, Cursor>): Cursor {
  return { at: Math.min(...Object.values(parts).map((p) => p.at ?? 0)), parts }
}
