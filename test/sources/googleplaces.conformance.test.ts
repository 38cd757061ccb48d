// Parses every recorded Google Places response in the shared folder (absent: the suite skips, saying so).
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parseGooglePlaces, parseGooglePlacesLegacy } from '../../src/sources/googleplaces.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('googleplaces conformance', () => {
  const files = filesIn('googleplaces')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))
  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('googleplaces', file), 'utf8')
    const value = JSON.parse(body) as { status?: unknown; id?: string }
    const legacy = typeof value.status === 'string'
    if (legacy && value.status !== 'OK') {
      // An error body reads as its one line, never as "no reviews".
      expect(() => parseGooglePlacesLegacy(body, 'P', file)).toThrow(/^rate or quota limit reached \(OVER_QUERY_LIMIT: Please wait.\)/)
      return
    }
    const read = legacy ? parseGooglePlacesLegacy(body, 'ChIJN1t_tDeuEmsRUsoyG83frY4', file) : parseGooglePlaces(body, value.id ?? 'P', file)
    expectClean(read.drafts)
    expect(read.skipped).toBe(0)
    expect(read.drafts).toHaveLength(5)
    for (const d of read.drafts) {
      expect(d.rating).toBeGreaterThanOrEqual(1)
      expect(d.rating).toBeLessThanOrEqual(5)
      expect(d.author?.name).toBeTruthy()
      expect(d.externalId).toMatch(/^places\/[\w-]+\/reviews\/\S+$/)
      expect(new URL(d.url).protocol).toBe('https:')
    }
    expect(new Set(read.drafts.map((d) => d.externalId)).size).toBe(5)
  })
})
