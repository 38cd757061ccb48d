// The pull's network reliability: time budgets, remembered back-off, empty-answer health,
// redirect allow-lists, and scheduling that does not depend on the config's order.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loadLanguageDetector } from '../../src/match/lang.js'
import { pull, type PullProgress } from '../../src/app/pull.js'
import { listSources } from '../../src/app/sources.js'
import type { Brand } from '../../src/model.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayRoute, type ReplayServer } from '../support/replay.js'

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }

const open: { close(): Promise<void> }[] = []
const dirs: string[] = []
afterEach(async () => {
  while (open.length > 0) await open.pop()?.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

async function server(routes: ReplayRoute[]): Promise<ReplayServer> {
  const s = await startReplayServer(routes)
  open.push(s)
  return s
}

function depsFor(sources: { kind: string; options: Record<string, unknown> }[], pullSettings: Record<string, unknown> = {}): TestDeps {
  const dir = tempDir()
  dirs.push(dir)
  const deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    config: { brands: [acme], sources, pull: { since: '7d', concurrency: 4, ...pullSettings } },
  })
  open.push(deps)
  return deps
}

const rss = (items: { id: string; title: string }[]) => `<?xml version="1.0"?><rss version="2.0"><channel><title>feed</title><link>https://blog.example.com/</link>
${items.map((i) => `<item><guid>${i.id}</guid><link>https://blog.example.com/${i.id}</link><title>${i.title}</title><pubDate>${new Date(Date.now() - 3600_000).toUTCString()}</pubDate></item>`).join('\n')}
</channel></rss>`
const rssRoute = (p: string, items: { id: string; title: string }[], extras: Partial<ReplayRoute> = {}): ReplayRoute => ({ path: p, headers: { 'content-type': 'application/rss+xml' }, body: rss(items), ...extras })

describe('deadlines', () => {
  // Loaded once per process and slow the first time: loaded here so a deadline measures HTTP.
  beforeAll(async () => void (await loadLanguageDetector()), 30_000)

  it('stops a hanging source at its deadline, keeps its stored pages and cursor, and reports it failed', async () => {
    const first = [hnComment('acme page zero one'), hnComment('acme page zero two')]
    const second = [hnComment('acme page one')]
    const hn = await server([
      jsonRoute('/api/v1/search_by_date', hnPage(first, { page: 0, nbPages: 2 }), { query: { page: '0' } }),
      jsonRoute('/api/v1/search_by_date', hnPage(second, { page: 1, nbPages: 2 }), { query: { page: '1' }, delayMs: 8000, times: 1 }),
      jsonRoute('/api/v1/search_by_date', hnPage(second, { page: 1, nbPages: 2 }), { query: { page: '1' } }),
    ])
    const feed = await server([rssRoute('/feed.xml', [{ id: 'f1', title: 'Acme on the blog' }])])
    const deps = depsFor(
      [
        { kind: 'hackernews', options: { baseUrl: hn.url } },
        { kind: 'rss', options: { url: `${feed.url}/feed.xml` } },
      ],
      { sourceDeadline: '1500ms' },
    )
    const result = await pull(deps)
    expect(result.status).toBe('partial')
    const hnReport = result.sources.find((r) => r.source === 'hackernews')
    expect(hnReport?.error).toBe('deadline of 1.5s reached')
    expect(hnReport?.new).toBe(2)
    expect(hn.requests.map((r) => r.query.page)).toEqual(['0', '1'])
    expect(result.sources.find((r) => r.source === 'rss')?.error).toBeUndefined()

    // The next pull (no hang now) owes page 1 still: nothing was skipped.
    const again = await pull(deps)
    expect(again.sources.map((r) => r.error)).toEqual([undefined, undefined])
    const stored = again.sources.find((r) => r.source === 'hackernews')
    expect((hnReport?.new ?? 0) + (stored?.new ?? 0)).toBe(3)
  })

  it('stops every source still running when the pull deadline passes', async () => {
    const hn = await server([jsonRoute('/api/v1/search_by_date', hnPage([hnComment('acme')]), { delayMs: 4000 })])
    const deps = depsFor([{ kind: 'hackernews', options: { baseUrl: hn.url } }])
    const result = await pull(deps, { deadlineMs: 300 })
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toBe('pull deadline of 0.3s reached')
  })
})

describe('remembered back-off', () => {
  it('remembers a Retry-After longer than the run can wait and skips that host until then', async () => {
    const hn = await server([{ path: '/api/v1/search_by_date', status: 429, headers: { 'retry-after': '7200' }, body: 'slow down' }])
    const deps = depsFor([{ kind: 'hackernews', options: { baseUrl: hn.url } }])
    const first = await pull(deps)
    expect(first.status).toBe('failed')
    expect(first.sources[0]?.error).toContain('rate limited')
    const calls = hn.requests.length

    const second = await pull(deps)
    expect(hn.requests.length).toBe(calls)
    expect(second.status).not.toBe('ok')
    expect(second.sources[0]?.error).toMatch(new RegExp(`^skipped: ${new URL(hn.url).host.replace('.', '\\.')} asked to wait until \\d\\d:\\d\\d UTC \\(Retry-After\\)$`))
    expect(second.sources[0]?.backoffUntil).toBeGreaterThan(Date.now() + 7000_000)

    const [status] = await listSources(deps)
    expect(status?.backoffUntil).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(status?.status).toMatch(/^waiting for 127\.0\.0\.1:\d+ until \d\d:\d\d UTC \(Retry-After\)$/)
    const active = await deps.store().backoff.active(Date.now())
    expect(active).toHaveLength(1)
  })
})

describe('empty-answer health', () => {
  it('counts pulls running that answer empty, only after the source had items, and says so', async () => {
    const hn = await server([
      jsonRoute('/api/v1/search_by_date', hnPage([hnComment('acme works')]), { times: 1 }),
      jsonRoute('/api/v1/search_by_date', hnPage([])),
    ])
    const never = await server([jsonRoute('/api/v1/search_by_date', hnPage([]))])
    const deps = depsFor(
      [
        { kind: 'hackernews', options: { baseUrl: hn.url } },
        { kind: 'hackernews', options: { baseUrl: never.url } },
      ],
      { emptyAfter: 2 },
    )
    const first = await pull(deps)
    expect(first.sources.map((r) => r.emptyStreak)).toEqual([undefined, undefined])
    const second = await pull(deps)
    expect(second.sources.map((r) => r.emptyStreak)).toEqual([1, undefined])
    expect((await listSources(deps)).map((s) => s.status)).toEqual([null, null])
    const third = await pull(deps)
    expect(third.sources.map((r) => r.emptyStreak)).toEqual([2, undefined])
    expect((await deps.store().runs.last())?.report[0]?.emptyStreak).toBe(2)
    const statuses = await listSources(deps)
    expect(statuses.map((s) => s.status)).toEqual(['empty 2 pulls running', null])
    expect(deps.warnings.some((w) => w.includes('no items 2 pulls running'))).toBe(true)
    expect((await deps.store().runs.health()).find((h) => h.instance.includes(String(new URL(hn.url).port)))?.hadItems).toBe(true)
  })
})

describe('redirect allow-list per source', () => {
  it('refuses a redirect to another host unless the entry lists it', async () => {
    const target = await server([rssRoute('/real.xml', [{ id: 'r1', title: 'Acme moved' }])])
    const feed = await server([{ path: '/feed.xml', status: 301, headers: { location: `${target.url}/real.xml` } }])
    const refused = await pull(depsFor([{ kind: 'rss', options: { url: `${feed.url}/feed.xml` } }]))
    expect(refused.sources[0]?.error).toContain(`redirect from ${new URL(feed.url).host} to ${new URL(target.url).host} refused`)
    expect(target.requests).toHaveLength(0)

    const allowed = await pull(depsFor([{ kind: 'rss', options: { url: `${feed.url}/feed.xml`, redirectHosts: [new URL(target.url).host] } }]))
    expect(allowed.status).toBe('ok')
    expect(allowed.sources[0]?.new).toBe(1)
  })
})

describe('scheduling', () => {
  const beginsBeforeFirstDone = (events: PullProgress[]) => {
    const firstDone = events.findIndex((e) => e.type === 'done')
    return events.slice(firstDone).filter((e) => e.type === 'begin').length
  }

  it.each([['slowest first'], ['slowest last']])('starts every source before the first finishes (%s)', async (order) => {
    const servers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => server([rssRoute('/feed.xml', [{ id: `s${i}`, title: `Acme ${i}` }], { delayMs: i === 0 ? 300 : 60 })])),
    )
    const entries = servers.map((s) => ({ kind: 'rss', options: { url: `${s.url}/feed.xml` } }))
    if (order === 'slowest last') entries.reverse()
    const events: PullProgress[] = []
    const result = await pull(depsFor(entries, { concurrency: 2 }), { onProgress: (e) => events.push(e) })
    expect(result.status).toBe('ok')
    expect(events.filter((e) => e.type === 'begin')).toHaveLength(8)
    expect(beginsBeforeFirstDone(events)).toBe(0)
  })

  it('keeps at most pull.concurrency requests in flight to one host', async () => {
    const routes = Array.from({ length: 6 }, (_, i) => rssRoute(`/f${i}.xml`, [{ id: `h${i}`, title: `Acme ${i}` }], { delayMs: 80 }))
    const s = await server(routes)
    const result = await pull(depsFor(routes.map((r) => ({ kind: 'rss', options: { url: `${s.url}${r.path}` } })), { concurrency: 2 }))
    expect(result.status).toBe('ok')
    expect(s.peakInFlight).toBe(2)
  })
})
