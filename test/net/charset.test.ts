// Bodies are decoded by what the server and the document say, not assumed to be UTF-8: an
// ISO-8859-1 feed read as UTF-8 turns "Café" into "Caf\uFFFD", which no brand term matches.
import { afterEach, describe, expect, it } from 'vitest'
import { charsetOf, createHttp, decodeBody } from '../../src/net/client.js'
import { useReplayServers } from '../support/replay.js'

const serve = useReplayServers()
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

function client() {
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => http.close())
  return http
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1')
const utf16be = (s: string): Buffer => Buffer.from(s, 'utf16le').swap16()
const BOM_LE = Buffer.from([0xff, 0xfe])
const BOM_BE = Buffer.from([0xfe, 0xff])

const feed = (decl: string): string =>
  `<?xml version="1.0"${decl}?>\n<rss version="2.0"><channel><title>Café Globex</title></channel></rss>`

describe('decodeBody', () => {
  it('reads the Content-Type charset first', () => {
    expect(decodeBody(latin1('Café'), 'text/xml; charset=ISO-8859-1')).toBe('Café')
    expect(decodeBody(latin1('Café'), 'text/xml;charset="iso-8859-1"')).toBe('Café')
  })

  it('falls back to the BOM, then the XML declaration, then UTF-8', () => {
    expect(decodeBody(Buffer.concat([BOM_LE, Buffer.from('Café', 'utf16le')]), 'text/xml')).toBe('Café')
    expect(decodeBody(latin1(feed(' encoding="ISO-8859-1"')), 'application/rss+xml')).toContain('Café Globex')
    expect(decodeBody(Buffer.from('Café ✓', 'utf8'))).toBe('Café ✓')
  })

  it('lets the BOM pick the byte order when the header says only utf-16', () => {
    expect(decodeBody(Buffer.concat([BOM_BE, utf16be('Café')]), 'text/xml; charset=utf-16')).toBe('Café')
  })

  it('skips a label it does not know and ignores an XML declaration claiming UTF-16 in single bytes', () => {
    expect(decodeBody(Buffer.from('Café', 'utf8'), 'text/xml; charset=x-unknown-thing')).toBe('Café')
    expect(decodeBody(Buffer.from(feed(' encoding="UTF-16"'), 'utf8'))).toContain('Café Globex')
  })

  it('reads the charset parameter and nothing else', () => {
    expect(charsetOf('text/html; charset=windows-1252')).toBe('windows-1252')
    expect(charsetOf('application/json')).toBeUndefined()
    expect(charsetOf(undefined)).toBeUndefined()
  })
})

describe('createHttp decodes by charset over a real connection', () => {
  it.each([
    ['ISO-8859-1 declared by the header', 'application/rss+xml; charset=ISO-8859-1', latin1(feed(''))],
    ['ISO-8859-1 declared only by the XML declaration', 'application/rss+xml', latin1(feed(' encoding="ISO-8859-1"'))],
    ['windows-1252 (curly quotes and the euro sign)', 'text/xml; charset=windows-1252', Buffer.concat([
      latin1(feed('').replace('</title>', ' \x93quoted\x94 \x80</title>')),
    ])],
    ['UTF-16LE with a BOM', 'application/xml', Buffer.concat([BOM_LE, Buffer.from(feed(' encoding="UTF-16"'), 'utf16le')])],
    ['UTF-16BE with a BOM', 'application/xml', Buffer.concat([BOM_BE, utf16be(feed(' encoding="UTF-16"'))])],
  ])('%s', async (_name, contentType, body) => {
    const server = await serve([{ path: '/feed.xml', headers: { 'content-type': contentType }, body }])
    const res = await client().get(`${server.url}/feed.xml`)
    expect(res.body).toContain('<title>Café Globex')
    expect(res.body).not.toContain('\uFFFD')
    expect(res.body.startsWith('<?xml')).toBe(true)
    if (contentType.includes('windows-1252')) expect(res.body).toContain('“quoted” €')
  })

  it('decodes a compressed ISO-8859-1 body after decompressing it', async () => {
    const long = feed('').replace('</channel>', `${'<item><title>Crème brûlée</title></item>'.repeat(80)}</channel>`)
    const server = await serve([{ path: '/big.xml', headers: { 'content-type': 'text/xml; charset=iso-8859-1' }, body: latin1(long) }])
    const res = await client().get(`${server.url}/big.xml`)
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(res.body).toBe(long)
  })
})
