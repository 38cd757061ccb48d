import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import {
  commentsUrl,
  devtoOptions,
  devtoSource,
  latestUrl,
  parseDevto,
  readDevtoArticles,
  readDevtoComments,
  tagUrl,
} from '../../src/sources/devto.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/devto/${name}`, import.meta.url), 'utf8')

describe('parseDevto (article lists)', () => {
  const read = readDevtoArticles(fixture('articles_latest.json'))

  it('maps an article: article:<id>, permalink, canonical elsewhere, excerpt as text, reactions and comments', () => {
    expect(read.items[0]?.draft).toEqual({
      externalId: 'article:2100001',
      url: 'https://dev.to/jdoe/why-we-moved-our-queues-off-acme-cloud-2k1f',
      canonicalUrl: 'https://blog.jdoe.example/acme-queues',
      title: 'Why we moved our queues off Acme Cloud',
      text: "Acme Cloud's pricing changed & our bill tripled. Here is what we did...",
      author: { handle: 'jdoe', name: 'Jane Doe' },
      createdAt: Date.parse('2026-11-20T10:00:00Z'),
      metrics: { likes: 12, replies: 3 },
    })
    expect(read.items[0]).toMatchObject({ thread: '2100001', commentCount: 3 })
  })

  it('leaves canonicalUrl out when it is the article itself, and gives no reach (Forem has none)', () => {
    const d = read.items[1]?.draft
    expect(d?.canonicalUrl).toBeUndefined()
    expect(d?.author).toEqual({ handle: 'rustacean', name: 'Rustacean' })
    expect(read.items[1]?.commentCount).toBe(0)
  })

  it('drops fields of the wrong type, builds the permalink from path, and skips an undated article', () => {
    const odd = read.items[2]
    expect(odd?.draft).toEqual({
      externalId: 'article:not-a-number-but-kept',
      url: 'https://dev.to/odd/odd-article',
      text: '',
      createdAt: Date.parse('2026-11-20T09:00:00Z'),
      metrics: { likes: 1 },
    })
    expect(odd?.commentCount).toBeUndefined()
    expect(read.skipped).toBe(1)
    expect(parseDevto(fixture('articles_latest.json'))).toHaveLength(3)
  })

  it('names the problem for a body that is not JSON, not a list, or a Forem error', () => {
    expect(() => parseDevto('<html>blocked</html>')).toThrow(SourceResponseError)
    expect(() => parseDevto('{"articles": []}')).toThrow(/expected a JSON array of articles/)
    expect(() => parseDevto('{"error":"not found","status":404}')).toThrow(/error 404: not found/)
  })
})

describe('readDevtoComments (a threaded tree)', () => {
  const read = readDevtoComments(fixture('comments_tree.json'), { id: '2100001', title: 'Why we moved our queues off Acme Cloud' })

  it('flattens the tree: top-level comments answer the article, replies answer their comment', () => {
    expect(read.drafts.map((d) => [d.externalId, d.parentExternalId])).toEqual([
      ['comment:2q0a1', 'article:2100001'],
      ['comment:2q0a3', 'comment:2q0a1'],
      ['comment:2q0a4', 'comment:2q0a2'],
    ])
    expect(read.drafts.every((d) => d.threadExternalId === 'article:2100001')).toBe(true)
  })

  it('maps a comment: permalink under its author, plain text, the article title as context', () => {
    expect(read.drafts[0]).toEqual({
      externalId: 'comment:2q0a1',
      url: 'https://dev.to/samops/comment/2q0a1',
      title: 'Why we moved our queues off Acme Cloud',
      text: "Did you try Acme's reserved tier? It cut ours in half.",
      author: { handle: 'samops', name: 'Sam Ops' },
      createdAt: Date.parse('2026-11-20T10:30:00Z'),
      parentExternalId: 'article:2100001',
      threadExternalId: 'article:2100001',
      metrics: { replies: 1 },
    })
  })

  it('leaves out a deleted comment but keeps its replies; counts a comment without an id as skipped', () => {
    expect(read.drafts.some((d) => d.externalId === 'comment:2q0a2')).toBe(false)
    expect(read.skipped).toBe(1)
  })

  it('refuses a body that is not a list', () => {
    expect(() => readDevtoComments('{"error":"not found","status":404}', { id: '1' })).toThrow(/error 404/)
  })
})

describe('devto URLs and options', () => {
  it('builds latest, tag and comments URLs under baseUrl', () => {
    expect(latestUrl('https://dev.to', 2, 100).href).toBe('https://dev.to/api/articles/latest?per_page=100&page=2')
    expect(tagUrl('http://127.0.0.1:9/proxy', 'rust', 1, 30).href).toBe('http://127.0.0.1:9/proxy/api/articles?tag=rust&per_page=30&page=1')
    expect(commentsUrl('https://dev.to/', '42').href).toBe('https://dev.to/api/comments?a_id=42')
  })

  it('has defaults, an optional key, feed scope and thread replies', () => {
    expect(devtoOptions.parse({})).toEqual({ baseUrl: 'https://dev.to', maxPages: 5, perPage: 100, tags: [], latest: true, overlapHours: 24 })
    expect(() => devtoOptions.parse({ tags: ['#rust'] })).toThrow()
    expect(devtoSource.requires).toEqual([expect.objectContaining({ env: 'DEVTO_API_KEY', optional: true })])
    expect(devtoSource).toMatchObject({ kind: 'devto', scope: 'feed', replies: 'thread' })
  })
})

// ---------------------------------------------------------------------------------------
// A loopback Forem: /api/articles/latest newest first, /api/articles?tag= by hotness,
// /api/comments?a_id= trees. Items can be added between pulls.

const NOW = Date.parse('2026-11-21T00:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR

interface FakeArticle {
  id: number
  t: number
  title: string
  description?: string
  tags?: string[]
  hot?: number
  comments?: object[]
}

interface FakeForem {
  url: string
  articles: FakeArticle[]
  requests: { path: string; query: Record<string, string>; headers: IncomingMessage['headers'] }[]
  /** Answers to send before the normal ones: status, headers, body. */
  answers: { status: number; headers?: Record<string, string>; body: string }[]
  headers: Record<string, string>
  close(): Promise<void>
}

const open: FakeForem[] = []
let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  while (open.length > 0) await open.pop()?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  deps = dir = undefined
})

const iso = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z')

function articleJson(a: FakeArticle): object {
  return {
    type_of: 'article',
    id: a.id,
    title: a.title,
    description: a.description ?? '',
    path: `/writer/a-${a.id}`,
    url: `https://dev.to/writer/a-${a.id}`,
    comments_count: a.comments?.length ?? 0,
    public_reactions_count: 1,
    positive_reactions_count: 1,
    published_timestamp: iso(a.t),
    published_at: iso(a.t),
    created_at: iso(a.t),
    tag_list: a.tags ?? [],
    tags: (a.tags ?? []).join(', '),
    user: { name: 'Writer', username: 'writer', user_id: 1 },
  }
}

async function startForem(articles: FakeArticle[]): Promise<FakeForem> {
  const fake: FakeForem = { url: '', articles, requests: [], answers: [], headers: {}, close: async () => {} }
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    fake.requests.push({ path: u.pathname, query: Object.fromEntries(u.searchParams), headers: req.headers })
    const answer = fake.answers.shift()
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers })
      res.end(answer.body)
      return
    }
    const page = Number(u.searchParams.get('page') ?? '1')
    const perPage = Number(u.searchParams.get('per_page') ?? '30')
    const send = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json', ...fake.headers })
      res.end(JSON.stringify(value))
    }
    const slice = (list: FakeArticle[]) => list.slice((page - 1) * perPage, page * perPage).map(articleJson)
    if (u.pathname === '/api/articles/latest') return send(slice([...fake.articles].sort((a, b) => b.t - a.t)))
    if (u.pathname === '/api/articles') {
      const tag = u.searchParams.get('tag') ?? ''
      return send(slice(fake.articles.filter((a) => a.tags?.includes(tag)).sort((a, b) => (b.hot ?? 0) - (a.hot ?? 0))))
    }
    if (u.pathname === '/api/comments') {
      const a = fake.articles.find((x) => String(x.id) === u.searchParams.get('a_id'))
      if (!a) {
        res.writeHead(404, { 'content-type': 'application/json' })
        res.end('{"error":"not found","status":404}')
        return
      }
      return send(a.comments ?? [])
    }
    res.writeHead(404)
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  open.push(fake)
  return fake
}

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { devto: ['acme_support'] } }

function setup(fake: FakeForem, options: Record<string, unknown> = {}, opts: { env?: Record<string, string> } = {}): TestDeps {
  dir = tempDir()
  const base = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    env: opts.env ?? {},
    config: { brands: [acme], sources: [{ kind: 'devto', options: { baseUrl: fake.url, perPage: 2, overlapHours: 1, ...options } }] },
  })
  deps = base
  return deps
}

const comment = (id: string, t: number, text: string, user: string, children: object[] = []) => ({
  type_of: 'comment',
  id_code: id,
  created_at: iso(t),
  body_html: `<p>${text}</p>`,
  user: { name: user, username: user, user_id: 9 },
  children,
})

const latestPages = (f: FakeForem) => f.requests.filter((r) => r.path === '/api/articles/latest').map((r) => Number(r.query.page))
const stored = async (d: TestDeps) => (await listQueue(d, { queue: 'all' })).map((m) => m.externalId).sort()

describe('devto search() through pull', () => {
  it('pages latest until it passes since, fetches comments of matching articles only, and stores the matches', async () => {
    const fake = await startForem([
      { id: 5, t: NOW - 1 * HOUR, title: 'Acme outage again', comments: [comment('c5', NOW - 0.5 * HOUR, 'acme, please fix', 'u1')] },
      { id: 4, t: NOW - 2 * HOUR, title: 'Rust tips', comments: [comment('c4', NOW - HOUR, 'acme would never', 'u2')] },
      { id: 3, t: NOW - 3 * DAY, title: 'Why acme?' },
      { id: 2, t: NOW - 4 * DAY, title: 'CSS grid' },
      { id: 1, t: NOW - 9 * DAY, title: 'Old acme post' },
    ])
    const d = setup(fake)
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(latestPages(fake)).toEqual([1, 2, 3])
    // Comments are read only under the articles that name the brand.
    expect(fake.requests.filter((r) => r.path === '/api/comments').map((r) => r.query.a_id)).toEqual(['5'])
    expect(await stored(d)).toEqual(['article:3', 'article:5', 'comment:c5'])
    expect(fake.requests[0]?.headers['user-agent']).toBeTruthy()
    expect(fake.requests[0]?.headers['api-key']).toBeUndefined()
  })

  it('resumes from the cursor: the second pull reads one page and stores only what is new', async () => {
    const fake = await startForem([
      { id: 3, t: NOW - 5 * HOUR, title: 'acme one' },
      { id: 2, t: NOW - 8 * HOUR, title: 'acme two' },
      { id: 1, t: NOW - 9 * HOUR, title: 'acme three' },
    ])
    // Three a page: the first page then reaches below the resume point less the hour of overlap.
    const d = setup(fake, { perPage: 3 })
    await pull(d)
    fake.articles.push({ id: 4, t: NOW - 2 * HOUR, title: 'acme four' })
    fake.requests.length = 0
    const second = await pull(d)
    expect(latestPages(fake)).toEqual([1])
    expect(second.sources[0]).toMatchObject({ new: 1 })
    const cursor = (await d.store().cursors.all())[0]?.cursor
    expect(cursor?.parts?.latest).toMatchObject({ at: NOW - 2 * HOUR })
  })

  it('backfills: a later pull with an older since reads down to it and stores the older articles', async () => {
    const fake = await startForem([
      { id: 3, t: NOW - 1 * HOUR, title: 'acme new' },
      { id: 2, t: NOW - 3 * DAY, title: 'acme older' },
      { id: 1, t: NOW - 6 * DAY, title: 'acme oldest' },
    ])
    const d = setup(fake)
    await pull(d, { since: NOW - DAY })
    expect(await stored(d)).toEqual(['article:3'])
    await pull(d, { since: NOW - 7 * DAY })
    expect(await stored(d)).toEqual(['article:1', 'article:2', 'article:3'])
    expect((await d.store().cursors.all())[0]?.cursor.parts?.latest?.oldest).toBe(NOW - 7 * DAY)
  })

  it('gives up, with a warning, on what lies beyond maxPages instead of owing it forever', async () => {
    const fake = await startForem(Array.from({ length: 6 }, (_, i) => ({ id: 10 + i, t: NOW - (i + 1) * HOUR, title: `acme ${i}` })))
    const d = setup(fake, { maxPages: 2 })
    await pull(d)
    expect(latestPages(fake)).toEqual([1, 2])
    expect(d.warnings.some((w) => /^devto: stopped latest after 2 page\(s\): articles older than .* are beyond the pages read/.test(w))).toBe(true)
    const cursor = (await d.store().cursors.all())[0]?.cursor
    expect(cursor?.gap).toBeUndefined()
  })

  it("marks a comment answered when the brand's handle replied in the article's tree", async () => {
    const fake = await startForem([
      {
        id: 7,
        t: NOW - 3 * HOUR,
        title: 'Acme queues are slow',
        comments: [
          comment('q1', NOW - 2 * HOUR, 'Is acme down for anyone else?', 'user1', [
            comment('r1', NOW - HOUR, 'Fixed now, sorry about that.', 'acme_support'),
          ]),
        ],
      },
    ])
    const d = setup(fake)
    await pull(d)
    const unanswered = (await listQueue(d, { queue: 'unanswered' })).map((m) => m.externalId)
    expect(unanswered).toEqual(['article:7'])
    const all = await listQueue(d, { queue: 'all' })
    expect(all.find((m) => m.externalId === 'comment:q1')).toMatchObject({ answered: true })
    // The brand's own reply is stored as its own, never queued.
    expect(all.some((m) => m.externalId === 'comment:r1')).toBe(false)
  })

  it('reads tags as ranked lists: pages until one holds nothing new, one cursor part per tag', async () => {
    const fake = await startForem([
      { id: 3, t: NOW - 5 * DAY, title: 'acme old but hot', tags: ['cloud'], hot: 9 },
      { id: 2, t: NOW - 2 * HOUR, title: 'acme fresh', tags: ['cloud'], hot: 5 },
      { id: 1, t: NOW - 20 * DAY, title: 'ancient', tags: ['cloud'], hot: 3 },
      { id: 0, t: NOW - 21 * DAY, title: 'ancient too', tags: ['cloud'], hot: 1 },
    ])
    const d = setup(fake, { latest: false, tags: ['cloud'] })
    await pull(d)
    expect(fake.requests.filter((r) => r.query.tag === 'cloud').map((r) => Number(r.query.page))).toEqual([1, 2])
    expect(await stored(d)).toEqual(['article:2', 'article:3'])
    expect(Object.keys((await d.store().cursors.all())[0]?.cursor.parts ?? {})).toEqual(['tag:cloud'])
  })

  it('without brands in the query (a caller other than the pull), stores articles, fetches no comments, and says so', async () => {
    const fake = await startForem([{ id: 1, t: NOW - HOUR, title: 'acme', comments: [comment('x', NOW - 0.5 * HOUR, 'acme', 'u')] }])
    const warnings: string[] = []
    const ctx = { http: setup(fake).http(), options: devtoSource.options.parse({ baseUrl: fake.url, perPage: 2, overlapHours: 1 }), env: {}, now: () => NOW, warn: (m: string) => void warnings.push(m) }
    const pages = []
    for await (const p of devtoSource.search(ctx, { since: NOW - DAY, maxPages: 2 })) pages.push(p)
    expect(pages.flatMap((p) => p.mentions.map((m) => m.externalId))).toEqual(['article:1'])
    expect(fake.requests.some((r) => r.path === '/api/comments')).toBe(false)
    expect(warnings).toContain('no brands given to match articles against: comments are not fetched this pull')
  })

  it('sends DEVTO_API_KEY as the api-key header, and names it when refused (401)', async () => {
    const fake = await startForem([])
    fake.answers.push({ status: 401, body: '{"error":"unauthorized","status":401}' })
    const d = setup(fake, {}, { env: { DEVTO_API_KEY: 'k-123' } })
    const result = await pull(d)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/credentials rejected .*check DEVTO_API_KEY/)
    expect(fake.requests[0]?.headers['api-key']).toBe('k-123')
  })

  it('retries a 429 after Retry-After, and fails with the retry time when it persists', async () => {
    const fake = await startForem([{ id: 1, t: NOW - HOUR, title: 'acme' }])
    fake.answers.push({ status: 429, headers: { 'retry-after': '1' }, body: '{"error":"Rate limit reached","status":429}' })
    const d = setup(fake)
    expect((await pull(d)).status).toBe('ok')
    expect(await stored(d)).toEqual(['article:1'])

    for (let i = 0; i < 10; i++) fake.answers.push({ status: 429, headers: { 'retry-after': '3600' }, body: '{}' })
    const limited = await pull(d)
    expect(limited.status).toBe('failed')
    expect(limited.sources[0]?.error).toMatch(/HTTP 429 .*rate limited: retry after /)
  })

  it('reports RateLimit-* headers as the upstream state', async () => {
    const fake = await startForem([])
    fake.headers = { 'ratelimit-limit': '30', 'ratelimit-remaining': '29' }
    const d = setup(fake)
    await pull(d)
    expect((await d.store().cursors.all())[0]?.upstream).toMatchObject({ limit: 30, remaining: 29 })
  })
})
