// Concurrent pull (issue #13): 10 sources behind 200 ms of latency each, one of them a chain of
// sequential pages. The whole pull should take about as long as that one chain, whatever
// the order of the sources in the config. Baseline: the chain pulled on its own, same run.
import fs from 'node:fs'
import path from 'node:path'
import { pull } from '../src/app/pull.js'
import { loadLanguageDetector } from '../src/match/lang.js'
import type { Brand } from '../src/model.js'
import { hnComment, hnPage, tempDir, testDeps } from '../test/support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../test/support/replay.js'
import type { BenchRow } from './row.js'

const LATENCY_MS = 200
const CHAIN_PAGES = 5
const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** One Hacker News search whose answer comes in CHAIN_PAGES pages, each after the latency. */
async function chainServer(): Promise<ReplayServer> {
  const at = Date.now() - 3600_000
  return startReplayServer(
    Array.from({ length: CHAIN_PAGES }, (_, page) =>
      jsonRoute('/api/v1/search_by_date', hnPage([hnComment(`acme chain page ${page}`, { createdAt: at - page * 60_000, id: String(70_000_000 + page) })], { page, nbPages: CHAIN_PAGES }), {
        query: { page: String(page) },
        delayMs: LATENCY_MS,
      }),
    ),
  )
}

/** A feed answering once after the latency, on a host of its own. */
async function feedServer(i: number): Promise<ReplayServer> {
  const item = `<item><guid>b${i}</guid><link>https://blog.example.com/b${i}</link><title>Acme note ${i}</title><pubDate>${new Date(Date.now() - 3600_000).toUTCString()}</pubDate></item>`
  return startReplayServer([{ path: '/feed.xml', headers: { 'content-type': 'application/rss+xml' }, delayMs: LATENCY_MS, body: `<?xml version="1.0"?><rss version="2.0"><channel><title>f</title>${item}</channel></rss>` }])
}

/** Milliseconds of one fresh pull (new database, so every source walks its whole window). */
async function timePull(sources: { kind: string; options: Record<string, unknown> }[]): Promise<number> {
  const dir = tempDir('mentions-bench-')
  const deps = testDeps({ dbFile: path.join(dir, 'm.db'), config: { brands: [acme], sources } })
  try {
    const started = performance.now()
    const result = await pull(deps)
    const took = performance.now() - started
    if (result.status !== 'ok') throw new Error(`bench pull failed: ${JSON.stringify(result.sources.map((r) => r.error))}`)
    return took
  } finally {
    await deps.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

export async function pullRows(opts: { quick: boolean }): Promise<BenchRow[]> {
  const runs = opts.quick ? 3 : 7
  await loadLanguageDetector()
  const chain = await chainServer()
  const feeds = await Promise.all(Array.from({ length: 9 }, (_, i) => feedServer(i)))
  try {
    const chainEntry = { kind: 'hackernews', options: { baseUrl: chain.url, hitsPerPage: 1 } }
    const feedEntries = feeds.map((f) => ({ kind: 'rss', options: { url: `${f.url}/feed.xml` } }))
    const alone: number[] = []
    const first: number[] = []
    const last: number[] = []
    await timePull([chainEntry]) // warm-up: first-use costs are not the scheduler's
    for (let r = 0; r < runs; r++) {
      alone.push(await timePull([chainEntry]))
      first.push(await timePull([chainEntry, ...feedEntries]))
      last.push(await timePull([...feedEntries, chainEntry]))
    }
    const baseline = { what: `one source's own chain (${CHAIN_PAGES} pages × ${LATENCY_MS} ms)`, value: Math.round(median(alone)), unit: 'ms' }
    const row = (what: string, xs: number[]): BenchRow => {
      const value = Math.round(median(xs))
      const ratio = Number((value / baseline.value).toFixed(2))
      return { what, value, unit: 'ms', baseline, ratio, target: '≤ 1.2× the slowest chain, whatever the config order', met: ratio <= 1.2 }
    }
    return [
      row(`concurrent pull, 10 sources, ${LATENCY_MS} ms latency, slowest listed first`, first),
      row(`concurrent pull, 10 sources, ${LATENCY_MS} ms latency, slowest listed last`, last),
    ]
  } finally {
    await Promise.all([chain.close(), ...feeds.map((f) => f.close())])
  }
}

// `node --import tsx bench/pull.ts [--quick]` prints the rows on their own.
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await pullRows({ quick: process.argv.includes('--quick') })
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
}
