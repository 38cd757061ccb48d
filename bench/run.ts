// `npm run bench`: throughput of each pipeline stage and of a whole pull, in-process.
// Numbers are for comparing changes on one machine; no test ever asserts them.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { pull } from '../src/app/pull.js'
import { createEnricher } from '../src/app/records.js'
import { compileMatcher } from '../src/match/matcher.js'
import { toView, type Brand, type Mention } from '../src/model.js'
import { createMentionTableColumns, mentionColumns } from '../src/report/mentions.js'
import { createWriter, type Format } from '../src/report/render.js'
import { createStyle } from '../src/report/style.js'
import { createScorer } from '../src/sentiment/index.js'
import { parseHackerNews } from '../src/sources/hackernews.js'
import { htmlToText } from '../src/sources/html.js'
import { openStore } from '../src/store/index.js'
import { hnComment, hnPage, testDeps } from '../test/support/deps.js'
import { jsonRoute, startReplayServer } from '../test/support/replay.js'

const N = Number(process.env.BENCH_N ?? 20_000)
const brands: Brand[] = [
  { name: 'Acme', terms: ['acme', '"acme cloud"', '@acmehq'], exclude: ['acme brick'], require: [], languages: [], competitor: false, handles: {} },
  { name: 'Globex', terms: ['globex', '"globex corp"'], exclude: [], require: [], languages: [], competitor: false, handles: {} },
]

const phrases = [
  'Acme Cloud billing <i>charged me twice</i> and support hasn&#x27;t replied in 4 days.<p>Really?',
  'Has anyone tried <a href="https://acme.example">Acme</a> for managed Postgres? Looking at <code>globex</code> too.',
  'Love the new Acme dashboard, it&#x27;s fast!<p>Thanks team.',
  'Our deploy has been stuck on pending for 3 hours, ticket #123, no response from acme support.',
  'Unrelated text about bricks and mortar, Acme Brick supplies only.',
  'Globex Corp outage again? Third time this month :(',
]
const text = (i: number) => `${phrases[i % phrases.length]} (#${i})`

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

/** Runs `fn` once to warm up, then ROUNDS times; reports the median (these machines are noisy). */
async function time(label: string, items: number, fn: () => void | Promise<void>, unit = 'items'): Promise<void> {
  await fn() // warm-up
  const runs: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint()
    await fn()
    runs.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  runs.sort((a, b) => a - b)
  const ms = runs[Math.floor(runs.length / 2)] as number
  const rate = Math.round((items / ms) * 1000)
  console.log(`${label.padEnd(34)} ${rate.toLocaleString('en-US').padStart(12)} ${unit}/s  (${items.toLocaleString('en-US')} in ${ms.toFixed(0)} ms)`)
}

async function main() {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, N=${N}\n`)
  const htmls = Array.from({ length: N }, (_, i) => text(i))
  const plain = htmls.map(htmlToText)
  const hits = htmls.map((h, i) => hnComment(h, { id: String(50_000_000 + i), createdAt: Date.now() - i * 1000 }))
  const body = hnPage(hits)

  await time('htmlToText', N, () => void htmls.forEach(htmlToText))
  await time('parseHackerNews (zod + html)', N, () => void parseHackerNews(body))
  const matcher = compileMatcher(brands)
  await time('matcher.match', N, () => void plain.forEach((t) => matcher.match(t)))
  const scorer = createScorer()
  await time('scorer.score', N, () => void plain.forEach((t) => scorer.score(t)))
  const drafts = parseHackerNews(body)
  const enricher = createEnricher({ source: 'hackernews', brands, matcher, scorer, now: Date.now() })
  await time('enrich (match + score)', N, () => void drafts.forEach((d) => enricher.enrich(d)))

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-bench-'))
  try {
    const records = drafts.map((d) => enricher.enrich(d)).filter((r) => r !== null)
    {
      const store = openStore(path.join(dir, 'upsert.db'))
      const pages = Array.from({ length: Math.ceil(records.length / 100) }, (_, i) => records.slice(i * 100, i * 100 + 100))
      let round = 0
      await time('store.upsertPage (100/page)', records.length, async () => {
        // Fresh ids each round: measure inserts, not the unchanged path.
        const r = round++
        for (const p of pages) await store.mentions.upsertPage(p.map((m) => ({ ...m, externalId: `${m.externalId}-${r}` })))
      })
      await time('store.upsertPage, unchanged', records.length, async () => {
        for (const p of pages) await store.mentions.upsertPage(p.map((m) => ({ ...m, externalId: `${m.externalId}-0` })))
      })
      const readAll = async () => {
        const out: Mention[] = []
        for await (const chunk of store.mentions.iterate()) out.push(...chunk)
        return out
      }
      const views = (await readAll()).slice(0, N).map(toView)
      await time('store.iterate (export read)', views.length, async () => void (await readAll()))
      await time('store.queue negative (limit 50)', 200, async () => {
        for (let i = 0; i < 200; i++) await store.mentions.queue({ queue: 'negative', now: Date.now(), limit: 50 })
      }, 'queries')
      for (const format of ['csv', 'tsv', 'ndjson', 'json', 'table'] as Format[]) {
        await time(`render ${format}`, views.length, () => {
          let bytes = 0
          const w = createWriter({ format, columns: mentionColumns, tableColumns: createMentionTableColumns(Date.now()), out: { write: (s) => void (bytes += s.length) }, style: createStyle(0), width: 120 })
          for (const v of views) w.write(v)
          w.end()
        })
      }
      store.close()
    }

    // A whole pull: loopback HTTP (gzip), parse, match, score, store, in 100-hit pages.
    const perPage = 100
    const pages = Math.ceil(N / perPage)
    const server = await startReplayServer(
      Array.from({ length: pages }, (_, p) =>
        jsonRoute('/api/v1/search_by_date', hnPage(hits.slice(p * perPage, p * perPage + perPage), { page: p, nbPages: pages }), { query: { page: String(p) } }),
      ),
    )
    const deps = testDeps({
      dbFile: path.join(dir, 'pull.db'),
      config: { brands: [brands[0] as Brand], sources: [{ kind: 'hackernews', options: { baseUrl: server.url, maxPages: 50, hitsPerPage: perPage } }], rules: [] },
    })
    const start = process.hrtime.bigint()
    const result = await pull(deps, { sinceMs: 365 * 24 * 3600_000 })
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    const fetched = result.sources.reduce((a, s) => a + s.fetched, 0)
    console.log(`${'pull end to end (loopback HTTP)'.padEnd(34)} ${Math.round((fetched / ms) * 1000).toLocaleString('en-US').padStart(12)} items/s  (${fetched} fetched, ${result.sources.reduce((a, s) => a + s.new, 0)} new in ${ms.toFixed(0)} ms; status ${result.status})`)
    await deps.close()
    await server.close()
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
