// A pull killed half-way (kill -9, no cleanup at all) leaves a consistent database, and the
// next pull takes over the dead lock, resumes, and stores everything exactly once.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer } from '../support/replay.js'

const bin = fileURLToPath(new URL('../../bin/mentions.js', import.meta.url))
const dir = tempDir('mentions-crash-')
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

function run(args: string[]): { done: Promise<number | null>; stderr(): string; kill(signal?: NodeJS.Signals): void } {
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '', HOME: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  child.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')))
  return {
    done: new Promise((resolve) => child.on('close', (code) => resolve(code))),
    stderr: () => err,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => void child.kill(signal),
  }
}

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('a pull killed mid-way', () => {
  for (const how of ['SIGKILL', 'SIGINT'] as const) {
    it(`keeps whole pages after ${how}, and the next pull resumes without duplicates`, async () => {
      const now = Date.now()
      const page0 = Array.from({ length: 5 }, (_, i) => hnComment(`acme outage report ${i}`, { id: String(60_000_000 + i), createdAt: now - (i + 1) * 60_000 }))
      const page1 = Array.from({ length: 5 }, (_, i) => hnComment(`acme billing issue ${i}`, { id: String(60_000_100 + i), createdAt: now - (i + 10) * 60_000 }))
      const server = await startReplayServer([
        jsonRoute('/api/v1/search_by_date', hnPage(page0, { page: 0, nbPages: 2 }), { query: { page: '0' } }),
        // The first time, page 1 hangs long enough for the process to be killed while it waits.
        jsonRoute('/api/v1/search_by_date', hnPage(page1, { page: 1, nbPages: 2 }), { query: { page: '1' }, times: 1, delayMs: 20_000 }),
        jsonRoute('/api/v1/search_by_date', hnPage(page1, { page: 1, nbPages: 2 }), { query: { page: '1' } }),
        // A second source that finishes before the interrupt: it is reported as done.
        { path: '/news.xml', headers: { 'content-type': 'application/rss+xml' }, body: '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https://news.example/</link></channel></rss>' },
      ])
      try {
        const cfg = path.join(dir, 'mentions.config.json')
        fs.writeFileSync(cfg, JSON.stringify({
          database: `./crash-${how}.db`,
          brands: [{ name: 'Acme', terms: ['acme'] }],
          sources: [{ kind: 'hackernews', baseUrl: server.url }, { kind: 'rss', url: `${server.url}/news.xml`, name: 'News' }],
        }))
        const dbFile = path.join(dir, `crash-${how}.db`)
        const count = (sql: string): number => {
          if (!fs.existsSync(dbFile)) return -1
          const db = new Database(dbFile, { readonly: true, fileMustExist: true })
          try {
            return (db.prepare(sql).get() as { n: number }).n
          } catch {
            return -1 // schema not created yet
          } finally {
            db.close()
          }
        }

        const first = run(['pull'])
        await until(
          () =>
            server.requests.some((r) => r.query.page === '1') &&
            count('SELECT count(*) AS n FROM mentions') === 5 &&
            count(`SELECT count(*) AS n FROM cursors WHERE source = 'rss' AND last_ok_at IS NOT NULL`) === 1,
        )
        first.kill(how)
        const code = await first.done

        // Page 0 stored whole and no cursor moved. kill -9 leaves a stale lock and an open run;
        // Ctrl-C stops cleanly: exit 130, lock released, the run marked interrupted.
        expect(count('SELECT count(*) AS n FROM mentions')).toBe(5)
        expect(count(`SELECT count(*) AS n FROM cursors WHERE source = 'hackernews' AND cursor <> '{}'`)).toBe(0)
        if (how === 'SIGINT') {
          expect(code).toBe(130)
          // What finished is reported, and what was cut short says so.
          expect(first.stderr()).toMatch(/✓ rss "News": 0 new, 0 updated/)
          expect(first.stderr()).toMatch(/… hackernews \[Acme\]: interrupted \(5 new stored\)/)
          expect(count(`SELECT count(*) AS n FROM locks`)).toBe(0)
          expect(count(`SELECT count(*) AS n FROM runs WHERE status = 'interrupted'`)).toBe(1)
        } else {
          expect(count(`SELECT count(*) AS n FROM locks`)).toBe(1)
          expect(count(`SELECT count(*) AS n FROM runs WHERE status = 'running'`)).toBe(1)
        }

        const second = run(['pull'])
        expect(await second.done).toBe(0)
        expect(count('SELECT count(*) AS n FROM mentions')).toBe(10)
        expect(count('SELECT count(DISTINCT external_id) AS n FROM mentions')).toBe(10)
        expect(count(`SELECT count(*) AS n FROM runs WHERE status = 'interrupted'`)).toBe(1)
        expect(count(`SELECT count(*) AS n FROM runs WHERE status = 'ok'`)).toBe(1)
        expect(count(`SELECT count(*) AS n FROM locks`)).toBe(0)
        expect(count(`SELECT count(*) AS n FROM cursors WHERE source = 'hackernews' AND cursor LIKE '%"at":%'`)).toBe(1)
      } finally {
        await server.close()
      }
    })
  }
})
