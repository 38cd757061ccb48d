// Feeds in the shapes that broke us: undated items, podcast items with only an enclosure,
// descriptions in namespaces (YouTube, iTunes, Dublin Core), xhtml content, JSON Feed
// versions as written in the wild, non-UTF-8 bodies, and upstreams that ignore date windows.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import type { Cursor } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import { startReplayServer, type ReplayRoute, type ReplayServer } from '../../src/net/replay.js'
import { feedWindow, parseFeed, readFeed, rssOptions, rssSource } from '../../src/sources/rss.js'
import type { Page, SourceQuery } from '../../src/sources/types.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/rss/${name}`, import.meta.url), 'utf8')
const NOW = Date.parse('2025-05-14T12:00:00Z')
const LATER = NOW + 3 * 24 * 3600 * 1000

describe('items without a date', () => {
  const rss = (items: string): string =>
    `<rss version="2.0"><channel><title>t</title><link>https://a.example/</link>${items}</channel></rss>`
  const body = rss(
    '<item><guid>g1</guid><title>Globex one</title></item>' +
      '<item><link>https://a.example/2</link><title>Globex two</title></item>' +
      '<item><guid>g3</guid><title>dated</title><pubDate>Tue, 13 May 2025 05:00:00 GMT</pubDate></item>',
  )

  it('are kept, dated `now` (first sight), and listed as undated', () => {
    const { drafts, undated } = readFeed(body, 'https://a.example/feed', NOW)
    expect(drafts.map((d) => [d.externalId, d.createdAt])).toEqual([
      ['g1', NOW],
      ['https://a.example/2', NOW],
      ['g3', Date.parse('2025-05-13T05:00:00Z')],
    ])
    expect([...undated]).toEqual(['g1', 'https://a.example/2'])
  })

  it('keep ids that do not depend on the time', () => {
    const ids = (now: number): string[] => parseFeed(body, 'https://a.example/feed', now).map((d) => d.externalId)
    expect(ids(LATER)).toEqual(ids(NOW))
  })

  it('treat an unparseable date as no date', () => {
    const { undated } = readFeed(rss('<item><guid>x</guid><pubDate>sometime soon</pubDate></item>'), 'https://a.example/f', NOW)
    expect([...undated]).toEqual(['x'])
  })
})

describe('items with neither guid nor link (podcasts)', () => {
  const drafts = parseFeed(fixture('podcast.rss.xml'), 'https://pagerfree.example.fm/feed.xml', NOW)

  it('are kept, with the enclosure URL as id and url (resolved against the feed)', () => {
    expect(drafts[0]).toMatchObject({
      externalId: 'https://cdn.pagerfree.example.fm/episodes/ep42.mp3',
      url: 'https://cdn.pagerfree.example.fm/episodes/ep42.mp3',
      title: 'Ep. 42: Leaving Globex after five years',
      createdAt: Date.parse('2025-05-13T05:00:00Z'),
      lang: 'en',
    })
    expect(drafts[1]?.externalId).toBe('https://pagerfree.example.fm/episodes/ep41.mp3')
  })

  it('fall back to a stable content hash for the id and the feed link for the url', () => {
    const third = drafts[2]
    expect(third?.externalId).toMatch(/^sha256:[0-9a-f]{32}$/)
    expect(third?.url).toBe('https://pagerfree.example.fm/')
    const again = parseFeed(fixture('podcast.rss.xml'), 'https://pagerfree.example.fm/feed.xml', LATER)
    expect(again[2]?.externalId).toBe(third?.externalId)
    // A different text is a different item.
    const edited = fixture('podcast.rss.xml').replace('Here is what we found.', 'Here is what we found, corrected.')
    expect(parseFeed(edited, 'https://pagerfree.example.fm/feed.xml', NOW)[2]?.externalId).not.toBe(third?.externalId)
  })

  it('with an enclosure in a JSON Feed use its attachment', () => {
    const json = JSON.stringify({
      version: 'https://jsonfeed.org/version/1.1',
      title: 'p',
      home_page_url: 'https://p.example/',
      items: [{ id: '', title: 'Ep 1', content_text: 'Globex', attachments: [{ url: 'https://p.example/1.mp3', mime_type: 'audio/mpeg' }] }],
    })
    expect(parseFeed(json, 'https://p.example/feed.json', NOW)[0]).toMatchObject({
      externalId: 'https://p.example/1.mp3',
      url: 'https://p.example/1.mp3',
    })
  })

  it('are dropped only when they carry nothing at all', () => {
    const empty = '<rss version="2.0"><channel><title>t</title><item><description> </description></item></channel></rss>'
    expect(parseFeed(empty, 'https://a.example/f', NOW)).toEqual([])
  })
})

describe('descriptions from other namespaces', () => {
  it('reads media:group/media:description from a YouTube channel feed, keeping its lines', () => {
    const drafts = parseFeed(fixture('youtube-channel.atom.xml'), 'https://www.youtube.com/feeds/videos.xml?channel_id=UCq9mUq2uHbD0sGdm5vXh8Zw', NOW)
    expect(drafts[0]).toMatchObject({
      externalId: 'yt:video:Xk3bQ9pLm2A',
      url: 'https://www.youtube.com/watch?v=Xk3bQ9pLm2A',
      title: 'Globex agent on a Raspberry Pi: does it survive a week?',
      text: 'I ran the Globex agent on a Pi 4 for seven days.\nMemory stayed flat; the ARM build is finally signed.\n\nChapters:\n0:00 Setup\n4:12 Results',
      createdAt: Date.parse('2025-05-13T15:00:06Z'),
      author: { handle: 'Homelab Hours', name: 'Homelab Hours' },
    })
    expect(drafts[1]?.text).toBe('What changed since March: new switch, fewer cables & one very loud fan.')
  })

  it('reads itunes:summary (as text, or as HTML when it holds markup) and dc:description', () => {
    const drafts = parseFeed(fixture('podcast.rss.xml'), 'https://pagerfree.example.fm/feed.xml', NOW)
    expect(drafts.map((d) => d.text)).toEqual([
      'Why we moved our alerting off Globex,\nand what we miss.',
      'Writing runbooks people actually open at 3am.',
      'You asked about the new Globex tiers. Here is what we found.',
    ])
  })

  it('prefers the feed’s own description when there is one', () => {
    const rss = `<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel><title>t</title>
      <item><guid>a</guid><description>Core text</description><itunes:summary>Other text</itunes:summary></item></channel></rss>`
    expect(parseFeed(rss, 'https://a.example/f', NOW)[0]?.text).toBe('Core text')
  })
})

describe('Atom xhtml content', () => {
  it.each(['xhtml', 'application/xhtml+xml'])('reads type="%s" as HTML', (type) => {
    const atom = `<feed xmlns="http://www.w3.org/2005/Atom"><id>f</id><title>T</title><updated>2025-05-01T10:00:00Z</updated>
      <entry><id>x</id><title>t</title><updated>2025-05-01T10:00:00Z</updated><link href="https://a.example/x"/>
      <content type="${type}"><div xmlns="http://www.w3.org/1999/xhtml"><p>Globex <b>rocks</b> &amp; rolls</p><p>Second</p></div></content></entry></feed>`
    expect(parseFeed(atom, 'https://a.example/feed', NOW)[0]?.text).toBe('Globex rocks & rolls\n\nSecond')
  })
})

describe('JSON Feed versions', () => {
  it.each(['1.0', '1.1', '1', 'https://jsonfeed.org/version/1', 'https://jsonfeed.org/version/1.1'])('accepts version %s', (version) => {
    const json = JSON.stringify({ version, title: 't', items: [{ id: '1', url: 'https://a.example/1', content_text: 'Globex' }] })
    expect(parseFeed(json, 'https://a.example/feed.json', NOW)).toEqual([
      { externalId: '1', url: 'https://a.example/1', text: 'Globex', createdAt: NOW },
    ])
  })
})

describe('feedWindow', () => {
  const draft = (id: string, iso: string) => ({ externalId: id, url: `https://a.example/${id}`, text: id, createdAt: Date.parse(iso) })
  const drafts = [
    draft('future', '2025-05-20T00:00:00Z'),
    draft('new', '2025-05-13T00:00:00Z'),
    draft('mid', '2025-05-05T00:00:00Z'),
    draft('old', '2025-04-01T00:00:00Z'),
    { ...draft('undated', '2025-05-14T12:00:00Z'), createdAt: NOW },
  ]
  const undated = new Set(['undated'])
  const ids = (p: Page): string[] => p.mentions.map((m) => m.externalId)

  it('drops items created before since or after until, and keeps undated ones', () => {
    const page = feedWindow(drafts, undated, {}, { since: Date.parse('2025-05-01T00:00:00Z'), until: Date.parse('2025-05-10T00:00:00Z') }, NOW, {})
    expect(ids(page)).toEqual(['mid', 'undated'])
    expect(page.cursor.at).toBe(Date.parse('2025-05-05T00:00:00Z'))
  })

  it('keeps the old validators when it left out items newer than until', () => {
    const previous: Cursor = { etag: '"old"', lastModified: 'old' }
    const q = { since: 0, until: Date.parse('2025-05-10T00:00:00Z') }
    expect(feedWindow(drafts, undated, previous, q, NOW, { etag: '"new"', lastModified: 'new' }).cursor).toMatchObject(previous)
    const open = feedWindow(drafts, undated, previous, { since: 0 }, NOW, { etag: '"new"', lastModified: 'new' })
    expect(open.cursor).toMatchObject({ etag: '"new"', lastModified: 'new' })
  })

  it('leaves undated items out of the cursor', () => {
    const page = feedWindow([drafts[4]!, drafts[3]!], undated, {}, { since: 0 }, NOW, {})
    expect(page.cursor.at).toBe(Date.parse('2025-04-01T00:00:00Z'))
  })

  it('takes the older items still in the feed when since reaches past the covered history', () => {
    const previous: Cursor = { at: Date.parse('2025-05-13T00:00:00Z'), oldest: Date.parse('2025-05-06T00:00:00Z') }
    expect(ids(feedWindow(drafts, undated, previous, { since: Date.parse('2025-05-07T00:00:00Z') }, NOW, {}))).toEqual(['future', 'new', 'undated'])
    const backfill = feedWindow(drafts, undated, previous, { since: Date.parse('2025-03-01T00:00:00Z') }, NOW, {})
    expect(ids(backfill)).toEqual(['future', 'new', 'mid', 'old', 'undated'])
    expect(backfill.cursor.oldest).toBe(Date.parse('2025-03-01T00:00:00Z'))
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
): Promise<{ pages: Page[]; warnings: string[] }> {
  const warnings: string[] = []
  const ctx = {
    http: env.http,
    options: rssOptions.parse({ url, baseUrl: env.server.url }),
    env: {},
    now: () => NOW,
    warn: (m: string) => warnings.push(m),
  }
  const pages: Page[] = []
  for await (const page of rssSource.search(ctx, { maxPages: 1, since: 0, ...q })) pages.push(page)
  return { pages, warnings }
}

describe('rss search(): undated items and windows', () => {
  it('warns once per pull with the count, without an "rss: " prefix (the pull adds it)', async () => {
    const env = await serve([{ path: '/feed.xml', body: fixture('podcast.rss.xml') }])
    const { pages, warnings } = await pull(env, 'https://pagerfree.example.fm/feed.xml')
    expect(pages[0]?.mentions).toHaveLength(3)
    expect(warnings).toEqual(['1 item without a date, dated when first seen (https://pagerfree.example.fm/feed.xml)'])
    expect(pages[0]?.cursor.at).toBe(Date.parse('2025-05-13T05:00:00Z'))
  })

  it('says "items" for more than one, and nothing when every item is dated', async () => {
    const two = fixture('podcast.rss.xml').replace(/<pubDate>Fri, 09 May 2025 12:00:00 \+0000<\/pubDate>/, '')
    const env = await serve([
      { path: '/two.xml', body: two },
      { path: '/yt.xml', body: fixture('youtube-channel.atom.xml') },
    ])
    expect((await pull(env, 'https://pagerfree.example.fm/two.xml')).warnings).toEqual([
      '2 items without a date, dated when first seen (https://pagerfree.example.fm/two.xml)',
    ])
    expect((await pull(env, 'https://www.youtube.com/yt.xml')).warnings).toEqual([])
  })

  it('drops what an upstream sends outside [since, until]', async () => {
    const env = await serve([{ path: '/yt.xml', body: fixture('youtube-channel.atom.xml'), headers: { etag: '"v2"' } }])
    const { pages } = await pull(env, 'https://www.youtube.com/yt.xml', {
      since: Date.parse('2025-05-01T00:00:00Z'),
      until: Date.parse('2025-05-10T00:00:00Z'),
      cursor: { etag: '"v1"' },
    })
    expect(pages[0]?.mentions.map((m) => m.externalId)).toEqual(['yt:video:Pq7rT1vWc0E'])
    // The newer video was left out, so the next pull must not be told "not modified".
    expect(pages[0]?.cursor.etag).toBe('"v1"')
  })
})

describe('rss search(): bodies in other charsets', () => {
  const latin1Feed = `<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel><title>Le blog</title><link>https://blog.example.fr/</link>
<item><guid>c1</guid><title>Café Globex : très bien</title><description>Un café crème, s’il vous plaît.</description><pubDate>Tue, 13 May 2025 08:00:00 GMT</pubDate></item>
</channel></rss>`

  it.each([
    ['declared in the header', 'application/rss+xml; charset=ISO-8859-1', Buffer.from(latin1Feed.replace('’', "'"), 'latin1')],
    ['declared only in the XML declaration', 'application/rss+xml', Buffer.from(latin1Feed.replace('’', "'"), 'latin1')],
    ['in UTF-16LE with a BOM', 'application/rss+xml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(latin1Feed.replace('ISO-8859-1', 'UTF-16'), 'utf16le')])],
  ])('reads "Café" from a feed %s', async (_name, contentType, body) => {
    const env = await serve([{ path: '/feed.xml', headers: { 'content-type': contentType }, body }])
    const { pages } = await pull(env, 'https://blog.example.fr/feed.xml')
    expect(pages[0]?.mentions[0]?.title).toBe('Café Globex : très bien')
    expect(pages[0]?.mentions[0]?.text).toMatch(/^Un café crème, s.il vous plaît\.$/)
  })
})
