// Hundreds of seeded pulls over every fault the fault server knows, then with the faults
// cleared, checked against a fault-free pull of the same recorded responses: nothing lost once
// the faults clear, nothing duplicated, nothing foreign stored, no cursor ahead of stored data
// (the clean pulls would otherwise miss rows), and no faulted walk reported as "no news".
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pull, type PullResult } from '../../src/app/pull.js'
import { loadLanguageDetector } from '../../src/match/lang.js'
import type { Brand } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import type { Deps } from '../../src/app/deps.js'
import { FAULT_KINDS, startFaultServer, type FaultKind, type FaultRoute, type FaultServer } from '../support/faults.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const fixture = (p: string) => fs.readFileSync(new URL(`../../fixtures/${p}`, import.meta.url))
const json = { 'content-type': 'application/json; charset=utf-8' }
const xml = { 'content-type': 'application/xml; charset=utf-8' }

const brands: Brand[] = [
  { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} },
  { name: 'Globex', terms: ['globex'], exclude: [], require: [], languages: [], competitor: false, handles: {} },
]

/** One upstream per source instance, so every fault is charged to the walk that met it. */
interface Upstream {
  name: string
  routes: FaultRoute[]
  source: (url: string) => { kind: string; options: Record<string, unknown> }
}
const upstreams: Upstream[] = [
  {
    name: 'hackernews',
    routes: [
      { path: '/api/v1/search_by_date', query: { page: '0' }, headers: json, body: fixture('hackernews/search_by_date_globex_p0.json') },
      { path: '/api/v1/search_by_date', query: { page: '1' }, headers: json, body: fixture('hackernews/search_by_date_globex_p1.json') },
    ],
    source: (url) => ({ kind: 'hackernews', options: { baseUrl: url } }),
  },
  ...['blog.rss.xml', 'blog.atom.xml', 'google-alerts.atom.xml', 'hnrss.xml', 'feed.json'].map((file) => ({
    name: `rss ${file}`,
    routes: [{ path: '/feed', headers: file.endsWith('.json') ? json : xml, body: fixture(`rss/${file}`) }],
    source: (url: string) => ({ kind: 'rss', options: { url: `${url}/feed` } }),
  })),
  {
    name: 'lobsters',
    routes: [
      { path: '/newest.json', headers: json, body: fixture('lobsters/newest.json') },
      { path: '/newest/page/2.json', headers: json, body: '[]' },
    ],
    source: (url) => ({ kind: 'lobsters', options: { baseUrl: url } }),
  },
  {
    name: 'stackexchange',
    routes: [
      { path: '/2.3/search/advanced', query: { page: '1' }, headers: json, body: fixture('stackexchange/search_advanced_acme_p1.json') },
      { path: '/2.3/search/advanced', query: { page: '2' }, headers: json, body: fixture('stackexchange/search_advanced_acme_p2.json') },
    ],
    source: (url) => ({ kind: 'stackexchange', options: { baseUrl: url } }),
  },
]

// Every recorded item is inside the window, however old the recording.
const SINCE = Date.parse('2000-01-01T00:00:00Z')
const SEEDS = [1, 7, 42]
const PULLS_PER_SEED = 25

const dirs: string[] = []
const closers: (() => Promise<void>)[] = []
afterAll(async () => {
  for (const c of closers.splice(0).reverse()) await c()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})

async function world(seed: number) {
  const servers: FaultServer[] = []
  for (const [i, u] of upstreams.entries()) {
    // Hangs cost a whole timeout each, so they get pulls of their own (below), not the draw.
    const s = await startFaultServer({ routes: u.routes, seed: seed * 1000 + i, oversizedBytes: 300 * 1024, kinds: FAULT_KINDS.filter((k) => k !== 'hang') })
    servers.push(s)
    closers.push(() => s.close())
  }
  const dir = tempDir('mentions-faults-')
  dirs.push(dir)
  const dbFile = path.join(dir, 'm.db')
  const base: TestDeps = testDeps({
    dbFile,
    config: { brands, sources: upstreams.map((u, i) => u.source((servers[i] as FaultServer).url)), pull: { since: '7d', concurrency: 4 } },
  })
  // Short timeouts and no retries: a fault is met, not waited out, so every one is charged.
  const http = createHttp({ userAgent: 'mentions-faults', timeoutMs: 4000, retries: 0, maxBodyBytes: 256 * 1024, sleep: async () => {} })
  const deps: Deps = { ...base, http: () => http }
  closers.push(async () => {
    await base.close()
    await http.close()
  })
  const rows = () => {
    const db = new Database(dbFile, { readonly: true })
    try {
      // Sightings, not rows: two ids of one post (same canonical URL) are one row, and which
      // id names the row depends on arrival order; every id seen is a sighting either way.
      const all = db.prepare(`SELECT source, external_id AS id FROM mentions UNION SELECT source, external_id FROM sightings`).all() as { source: string; id: string }[]
      const mentions = (db.prepare(`SELECT count(*) AS n FROM mentions`).get() as { n: number }).n
      const distinct = (db.prepare(`SELECT count(*) AS n FROM (SELECT DISTINCT source, external_id FROM mentions)`).get() as { n: number }).n
      if (mentions !== distinct) throw new Error(`duplicated rows: ${mentions} rows, ${distinct} distinct`)
      return all.map((r) => `${r.source}\u0000${r.id}`)
    } finally {
      db.close()
    }
  }
  const clearBackoff = async () => {
    for (const b of await base.store().backoff.active(0)) await base.store().backoff.clear(b.source, b.instance)
  }
  return { servers, deps, rows, clearBackoff }
}

/**
 * Faults after which the walk cannot have read its answer. Not 'invalid-utf8': undecodable
 * bytes become U+FFFD by design, and a feed parser that reads past three of them in front
 * of the document has read the whole answer (the final check still proves nothing was lost).
 */
const HARD: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'status-500', 'status-503', 'reset', 'hang', 'truncated', 'malformed', 'wrong-type',
  '429-retry-after', '429-bare', '429-long', 'oversized', 'gzip-bomb', 'redirect-loop',
])

describe('seeded faults over every source kind', () => {
  let truth: Set<string>
  beforeAll(async () => {
    await loadLanguageDetector()
    const clean = await world(0)
    const result = await pull(clean.deps, { since: SINCE })
    expect(result.sources.filter((r) => r.error).map((r) => `${r.source}: ${r.error}`)).toEqual([])
    truth = new Set(clean.rows())
    // Every upstream contributes, or the check would prove nothing for it.
    for (const u of upstreams) expect([...truth].some((k) => k.startsWith(`${u.source('').kind}\u0000`)), u.name).toBe(true)
  }, 60_000)

  it.each(SEEDS)('seed %i: faulted pulls fail loudly, clean pulls converge to the truth', async (seed) => {
    const { servers, deps, rows, clearBackoff } = await world(seed)
    const silent: string[] = []
    let faultedWalks = 0
    for (let n = 0; n < PULLS_PER_SEED; n++) {
      // Every eighth pull, one upstream hangs on every request; the pull's deadline ends it.
      const hanging = n % 8 === 7 ? servers[((n + 1) / 8 + seed) % servers.length] : undefined
      for (const s of servers) {
        s.setRate(s === hanging ? 1 : 0.3)
        s.setKinds(s === hanging ? ['hang'] : FAULT_KINDS.filter((k) => k !== 'hang'))
      }
      const result: PullResult = await pull(deps, { since: SINCE, ...(hanging ? { deadlineMs: 1500 } : {}) })
      for (const [i, s] of servers.entries()) {
        const met = s.takeFaults().filter((f) => HARD.has(f))
        if (met.length === 0) continue
        faultedWalks++
        const reports = result.sources.filter((r) => r.instance.includes(new URL(s.url).host))
        if (reports.every((r) => !r.error)) silent.push(`${(upstreams[i] as Upstream).name}: ${met.join(', ')} reported ok`)
      }
      if (result.sources.some((r) => r.error)) expect(result.status).not.toBe('ok')
      for (const k of rows()) if (!truth.has(k)) throw new Error(`stored a row the upstream never sent: ${k}`)
      // Time passes: a remembered back-off expires now and then.
      if (n % 7 === 6) await clearBackoff()
    }
    expect(faultedWalks).toBeGreaterThan(PULLS_PER_SEED)
    expect(silent).toEqual([])
    if (process.env.FAULTS_SUMMARY) console.log(`seed ${seed}: ${PULLS_PER_SEED} pulls, ${faultedWalks} faulted walks`)

    for (const s of servers) s.setRate(0)
    await clearBackoff()
    const settled = await pull(deps, { since: SINCE })
    expect(settled.sources.filter((r) => r.error).map((r) => `${r.source}: ${r.error}`)).toEqual([])
    const stored = rows()
    expect(new Set(stored).size).toBe(stored.length)
    expect(new Set(stored)).toEqual(truth)
  }, 60_000)
})
