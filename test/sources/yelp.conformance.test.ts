// Parses every recorded Yelp response in the shared folder (absent: the suite skips, saying so).
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { BusinessError, parseYelpBusiness, parseYelpReviews, yelpApiError, yelpErrorFromSnippet } from '../../src/sources/yelp.js'
import { CredentialsRejectedError } from '../../src/sources/types.js'
import { errorSnippet } from '../../src/net/redact.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

interface Recorded {
  status: number
  body: { error: { code: string; description: string; field?: string } }
}

// What each of Yelp's own error mocks must read as: the kind of failure and its line.
const expected: Record<string, [new (...a: never[]) => Error, RegExp]> = {
  VALIDATION_ERROR: [Error, /^Yelp refused the locale \(VALIDATION_ERROR: 'en_USS' does not match .*\); check "locale"/],
  INVALID_LOCALE: [Error, /^Yelp refused the locale \(INVALID_LOCALE: The locale you specified is not valid.\)/],
  INVALID_AUTHORIZATION_METHOD: [CredentialsRejectedError, /^credentials rejected \(INVALID_AUTHORIZATION_METHOD: .*\); check YELP_API_KEY$/],
  UNAUTHORIZED_ACCESS_TOKEN: [CredentialsRejectedError, /^credentials rejected \(UNAUTHORIZED_ACCESS_TOKEN: .*\); check YELP_API_KEY$/],
  TOKEN_INVALID: [CredentialsRejectedError, /^credentials rejected \(TOKEN_INVALID: .*\); check YELP_API_KEY$/],
  BUSINESS_UNAVAILABLE: [BusinessError, /^Yelp serves no reviews for business "fake-business-alias" \(BUSINESS_UNAVAILABLE: /],
  BUSINESS_NOT_FOUND: [BusinessError, /^business "fake-business-alias" not found on Yelp \(BUSINESS_NOT_FOUND: .*\); check businessIds$/],
  TOO_MANY_REQUESTS_PER_SECOND: [Error, /^rate limit reached: too many requests per second \(TOO_MANY_REQUESTS_PER_SECOND: /],
  ACCESS_LIMIT_REACHED: [Error, /^daily request limit reached \(ACCESS_LIMIT_REACHED: .*\); it resets at \S+Z$/],
  INTERNAL_ERROR: [BusinessError, /^Yelp failed on business "fake-business-alias" \(INTERNAL_ERROR: .*\); try again later$/],
}

realSuite('yelp conformance', () => {
  const files = filesIn('yelp')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))
  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('yelp', file), 'utf8')
    const value = JSON.parse(body) as unknown
    if (Array.isArray(value)) {
      // Yelp's own error mocks: each reads as its line, as a body and as the client's snippet of it.
      for (const { status, body: errBody } of value as Recorded[]) {
        const [kind, line] = expected[errBody.error.code] ?? [Error, /^$/]
        const fromBody = yelpApiError(status, errBody.error, 'fake-business-alias', { nowMs: 0 })
        expect(fromBody).toBeInstanceOf(kind)
        expect(fromBody.message).toMatch(line)
        const snippet = yelpErrorFromSnippet(errorSnippet(JSON.stringify(errBody), [], 120))
        expect(snippet?.code).toBe(errBody.error.code)
        expect(yelpApiError(status, snippet ?? {}, 'fake-business-alias')).toBeInstanceOf(kind)
        // A 200 carrying an error body is no "no reviews" either.
        expect(() => parseYelpReviews(errBody, { businessId: 'fake-business-alias' })).toThrow(line.source.startsWith('^daily') ? /daily request limit/ : line)
      }
      return
    }
    const v = value as Record<string, unknown>
    if ('reviews' in v) {
      const read = parseYelpReviews(body, { url: file })
      expectClean(read.drafts)
      expect(read.skipped).toBe(0)
      expect(read.drafts).toHaveLength(3)
      for (const d of read.drafts) {
        expect(d.rating).toBeGreaterThanOrEqual(1)
        expect(d.url).toMatch(/^https:\/\/www\.yelp\.com\/biz\/[^?]+\?hrid=\S+$/)
        expect(d.author?.handle).toBeTruthy()
      }
      // time_created "2023-06-11 11:33:42" is Pacific (PDT): 18:33:42 UTC.
      expect(read.drafts.find((d) => d.externalId === 'SY0E3asN2tPsYfC95Qg3Sw')?.createdAt).toBe(Date.parse('2023-06-11T18:33:42Z'))
      return
    }
    if ('businesses' in v) return // search results: not read by this adapter (ids are configured)
    expect(parseYelpBusiness(body, 'yelp-san-francisco', file).id).toBe('4kMBvIEWPxWkWKFN__8SxQ')
  })
})
