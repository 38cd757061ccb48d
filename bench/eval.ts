// `npm run eval`: our scorer against the `sentiment`, `vader-sentiment` and `wink-sentiment`
// packages on the labelled sets in ../shared/datasets (and the sentences the `sentiment` package
// ships), side by side in one process: quality per set, then throughput on the same texts.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { performance } from 'node:perf_hooks'
import { createScorer } from '../src/sentiment/index.js'
import type { Intent } from '../src/model.js'
import { computeMetrics, median, type Metrics } from './eval-metrics.js'
import { loadAirline, loadSentimentFixtures, loadVaderTweets, type LabelledSet } from './eval-data.js'
import { afinnAnalyze, peerScorers, type NamedScorer } from './eval-peers.js'

const here = dirname(fileURLToPath(import.meta.url))
const datasetsDir = process.env['MENTIONS_EVAL_DATASETS'] ?? join(here, '..', '..', 'shared', 'datasets')
const airlineFile = join(datasetsDir, 'airline-tweets-dev.csv')
const vaderFile = join(datasetsDir, 'vader-tweets-ground-truth.tsv')

const TIMED_PASSES = 7

/**
 * The airline tweets are addressed to United, US Airways and American: scored with those
 * brands' names passed as names (they weigh nothing), as a brand's own terms would be.
 */
const AIRLINE_NAMES = ['united', 'united airlines', 'us airways', 'american airlines']

let ours = createScorer()
const oursName = `ours (${ours.version})`
const scorers: NamedScorer[] = [{ name: oursName, label: (t) => ours.score(t).label }, ...peerScorers()]

const pct = (x: number): string => (x * 100).toFixed(1).padStart(5)
const pad = (s: string, n: number): string => (s.length >= n ? s : s + ' '.repeat(n - s.length))

function qualityTable<C extends string>(set: LabelledSet<C>): Map<string, Metrics<C>> {
  const results = new Map<string, Metrics<C>>()
  const counts = set.classes.map((c) => `${c} ${set.gold.filter((g) => g === c).length}`).join(', ')
  console.log(`\n## ${set.name}: ${set.texts.length} texts (${counts})`)
  const hasNeg = (set.classes as readonly string[]).includes('negative')
  console.log(`${pad('scorer', 26)}  neg P  neg R  neg F1  macro-F1  accuracy`)
  for (const s of scorers) {
    const m = computeMetrics(set.gold, set.texts.map(s.label), set.classes)
    results.set(s.name, m)
    const neg = hasNeg ? (m.perClass as Record<string, { precision: number; recall: number; f1: number }>)['negative'] : undefined
    console.log(
      `${pad(s.name, 26)}  ${neg ? pct(neg.precision) : '    -'}  ${neg ? pct(neg.recall) : '    -'}  ${neg ? pct(neg.f1) : '    -'}   ${pct(m.macroF1)}     ${pct(m.accuracy)}`,
    )
  }
  return results
}

function intentTable(set: LabelledSet<string>): void {
  const byGold = new Map<string, Map<Intent, number>>()
  for (let i = 0; i < set.texts.length; i++) {
    const g = set.gold[i] as string
    const intent = ours.score(set.texts[i] as string).intent
    const row = byGold.get(g) ?? new Map<Intent, number>()
    row.set(intent, (row.get(intent) ?? 0) + 1)
    byGold.set(g, row)
  }
  console.log(`  our intents by gold label:`)
  for (const [g, row] of byGold) {
    const total = [...row.values()].reduce((a, b) => a + b, 0)
    const parts = (['complaint', 'question', 'praise', 'other'] as const).map((k) => `${k} ${pct((row.get(k) ?? 0) / total)}%`)
    console.log(`    ${pad(g, 9)} ${parts.join('  ')}`)
  }
}

/** Docs per second: one warm-up pass each, then passes interleaved across scorers, median. */
function throughput(texts: readonly string[], fns: { name: string; run: (t: string) => unknown }[]): Map<string, number> {
  let sink = 0
  const times = new Map<string, number[]>(fns.map((f) => [f.name, []]))
  for (const f of fns) for (const t of texts) sink += f.run(t) === undefined ? 0 : 1
  for (let pass = 0; pass < TIMED_PASSES; pass++) {
    for (const f of fns) {
      const start = performance.now()
      for (const t of texts) sink += f.run(t) === undefined ? 0 : 1
      times.get(f.name)?.push(performance.now() - start)
    }
  }
  if (sink < 0) console.log(sink) // keeps the calls observable
  const rates = new Map<string, number>()
  for (const [name, ms] of times) rates.set(name, (texts.length / median(ms)) * 1000)
  return rates
}

function speedTable(set: LabelledSet<string>): number {
  const afinn = afinnAnalyze()
  const fns = [
    { name: scorers[0]?.name ?? 'ours', run: (t: string) => ours.score(t) },
    { name: 'sentiment analyze()', run: afinn },
    ...scorers.slice(1).filter((s) => !s.name.startsWith('sentiment')).map((s) => ({ name: s.name, run: s.label })),
  ]
  const rates = throughput(set.texts, fns)
  const base = rates.get('sentiment analyze()') ?? 1
  console.log(`  throughput (docs/s, median of ${TIMED_PASSES} passes after a warm-up):`)
  for (const [name, rate] of rates) {
    console.log(`    ${pad(name, 26)} ${Math.round(rate).toString().padStart(9)}  ${(rate / base).toFixed(2)}× sentiment`)
  }
  return (rates.get(fns[0]?.name ?? '') ?? 0) / base
}

function verdict(ok: boolean, what: string): void {
  console.log(`  ${ok ? 'PASS' : 'MISS'}  ${what}`)
}

function main(): void {
  console.log(`# mentions sentiment eval — scorer ${ours.version}`)
  if (!existsSync(airlineFile) && !existsSync(vaderFile)) {
    console.log(`No datasets at ${datasetsDir} (set MENTIONS_EVAL_DATASETS to point elsewhere); nothing to evaluate.`)
    return
  }
  const checks: [boolean, string][] = []

  if (existsSync(airlineFile)) {
    const set = loadAirline(airlineFile)
    ours = createScorer({ names: AIRLINE_NAMES })
    const m = qualityTable(set).get(oursName)
    console.log(`  (ours with the brands' names as names: ${AIRLINE_NAMES.join(', ')})`)
    intentTable(set)
    const speed = speedTable(set)
    const negF1 = m?.perClass.negative.f1 ?? 0
    checks.push([negF1 >= 0.8, `airline negative F1 ${negF1.toFixed(3)} ≥ 0.80`])
    checks.push([(m?.macroF1 ?? 0) >= 0.7, `airline macro-F1 ${(m?.macroF1 ?? 0).toFixed(3)} ≥ 0.70`])
    checks.push([speed >= 1, `airline throughput ${speed.toFixed(2)}× sentiment ≥ 1.0×`])
  } else {
    console.log(`\n(no ${airlineFile})`)
  }

  ours = createScorer()
  if (existsSync(vaderFile)) {
    const set = loadVaderTweets(vaderFile)
    const results = qualityTable(set)
    intentTable(set)
    const speed = speedTable(set)
    const m = results.get(oursName)
    const peer = results.get('sentiment (AFINN)')
    if (m && peer) {
      checks.push([m.macroF1 >= peer.macroF1, `VADER macro-F1 ${m.macroF1.toFixed(3)} ≥ sentiment ${peer.macroF1.toFixed(3)}`])
      checks.push([m.accuracy >= peer.accuracy, `VADER accuracy ${m.accuracy.toFixed(3)} ≥ sentiment ${peer.accuracy.toFixed(3)}`])
    }
    checks.push([speed >= 1, `VADER-set throughput ${speed.toFixed(2)}× sentiment ≥ 1.0×`])
  } else {
    console.log(`\n(no ${vaderFile})`)
  }

  const require = createRequire(import.meta.url)
  const fixturesDir = join(dirname(require.resolve('sentiment/package.json')), 'test', 'fixtures')
  const fixtures = loadSentimentFixtures(fixturesDir)
  if (fixtures.length) console.log(`\n# sanity: the sentences the sentiment package ships (neutral counts as wrong)`)
  for (const set of fixtures) qualityTable(set)

  console.log(`\n# targets`)
  for (const [ok, what] of checks) verdict(ok, what)
}

main()
