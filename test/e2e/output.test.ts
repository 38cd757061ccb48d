// End to end on the built binary: output that fits the terminal, one rule for empty
// results, the demo's dates, init's file handling and show's layout.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VIEW_FIELDS } from '../../src/model.js'
import { displayWidth } from '../../src/report/width.js'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'
import { runMentions, type CliResult } from '../support/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const ISO = /\d{4}-\d\d-\d\dT\d\d:\d\d/

// Async, so a loopback server in this process can answer the child.
function mentions(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return runMentions(args, { home: dir, ...opts })
}

const lines = (s: string) => s.replace(/\n$/, '').split('\n')

let dir: string
let db: string

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
  }
  dir = tempDir('mentions-e2e-output-')
  db = path.join(dir, 'demo.db')
  const demo = await mentions(['demo', '--db', db])
  if (demo.code !== 0) throw new Error(`demo failed: ${demo.stderr}`)
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('the demo is dated relative to now', () => {
  it('shows rows for the README’s `queue negative --since 24h`', async () => {
    const r = await mentions(['queue', 'negative', '--since', '24h', '--db', db])
    expect(r.code).toBe(0)
    const [header, ...rows] = lines(r.stdout)
    expect(header).toBe(VIEW_FIELDS.join('\t'))
    expect(rows.length).toBeGreaterThan(0)
    const newest = Math.max(...rows.map((l) => Date.parse(l.split('\t')[8] ?? '')))
    expect(newest).toBeGreaterThan(Date.now() - 3_600_000)
  })
})

describe('tables fit the terminal', () => {
  it('honours COLUMNS on a pipe and gives the text most of 80 columns', async () => {
    const r = await mentions(['queue', 'all', '--format', 'table', '--db', db], { env: { COLUMNS: '80' } })
    expect(r.code).toBe(0)
    const out = lines(r.stdout)
    expect(out.length).toBeGreaterThan(5)
    for (const l of out) expect(displayWidth(l)).toBeLessThanOrEqual(80)
    expect(80 - (out[0] ?? '').indexOf('TEXT')).toBeGreaterThanOrEqual(40)
    expect(out[0]).not.toContain('URL')
  })

  it('uses the default width on a pipe without COLUMNS', async () => {
    const r = await mentions(['queue', 'all', '--format', 'table', '--db', db])
    const widths = lines(r.stdout).map(displayWidth)
    expect(Math.max(...widths)).toBeLessThanOrEqual(100)
    expect(Math.max(...widths)).toBeGreaterThan(80)
  })

  it('adds the whole permalink when the terminal is wide enough', async () => {
    const r = await mentions(['queue', 'all', '--format', 'table', '--db', db], { env: { COLUMNS: '240' } })
    const out = lines(r.stdout)
    expect(out[0]).toMatch(/URL$/)
    expect(out.slice(1).every((l) => /https?:\/\/\S+$/.test(l))).toBe(true)
  })

  it('wraps show at word boundaries to the width, keeping the URL whole', async () => {
    const r = await mentions(['show', '3', '--db', db], { env: { COLUMNS: '50' } })
    expect(r.code).toBe(0)
    const out = lines(r.stdout)
    const url = out.find((l) => l.startsWith('https://'))
    for (const l of out) if (l !== url) expect(displayWidth(l)).toBeLessThanOrEqual(50)
    expect(out.length).toBeGreaterThan(8)
  })
})

describe('empty results: json prints [], every line format nothing', () => {
  const none = ['--since', '1m', '--db']
  it.each([
    ['json', '[]\n'],
    ['ndjson', ''],
    ['tsv', ''],
    ['csv', ''],
    ['table', ''],
  ])('queue and export with --format %s', async (format, expected) => {
    const q = await mentions(['queue', 'negative', '--format', format, ...none, db])
    expect(q).toEqual({ code: 0, stdout: expected, stderr: '' })
    if (format !== 'table') {
      const e = await mentions(['export', '--format', format, ...none, db])
      expect(e).toEqual({ code: 0, stdout: expected, stderr: '' })
    }
  })

  it('keeps an empty csv parseable as zero rows', async () => {
    const r = await mentions(['export', '--format', 'csv', ...none, db])
    expect(parse(r.stdout, { columns: true })).toEqual([])
  })
})

describe('sources table', () => {
  let server: ReplayServer
  let cfg: string
  beforeAll(async () => {
    server = await startReplayServer([
      jsonRoute('/api/v1/search_by_date', hnPage([hnComment('Acme support never replied')])),
      { path: '/a/rather/long/path/to/a/feed/that/keeps/going/and/going.xml', status: 500, body: 'upstream exploded in a long and detailed way' },
    ])
    cfg = path.join(dir, 'sources.json')
    fs.writeFileSync(
      cfg,
      JSON.stringify({
        database: './sources.db',
        brands: [{ name: 'Acme', terms: ['acme'] }],
        sources: [
          { kind: 'hackernews', baseUrl: server.url },
          { kind: 'rss', url: `${server.url}/a/rather/long/path/to/a/feed/that/keeps/going/and/going.xml` },
        ],
      }),
    )
    expect((await mentions(['pull', '--config', cfg])).code).toBe(3)
  })
  afterAll(() => server.close())

  it('fits 80 columns with ages instead of timestamps; tsv keeps ISO times', async () => {
    const r = await mentions(['sources', '--format', 'table', '--config', cfg], { env: { COLUMNS: '80' } })
    expect(r.code).toBe(0)
    const out = lines(r.stdout)
    expect(out).toHaveLength(3)
    for (const l of out) expect(displayWidth(l)).toBeLessThanOrEqual(80)
    expect(r.stdout).not.toMatch(ISO)
    expect(r.stdout).toMatch(/\d+[smhd] ago/)
    expect(out[2]).toMatch(/HTTP 500/)
    const tsv = await mentions(['sources', '--config', cfg])
    expect(tsv.stdout).toMatch(ISO)
  })
})

describe('init', () => {
  it('refuses an empty or blank --brand with a usage error', async () => {
    const work = path.join(dir, 'init-blank')
    fs.mkdirSync(work)
    for (const brand of ['', '   ']) {
      const r = await mentions(['init', '--brand', brand], { cwd: work })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain('--brand needs a name')
    }
    expect(fs.readdirSync(work)).toEqual([])
  })

  it('writes the missing files, says which it left alone, and overwrites only with --force', async () => {
    const work = path.join(dir, 'init-partial')
    fs.mkdirSync(work)
    fs.writeFileSync(path.join(work, '.env.example'), 'MINE=1\n')
    const r = await mentions(['init', '--brand', 'Globex'], { cwd: work })
    expect(r.code).toBe(0)
    expect(r.stderr).toContain('Wrote mentions.config.json, mentions.schema.json.')
    expect(r.stderr).toMatch(/Left alone \(already exists\): \.env\.example; pass --force/)
    expect(fs.readFileSync(path.join(work, '.env.example'), 'utf8')).toBe('MINE=1\n')
    const config = JSON.parse(fs.readFileSync(path.join(work, 'mentions.config.json'), 'utf8')) as { brands: { name: string }[] }
    expect(config.brands[0]).toMatchObject({ name: 'Globex', exclude: [], require: [], languages: [], competitor: false })

    const forced = await mentions(['init', '--force'], { cwd: work })
    expect(forced.code).toBe(0)
    expect(fs.readFileSync(path.join(work, '.env.example'), 'utf8')).toContain('MENTIONS_CONFIG=')
  })
})
