// `mentions score` on stdin against the `sentiment` package behind the same stdin→NDJSON
// interface, same texts, same run (issue #13). Runs alternate ours/theirs so a load swing on
// a shared machine hits both; medians of 5. `node --import tsx bench/score-baseline.ts [N]`
// after `npm run build`; bench/speed.ts joins scoreRows() into its table. No test asserts these.
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BenchRow } from './row.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const bin = path.join(root, 'bin', 'mentions.js')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number

// Mention-shaped texts: short and long, praise, complaints, questions, negation, emoji,
// emoticons, hashtags, shouting, numbers, links: every path of the tokenizer and the rules.
const OPENERS = ['', 'Honestly, ', 'Ugh. ', 'PSA: ', '@acmehq ', 'Day 3: ', 'So ', 'Not gonna lie, ']
const BODIES = [
  'Acme Cloud billing charged me twice and support has not replied in 4 days',
  'has anyone tried Acme for managed Postgres? Looking at globex too',
  'love the new Acme dashboard, it is fast',
  'our deploy has been stuck on pending for 3 hours, no response from acme support',
  'Globex outage again, third time this month',
  'initech vs acme: which one has the better free tier for a small team like ours',
  'acme status page all green while everything is down. great job',
  "the app isn't bad at all, pretty good actually",
  'why is it so hard to get a refund from Acme',
  'I would not recommend this to anyone, total waste of money',
  'THE WORST customer service I have ever dealt with',
  'shoutout to the Acme team for fixing my issue in 10 minutes',
  'can you please DM me about my order #48213',
  'switched to globex last week and never looking back',
  'read the changelog at https://acme.example/changes before upgrading',
]
const TAILS = ['', '.', '!', '!!!', '?', ' :(', ' :)', ' 😍', ' 🙄', ' #neveragain', ' #customerservicefail', ' 10/10', ' thanks team.', ' lol']

/** `n` texts, deterministic, varied in length (one to four sentences). */
export function scoreTexts(n: number): string[] {
  let seed = 0x2545f491
  const next = (m: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return (seed >>> 8) % m
  }
  return Array.from({ length: n }, (_, i) => {
    const parts: string[] = []
    for (let s = 0, count = 1 + next(4); s < count; s++) {
      parts.push(`${OPENERS[next(OPENERS.length)]}${BODIES[next(BODIES.length)]}${TAILS[next(TAILS.length)]}`)
    }
    return `${parts.join(' ')} (${i})`
  })
}

/** The peer: the `sentiment` package, reading the same lines and printing one JSON result each. */
function writePeer(dir: string): string {
  const file = path.join(dir, 'sentiment-peer.mjs')
  fs.writeFileSync(file, `import Sentiment from ${JSON.stringify(createRequire(import.meta.url).resolve('sentiment'))}
import readline from 'node:readline'
const s = new Sentiment(); const out = []
for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
  const r = s.analyze(line)
  out.push(JSON.stringify({ label: r.comparative > 0 ? 'positive' : r.comparative < 0 ? 'negative' : 'neutral', score: r.comparative }))
}
process.stdout.write(out.join('\\n') + '\\n')
`)
  return file
}

/**
 * Wall and CPU (user + system, every thread) time of one run. The CPU time comes from a
 * preload that appends the child's own process.cpuUsage() at exit: on a shared machine it
 * moves far less with the neighbours' load than wall time does.
 */
function timed(args: string[], input: string, env: NodeJS.ProcessEnv, preload: string, log: string): { wall: number; cpu: number } {
  fs.writeFileSync(log, '')
  const start = process.hrtime.bigint()
  execFileSync(process.execPath, ['--require', preload, ...args], { input, stdio: ['pipe', 'ignore', 'pipe'], maxBuffer: 1 << 28, env: { ...env, SCORE_BENCH_CPU: log } })
  const wall = Number(process.hrtime.bigint() - start) / 1e6
  const usage = JSON.parse(fs.readFileSync(log, 'utf8')) as { user: number; system: number }
  return { wall, cpu: (usage.user + usage.system) / 1000 }
}

export function scoreRows(opts: { n: number; runs?: number }): BenchRow[] {
  const runs = opts.runs ?? 5
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-score-bench-'))
  try {
    const input = `${scoreTexts(opts.n).join('\n')}\n`
    const peer = writePeer(dir)
    const env = { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: dir, HOME: dir, MENTIONS_CONFIG: '' }
    const preload = path.join(dir, 'cpu-at-exit.cjs')
    fs.writeFileSync(preload, "process.on('exit', () => require('node:fs').writeFileSync(process.env.SCORE_BENCH_CPU, JSON.stringify(process.cpuUsage())))\n")
    const log = path.join(dir, 'cpu.json')
    const ourArgs = [bin, 'score', '--format', 'ndjson']
    const ours: { wall: number; cpu: number }[] = []
    const theirs: { wall: number; cpu: number }[] = []
    const bare: number[] = []
    // One of each first, unmeasured: the page cache and the compile cache warm for both.
    timed(ourArgs, input, env, preload, log)
    timed([peer], input, env, preload, log)
    for (let i = 0; i < runs; i++) {
      ours.push(timed(ourArgs, input, env, preload, log))
      theirs.push(timed([peer], input, env, preload, log))
      bare.push(timed(ourArgs, 'one line\n', env, preload, log).cpu)
    }
    const o = median(ours.map((r) => r.cpu))
    const t = median(theirs.map((r) => r.cpu))
    const ow = median(ours.map((r) => r.wall))
    const tw = median(theirs.map((r) => r.wall))
    return [
      {
        what: `mentions score --format ndjson, ${opts.n.toLocaleString('en-US')} texts, whole process, CPU`, value: Math.round(o), unit: 'ms',
        baseline: { what: 'the sentiment package, same stdin→NDJSON, same texts', value: Math.round(t), unit: 'ms' },
        ratio: +(o / t).toFixed(2), target: '≤ 1.0×', met: o / t <= 1,
        note: `medians of ${runs}, runs alternated; wall ${Math.round(ow)} vs ${Math.round(tw)} ms (${(ow / tw).toFixed(2)}×); one line costs ${Math.round(median(bare))} ms CPU (start-up)`,
      },
    ]
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  for (const r of scoreRows({ n: Number(process.argv[2] ?? 50_000) })) {
    console.log(`${r.met ? 'ok  ' : 'MISS'} ${r.what}: ${r.value} ${r.unit}  (${r.baseline?.what}: ${r.baseline?.value} ${r.baseline?.unit}, ratio ${r.ratio})  target ${r.target}; ${r.note}`)
  }
}
