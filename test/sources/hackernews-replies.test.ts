// The brand's replies on Hacker News: its handles' own comments (ownActivity) and the
// threads search matched (thread look-ups through /api/v1/items/<id>).
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { exportMentions, listQueue } from '../../src/app/queues.js'
import type { Brand, Mention } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import {
  authorTags,
  hackerNewsOptions,
  hackerNewsSource,
  itemUrl,
  parseHackerNews,
  parseHackerNewsItem,
} from '../../src/sources/hackernews.js'
import { SourceResponseError, type OwnActivityQuery, type Page, type SourceQuery } from '../../src/sources/types.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, useReplayServers, type ReplayRoute, type ReplayServer } from '../support/replay.js'

const SEARCH = '/api/v1/search_by_date'
const ITEMS = '/api/v1/items'
const OWN_TAGS = 'comment,author_acme_support'
const SEARCH_TAGS = '(story,comment)'
const HOUR = 3600_000
const DAY = 24 * HOUR

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { hackernews: ['acme_support'] } }
const noHandles: Brand = { ...acme, handles: {} }

const fixture = (name: string): string => fs.readFileSync(new URL(`../../fixtures/hackernews/${name}`, import.meta.url), 'utf8')
const THREAD = fixture('items_thread_acme.json')

const serve = useReplayServers()
const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

/** An /api/v1/items node in the 2023+ shape. */
interface ItemNode {
  id: number
  type: 'story' | 'comment'
  author: string | null
  created_at: string
  created_at_i: number
  parent_id: number | null
  story_id: number
  points: number | null
  text: string | null
  title: string | null
  url: string | null
  options: []
  children: ItemNode[]
}

function item(o: { id: number; at: number; author?: string | null; text?: string; parent?: number; story?: number; title?: string; children?: ItemNode[] }): ItemNode {
  const isStory = o.parent === undefined
  return {
    author: o.author === undefined ? 'someone' : o.author,
    children: o.children ?? [],
    created_at: new Date(Math.floor(o.at / 1000) * 1000).toISOString(),
    created_at_i: Math.floor(o.at / 1000),
    id: o.id,
    options: [],
    parent_id: o.parent ?? null,
    points: isStory ? 12 : null,
    story_id: o.story ?? o.id,
    text: o.text ?? null,
    title: isStory ? (o.title ?? 'Ask HN: Acme Cloud restores failing?') : null,
    type: isStory ? 'story' : 'comment',
    url: null,
  }
}

/** A story hit for search_by_date in the 2023+ shape. */
function storyHit(o: { id: string; at: number; title: string; numComments: number }): object {
  return {
    _highlightResult: {},
    _tags: ['story', 'author_someone', `story_${o.id}`, 'ask_hn'],
    author: 'someone',
    children: [],
    created_at: new Date(Math.floor(o.at / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    created_at_i: Math.floor(o.at / 1000),
    num_comments: o.numComments,
    objectID: o.id,
    points: 5,
    story_id: Number(o.id),
    story_text: 'We lost a day of data.',
    title: o.title,
    updated_at: new Date(o.at).toISOString(),
  }
}

// ---------------------------------------------------------------------------------------
// Parsing an item tree (pure)

describe('parseHackerNewsItem', () => {
  const thread = parseHackerNewsItem(THREAD)

  it('reads every item of the tree, root first, depth first', () => {
    expect(thread.drafts.map((d) => d.externalId)).toEqual(['44100000', '44100010', '44100020', '44100030', '44100011', '44100012'])
    expect([...thread.ids].sort()).toEqual(['44100000', '44100010', '44100011', '44100012', '44100013', '44100020', '44100030'])
    // 44100013 has no creation time: it cannot be stored, but its id still counts as seen.
    expect(thread.skipped).toBe(1)
  })

  it('maps a reply like a search comment hit: ids, story title as context, plain text', () => {
    expect(thread.drafts.find((d) => d.externalId === '44100020')).toEqual({
      externalId: '44100020',
      url: 'https://news.ycombinator.com/item?id=44100020',
      title: 'Ask HN: Acme Cloud restores failing since yesterday?',
      text: "Sorry about this. Point-in-time restore is back; details at https://status.acme.example/\n\nWe'll post a write-up.",
      author: { handle: 'acme_support' },
      createdAt: Date.parse('2026-11-20T10:12:44Z'),
      parentExternalId: '44100010',
      threadExternalId: '44100000',
    })
  })

  it('maps the root story: title, text, score, no parent', () => {
    const story = thread.drafts[0]
    expect(story).toMatchObject({ externalId: '44100000', title: 'Ask HN: Acme Cloud restores failing since yesterday?', metrics: { likes: 31, score: 31 } })
    expect(story?.parentExternalId).toBeUndefined()
    expect(story?.text).toBe('Our nightly backups stopped restoring after the migration. Anyone else?')
  })

  it('keeps a deleted comment without an author', () => {
    const deleted = thread.drafts.find((d) => d.externalId === '44100011')
    expect(deleted?.author).toBeUndefined()
    expect(deleted?.text).toBe('')
  })

  it('walks a reply chain deeper than the call stack allows', () => {
    const depth = 20_000
    let node: ItemNode = item({ id: depth, at: 1_795_167_615_000, parent: depth - 1, story: 1, text: 'bottom' })
    for (let id = depth - 1; id >= 1; id--) node = item({ id, at: 1_795_167_615_000, ...(id > 1 ? { parent: id - 1, story: 1 } : {}), children: [node] })
    const deep = parseHackerNewsItem(node)
    expect(deep.drafts).toHaveLength(depth)
    expect(deep.drafts.at(-1)).toMatchObject({ externalId: String(depth), parentExternalId: String(depth - 1), text: 'bottom' })
  })

  it('throws SourceResponseError for a body that is not JSON or not an item', () => {
    expect(() => parseHackerNewsItem('<html>502</html>')).toThrow(SourceResponseError)
    expect(() => parseHackerNewsItem('<html>502</html>')).toThrow(/not JSON/)
    expect(() => parseHackerNewsItem({ error: 'Not Found', status: 404 })).toThrow(/"id"/)
    expect(() => parseHackerNewsItem(null)).toThrow(SourceResponseError)
  })

  it('builds the items URL and the author tags', () => {
    expect(itemUrl('https://hn.algolia.com', '44100000').href).toBe('https://hn.algolia.com/api/v1/items/44100000')
    expect(itemUrl('http://127.0.0.1:9/hn/', '1').pathname).toBe('/hn/api/v1/items/1')
    expect(authorTags('acme_support')).toBe('comment,author_acme_support')
  })
})

// ---------------------------------------------------------------------------------------
// ownActivity() and search() against a loopback server through the real client

const NOW = Date.parse('2026-11-20T12:00:00Z')

function ctxFor(server: ReplayServer, options: Record<string, unknown> = {}) {
  const http = createHttp({ userAgent: 'mentions-test', retries: 0, sleep: async () => {} })
  cleanups.push(() => http.close())
  const warnings: string[] = []
  return {
    warnings,
    ctx: {
      http,
      options: hackerNewsOptions.parse({ baseUrl: server.url, hitsPerPage: 2, ...options }),
      env: {},
      now: () => NOW,
      warn: (m: string) => void warnings.push(m),
    },
  }
}

async function own(routes: ReplayRoute[], q: Partial<OwnActivityQuery>, options: Record<string, unknown> = {}) {
  const server = await serve(routes)
  const { ctx, warnings } = ctxFor(server, options)
  const pages: Page[] = []
  const query: OwnActivityQuery = { brand: acme, handles: ['acme_support'], since: NOW - 7 * DAY, maxPages: 10, ...q }
  for await (const page of hackerNewsSource.ownActivity!(ctx, query)) pages.push(page)
  return { pages, server, warnings }
}

async function search(routes: ReplayRoute[], q: Partial<SourceQuery>, options: Record<string, unknown> = {}) {
  const server = await serve(routes)
  const { ctx, warnings } = ctxFor(server, options)
  const pages: Page[] = []
  for await (const page of hackerNewsSource.search(ctx, { brand: acme, since: NOW - 7 * DAY, maxPages: 10, ...q })) pages.push(page)
  return { pages, server, warnings }
}

const ids = (pages: Page[]) => pages.flatMap((p) => p.mentions.map((m) => m.externalId))

describe('hackernews ownActivity()', () => {
  const t = NOW - 5 * HOUR
  const r1 = hnComment('Fixed, sorry.', { id: '50000003', author: 'acme_support', parentId: 50000001, createdAt: t })
  const r2 = hnComment('Looking into it.', { id: '50000004', author: 'acme_support', parentId: 50000002, createdAt: t - HOUR })
  const r3 = hnComment('Thanks for the report.', { id: '50000005', author: 'acme_support', parentId: 50000009, createdAt: t - 2 * HOUR })

  it('walks the handle’s comments newest first, page by page, with the author tag and no query', async () => {
    const { pages, server } = await own([
      jsonRoute(SEARCH, hnPage([r1, r2], { page: 0, nbPages: 2 }), { query: { tags: OWN_TAGS, page: '0' } }),
      jsonRoute(SEARCH, hnPage([r3], { page: 1, nbPages: 2 }), { query: { tags: OWN_TAGS, page: '1' } }),
    ], {})
    expect(server.requests.map((r) => r.query)).toEqual([0, 1].map((page) => ({
      query: '',
      tags: OWN_TAGS,
      numericFilters: `created_at_i>=${(NOW - 7 * DAY) / 1000}`,
      hitsPerPage: '2',
      page: String(page),
    })))
    expect(ids(pages)).toEqual(['50000003', '50000004', '50000005'])
    // The same drafts search would build from those hits: parent_id is the mention's objectID.
    expect(pages.flatMap((p) => p.mentions)).toEqual(parseHackerNews(hnPage([r1, r2, r3])))
    expect(pages[0]?.mentions[0]).toMatchObject({ parentExternalId: '50000001', threadExternalId: '39000000', author: { handle: 'acme_support' } })
    const part = { at: t, oldest: NOW - 7 * DAY }
    expect(pages.at(-1)?.cursor).toEqual({ ...part, parts: { acme_support: part } })
  })

  it('keeps one cursor part per handle and resumes each an hour below its own newest comment', async () => {
    const other = hnComment('On it.', { id: '50000006', author: 'acme_cto', parentId: 50000001, createdAt: t - 3 * HOUR })
    const routes = [
      jsonRoute(SEARCH, hnPage([r1]), { query: { tags: OWN_TAGS } }),
      jsonRoute(SEARCH, hnPage([other]), { query: { tags: 'comment,author_acme_cto' } }),
    ]
    const first = await own(routes, { handles: ['acme_support', '@acme_cto', 'acme_support'] })
    const cursor = first.pages.at(-1)?.cursor
    expect(cursor?.parts).toEqual({ acme_support: { at: t, oldest: NOW - 7 * DAY }, acme_cto: { at: t - 3 * HOUR, oldest: NOW - 7 * DAY } })

    const second = await own(routes, { handles: ['acme_support', 'acme_cto'], ...(cursor ? { cursor } : {}) })
    expect(second.server.requests.map((r) => [r.query.tags, r.query.numericFilters])).toEqual([
      [OWN_TAGS, `created_at_i>=${(t - HOUR) / 1000}`],
      ['comment,author_acme_cto', `created_at_i>=${(t - 4 * HOUR) / 1000}`],
    ])
  })

  it('backfills a longer window below what the cursor covers', async () => {
    const cursor = { at: t, oldest: NOW - 7 * DAY, parts: { acme_support: { at: t, oldest: NOW - 7 * DAY } } }
    const { server, pages } = await own([jsonRoute(SEARCH, hnPage([]), { query: { tags: OWN_TAGS } })], { since: NOW - 30 * DAY, cursor })
    expect(server.requests.map((r) => r.query.numericFilters)).toEqual([
      `created_at_i>=${(t - HOUR) / 1000}`,
      `created_at_i>=${(NOW - 30 * DAY) / 1000},created_at_i<=${(NOW - 7 * DAY) / 1000}`,
    ])
    expect(pages.at(-1)?.cursor.parts?.acme_support).toEqual({ at: t, oldest: NOW - 30 * DAY })
  })

  it('owes the rest as a gap when the page bound cuts the walk short', async () => {
    const { pages, server, warnings } = await own(
      [jsonRoute(SEARCH, hnPage([r1, r2], { page: 0, nbPages: 2 }), { query: { tags: OWN_TAGS } })],
      { maxPages: 1 },
    )
    expect(server.requests).toHaveLength(1)
    expect(pages.at(-1)?.cursor.parts?.acme_support).toEqual({ at: t, oldest: NOW - 7 * DAY, gap: { from: NOW - 7 * DAY, to: t - HOUR } })
    expect(warnings).toEqual([`stopped "${OWN_TAGS}" after 1 page(s); the rest is fetched next pull`])
  })

  it('drops comments by anyone else when the upstream ignores the author tag', async () => {
    const stranger = hnComment('acme is down', { id: '50000007', author: 'someone', createdAt: t })
    const { pages, warnings } = await own([jsonRoute(SEARCH, hnPage([stranger, r1]))], {})
    expect(ids(pages)).toEqual(['50000003'])
    expect(warnings).toEqual([`dropped 1 hit(s) for "${OWN_TAGS}" not written by acme_support`])
  })

  it('reads a handle case-insensitively, as the store does', async () => {
    const shouty = hnComment('Fixed.', { id: '50000008', author: 'ACME_Support', createdAt: t })
    const { pages } = await own([jsonRoute(SEARCH, hnPage([shouty]))], {})
    expect(ids(pages)).toEqual(['50000008'])
  })

  it('asks nothing without handles', async () => {
    const { pages, server } = await own([], { handles: [' ', '@'] })
    expect(server.requests).toEqual([])
    expect(pages).toEqual([{ mentions: [], cursor: {} }])
  })
})

describe('hackernews search() thread look-ups', () => {
  const t = NOW - 6 * HOUR
  const s1 = storyHit({ id: '60000001', at: t, title: 'Ask HN: Acme Cloud restores failing?', numComments: 3 })
  const s2 = storyHit({ id: '60000002', at: t - HOUR, title: 'Acme raises prices again', numComments: 1 })
  const quiet = storyHit({ id: '60000003', at: t - 2 * HOUR, title: 'Show HN: an Acme client', numComments: 0 })
  // A matched comment inside s1: s1's tree covers it, so it costs no look-up of its own.
  const c1 = { ...(hnComment('acme restores are broken', { id: '60000011', parentId: 60000001, createdAt: t + HOUR }) as Record<string, unknown>), story_id: 60000001, children: [60000021] }
  const tree1 = item({
    id: 60000001, at: t,
    children: [
      item({ id: 60000011, at: t + HOUR, parent: 60000001, story: 60000001, text: 'acme restores are broken', children: [
        item({ id: 60000021, at: t + 2 * HOUR, author: 'acme_support', parent: 60000011, story: 60000001, text: 'Fixed now, sorry.' }),
      ] }),
      item({ id: 60000012, at: t + 3 * HOUR, author: 'bystander', parent: 60000001, story: 60000001, text: 'same' }),
    ],
  })
  const tree2 = item({ id: 60000002, at: t - HOUR, title: 'Acme raises prices again', children: [
    item({ id: 60000022, at: t, author: 'acme_support', parent: 60000002, story: 60000002, text: 'Existing plans keep their price.' }),
  ] })
  const searchRoute = jsonRoute(SEARCH, hnPage([c1, s1, s2, quiet]), { query: { tags: SEARCH_TAGS } })

  it('fetches the threads with replies, stories first, and yields the brand’s comments in them', async () => {
    const { pages, server, warnings } = await search([
      searchRoute,
      jsonRoute(`${ITEMS}/60000001`, tree1),
      jsonRoute(`${ITEMS}/60000002`, tree2),
    ], {})
    expect(server.requests.map((r) => r.path)).toEqual([SEARCH, `${ITEMS}/60000001`, `${ITEMS}/60000002`])
    expect(ids(pages)).toEqual(['60000011', '60000001', '60000002', '60000003', '60000021', '60000022'])
    const reply = pages.flatMap((p) => p.mentions).find((m) => m.externalId === '60000021')
    expect(reply).toMatchObject({
      author: { handle: 'acme_support' },
      parentExternalId: '60000011',
      threadExternalId: '60000001',
      title: 'Ask HN: Acme Cloud restores failing?',
      text: 'Fixed now, sorry.',
      createdAt: Math.floor((t + 2 * HOUR) / 1000) * 1000,
    })
    // Look-up pages carry the cursor the walk ended with.
    const walked = pages[0]?.cursor
    for (const p of pages) expect(p.cursor).toEqual(walked)
    expect(warnings).toEqual([])
  })

  it('stops at threadLookups, newest stories first, and says how many were left', async () => {
    const { pages, server, warnings } = await search([searchRoute, jsonRoute(`${ITEMS}/60000001`, tree1)], {}, { threadLookups: 1 })
    expect(server.requests.map((r) => r.path)).toEqual([SEARCH, `${ITEMS}/60000001`])
    expect(ids(pages)).toContain('60000021')
    expect(warnings).toEqual(['looked up 1 thread(s) with replies; 1 more not checked (threadLookups: 1)'])
  })

  it('looks nothing up when turned off or when the brand has no handles here', async () => {
    for (const run of [search([searchRoute], {}, { threadLookups: 0 }), search([searchRoute], { brand: noHandles })]) {
      const { server } = await run
      expect(server.requests.map((r) => r.path)).toEqual([SEARCH])
    }
  })

  it('leaves out replies after until and replies search already returned', async () => {
    const reply = hnComment('Fixed now, sorry. Acme status page has details.', { id: '60000021', author: 'acme_support', parentId: 60000011, createdAt: t + 2 * HOUR })
    const { pages } = await search([
      jsonRoute(SEARCH, hnPage([reply, s1, s2]), { query: { tags: SEARCH_TAGS } }),
      jsonRoute(`${ITEMS}/60000001`, tree1),
      jsonRoute(`${ITEMS}/60000002`, tree2),
    ], { until: t + 3 * HOUR })
    // 60000021 came with the search; 60000022 (at t) is in the window; nothing is doubled.
    expect(ids(pages)).toEqual(['60000021', '60000001', '60000002', '60000022'])
    const late = await search([
      jsonRoute(SEARCH, hnPage([s1]), { query: { tags: SEARCH_TAGS } }),
      jsonRoute(`${ITEMS}/60000001`, tree1),
    ], { until: t + HOUR })
    expect(ids(late.pages)).toEqual(['60000001'])
  })

  it('warns about failed look-ups and keeps the search', async () => {
    const { pages, server, warnings } = await search([
      searchRoute,
      { path: `${ITEMS}/60000001`, status: 500, body: 'oops' },
      jsonRoute(`${ITEMS}/60000002`, { error: 'Not Found' }),
    ], {})
    // The story's tree never arrived, so the matched comment inside it is looked up on its own.
    expect(server.requests.map((r) => r.path)).toEqual([SEARCH, `${ITEMS}/60000001`, `${ITEMS}/60000002`, `${ITEMS}/60000011`])
    expect(ids(pages)).toEqual(['60000011', '60000001', '60000002', '60000003'])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^3 of 3 thread look-up\(s\) failed; first: HTTP 500 .*items\/60000001/)
  })

  it('stops looking up on a 429 and keeps its retry time in the warning', async () => {
    const { pages, server, warnings } = await search([
      searchRoute,
      { path: `${ITEMS}/60000001`, status: 429, headers: { 'retry-after': '120' }, body: 'slow down' },
      jsonRoute(`${ITEMS}/60000002`, tree2),
    ], {})
    expect(server.requests.map((r) => r.path)).toEqual([SEARCH, `${ITEMS}/60000001`])
    expect(ids(pages)).toEqual(['60000011', '60000001', '60000002', '60000003'])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/^thread look-ups stopped: HTTP 429 .*rate limited: retry after/)
  })
})

// ---------------------------------------------------------------------------------------
// Through pull(): the store links each reply to the mention it answers

let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  deps = dir = undefined
})

async function pullSetup(routes: ReplayRoute[], options: Record<string, unknown> = {}) {
  const server = await serve(routes)
  dir = tempDir()
  deps = testDeps({ dbFile: path.join(dir, 'm.db'), config: { brands: [acme], sources: [{ kind: 'hackernews', options: { baseUrl: server.url, ...options } }] } })
  return { server, deps }
}

async function allRows(d: TestDeps): Promise<Mention[]> {
  const rows: Mention[] = []
  for await (const chunk of exportMentions(d)) rows.push(...chunk)
  return rows
}

/** What the store recorded as the brand's answers (not exposed by the store interface). */
function replyRows(file: string): { mention: string; reply: string; repliedAt: number; handle: string }[] {
  const db = new Database(file, { readonly: true })
  try {
    return db
      .prepare(`SELECT m.external_id AS mention, r.reply_external_id AS reply, r.replied_at AS repliedAt, r.handle AS handle
                FROM replies r JOIN mentions m ON m.id = r.mention_id ORDER BY m.external_id`)
      .all() as { mention: string; reply: string; repliedAt: number; handle: string }[]
  } finally {
    db.close()
  }
}

describe('brand replies through pull()', () => {
  it('marks a mention answered by a reply that never names the brand, found by the handle’s own comments', async () => {
    const t = Date.now() - 5 * HOUR
    const question = hnComment('Is acme down for anyone else?', { id: '70000001', createdAt: t })
    const other = hnComment('acme lost my invoices', { id: '70000002', createdAt: t + 10 * 60_000 })
    const reply = hnComment('Fixed now, sorry about that.', { id: '70000003', author: 'acme_support', parentId: 70000001, createdAt: t + HOUR })
    const { server, deps } = await pullSetup([
      jsonRoute(SEARCH, hnPage([other, question]), { query: { tags: SEARCH_TAGS } }),
      jsonRoute(SEARCH, hnPage([reply]), { query: { tags: OWN_TAGS } }),
    ])

    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(result.sources.map((s) => [s.instance, s.new])).toEqual([[server.url, 2], [`${server.url}#own`, 1]])

    expect((await listQueue(deps, { queue: 'unanswered' })).map((m) => m.externalId)).toEqual(['70000002'])
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => [m.externalId, m.answered])).toEqual([['70000002', false], ['70000001', true]])
    // The reply is stored as the brand's own, with its time, and never queued.
    const stored = (await allRows(deps)).find((m) => m.externalId === '70000003')
    expect(stored).toMatchObject({ isOwn: true, authorHandle: 'acme_support', parentExternalId: '70000001', createdAt: Math.floor((t + HOUR) / 1000) * 1000 })
    await deps.close()
    expect(replyRows(path.join(dir!, 'm.db'))).toEqual([{ mention: '70000001', reply: '70000003', repliedAt: Math.floor((t + HOUR) / 1000) * 1000, handle: 'acme_support' }])

    // The own walk has its own cursor and resumes from it.
    const cursors = await deps.store().cursors.all()
    const ownCursor = cursors.find((c) => c.instance.endsWith('#own'))
    expect(ownCursor?.cursor.parts?.acme_support?.at).toBe(Math.floor((t + HOUR) / 1000) * 1000)
    server.requests.length = 0
    await pull(deps)
    const ownFilters = server.requests.filter((r) => r.query.tags === OWN_TAGS).map((r) => r.query.numericFilters)
    expect(ownFilters).toEqual([`created_at_i>=${Math.floor((t + HOUR) / 1000) - 3600}`])
  })

  it('marks a story answered by a reply found through its thread, though the own walk has not seen it yet', async () => {
    const t = Date.now() - 6 * HOUR
    const story = storyHit({ id: '71000001', at: t, title: 'Ask HN: Acme Cloud restores failing?', numComments: 2 })
    const tree = item({ id: 71000001, at: t, children: [
      item({ id: 71000002, at: t + HOUR, author: 'bystander', parent: 71000001, story: 71000001, text: 'same here' }),
      item({ id: 71000003, at: t + 2 * HOUR, author: 'acme_support', parent: 71000001, story: 71000001, text: 'Restores work again; sorry.' }),
    ] })
    const { server, deps } = await pullSetup([
      jsonRoute(SEARCH, hnPage([story]), { query: { tags: SEARCH_TAGS } }),
      // Algolia's author index lags: the own walk finds nothing this time.
      jsonRoute(SEARCH, hnPage([]), { query: { tags: OWN_TAGS } }),
      jsonRoute(`${ITEMS}/71000001`, tree),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(server.requests.filter((r) => r.path.startsWith(ITEMS))).toHaveLength(1)
    expect(await listQueue(deps, { queue: 'unanswered' })).toEqual([])
    expect((await listQueue(deps, { queue: 'all' })).map((m) => [m.externalId, m.answered])).toEqual([['71000001', true]])
    // Only the brand's comments are taken from a thread: the bystander's is not stored.
    expect((await allRows(deps)).map((m) => m.externalId).sort()).toEqual(['71000001', '71000003'])
  })

  it('keeps the pull ok and the cursor moving when thread look-ups fail', async () => {
    const t = Date.now() - 6 * HOUR
    const story = storyHit({ id: '72000001', at: t, title: 'Acme outage', numComments: 4 })
    const { deps } = await pullSetup([
      jsonRoute(SEARCH, hnPage([story]), { query: { tags: SEARCH_TAGS } }),
      jsonRoute(SEARCH, hnPage([]), { query: { tags: OWN_TAGS } }),
      { path: `${ITEMS}/72000001`, status: 502, body: 'bad gateway' },
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(deps.warnings.some((w) => /^hackernews: 1 of 1 thread look-up\(s\) failed; first: HTTP 502/.test(w))).toBe(true)
    const search = (await deps.store().cursors.all()).find((c) => !c.instance.endsWith('#own'))
    expect(search?.cursor.at).toBe(Math.floor(t / 1000) * 1000)
    expect((await listQueue(deps, { queue: 'unanswered' })).map((m) => m.externalId)).toEqual(['72000001'])
  })
})
