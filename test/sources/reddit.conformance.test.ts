// Parses every recorded Reddit response in ../shared/fixtures/real/reddit (PRAW cassettes:
// a 2016 search listing, a 2023 subreddit comment listing, a 2025 thread); skips without them.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { parseRedditPage } from '../../src/sources/reddit.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

/** Fullnames of the items whose rendered HTML quotes markup as escaped text. */
function quotingMarkup(body: string): Set<string> {
  const out = new Set<string>()
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit)
    if (!v || typeof v !== 'object') return
    const o = v as Record<string, unknown>
    const html = [o.body_html, o.selftext_html].filter((h): h is string => typeof h === 'string').join('')
    if (typeof o.name === 'string' && /&lt;[a-z/]/i.test(html)) out.add(o.name)
    Object.values(o).forEach(visit)
  }
  visit(JSON.parse(body))
  return out
}

realSuite('reddit conformance', () => {
  const files = filesIn('reddit')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))

  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('reddit', file), 'utf8')
    let page
    try {
      page = parseRedditPage(body, file)
    } catch (err) {
      // An error body among them must say what it is, never crash the parser.
      expect(err).toBeInstanceOf(SourceResponseError)
      expect((err as Error).message).toMatch(/^reddit: /)
      return
    }
    expect(page.skipped).toBe(0)
    // Code blocks that quote markup ("<module>" in a traceback) are text, escaped in the
    // source HTML: they keep their angle brackets. Every other draft must look clean.
    const quotesMarkup = quotingMarkup(body)
    expectClean(page.drafts.filter((d) => !quotesMarkup.has(d.externalId)))
    for (const d of page.drafts.filter((d) => quotesMarkup.has(d.externalId))) {
      // Reddit's own wrapper (<!-- SC_OFF --><div class="md">) never survives.
      expect(d.text).not.toMatch(/<!--|SC_OFF|SC_ON/)
      expect(d.text.startsWith('<div')).toBe(false)
    }
    for (const d of page.drafts) {
      expect(d.externalId).toMatch(/^t[13]_[a-z0-9]+$/)
      expect(new URL(d.url).hostname).toBe('www.reddit.com')
      if (d.externalId.startsWith('t1_')) {
        expect(d.parentExternalId).toMatch(/^t[13]_/)
        expect(d.threadExternalId).toMatch(/^t3_/)
      }
    }
  })

  it('reads the comment listing’s paging fullname and every comment of the thread', () => {
    if (!files.includes('subreddit_comments_listing_praw_2023.json')) return
    const listing = parseRedditPage(readFileSync(realPath('reddit', 'subreddit_comments_listing_praw_2023.json'), 'utf8'))
    expect(listing.after).toMatch(/^t1_/)
    expect(listing.drafts).toHaveLength(100)
  })
})
