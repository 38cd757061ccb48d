// Parses every recorded Bluesky response in ../shared/fixtures/real/bluesky (searchPosts,
// getAuthorFeed, getPostThread). The folder is not shipped; without it the suite skips.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parseBlueskyPage } from '../../src/sources/bluesky.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('bluesky conformance', () => {
  const files = filesIn('bluesky')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))

  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('bluesky', file), 'utf8')
    const value = JSON.parse(body) as Record<string, unknown>
    if (typeof value.error === 'string') {
      // An XRPC error body must say what the server said, not crash or read as "no posts".
      expect(() => parseBlueskyPage(body)).toThrow(SourceResponseError)
      return
    }
    const page = parseBlueskyPage(body)
    expect(page.skipped).toBe(0)
    expectClean(page.drafts)
    for (const d of page.drafts) {
      expect(d.externalId).toMatch(/^at:\/\/[^/]+\/app\.bsky\.feed\.post\/[^/]+$/)
      expect(d.url).toMatch(/^https:\/\/bsky\.app\/profile\/[^/]+\/post\/[^/]+$/)
      if (d.parentExternalId) expect(d.parentExternalId).toMatch(/^at:\/\//)
    }
  })

  it('reads reply refs from the recorded author feed, skipping its reposts', () => {
    const file = files.find((f) => f.startsWith('getAuthorFeed'))
    if (!file) return
    const page = parseBlueskyPage(readFileSync(realPath('bluesky', file), 'utf8'))
    expect(page.reposts).toBeGreaterThan(0)
    expect(page.drafts.every((d) => d.author?.handle === 'chriskenny.bsky.social')).toBe(true)
    expect(page.drafts.filter((d) => d.parentExternalId && d.threadExternalId).length).toBeGreaterThan(0)
  })

  it('reads the recorded search page with its cursor, langs and engagement', () => {
    const file = files.find((f) => f.startsWith('searchPosts'))
    if (!file) return
    const page = parseBlueskyPage(readFileSync(realPath('bluesky', file), 'utf8'))
    expect(page.drafts).toHaveLength(25)
    expect(page.cursor).toBe('25')
    expect(page.drafts.some((d) => d.lang === 'en')).toBe(true)
    expect(page.drafts.every((d) => d.metrics?.likes !== undefined)).toBe(true)
  })
})
