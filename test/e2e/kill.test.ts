// SIGKILL at seeded random moments of a pull, again and again on one database: after every
// kill the file passes SQLite's integrity check and holds no duplicates, and one pull left to
// finish converges to exactly the mentions the server has. Ctrl-C exits 130 and frees the lock.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'
import { seededRandom as prng } from '../support/random.js'

const bin = fileURLToPath(new URL('../../bin/mentions.js', import.meta.url))
const SEED = 14
const KILLS = 12
const PAGES = 5
const PER_PAGE = 5

let dir: string
let server: ReplayServer
const expected: string[] = []


function pull(db: string): { done: Promise<number | null>; stderr(): string; kill(signal: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [bin, 'pull', '--db', db], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_DATA_HOME: path.join(dir, 'xdg') },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')))
  const done = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(signal === 'SIGKILL' ? null : code)))
  return { done, stderr: () => err, kill: (signal) => void child.kill(signal) }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Resolves when `check` holds, or false once `done` settles first. */
async function whenOrDone(check: () => boolean, done: Promise<unknown>): Promise<boolean> {
  let finished = false
  void done.then(() => (finished = true))
  while (!check()) {
    if (finished) return false
    await sleep(10)
  }
  return true
}

function inspect(db: string): { integrity: string; rows: number; distinct: number; ids: string[] } | undefined {
  if (!fs.existsSync(db)) return undefined
  // Writable, as the next command would be: a hot WAL left by the kill is recovered on open.
  const conn = new Database(db, { fileMustExist: true })
  try {
    const integrity = (conn.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('; ')
    const tables = conn.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'mentions'`).get() as { n: number }
    if (tables.n === 0) return { integrity, rows: 0, distinct: 0, ids: [] }
    const { rows, uniq: distinct } = conn.prepare(`SELECT count(*) AS rows, count(DISTINCT source || ':' || external_id) AS uniq FROM mentions`).get() as { rows: number; uniq: number }
    const ids = (conn.prepare(`SELECT external_id AS id FROM mentions ORDER BY external_id`).all() as { id: string }[]).map((r) => r.id)
    return { integrity, rows, distinct, ids }
  } finally {
    conn.close()
  }
}

beforeAll(async () => {
  dir = tempDir('mentions-kill-')
  const now = Date.now()
  const routes = []
  for (let p = 0; p < PAGES; p++) {
    const hits = Array.from({ length: PER_PAGE }, (_, i) => {
      const n = p * PER_PAGE + i
      const id = String(70_000_000 + n)
      expected.push(id)
      return hnComment(`acme outage report number ${n}`, { id, createdAt: now - (n + 1) * 60_000 })
    })
    // Every page is slow, so a kill lands while a page is in flight as often as between pages.
    routes.push(jsonRoute('/api/v1/search_by_date', hnPage(hits, { page: p, nbPages: PAGES }), { query: { page: String(p) }, delayMs: 120 }))
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

describe('SIGKILL in a loop', () => {
  it(`keeps the database whole through ${KILLS} kills at random moments, then converges`, async () => {
    const db = path.join(dir, 'killed.db')
    const random = prng(SEED)
    let landedMidPull = 0
    for (let k = 0; k < KILLS; k++) {
      const seen = server.requests.length
      // Wait for 0–3 further requests, then 0–250 ms more: the kill falls before the database
      // exists, during its creation, while a page is awaited, or while one is being stored.
      const waitFor = Math.floor(random() * 4)
      const extra = Math.floor(random() * 250)
      const p = pull(db)
      const reached = await whenOrDone(() => server.requests.length >= seen + waitFor, p.done)
      if (reached) {
        await sleep(extra)
        p.kill('SIGKILL')
      }
      const code = await p.done
      if (code === null) landedMidPull++
      else expect(code, p.stderr()).toBe(0)
      const state = inspect(db)
      if (state) {
        expect(state.integrity).toBe('ok')
        expect(state.rows).toBe(state.distinct)
        for (const id of state.ids) expect(expected).toContain(id)
      }
    }
    expect(landedMidPull).toBeGreaterThan(KILLS / 2)

    const last = pull(db)
    expect(await last.done, last.stderr()).toBe(0)
    const state = inspect(db)!
    expect(state.integrity).toBe('ok')
    expect(state.ids).toEqual(expected)
    expect(state.rows).toBe(expected.length)
  }, 240_000)
})

describe('SIGINT', () => {
  it('exits 130 and releases the lock, so the next pull starts at once', async () => {
    const db = path.join(dir, 'interrupted.db')
    const seen = server.requests.length
    const first = pull(db)
    expect(await whenOrDone(() => server.requests.length >= seen + 2, first.done)).toBe(true)
    first.kill('SIGINT')
    expect(await first.done, first.stderr()).toBe(130)
    const conn = new Database(db, { readonly: true, fileMustExist: true })
    try {
      expect((conn.prepare(`SELECT count(*) AS n FROM locks`).get() as { n: number }).n).toBe(0)
    } finally {
      conn.close()
    }
    const next = pull(db)
    expect(await next.done, next.stderr()).toBe(0)
    expect(next.stderr()).not.toContain('another pull is running')
    expect(inspect(db)!.ids).toEqual(expected)
  }, 60_000)
})
