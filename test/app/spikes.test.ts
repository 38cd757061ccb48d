// `mentions spikes` over a real SQLite file: a backtest over seeded history lists exactly the
// firings the history holds, per brand and by each brand's own settings; a live run agrees
// with it on the days both judge; own posts never count, competitors are their own series.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { listSpikes, type SpikeRow } from '../../src/app/spikes.js'
import { backtestSummary } from '../../src/cli/commands/spikes.js'
import { parseConfig } from '../../src/config/load.js'
import { NoDatabaseError, UsageError } from '../../src/errors.js'
import type { Brand, SpikeSettings } from '../../src/model.js'
import { sources } from '../../src/sources/registry.js'
import type { MentionRecord } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const DAY = 86_400_000
const NOW = Date.UTC(2026, 11, 1, 12)
const TODAY = Date.UTC(2026, 11, 1)
/** Midnight UTC, n days before today. */
const dayAgo = (n: number) => TODAY - n * DAY

const brand = (name: string, over: Partial<Brand> = {}): Brand => ({ name, terms: [name.toLowerCase()], exclude: [], require: [], languages: [], competitor: false, handles: {}, ...over })

let dir: string
let dbFile: string
let deps: TestDeps
const open = (brands: Brand[] | undefined) => {
  deps = testDeps({ dbFile, now: () => NOW, config: { brands: brands ?? [], sources: [] } })
  // A database alone (no config file): read commands work on it with the default settings.
  if (!brands) deps.maybeConfig = () => undefined
  return deps
}
beforeEach(() => {
  dir = tempDir('mentions-spikes-')
  dbFile = path.join(dir, 'm.db')
})
afterEach(async () => {
  await deps?.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** `total` mentions of `brands` on the day n days ago, `negative` of them negative, a minute apart from 01:00. */
function day(n: number, total: number, negative: number, over: Partial<MentionRecord> = {}): MentionRecord[] {
  return Array.from({ length: total }, (_, j) =>
    record({
      externalId: `${(over.brands ?? ['Acme']).join('+')}-${over.isOwn ? 'own-' : ''}${n}-${j}`,
      createdAt: dayAgo(n) + 3600_000 + j * 60_000,
      ...(j < negative ? {} : { sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other' }),
      ...over,
    }),
  )
}

// An ordinary week: no day far from 12, about one negative a day.
const wobble = [0, 1, -1, 2, -2, 0, 1]

/**
 * 100 days of Acme and Globex (a competitor), with, in the last 90:
 * Acme 40 mentions 60 days ago, 9 of 12 negative 30 days ago, 45 yesterday; Globex 35 twenty
 * days ago; Initech 40 ten days ago. And 50 of Acme's own posts 45 days ago.
 */
async function seed(): Promise<void> {
  const rows: MentionRecord[] = []
  for (let n = 100; n >= 0; n--) {
    const normal = 12 + (wobble[n % 7] as number)
    const acme = n === 60 ? 40 : n === 30 ? 12 : n === 1 ? 45 : n === 0 ? 6 : normal
    rows.push(...day(n, acme, n === 30 ? 9 : n % 3 === 0 ? 2 : 1))
    rows.push(...day(n, n === 20 ? 35 : 10, 1, { brands: ['Globex'], competitor: true }))
    rows.push(...day(n, n === 10 ? 40 : 11, 1, { brands: ['Initech'] }))
  }
  rows.push(...day(45, 50, 0, { isOwn: true }))
  const store = deps.store()
  for (let i = 0; i < rows.length; i += 500) await store.mentions.upsertPage(rows.slice(i, i + 500))
}

const brief = (rows: SpikeRow[]) => rows.map((r) => [r.brand, r.kind, (TODAY - r.bucketStart) / DAY, r.active])
const configured = (initech: SpikeSettings = { minCount: 50 }) => [brand('Acme'), brand('Globex', { competitor: true }), brand('Initech', { spikes: initech })]

describe('listSpikes', () => {
  it('backtests 90 days of stored history: exactly the firings it holds, by each brand\'s settings', async () => {
    open(configured())
    await seed()
    const report = await listSpikes(deps, { backtest: true })
    expect(report).toMatchObject({ since: NOW - 90 * DAY, until: NOW, backtest: true })
    // Initech's 40 would fire by the defaults; its own minCount of 50 keeps it quiet. Acme's
    // own posts (50 of them, 45 days ago) are not people talking. Today's 6 so far follow
    // yesterday's 45 within its cooldown.
    expect(brief(report.rows)).toEqual([
      ['Acme', 'volume', 60, false],
      ['Acme', 'negative-share', 30, false],
      ['Globex', 'volume', 20, false],
      ['Acme', 'volume', 1, true],
    ])
    const [jump, share, , yesterday] = report.rows
    expect(jump).toMatchObject({ bucketStart: dayAgo(60), bucketEnd: dayAgo(59), value: 40, baseline: 12 })
    expect(jump?.why).toMatch(/^40 mentions in 1d vs a median of 12 \(z \d+\.\d\)$/)
    expect(share).toMatchObject({ value: 0.75, kind: 'negative-share' })
    expect(share?.why).toMatch(/^9 of 12 mentions negative \(75%\) in 1d vs \d+% over the previous 14d/)
    expect(yesterday?.value).toBe(45)
    expect(backtestSummary(report)).toBe('backtest over 90d: 4 firings; Acme: 2 volume, 1 negative-share; Globex: 1 volume; Initech: none')

    // By the defaults Initech fires too.
    await deps.close()
    open(configured({}))
    expect(brief((await listSpikes(deps, { backtest: true, brands: ['initech'] })).rows)).toEqual([['Initech', 'volume', 10, false]])
  })

  it('lists the last 7 days by default, as the backtest judged them', async () => {
    open(configured())
    await seed()
    const live = await listSpikes(deps)
    expect(live.since).toBe(NOW - 7 * DAY)
    expect(brief(live.rows)).toEqual([['Acme', 'volume', 1, true]])
    // Any period agrees with the backtest on the days both cover.
    const back = await listSpikes(deps, { backtest: true })
    for (const days of [7, 21, 31, 61]) {
      const since = NOW - days * DAY
      const part = await listSpikes(deps, { since, backtest: true })
      expect(part.rows).toEqual(back.rows.filter((r) => r.bucketStart >= dayAgo(days)))
    }
    expect(brief((await listSpikes(deps, { since: NOW - 25 * DAY, brands: ['GLOBEX'] })).rows)).toEqual([['Globex', 'volume', 20, false]])
  })

  it('without a config judges every stored brand, competitors included, by the defaults', async () => {
    open(undefined)
    await seed()
    const report = await listSpikes(deps, { backtest: true })
    expect(report.brands.map((b) => b.name)).toEqual(['Acme', 'Globex', 'Initech'])
    expect(brief(report.rows)).toEqual([
      ['Acme', 'volume', 60, false],
      ['Acme', 'negative-share', 30, false],
      ['Globex', 'volume', 20, false],
      ['Initech', 'volume', 10, false],
      ['Acme', 'volume', 1, true],
    ])
  })

  it('counts a mention under two brands in each, and history from the first stored mention', async () => {
    open([brand('Acme'), brand('Globex')])
    const rows: MentionRecord[] = []
    // One mention 60 days ago, then nothing until 8 days of 12, then 30 naming both brands.
    rows.push(...day(60, 1, 0, { brands: ['Acme', 'Globex'] }))
    for (let n = 9; n >= 2; n--) rows.push(...day(n, 12, 1), ...day(n, 12, 1, { brands: ['Globex'] }))
    rows.push(...day(1, 30, 2, { brands: ['Acme', 'Globex'] }))
    await deps.store().mentions.upsertPage(rows)
    // The quiet weeks are history: zeros in the baseline (median 0), so 12 a day still fires
    // once each cooldown is over (3 days ago); 30 is half as much again, so yesterday fires
    // within that cooldown, and is the one active.
    expect(brief((await listSpikes(deps, { since: NOW - 3 * DAY })).rows)).toEqual([
      ['Acme', 'volume', 3, false],
      ['Globex', 'volume', 3, false],
      ['Acme', 'volume', 1, true],
      ['Globex', 'volume', 1, true],
    ])
    const [acme, globex] = (await listSpikes(deps, { since: NOW - 2 * DAY })).rows
    expect([acme?.value, globex?.value]).toEqual([30, 30])
    // The firing 9 days ago lies before an 8-day period and still cools it down: the run
    // replays what came before its period, so day 8 stays silent as it did in the longer run.
    const acmeDays = (since: number) => listSpikes(deps, { since, brands: ['Acme'] }).then((r) => r.rows.map((x) => (TODAY - x.bucketStart) / DAY))
    expect(await acmeDays(NOW - 20 * DAY)).toEqual([9, 6, 3, 1])
    expect(await acmeDays(NOW - 8 * DAY)).toEqual([6, 3, 1])
  })

  it('refuses an unknown brand; a missing database is NoDatabaseError and is not created', async () => {
    open(configured())
    await seed()
    await expect(listSpikes(deps, { brands: ['Umbrella'] })).rejects.toThrow(UsageError)
    const missing = testDeps({ dbFile: path.join(dir, 'none.db'), now: () => NOW, config: { brands: configured(), sources: [] } })
    await expect(listSpikes(missing)).rejects.toThrow(NoDatabaseError)
    await missing.close()
    expect(fs.existsSync(path.join(dir, 'none.db'))).toBe(false)
  })
})

describe('spikes settings in the config', () => {
  const load = (spikes: unknown) =>
    parseConfig(JSON.stringify({ brands: [{ name: 'Acme', terms: ['acme'], spikes }], sources: [{ kind: 'hackernews' }] }), 'mentions.config.json', Object.values(sources))

  it('are optional, per brand, and kept as written', () => {
    expect(load(undefined).brands[0]?.spikes).toBeUndefined()
    expect(load({ bucket: '1h', sensitivity: 3 }).brands[0]?.spikes).toEqual({ bucket: '1h', sensitivity: 3 })
  })

  it('that could not run are refused at load, naming the key', () => {
    expect(() => load({ minHistory: 20 })).toThrow("brands[0].spikes.minHistory: at most the baseline's 14 buckets of 1d")
    expect(() => load({ bucket: '1d', baseline: '2d' })).toThrow('brands[0].spikes.baseline: the baseline must hold at least 3 buckets')
    expect(() => load({ bucket: 'hourly' })).toThrow(/brands\[0\]\.spikes\.bucket: expected a duration/)
    expect(() => load({ shareMargin: 20 })).toThrow(/brands\[0\]\.spikes\.shareMargin/)
    expect(() => load({ treshold: 3 })).toThrow(/unknown key "treshold"/)
  })
})
