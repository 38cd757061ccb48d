// End to end: the built binary, spawned, with real files and a loopback server.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { VIEW_FIELDS } from '../../src/model.js'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'
import { runMentions, type CliResult } from '../support/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = path.join(root, 'bin', 'mentions.js')
const ESC = '\x1b'

// Async, so a loopback server in this process can answer the child.
function mentions(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Promise<CliResult> {
  return runMentions(args, { home: dir, ...opts })
}

let dir: string
let db: string

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
  }
  dir = tempDir('mentions-e2e-')
  db = path.join(dir, 'demo.db')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('mentions (built binary)', () => {
  it('prints its version and help instantly, exit 0', async () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }
    expect(await mentions(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` })
    const help = await mentions(['queue', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Examples:')
  })

  it('runs the demo: summary on stderr, queues on stdout, no colour on a pipe', async () => {
    const r = await mentions(['demo', '--db', db])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/✓ hackernews \[Acme\]: \d+ new/)
    expect(r.stderr).toMatch(/Negative queue \(\d+\)/)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toBe(VIEW_FIELDS.join('\t'))
    expect(lines.some((l) => l.split('\t')[12] === 'negative')).toBe(true)
    expect(r.stdout + r.stderr).not.toContain(ESC)
  })

  it('exports the queue as CSV with the contract headers, one record per mention', async () => {
    const r = await mentions(['queue', 'all', '--format', 'csv', '--db', db])
    expect(r.code).toBe(0)
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[]
    expect(Object.keys(rows[0] ?? {})).toEqual([...VIEW_FIELDS])
    expect(rows.length).toBeGreaterThan(5)
    for (const row of rows) {
      expect(row.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      expect(row.url).toMatch(/^https?:\/\//)
      // Never a live formula in a text cell.
      expect(row.text ?? '').not.toMatch(/^[=+\-@\t\r]/)
    }
    // No item the matcher rejects (Acme Brick is excluded) reaches the store.
    expect(rows.some((row) => /acme brick/i.test(`${row.title} ${row.text}`) && !/acme cloud/i.test(`${row.title} ${row.text}`))).toBe(false)
  })

  it('prints JSON whose fields are the contract', async () => {
    const r = await mentions(['queue', 'negative', '--json', '--db', db])
    expect(r.code).toBe(0)
    const items = JSON.parse(r.stdout) as Record<string, unknown>[]
    expect(items.length).toBeGreaterThan(0)
    for (const item of items) {
      expect(Object.keys(item)).toEqual([...VIEW_FIELDS])
      expect(item.sentiment).toBe('negative')
      expect(typeof item.sentimentScore).toBe('number')
      expect(Array.isArray(item.terms)).toBe(true)
      // null where the source cannot show the brand's replies (a feed): unknown, not "no".
      expect(item.source === 'rss' ? item.answered === null : typeof item.answered === 'boolean').toBe(true)
    }
    const nd = await mentions(['queue', 'negative', '--format', 'ndjson', '--db', db])
    expect(nd.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual(items)
  })

  it('is silent on a pipe when a queue is empty', async () => {
    const r = await mentions(['queue', 'negative', '--since', '1m', '--db', db])
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' })
  })

  it('never creates a database for a read: a typo in --db is an error naming the path, exit 2', async () => {
    const typo = path.join(dir, 'dmeo.db')
    for (const cmd of [['queue', 'negative'], ['export'], ['show', '1']]) {
      const r = await mentions([...cmd, '--db', typo])
      expect(r).toEqual({ code: 2, stdout: '', stderr: `error: no database at ${typo} (run mentions pull first, or check --db / MENTIONS_DB)\n` })
    }
    expect(fs.existsSync(typo)).toBe(false)
  })

  it('scores stdin line by line, in order', async () => {
    const input = 'flight cancelled, on hold for 2 hours\nI love this, thank you!\n\nhow do I export my data?\n'
    const r = await mentions(['score'], { input })
    expect(r.code).toBe(0)
    const results = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { label: string; score: number; intent: string })
    expect(results).toHaveLength(4)
    expect(results[0]).toMatchObject({ label: 'negative', intent: 'complaint' })
    expect(results[1]).toMatchObject({ label: 'positive', intent: 'praise' })
    expect(results[2]).toMatchObject({ label: 'neutral', score: 0 })
    expect(results[3]).toMatchObject({ intent: 'question' })
    for (const x of results) expect(Object.keys(x).slice(0, 3)).toEqual(['label', 'score', 'intent'])
    const one = await mentions(['score', '--text', 'terrible, awful service', '--json'])
    expect((JSON.parse(one.stdout) as { label: string }[])[0]?.label).toBe('negative')
  })

  it('colours only when asked, and NO_COLOR always wins', async () => {
    const forced = await mentions(['demo', '--db', path.join(dir, 'c1.db')], { env: { FORCE_COLOR: '1' } })
    expect(forced.stderr).toContain(ESC)
    const both = await mentions(['demo', '--db', path.join(dir, 'c2.db')], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })
    expect(both.stdout + both.stderr).not.toContain(ESC)
    const flag = await mentions(['demo', '--no-color', '--db', path.join(dir, 'c3.db')], { env: { FORCE_COLOR: '1' } })
    expect(flag.stdout + flag.stderr).not.toContain(ESC)
  })

  it('exits 2 with the file and key named for a bad config, and for bad usage', async () => {
    const cfg = path.join(dir, 'bad.json')
    fs.writeFileSync(cfg, JSON.stringify({ brands: [{ name: 'A', terms: ['a'] }], sources: [{ kind: 'rss', url: 'nope' }] }))
    const r = await mentions(['pull', '--config', cfg])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${cfg}: invalid configuration`)
    expect(r.stderr).toContain('sources[0].url: Invalid URL')
    expect(r.stdout).toBe('')
    expect((await mentions(['queue', 'sideways', '--db', db])).code).toBe(2)
    expect((await mentions(['frobnicate'])).code).toBe(2)
    expect((await mentions(['pull'])).stderr).toMatch(/no configuration found: run `mentions init`/)
  })

  describe('pull against a loopback server', () => {
    let server: ReplayServer
    let cfg: string
    beforeAll(async () => {
      server = await startReplayServer([
        jsonRoute('/api/v1/search_by_date', hnPage([hnComment('Acme support never replied, three days now')])),
        { path: '/broken.xml', status: 500, body: 'oops' },
      ])
      cfg = path.join(dir, 'pull.json')
      fs.writeFileSync(
        cfg,
        JSON.stringify({
          database: './pull.db',
          brands: [{ name: 'Acme', terms: ['acme'] }],
          sources: [
            { kind: 'hackernews', baseUrl: server.url },
            { kind: 'rss', url: `${server.url}/broken.xml` },
          ],
        }),
      )
    })
    afterAll(() => server.close())

    it('exits 3 when one source fails and the other is stored; says which on stderr only', async () => {
      const r = await mentions(['pull', '--config', cfg])
      expect(r.code).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/✓ hackernews \[Acme\]: 1 new/)
      expect(r.stderr).toMatch(/✗ rss .*broken\.xml: HTTP 500/)
      const q = await mentions(['queue', 'all', '--json', '--config', cfg])
      expect((JSON.parse(q.stdout) as unknown[]).length).toBe(1)
    })

    it('--quiet prints the failure alone: cron mails only when a source broke', async () => {
      const r = await mentions(['pull', '--quiet', '--config', cfg, '--db', path.join(path.dirname(cfg), 'quiet.db')])
      expect(r.code).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^✗ rss .*broken\.xml: HTTP 500/)
    })

    it('pulls only the source asked for, and prints nothing when nothing is new', async () => {
      const r = await mentions(['pull', '--source', 'hackernews', '--config', cfg])
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' })
      expect((await mentions(['pull', '--source', 'youtube', '--config', cfg])).code).toBe(2)
    })
  })

  it('draws a table on a terminal', () => {
    const hasScript = spawnSync('script', ['--version']).status === 0
    if (!hasScript) return // util-linux `script` provides the pseudo-terminal; without it this check cannot run
    const r = spawnSync('script', ['-qec', `${process.execPath} ${bin} queue negative --db ${db}`, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: dir, COLUMNS: '100', TERM: 'xterm' },
    })
    expect(r.status).toBe(0)
    expect(r.stdout.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/ID\s+AGE\s+SOURCE/)
    expect(r.stdout).toContain(`${ESC}[31mnegative`)
  })
})

describe('labels, rescoring and explanations (built binary)', () => {
  it('init writes files that pull can use, and refuses to overwrite without --force', async () => {
    const work = path.join(dir, 'init')
    fs.mkdirSync(work)
    const first = await mentions(['init', '--brand', 'Globex'], { cwd: work })
    expect(first.code).toBe(0)
    expect(fs.readdirSync(work).sort()).toEqual(['.env.example', 'mentions.config.json', 'mentions.schema.json'])
    const again = await mentions(['init'], { cwd: work })
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already exist.*--force/)
    const listed = await mentions(['sources', '--json'], { cwd: work })
    expect((JSON.parse(listed.stdout) as { source: string }[]).map((s) => s.source)).toEqual(['hackernews', 'rss'])
  })

  it('a human label survives rescore; show explains the score', async () => {
    const labelDb = path.join(dir, 'label.db')
    expect((await mentions(['demo', '--db', labelDb])).code).toBe(0)
    const before = JSON.parse((await mentions(['queue', 'all', '--json', '--db', labelDb])).stdout) as { id: number; sentiment: string }[]
    const target = before.find((m) => m.sentiment !== 'positive')!
    const labelled = await mentions(['label', String(target.id), '--sentiment', 'positive', '--intent', 'praise', '--db', labelDb], { env: { MENTIONS_USER: 'ana' } })
    expect(labelled.code).toBe(0)
    expect(labelled.stderr).toContain(`Labelled #${target.id}`)

    const rescored = await mentions(['rescore', '--all', '--db', labelDb])
    expect(rescored.code).toBe(0)
    expect(rescored.stderr).toMatch(/Rescored \d+ mentions/)

    const shown = JSON.parse((await mentions(['show', String(target.id), '--json', '--db', labelDb])).stdout) as {
      sentiment: string
      intent: string
      overridden: { sentiment: boolean; intent: boolean }
      explanation: { label: string; tokens: unknown[]; rules: unknown[] }
    }
    expect(shown).toMatchObject({ sentiment: 'positive', intent: 'praise', overridden: { sentiment: true, intent: true } })
    expect(Array.isArray(shown.explanation.tokens)).toBe(true)

    const text = await mentions(['show', String(target.id), '--db', labelDb])
    expect(text.stdout).toMatch(/Scorer reads: (negative|neutral|positive)/)
    expect(text.stdout).toContain('positive (set by a person)')
    expect(text.stdout).toContain('ana')

    expect((await mentions(['show', '99999', '--db', labelDb])).code).toBe(1)
    expect((await mentions(['label', String(target.id), '--db', labelDb])).code).toBe(2)
    expect((await mentions(['label', String(target.id), '--sentiment', 'furious', '--db', labelDb])).code).toBe(2)
  })

  it('score --explain lists the tokens that moved the score', async () => {
    const r = await mentions(['score', '--explain', '--text', 'not good at all, support never answered'])
    const [result] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { label: string; tokens: { token: string }[]; rules: string[] })
    expect(result?.label).toBe('negative')
    expect(result?.tokens.length).toBeGreaterThan(0)
  })
})
