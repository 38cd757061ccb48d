import { describe, expect, it } from 'vitest'
import { createHttp } from '../../src/net/client.js'
import { hasSecret, hostAndPath, instanceKeyOf, looksLikeSecretValue, redactText, redactUrl, withoutSecrets } from '../../src/net/redact.js'
import { HttpError } from '../../src/net/types.js'
import { readFeed } from '../../src/sources/rss.js'
import { useReplayServers } from '../support/replay.js'

const serve = useReplayServers()
const TOKEN = 'q8ZxT3vR0pLm7Ye2Wk9Nc4Hb'

describe('credential-looking values', () => {
  it('redacts a high-entropy value whatever the parameter is called', () => {
    expect(looksLikeSecretValue(TOKEN)).toBe(true)
    expect(redactUrl(`https://feeds.example.com/f?feed=${TOKEN}&q=acme`)).toBe('https://feeds.example.com/f?feed=***&q=acme')
  })
  it('keeps search words, slugs, dates and numbers', () => {
    for (const v of ['acme', 'acme-cloud-2026-outage', '2026-12-01T10:00:00Z', '1234567890123456789012', 'hello_world_of_acme_users'])
      expect(looksLikeSecretValue(v), v).toBe(false)
  })
  it('hides Google Alerts feed paths in URLs and in host-and-path lines', () => {
    const feed = 'https://www.google.com/alerts/feeds/06512345678901234567/1234567890123456789'
    expect(redactUrl(feed)).toBe('https://www.google.com/alerts/feeds/***/***')
    expect(hostAndPath(feed)).toBe('www.google.com/alerts/feeds/***/***')
    expect(hasSecret(feed)).toBe(true)
    expect(withoutSecrets(feed)).toBe('https://www.google.com/')
  })
  it('redacts every URL inside free text', () => {
    const text = `fetch https://api.example.com/x?token=abc123&u=${TOKEN} failed; see https://www.google.com/alerts/feeds/1/2`
    expect(redactText(text)).toBe('fetch https://api.example.com/x?token=***&u=*** failed; see https://www.google.com/alerts/feeds/***/***')
  })
  it('keeps instance keys apart when redaction would make two feeds look alike', () => {
    const a = instanceKeyOf('https://www.google.com/alerts/feeds/1/2')
    const b = instanceKeyOf('https://www.google.com/alerts/feeds/1/3')
    expect(a).not.toBe(b)
    expect(a).not.toContain('/1/2')
    // Keys of ordinary feeds are what they always were.
    expect(instanceKeyOf('https://blog.example.com/feed?key=abc')).toBe('https://blog.example.com/feed?key=***')
  })
})

describe('rss permalink fallback', () => {
  const rss = (channelLink: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${channelLink}
    <item><title>Acme is down</title><description>acme again</description><pubDate>Tue, 01 Dec 2026 10:00:00 GMT</pubDate></item>
  </channel></rss>`
  it('never uses a secret-bearing feed URL as an item URL', () => {
    const feedUrl = `https://feeds.example.com/private.rss?token=${TOKEN}&lang=en`
    const { drafts } = readFeed(rss(''), feedUrl, Date.parse('2026-12-02T00:00:00Z'))
    expect(drafts[0]?.url).toBe('https://feeds.example.com/private.rss?lang=en')
    expect(JSON.stringify(drafts)).not.toContain(TOKEN)
  })
  it("uses the feed's site link when it has one", () => {
    const { drafts } = readFeed(rss('<link>https://blog.example.com/</link>'), `https://feeds.example.com/p.rss?token=${TOKEN}`, 0)
    expect(drafts[0]?.url).toBe('https://blog.example.com/')
  })
})

describe('HttpError detail', () => {
  it('keeps a capped, redacted body and the explaining headers for adapters', async () => {
    const body = JSON.stringify({ error: { code: 'quota', detail: `see https://x.example.com/?token=${TOKEN}` }, pad: 'x'.repeat(5000) })
    const s = await serve([{ path: '/api', status: 403, headers: { 'content-type': 'application/json', 'x-ratelimit-remaining': '0', 'set-cookie': 'sid=1' }, body }])
    const http = createHttp({ userAgent: 't', retries: 0 })
    const err = await http.get(`${s.url}/api?key=SENTKEY123`).catch((e: unknown) => e)
    await http.close()
    expect(err).toBeInstanceOf(HttpError)
    const e = err as HttpError
    expect(e.body.length).toBe(2048)
    expect(e.body).toContain('"code":"quota"')
    expect(e.body).not.toContain(TOKEN)
    expect(e.headers['x-ratelimit-remaining']).toBe('0')
    expect(e.headers['set-cookie']).toBeUndefined()
  })
})
