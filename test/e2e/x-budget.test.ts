// End to end on the built binary: the X source stops at its daily read budget with exit 3
// (partial failure) and one stderr line saying so, keeping what it read.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'
import { runMentions, type CliResult } from '../support/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

let dir: string
let server: ReplayServer

function mentions(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runMentions(args, { home: dir, env })
}

const E = 1288834974657n
/** Ten posts naming Acme, newest first, one minute apart, the newest `offset` minutes ago. */
function page(offset: number, next?: string): object {
  const now = Date.now()
  const data = Array.from({ length: 10 }, (_, i) => {
    const at = now - (offset + i) * 60_000
    const id = ((BigInt(at) - E) << 22n).toString()
    return { id, text: `Acme post ${offset + i}`, created_at: new Date(at).toISOString(), author_id: '7', conversation_id: id, lang: 'en' }
  })
  return { data, includes: { users: [{ id: '7', username: 'ana_l', name: 'Ana' }] }, meta: { result_count: 10, ...(next ? { next_token: next } : {}) } }
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build`')
  dir = tempDir('mentions-e2e-x-')
  server = await startReplayServer([
    jsonRoute('/2/tweets/search/recent', page(10, 'p3'), { query: { next_token: 'p2' } }),
    jsonRoute('/2/tweets/search/recent', page(0, 'p2')),
    jsonRoute('/api/v1/search_by_date', hnPage([hnComment('Acme on HN', { createdAt: Date.now() - 3600_000 })])),
  ])
  fs.writeFileSync(path.join(dir, 'mentions.config.json'), JSON.stringify({
    database: './m.db',
    brands: [{ name: 'Acme', terms: ['acme'] }],
    // A second source that works: a spent budget is a partial failure (exit 3), the rest stored.
    sources: [{ kind: 'x', baseUrl: server.url, maxReadsPerDay: 20 }, { kind: 'hackernews', baseUrl: server.url }],
  }))
})
afterAll(async () => {
  await server.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('x read budget (built binary)', () => {
  it('exits 3 with a stderr line about the budget, and keeps the posts it read', async () => {
    const r = await mentions(['pull'], { X_BEARER_TOKEN: 'test-token' })
    expect(r.code).toBe(3)
    expect(r.stderr).toMatch(/x.*read budget spent: 20 of 20 reads today \(maxReadsPerDay\); resets 00:00 UTC/)
    expect(r.stderr).not.toContain('test-token')
    const xRequests = () => server.requests.filter((req) => req.path === '/2/tweets/search/recent')
    expect(xRequests()).toHaveLength(2)
    expect(xRequests()[0]?.headers.authorization).toBe('Bearer test-token')
    const q = await mentions(['queue', 'all', '--json'])
    expect(q.code).toBe(0)
    expect((JSON.parse(q.stdout) as { source: string }[]).filter((m) => m.source === 'x')).toHaveLength(20)

    // The same day: no request, the same line.
    const again = await mentions(['pull'], { X_BEARER_TOKEN: 'test-token' })
    expect(again.code).toBe(3)
    expect(again.stderr).toMatch(/read budget spent: 20 of 20 reads today/)
    expect(xRequests()).toHaveLength(2)
  })
})
