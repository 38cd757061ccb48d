// `npm run bench:ingest`: the ingest row of issue #13 alone, quick enough to iterate on.
//   npm run bench:ingest                         100,000 mentions, 3 rounds
//   npm run bench:ingest -- --n 250000 --rounds 5
//   npm run bench:ingest -- --prof               and one more run under --cpu-prof: top self time
// Each round imports the same generated file into a fresh database with the built binary (the
// whole process, as `npm run bench` measures it), and loads the same rows into the raw floor in
// this process, so the ratio compares like with like on a shared machine.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { floorIngest } from './floor.js'
import { BENCH_BRANDS, generateRows } from './generate.js'

const root = fileURLToPath(new URL('../', import.meta.url))
const bin = path.join(root, 'bin', 'mentions.js')
const argv = process.argv.slice(2)
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name)
  return i === -1 ? undefined : argv[i + 1]
}
const N = Number(flag('--n') ?? 100_000)
const ROUNDS = Number(flag('--rounds') ?? 3)
const PROF = argv.includes('--prof')
const TOP = Number(flag('--top') ?? 25)

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] as number
}

interface Run {
  wallMs: number
  /** user + sys of the import process, when /usr/bin/time is there to say. */
  cpuMs?: number
  code: number
  stderr: string
}

// On a shared machine wall time says how busy the neighbours were; CPU time says what the
// import itself cost.
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined

function importOnce(input: string, config: string, stats: string, nodeFlags: string[] = []): Promise<Run> {
  const cmd = [process.execPath, ...nodeFlags, bin, 'import', input, '--config', config]
  const [exe, ...args] = TIME ? [TIME, '-f', '%U %S', '-o', stats, ...cmd] : cmd
  return new Promise((resolve) => {
    const start = process.hrtime.bigint()
    const child = spawn(exe as string, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd: os.tmpdir() })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('exit', (code) => {
      const wallMs = Number(process.hrtime.bigint() - start) / 1e6
      const parts = TIME && fs.existsSync(stats) ? fs.readFileSync(stats, 'utf8').trim().split('\n').pop()?.split(' ').map(Number) : undefined
      const cpuMs = parts?.length === 2 ? ((parts[0] ?? 0) + (parts[1] ?? 0)) * 1000 : undefined
      resolve({ wallMs, ...(cpuMs !== undefined ? { cpuMs } : {}), code: code ?? 1, stderr })
    })
  })
}

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
  children?: number[]
}
interface CpuProfile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

/** Self time per function (name, file, line), summed over every node of the call tree. */
function selfTimes(profile: CpuProfile): { name: string; ms: number; share: number }[] {
  const byNode = new Map<number, number>()
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  const total = profile.timeDeltas.reduce((s, d) => s + d, 0)
  const byFn = new Map<string, number>()
  for (const node of profile.nodes) {
    const us = byNode.get(node.id)
    if (!us) continue
    const f = node.callFrame
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(root, '')}:${f.lineNumber + 1}` : ''
    const name = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`
    byFn.set(name, (byFn.get(name) ?? 0) + us)
  }
  return [...byFn].map(([name, us]) => ({ name, ms: us / 1000, share: us / total })).sort((a, b) => b.ms - a.ms)
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-bench-ingest-'))
  try {
    const input = path.join(dir, 'rows.ndjson')
    fs.writeFileSync(input, [...generateRows(N)].map((r) => JSON.stringify(r)).join('\n') + '\n')
    const configFor = (db: string) => {
      const file = path.join(dir, `${path.basename(db)}.config.json`)
      fs.writeFileSync(file, JSON.stringify({
        database: db,
        brands: BENCH_BRANDS,
        sources: [{ kind: 'hackernews' }],
        rules: [{ name: 'billing', when: { intent: ['complaint'], terms: ['billing', 'charged'] }, assign: 'billing-desk', priority: 'high', tag: ['billing'] }],
      }))
      return file
    }
    console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, N=${N.toLocaleString('en-US')}, ${ROUNDS} rounds`)
    const ours: number[] = []
    const oursCpu: number[] = []
    const floor: number[] = []
    const floorCpu: number[] = []
    const stats = path.join(dir, 'time.txt')
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
    for (let i = 0; i < ROUNDS; i++) {
      const db = path.join(dir, `round${i}.db`)
      const run = await importOnce(input, configFor(db), stats)
      if (run.code !== 0) throw new Error(`import failed (${run.code}): ${run.stderr.slice(-500)}`)
      ours.push((N / run.wallMs) * 1000)
      if (run.cpuMs !== undefined) oursCpu.push((N / run.cpuMs) * 1000)
      const fl = floorIngest(N, path.join(dir, 'floor.db'))
      fs.rmSync(path.join(dir, 'floor.db'), { force: true })
      floor.push(fl.perSec)
      floorCpu.push(fl.cpuPerSec)
      fs.rmSync(db, { force: true })
      const cpu = run.cpuMs !== undefined ? `, ${fmt((N / run.cpuMs) * 1000)} per CPU s` : ''
      console.log(`  round ${i + 1}: ${fmt(ours[i] as number)} mentions/s${cpu}; floor ${fmt(fl.perSec)} rows/s, ${fmt(fl.cpuPerSec)} per CPU s`)
    }
    const m = median(ours)
    const f = median(floor)
    console.log(`ingest (mentions import, whole process): ${fmt(m)} mentions/s (median of ${ROUNDS})`)
    console.log(`floor (raw better-sqlite3, 1 unique index, 10k rows/txn): ${fmt(f)} rows/s`)
    console.log(`ratio: ${(f / m).toFixed(2)}× the floor; target ≤ 2× and ≥ 100k/s: ${f / m <= 2 && m >= 100_000 ? 'met' : 'missed'}`)
    if (oursCpu.length) {
      const mc = median(oursCpu)
      const fc = median(floorCpu)
      console.log(`per CPU second: ${fmt(mc)} mentions/s against the floor's ${fmt(fc)} rows/s, ${(fc / mc).toFixed(2)}×`)
    }
    if (PROF) {
      const profDir = path.join(dir, 'prof')
      const db = path.join(dir, 'prof.db')
      const run = await importOnce(input, configFor(db), stats, ['--cpu-prof', '--cpu-prof-dir', profDir])
      if (run.code !== 0) throw new Error(`profiled import failed (${run.code}): ${run.stderr.slice(-500)}`)
      const file = fs.readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'))
      if (!file) throw new Error('no .cpuprofile written')
      const keep = flag('--prof-out')
      if (keep) fs.copyFileSync(path.join(profDir, file), keep)
      const top = selfTimes(JSON.parse(fs.readFileSync(path.join(profDir, file), 'utf8')) as CpuProfile).slice(0, TOP)
      console.log(`\ntop ${TOP} self time (profiled run, ${Math.round(run.wallMs)} ms wall):`)
      for (const t of top) console.log(`${t.ms.toFixed(0).padStart(7)} ms ${(t.share * 100).toFixed(1).padStart(5)}%  ${t.name}`)
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
