// Parses every recorded Stack Exchange response in the shared real fixtures (not shipped with
// the repo); without them the suite skips, saying so.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { StackExchangeApiError, parseStackExchangePage } from '../../src/sources/stackexchange.js'
import { CredentialsRejectedError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('stackexchange conformance', () => {
  const files = filesIn('stackexchange')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))

  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('stackexchange', file), 'utf8')
    if (/"error_id"\s*:/.test(body) && !/"items"\s*:/.test(body)) {
      // An error body must say which error it is, not crash or read as "no news".
      expect(() => parseStackExchangePage(body)).toThrow(/\(\d+\)/)
      try {
        parseStackExchangePage(body)
      } catch (err) {
        expect(err instanceof StackExchangeApiError || err instanceof CredentialsRejectedError).toBe(true)
      }
      return
    }
    const page = parseStackExchangePage(body)
    expect(page.skipped).toBe(0)
    expectClean(page.drafts)
    for (const d of page.drafts) {
      expect(d.externalId).toMatch(/^[qa]\d+$/)
      expect(d.author?.handle).toMatch(/^stackoverflow:\d+$/)
      expect(d.title?.length).toBeGreaterThan(0)
    }
  })

  it('reads bodies from a body-including filter, whose owners carry no reputation', () => {
    const file = filesIn('stackexchange').find((f) => f.includes('with_body'))
    if (!file) return
    const page = parseStackExchangePage(readFileSync(realPath('stackexchange', file), 'utf8'))
    expect(page.drafts.every((d) => d.text.length > 0)).toBe(true)
    expect(page.drafts.every((d) => d.author?.reach === undefined)).toBe(true)
    expect(page).toMatchObject({ hasMore: true, quotaMax: 300 })
  })
})
