import fs, { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import {
  discourseHeaders,
  discourseOptions,
  discourseSource,
  discourseTerms,
  parentOf,
  parseDiscourse,
  parseDiscoursePosts,
  parseDiscourseSearch,
  parseDiscourseUserActions,
  searchUrl,
} from '../../src/sources/discourse.js'
import { MissingCredentialError, SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayRoute, type ReplayServer } from '../support/replay.js'

const raw = (name: string): string => readFileSync(new URL(`../../fixtures/discourse/${name}`, import.meta.url), 'utf8')
const json = (name: string): Record<string, unknown> => JSON.parse(raw(name)) as Record<string, unknown>
const BASE = 'https://forum.example.com'

describe('parseDiscourseSearch', () => {
  const page = parseDiscourseSearch(raw('search_acme.json'))

  it('reads the hits (one post per topic) and their topics, skipping an unreadable hit', () => {
    expect(page.posts.map((p) => [p.id, p.topic_id, p.post_number])).toEqual([[9011, 1201, 6], [8800, 1150, 1]])
    expect(page.skipped).toBe(1)
    expect(page.topics.get(1201)?.slug).toBe('acme-sync-keeps-failing-after-4-2')
  })

  it('reads null "more" flags as the last page, and true as one more', () => {
    expect(page.more).toBe(false)
    const more = json('search_acme.json')
    more.grouped_search_result = { ...(more.grouped_search_result as object), more_full_page_results: true }
    expect(parseDiscourseSearch(more).more).toBe(true)
    // A server that writes no flag at all: a non-empty page may have a next one.
    const silent = { posts: more.posts, topics: more.topics }
    expect(parseDiscourseSearch(silent).more).toBe(true)
    expect(parseDiscourseSearch({ posts: [] }).more).toBe(false)
  })

  it('carries the forum’s refusal of a query (too short) for a warning', () => {
    const body = { posts: [], grouped_search_result: { more_posts: null, error: 'Your search term is too short.' } }
    expect(parseDiscourseSearch(body).error).toBe('Your search term is too short.')
  })

  it('maps hits to drafts from their blurbs when parsed alone', () => {
    const drafts = parseDiscourse(raw('search_acme.json'), BASE)
    expect(drafts[0]).toEqual({
      externalId: 'post:9011',
      url: `${BASE}/t/acme-sync-keeps-failing-after-4-2/1201/6`,
      title: 'Acme sync keeps failing after 4.2',
      text: 'Still broken for me: Acme sync stops at 99% …',
      author: { handle: 'priya', name: 'Priya Raman' },
      createdAt: Date.parse('2026-11-29T08:30:00.000Z'),
      threadExternalId: 'topic:1201',
      metrics: { likes: 1 },
    })
    // A reply hit knows no parent (search gives no reply_to_post_number): none, not a guess.
    expect(drafts[0]?.parentExternalId).toBeUndefined()
    expect(drafts[1]).toMatchObject({ externalId: 'post:8800', threadExternalId: 'topic:1150' })
    expect(drafts[1]?.author).toEqual({ handle: 'oldtimer' })
  })
})

describe('parseDiscourse on topics and posts', () => {
  const drafts = parseDiscourse(raw('topic_1201.json'), BASE)
  const byId = new Map(drafts.map((d) => [d.externalId, d]))

  it('maps the topic starter: full cooked text, likes from actions_summary, replies, thread id, no parent', () => {
    expect(byId.get('post:9001')).toEqual({
      externalId: 'post:9001',
      url: `${BASE}/t/acme-sync-keeps-failing-after-4-2/1201/1`,
      title: 'Acme sync keeps failing after 4.2',
      text: 'Since the 4.2 update, Acme sync fails with error 42 & retries forever.\n\nAnyone else?',
      author: { handle: 'jdoe', name: 'Jane Doe' },
      createdAt: Date.parse('2026-11-28T10:00:00.000Z'),
      threadExternalId: 'topic:1201',
      metrics: { likes: 3, replies: 2 },
    })
  })

  it('links a reply to the post it replies to, else to the topic’s first post', () => {
    expect(byId.get('post:9005')?.parentExternalId).toBe('post:9002')
    expect(byId.get('post:9002')?.parentExternalId).toBe('post:9001')
  })

  it('drops small actions (closed, pinned …)', () => {
    expect(byId.has('post:9006')).toBe(false)
    expect(drafts).toHaveLength(3)
  })

  it('reads the topic stream, and gives a later chunk parents only where the body says them', () => {
    expect(parseDiscoursePosts(raw('topic_1201.json')).stream).toEqual([9001, 9002, 9005, 9006, 9010, 9011])
    const chunk = parseDiscourse(raw('topic_1201_posts.json'), BASE)
    // #5 answers #3 and #6 answers the topic, neither of which is in this body.
    expect(chunk.map((d) => [d.externalId, d.parentExternalId])).toEqual([['post:9010', undefined], ['post:9011', undefined]])
    expect(chunk[1]?.metrics).toEqual({ likes: 1, replies: 0 })
  })

  it('reads one post (/posts/<id>.json) and keeps a path prefix of baseUrl', () => {
    const [d] = parseDiscourse(raw('post_8950.json'), 'https://example.com/forum/')
    expect(d?.url).toBe('https://example.com/forum/t/acme-api-rate-limits/1190/4')
    expect(d?.text).toContain('60 requests per minute\n1,000 per day')
    expect(d?.metrics).toEqual({ likes: 2, replies: 0 })
  })

  it('resolves parents from a topic context', () => {
    const topic = { firstPostId: 10, idByNumber: new Map([[1, 10], [2, 11]]) }
    expect(parentOf({ post_number: 1 }, topic)).toBeUndefined()
    expect(parentOf({ post_number: 3, reply_to_post_number: 2 }, topic)).toBe('post:11')
    expect(parentOf({ post_number: 3, reply_to_post_number: null }, topic)).toBe('post:10')
    expect(parentOf({ post_number: 4, reply_to_post_number: 3 }, topic)).toBeUndefined()
  })
})

describe('parseDiscourse defensively', () => {
  it('drops a field of the wrong type instead of the post', () => {
    const body = json('topic_1201.json') as { post_stream: { posts: Record<string, unknown>[] } }
    body.post_stream.posts[0] = { ...body.post_stream.posts[0], reply_count: 'many', username: 7 }
    const d = parseDiscourse(body, BASE).find((x) => x.externalId === 'post:9001')
    expect(d?.metrics).toEqual({ likes: 3 })
    expect(d?.author).toEqual({ name: 'Jane Doe' })
  })

  it('throws SourceResponseError for a body that is not JSON, naming what it got', () => {
    expect(() => parseDiscourse('<!DOCTYPE html><title>Login</title>', BASE)).toThrow(SourceResponseError)
    expect(() => parseDiscourse('<!DOCTYPE html>', BASE)).toThrow(/not JSON/)
  })

  it('throws SourceResponseError naming the field for a changed shape', () => {
    expect(() => parseDiscourseSearch({ results: [] })).toThrow(/"posts"/)
    expect(() => parseDiscoursePosts({ stream: [] })).toThrow(/post_stream\.posts/)
    expect(() => parseDiscourseUserActions({ actions: [] })).toThrow(/user_actions/)
  })

  it('turns a Discourse error body into a clear error', () => {
    const body = { errors: ['The requested URL or resource could not be found.'], error_type: 'not_found' }
    expect(() => parseDiscourse(body, BASE)).toThrow('discourse: the forum answered with an error (not_found): The requested URL or resource could not be found.')
  })
})

describe('parseDiscourseUserActions', () => {
  it('reads replies with their post, topic and reply-to numbers', () => {
    const { actions, count } = parseDiscourseUserActions(raw('user_actions_acme_support.json'))
    expect(count).toBe(3)
    expect(actions.map((a) => [a.post_id, a.topic_id, a.post_number, a.reply_to_post_number])).toEqual([
      [9020, 1210, 2, null],
      [9005, 1201, 3, 2],
      [8950, 1190, 4, 1],
    ])
  })
})

describe('discourse queries, options and credentials', () => {
  it('widens the day-granular after:/before: dates by a day on each side (before is exclusive)', () => {
    const url = searchUrl('https://example.com/forum', { term: '"acme cloud"', from: Date.parse('2026-11-23T05:00:00Z'), to: Date.parse('2026-11-25T23:00:00Z'), page: 2 })
    expect(url.pathname).toBe('/forum/search.json')
    expect(url.searchParams.get('q')).toBe('"acme cloud" order:latest after:2026-11-22 before:2026-11-27')
    expect(url.searchParams.get('page')).toBe('2')
    expect(searchUrl(BASE, { term: 'acme', from: Date.parse('2026-11-23T00:00:00Z'), page: 1 }).searchParams.get('q')).toBe('acme order:latest after:2026-11-22')
  })

  it('searches each distinct term once, keeping phrases quoted', () => {
    expect(discourseTerms(['acme', ' acme ', '"acme  cloud"', '""'])).toEqual(['acme', '"acme cloud"'])
  })

  it('requires baseUrl (no default forum), and names the instance by it', () => {
    expect(discourseOptions.safeParse({}).success).toBe(false)
    const o = discourseOptions.parse({ baseUrl: BASE })
    expect(o).toEqual({ baseUrl: BASE, maxPages: 5, maxTopicPosts: 200 })
    expect(discourseSource.instanceKey(o)).toBe(BASE)
    expect(discourseSource.replies).toBe('own-activity')
    expect(discourseSource.requires.map((r) => [r.env, r.optional])).toEqual([['DISCOURSE_API_KEY', true], ['DISCOURSE_API_USERNAME', true]])
  })

  it('sends Api-Key and Api-Username together, or neither; one alone names both', () => {
    expect(discourseHeaders({})).toEqual({})
    expect(discourseHeaders({ DISCOURSE_API_KEY: 'k', DISCOURSE_API_USERNAME: 'bot' })).toEqual({ 'Api-Key': 'k', 'Api-Username': 'bot' })
    expect(() => discourseHeaders({ DISCOURSE_API_KEY: 'k' })).toThrow(MissingCredentialError)
    expect(() => discourseHeaders({ DISCOURSE_API_KEY: 'k' })).toThrow(/DISCOURSE_API_USERNAME.*DISCOURSE_API_KEY/)
    expect(() => discourseHeaders({ DISCOURSE_API_USERNAME: 'bot' })).toThrow(/set DISCOURSE_API_KEY.*DISCOURSE_API_USERNAME/)
  })
})

// ---------------------------------------------------------------------------------------
// Pulls against a replay server

const NOW = Date.parse('2026-11-30T00:00:00.000Z')
const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { discourse: ['acme_support'] } }

let server: ReplayServer | undefined
let deps: TestDeps | undefined
let dir: string | undefined

afterEach(async () => {
  await deps?.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = deps = dir = undefined
})

async function setup(routes: ReplayRoute[], opts: { env?: Record<string, string>; brand?: Brand; options?: Record<string, unknown> } = {}) {
  server = await startReplayServer(routes)
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    env: opts.env ?? {},
    config: { brands: [opts.brand ?? acme], sources: [{ kind: 'discourse', options: { baseUrl: server.url, ...opts.options } }] },
  })
  return { server, deps }
}

const post = (o: { id: number; topic: number; n: number; at: string; user?: string; html?: string; replyTo?: number | null; slug?: string }) => ({
  id: o.id,
  name: '',
  username: o.user ?? 'someone',
  created_at: o.at,
  cooked: o.html ?? `<p>post ${o.id}</p>`,
  post_number: o.n,
  post_type: 1,
  reply_count: 0,
  reply_to_post_number: o.replyTo ?? null,
  topic_id: o.topic,
  topic_slug: o.slug ?? `topic-${o.topic}`,
  actions_summary: [],
})
const topicBody = (id: number, title: string, posts: object[], stream?: number[]) => ({
  post_stream: { posts, stream: stream ?? posts.map((p) => (p as { id: number }).id) },
  id,
  title,
  fancy_title: title,
  slug: `topic-${id}`,
  posts_count: (stream ?? posts).length,
})
const hit = (o: { id: number; topic: number; n: number; at: string }) => ({ id: o.id, name: '', username: 'someone', created_at: o.at, like_count: 0, blurb: 'acme', post_number: o.n, topic_id: o.topic })
const searchBody = (hits: { id: number; topic_id: number; [field: string]: unknown }[], more = false) => ({
  posts: hits,
  topics: [...new Set(hits.map((h) => h.topic_id))].map((id) => ({ id, title: `Topic ${id}`, fancy_title: `Topic ${id}`, slug: `topic-${id}` })),
  users: [],
  categories: [],
  grouped_search_result: { more_posts: null, more_full_page_results: more ? true : null, error: null, post_ids: hits.map((h) => h.id) },
})
const noActions = jsonRoute('/user_actions.json', { user_actions: [] })
const count = (s: ReplayServer, p: string) => s.requests.filter((r) => r.path === p).length
const qs = (s: ReplayServer) => s.requests.filter((r) => r.path === '/search.json').map((r) => r.query.q ?? '')

/** The forum of the fixtures: topic 1201 in two chunks, topic 1150, Acme's replies. */
function forumRoutes(): ReplayRoute[] {
  return [
    jsonRoute('/search.json', json('search_acme.json')),
    jsonRoute('/t/1201.json', json('topic_1201.json')),
    jsonRoute('/t/1201/posts.json', json('topic_1201_posts.json')),
    jsonRoute('/t/1150.json', topicBody(1150, 'Acme vs Globex', [post({ id: 8800, topic: 1150, n: 1, at: '2026-11-27T16:00:00.000Z', user: 'oldtimer', html: '<p>Has anyone compared Acme with Globex?</p>' })])),
  ]
}

describe('discourse pull', () => {
  it('reads matched topics in full, stores the thread’s mentions, and links the brand’s reply in it', async () => {
    const { deps, server } = await setup([...forumRoutes(), noActions])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    // The rest of the stream was asked for by id, newest first.
    const chunk = server.requests.find((r) => r.path === '/t/1201/posts.json')
    expect(chunk).toBeDefined()
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => [m.externalId, m.answered])).toEqual([
      ['post:9011', false],
      ['post:9002', true], // answered by acme_support's post 9005 (reply_to_post_number 2)
      ['post:9001', false],
      ['post:8800', false],
    ])
    const starter = all.find((m) => m.externalId === 'post:9001')
    expect(starter?.text).toBe('Since the 4.2 update, Acme sync fails with error 42 & retries forever.\n\nAnyone else?')
    // Full text from the topic, not the search blurb.
    expect(all[0]?.text).toBe('Still broken for me: Acme sync stops at 99%.')
    expect(all[0]?.url).toBe(`${server.url}/t/acme-sync-keeps-failing-after-4-2/1201/6`)
  })

  it('walks the next search page while the forum says there are more', async () => {
    const p1 = searchBody([hit({ id: 501, topic: 51, n: 1, at: '2026-11-29T10:00:00.000Z' })], true)
    const p2 = searchBody([hit({ id: 401, topic: 41, n: 1, at: '2026-11-28T10:00:00.000Z' })])
    const { deps, server } = await setup([
      jsonRoute('/search.json', p1, { query: { page: '1' } }),
      jsonRoute('/search.json', p2, { query: { page: '2' } }),
      jsonRoute('/t/51.json', topicBody(51, 'Acme one', [post({ id: 501, topic: 51, n: 1, at: '2026-11-29T10:00:00.000Z', html: '<p>acme one</p>' })])),
      jsonRoute('/t/41.json', topicBody(41, 'Acme two', [post({ id: 401, topic: 41, n: 1, at: '2026-11-28T10:00:00.000Z', html: '<p>acme two</p>' })])),
      noActions,
    ])
    await pull(deps)
    expect(server.requests.filter((r) => r.path === '/search.json').map((r) => r.query.page)).toEqual(['1', '2'])
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.externalId)).toEqual(['post:501', 'post:401'])
  })

  it('records the rest as owed when maxPages cuts the walk short', async () => {
    const at = ['2026-11-29T10:00:00.000Z', '2026-11-29T09:00:00.000Z']
    const p1 = searchBody([hit({ id: 501, topic: 51, n: 1, at: at[0] as string }), hit({ id: 502, topic: 52, n: 1, at: at[1] as string })], true)
    const { deps, server } = await setup(
      [
        jsonRoute('/search.json', p1),
        jsonRoute('/t/51.json', topicBody(51, 'Acme', [post({ id: 501, topic: 51, n: 1, at: at[0] as string, html: '<p>acme</p>' })])),
        jsonRoute('/t/52.json', topicBody(52, 'Acme', [post({ id: 502, topic: 52, n: 1, at: at[1] as string, html: '<p>acme</p>' })])),
        noActions,
      ],
      { options: { maxPages: 1 } },
    )
    await pull(deps)
    expect(count(server, '/search.json')).toBe(1)
    const cursor = (await deps.store().cursors.all()).find((c) => c.instance === server.url)
    expect(cursor?.cursor.parts?.acme).toMatchObject({ at: Date.parse(at[0] as string), gap: { from: NOW - 7 * 86_400_000, to: Date.parse(at[1] as string) } })
    expect(deps.warnings.join('\n')).toMatch(/stopped "acme" after 1 page/)
  })

  it('resumes from the cursor: the next pull asks from the newest hit (less the overlap) and reads only new topics', async () => {
    const newer = searchBody([
      hit({ id: 9100, topic: 1220, n: 1, at: '2026-11-29T20:00:00.000Z' }),
      ...(json('search_acme.json').posts as { id: number; topic_id: number }[]).slice(0, 2),
    ])
    const { deps, server } = await setup([
      jsonRoute('/search.json', json('search_acme.json'), { times: 1 }),
      jsonRoute('/search.json', newer),
      ...forumRoutes().slice(1),
      jsonRoute('/t/1220.json', topicBody(1220, 'Acme outage', [post({ id: 9100, topic: 1220, n: 1, at: '2026-11-29T20:00:00.000Z', html: '<p>Acme is down</p>' })])),
      noActions,
    ])
    await pull(deps)
    await pull(deps)
    const [first, second] = qs(server)
    expect(first).toBe('acme order:latest after:2026-11-22')
    // The newest hit was 2026-11-29T08:30; an hour below it, and the day before for the
    // day-granular date.
    expect(second).toBe('acme order:latest after:2026-11-28')
    expect(count(server, '/t/1220.json')).toBe(1)
    // A topic whose latest match the first pull stored is not read again.
    expect(count(server, '/t/1150.json')).toBe(1)
    expect((await listQueue(deps, { queue: 'all' }))[0]?.externalId).toBe('post:9100')
  })

  it('backfills: a pull with an older since also walks the window below what is stored', async () => {
    const old = searchBody([hit({ id: 7000, topic: 700, n: 1, at: '2026-11-10T12:00:00.000Z' })])
    const { deps, server } = await setup([
      jsonRoute('/search.json', old, { query: { q: /before:/ } }),
      ...forumRoutes(),
      jsonRoute('/t/700.json', topicBody(700, 'Old acme thread', [post({ id: 7000, topic: 700, n: 1, at: '2026-11-10T12:00:00.000Z', html: '<p>acme in the old days</p>' })])),
      noActions,
    ])
    await pull(deps)
    expect(qs(server)).toHaveLength(1)
    await pull(deps, { since: Date.parse('2026-11-01T00:00:00.000Z') })
    // The stored window began at since (7 days before now): the backfill ends two days above it.
    expect(qs(server)).toContain('acme order:latest after:2026-10-31 before:2026-11-25')
    const ids = (await listQueue(deps, { queue: 'all' })).map((m) => m.externalId)
    expect(ids).toContain('post:7000')
  })

  it("marks a mention answered from the brand handle's own replies (user_actions), fetching a post only when the excerpt is cut", async () => {
    const question = post({ id: 9019, topic: 1210, n: 1, at: '2026-11-29T08:00:00.000Z', user: 'sam', html: '<p>My Acme invoice is wrong</p>' })
    const { deps, server } = await setup([
      jsonRoute('/search.json', searchBody([hit({ id: 9019, topic: 1210, n: 1, at: '2026-11-29T08:00:00.000Z' })])),
      // The topic as search found it: the brand's answer came later.
      jsonRoute('/t/1210.json', topicBody(1210, 'Acme invoice question', [question])),
      jsonRoute('/user_actions.json', json('user_actions_acme_support.json'), { query: { offset: '0' } }),
      jsonRoute('/user_actions.json', { user_actions: [] }),
      jsonRoute('/posts/by_number/1210/1.json', question),
      jsonRoute('/posts/by_number/1201/2.json', post({ id: 9002, topic: 1201, n: 2, at: '2026-11-28T11:00:00.000Z' })),
      jsonRoute('/posts/by_number/1190/1.json', post({ id: 8940, topic: 1190, n: 1, at: '2026-11-27T19:00:00.000Z' })),
      jsonRoute('/posts/8950.json', json('post_8950.json')),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(await listQueue(deps, { queue: 'unanswered' })).toEqual([])
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => [m.externalId, m.answered])).toEqual([['post:9019', true]])
    const actions = server.requests.filter((r) => r.path === '/user_actions.json')
    expect(actions[0]?.query).toMatchObject({ username: 'acme_support', filter: '5', offset: '0' })
    // The cut excerpt made the adapter read that post; the complete ones did not.
    expect(count(server, '/posts/8950.json')).toBe(1)
    expect(count(server, '/posts/9020.json')).toBe(0)
    const own = result.sources.find((s) => s.instance.endsWith('#own'))
    expect(own).toMatchObject({ fetched: 3 })
    // The next pull resumes below the newest reply: the older ones are not read again.
    const again = await pull(deps)
    expect(again.sources.find((s) => s.instance.endsWith('#own'))).toMatchObject({ fetched: 1 })
    expect(count(server, '/posts/8950.json')).toBe(1)
    expect(count(server, '/posts/by_number/1190/1.json')).toBe(1)
  })

  /** Topic 60 with 70 posts; `at(n)` dates post n. Chunks of 20 ids, newest first, as the adapter asks. */
  function longTopic(at: (n: number) => string, text: (n: number) => string): ReplayRoute[] {
    const p = (n: number) => post({ id: 6000 + n, topic: 60, n, at: at(n), html: `<p>${text(n)}</p>` })
    const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i)
    const stream = range(1, 70).map((n) => 6000 + n)
    const routes: ReplayRoute[] = [jsonRoute('/t/60.json', topicBody(60, 'Long acme thread', range(1, 20).map(p), stream))]
    for (let top = 70; top > 20; top -= 20) {
      const numbers = range(Math.max(21, top - 19), top)
      routes.push(jsonRoute('/t/60/posts.json', { post_stream: { posts: numbers.map(p) }, id: 60 }, { query: { 'post_ids[]': String(6000 + top) } }))
    }
    // Any other chunk (a shorter budget) answers with the posts it names: the first ten.
    routes.push(jsonRoute('/t/60/posts.json', { post_stream: { posts: range(61, 70).map(p) }, id: 60 }))
    return routes
  }

  it('reads a long topic from its newest posts back, and stops once a chunk is older than the window', async () => {
    const at = (n: number) => (n === 70 ? '2026-11-29T06:00:00.000Z' : new Date(Date.parse('2026-09-01T00:00:00Z') + n * 3600_000).toISOString())
    const { deps, server } = await setup([
      jsonRoute('/search.json', searchBody([hit({ id: 6070, topic: 60, n: 70, at: at(70) })])),
      ...longTopic(at, (n) => (n === 70 ? 'acme again' : `old ${n}`)),
      noActions,
    ])
    await pull(deps)
    const chunks = server.requests.filter((r) => r.path === '/t/60/posts.json').map((r) => r.query['post_ids[]'])
    // The last id of each chunk is what the recorder keeps: 70..51, then 50..31; 30..21 is not needed.
    expect(chunks).toEqual(['6051', '6031'])
    expect((await listQueue(deps, { queue: 'all' })).map((m) => [m.externalId, m.text])).toEqual([['post:6070', 'acme again']])
  })

  it('reads at most maxTopicPosts of a topic, saying so, and keeps a hit beyond them from its blurb', async () => {
    const at = (n: number) => new Date(Date.parse('2026-11-29T00:00:00Z') + n * 60_000).toISOString()
    const { deps, server } = await setup(
      [
        jsonRoute('/search.json', searchBody([{ ...hit({ id: 6025, topic: 60, n: 25, at: at(25) }), blurb: 'the acme importer skips rows' }])),
        ...longTopic(at, (n) => `post ${n}`),
        noActions,
      ],
      { options: { maxTopicPosts: 30 } },
    )
    await pull(deps)
    expect(server.requests.filter((r) => r.path === '/t/60/posts.json')).toHaveLength(1)
    expect(deps.warnings.join('\n')).toMatch(/read the newest 30 posts of topic 60 \(of 70\)/)
    const [m] = await listQueue(deps, { queue: 'all' })
    expect([m?.externalId, m?.text]).toEqual(['post:6025', 'the acme importer skips rows'])
  })

  it('keeps a hit from its blurb when its topic is gone (404) by the time it is read', async () => {
    const { deps } = await setup([
      jsonRoute('/search.json', searchBody([{ ...hit({ id: 777, topic: 77, n: 1, at: '2026-11-29T06:00:00.000Z' }), blurb: 'acme <span class="search-highlight">deleted</span> thread' }])),
      { path: '/t/77.json', status: 404, headers: { 'content-type': 'application/json' }, body: '{"errors":["not found"],"error_type":"not_found"}' },
      noActions,
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect((await listQueue(deps, { queue: 'all' })).map((m) => [m.externalId, m.text, m.title])).toEqual([['post:777', 'acme deleted thread', 'Topic 77']])
  })

  it('warns when the forum refuses a term, and stores nothing for it', async () => {
    const body = { posts: [], grouped_search_result: { more_posts: null, more_full_page_results: null, error: 'Your search term is too short.' } }
    const { deps } = await setup([jsonRoute('/search.json', body), noActions], { brand: { ...acme, terms: ['ac'] } })
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(deps.warnings.join('\n')).toContain('discourse: the forum refused "ac": Your search term is too short.')
  })

  it('fails clearly when only one of the two credentials is set', async () => {
    const { deps, server } = await setup([...forumRoutes(), noActions], { env: { DISCOURSE_API_KEY: 'k-123' } })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/DISCOURSE_API_USERNAME/)
    expect(result.sources[0]?.error).toMatch(/DISCOURSE_API_KEY/)
    expect(server.requests).toHaveLength(0)
  })

  it('sends the key, and says credentials were rejected on a 401, naming the variables', async () => {
    const { deps, server } = await setup(
      [{ path: '/search.json', status: 401, headers: { 'content-type': 'application/json' }, body: '{"errors":["You are not permitted to view the requested resource."],"error_type":"invalid_access"}' }, noActions],
      { env: { DISCOURSE_API_KEY: 'k-123', DISCOURSE_API_USERNAME: 'monitor' }, brand: { ...acme, handles: {} } },
    )
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/credentials rejected/)
    expect(result.sources[0]?.error).toMatch(/DISCOURSE_API_KEY, DISCOURSE_API_USERNAME/)
    expect(result.sources[0]?.error).not.toContain('k-123')
    expect(server.requests[0]?.headers).toMatchObject({ 'api-key': 'k-123', 'api-username': 'monitor' })
  })

  it('retries a 429 after Retry-After, and reports the rate-limit headers', async () => {
    const { deps, server } = await setup(
      [
        { path: '/search.json', status: 429, headers: { 'retry-after': '2' }, body: 'Slow down', times: 1 },
        jsonRoute('/search.json', searchBody([]), { headers: { 'ratelimit-limit': '60', 'ratelimit-remaining': '41' } }),
        noActions,
      ],
      { brand: { ...acme, handles: {} } },
    )
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(count(server, '/search.json')).toBe(2)
    const cursor = (await deps.store().cursors.all())[0]
    expect(cursor?.upstream).toMatchObject({ limit: 60, remaining: 41 })
  })

  it('fails with the retry time when the forum asks to wait longer than the client will', async () => {
    const { deps } = await setup([{ path: '/search.json', status: 429, headers: { 'retry-after': '3600' }, body: 'Slow down' }], { brand: { ...acme, handles: {} } })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/rate limited: retry after .* in 3600 s/)
  })
})
