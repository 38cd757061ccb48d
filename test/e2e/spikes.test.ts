// End to end on the built binary: `mentions spikes` as a table, json and tsv, the backtest's
// summary on stderr, per-brand settings from a config file, and usage errors (exit 2).
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { IO, OutStream } from '../../src/cli/io.js'
import { run } from '../../src/cli/run.js'
import { openStore, type MentionRecord } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir } from '../support/deps.js'
import { runMentions, type CliResult } from '../support/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

function mentions(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runMentions(args, { home: dir, env })
}

const FIELDS = ['brand', 'kind', 'bucketStart', 'bucketEnd', 'value', 'baseline', 'score', 'active', 'why']
const DAY = 86_400_000

let dir: string
let db: string
// Days are UTC days, counted back from the binary's own clock: the seeded days are all in the
// past, so the test holds whenever it runs.
const today = Math.floor(Date.now() / DAY) * DAY
const dayAgo = (n: number) => today - n * DAY
const isoDay = (n: number) => new Date(dayAgo(n)).toISOString()

function day(n: number, total: number, negative: number, brand = 'Acme'): MentionRecord[] {
  return Array.from({ length: total }, (_, j) =>
    record({
      externalId: `${brand}-${n}-${j}`,
      brands: [brand],
      createdAt: dayAgo(n) + 3600_000 + j * 60_000,
      ...(j < negative ? {} : { sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other' }),
    }),
  )
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
  }
  dir = tempDir('mentions-e2e-spikes-')
  db = path.join(dir, 'm.db')
  // 60 days of about 12 a day for Acme and 10 for Globex, with Acme at 40 twenty days ago
  // and 45 yesterday, and 9 of Globex's 12 negative ten days ago.
  const rows: MentionRecord[] = []
  for (let n = 60; n >= 1; n--) {
    rows.push(...day(n, n === 20 ? 40 : n === 1 ? 45 : 12 + (n % 3) - 1, 1))
    rows.push(...day(n, n === 10 ? 12 : 10, n === 10 ? 9 : 1, 'Globex'))
  }
  const store = openStore(db)
  for (let i = 0; i < rows.length; i += 500) await store.mentions.upsertPage(rows.slice(i, i + 500))
  await store.close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('mentions spikes', () => {
  it('prints a table of the last 7 days, the current spike marked active', async () => {
    const r = await mentions(['spikes', '--format', 'table', '--db', db], { COLUMNS: '160', NO_COLOR: '1' })
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/))
    expect(rows[0]).toEqual(['BRAND', 'KIND', 'BUCKET', 'VALUE', 'BASELINE', 'SCORE', 'ACTIVE', 'WHY'])
    expect(rows.slice(1).map((x) => x.slice(0, 5))).toEqual([['Acme', 'volume', isoDay(1).slice(0, 10), '45', '12']])
    expect(rows[1]?.[6]).toBe('active')
    expect(rows[1]?.[7]).toMatch(/^45 mentions in 1d vs a median of 12 \(z \d+\.\d\)$/)
  })

  it('prints json with stable field names and ISO times; tsv on a pipe', async () => {
    const j = await mentions(['spikes', '--since', '30d', '--json', '--db', db])
    expect(j.code).toBe(0)
    const rows = JSON.parse(j.stdout) as Record<string, unknown>[]
    for (const row of rows) expect(Object.keys(row)).toEqual(FIELDS)
    expect(rows.map((x) => [x.brand, x.kind, x.bucketStart, x.bucketEnd, x.value, x.active])).toEqual([
      ['Acme', 'volume', isoDay(20), isoDay(19), 40, false],
      ['Globex', 'negative-share', isoDay(10), isoDay(9), 0.75, false],
      ['Acme', 'volume', isoDay(1), isoDay(0), 45, true],
    ])
    const t = await mentions(['spikes', '--since', '30d', '--db', db])
    const lines = t.stdout.trimEnd().split('\n').map((l) => l.split('\t'))
    expect(lines[0]).toEqual(FIELDS)
    expect(lines[2]?.slice(0, 5)).toEqual(['Globex', 'negative-share', isoDay(10), isoDay(9), '0.75'])
  })

  it('backtests stored history: every firing on stdout, how often per brand on stderr', async () => {
    const r = await mentions(['spikes', '--backtest', '--since', '90d', '--brand', 'Acme', '--json', '--db', db])
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as { bucketStart: string }[]).map((x) => x.bucketStart)).toEqual([isoDay(20), isoDay(1)])
    expect(r.stderr).toBe('backtest over 90d: 2 firings; Acme: 2 volume\n')
  })

  it('judges each brand by its settings in the config', async () => {
    const config = path.join(dir, 'spikes.config.json')
    const write = (acme: object) =>
      fs.writeFileSync(config, JSON.stringify({ brands: [{ name: 'Acme', terms: ['acme'], spikes: acme }, { name: 'Globex', terms: ['globex'] }], sources: [{ kind: 'hackernews' }] }))
    write({ minCount: 50 })
    const quiet = await mentions(['spikes', '--since', '30d', '--json', '--config', config, '--db', db])
    expect(quiet.code).toBe(0)
    expect((JSON.parse(quiet.stdout) as { brand: string }[]).map((x) => x.brand)).toEqual(['Globex'])

    const unknown = await mentions(['spikes', '--brand', 'Initech', '--config', config, '--db', db])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/unknown brand "Initech"/)

    write({ bucket: '1d', baseline: '2d' })
    const bad = await mentions(['spikes', '--config', config, '--db', db])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/brands\[0\]\.spikes\.baseline: the baseline must hold at least 3 buckets/)
  })

  // A spawned child never has a terminal, so the TTY case runs in process on TTY streams.
  it('with nothing in the period, a table on a terminal prints nothing to stdout and a note to stderr', async () => {
    const tty = (): OutStream & { text: string } => {
      const s = { text: '', isTTY: true, columns: 100, write: (c: string) => void (s.text += c) }
      return s
    }
    const [stdout, stderr] = [tty(), tty()]
    const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data'), NO_COLOR: '1' }
    const io: IO = { stdout, stderr, stdin: (async function* () {})(), env, cwd: dir, home: dir }
    expect(await run(['spikes', '--since', '1m', '--db', db], io)).toBe(0)
    expect(stdout.text).toBe('')
    expect(stderr.text).toBe('No spikes in this period.\n')
  })

  it('exits 2 on bad flags and on a missing database, printing nothing on stdout', async () => {
    const [since, format, missing] = await Promise.all([
      mentions(['spikes', '--since', 'lately', '--db', db]),
      mentions(['spikes', '--format', 'csv', '--db', db]),
      mentions(['spikes', '--db', path.join(dir, 'none.db')]),
    ])
    for (const r of [since, format, missing]) expect([r.code, r.stdout]).toEqual([2, ''])
    expect(since.stderr).toMatch(/--since takes a duration/)
    expect(format.stderr).toMatch(/Allowed choices are table, tsv, json/)
    expect(missing.stderr).toMatch(/no database at/)
    expect(fs.existsSync(path.join(dir, 'none.db'))).toBe(false)
  })
})
