import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import { label, rescore } from '../../src/app/score.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

let server: ReplayServer | undefined
const open: TestDeps[] = []
let dir: string | undefined
afterEach(async () => {
  for (const d of open.splice(0)) await d.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = dir = undefined
})

describe('rescore with user words', () => {
  it('applies config lexicon additions to stored mentions, and keeps human labels', async () => {
    server = await startReplayServer([
      jsonRoute('/api/v1/search_by_date', hnPage([
        hnComment('the acme dashboard is zorpy', { id: '1' }),
        hnComment('acme dashboard feels zorpy too', { id: '2' }),
      ])),
    ])
    dir = tempDir()
    const dbFile = path.join(dir, 'm.db')
    const base = { brands: [{ name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }], sources: [{ kind: 'hackernews', options: { baseUrl: server.url } }] }
    const before = testDeps({ dbFile, config: base })
    open.push(before)
    await pull(before)
    const stored = await listQueue(before, { queue: 'all' })
    expect(stored.map((m) => m.sentimentLabel)).toEqual(['neutral', 'neutral'])
    const humanId = stored.find((m) => m.externalId === '2')!.id
    await label(before, humanId, { sentiment: 'positive' }, 'ana')
    await before.close()
    open.pop()

    // The team teaches the scorer its own slang; the version changes, so rescore picks every row up.
    const after = testDeps({ dbFile, config: { ...base, sentiment: { words: { zorpy: -3 } } } })
    open.push(after)
    expect(after.scorer().version).not.toBe(before.scorer().version)
    const result = await rescore(after)
    expect(result).toMatchObject({ examined: 2 })
    const byId = new Map((await listQueue(after, { queue: 'all' })).map((m) => [m.externalId, m]))
    expect(byId.get('1')).toMatchObject({ sentimentLabel: 'negative', scorerVersion: after.scorer().version })
    expect(byId.get('2')).toMatchObject({ sentimentLabel: 'positive', sentimentOverridden: true })
    // Nothing left to do on a second run.
    expect((await rescore(after)).examined).toBe(0)
  })
})
