// Several cron hosts pulling into one PostgreSQL database, and several people triaging its
// queue, through the built binary: each source walk is pulled by one process at a time (the
// other says it skipped it), nothing is stored twice, and no triage event is lost.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { dropPgDatabases, freshPgUrl, pgSkip, withPgClient } from '../support/pg.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const bin = fileURLToPath(new URL('../../bin/mentions.js', import.meta.url))
const PAGES = 4
const PER_PAGE = 5

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

let dir: string
let server: ReplayServer
const expected: string[] = []

function mentions(url: string, args: string[], user = 'tester'): { done: Promise<Result> } {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_DATA_HOME: path.join(dir, 'xdg'), MENTIONS_USER: user, MENTIONS_DATABASE_URL: url },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')))
  child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')))
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: out, stderr: err }))) }
}

const sql = <R extends pg.QueryResultRow>(url: string, text: string): Promise<R[]> => withPgClient(url, async (c) => (await c.query<R>(text)).rows)

describe.skipIf(pgSkip)('PostgreSQL: several hosts, several people', () => {
  beforeAll(async () => {
    dir = tempDir('mentions-pg-pull-')
    const now = Date.now()
    const routes = []
    for (let p = 0; p < PAGES; p++) {
      const hits = Array.from({ length: PER_PAGE }, (_, i) => {
        const n = p * PER_PAGE + i
        const id = String(81_000_000 + n)
        expected.push(id)
        return hnComment(`acme is down again, report ${n}`, { id, createdAt: now - (n + 1) * 60_000 })
      })
      routes.push(jsonRoute('/api/v1/search_by_date', hnPage(hits, { page: p, nbPages: PAGES }), { query: { page: String(p) }, delayMs: 400 }))
    }
    server = await startReplayServer(routes)
    fs.writeFileSync(
      path.join(dir, 'mentions.config.json'),
      JSON.stringify({ brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews', baseUrl: server.url }] }),
    )
    expected.sort()
  })
  afterAll(async () => {
    await server?.close()
    await dropPgDatabases()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('two pulls at once: one walks the source, the other skips it and says who has it; nothing twice', async () => {
    const url = await freshPgUrl()
    const first = mentions(url, ['pull'])
    const start = Date.now()
    while (!server.requests.length && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 10))
    const second = mentions(url, ['pull'])
    const [a, b] = await Promise.all([first.done, second.done])
    expect(a.code, a.stderr).toBe(0)
    expect(b.code, b.stderr).toBe(0)
    expect(b.stdout + b.stderr).toMatch(/skipped: being pulled by \S+ pid \d+/)
    expect(a.stdout + a.stderr).not.toMatch(/skipped/)
    // Every page was fetched once: the skipping process asked nothing.
    expect(server.requests.length).toBe(PAGES)
    const rows = await sql<{ rows: number; uniq: number }>(url, `SELECT count(*)::int AS rows, count(DISTINCT source || ':' || external_id)::int AS uniq FROM mentions`)
    expect(rows[0]).toEqual({ rows: expected.length, uniq: expected.length })
    const ids = await sql<{ id: string }>(url, 'SELECT external_id AS id FROM mentions ORDER BY external_id')
    expect(ids.map((r) => r.id)).toEqual(expected)
    expect(await sql(url, 'SELECT * FROM locks')).toEqual([])
    // A password never reaches the output.
    expect(a.stdout + a.stderr + b.stdout + b.stderr).not.toContain(new URL(url).password)
  }, 120_000)

  it('read commands print nothing on stderr: their queries run side by side on a read-only pool', async () => {
    // The read-only setting used to be a query on each new connection, which the pool's first
    // query overlapped: pg warned of it on stderr, in every cron mail of a digest.
    const url = await freshPgUrl()
    const pulled = await mentions(url, ['pull']).done
    expect(pulled.code, pulled.stderr).toBe(0)
    for (const args of [['digest', '--dry-run'], ['queue', 'negative'], ['stats'], ['search', 'down']]) {
      const r = await mentions(url, args).done
      expect({ code: r.code, stderr: r.stderr }, args.join(' ')).toEqual({ code: 0, stderr: '' })
    }
  }, 120_000)

  it("a read command loads neither Node's fetch stack nor anything of it", async () => {
    // pg tells Node from Cloudflare Workers as it loads by constructing a fetch Response, which
    // loaded undici, http2, tls and zlib: 20-27 ms of every command. The bundle gives it the
    // Node half of that module (scripts/pg-node-stream.cjs).
    const url = await freshPgUrl()
    expect((await mentions(url, ['pull']).done).code).toBe(0)
    const log = path.join(dir, 'pg-builtins.log')
    const preload = `data:text/javascript,${encodeURIComponent(`import fs from 'node:fs'; process.on('exit', () => fs.writeFileSync(${JSON.stringify(log)}, process.moduleLoadList.join('\\n')))`)}`
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', preload, bin, 'queue', 'negative'], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, MENTIONS_DATABASE_URL: url }, stdio: ['ignore', 'ignore', 'pipe'] })
      let err = ''
      child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')))
      child.on('close', (code) => resolve({ code, stderr: err }))
    })
    expect(r).toEqual({ code: 0, stderr: '' })
    const builtins = fs.readFileSync(log, 'utf8').split('\n')
    expect(builtins).toContain('NativeModule net')
    expect(builtins.filter((m) => /^NativeModule (internal\/deps\/undici\/undici|http2|zlib|tls)$/.test(m))).toEqual([])
  }, 60_000)

  it('several people triaging one queue at once: every event kept, and a late change says what it found', async () => {
    const url = await freshPgUrl()
    expect((await mentions(url, ['pull', '--since', '2d']).done).code).toBe(0)
    const ids = (await sql<{ id: number }>(url, 'SELECT id FROM mentions ORDER BY id')).map((r) => String(r.id))
    expect(ids.length).toBe(expected.length)
    const before = (await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM events'))[0]!.n
    // Five people at once on the same items: notes and an assignment on the first, and two
    // state changes racing over all the others.
    const rest = ids.slice(1)
    const results = await Promise.all([
      mentions(url, ['note', ids[0]!, 'seen by ana'], 'ana').done,
      mentions(url, ['note', ids[0]!, 'seen by bo'], 'bo').done,
      mentions(url, ['assign', ids[0]!, 'cy'], 'cy').done,
      mentions(url, ['note', ids[0]!, 'on it'], 'dee').done,
      mentions(url, ['done', ...rest], 'ana').done,
      mentions(url, ['ignore', ...rest], 'bo').done,
    ])
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    const events = await sql<{ actor: string; action: string; n: number }>(
      url,
      `SELECT actor, action, count(*)::int AS n FROM events GROUP BY actor, action ORDER BY actor, action`,
    )
    const by = Object.fromEntries(events.map((e) => [`${e.actor}:${e.action}`, e.n]))
    expect(by['ana:note']).toBe(1)
    expect(by['bo:note']).toBe(1)
    expect(by['dee:note']).toBe(1)
    expect(by['cy:assign']).toBe(1)
    expect(by['ana:state']).toBe(rest.length)
    expect(by['bo:state']).toBe(rest.length)
    expect((await sql<{ n: number }>(url, 'SELECT count(*)::int AS n FROM events'))[0]!.n).toBe(before + 4 + 2 * rest.length)
    // Whoever came second over the others was told who had just changed them.
    const said = [results[4]!, results[5]!].map((r) => r.stdout + r.stderr).join('\n')
    expect(said).toMatch(/\((ana set it done|bo ignored it) (\d+s ago|just now)\)/)
    // Someone closing the item a moment later is told who touched it last.
    const done = await mentions(url, ['done', ids[0]!, '--json'], 'eve').done
    expect(done.code, done.stderr).toBe(0)
    const out = JSON.parse(done.stdout) as { id: number; lastChange: { actor: string } | null }[]
    expect(out[0]!.lastChange?.actor).toMatch(/^(ana|bo|cy|dee)$/)
    const t = await sql<{ state: string; assignee: string }>(url, `SELECT state, assignee FROM triage WHERE mention_id = ${Number(ids[0])}`)
    expect(t[0]).toEqual({ state: 'done', assignee: 'cy' })
  }, 120_000)
})
