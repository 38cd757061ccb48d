// Parses every recorded GitHub response in the shared real-fixtures folder: search bodies must
// give clean drafts, comment lists too, and an error body must give a SourceResponseError that
// repeats GitHub's message, never a crash or an empty success.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parseGitHubComments, parseGitHubSearchPage } from '../../src/sources/github.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('github conformance', () => {
  const files = filesIn('github')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))
  it.each(files)('%s', (file) => {
    const text = readFileSync(realPath('github', file), 'utf8')
    const value: unknown = JSON.parse(text)
    if (Array.isArray(value)) {
      expectClean(parseGitHubComments(text, { externalId: 'recorded/repo#1' }).drafts)
      return
    }
    if (typeof value === 'object' && value !== null && 'items' in value) {
      const page = parseGitHubSearchPage(text)
      expect(page.skipped).toBe(0)
      expectClean(page.issues.map((i) => i.draft))
      for (const i of page.issues) expect(i.draft.externalId).toMatch(/^[^/\s]+\/[^/\s#]+#\d+$/)
      return
    }
    expect(() => parseGitHubSearchPage(text)).toThrow(SourceResponseError)
  })
})
