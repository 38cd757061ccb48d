// Parses every recorded Discourse response in ../shared/fixtures/real/discourse (not shipped;
// MENTIONS_REAL_FIXTURES points elsewhere). Without the folder the suite skips, saying so.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parseDiscourse } from '../../src/sources/discourse.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

const BASE = 'https://forum.example.com'
const read = (file: string): string => readFileSync(realPath('discourse', file), 'utf8')

realSuite('discourse conformance', () => {
  const files = filesIn('discourse')
  const json = files.filter((f) => f.endsWith('.json'))
  const other = files.filter((f) => !f.endsWith('.json'))

  it('has recorded responses to check', () => expect(json.length).toBeGreaterThan(0))

  it.each(json)('%s parses to clean drafts', (file) => {
    const drafts = parseDiscourse(read(file), BASE)
    expectClean(drafts)
    for (const d of drafts) {
      expect(d.externalId).toMatch(/^post:\d+$/)
      expect(d.threadExternalId).toMatch(/^topic:\d+$/)
      expect(d.url).toMatch(new RegExp(`^${BASE}/t/[^/]+/\\d+/\\d+$`))
      expect(d.author?.handle).toBeTruthy()
    }
  })

  // A body that is not the JSON API (the forum's RSS, an HTML error page) must say so.
  it.each(other)('%s is refused with a clear error, not a crash', (file) => {
    expect(() => parseDiscourse(read(file), BASE)).toThrow(SourceResponseError)
    expect(() => parseDiscourse(read(file), BASE)).toThrow(/^response is not JSON \(/)
  })

  it('links replies in a topic chunk to the topic’s first post, and reads likes from actions_summary', () => {
    const file = json.find((f) => f.startsWith('topic_2144'))
    if (!file) return
    const drafts = parseDiscourse(read(file), BASE)
    const first = drafts.find((d) => d.url.endsWith('/2144/1'))
    expect(first?.metrics?.likes).toBe(1)
    expect(first?.parentExternalId).toBeUndefined()
    for (const d of drafts.filter((x) => x !== first)) expect(d.parentExternalId).toBe(first?.externalId)
  })
})
