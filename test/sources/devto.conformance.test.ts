// Parses every recorded Forem response in the shared folder (absent: the suite skips, saying so).
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { readDevtoArticles, readDevtoComments } from '../../src/sources/devto.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('devto conformance', () => {
  const files = filesIn('devto')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))
  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('devto', file), 'utf8')
    const value: unknown = JSON.parse(body)
    // An error body or a comment tree must read as one, never crash.
    if (!Array.isArray(value)) {
      expect(() => readDevtoArticles(body, file)).toThrow(SourceResponseError)
      return
    }
    const isComments = value.some((v: unknown) => typeof v === 'object' && v !== null && 'id_code' in v)
    const drafts = isComments ? readDevtoComments(body, { id: '1' }, file).drafts : readDevtoArticles(body, file).items.map((i) => i.draft)
    expectClean(drafts)
    for (const d of drafts) {
      expect(d.externalId).toMatch(/^(article|comment):\S+$/)
      expect(new URL(d.url).protocol).toBe('https:')
    }
    if (!isComments) expect(readDevtoArticles(body, file).skipped).toBe(0)
  })
})
