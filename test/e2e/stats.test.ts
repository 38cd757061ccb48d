// End to end on the built binary: `mentions stats [overview]` and `mentions stats responses`
// as a table, json and csv, the empty-window rule, and usage errors.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../../src/cli/run.js'
import type { IO, OutStream } from '../../src/cli/io.js'
import { openStore } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir } from '../support/deps.js'
import { runMentions, type CliResult } from '../support/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

function mentions(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runMentions(args, { home: dir, env })
}

const FIELDS = [
  'by', 'group', 'total', 'needed', 'answered', 'unanswered', 'unknown', 'answeredShare', 'unknownShare',
  'medianFirstResponseSeconds', 'p90FirstResponseSeconds', 'since', 'until',
]
const HOUR = 3600_000

let dir: string
let db: string

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
  }
  dir = tempDir('mentions-e2e-stats-')
  db = path.join(dir, 'm.db')
  // Relative to now: the binary's clock decides the default 30-day window.
  const t = Date.now() - 6 * 24 * HOUR
  const store = openStore(db)
  await store.mentions.upsertPage([
    record({ externalId: 'hn-answered', createdAt: t }),
    record({ externalId: 'hn-reply', isOwn: true, parentExternalId: 'hn-answered', createdAt: t + 7500_000, sentimentLabel: 'positive', intent: 'other' }),
    record({ externalId: 'hn-waiting', createdAt: t }),
    record({ externalId: 'feed', source: 'rss', answerable: false, createdAt: t }),
    record({ externalId: 'review', source: 'github', createdAt: t, ownerReply: { at: t + (3 * 24 + 4) * HOUR } }),
    record({ externalId: 'old', createdAt: Date.now() - 40 * 24 * HOUR }),
  ])
  await store.close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('mentions stats responses', () => {
  it('prints a table with human-readable times and the total last', async () => {
    const r = await mentions(['stats', 'responses', '--by', 'source', '--format', 'table', '--db', db], { COLUMNS: '120' })
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/))
    expect(rows[0]).toEqual(['SOURCE', 'NEEDED', 'ANSWERED', 'ANSWERED %', 'UNKNOWN', 'UNKNOWN %', 'MEDIAN FIRST REPLY', 'P90 FIRST REPLY'])
    expect(rows.slice(1)).toEqual([
      ['hackernews', '2', '1', '50%', '0', '0%', '2h 05m', '2h 05m'],
      ['github', '1', '1', '100%', '0', '0%', '3d 4h', '3d 4h'],
      ['rss', '1', '0', '1', '100%'],
      ['total', '4', '2', '67%', '1', '25%', '1d 15h', '2d 20h'],
    ])
  })

  it('prints json with seconds and stable field names, and the same figures as csv', async () => {
    const j = await mentions(['stats', 'responses', '--json', '--db', db])
    expect(j.code).toBe(0)
    const [total] = JSON.parse(j.stdout) as Record<string, unknown>[]
    expect(Object.keys(total ?? {})).toEqual(FIELDS)
    // percentile_cont over 7500 s and 273600 s.
    expect(total).toMatchObject({
      by: null, group: null, total: true, needed: 4, answered: 2, unanswered: 1, unknown: 1,
      answeredShare: 0.6667, unknownShare: 0.25, medianFirstResponseSeconds: 140550, p90FirstResponseSeconds: 246990,
    })
    expect(Date.parse(String(total?.until)) - Date.parse(String(total?.since))).toBe(30 * 24 * HOUR)

    const c = await mentions(['stats', 'responses', '--by', 'source', '--format', 'csv', '--db', db])
    expect(c.code).toBe(0)
    const [header, ...records] = parse(c.stdout) as string[][]
    expect(header).toEqual(FIELDS)
    expect(records.map((x) => x.slice(0, 11))).toEqual([
      ['source', 'hackernews', 'false', '2', '1', '1', '0', '0.5', '0', '7500', '7500'],
      ['source', 'github', 'false', '1', '1', '0', '0', '1', '0', '273600', '273600'],
      ['source', 'rss', 'false', '1', '0', '0', '1', '', '1', '', ''],
      ['source', '', 'true', '4', '2', '1', '1', '0.6667', '0.25', '140550', '246990'],
    ])
  })

  it('reaches back with --since and narrows with --source', async () => {
    const r = await mentions(['stats', 'responses', '--since', '60d', '--source', 'hackernews', '--json', '--db', db])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject([{ total: true, needed: 3, answered: 1, unanswered: 2 }])
  })

  it('on an empty window prints a zero total in json and nothing in the line formats', async () => {
    const j = await mentions(['stats', 'responses', '--since', '1m', '--json', '--db', db])
    expect(j.code).toBe(0)
    expect(JSON.parse(j.stdout)).toMatchObject([{ total: true, needed: 0, answered: 0, unknown: 0, answeredShare: null, medianFirstResponseSeconds: null }])
    const lines = await Promise.all(['csv', 'tsv', 'table'].map((format) => mentions(['stats', 'responses', '--since', '1m', '--by', 'brand', '--format', format, '--db', db])))
    for (const r of lines) expect([r.code, r.stdout, r.stderr]).toEqual([0, '', ''])
  })

  // A spawned child never has a terminal, so the one TTY case runs in process on TTY streams.
  it('on an empty window, a table on a terminal prints nothing to stdout and a note to stderr', async () => {
    const tty = (): OutStream & { text: string } => {
      const s = { text: '', isTTY: true, columns: 100, write: (c: string) => void (s.text += c) }
      return s
    }
    const [stdout, stderr] = [tty(), tty()]
    const env = { HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data'), NO_COLOR: '1' }
    const io: IO = { stdout, stderr, stdin: (async function* () {})(), env, cwd: dir, home: dir }
    expect(await run(['stats', 'responses', '--since', '1m', '--db', db], io)).toBe(0)
    expect(stdout.text).toBe('')
    expect(stderr.text).toBe('No mentions needed an answer in this window.\n')
  })

  it('refuses an unknown --by, report or source with exit 2, naming the choices', async () => {
    const [by, report, source, missing] = await Promise.all([
      mentions(['stats', 'responses', '--by', 'team', '--db', db]),
      mentions(['stats', 'volume', '--db', db]),
      mentions(['stats', 'responses', '--source', 'nosuch', '--db', db]),
      mentions(['stats', 'responses', '--db', path.join(dir, 'none.db')]),
    ])
    expect(by.code).toBe(2)
    expect(by.stdout).toBe('')
    expect(by.stderr).toMatch(/--by must be one of source, brand, assignee \(got "team"\)/)
    expect(report.code).toBe(2)
    expect(report.stderr).toMatch(/unknown report "volume"; use one of overview, responses/)
    expect(source.code).toBe(2)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no database at/)
  })
})

describe('mentions stats overview', () => {
  const OVERVIEW_FIELDS = [
    'by', 'group', 'isTotal', 'total', 'negative', 'neutral', 'positive', 'negativeShare', 'complaints', 'questions',
    'shareOfVoice', 'answeredShare', 'medianFirstResponseSeconds', 'since', 'until',
  ]
  const at = (day: number, hour: number) => Date.UTC(2026, 10, day, hour)
  // A fixed window in the past, so the buckets do not depend on the binary's clock.
  const WINDOW = ['--since', '2026-11-27T00:00:00Z', '--until', '2026-11-29T12:00:00Z']
  let ovDb: string
  let config: string
  const stats = (args: string[]) => mentions(['stats', ...args, '--db', ovDb, '--config', config])

  beforeAll(async () => {
    ovDb = path.join(dir, 'overview.db')
    config = path.join(dir, 'overview.config.json')
    fs.writeFileSync(config, JSON.stringify({
      brands: [{ name: 'Acme', terms: ['acme'] }, { name: 'Globex', terms: ['globex'], competitor: true }],
      sources: [{ kind: 'hackernews' }],
    }))
    const store = openStore(ovDb)
    await store.mentions.upsertPage([
      record({ externalId: 'a', createdAt: at(27, 10) }),
      record({ externalId: 'a-reply', isOwn: true, parentExternalId: 'a', createdAt: at(27, 11), sentimentLabel: 'positive', intent: 'other' }),
      record({ externalId: 'b', source: 'github', createdAt: at(27, 12), sentimentLabel: 'neutral', sentimentScore: 0, intent: 'question' }),
      record({ externalId: 'c', brands: ['Acme', 'Globex'], terms: ['acme', 'globex'], createdAt: at(29, 9), sentimentLabel: 'positive', sentimentScore: 0.5, intent: 'praise' }),
      record({ externalId: 'e', brands: ['Globex'], terms: ['globex'], competitor: true, createdAt: at(29, 10), intent: 'other' }),
      record({ externalId: 'own', isOwn: true, createdAt: at(28, 10) }),
    ])
    await store.close()
  })

  it('prints --by day as a table: every day of the window, shares as percentages, the total last', async () => {
    const r = await stats([...WINDOW, '--by', 'day', '--format', 'table'])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('')
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/))
    expect(rows[0]).toEqual(['DAY', 'MENTIONS', 'NEG', 'NEU', 'POS', 'NEG %', 'COMPLAINTS', 'QUESTIONS', 'VOICE %', 'ANSWERED %', 'MEDIAN REPLY'])
    expect(rows.slice(1)).toEqual([
      ['2026-11-27', '2', '1', '1', '0', '50%', '1', '1', '100%', '50%', '1h 00m'],
      ['2026-11-28', '0', '0', '0', '0', '0', '0'],
      ['2026-11-29', '1', '0', '0', '1', '0%', '0', '0', '33%'],
      ['total', '3', '1', '1', '1', '33%', '1', '1', '60%', '50%', '1h 00m'],
    ])
    // A narrower terminal loses the neutral, positive and question counts, never the shares.
    const narrow = await mentions(['stats', ...WINDOW, '--by', 'day', '--format', 'table', '--db', ovDb, '--config', config], { COLUMNS: '80' })
    const lines = narrow.stdout.trimEnd().split('\n')
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80)
    expect(lines[0]?.trim().split(/\s{2,}/)).toEqual(['DAY', 'MENTIONS', 'NEG', 'NEG %', 'COMPLAINTS', 'VOICE %', 'ANSWERED %', 'MEDIAN REPLY'])
    // No report named is the overview.
    const named = await mentions(['stats', 'overview', ...WINDOW, '--by', 'day', '--format', 'table', '--db', ovDb, '--config', config])
    expect(named.stdout).toBe(r.stdout)
  })

  it('prints --by day as json and csv with stable field names, fractions and seconds', async () => {
    const j = await stats([...WINDOW, '--by', 'day', '--json'])
    expect(j.code).toBe(0)
    const rows = JSON.parse(j.stdout) as Record<string, unknown>[]
    for (const row of rows) expect(Object.keys(row)).toEqual(OVERVIEW_FIELDS)
    expect(rows).toEqual([
      { by: 'day', group: '2026-11-27', isTotal: false, total: 2, negative: 1, neutral: 1, positive: 0, negativeShare: 0.5, complaints: 1, questions: 1,
        shareOfVoice: 1, answeredShare: 0.5, medianFirstResponseSeconds: 3600, since: '2026-11-27T00:00:00.000Z', until: '2026-11-29T12:00:00.000Z' },
      { by: 'day', group: '2026-11-28', isTotal: false, total: 0, negative: 0, neutral: 0, positive: 0, negativeShare: null, complaints: 0, questions: 0,
        shareOfVoice: null, answeredShare: null, medianFirstResponseSeconds: null, since: '2026-11-27T00:00:00.000Z', until: '2026-11-29T12:00:00.000Z' },
      { by: 'day', group: '2026-11-29', isTotal: false, total: 1, negative: 0, neutral: 0, positive: 1, negativeShare: 0, complaints: 0, questions: 0,
        shareOfVoice: 0.3333, answeredShare: null, medianFirstResponseSeconds: null, since: '2026-11-27T00:00:00.000Z', until: '2026-11-29T12:00:00.000Z' },
      { by: 'day', group: null, isTotal: true, total: 3, negative: 1, neutral: 1, positive: 1, negativeShare: 0.3333, complaints: 1, questions: 1,
        shareOfVoice: 0.6, answeredShare: 0.5, medianFirstResponseSeconds: 3600, since: '2026-11-27T00:00:00.000Z', until: '2026-11-29T12:00:00.000Z' },
    ])
    const c = await stats([...WINDOW, '--by', 'day', '--format', 'csv'])
    expect(c.code).toBe(0)
    const [header, ...records] = parse(c.stdout) as string[][]
    expect(header).toEqual(OVERVIEW_FIELDS)
    expect(records.map((x) => x.slice(0, 13))).toEqual([
      ['day', '2026-11-27', 'false', '2', '1', '1', '0', '0.5', '1', '1', '1', '0.5', '3600'],
      ['day', '2026-11-28', 'false', '0', '0', '0', '0', '', '0', '0', '', '', ''],
      ['day', '2026-11-29', 'false', '1', '0', '0', '1', '0', '0', '0', '0.3333', '', ''],
      ['day', '', 'true', '3', '1', '1', '1', '0.3333', '1', '1', '0.6', '0.5', '3600'],
    ])
  })

  it('prints --by brand as a table, json and csv: the competitor in its own row, the brands sharing the voice', async () => {
    const t = await stats([...WINDOW, '--by', 'brand', '--format', 'table'])
    expect(t.code).toBe(0)
    const rows = t.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/))
    expect(rows).toEqual([
      ['BRAND', 'MENTIONS', 'NEG', 'NEU', 'POS', 'NEG %', 'COMPLAINTS', 'QUESTIONS', 'VOICE %', 'ANSWERED %', 'MEDIAN REPLY'],
      ['Acme', '3', '1', '1', '1', '33%', '1', '1', '60%', '50%', '1h 00m'],
      ['Globex', '2', '1', '0', '1', '50%', '0', '0', '40%'],
      ['total', '3', '1', '1', '1', '33%', '1', '1', '60%', '50%', '1h 00m'],
    ])
    const j = await stats([...WINDOW, '--by', 'brand', '--json'])
    expect((JSON.parse(j.stdout) as Record<string, unknown>[]).map((r) => [r.group, r.total, r.shareOfVoice, r.answeredShare])).toEqual([
      ['Acme', 3, 0.6, 0.5],
      ['Globex', 2, 0.4, null],
      [null, 3, 0.6, 0.5],
    ])
    const c = await stats([...WINDOW, '--by', 'brand', '--format', 'csv'])
    const [header, ...records] = parse(c.stdout) as string[][]
    expect(header).toEqual(OVERVIEW_FIELDS)
    expect(records.map((x) => x.slice(0, 13))).toEqual([
      ['brand', 'Acme', 'false', '3', '1', '1', '1', '0.3333', '1', '1', '0.6', '0.5', '3600'],
      ['brand', 'Globex', 'false', '2', '1', '0', '1', '0.5', '0', '0', '0.4', '', ''],
      ['brand', '', 'true', '3', '1', '1', '1', '0.3333', '1', '1', '0.6', '0.5', '3600'],
    ])
  })

  it('on an empty window prints the zero buckets and total in json and nothing in the line formats', async () => {
    const quiet = ['--since', '2026-11-28T00:00:00Z', '--until', '2026-11-28T12:00:00Z', '--by', 'day']
    const j = await stats([...quiet, '--json'])
    expect(j.code).toBe(0)
    expect((JSON.parse(j.stdout) as Record<string, unknown>[]).map((r) => [r.group, r.total, r.shareOfVoice])).toEqual([['2026-11-28', 0, null], [null, 0, null]])
    const lines = await Promise.all(['csv', 'tsv', 'table'].map((format) => stats([...quiet, '--format', format])))
    for (const r of lines) expect([r.code, r.stdout, r.stderr]).toEqual([0, '', ''])
  })

  it('refuses an unknown --by with exit 2, naming the choices of the report asked for', async () => {
    const [month, assignee] = await Promise.all([stats(['--by', 'month']), stats(['overview', '--by', 'assignee'])])
    for (const r of [month, assignee]) {
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
    }
    expect(month.stderr).toMatch(/--by must be one of day, week, source, brand, intent, sentiment \(got "month"\)/)
    expect(assignee.stderr).toMatch(/\(got "assignee"\)/)
  })
})
