// Parses every recorded Graph API response in the shared real fixtures (not shipped with the
// repo); without them the suite skips, saying so. Error bodies must give their clear line.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { RateLimitError } from '../../src/net/types.js'
import { parseFacebookComments, parseFacebookPage, readGraphError, type FacebookEdge } from '../../src/sources/facebook.js'
import { CredentialsRejectedError } from '../../src/sources/types.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

const DIR = 'facebook'
const NOW = Date.parse('2026-12-01T00:00:00Z')

/** The line each recorded error must produce, by a part of its file name. */
const ERROR_LINES: [RegExp, RegExp, new (...args: never[]) => Error][] = [
  [/error_190/, /^the Page token expired or was revoked \(the password changed\): make a new FACEBOOK_PAGE_TOKEN \(credentials rejected; Graph error #190\/460/, CredentialsRejectedError],
  [/ppca/, /^Facebook asked for Page Public Content Access, which needs an app token or appsecret_proof: FACEBOOK_PAGE_TOKEN must be a Page access token/, CredentialsRejectedError],
  [/missing_permission/, /^the Page token lacks the pages_read_engagement permission: grant it to the app and make a new FACEBOOK_PAGE_TOKEN/, CredentialsRejectedError],
  [/rate_limit/, /^Facebook rate limit reached for this Page \(Graph error #80001: .*\); retry after 2026-12-01T01:00:00\.000Z/, RateLimitError],
]

/** The Page each recorded body belongs to: the id its posts and permalinks carry. */
function pageOf(file: string, body: string): string {
  if (file.startsWith('legacy_2013')) return '551698484887540'
  return /"id"\s*:\s*"(\d+)_/.exec(body)?.[1] ?? /facebook\.com\/(\d+)\/posts\//.exec(body)?.[1] ?? '0'
}

function edgeOf(file: string): FacebookEdge {
  if (file.includes('ratings')) return 'ratings'
  if (file.includes('tagged')) return 'tagged'
  if (file.startsWith('legacy_2013')) return 'visitor_posts'
  return 'posts'
}

realSuite('facebook conformance', () => {
  const files = filesIn(DIR)
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))

  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath(DIR, file), 'utf8')
    const pageId = pageOf(file, body)
    if (/^\s*\{\s*"error"/.test(body)) {
      const expected = ERROR_LINES.find(([name]) => name.test(file))
      let thrown: unknown
      try {
        parseFacebookPage(body, { edge: 'posts', pageId, now: NOW })
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(Error)
      if (expected) {
        expect((thrown as Error).message).toMatch(expected[1])
        expect(thrown).toBeInstanceOf(expected[2])
      } else {
        expect((thrown as Error).message).toMatch(/Graph error #\d+/)
      }
      return
    }
    const comments = /comments/.test(file) && !file.startsWith('page_posts')
    const parsed = comments
      ? parseFacebookComments(body, { pageId, about: 'Brand' })
      : parseFacebookPage(body, { edge: edgeOf(file), pageId, about: 'Brand' })
    expect(parsed.skipped).toBe(0)
    expectClean(parsed.drafts)
    for (const d of parsed.drafts) {
      expect(d.about).toBe('Brand')
      expect(d.url).toMatch(/^https:\/\//)
    }
  })

  it("recognises the Page's own comment by from.id and links it to the post it answers", () => {
    const file = files.find((f) => f.startsWith('legacy_2013'))
    if (!file) return
    const drafts = parseFacebookPage(readFileSync(realPath(DIR, file), 'utf8'), { edge: 'visitor_posts', pageId: '551698484887540', about: 'Brand' }).drafts
    const own = drafts.filter((d) => d.byOwner)
    expect(own.map((d) => [d.externalId, d.parentExternalId])).toEqual([
      ['551698484887540_590994667624588', undefined],
      ['590994667624588_85112832', '551698484887540_590994667624588'],
    ])
  })

  it('reads the error bodies also from the head the HTTP client keeps', () => {
    for (const file of files.filter((f) => f.startsWith('error_'))) {
      const body = readFileSync(realPath(DIR, file), 'utf8').replace(/\s+/g, ' ')
      expect(readGraphError(body.slice(0, 120))?.code ?? readGraphError(body.slice(0, 120))?.message).toBeDefined()
    }
  })

  it('reads a recommendation without stars as having none', () => {
    const file = files.find((f) => f.includes('ratings'))
    if (!file) return
    const drafts = parseFacebookPage(readFileSync(realPath(DIR, file), 'utf8'), { edge: 'ratings', pageId: '117623211277081' }).drafts
    expect(drafts.map((d) => [d.title, d.rating])).toEqual([['Does not recommend', undefined], ['Recommends', undefined]])
  })
})
