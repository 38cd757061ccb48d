// Parses every recorded Trustpilot response in the shared folder (absent: the suite skips, saying
// so). Today that is the documentation's "find a business unit" example; a recorded reviews list
// is read as one when it arrives.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parseTrustpilotBusinessUnit, readTrustpilotReviews } from '../../src/sources/trustpilot.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('trustpilot conformance', () => {
  const files = filesIn('trustpilot')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))
  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('trustpilot', file), 'utf8')
    const value: unknown = JSON.parse(body)
    const isObject = typeof value === 'object' && value !== null
    if (isObject && 'reviews' in value) {
      const read = readTrustpilotReviews(body, file)
      expect(read.skipped).toBe(0)
      expectClean(read.drafts)
      for (const d of read.drafts) {
        expect(d.url).toBe(`https://www.trustpilot.com/reviews/${d.externalId}`)
        if (d.rating !== undefined) expect([1, 2, 3, 4, 5]).toContain(d.rating)
      }
      return
    }
    if (isObject && 'id' in value) {
      const unit = parseTrustpilotBusinessUnit(body, file)
      expect(unit.id).toMatch(/^[A-Za-z0-9]{8,40}$/)
      expect(unit.displayName?.length).toBeGreaterThan(0)
      return
    }
    // An error body must read as a clear error, never crash.
    expect(() => readTrustpilotReviews(body, file)).toThrow(SourceResponseError)
  })
})
