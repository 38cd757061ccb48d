import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: ['acme brick'], require: [], languages: [], competitor: false, handles: { hackernews: ['acme_support'] } }

const atom = (entries: { id: string; title: string; text: string; at: string }[]) => `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <id>tag:example.com,2026:feed</id><title>Acme news</title><updated>2026-11-20T10:00:00Z</updated>
  ${entries
    .map(
      (e) => `<entry><id>${e.id}</id><title type="html">${e.title}</title>
      <link href="https://blog.example.com/${e.id}"/><published>${e.at}</published><updated>${e.at}</updated>
      <content type="html">${e.text}</content><author><name>Blogger</name></author></entry>`,
    )
    .join('\n')}
</feed>`

let server: ReplayServer | undefined
let deps: TestDeps | undefined
let dir: string | undefined

afterEach(async () => {
  await deps?.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = deps = dir = undefined
})

function setup(routes: Parameters<typeof startReplayServer>[0], sources: { kind: string; options: Record<string, unknown> }[]) {
  return startReplayServer(routes).then((s) => {
    server = s
    dir = tempDir()
    deps = testDeps({
      dbFile: path.join(dir, 'm.db'),
      config: {
        brands: [acme],
        sources: sources.map((src) => ({ kind: src.kind, options: { ...src.options, ...(src.kind === 'hackernews' ? { baseUrl: s.url } : {}) } })),
      },
    })
    return { server: s, deps }
  })
}

describe('pull', () => {
  it('stores matching mentions, drops loose upstream matches, and never duplicates on a second pull', async () => {
    const hits = [
      hnComment('Acme support never answered my ticket. Charged twice!'),
      hnComment('We build houses with Acme Brick, great stuff'), // excluded term only
      hnComment('acmeish tooling is not the same thing'), // not a whole-word match
      hnComment('Acme support here: fixed now, sorry about that', { author: 'acme_support' }), // the brand's own
    ]
    const { deps } = await setup([jsonRoute('/api/v1/search_by_date', hnPage(hits))], [{ kind: 'hackernews', options: {} }])

    const first = await pull(deps)
    expect(first.status).toBe('ok')
    expect(first.sources[0]).toMatchObject({ source: 'hackernews', brand: 'Acme', fetched: 4, new: 2, dropped: 2 })

    const second = await pull(deps)
    expect(second.sources[0]).toMatchObject({ new: 0, updated: 0 })
    expect(await deps.store().mentions.count()).toBe(2)

    // The brand's own comment is stored but is never in a queue.
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => m.authorHandle)).toEqual(['someone'])
    expect(all[0]).toMatchObject({ brands: ['Acme'], terms: ['acme'], state: 'open', answered: false })
  })

  it("marks a mention answered when the brand's own handle replied, whichever arrives first", async () => {
    const t = Date.now() - 3600_000
    const question = hnComment('Is acme down for anyone else?', { id: '41000001', createdAt: t })
    // The brand's reply does not name the brand: it is kept because of who wrote it.
    const reply = hnComment('Fixed now, sorry about that. Details on our status page.', { id: '41000002', author: 'acme_support', parentId: 41000001, createdAt: t + 60_000 })
    const late = hnComment('acme lost my data', { id: '41000003', createdAt: t + 120_000 })
    const earlyReply = hnComment('We are looking into it.', { id: '41000004', author: 'ACME_Support', parentId: 41000003, createdAt: t + 180_000 })
    const { deps } = await setup(
      [
        jsonRoute('/api/v1/search_by_date', hnPage([reply, question, earlyReply]), { times: 1 }),
        jsonRoute('/api/v1/search_by_date', hnPage([late])),
      ],
      [{ kind: 'hackernews', options: {} }],
    )
    await pull(deps)
    await pull(deps)
    const unanswered = await listQueue(deps, { queue: 'unanswered' })
    expect(unanswered).toEqual([])
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => [m.externalId, m.answered])).toEqual([['41000003', true], ['41000001', true]])
  })

  it('resumes from the stored cursor on the next pull', async () => {
    const t = Date.now() - 7200_000
    const { deps, server } = await setup(
      [jsonRoute('/api/v1/search_by_date', hnPage([hnComment('acme is down again', { createdAt: t })]))],
      [{ kind: 'hackernews', options: {} }],
    )
    await pull(deps)
    await pull(deps)
    const filters = server.requests.map((r) => r.query.numericFilters ?? '')
    const resumed = filters[filters.length - 1] as string
    // The second pull asks only for items at or after the newest one stored, less the
    // hour of overlap that catches items Algolia indexed late.
    expect(resumed).toContain(`created_at_i>=${Math.floor(t / 1000) - 3600}`)
    expect((await deps.store().cursors.all())[0]).toMatchObject({ lastError: null })
  })

  it('keeps the other sources when one returns 500, and reports partial failure', async () => {
    const { deps } = await setup(
      [
        { path: '/api/v1/search_by_date', status: 500, body: 'upstream exploded' },
        { path: '/feed.xml', headers: { 'content-type': 'application/atom+xml' }, body: atom([{ id: 'a1', title: 'Acme outage', text: 'Acme was down for hours', at: new Date().toISOString() }]) },
      ],
      [
        { kind: 'hackernews', options: {} },
        { kind: 'rss', options: {} },
      ],
    )
    // The rss URL needs the server's port, known only now.
    const cfg = deps.config()
    ;(cfg.sources[1] as { options: Record<string, unknown> }).options.url = `${server!.url}/feed.xml`

    const result = await pull(deps)
    expect(result.status).toBe('partial')
    const hn = result.sources.find((s) => s.source === 'hackernews')
    const rss = result.sources.find((s) => s.source === 'rss')
    expect(hn?.error).toMatch(/HTTP 500/)
    expect(rss).toMatchObject({ new: 1 })
    expect(rss?.error).toBeUndefined()
    expect(await deps.store().mentions.count()).toBe(1)
    const cursor = (await deps.store().cursors.all()).find((c) => c.source === 'hackernews')
    expect(cursor?.lastError).toMatch(/HTTP 500/)
    expect(cursor?.cursor.at).toBeUndefined()
    expect((await deps.store().runs.last())?.status).toBe('partial')
  })

  it('reports a body that is not JSON as a clear per-source error', async () => {
    const { deps } = await setup(
      [{ path: '/api/v1/search_by_date', headers: { 'content-type': 'text/html' }, body: '<html>Service Unavailable</html>' }],
      [{ kind: 'hackernews', options: {} }],
    )
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/JSON/i)
  })

  it('keeps stored pages and leaves the cursor alone when a later page fails', async () => {
    const old = Date.now() - 3 * 3600_000
    const { deps } = await setup(
      [
        jsonRoute('/api/v1/search_by_date', hnPage([hnComment('acme page one', { createdAt: old + 7200_000 })], { page: 0, nbPages: 2 }), { query: { page: '0' } }),
        { path: '/api/v1/search_by_date', query: { page: '1' }, status: 404, body: 'gone' },
      ],
      [{ kind: 'hackernews', options: {} }],
    )
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]).toMatchObject({ new: 1 })
    expect(await deps.store().mentions.count()).toBe(1)
    // No cursor was committed: the next pull starts from --since again and re-fetches both pages.
    expect((await deps.store().cursors.all())[0]?.cursor).toEqual({})
  })

  it('refuses to run while another live pull holds the lock', async () => {
    const { deps } = await setup([jsonRoute('/api/v1/search_by_date', hnPage([]))], [{ kind: 'hackernews', options: {} }])
    await deps.store().runs.acquirePullLock({ pid: 999, host: 'elsewhere' }, Date.now(), () => false)
    const busy = { ...deps, lock: { holder: { pid: 1, host: 'test' }, isAlive: () => true } }
    await expect(pull(busy)).rejects.toThrow(/another pull is running \(pid 999/)
    // A dead holder's lock is taken over.
    await expect(pull(deps)).resolves.toMatchObject({ status: 'ok' })
  })
})

describe('pull --since reaching past what is stored', () => {
  it('backfills the older window instead of adding nothing', async () => {
    const day = 24 * 3600_000
    const recent = hnComment('acme outage today', { createdAt: Date.now() - day })
    const old = hnComment('acme was great last quarter', { createdAt: Date.now() - 60 * day })
    // An upstream that honours its date filters: the old item only for a window that reaches it.
    const { deps, server } = await setup(
      [
        jsonRoute('/api/v1/search_by_date', hnPage([old]), { query: { numericFilters: new RegExp(`created_at_i<=\\d+`) } }),
        jsonRoute('/api/v1/search_by_date', hnPage([recent])),
      ],
      [{ kind: 'hackernews', options: {} }],
    )
    await pull(deps, { sinceMs: 7 * day })
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.text)).toEqual(['acme outage today'])
    const first = server.requests.length
    await pull(deps, { sinceMs: 90 * day })
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.text)).toEqual(['acme outage today', 'acme was great last quarter'])
    // The backfill asked for the older window only.
    const asked = server.requests.slice(first).map((r) => r.query.numericFilters ?? '')
    expect(asked.some((f) => /created_at_i>=\d+,created_at_i<=\d+/.test(f))).toBe(true)
    const cursor = (await deps.store().cursors.all())[0]?.cursor
    expect(cursor?.oldest).toBeLessThanOrEqual(Date.now() - 89 * day)
  })
})
