import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listSources } from '../../src/app/sources.js'
import type { Brand } from '../../src/model.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { hackernews: ['acme_support'] } }

let server: ReplayServer | undefined
let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = deps = dir = undefined
})

describe('mentions sources', () => {
  it('lists each source per brand with how it tells replies, its quota, and its last run; before any pull too', async () => {
    server = await startReplayServer([jsonRoute('/api/v1/search_by_date', hnPage([hnComment('acme is down')]))])
    dir = tempDir()
    deps = testDeps({
      dbFile: path.join(dir, 'm.db'),
      config: { brands: [acme], sources: [{ kind: 'hackernews', options: { baseUrl: server.url, threadLookups: 0 } }, { kind: 'rss', options: { url: `${server.url}/feed.xml`, name: 'News' } }] },
    })
    const before = await listSources(deps)
    expect(before.map((s) => [s.source, s.stream, s.replies, s.lastRun])).toEqual([
      ['hackernews', 'search', 'own-activity', null],
      ['hackernews', 'own', 'own-activity', null],
      ['rss', 'search', 'none', null],
    ])
    expect(fs.existsSync(path.join(dir, 'm.db'))).toBe(false)

    await pull(deps)
    const key = { source: 'hackernews', instance: server.url, brand: 'Acme' }
    await deps.store().cursors.recordUpstream(key, { remaining: 9, limit: 10, resetAt: Date.UTC(2026, 11, 1, 12), note: 'no token' })
    const after = await listSources(deps)
    expect(after[0]).toMatchObject({ lastRun: { fetched: 1, new: 1, updated: 0 }, quota: { remaining: 9, limit: 10, resetAt: '2026-12-01T12:00:00.000Z', note: 'no token' } })
    expect(after[2]).toMatchObject({ name: 'News', lastRun: { fetched: 0, new: 0 }, lastError: expect.stringMatching(/HTTP 404/) })
  })
})
