// End to end on the built binary: `mentions stats responses` as a table, json and csv, the
// empty-window rule, and usage errors.
import { execFile } from 'node:child_process'
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

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = path.join(root, 'bin', 'mentions.js')

interface Result {
  code: number
  stdout: string
  stderr: string
}

function mentions(args: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data'), ...env },
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0
        resolve({ code, stdout, stderr })
      },
    )
    child.stdin?.end('')
  })
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
    expect(report.stderr).toMatch(/unknown report "volume"; use one of responses/)
    expect(source.code).toBe(2)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/no database at/)
  })
})
