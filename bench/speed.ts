// Start-up, scorer build, ingest, --source/--brand queues and database size, each beside its
// same-run baseline (issue #13, part B). `node --import tsx bench/speed.ts [--quick]` after
// `npm run build`; the harness joins speedRows() into its table. Medians; no test asserts these.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type BetterSqlite3 from 'better-sqlite3'
import { createEnricher } from '../src/app/records.js'
import { compileMatcher } from '../src/match/matcher.js'
import type { Brand, MentionDraft } from '../src/model.js'
import { createScorer } from '../src/sentiment/index.js'
import { openStore } from '../src/store/index.js'
import type { BenchRow } from './row.js'
import { scoreRows } from './score-baseline.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const bin = path.join(root, 'bin', 'mentions.js')
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6

/** Wall time of a whole process, median of `runs`. */
function processMs(args: string[], runs: number, input?: string, configHome = os.tmpdir()): number {
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint()
    execFileSync(process.execPath, args, { stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 26, ...(input !== undefined ? { input } : {}), env: { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: configHome, MENTIONS_CONFIG: '' } })
    times.push(ms(start))
  }
  return median(times)
}
process.on('uncaughtException', (err: Error & { stderr?: Buffer }) => {
  console.error(err.message, err.stderr?.toString())
  process.exit(1)
})

const brands: Brand[] = [
  { name: 'Acme', terms: ['acme', '"acme cloud"'], exclude: ['acme brick'], require: [], languages: [], competitor: false, handles: {} },
  { name: 'Globex', terms: ['globex'], exclude: [], require: [], languages: [], competitor: false, handles: {} },
  { name: 'Initech', terms: ['initech'], exclude: [], require: [], languages: [], competitor: true, handles: {} },
]
const SOURCES = ['hackernews', 'reddit', 'rss', 'mastodon', 'bluesky', 'github', 'x', 'youtube', 'devto', 'lobsters']
const PHRASES = [
  'Acme Cloud billing charged me twice and support has not replied in 4 days. Really?',
  'Has anyone tried Acme for managed Postgres? Looking at globex too.',
  'Love the new Acme dashboard, it is fast! Thanks team.',
  'Our deploy has been stuck on pending for 3 hours, no response from acme support. Awful.',
  'Globex outage again? Third time this month :(',
  'initech vs acme: which one has the better free tier for a small team like ours',
  'acme status page all green while everything is down. great job.',
]

export function drafts(n: number, t0: number): MentionDraft[] {
  return Array.from({ length: n }, (_, i) => ({
    externalId: `m${i}`,
    url: `https://example.com/${SOURCES[i % 10]}/${i}`,
    text: `${PHRASES[(i * 7) % PHRASES.length]} ${'and some more words '.repeat(i % 6)}(#${i})`,
    createdAt: t0 - i * 31_000,
    author: { handle: `user${i % 5000}`, reach: (i * 37) % 10_000 },
    metrics: { likes: i % 23, replies: i % 5 },
    ...(i % 4 === 0 ? { title: `Thread ${i % 500} about acme` } : {}),
  }))
}

/**
 * Ingest (enrich + store in 10k-row transactions) against raw better-sqlite3 with one unique
 * index, and the size of both files. Leaves the ingested database at `dbFile` for the query rows.
 */
export async function ingestRows(N: number, dir: string, dbFile: string, all: MentionDraft[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
    // Ingest: enrich + store in 10k-row transactions, against raw better-sqlite3 with one unique index.
    const t0 = Date.UTC(2026, 11, 1)
    const scorer = createScorer({ names: brands.map((b) => b.name) })
    const matcher = compileMatcher(brands)
    const bySource = SOURCES.map((source) => createEnricher({ source, brands, matcher, scorer, now: t0 }))
    const store = openStore(dbFile)
    const rssBefore = process.memoryUsage().rss
    let peak = rssBefore
    let storeMs = 0
    // CPU time beside wall time: on a loaded machine the ratio of CPU times is the steadier one.
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const u = process.cpuUsage(since)
      return (u.user + u.system) / 1000
    }
    let cpu = process.cpuUsage()
    let start = process.hrtime.bigint()
    for (let i = 0; i < N; i += 10_000) {
      const batch = all.slice(i, i + 10_000).flatMap((d, j) => bySource[(i + j) % 10]?.enrich(d) ?? [])
      const page = batch.map((r, j) => ({ ...r, source: SOURCES[(i + j) % 10] as string }))
      const stored = process.hrtime.bigint()
      await store.mentions.upsertPage(page)
      storeMs += ms(stored)
      peak = Math.max(peak, process.memoryUsage().rss)
    }
    const ingestMs = ms(start)
    const ingestCpuMs = cpuMs(cpu)
    await store.close()

    const floorFile = path.join(dir, 'floor.db')
    const floor = new Database(floorFile)
    floor.pragma('journal_mode = WAL')
    floor.exec(`CREATE TABLE mentions (id INTEGER PRIMARY KEY, source TEXT NOT NULL, external_id TEXT NOT NULL, url TEXT NOT NULL, brands TEXT NOT NULL,
      author TEXT, title TEXT, text TEXT NOT NULL, created_at INTEGER NOT NULL, likes INTEGER, sentiment_score REAL, sentiment_label TEXT, UNIQUE (source, external_id))`)
    const ins = floor.prepare('INSERT INTO mentions (source, external_id, url, brands, author, title, text, created_at, likes, sentiment_score, sentiment_label) VALUES (?,?,?,?,?,?,?,?,?,?,?)')
    cpu = process.cpuUsage()
    start = process.hrtime.bigint()
    const tx = floor.transaction((ds: MentionDraft[], base: number) => {
      ds.forEach((d, j) => ins.run(SOURCES[(base + j) % 10], d.externalId, d.url, '["Acme"]', d.author?.handle ?? null, d.title ?? null, d.text, d.createdAt, d.metrics?.likes ?? null, -0.5, 'negative'))
    })
    for (let i = 0; i < N; i += 10_000) tx(all.slice(i, i + 10_000), i)
    const floorMs = ms(start)
    const floorCpuMs = cpuMs(cpu)
    floor.close()
    const rate = (n: number, t: number) => Math.round((n / t) * 1000)
    const ingest = rate(N, ingestMs)
    const floorRate = rate(N, floorMs)
    rows.push({
      what: `ingest (enrich + store, 10k/transaction), ${N.toLocaleString('en-US')} mentions`, value: ingest, unit: 'mentions/s',
      baseline: { what: 'raw better-sqlite3, 1 unique index, 10k rows/transaction', value: floorRate, unit: 'rows/s' },
      ratio: +(floorRate / ingest).toFixed(2), target: '≤ 2× the floor, ≥ 100k/s', met: floorRate / ingest <= 2 && ingest >= 100_000,
      note: `peak RSS ${Math.round(peak / 2 ** 20)} MB (target ≤ 300 MB); store alone ${rate(N, storeMs)}/s, enrich alone ${rate(N, ingestMs - storeMs)}/s; CPU time: ${rate(N, ingestCpuMs)}/s against the floor's ${rate(N, floorCpuMs)}/s, ratio ${(ingestCpuMs / floorCpuMs).toFixed(2)}`,
    })
    const size = fs.statSync(dbFile).size + (fs.existsSync(`${dbFile}-wal`) ? fs.statSync(`${dbFile}-wal`).size : 0)
    const floorSize = fs.statSync(floorFile).size + (fs.existsSync(`${floorFile}-wal`) ? fs.statSync(`${floorFile}-wal`).size : 0)
    rows.push({
      what: `database size, ${N.toLocaleString('en-US')} mentions`, value: +(size / 2 ** 20).toFixed(1), unit: 'MB',
      baseline: { what: "the floor's table", value: +(floorSize / 2 ** 20).toFixed(1), unit: 'MB' },
      ratio: +(size / floorSize).toFixed(2), target: '≤ 1.5× the floor', met: size / floorSize <= 1.5,
    })

  return rows
}

export async function speedRows(opts: { quick: boolean }): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  const runs = opts.quick ? 5 : 11
  const N = Number(process.env.SPEED_N ?? (opts.quick ? 100_000 : 1_000_000))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-speed-'))
  try {
    const t0 = Date.UTC(2026, 11, 1)
    const all = drafts(N, t0)
    const dbFile = path.join(dir, 'm.db')
    rows.push(...(await ingestRows(N, dir, dbFile, all)))
    if (process.argv.includes('--ingest')) return rows

    // Start-up: a read command over that database against `node -e 0`.
    const bare = processMs(['-e', '0'], runs)
    const startup = processMs([bin, 'queue', 'all', '--limit', '1', '--db', dbFile], runs)
    rows.push({
      what: 'start-up: queue all --limit 1 (opens the database)', value: Math.round(startup), unit: 'ms',
      baseline: { what: 'node -e 0', value: Math.round(bare), unit: 'ms' }, ratio: +(startup / bare).toFixed(2), target: '≤ 2× node -e 0', met: startup / bare <= 2,
    })
    for (const [label, args] of [
      ['queue all --source rss', ['--source', 'rss']],
      ['queue all --brand Globex', ['--brand', 'Globex']],
      ['queue negative', []],
    ] as const) {
      const q = label.startsWith('queue negative') ? 'negative' : 'all'
      const t = processMs([bin, 'queue', q, '--limit', '50', ...args, '--db', dbFile], runs)
      rows.push({
        what: `${label} --limit 50, over start-up`, value: Math.round(t - startup), unit: 'ms',
        baseline: { what: 'start-up (queue all --limit 1)', value: Math.round(startup), unit: 'ms' }, target: '≤ 5 ms over start-up', met: t - startup <= 5,
      })
    }

    // Building the scorer, in a fresh process each time (what `show` and `score` pay): the
    // base restored from the build's snapshot plus one brand name, as scorerFor does. CPU time
    // is the value (wall time on a loaded machine measures the neighbours); wall is in the note.
    const build = (compiled: boolean) => {
      const script = `const m = await import(${JSON.stringify(path.join(root, 'dist', 'sentiment', 'scorer.js'))}); const c = await import(${JSON.stringify(path.join(root, 'dist', 'sentiment', 'compile.js'))});
        const u = process.cpuUsage(); const t = performance.now(); c.finishLexicon(m.baseWords({ compiled: ${compiled} }), {}, ['Acme']);
        const d = process.cpuUsage(u); process.stdout.write(JSON.stringify([(d.user + d.system) / 1000, performance.now() - t]))`
      const times = Array.from({ length: runs }, () => JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })) as [number, number])
      return { cpu: median(times.map((t) => t[0])), wall: median(times.map((t) => t[1])) }
    }
    const restored = build(false)
    const compiled = build(true)
    rows.push({
      what: 'building the scorer (base + brand names), CPU in a fresh process', value: +restored.cpu.toFixed(1), unit: 'ms',
      baseline: { what: 'compiling it (no snapshot)', value: +compiled.cpu.toFixed(1), unit: 'ms' }, ratio: +(restored.cpu / compiled.cpu).toFixed(2),
      target: '≤ 10 ms', met: restored.cpu <= 10, note: `wall ${restored.wall.toFixed(1)} ms (compiling: ${compiled.wall.toFixed(1)} ms)`,
    })
    // `mentions score` on stdin against the `sentiment` package behind the same interface.
    rows.push(...scoreRows({ n: opts.quick ? 10_000 : 50_000, runs: Math.min(runs, 5) }))
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
  return rows
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const rows = await speedRows({ quick: process.argv.includes('--quick') })
  for (const r of rows) {
    const base = r.baseline ? `  (${r.baseline.what}: ${r.baseline.value} ${r.baseline.unit}${r.ratio !== undefined ? `, ratio ${r.ratio}` : ''})` : ''
    console.log(`${r.met ? 'ok  ' : 'MISS'} ${r.what}: ${r.value} ${r.unit}${base}  target ${r.target}${r.note ? `; ${r.note}` : ''}`)
  }
}
