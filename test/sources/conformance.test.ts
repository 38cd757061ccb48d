// Parses every recorded third-party response we have for these sources. The folder lives
// beside the repo (../shared/fixtures/real) and is not shipped; without it the suite skips.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MentionDraft } from '../../src/model.js'
import { parseHackerNews } from '../../src/sources/hackernews.js'
import { parseFeed } from '../../src/sources/rss.js'
import { expectClean, filesIn, realPresent as present, realRoot } from '../support/conformance.js'

const NOW = Date.parse('2026-01-01T00:00:00Z')

describe('conformance checks', () => {
  const ok: MentionDraft = { externalId: '1', url: 'https://a.example/1', text: 'fine & dandy', createdAt: 0 }
  it('accept clean drafts and reject markup, entities, relative URLs and bad times', () => {
    expect(() => expectClean([ok])).not.toThrow()
    expect(() => expectClean([])).toThrow()
    expect(() => expectClean([{ ...ok, text: 'a &amp; b' }])).toThrow()
    expect(() => expectClean([{ ...ok, title: 'I don&#x27;t' }])).toThrow()
    expect(() => expectClean([{ ...ok, text: 'x <p>y' }])).toThrow()
    expect(() => expectClean([{ ...ok, url: '/relative' }])).toThrow()
    expect(() => expectClean([{ ...ok, createdAt: Number.NaN }])).toThrow()
  })
})

const suite = present ? describe : describe.skip

suite(`conformance with recorded responses in ${present ? realRoot : '../shared/fixtures/real (absent: skipped)'}`, () => {
  describe('hackernews', () => {
    const files = filesIn('hackernews')
    it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))
    it.each(files)('%s', (file) => {
      expectClean(parseHackerNews(readFileSync(path.join(realRoot, 'hackernews', file), 'utf8')))
    })
  })

  describe('rss', () => {
    const files = filesIn('rss')
    it('has recorded feeds to check', () => expect(files.length).toBeGreaterThan(0))
    it.each(files)('%s', (file) => {
      const drafts = parseFeed(readFileSync(path.join(realRoot, 'rss', file), 'utf8'), `https://feeds.example/${file}`, NOW)
      expectClean(drafts)
      for (const d of drafts) expect(new URL(d.url).pathname).not.toBe('/url')
    })
  })
})

if (!present) {
  describe('conformance', () => {
    it.skip(`skipped: ${realRoot} does not exist (recorded third-party responses are not shipped with the repo)`, () => {})
  })
}
