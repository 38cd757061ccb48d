import { readFileSync } from 'node:fs'
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand, Cursor, MentionDraft } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import {
  commentsUrl,
  dateQualifier,
  gitHubOptions,
  gitHubSource,
  gitHubTerms,
  nextPage,
  parseGitHub,
  parseGitHubComments,
  parseGitHubSearchPage,
  searchQuery,
  searchUrl,
} from '../../src/sources/github.js'
import { SourceResponseError, type Page, type SourceQuery } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/github/${name}`, import.meta.url), 'utf8')

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { github: ['acme-support'] } }

// ---------------------------------------------------------------------------------------
// Parsing

describe('parseGitHubSearchPage', () => {
  const page = parseGitHubSearchPage(fixture('search_issues_acme.json'))

  it('maps an issue: externalId owner/repo#number, html_url, Markdown body with whitespace normalised, engagement', () => {
    expect(page.issues[0]?.draft).toEqual({
      externalId: 'octo-org/widgets#42',
      url: 'https://github.com/octo-org/widgets/issues/42',
      title: 'Acme SDK crashes on startup',
      text: 'Since upgrading to **Acme SDK** 3.2 the app crashes:\n\n```\nTypeError: acme.init is not a function\n```\n\nAny ideas?',
      author: { handle: 'dana-dev' },
      createdAt: Date.parse('2026-11-30T10:15:00Z'),
      metrics: { likes: 5, replies: 2 },
    })
    expect(page.issues[0]).toMatchObject({ repo: 'octo-org/widgets', number: 42, isPullRequest: false, comments: 2, updatedAt: Date.parse('2026-11-30T12:00:00Z') })
  })

  it('maps a pull request the same way (a null body is empty text), flagged as a PR', () => {
    const pr = page.issues[1]
    expect(pr?.isPullRequest).toBe(true)
    expect(pr?.draft).toMatchObject({ externalId: 'octo-org/widgets#41', url: 'https://github.com/octo-org/widgets/pull/41', text: '', metrics: { likes: 0, replies: 0 } })
  })

  it('drops fields of the wrong type and skips items without a creation time', () => {
    const odd = page.issues[2]?.draft
    expect(odd).toEqual({
      externalId: 'octo-org/widgets#40',
      url: 'https://github.com/octo-org/widgets/issues/40',
      title: 'Acme docs link is broken',
      text: 'The link to acme.example/docs 404s.',
      createdAt: Date.parse('2026-11-28T07:00:00Z'),
    })
    expect(page).toMatchObject({ totalCount: 3, itemCount: 4, skipped: 1, incomplete: false })
    expect(parseGitHub(fixture('search_issues_acme.json'))).toHaveLength(3)
  })

  it('reads incomplete_results', () => {
    expect(parseGitHubSearchPage({ total_count: 0, incomplete_results: true, items: [] }).incomplete).toBe(true)
  })

  it('throws SourceResponseError for a body that is not JSON', () => {
    expect(() => parseGitHubSearchPage('<html>Unicorn!</html>')).toThrow(SourceResponseError)
    expect(() => parseGitHubSearchPage('<html>Unicorn!</html>')).toThrow(/not JSON/)
  })

  it("names the missing field and repeats GitHub's message for an error body", () => {
    expect(() => parseGitHubSearchPage(fixture('search_issues_422.json'))).toThrow(/field "total_count".*GitHub said: Validation Failed/)
  })
})

describe('parseGitHubComments', () => {
  const parent = { externalId: 'octo-org/widgets#42', title: 'Acme SDK crashes on startup' }
  const parsed = parseGitHubComments(fixture('issue_comments_42.json'), parent)

  it('maps a comment: externalId <issue>/comment/<id>, parent and thread = the issue, likes from reactions', () => {
    expect(parsed.drafts[0]).toEqual({
      externalId: 'octo-org/widgets#42/comment/7100000001',
      url: 'https://github.com/octo-org/widgets/issues/42#issuecomment-7100000001',
      title: 'Acme SDK crashes on startup',
      text: 'Same here with Acme 3.2 on Node 22.',
      author: { handle: 'lee-q' },
      createdAt: Date.parse('2026-11-30T11:00:00Z'),
      parentExternalId: 'octo-org/widgets#42',
      threadExternalId: 'octo-org/widgets#42',
      metrics: { likes: 2 },
    })
    expect(parsed.drafts[1]?.author).toEqual({ handle: 'acme-support' })
    expect(parsed).toMatchObject({ count: 3, skipped: 1 })
  })

  it('throws SourceResponseError for a body that is not an array', () => {
    expect(() => parseGitHubComments({ message: 'Not Found' }, parent)).toThrow(/array of issue comments.*Not Found/)
  })
})

describe('queries and URLs', () => {
  it('keeps one query per distinct term, a quoted phrase quoted', () => {
    expect(gitHubTerms(['acme', 'ACME', '"acme cloud"', 'acme  brick', '  ', '""'])).toEqual(['acme', '"acme cloud"', 'acme brick'])
  })

  it('always names the kind, then repositories and extra qualifiers', () => {
    expect(searchQuery({ text: 'acme', kind: 'issue' })).toBe('acme is:issue')
    expect(searchQuery({ text: 'acme', kind: 'pr', repos: ['a/b', 'c/d'], qualifiers: ' label:bug  -author:app/dependabot ' })).toBe(
      'acme is:pr repo:a/b repo:c/d label:bug -author:app/dependabot',
    )
  })

  it('writes created qualifiers in whole seconds, widened outwards', () => {
    expect(dateQualifier('created', Date.parse('2026-11-01T00:00:00.900Z'), undefined)).toBe('created:>=2026-11-01T00:00:00Z')
    expect(dateQualifier('created', Date.parse('2026-11-01T00:00:00Z'), Date.parse('2026-11-02T10:00:00.100Z'))).toBe(
      'created:2026-11-01T00:00:00Z..2026-11-02T10:00:01Z',
    )
  })

  it('builds the search URL sorted by created, newest first, and the comments URL with since', () => {
    const u = searchUrl('https://ghe.example/api/v3', { q: 'acme is:issue', sort: 'created', perPage: 100, page: 2 })
    expect(u.href).toBe('https://ghe.example/api/v3/search/issues?q=acme+is%3Aissue&sort=created&order=desc&per_page=100&page=2')
    expect(commentsUrl('https://api.github.com', { repo: 'o/r', number: 7, since: Date.parse('2026-11-01T00:00:00Z'), page: 1 }).href).toBe(
      'https://api.github.com/repos/o/r/issues/7/comments?since=2026-11-01T00%3A00%3A00Z&per_page=100',
    )
  })

  it('reads the next page from a Link header', () => {
    const link =
      '<https://api.github.com/search/issues?q=acme&page=2>; rel="next", <https://api.github.com/search/issues?q=acme&page=10>; rel="last"'
    expect(nextPage(link)).toBe(2)
    expect(nextPage('<https://api.github.com/search/issues?q=acme&page=1>; rel="prev"')).toBeUndefined()
    expect(nextPage(undefined)).toBeUndefined()
  })
})

describe('gitHubOptions and the adapter', () => {
  it('applies the documented defaults and rejects malformed repos', () => {
    expect(gitHubOptions.parse({})).toEqual({
      baseUrl: 'https://api.github.com',
      maxPages: 5,
      perPage: 100,
      repos: [],
      qualifiers: '',
      maxCommentThreads: 20,
      commentPages: 2,
    })
    expect(gitHubOptions.safeParse({ repos: ['not a repo'] }).success).toBe(false)
    expect(gitHubOptions.safeParse({ perPage: 101 }).success).toBe(false)
  })

  it('names the instance by baseUrl, repos and qualifiers; the token is optional; answered via own activity', () => {
    expect(gitHubSource.instanceKey(gitHubOptions.parse({}))).toBe('https://api.github.com')
    expect(gitHubSource.instanceKey(gitHubOptions.parse({ repos: ['a/b'], qualifiers: 'label:bug' }))).toBe('https://api.github.com repo:a/b label:bug')
    expect(gitHubSource.requires).toEqual([{ env: 'GITHUB_TOKEN', optional: true, why: expect.stringContaining('10 to 30') }])
    expect(gitHubSource.replies).toBe('own-activity')
    expect(gitHubSource.ownActivity).toBeTypeOf('function')
  })
})

// ---------------------------------------------------------------------------------------
// A loopback server that behaves like GitHub's search and comments API: qualifiers, sort,
// paging by Link header, the 1,000-result cap, rate-limit headers.

interface FakeComment {
  id: number
  t: number
  author: string
  body: string
}

interface FakeIssue {
  repo: string
  number: number
  kind: 'issue' | 'pr'
  /** created_at, ms */
  t: number
  /** updated_at, ms; defaults to the newest comment or t */
  updated?: number
  title: string
  body: string
  author: string
  comments: FakeComment[]
}

interface Forced {
  status: number
  headers?: Record<string, string>
  body?: unknown
  /** Only for paths starting with this. */
  path?: string
}

interface FakeRequest {
  path: string
  q: string
  page: number
  since: string
  headers: Record<string, string | string[] | undefined>
}

interface FakeGitHub {
  url: string
  issues: FakeIssue[]
  requests: FakeRequest[]
  /** Answers served, in order, before anything else (each once). */
  forced: Forced[]
  /** Queries answered with incomplete_results: true (each once). */
  incompleteOnce: Set<string>
}

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')
const updatedOf = (i: FakeIssue) => i.updated ?? Math.max(i.t, ...i.comments.map((c) => c.t))

function parseRange(value: string): [number, number] {
  if (value.startsWith('>=')) return [Date.parse(value.slice(2)), Infinity]
  const [a = '', b = ''] = value.split('..')
  return [Date.parse(a), Date.parse(b)]
}

async function startFakeGitHub(issues: FakeIssue[]): Promise<FakeGitHub> {
  const fake: FakeGitHub = { url: '', issues, requests: [], forced: [], incompleteOnce: new Set() }
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(JSON.stringify(body))
  }
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    const page = Number(u.searchParams.get('page') ?? '1')
    const perPage = Number(u.searchParams.get('per_page') ?? '30')
    const q = u.searchParams.get('q') ?? ''
    fake.requests.push({ path: u.pathname, q, page, since: u.searchParams.get('since') ?? '', headers: req.headers })
    const forcedAt = fake.forced.findIndex((f) => !f.path || u.pathname.startsWith(f.path))
    if (forcedAt >= 0) {
      const [f] = fake.forced.splice(forcedAt, 1)
      if (f) return send(res, f.status, f.body ?? { message: 'forced' }, f.headers)
    }
    const link = (items: number): Record<string, string> => {
      if (page * perPage >= items) return {}
      const next = new URL(u.href.replace('http://127.0.0.1', fake.url))
      next.searchParams.set('page', String(page + 1))
      return { link: `<${next.href}>; rel="next", <${next.href}>; rel="last"` }
    }
    if (u.pathname === '/search/issues') {
      const limits = { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '29', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60), 'x-ratelimit-resource': 'search' }
      const tokens = q.match(/"[^"]*"|\S+/g) ?? []
      let kind: string | undefined
      const repos: string[] = []
      let commenter: string | undefined
      let created: [number, number] = [-Infinity, Infinity]
      let updated: [number, number] = [-Infinity, Infinity]
      const words: string[] = []
      for (const t of tokens) {
        const m = /^(is|repo|commenter|created|updated):(.*)$/.exec(t)
        if (/^-?[a-z]+:/.test(t) && !m) continue // label:, -author: …: not modelled here
        if (!m) words.push(...t.replace(/"/g, '').toLowerCase().split(/\s+/))
        else if (m[1] === 'is') kind = m[2]
        else if (m[1] === 'repo') repos.push(m[2] ?? '')
        else if (m[1] === 'commenter') commenter = m[2]
        else if (m[1] === 'created') created = parseRange(m[2] ?? '')
        else updated = parseRange(m[2] ?? '')
      }
      if (kind !== 'issue' && kind !== 'pr') return send(res, 422, JSON.parse(fixture('search_issues_422.json')))
      const byUpdated = u.searchParams.get('sort') === 'updated'
      const matching = fake.issues
        .filter((i) => i.kind === kind && (repos.length === 0 || repos.includes(i.repo)))
        .filter((i) => i.t >= created[0] && i.t <= created[1] && updatedOf(i) >= updated[0] && updatedOf(i) <= updated[1])
        .filter((i) => !commenter || i.comments.some((c) => c.author === commenter))
        .filter((i) => words.every((w) => `${i.title} ${i.body}`.toLowerCase().split(/\W+/).includes(w)))
        .sort((a, b) => (byUpdated ? updatedOf(b) - updatedOf(a) : b.t - a.t) || b.number - a.number)
      const reachable = matching.slice(0, 1000)
      const items = reachable.slice((page - 1) * perPage, page * perPage).map((i) => ({
        url: `https://api.github.com/repos/${i.repo}/issues/${i.number}`,
        repository_url: `https://api.github.com/repos/${i.repo}`,
        html_url: `https://github.com/${i.repo}/${i.kind === 'pr' ? 'pull' : 'issues'}/${i.number}`,
        number: i.number,
        title: i.title,
        body: i.body,
        user: { login: i.author },
        comments: i.comments.length,
        created_at: iso(i.t),
        updated_at: iso(updatedOf(i)),
        reactions: { total_count: 1 },
        ...(i.kind === 'pr' ? { pull_request: { url: 'x' } } : {}),
      }))
      const incomplete = fake.incompleteOnce.delete(q.replace(/ (created|updated):\S+$/, ''))
      return send(res, 200, { total_count: matching.length, incomplete_results: incomplete, items }, { ...limits, ...link(reachable.length) })
    }
    const m = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/comments$/.exec(u.pathname)
    const issue = m && fake.issues.find((i) => i.repo === m[1] && i.number === Number(m[2]))
    if (!issue) return send(res, 404, { message: 'Not Found' })
    const since = Date.parse(u.searchParams.get('since') ?? '') || -Infinity
    const comments = issue.comments.filter((c) => c.t >= since).sort((a, b) => a.t - b.t)
    const body = comments.slice((page - 1) * perPage, page * perPage).map((c) => ({
      id: c.id,
      html_url: `https://github.com/${issue.repo}/issues/${issue.number}#issuecomment-${c.id}`,
      user: { login: c.author },
      created_at: iso(c.t),
      updated_at: iso(c.t),
      body: c.body,
      reactions: { total_count: 0 },
    }))
    return send(res, 200, body, { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59', 'x-ratelimit-resource': 'core', ...link(comments.length) })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return fake
}

const NOW = Date.parse('2026-12-01T12:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR
let nextNumber = 1
let nextCommentId = 9000

function issue(text: string, opts: { t: number; kind?: 'issue' | 'pr'; repo?: string; author?: string; comments?: Omit<FakeComment, 'id'>[] }): FakeIssue {
  return {
    repo: opts.repo ?? 'octo-org/widgets',
    number: nextNumber++,
    kind: opts.kind ?? 'issue',
    t: opts.t,
    title: text,
    body: `${text} (details)`,
    author: opts.author ?? 'someone',
    comments: (opts.comments ?? []).map((c) => ({ ...c, id: nextCommentId++ })),
  }
}

const searches = (fake: FakeGitHub) => fake.requests.filter((r) => r.path === '/search/issues')

// ---------------------------------------------------------------------------------------
// search() directly, the way the pull drives it

async function walk(
  fake: FakeGitHub,
  q: Partial<SourceQuery> = {},
  options: Record<string, unknown> = {},
  env: Record<string, string> = {},
): Promise<{ pages: Page[]; drafts: MentionDraft[]; cursor: Cursor | undefined; warnings: string[] }> {
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => http.close())
  const warnings: string[] = []
  const ctx = { http, options: gitHubOptions.parse({ baseUrl: fake.url, ...options }), env, now: () => NOW, warn: (m: string) => void warnings.push(m) }
  const pages: Page[] = []
  for await (const page of gitHubSource.search(ctx, { brand: acme, since: NOW - 7 * DAY, maxPages: 50, ...q })) pages.push(page)
  return { pages, drafts: pages.flatMap((p) => p.mentions), cursor: pages.at(-1)?.cursor, warnings }
}

describe('github search()', () => {
  it('searches each term twice, is:issue and is:pr, sorted by created, newest first, within the window', async () => {
    const fake = await startFakeGitHub([issue('acme is slow', { t: NOW - HOUR }), issue('acme pr', { t: NOW - 2 * HOUR, kind: 'pr' })])
    const { drafts } = await walk(fake, {}, { repos: ['octo-org/widgets'], qualifiers: 'label:bug' })
    expect(drafts.map((d) => d.title).sort()).toEqual(['acme is slow', 'acme pr'])
    expect(searches(fake).map((r) => r.q)).toEqual([
      `acme is:issue repo:octo-org/widgets label:bug created:>=${iso(NOW - 7 * DAY)}`,
      `acme is:pr repo:octo-org/widgets label:bug created:>=${iso(NOW - 7 * DAY)}`,
    ])
  })

  it('follows the Link header page by page', async () => {
    const items = Array.from({ length: 5 }, (_, i) => issue(`acme ${i}`, { t: NOW - (i + 1) * HOUR }))
    const fake = await startFakeGitHub(items)
    const { drafts } = await walk(fake, {}, { perPage: 2 })
    expect(drafts).toHaveLength(5)
    expect(searches(fake).filter((r) => r.q.includes('is:issue')).map((r) => r.page)).toEqual([1, 2, 3])
  })

  it('slices the window below the oldest result seen when paging would pass the 1,000-result cap', async () => {
    const items = Array.from({ length: 1500 }, (_, i) => issue(`acme ${i}`, { t: NOW - 60_000 - i * 60_000 }))
    const fake = await startFakeGitHub(items)
    const { drafts, warnings } = await walk(fake, { since: NOW - 3 * DAY }, { maxPages: 50 })
    expect(new Set(drafts.map((d) => d.externalId)).size).toBe(1500)
    const issueSearches = searches(fake).filter((r) => r.q.includes('is:issue'))
    // Ten pages reach the cap; the slice re-reads the 1,000th (its bound is inclusive): 501 more.
    expect(issueSearches).toHaveLength(10 + 6)
    // The 1,000th result was created 1,000 minutes before the newest: the slice ends there.
    expect(issueSearches[10]?.q).toBe(`acme is:issue created:${iso(NOW - 3 * DAY)}..${iso(NOW - 60_000 - 999 * 60_000)}`)
    expect(issueSearches[10]?.page).toBe(1)
    expect(warnings).toEqual([])
  })

  it('records the window it still owes as a gap when maxPages cuts the walk short', async () => {
    const items = Array.from({ length: 6 }, (_, i) => issue(`acme ${i}`, { t: NOW - (i + 1) * HOUR }))
    const fake = await startFakeGitHub(items)
    const { cursor, warnings } = await walk(fake, { maxPages: 2 }, { perPage: 2 })
    expect(cursor?.parts?.['is:issue acme']).toMatchObject({ at: NOW - HOUR, gap: { from: NOW - 7 * DAY, to: NOW - 4 * HOUR } })
    expect(warnings).toContain('stopped "acme is:issue" after 2 page(s); the rest is fetched next pull')
  })

  it('claims nothing for a walk GitHub answered with incomplete_results, and says so', async () => {
    const fake = await startFakeGitHub([issue('acme one', { t: NOW - HOUR })])
    fake.incompleteOnce.add('acme is:issue')
    const { cursor, warnings, drafts } = await walk(fake)
    expect(drafts).toHaveLength(1)
    expect(cursor?.parts?.['is:issue acme']).toBeUndefined()
    expect(cursor?.parts?.['is:pr acme']).toBeDefined()
    expect(warnings.join('\n')).toMatch(/incomplete results for "acme is:issue".*searched again next pull/)
  })

  it('reads the comments of matched threads since the window start, bounded by maxCommentThreads', async () => {
    const withComments = (n: number) => [{ t: NOW - 30 * 60_000, author: 'x', body: `acme comment ${n}` }]
    const fake = await startFakeGitHub([
      issue('acme a', { t: NOW - HOUR, comments: withComments(1) }),
      issue('acme b', { t: NOW - 2 * HOUR, comments: withComments(2) }),
      issue('acme c', { t: NOW - 3 * HOUR }),
    ])
    const { drafts, warnings } = await walk(fake, {}, { maxCommentThreads: 1 })
    const comments = drafts.filter((d) => d.externalId.includes('/comment/'))
    expect(comments).toHaveLength(1)
    expect(comments[0]).toMatchObject({ text: 'acme comment 1', parentExternalId: expect.stringMatching(/^octo-org\/widgets#\d+$/) })
    const reads = fake.requests.filter((r) => r.path.endsWith('/comments'))
    expect(reads).toHaveLength(1)
    expect(reads[0]?.since).toBe(iso(NOW - 7 * DAY))
    expect(warnings).toContain('read the comments of 1 thread(s) (maxCommentThreads); 1 more thread(s) with comments were not read')
  })

  it('keeps the issues when reading a thread’s comments fails, and stops reading comments', async () => {
    const fake = await startFakeGitHub([
      issue('acme a', { t: NOW - HOUR, comments: [{ t: NOW - 50 * 60_000, author: 'x', body: 'c' }] }),
      issue('acme b', { t: NOW - 2 * HOUR, comments: [{ t: NOW - 50 * 60_000, author: 'x', body: 'c' }] }),
    ])
    fake.forced.push({ path: '/repos/', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(NOW / 1000) + 600) } })
    const { drafts, warnings } = await walk(fake)
    expect(drafts.map((d) => d.title).sort()).toEqual(['acme a', 'acme b'])
    expect(warnings.join('\n')).toMatch(/stopped reading comments for this pull: HTTP 403 .*rate limited/)
    expect(fake.requests.filter((r) => r.path.endsWith('/comments'))).toHaveLength(1)
  })

  it('skips one thread whose comments are gone (404) and reads the next', async () => {
    const fake = await startFakeGitHub([
      issue('acme a', { t: NOW - HOUR, comments: [{ t: NOW - 50 * 60_000, author: 'x', body: 'acme one' }] }),
      issue('acme b', { t: NOW - 2 * HOUR, comments: [{ t: NOW - 90 * 60_000, author: 'x', body: 'acme two' }] }),
    ])
    fake.forced.push({ path: '/repos/', status: 404, body: { message: 'Not Found' } })
    const { drafts, warnings } = await walk(fake)
    expect(drafts.filter((d) => d.externalId.includes('/comment/')).map((d) => d.text)).toEqual(['acme two'])
    expect(warnings.join('\n')).toMatch(/could not read the comments of octo-org\/widgets#\d+ \(HTTP 404/)
  })

  it('sends the token as a Bearer header; without one it sends none and reports the lower limit', async () => {
    const fake = await startFakeGitHub([issue('acme', { t: NOW - HOUR })])
    await walk(fake, {}, {}, { GITHUB_TOKEN: 'ghp_test123' })
    expect(fake.requests[0]?.headers['authorization']).toBe('Bearer ghp_test123')
    expect(fake.requests[0]?.headers['accept']).toBe('application/vnd.github+json')
    fake.requests.length = 0
    await walk(fake)
    expect(fake.requests[0]?.headers['authorization']).toBeUndefined()
  })
})

// ---------------------------------------------------------------------------------------
// Through pull(): a real SQLite file, the real client, the fake GitHub on loopback

let deps: TestDeps | undefined
afterEach(async () => {
  await deps?.close()
  deps = undefined
})

function setup(
  fake: FakeGitHub,
  opts: { env?: Record<string, string>; options?: Record<string, unknown>; now?: () => number; brand?: Brand; dbFile?: string } = {},
): TestDeps {
  deps = testDeps({
    dbFile: opts.dbFile ?? path.join(tempDir(), 'm.db'),
    now: opts.now ?? (() => NOW),
    env: opts.env ?? {},
    config: { brands: [opts.brand ?? acme], sources: [{ kind: 'github', options: { baseUrl: fake.url, ...opts.options } }] },
  })
  return deps
}

/** The brand without handles: no ownActivity task shares the forced answers. */
const acmeNoHandles: Brand = { ...acme, handles: {} }

describe('github through pull()', () => {
  it('resumes from the cursor: the second pull asks only for what is new (less the overlap)', async () => {
    const fake = await startFakeGitHub([issue('acme crashed', { t: NOW - 3 * HOUR })])
    let now = NOW
    const d = setup(fake, { now: () => now })
    expect((await pull(d)).status).toBe('ok')
    expect(await d.store().mentions.count()).toBe(1)
    fake.issues.push(issue('acme again', { t: NOW + HOUR }))
    now = NOW + 2 * HOUR
    fake.requests.length = 0
    await pull(d)
    expect(await d.store().mentions.count()).toBe(2)
    const qs = searches(fake).map((r) => r.q)
    expect(qs).toContain(`acme is:issue created:>=${iso(NOW - 3 * HOUR - HOUR)}`)
    expect(qs.filter((q) => q.startsWith('acme is:issue')).some((q) => q.includes(iso(now - 7 * DAY)))).toBe(false)
  })

  it('backfills when a later pull reaches further back than the stored history', async () => {
    const fake = await startFakeGitHub([issue('acme recent', { t: NOW - DAY }), issue('acme old', { t: NOW - 20 * DAY })])
    const d = setup(fake)
    await pull(d)
    expect(await d.store().mentions.count()).toBe(1)
    fake.requests.length = 0
    await pull(d, { since: NOW - 30 * DAY })
    expect(await d.store().mentions.count()).toBe(2)
    expect(searches(fake).map((r) => r.q)).toContain(`acme is:issue created:${iso(NOW - 30 * DAY)}..${iso(NOW - 7 * DAY)}`)
  })

  it("marks a mention answered by the brand's comment on the thread (found among its comments)", async () => {
    const fake = await startFakeGitHub([
      issue('acme login broken', { t: NOW - 5 * HOUR, comments: [{ t: NOW - 4 * HOUR, author: 'acme-support', body: 'Looking into it, sorry!' }] }),
      issue('acme is great', { t: NOW - 6 * HOUR }),
    ])
    const d = setup(fake)
    expect((await pull(d)).status).toBe('ok')
    const unanswered = await listQueue(d, { queue: 'unanswered' })
    expect(unanswered.map((m) => m.title)).toEqual(['acme is great'])
    const all = await listQueue(d, { queue: 'all' })
    expect(all.find((m) => m.title === 'acme login broken')).toMatchObject({ answered: true })
  })

  it("marks a mention answered from the brand's own activity (commenter:<login>), without the comment naming the brand", async () => {
    const question = issue('acme webhook fails', { t: NOW - 5 * HOUR })
    const fake = await startFakeGitHub([question])
    // Comments are read from the first pull's threads only when they have any: none yet.
    const dbFile = path.join(tempDir(), 'm.db')
    const d = setup(fake, { dbFile })
    await pull(d)
    expect((await listQueue(d, { queue: 'unanswered' })).map((m) => m.title)).toEqual(['acme webhook fails'])
    question.comments.push({ id: 77, t: NOW + HOUR, author: 'acme-support', body: 'Fixed, please retry.' })
    question.comments.push({ id: 78, t: NOW + HOUR, author: 'bystander', body: 'thanks!' })
    fake.requests.length = 0
    await d.close()
    // The same database, with comment reading off in search: only ownActivity can find the reply.
    const d2 = setup(fake, { dbFile, now: () => NOW + 2 * HOUR, options: { maxCommentThreads: 0 } })
    await pull(d2)
    const own = searches(fake).filter((r) => r.q.includes('commenter:acme-support'))
    expect(own.map((r) => r.q)).toEqual([
      expect.stringMatching(/^commenter:acme-support is:issue updated:>=/),
      expect.stringMatching(/^commenter:acme-support is:pr updated:>=/),
    ])
    expect(await listQueue(d2, { queue: 'unanswered' })).toEqual([])
    const all = await listQueue(d2, { queue: 'all' })
    expect(all.find((m) => m.title === 'acme webhook fails')).toMatchObject({ answered: true })
    // Only the login's own comment came through ownActivity.
    expect(all.some((m) => m.text === 'thanks!')).toBe(false)
  })

  it('works without GITHUB_TOKEN and records that the search limit is 10 requests/min', async () => {
    const fake = await startFakeGitHub([issue('acme', { t: NOW - HOUR })])
    const d = setup(fake)
    const result = await pull(d)
    expect(result.status).toBe('ok')
    const cursor = (await d.store().cursors.all()).find((c) => c.source === 'github' && !c.instance.includes('own'))
    expect(cursor?.upstream).toMatchObject({ remaining: 29, limit: 30, note: expect.stringMatching(/search quota; no GITHUB_TOKEN: search is limited to 10 requests\/min/) })
  })

  it('fails the source on a 401, saying the credentials were rejected and naming GITHUB_TOKEN', async () => {
    const fake = await startFakeGitHub([issue('acme', { t: NOW - HOUR })])
    fake.forced.push({ status: 401, body: { message: 'Bad credentials' } }, { status: 401, body: { message: 'Bad credentials' } })
    const d = setup(fake, { env: { GITHUB_TOKEN: 'ghp_wrong' } })
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/credentials rejected .*check GITHUB_TOKEN/)
  })

  it('keeps a 403 with x-ratelimit-remaining: 0 a rate limit (with its retry time), not a credentials error', async () => {
    const fake = await startFakeGitHub([issue('acme', { t: NOW - HOUR })])
    const reset = Math.floor(Date.now() / 1000) + 3600
    fake.forced.push({ path: '/search', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) }, body: { message: 'API rate limit exceeded' } })
    const d = setup(fake, { brand: acmeNoHandles })
    const result = await pull(d)
    expect(result.sources[0]?.error).toMatch(/HTTP 403.*rate limited: retry after/)
    expect(result.sources[0]?.error).not.toMatch(/credentials rejected|refused/)
  })

  it('reports a plain 403 as refused, naming GITHUB_TOKEN', async () => {
    const fake = await startFakeGitHub([issue('acme', { t: NOW - HOUR })])
    fake.forced.push({ path: '/search', status: 403, body: { message: 'Resource not accessible by integration' } })
    const d = setup(fake, { env: { GITHUB_TOKEN: 'ghp_x' }, brand: acmeNoHandles })
    const result = await pull(d)
    expect(result.sources[0]?.error).toMatch(/GitHub refused the request .*check GITHUB_TOKEN/)
  })

  it('retries a 429 after its Retry-After and stores the results', async () => {
    const fake = await startFakeGitHub([issue('acme', { t: NOW - HOUR })])
    fake.forced.push({ path: '/search', status: 429, headers: { 'retry-after': '2' } })
    const d = setup(fake)
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(await d.store().mentions.count()).toBe(1)
    expect(searches(fake).length).toBeGreaterThanOrEqual(3)
  })

  it('fails with the retry time when the 429 keeps coming', async () => {
    const fake = await startFakeGitHub([issue('acme', { t: NOW - HOUR })])
    for (let i = 0; i < 10; i++) fake.forced.push({ path: '/search', status: 429, headers: { 'retry-after': '5' } })
    const d = setup(fake, { brand: acmeNoHandles })
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/HTTP 429.*rate limited: retry after/)
  })
})
