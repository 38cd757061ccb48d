// Parses every recorded Lobsters response in the shared folder (absent: the suite skips, saying so).
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { readLobsters } from '../../src/sources/lobsters.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('lobsters conformance', () => {
  const files = filesIn('lobsters')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))
  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('lobsters', file), 'utf8')
    const value: unknown = JSON.parse(body)
    const isResponse = Array.isArray(value) || (typeof value === 'object' && value !== null && 'short_id' in value)
    // An error body must read as a clear error, never crash.
    if (!isResponse) {
      expect(() => readLobsters(body, file)).toThrow(SourceResponseError)
      return
    }
    const read = readLobsters(body, file)
    expect(read.skipped).toBe(0)
    const drafts = [...read.stories.map((s) => s.draft), ...read.comments]
    expectClean(drafts)
    for (const s of read.stories) {
      expect(s.draft.externalId).toMatch(/^story:\w+$/)
      expect(new URL(s.draft.url).hostname).toBe('lobste.rs')
    }
  })
})
