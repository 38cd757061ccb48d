// Parses every recorded App Store customer-reviews page in the shared folder (absent: the
// suite skips, saying so). File names say the storefront and app: customerreviews_<cc>_id<app>_…
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { readAppStore } from '../../src/sources/appstore.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

function feedOf(file: string): { country: string; appId: string } {
  const m = /^customerreviews_([a-z]{2})_id(\d+)_/.exec(file)
  if (!m?.[1] || !m[2]) throw new Error(`unexpected fixture name ${file}`)
  return { country: m[1], appId: m[2] }
}

realSuite('appstore conformance', () => {
  const files = filesIn('appstore')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))

  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('appstore', file), 'utf8')
    const feed = feedOf(file)
    const read = readAppStore(body, feed, file)
    expect(read.skipped).toBe(0)
    expect(read.reviews).toBeGreaterThan(0)
    expect(read.lastPage).toBeGreaterThanOrEqual(1)
    let drafts = read.drafts
    if (drafts.length === 0) {
      // The 2019 JSON carries no dates: every review is counted undated, none is made up.
      expect(read.undated).toBe(read.reviews)
      // With a date added, everything else in the real JSON shape must read cleanly.
      const value = JSON.parse(body) as { feed: { entry: Record<string, unknown>[] } }
      for (const e of value.feed.entry) e['updated'] = { label: '2019-10-11T12:00:00-07:00' }
      drafts = readAppStore(value, feed, file).drafts
      expect(drafts).toHaveLength(read.reviews)
    } else {
      expect(read.undated).toBe(0)
      expect(drafts).toHaveLength(read.reviews)
    }
    expectClean(drafts)
    for (const d of drafts) {
      expect(d.externalId).toMatch(/^\d+$/)
      expect(d.url).toBe(`https://apps.apple.com/${feed.country}/app/id${feed.appId}?see-all=reviews`)
      expect(d.rating).toBeGreaterThanOrEqual(1)
      expect(d.rating).toBeLessThanOrEqual(5)
      expect(d.author?.handle).toBeTruthy()
      expect(d.text.length + (d.title ?? '').length).toBeGreaterThan(0)
      expect(d.lang).toBeUndefined()
    }
    // Newest first, as the walk relies on.
    const times = drafts.map((d) => d.createdAt)
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it.each(files)('%s cut short in transit is a clear error', (file) => {
    const body = readFileSync(realPath('appstore', file), 'utf8')
    expect(() => readAppStore(body.slice(0, Math.floor(body.length / 2)), feedOf(file), file)).toThrow(SourceResponseError)
  })
})
