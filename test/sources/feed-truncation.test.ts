// A feed cut short is a failed fetch. Found by fault injection: about one random cut in seven
// still parsed, and the cut item was stored again under its link, dated at pull time, with
// empty text, while the cursor moved to "now" and the full feed's ETag was saved.
import { readFileSync } from 'node:fs'
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import type { MentionDraft } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import { NetworkError } from '../../src/net/types.js'
import { startReplayServer } from '../../src/net/replay.js'
import { parseFeed, rssOptions, rssSource } from '../../src/sources/rss.js'
import { SourceResponseError, type Page } from '../../src/sources/types.js'
import { seededRandom as seeded } from '../support/random.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/rss/${name}`, import.meta.url), 'utf8')
const NOW = Date.parse('2025-05-14T12:00:00Z')

const RDF = `<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="https://planet.example/"><title>Planet</title><link>https://planet.example/</link><description>d</description></channel>
  <item rdf:about="https://planet.example/a"><title>Globex and us</title><link>https://planet.example/a</link>
    <description>Hello</description><dc:date>2025-05-01T10:00:00Z</dc:date></item>
  <item rdf:about="https://planet.example/b"><title>Second</title><link>https://planet.example/b</link>
    <description>World</description><dc:date>2025-04-30T10:00:00Z</dc:date></item>
</rdf:RDF>
`


/** Items whose closing tag made it into the cut (a JSON Feed is all or nothing). */
function completeItems(cut: string, isJson: boolean, total: number): number {
  if (isJson) return total
  return (cut.match(/<\/(?:item|entry)\s*>/g) ?? []).length
}

describe('parseFeed: fault injection (random cuts)', () => {
  const feeds: [string, string, string][] = [
    ['blog.rss.xml', fixture('blog.rss.xml'), 'https://opsdesk.example.net/feed.xml'],
    ['blog.atom.xml', fixture('blog.atom.xml'), 'https://releases.globex.example/agent.atom'],
    ['feed.json', fixture('feed.json'), 'https://eng.initech.example/feed.json'],
    ['google-alerts.atom.xml', fixture('google-alerts.atom.xml'), 'https://www.google.com/alerts/feeds/1/2'],
    ['hnrss.xml', fixture('hnrss.xml'), 'https://hnrss.org/newcomments?q=globex'],
    ['podcast.rss.xml', fixture('podcast.rss.xml'), 'https://pagerfree.example.fm/feed.xml'],
    ['youtube-channel.atom.xml', fixture('youtube-channel.atom.xml'), 'https://www.youtube.com/feeds/videos.xml'],
    ['RSS 1.0 (RDF)', RDF, 'https://planet.example/rss'],
  ]

  it.each(feeds)('%s: every cut is rejected or yields only complete items of the full feed', (_name, body, url) => {
    const full = parseFeed(body, url, NOW)
    expect(full.length).toBeGreaterThan(0)
    const byId = new Map(full.map((d) => [d.externalId, d]))
    const isJson = body.trimStart().startsWith('{')
    const random = seeded(0x5eed ^ body.length)
    const CUTS = 200
    let rejected = 0
    for (let i = 0; i < CUTS; i++) {
      const at = 1 + Math.floor(random() * (body.length - 1))
      const cut = body.slice(0, at)
      let drafts: MentionDraft[]
      try {
        drafts = parseFeed(cut, url, NOW + 60_000)
      } catch (err) {
        expect(err, `cut at ${at}`).toBeInstanceOf(SourceResponseError)
        rejected++
        continue
      }
      // Never an item under another id, never a date invented at pull time, never a cut text.
      for (const d of drafts) expect(d, `cut at ${at}`).toEqual(byId.get(d.externalId))
      expect(drafts.length, `cut at ${at}`).toBe(Math.min(full.length, completeItems(cut, isJson, full.length)))
    }
    // Only cuts in the trailing newline can pass as whole documents.
    expect(rejected).toBeGreaterThan(CUTS * 0.9)
  })

  it.each([
    ['RSS without </rss>', fixture('blog.rss.xml').replace(/<\/rss>\s*$/, ''), '</rss>'],
    ['RSS cut after </channel>', fixture('blog.rss.xml').replace(/<\/rss>\s*$/, '').trimEnd(), '</rss>'],
    ['RDF without </rdf:RDF>', RDF.replace('</rdf:RDF>', ''), '</rdf:RDF>'],
    ['Atom without </feed>', fixture('blog.atom.xml').replace(/<\/feed>\s*$/, ''), '</feed>'],
    ['Atom cut after a whole entry', fixture('youtube-channel.atom.xml').slice(0, fixture('youtube-channel.atom.xml').indexOf('</entry>') + 8), '</feed>'],
  ])('rejects %s, naming the missing close', (_name, body, close) => {
    expect(() => parseFeed(body, 'https://a.example/feed', NOW)).toThrow(new RegExp(`ends before its closing ${close}`))
  })

  it('rejects a JSON Feed that does not parse', () => {
    const body = fixture('feed.json').slice(0, -5)
    expect(() => parseFeed(body, 'https://a.example/feed.json', NOW)).toThrow(/not a complete JSON Feed/)
  })

  it('accepts whole documents with a doctype, trailing comments, whitespace or a BOM', () => {
    const rss =
      '\uFEFF<?xml version="1.0"?>\n<!-- generated -->\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">\n' +
      '<rss version="0.91"><channel><title>t</title><link>https://a.example/</link><item><title>x</title><link>https://a.example/x</link></item></channel></rss >\n<!-- cached 0.2s -->\n\n'
    expect(parseFeed(rss, 'https://a.example/feed', NOW).map((d) => d.externalId)).toEqual(['https://a.example/x'])
  })

  it('never prefixes its errors with "rss: " (the pull names the source)', () => {
    for (const body of ['nope', '<rss version="2.0"><channel>', '{"version":']) {
      try {
        parseFeed(body, 'https://a.example/feed', NOW)
        expect.unreachable()
      } catch (err) {
        expect((err as Error).message.startsWith('rss:')).toBe(false)
      }
    }
  })
})

// ---------------------------------------------------------------------------------------
// search(): a cut body throws, so the pull stores nothing of it and keeps cursor and validators

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function search(baseUrl: string, url: string): Promise<Page[]> {
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => http.close())
  const ctx = { http, options: rssOptions.parse({ url, baseUrl }), env: {}, now: () => NOW, warn: () => {} }
  const pages: Page[] = []
  const cursor = { at: Date.parse('2025-05-01T00:00:00Z'), etag: '"old"' }
  for await (const page of rssSource.search(ctx, { maxPages: 1, since: 0, cursor })) pages.push(page)
  return pages
}

describe('rss search() on a cut feed', () => {
  it('throws for a whole transfer of a document that does not close, yielding no page', async () => {
    const cut = fixture('blog.rss.xml').slice(0, fixture('blog.rss.xml').lastIndexOf('</item>') + 7)
    const server = await startReplayServer([{ path: '/feed.xml', headers: { etag: '"full"' }, body: cut }])
    cleanups.push(() => server.close())
    const pages: Page[] = []
    await expect(
      (async () => {
        pages.push(...(await search(server.url, 'https://opsdesk.example.net/feed.xml')))
      })(),
    ).rejects.toThrow(SourceResponseError)
    expect(pages).toEqual([])
  })

  it('throws for a body shorter than its Content-Length from a server that then closes', async () => {
    const body = Buffer.from(fixture('blog.rss.xml'))
    const sockets = new Set<Socket>()
    const raw = createServer((socket) => {
      sockets.add(socket)
      socket.on('error', () => undefined)
      socket.once('data', () => {
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: "full"\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`)
        socket.end(body.subarray(0, body.indexOf('</item>') + 7))
      })
    })
    await new Promise<void>((resolve) => raw.listen(0, '127.0.0.1', resolve))
    cleanups.push(async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => raw.close(() => resolve()))
    })
    const baseUrl = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`
    await expect(search(baseUrl, 'https://opsdesk.example.net/feed.xml')).rejects.toThrow(NetworkError)
  })
})
