import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttp } from '../../src/net/client.js'
import { startReplayServer, type ReplayRoute, type ReplayServer } from '../../src/net/replay.js'
import { fetchUrl, parseFeed, readFeed, rssOptions, rssSource, unwrapRedirect } from '../../src/sources/rss.js'
import { SourceResponseError, type Page, type SourceQuery } from '../../src/sources/types.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/rss/${name}`, import.meta.url), 'utf8')
const NOW = Date.parse('2025-05-14T12:00:00Z')

describe('parseFeed: RSS 2.0', () => {
  const drafts = parseFeed(fixture('blog.rss.xml'), 'https://opsdesk.example.net/feed.xml', NOW)

  it('maps guid, link, dc:creator, pubDate and content:encoded', () => {
    expect(drafts[0]).toEqual({
      externalId: 'opsdesk-post-1187',
      url: 'https://opsdesk.example.net/2025/05/three-weeks-with-globex?utm_source=rss',
      title: 'Three weeks with Globex: the good, the bad & the invoices',
      text:
        'Setup\n\nInstalling the agent took ten minutes. The dashboards were useful on day one — I didn’t expect that.\n\n' +
        'Then the first invoice arrived.\nIt was twice the quote.\n\nGood: alert routing\nBad: retention pricing',
      author: { handle: 'Priya Natarajan', name: 'Priya Natarajan' },
      createdAt: Date.parse('2025-05-14T09:12:00Z'),
      lang: 'en',
    })
  })

  it('resolves a relative link against the feed URL and uses it as the id when there is no guid', () => {
    expect(drafts[1]?.url).toBe('https://opsdesk.example.net/2025/05/postmortem-dns')
    expect(drafts[1]?.externalId).toBe('https://opsdesk.example.net/2025/05/postmortem-dns')
    expect(drafts[1]?.createdAt).toBe(Date.parse('2025-05-12T16:40:00Z'))
  })

  it('decodes entity-encoded HTML descriptions and titles', () => {
    expect(drafts[1]?.text).toBe('Short version: a TTL of 86400 and a typo. Long version below, with a timeline & graphs.')
    expect(drafts[2]?.title).toBe('AT&T, Globex & friends: who still answers the phone?')
    expect(drafts[2]?.text).toBe('We rang eight vendors’ support lines at 3am. Four picked up.')
  })

  it('dates an undated item when first seen, and says it was undated', () => {
    expect(drafts[2]?.createdAt).toBe(NOW)
    expect(drafts[2]?.author).toBeUndefined()
    const read = readFeed(fixture('blog.rss.xml'), 'https://opsdesk.example.net/feed.xml', NOW)
    expect([...read.undated]).toEqual([drafts[2]?.externalId])
  })

  it('drops <script> content', () => {
    expect(drafts[0]?.text).not.toContain('trackPageView')
  })
})

describe('parseFeed: Atom', () => {
  const drafts = parseFeed(fixture('blog.atom.xml'), 'https://releases.globex.example/agent.atom', NOW)

  it('uses the entry id, the alternate link resolved against the feed URL, and the author name', () => {
    expect(drafts[0]).toMatchObject({
      externalId: 'tag:releases.globex.example,2025:agent/v4.2.0',
      url: 'https://releases.globex.example/agent/releases/v4.2.0',
      title: 'Agent v4.2.0: --dry-run for config reloads',
      author: { handle: 'Globex Release Bot', name: 'Globex Release Bot' },
      createdAt: Date.parse('2025-05-13T16:00:00Z'),
    })
    expect(drafts[0]?.text).toBe(
      'New: globex-agent reload --dry-run validates a config without applying it.\n\nFixed: memory growth when a sink is unreachable for > 1h.',
    )
  })

  it('treats type="text" as text (angle brackets are content) and falls back to updated and summary', () => {
    expect(drafts[1]).toMatchObject({
      url: 'https://releases.globex.example/agent/releases/v4.1.3',
      title: 'Agent v4.1.3 & a note on ARM builds',
      text: 'Bug fixes only. ARM64 builds are now signed <like the x86 ones>.',
      createdAt: Date.parse('2025-04-29T09:00:00Z'),
    })
  })
})

describe('parseFeed: JSON Feed', () => {
  const drafts = parseFeed(fixture('feed.json'), 'https://eng.initech.example/feed.json', NOW)

  it('maps id, url, content_html, authors and date_published', () => {
    expect(drafts[0]).toEqual({
      externalId: 'https://eng.initech.example/posts/tps-v2',
      url: 'https://eng.initech.example/posts/tps-v2',
      title: 'TPS v2: cover sheets are optional now',
      text: 'After 11 years, the cover sheet is optional.\n\nYes, we got the memo. Several, actually…',
      author: { handle: 'Bill Lumbergh', name: 'Bill Lumbergh' },
      createdAt: Date.parse('2025-05-10T21:00:00Z'),
      lang: 'en',
    })
  })

  it('resolves a relative url, keeps content_text lines, and falls back to external_url and date_modified', () => {
    expect(drafts[1]).toMatchObject({
      externalId: '2025-05-02-printer',
      url: 'https://eng.initech.example/posts/printer',
      text: 'What the message means,\nand why our printer shows it when the tray is full.',
    })
    expect(drafts[2]).toMatchObject({
      externalId: '42',
      url: 'https://news.example.com/initech-stapler-recall',
      text: 'Coverage of the recall.',
      createdAt: Date.parse('2025-04-20T12:00:00Z'),
    })
  })
})

describe('parseFeed: Google Alerts', () => {
  const drafts = parseFeed(fixture('google-alerts.atom.xml'), 'https://www.google.com/alerts/feeds/1/2', NOW)

  it('unwraps the google.com/url redirect, keeping the real URL’s own query string', () => {
    expect(drafts.map((d) => d.url)).toEqual([
      'https://news.example.com/2025/05/14/globex-layoffs?src=rss&utm_medium=feed',
      'https://survey.example.org/2025/observability-vendors',
      'https://smallteams.example/blog/is-globex-worth-it',
    ])
  })

  it('removes the <b> markup from titles and content and decodes double-escaped entities', () => {
    expect(drafts[0]?.title).toBe('Globex lays off 8% of staff as growth slows')
    expect(drafts[1]?.title).toBe('Customers praise Globex support & uptime in annual survey')
    expect(drafts[2]?.text).toBe(
      "We tried Globex for three months on a team of four. Here's what the pricing page doesn't tell you ...",
    )
  })

  it('uses the tag: id and has no author (Google leaves the name empty)', () => {
    expect(drafts[0]?.externalId).toBe('tag:google.com,2013:googlealerts/feed:1029384756102938475')
    expect(drafts[0]?.author).toBeUndefined()
    expect(drafts[0]?.createdAt).toBe(Date.parse('2025-05-14T10:30:00Z'))
  })
})

describe('parseFeed: hnrss.org', () => {
  const drafts = parseFeed(fixture('hnrss.xml'), 'https://hnrss.org/newcomments?q=globex', NOW)

  it('takes the HN user from dc:creator and the HN item URL from the guid', () => {
    expect(drafts[0]).toMatchObject({
      externalId: 'https://news.ycombinator.com/item?id=43981234',
      url: 'https://news.ycombinator.com/item?id=43981234',
      author: { handle: 'mkrause' },
    })
  })

  it('strips the "Comment URL / Points" footer into metrics', () => {
    expect(drafts[0]?.text).toBe(
      'We ran Globex for about a year. The agent is lightweight, but the query language takes getting used to.',
    )
    expect(drafts[0]?.metrics).toEqual({ score: 3 })
    expect(drafts[1]?.text).toBe('Nice. How does this compare with Globex for alerting? Genuinely asking.')
  })
})

describe('parseFeed: RDF', () => {
  it('reads RSS 1.0 items with dc:date and dc:creator', () => {
    const rdf = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://planet.example/"><title>Planet</title><link>https://planet.example/</link><description>d</description></channel>
  <item rdf:about="https://planet.example/a"><title>Globex &amp;amp; us</title><link>https://planet.example/a</link>
    <description>&lt;p&gt;Hello&lt;/p&gt;</description><dc:date>2025-05-01T10:00:00Z</dc:date><dc:creator>Ann</dc:creator></item>
</rdf:RDF>`
    expect(parseFeed(rdf, 'https://planet.example/rss', NOW)).toEqual([
      {
        externalId: 'https://planet.example/a',
        url: 'https://planet.example/a',
        title: 'Globex & us',
        text: 'Hello',
        author: { handle: 'Ann', name: 'Ann' },
        createdAt: Date.parse('2025-05-01T10:00:00Z'),
      },
    ])
  })
})

describe('parseFeed: bad bodies', () => {
  it.each([
    ['an HTML page', '<!doctype html><html><body><h1>Welcome</h1></body></html>'],
    ['truncated XML', '<rss version="2.0"><channel><item><title>x</ti'],
    ['plain text', 'Service Unavailable'],
    ['an empty body', ''],
    ['JSON that is not a feed', '{"error":"not found"}'],
  ])('throws SourceResponseError for %s', (_name, body) => {
    expect(() => parseFeed(body, 'https://example.com/feed', NOW)).toThrow(SourceResponseError)
  })

  it('names the feed URL in the error', () => {
    try {
      parseFeed('nope', 'https://example.com/feed', NOW)
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(SourceResponseError)
      expect((err as SourceResponseError).url).toBe('https://example.com/feed')
    }
  })
})

describe('unwrapRedirect', () => {
  it('unwraps google.com/url links by url= or q=', () => {
    expect(unwrapRedirect('https://www.google.com/url?rct=j&sa=t&url=https://a.example/x&ct=ga')).toBe('https://a.example/x')
    expect(unwrapRedirect('https://google.co.uk/url?q=https%3A%2F%2Fb.example%2Fy%3Fz%3D1&sa=D')).toBe('https://b.example/y?z=1')
  })

  it('leaves other links, and wrappers without a usable target, alone', () => {
    expect(unwrapRedirect('https://example.com/url?url=https://a.example/')).toBe('https://example.com/url?url=https://a.example/')
    expect(unwrapRedirect('https://www.google.com/search?q=acme')).toBe('https://www.google.com/search?q=acme')
    expect(unwrapRedirect('https://www.google.com/url?url=javascript:alert(1)')).toBe('https://www.google.com/url?url=javascript:alert(1)')
  })
})

describe('rssOptions and fetchUrl', () => {
  it('requires an http(s) url and defaults maxItems', () => {
    expect(rssOptions.parse({ url: 'https://a.example/feed' })).toEqual({ url: 'https://a.example/feed', maxItems: 200 })
    expect(rssOptions.safeParse({}).success).toBe(false)
    expect(rssOptions.safeParse({ url: 'ftp://a.example/feed' }).success).toBe(false)
  })

  it('replaces only scheme, host and port with baseUrl', () => {
    const url = fetchUrl({ url: 'https://www.google.com/alerts/feeds/1/2?x=1', baseUrl: 'http://127.0.0.1:8080' })
    expect(url.href).toBe('http://127.0.0.1:8080/alerts/feeds/1/2?x=1')
    expect(fetchUrl({ url: 'https://a.example/f' }).href).toBe('https://a.example/f')
  })

  it('names the instance by its feed URL', () => {
    expect(rssSource.instanceKey(rssOptions.parse({ url: 'https://a.example/f', baseUrl: 'http://127.0.0.1:1' }))).toBe(
      'https://a.example/f',
    )
    expect(rssSource.scope).toBe('feed')
  })
})

// ---------------------------------------------------------------------------------------
// search() against a real loopback server through the real client

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function serve(routes: ReplayRoute[]) {
  const server = await startReplayServer(routes)
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => server.close(), () => http.close())
  return { server, http }
}

async function pull(
  env: { server: ReplayServer; http: ReturnType<typeof createHttp> },
  url: string,
  q: Partial<SourceQuery> = {},
): Promise<Page[]> {
  const ctx = {
    http: env.http,
    options: rssOptions.parse({ url, baseUrl: env.server.url }),
    env: {},
    now: () => NOW,
    warn: () => {},
  }
  const pages: Page[] = []
  for await (const page of rssSource.search(ctx, { maxPages: 1, since: 0, ...q })) pages.push(page)
  return pages
}

describe('rss search()', () => {
  const FEED_URL = 'https://opsdesk.example.net/feed.xml'

  it('stores ETag and Last-Modified, then sends them back and yields nothing on 304', async () => {
    const headers = {
      'content-type': 'application/rss+xml; charset=utf-8',
      etag: '"opsdesk-1187"',
      'last-modified': 'Wed, 14 May 2025 09:12:00 GMT',
    }
    const env = await serve([{ path: '/feed.xml', headers, body: fixture('blog.rss.xml') }])

    const first = await pull(env, FEED_URL)
    expect(first).toHaveLength(1)
    expect(first[0]?.mentions).toHaveLength(3)
    // Relative links resolve against the real feed URL, not the proxy in front of it.
    expect(first[0]?.mentions[1]?.url).toBe('https://opsdesk.example.net/2025/05/postmortem-dns')
    const cursor = first[0]?.cursor
    // The newest dated item, not the clock: the third item is undated.
    expect(cursor).toEqual({
      at: Date.parse('2025-05-14T09:12:00Z'),
      oldest: 0,
      etag: '"opsdesk-1187"',
      lastModified: 'Wed, 14 May 2025 09:12:00 GMT',
    })
    expect(env.server.requests[0]?.headers['if-none-match']).toBeUndefined()

    const second = await pull(env, FEED_URL, { ...(cursor ? { cursor } : {}) })
    expect(env.server.requests[1]?.headers['if-none-match']).toBe('"opsdesk-1187"')
    expect(second).toEqual([{ mentions: [], cursor }])
  })

  it('uses Last-Modified alone when the server sends no ETag (hnrss)', async () => {
    const headers = { 'content-type': 'application/rss+xml', 'last-modified': 'Wed, 14 May 2025 12:03:41 GMT' }
    const env = await serve([{ path: '/newcomments', headers, body: fixture('hnrss.xml') }])
    const first = await pull(env, 'https://hnrss.org/newcomments?q=globex')
    expect(env.server.requests[0]?.query).toEqual({ q: 'globex' })
    const cursor = first[0]?.cursor
    expect(cursor?.etag).toBeUndefined()
    expect(cursor?.lastModified).toBe('Wed, 14 May 2025 12:03:41 GMT')

    const second = await pull(env, 'https://hnrss.org/newcomments?q=globex', { ...(cursor ? { cursor } : {}) })
    expect(env.server.requests[1]?.headers['if-modified-since']).toBe('Wed, 14 May 2025 12:03:41 GMT')
    expect(second[0]?.mentions).toEqual([])
  })

  it('keeps the previous validators when a 200 carries none', async () => {
    const env = await serve([{ path: '/feed.json', body: fixture('feed.json') }])
    const previous = { at: Date.parse('2025-05-01T00:00:00Z'), etag: '"old"', lastModified: 'Thu, 01 May 2025 00:00:00 GMT' }
    const pages = await pull(env, 'https://eng.initech.example/feed.json', { cursor: previous })
    expect(pages[0]?.cursor).toEqual({ ...previous, at: Date.parse('2025-05-10T21:00:00Z'), oldest: 0 })
  })

  it('drops items older than the first pull’s horizon, or well before the last newest item', async () => {
    const env = await serve([{ path: '/feed.json', body: fixture('feed.json') }])
    const url = 'https://eng.initech.example/feed.json'
    const firstPull = await pull(env, url, { since: Date.parse('2025-05-01T00:00:00Z') })
    expect(firstPull[0]?.mentions.map((m) => m.externalId)).toEqual(['https://eng.initech.example/posts/tps-v2', '2025-05-02-printer'])

    // An item a few days older than the cursor may still be new to us (late arrival)…
    const later = await pull(env, url, { since: 0, cursor: { at: Date.parse('2025-05-04T00:00:00Z') } })
    expect(later[0]?.mentions.map((m) => m.externalId)).toContain('2025-05-02-printer')
    // …one weeks older is not.
    expect(later[0]?.mentions.map((m) => m.externalId)).not.toContain('42')
  })

  it('never moves the cursor past the clock for a future-dated item', async () => {
    const future = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 't',
      items: [{ id: 'x', url: 'https://a.example/x', content_text: 'hi', date_published: '2031-01-01T00:00:00Z' }],
    })
    const env = await serve([{ path: '/f.json', body: future }])
    const pages = await pull(env, 'https://a.example/f.json')
    expect(pages[0]?.cursor.at).toBe(NOW)
    expect(pages[0]?.mentions).toHaveLength(1)
  })

  it('throws SourceResponseError when the URL serves something that is not a feed', async () => {
    const env = await serve([{ path: '/feed', headers: { 'content-type': 'text/html' }, body: '<html><body>Login</body></html>' }])
    await expect(pull(env, 'https://a.example/feed')).rejects.toThrow(SourceResponseError)
  })
})
