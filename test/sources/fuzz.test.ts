// Property-based fuzzing of every source's parser: whatever a third party (or a middlebox)
// answers, a parser returns drafts or throws the typed SourceResponseError; nothing else
// escapes, and every draft it returns is well-formed. Cases are built from our fixtures'
// shapes (fields dropped, retyped, made huge, odd unicode, deep nesting) plus raw values.
// Fixed seed; each parser is bounded by a run count and a time limit, so the file stays fast.
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import type { MentionDraft } from '../../src/model.js'
import { parseAppStore, parseLookup } from '../../src/sources/appstore.js'
import { parseBluesky, parseBlueskyPage } from '../../src/sources/bluesky.js'
import { parseDevto, readDevtoComments } from '../../src/sources/devto.js'
import { parseDiscourse, parseDiscoursePosts, parseDiscourseSearch, parseDiscourseUserActions } from '../../src/sources/discourse.js'
import { parseFacebookComments, parseFacebookPage } from '../../src/sources/facebook.js'
import { parseFoursquare } from '../../src/sources/foursquare.js'
import { parseGitHub, parseGitHubComments, parseGitHubSearchPage } from '../../src/sources/github.js'
import { parseGooglePlaces, parseGooglePlacesLegacy } from '../../src/sources/googleplaces.js'
import { parseGooglePlay, parseGooglePlayPage } from '../../src/sources/googleplay/index.js'
import { parseHackerNews, parseHackerNewsItem, parseHackerNewsPage } from '../../src/sources/hackernews.js'
import { htmlToText } from '../../src/sources/html.js'
import { parseLobsters } from '../../src/sources/lobsters.js'
import { parseMastodon, parseMastodonPage } from '../../src/sources/mastodon.js'
import { parseReddit, parseRedditPage } from '../../src/sources/reddit.js'
import { parseFeed } from '../../src/sources/rss.js'
import { parseStackExchange, parseStackExchangePage } from '../../src/sources/stackexchange.js'
import { parseTrustpilot, parseTrustpilotBusinessUnit } from '../../src/sources/trustpilot.js'
import { PlaceError } from '../../src/sources/googleplaces.js'
import { CredentialsRejectedError, SourceResponseError } from '../../src/sources/types.js'
import { parseX, parseXPage } from '../../src/sources/x.js'
import { parseYelpBusiness, parseYelpReviews } from '../../src/sources/yelp.js'
import { parseYouTube, parseYouTubeCommentThreads, parseYouTubeComments, parseYouTubeSearch } from '../../src/sources/youtube.js'

const SEED = 20261202
// Per parser: this many cases of each family, or fewer if the time limit comes first.
const RUNS = 2000
const TIME_LIMIT_MS = 400
const NOW = Date.UTC(2026, 11, 1)

const fixtureDir = fileURLToPath(new URL('../../fixtures/', import.meta.url))
const json = (p: string): unknown => JSON.parse(fs.readFileSync(fixtureDir + p, 'utf8'))
const text = (p: string): string => fs.readFileSync(fixtureDir + p, 'utf8')

const HUGE = ['x'.repeat(200_000), 'é😀'.repeat(50_000), ' '.repeat(100_000), '<b>'.repeat(30_000)]
const ODD = [
  '', ' ', '\u0000', '\u202e', '\u200b', '\ufeff', '\ud800', '\udfff', 'NaN', '-1', '1e400', '0x10', '__proto__', 'constructor',
  '2026-13-45T99:99:99Z', '9999-12-31T23:59:59Z', '0000-01-01', 'javascript:alert(1)', 'http://', '//evil.example', '<script>x</script>',
  '&#x0;&#99999999;&amp', '💩'.repeat(10), 'ℌ𝔢𝔩𝔩𝔬', 'a\r\nb\u2028c',
]

function nest(depth: number, array: boolean): unknown {
  let v: unknown = 'leaf'
  for (let i = 0; i < depth; i++) v = array ? [v] : { a: v }
  return v
}

/** Any one value a field might be turned into. */
const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(...ODD),
  fc.constantFrom(...HUGE),
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, 1e21, -1e21, 1.5, Number.MIN_VALUE),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  // Fresh objects each time: a shared constant set at two places of one case could form a cycle.
  fc.constant(null).map(() => []),
  fc.constant(null).map(() => ({})),
  fc.tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean()).map(([d, a]) => nest(d, a)),
  fc.jsonValue({ maxDepth: 3 }),
)

type Path = (string | number)[]

function pathsOf(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (out.length > 4000) return out
  if (Array.isArray(value)) value.forEach((v, i) => (out.push([...prefix, i]), pathsOf(v, [...prefix, i], out)))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([...prefix, k])
      pathsOf(v, [...prefix, k], out)
    }
  }
  return out
}

type Edit = { at: number; op: 'drop' | 'set' | 'wrap' | 'dupe'; value: unknown }

function applyEdits(base: unknown, paths: Path[], edits: Edit[]): unknown {
  const root = { v: structuredClone(base) } as Record<string, unknown>
  for (const e of edits) {
    const p = paths[e.at % paths.length]
    if (!p) continue
    let parent: unknown = root.v
    for (const key of p.slice(0, -1)) parent = parent && typeof parent === 'object' ? (parent as Record<string, unknown>)[key as string] : undefined
    if (!parent || typeof parent !== 'object') continue
    const o = parent as Record<string | number, unknown>
    const key = p[p.length - 1]!
    if (e.op === 'drop') {
      if (Array.isArray(o) && typeof key === 'number') o.splice(key, 1)
      else delete o[key]
    } else if (e.op === 'set') o[key] = e.value
    else if (e.op === 'wrap') o[key] = [o[key]]
    else if (Array.isArray(o)) o.push(o[key]) // the same item twice, as a repeated page entry
  }
  return root.v
}

/** A fixture with a few of its fields dropped, retyped, wrapped or duplicated. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(base)
  const edit = fc.record({ at: fc.nat(), op: fc.constantFrom<Edit['op']>('drop', 'set', 'set', 'set', 'wrap', 'dupe'), value: weird })
  return fc.array(edit, { minLength: 1, maxLength: 6 }).map((edits) => applyEdits(base, paths, edits))
}

/** A body that is not the expected shape at all. */
const raw: fc.Arbitrary<unknown> = fc.oneof(weird, fc.jsonValue({ maxDepth: 6 }), fc.anything({ maxDepth: 3 }))

const HTML_TOKENS = [
  '<div>', '</div>', '<p>', '</p>', '<br>', '<br/>', '</br>', '<script>', '</script>', '<style>', '<pre>', '</pre>', '<svg>', '</svg>',
  '<a href="x">', '</a>', '<td>', '<li>', '<!--', '-->', '<![CDATA[', ']]>', '<', '>', '&amp;', '&#x27;', '&#99999999;', '&nbsp', '&',
  'text', ' ', '\n', '\r', '\t', '\u202e', '\uE000', '\uE001', '<title>', '</title>', '<hr>', '<div/>', '<x y="<p>">', '</p >',
]
const htmlish = fc.oneof(
  fc.array(fc.constantFrom(...HTML_TOKENS), { maxLength: 200 }).map((t) => t.join('')),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.tuple(fc.constantFrom('div', 'span', 'p', 'li', 'pre', 'script', 'td'), fc.integer({ min: 100, max: 5000 })).map(([t, n]) => `<${t}>a`.repeat(n)),
)

const XML_TOKENS = [
  '<item>', '</item>', '<entry>', '</entry>', '<title>', '</title>', '<link>', '</link>', '<description>', '</description>',
  '<![CDATA[', ']]>', '<!--', '-->', '&amp;', '&lt;', '&bogus;', '<', '>', '"', "'", '\u0000', '\ufffe', '<pubDate>', '</pubDate>', 'x',
  '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY a "aaaa">]>', '&a;', '<guid isPermaLink="true">', '</guid>',
]

/** An XML fixture with text spliced in or cut out at a few places. */
function spliced(base: string): fc.Arbitrary<string> {
  const piece = fc.oneof(fc.constantFrom(...XML_TOKENS), fc.string({ unit: 'grapheme', maxLength: 10 }), fc.constantFrom(...HUGE.slice(0, 2)))
  const cut = fc.record({ at: fc.nat(), len: fc.nat({ max: 50 }), insert: piece })
  return fc.array(cut, { minLength: 1, maxLength: 5 }).map((cuts) => {
    let s = base
    for (const c of cuts) {
      const at = c.at % (s.length + 1)
      s = s.slice(0, at) + c.insert + s.slice(at + c.len)
    }
    return s
  })
}

/** The failure with the error and where it was thrown; the counterexample cut short (it may be huge). */
function failure<Ts>(result: fc.RunDetails<Ts>): Error {
  const err = result.errorInstance
  const where = err instanceof Error ? (err.stack ?? '').split('\n').slice(0, 5).join('\n') : String(err)
  const example = (() => {
    try {
      return JSON.stringify(result.counterexample)?.slice(0, 600)
    } catch {
      return '(not printable)'
    }
  })()
  return new Error(`after ${result.numRuns} cases (seed ${result.seed}, path ${result.counterexamplePath}): ${where}\ncounterexample: ${example}`)
}

interface Outcome {
  parser: string
  cases: number
}
const outcomes: Outcome[] = []

function draftProblem(d: MentionDraft): string | undefined {
  if (typeof d.externalId !== 'string' || d.externalId === '') return `externalId ${String(d.externalId)}`
  if (typeof d.text !== 'string') return `text ${typeof d.text}`
  if (typeof d.url !== 'string') return `url ${typeof d.url}`
  if (!Number.isFinite(d.createdAt)) return `createdAt ${String(d.createdAt)}`
  if (d.rating !== undefined && !(Number.isFinite(d.rating) && d.rating >= 1 && d.rating <= 5)) return `rating ${d.rating}`
  return undefined
}

// The typed errors a parser throws on purpose: a body that is not the expected shape, and
// the error bodies some APIs answer with (a rejected key, a place Google reports missing).
const TYPED = [SourceResponseError, CredentialsRejectedError, PlaceError]

/** Either a result with well-formed drafts, or one of the typed errors. */
function holds(parse: (body: unknown) => unknown): (body: unknown) => boolean {
  return (body) => {
    let result: unknown
    try {
      result = parse(body)
    } catch (err) {
      if (TYPED.some((T) => err instanceof T)) return true
      throw err
    }
    const drafts = Array.isArray(result) ? result : (result as { drafts?: unknown } | undefined)?.drafts
    if (Array.isArray(drafts)) {
      for (const d of drafts as MentionDraft[]) {
        const problem = draftProblem(d)
        if (problem) throw new Error(`malformed draft: ${problem}`)
      }
    }
    return true
  }
}

function fuzz(name: string, parse: (body: unknown) => unknown, fixtures: unknown[]): void {
  it(`${name}: only SourceResponseError, only well-formed drafts`, () => {
    const arb = fc.oneof({ weight: 3, arbitrary: fc.oneof(...fixtures.map(mutated)) }, { weight: 1, arbitrary: raw })
    const result = fc.check(fc.property(arb, holds(parse)), { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, endOnFailure: true })
    outcomes.push({ parser: name, cases: result.numRuns })
    if (result.failed) throw failure(result)
    expect(result.numRuns).toBeGreaterThan(0)
  })
}

describe('JSON source parsers under fuzzing', () => {
  const feedCtx = { country: 'us', appId: '123' }
  fuzz('appstore', (b) => parseAppStore(b, feedCtx), [json('appstore/reviews-page1.json'), json('appstore/reviews-single.json'), json('appstore/reviews-undated.json')])
  fuzz('appstore lookup', (b) => parseLookup(b), [json('appstore/lookup.json')])
  fuzz('bluesky', (b) => parseBluesky(b), [json('bluesky/searchPosts_acme_p0.json'), json('bluesky/getAuthorFeed_acme.json')])
  fuzz('bluesky page', (b) => parseBlueskyPage(b), [json('bluesky/searchPosts_acme_p1.json')])
  fuzz('devto', (b) => parseDevto(b), [json('devto/articles_latest.json')])
  fuzz('devto comments', (b) => readDevtoComments(b, { id: '1', title: 't' }), [json('devto/comments_tree.json')])
  fuzz('discourse', (b) => parseDiscourse(b, 'https://forum.example'), [json('discourse/search_acme.json'), json('discourse/topic_1201_posts.json')])
  fuzz('discourse search', (b) => parseDiscourseSearch(b), [json('discourse/search_acme.json')])
  fuzz('discourse posts', (b) => parseDiscoursePosts(b), [json('discourse/topic_1201.json'), json('discourse/post_8950.json')])
  fuzz('discourse user actions', (b) => parseDiscourseUserActions(b), [json('discourse/user_actions_acme_support.json')])
  fuzz('facebook page', (b) => parseFacebookPage(b, { edge: 'posts', pageId: '1', now: NOW }), [json('facebook/page_posts_p1.json'), json('facebook/ratings.json'), json('facebook/tagged.json')])
  fuzz('facebook comments', (b) => parseFacebookComments(b, { pageId: '1', now: NOW }), [json('facebook/visitor_posts.json')])
  fuzz('foursquare', (b) => parseFoursquare(b, 'venue1'), [json('foursquare/tips_newest.json')])
  fuzz('github', (b) => parseGitHub(b), [json('github/search_issues_acme.json')])
  fuzz('github search page', (b) => parseGitHubSearchPage(b), [json('github/search_issues_acme.json')])
  fuzz('github comments', (b) => parseGitHubComments(b, { externalId: 'o/r#42', title: 't' }), [json('github/issue_comments_42.json')])
  fuzz('googleplaces', (b) => parseGooglePlaces(b, 'place1'), [json('googleplaces/place_new.json')])
  fuzz('googleplaces legacy', (b) => parseGooglePlacesLegacy(b, 'place1'), [json('googleplaces/place_legacy.json')])
  fuzz('googleplay', (b) => parseGooglePlay(b, 'com.acme'), [json('googleplay/reviews_p1.json')])
  fuzz('googleplay page', (b) => parseGooglePlayPage(b, 'com.acme'), [json('googleplay/reviews_p2.json')])
  fuzz('hackernews', (b) => parseHackerNews(b), [json('hackernews/search_by_date_globex_p0.json'), json('hackernews/search_by_date_old_format_2020.json')])
  fuzz('hackernews page', (b) => parseHackerNewsPage(b), [json('hackernews/search_by_date_globex_p1.json')])
  fuzz('hackernews item', (b) => parseHackerNewsItem(b), [json('hackernews/items_thread_acme.json')])
  fuzz('lobsters', (b) => parseLobsters(b), [json('lobsters/newest.json'), json('lobsters/story_ab12cd.json')])
  fuzz('mastodon', (b) => parseMastodon(b), [json('mastodon/search_acme.json'), json('mastodon/tag_acme.json')])
  fuzz('mastodon page', (b) => parseMastodonPage(b, 'https://mastodon.example/api'), [json('mastodon/tag_acme.json')])
  fuzz('reddit', (b) => parseReddit(b), [json('reddit/search_acme_new.json'), json('reddit/subreddit_comments.json')])
  fuzz('reddit page', (b) => parseRedditPage(b), [json('reddit/user_comments.json')])
  fuzz('stackexchange', (b) => parseStackExchange(b), [json('stackexchange/search_advanced_acme_p1.json'), json('stackexchange/user_answers_acme_support.json')])
  fuzz('stackexchange page', (b) => parseStackExchangePage(b), [json('stackexchange/search_advanced_acme_p2.json')])
  fuzz('trustpilot', (b) => parseTrustpilot(b), [json('trustpilot/reviews_page.json')])
  fuzz('trustpilot business unit', (b) => parseTrustpilotBusinessUnit(b), [json('trustpilot/business_unit_find.json')])
  fuzz('x', (b) => parseX(b), [json('x/search_acme.json')])
  fuzz('x page', (b) => parseXPage(b), [json('x/search_acme.json'), json('x/no_results.json')])
  fuzz('yelp reviews', (b) => parseYelpReviews(b, { timeZone: 'America/New_York', businessId: 'b1' }), [json('yelp/reviews.json')])
  fuzz('yelp business', (b) => parseYelpBusiness(b, 'b1'), [json('yelp/business_lookup.json')])
  fuzz('youtube', (b) => parseYouTube(b), [json('youtube/comment_threads_video.json')])
  fuzz('youtube search', (b) => parseYouTubeSearch(b), [json('youtube/search_acme_p1.json')])
  fuzz('youtube comment threads', (b) => parseYouTubeCommentThreads(b, 'youtube', { owner: { channelId: 'UC1', brand: 'Acme' } }), [json('youtube/comment_threads_channel.json')])
  fuzz('youtube comments', (b) => parseYouTubeComments(b, 'youtube', { videoId: 'v1' }), [json('youtube/comments_replies_b002.json')])
})

describe('feed and HTML parsing under fuzzing', () => {
  const feeds = ['rss/blog.rss.xml', 'rss/blog.atom.xml', 'rss/google-alerts.atom.xml', 'rss/hnrss.xml', 'rss/podcast.rss.xml', 'rss/youtube-channel.atom.xml', 'appstore/reviews-page1.xml'].map(text)
  const feedUrl = 'https://feeds.example/f.xml'

  it('rss/atom/rdf: only SourceResponseError, only well-formed drafts', () => {
    const arb = fc.oneof(
      { weight: 4, arbitrary: fc.oneof(...feeds.map(spliced)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
      { weight: 1, arbitrary: fc.array(fc.constantFrom(...XML_TOKENS), { maxLength: 100 }).map((t) => `<rss version="2.0"><channel>${t.join('')}</channel></rss>`) },
      { weight: 1, arbitrary: htmlish.map((h) => `<rss version="2.0"><channel><item><title>t</title><description>${h.replace(/[<&]/g, (c) => (c === '<' ? '&lt;' : '&amp;'))}</description></item></channel></rss>`) },
    )
    const result = fc.check(fc.property(arb, holds((b) => parseFeed(b as string, feedUrl, NOW))), { seed: SEED, numRuns: RUNS * 2, interruptAfterTimeLimit: TIME_LIMIT_MS * 4, endOnFailure: true })
    outcomes.push({ parser: 'rss/atom/rdf', cases: result.numRuns })
    if (result.failed) throw failure(result)
  })

  it('JSON Feed: only SourceResponseError, only well-formed drafts', () => {
    const base = json('rss/feed.json')
    const arb = fc.oneof(mutated(base), raw.map((v) => JSON.stringify(v) ?? ''))
    const result = fc.check(
      fc.property(arb, holds((b) => parseFeed(typeof b === 'string' ? b : JSON.stringify(b), feedUrl, NOW))),
      { seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS * 2, endOnFailure: true },
    )
    outcomes.push({ parser: 'json feed', cases: result.numRuns })
    if (result.failed) throw failure(result)
  })

  it('htmlToText never throws and never leaves its line-break sentinels behind', () => {
    const result = fc.check(
      fc.property(htmlish, (h) => {
        const out = htmlToText(h)
        return typeof out === 'string' && !/[\uE000\uE001]/.test(out.replace(/[\uE000\uE001]/g, (c) => (h.includes(c) ? '' : c)))
      }),
      { seed: SEED, numRuns: RUNS * 2, interruptAfterTimeLimit: TIME_LIMIT_MS * 2, endOnFailure: true },
    )
    outcomes.push({ parser: 'htmlToText', cases: result.numRuns })
    if (result.failed) throw failure(result)
  })
})

afterAll(() => {
  const total = outcomes.reduce((n, o) => n + o.cases, 0)
  console.log(`fuzz: ${total} cases over ${outcomes.length} parsers (seed ${SEED}): ${outcomes.map((o) => `${o.parser} ${o.cases}`).join(', ')}`)
})
