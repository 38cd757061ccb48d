// End to end on the built binary: the database file (read-only reads, refusals, corruption)
// and the list filters, against a loopback server.
import { execFile, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'
import { runMentions, type CliResult } from '../support/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = path.join(root, 'bin', 'mentions.js')

let dir: string
let server: ReplayServer
let cfg: string
let db: string

function mentions(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runMentions(args, { home: dir, env })
}

const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>tag:x,2026:f</id><title>News</title><updated>2026-11-30T10:00:00Z</updated>
<entry><id>tag:x,2026:1</id><title>Globex opens a new office</title><link href="https://news.example/globex"/>
<published>${new Date(Date.now() - 3600_000).toISOString()}</published><content type="html">Globex is hiring.</content></entry></feed>`

beforeAll(async () => {
  dir = tempDir('mentions-e2e-db-')
  fs.chmodSync(dir, 0o755)
  const hour = 3600_000
  server = await startReplayServer([
    jsonRoute('/api/v1/search_by_date', hnPage([
      hnComment('Acme support never replied, three days now', { createdAt: Date.now() - 2 * hour }),
      hnComment('Globex and Acme both went down', { createdAt: Date.now() - 3 * hour }),
    ])),
    { path: '/news.xml', headers: { 'content-type': 'application/atom+xml' }, body: atom },
  ])
  cfg = path.join(dir, 'mentions.config.json')
  db = path.join(dir, 'm.db')
  fs.writeFileSync(cfg, JSON.stringify({
    database: './m.db',
    brands: [{ name: 'Acme', terms: ['acme'] }, { name: 'Globex', terms: ['globex'] }],
    sources: [{ kind: 'hackernews', baseUrl: server.url }, { kind: 'rss', url: `${server.url}/news.xml`, name: 'Industry news' }],
  }))
  const r = await mentions(['pull'])
  if (r.code !== 0) throw new Error(`setup pull failed: ${r.stderr}`)
})
afterAll(async () => {
  await server.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('the database file (built binary)', () => {
  it('reads a file the user may only read, in a folder they cannot write', () => {
    const asRoot = process.getuid?.() === 0 && spawnSync('setpriv', ['--version']).status === 0
    if (!asRoot) return // needs root to become another user; elsewhere the user is not root anyway
    const nobody = ['--reuid=65534', '--regid=65534', '--clear-groups']
    // The checkout itself must be readable by that user (a clone in a 0700 temp folder is not).
    if (spawnSync('setpriv', [...nobody, process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(bin)})`]).status !== 0) return
    const ro = path.join(dir, 'ro')
    fs.mkdirSync(ro, { mode: 0o755 })
    fs.copyFileSync(db, path.join(ro, 'm.db'))
    fs.chmodSync(path.join(ro, 'm.db'), 0o444)
    const r = spawnSync('setpriv', [...nobody, process.execPath, bin, 'queue', 'all', '--json', '--db', path.join(ro, 'm.db')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', HOME: ro },
    })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect((JSON.parse(r.stdout) as unknown[]).length).toBe(3)
    expect(fs.readdirSync(ro)).toEqual(['m.db'])
  })

  it('takes an empty MENTIONS_DB or MENTIONS_DATABASE_URL as unset, not as a path', async () => {
    // Set to nothing, both fall through to the config's database (the one pulled above).
    const r = await mentions(['queue', 'all', '--json', '--config', cfg], { MENTIONS_DB: '', MENTIONS_DATABASE_URL: '' })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const viaDb = await mentions(['queue', 'all', '--json', '--db', db])
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(viaDb.stdout))
    expect((JSON.parse(r.stdout) as unknown[]).length).toBeGreaterThan(0)
  })

  it('refuses a directory and a file that is not a mentions database, exit 2, changing nothing', async () => {
    expect(await mentions(['queue', '--db', dir])).toEqual({ code: 2, stdout: '', stderr: `error: ${dir} is a directory, not a database file; give a file path (--db or MENTIONS_DB)\n` })
    const other = path.join(dir, 'notes.db')
    const o = new Database(other)
    o.exec('CREATE TABLE notes (body TEXT)')
    o.close()
    const before = fs.readFileSync(other)
    for (const cmd of [['pull'], ['queue']]) {
      const r = await mentions([...cmd, '--db', other])
      expect(r).toMatchObject({ code: 2, stderr: `error: ${other} is not a mentions database (an SQLite file of another program); choose another path\n` })
    }
    expect(fs.readFileSync(other).equals(before)).toBe(true)
  })

  it('reports a corrupt database once, as the store\'s failure, exit 1', async () => {
    const bad = path.join(dir, 'bad.db')
    fs.copyFileSync(db, bad)
    const buf = fs.readFileSync(bad)
    buf.fill(0x5a, 4096, buf.length)
    fs.writeFileSync(bad, buf)
    const r = await mentions(['pull', '--db', bad])
    expect(r.code).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^error: the database ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is corrupt`))
  })
})

describe('list filters (built binary)', () => {
  const ids = (r: CliResult) => (JSON.parse(r.stdout) as { text: string; sourceName: string | null; brands: string[] }[])
  it('takes several --source and --brand, and refuses unknown ones with exit 2', async () => {
    expect(ids(await mentions(['queue', 'all', '--json', '--source', 'rss'])).map((m) => m.sourceName)).toEqual(['Industry news'])
    expect(ids(await mentions(['queue', 'all', '--json', '--source', 'rss', '--source', 'hackernews']))).toHaveLength(3)
    expect(ids(await mentions(['queue', 'all', '--json', '--source', 'rss,hackernews']))).toHaveLength(3)
    expect(ids(await mentions(['export', '--format', 'json', '--brand', 'globex']))).toHaveLength(2)
    expect(ids(await mentions(['export', '--format', 'json', '--brand', 'Globex', '--brand', 'acme']))).toHaveLength(3)
    const brand = await mentions(['queue', '--brand', 'Initech'])
    expect(brand).toEqual({ code: 2, stdout: '', stderr: 'error: unknown brand "Initech" (configured: Acme, Globex)\n' })
    const source = await mentions(['export', '--source', 'myspace'])
    expect(source.code).toBe(2)
    expect(source.stderr).toMatch(/^error: unknown source kind "myspace" \(known: /)
  })

  it('reads --since and --until as dates too, and --new-since by when mentions first saw it', async () => {
    const all = ids(await mentions(['export', '--format', 'json', '--since', '2020-01-01']))
    expect(all).toHaveLength(3)
    expect(ids(await mentions(['export', '--format', 'json', '--until', '2020-01-01']))).toEqual([])
    // Everything was first seen moments ago, however old the posts are.
    expect(ids(await mentions(['export', '--format', 'json', '--new-since', '10m']))).toHaveLength(3)
    expect(ids(await mentions(['export', '--format', 'json', '--new-since', '2099-01-01']))).toEqual([])
    const bad = await mentions(['queue', '--since', 'last tuesday'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--since takes a duration \(24h, 7d\) or a date or time/)
  })

  it('describes in --help exactly the formats and default each command accepts', async () => {
    // Commander wraps long option lists: compare the words, not the line breaks.
    const help = (await mentions(['export', '--help'])).stdout.replace(/\s+/g, ' ')
    expect(help).toContain('csv|tsv|json|ndjson|ids (default: csv)')
    expect(help).not.toContain('table')
    expect((await mentions(['export', '--format', 'table'])).code).toBe(2)
    expect((await mentions(['show', '--help'])).stdout.replace(/\s+/g, ' ')).toContain('table|json (default: table)')
  })

  it('says "nothing new" to a person at a terminal, and nothing to cron', async () => {
    expect(await mentions(['pull'])).toEqual({ code: 0, stdout: '', stderr: '' })
    if (spawnSync('script', ['--version']).status !== 0) return // util-linux `script` gives the pseudo-terminal
    // Asynchronous: the loopback server lives in this process and must keep answering.
    const r = await new Promise<{ status: number | null; stdout: string }>((resolve) => {
      const child = execFile('script', ['-qec', `${process.execPath} ${bin} pull --config ${cfg}`, '/dev/null'], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', HOME: dir, TERM: 'dumb' },
        timeout: 20_000,
      }, (err, stdout) => resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }))
      child.stdin?.end()
    })
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/Nothing new from 3 sources\./)
  })
})
