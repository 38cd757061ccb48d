// Parses every recorded Mastodon response in the shared real-fixtures folder (not shipped;
// the suite skips, saying so, without it). Error bodies must give a clear error, not a crash.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parseMastodon } from '../../src/sources/mastodon.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('mastodon conformance', () => {
  const files = filesIn('mastodon')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))
  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('mastodon', file), 'utf8')
    const value: unknown = JSON.parse(body)
    if (value && typeof value === 'object' && 'error' in value) {
      expect(() => parseMastodon(body, `https://mastodon.example/${file}`)).toThrow(SourceResponseError)
      return
    }
    const drafts = parseMastodon(body, `https://mastodon.example/${file}`)
    expectClean(drafts)
    for (const d of drafts) {
      // Named by the global ActivityPub id, with the author as user@domain.
      expect(d.externalId).toMatch(/^https?:\/\//)
      expect(d.author?.handle).toMatch(/^[^@\s]+@[^@\s]+$/)
    }
  })
})
