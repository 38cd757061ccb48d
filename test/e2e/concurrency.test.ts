// Commands at the same time on one database, through the built binary: two pulls at once (on
// a fresh file and on an existing one) never corrupt it or store a mention twice, and the
// loser either waits its turn or says another pull is running; triage and read commands run
// while a pull is storing pages (WAL: readers never block the writer, nor it them).
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const bin = fileURLToPath(new URL('../../bin/mentions.js', import.meta.url))
const PAGES = 4
const PER_PAGE = 5

let dir: string
let server: ReplayServer
const expected: string[] = []
const pages: object[] = []

interface Result {
  code: number | null
  stdout: string
  stderr: string
}

function mentions(db: string, args: string[], config?: string): { done: Promise<Result> } {
  const child = spawn(process.execPath, [bin, ...args, '--db', db, ...(config ? ['--config', config] : [])], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_DATA_HOME: path.join(dir, 'xdg'), MENTIONS_USER: 'tester' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout?.on('data', (d: Buffer) => (out += d.toString('utf8')))
  child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')))
  return { done: new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout: out, stderr: err }))) }
}

function inspect(db: string): { integrity: string; rows: number; uniq: number; ids: string[]; locks: number } {
  const conn = new Database(db, { fileMustExist: true })
  try {
    const integrity = (conn.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ')
    const { rows, uniq } = conn.prepare(`SELECT count(*) AS rows, count(DISTINCT source || ':' || external_id) AS uniq FROM mentions`).get() as { rows: number; uniq: number }
    const ids = (conn.prepare(`SELECT external_id AS id FROM mentions ORDER BY external_id`).all() as { id: string }[]).map((r) => r.id)
    const locks = (conn.prepare(`SELECT count(*) AS n FROM locks`).get() as { n: number }).n
    return { integrity, rows, uniq, ids, locks }
  } finally {
    conn.close()
  }
}

/** Each of two simultaneous pulls either ran (0) or was told another one is running (1). */
function expectRanOrBusy(results: Result[]): void {
  for (const r of results) {
    if (r.code === 0) continue
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toContain('another pull is running')
  }
  expect(results.some((r) => r.code === 0)).toBe(true)
}

beforeAll(async () => {
  dir = tempDir('mentions-concurrency-')
  const now = Date.now()
  const routes = []
  for (let p = 0; p < PAGES; p++) {
    const hits = Array.from({ length: PER_PAGE }, (_, i) => {
      const n = p * PER_PAGE + i
      const id = String(80_000_000 + n)
      expected.push(id)
      return hnComment(`acme is down again, report ${n}`, { id, createdAt: now - (n + 1) * 60_000 })
    })
    pages.push(hnPage(hits, { page: p, nbPages: PAGES }))
    routes.push(jsonRoute('/api/v1/search_by_date', pages[p]!, { query: { page: String(p) }, delayMs: 300 }))
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
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('two pulls at once', () => {
  it('on a fresh database: one file, whole, each mention once', async () => {
    const db = path.join(dir, 'fresh.db')
    const results = await Promise.all([mentions(db, ['pull']).done, mentions(db, ['pull']).done])
    expectRanOrBusy(results)
    const state = inspect(db)
    expect(state.integrity).toBe('ok')
    expect(state.ids).toEqual(expected)
    expect(state.rows).toBe(state.uniq)
    expect(state.locks).toBe(0)
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('fresh.db.') && f.endsWith('.tmp'))).toEqual([])
  }, 120_000)

  it('on an existing database: the same', async () => {
    const db = path.join(dir, 'existing.db')
    expect((await mentions(db, ['pull', '--since', '1h']).done).code).toBe(0)
    const results = await Promise.all([mentions(db, ['pull', '--since', '2d']).done, mentions(db, ['pull', '--since', '2d']).done])
    expectRanOrBusy(results)
    const state = inspect(db)
    expect(state.integrity).toBe('ok')
    expect(state.ids).toEqual(expected)
    expect(state.rows).toBe(state.uniq)
    expect(state.locks).toBe(0)
  }, 120_000)
})

describe('commands during a pull', () => {
  it('triage verbs and read commands succeed while a pull holds the lock mid-way', async () => {
    const db = path.join(dir, 'busy.db')
    expect((await mentions(db, ['pull']).done).code).toBe(0)
    const conn = new Database(db, { fileMustExist: true })
    const first = (conn.prepare(`SELECT min(id) AS id FROM mentions`).get() as { id: number }).id
    conn.close()

    // A second server whose page 1 is held back the first time: the pull has stored page 0,
    // holds the pull lock and waits while the other commands run.
    const held = await startReplayServer([
      jsonRoute('/api/v1/search_by_date', pages[0]!, { query: { page: '0' } }),
      jsonRoute('/api/v1/search_by_date', pages[1]!, { query: { page: '1' }, times: 1, delayMs: 15_000 }),
      ...pages.map((body, p) => jsonRoute('/api/v1/search_by_date', body, { query: { page: String(p) } })),
    ])
    try {
      const config = path.join(dir, 'held.config.json')
      fs.writeFileSync(config, JSON.stringify({ brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews', baseUrl: held.url }] }))
      let pullDone = false
      const running = mentions(db, ['pull', '--since', '2d'], config)
      void running.done.then(() => (pullDone = true))
      const start = Date.now()
      while (!held.requests.some((r) => r.query.page === '1') && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 10))

      const reads = await Promise.all([
        mentions(db, ['queue', 'all', '--format', 'json']).done,
        mentions(db, ['show', String(first), '--json']).done,
        mentions(db, ['search', 'acme', '--format', 'tsv']).done,
        mentions(db, ['stats']).done,
      ])
      for (const r of reads) expect(r.code, r.stderr).toBe(0)
      expect(JSON.parse(reads[0]!.stdout)).toHaveLength(expected.length)
      expect(JSON.parse(reads[1]!.stdout).id).toBe(first)
      expect(reads[2]!.stdout.trim().split('\n').length).toBe(expected.length + 1)
      const triage = await Promise.all([
        mentions(db, ['assign', String(first), 'alice']).done,
        mentions(db, ['note', String(first), 'looking into it']).done,
        mentions(db, ['done', String(first)]).done,
      ])
      for (const r of triage) expect(r.code, r.stderr).toBe(0)
      // All of that happened while the pull was still waiting on its second page.
      expect(pullDone).toBe(false)
      expect((await running.done).code).toBe(0)
    } finally {
      await held.close()
    }

    const state = inspect(db)
    expect(state.integrity).toBe('ok')
    expect(state.ids).toEqual(expected)
    expect(state.rows).toBe(state.uniq)
    const after = new Database(db, { readonly: true, fileMustExist: true })
    try {
      const t = after.prepare(`SELECT state, assignee FROM triage WHERE mention_id = ?`).get(first) as { state: string; assignee: string }
      expect(t).toEqual({ state: 'done', assignee: 'alice' })
    } finally {
      after.close()
    }
  }, 120_000)
})
