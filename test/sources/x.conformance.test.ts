// Parses every recorded X API v2 response in ../shared/fixtures/real/x (recent search with the
// default fields and with expansions, a quote-tweets page) and reads the rate-limit headers
// of their .meta.json. The folder is not shipped; without it the suite skips.
import { existsSync, readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { rateLimitState } from '../../src/sources/common.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { parseXPage } from '../../src/sources/x.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('x conformance', () => {
  const files = filesIn('x')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))

  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('x', file), 'utf8')
    const value = JSON.parse(body) as Record<string, unknown>
    if (!Array.isArray(value.data) && (value.errors !== undefined || value.title !== undefined)) {
      // An error body must say what X said, not crash or read as "no posts".
      expect(() => parseXPage(body)).toThrow(SourceResponseError)
      return
    }
    const page = parseXPage(body)
    expect(page.skipped).toBe(0)
    expect(page.count).toBe((value.data as unknown[]).length)
    expectClean(page.drafts)
    for (const d of page.drafts) {
      expect(d.externalId).toMatch(/^\d+$/)
      expect(d.url).toMatch(new RegExp(`^https://x\\.com/(\\w+|i/web)/status/${d.externalId}$`))
      if (d.parentExternalId) expect(d.parentExternalId).toMatch(/^\d+$/)
      // Recorded between 2020 and 2022, whether created_at was asked for or read from the id.
      expect(d.createdAt).toBeGreaterThan(Date.parse('2019-01-01'))
      expect(d.createdAt).toBeLessThan(Date.parse('2023-01-01'))
      expect(d.lang).not.toBe('und')
    }
  })

  it('names authors from includes.users and links replies by replied_to', () => {
    const file = files.find((f) => f.startsWith('search_recent_docs_example'))
    if (!file) return
    const page = parseXPage(readFileSync(realPath('x', file), 'utf8'))
    expect(page.drafts[0]).toMatchObject({
      externalId: '1276035977375477760',
      url: 'https://x.com/happycamper/status/1276035977375477760',
      author: { handle: 'happycamper', name: 'Emily Waligoske 🏕' },
      parentExternalId: '1275653067283759104',
      lang: 'en',
    })
    expect(page.drafts.some((d) => d.lang === undefined)).toBe(true)
  })

  it('reads public_metrics, conversation_id and the next_token of the quote-tweets page', () => {
    const file = files.find((f) => f.startsWith('quote_tweets'))
    if (!file) return
    const page = parseXPage(readFileSync(realPath('x', file), 'utf8'))
    expect(page.nextToken).toBe('at3vehuk2txh')
    expect(page.drafts[0]).toMatchObject({ metrics: { likes: 0, reposts: 160, replies: 0 }, threadExternalId: '1495979553889697792', author: { handle: 'j_a_tucker' } })
  })

  it('reads the recorded x-rate-limit-* headers', () => {
    const metas = files.map((f) => realPath('x', f.replace(/\.json$/, '.meta.json'))).filter((p) => existsSync(p))
    for (const meta of metas) {
      const raw = JSON.parse(readFileSync(meta, 'utf8')) as { headers: Record<string, string[]> }
      const headers = Object.fromEntries(Object.entries(raw.headers).map(([k, v]) => [k.toLowerCase(), v.join(', ')]))
      const now = Date.parse(headers.date ?? '')
      const state = rateLimitState(headers, now)
      expect(state?.limit).toBe(450)
      expect(state?.remaining).toBeGreaterThan(400)
      expect(state?.resetAt).toBe(Number(headers['x-rate-limit-reset']) * 1000)
    }
  })
})
