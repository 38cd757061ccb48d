import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { exportMentions, getMention, listQueue } from '../../src/app/queues.js'
import { rematch } from '../../src/app/rematch.js'
import type { Config } from '../../src/config/load.js'
import { StoreError } from '../../src/errors.js'
import type { Brand, Mention } from '../../src/model.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const brand = (over: Partial<Brand>): Brand => ({ name: 'NBA', terms: ['nba'], exclude: [], require: [], languages: [], competitor: false, handles: {}, ...over })

let server: ReplayServer | undefined
let dir: string | undefined
const opened: TestDeps[] = []
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = dir = undefined
})

async function start(hits: object[]) {
  server = await startReplayServer([jsonRoute('/api/v1/search_by_date', hnPage(hits))])
  dir = tempDir()
  const dbFile = path.join(dir, 'm.db')
  const make = (brands: Brand[], extra: Partial<Config> = {}) => {
    const d = testDeps({ dbFile, config: { brands, sources: [{ kind: 'hackernews', options: { baseUrl: (server as ReplayServer).url } }], ...extra } })
    opened.push(d)
    return d
  }
  return make
}

async function all(deps: TestDeps): Promise<Mention[]> {
  const out: Mention[] = []
  for await (const c of exportMentions(deps)) out.push(...c)
  return out
}

describe('rematch', () => {
  it('takes what a changed query no longer matches out of the queues, with an event, and brings it back', async () => {
    const make = await start([hnComment('NBA player hurt in crash'), hnComment('NBA finals tonight, what a game')])
    const before = make([brand({})])
    await pull(before)
    expect(await listQueue(before, { queue: 'all' })).toHaveLength(2)
    await before.close()

    const after = make([brand({ exclude: ['crash'] })])
    const dry = await rematch(after, { dryRun: true, actor: 'ana' })
    expect(dry.changes).toEqual([expect.objectContaining({ after: null, reason: 'NBA: excluded by "crash"' })])
    expect(await listQueue(after, { queue: 'all' })).toHaveLength(2)

    const applied = await rematch(after, { actor: 'ana' })
    expect(applied.changes).toHaveLength(1)
    const queue = await listQueue(after, { queue: 'all' })
    expect(queue.map((m) => m.text)).toEqual(['NBA finals tonight, what a game'])
    const gone = (await all(after)).find((m) => m.text.includes('crash'))!
    expect(gone.state).toBe('ignored')
    const detail = await getMention(after, gone.id)
    expect(detail?.events).toEqual([expect.objectContaining({ actor: 'ana', action: 'rematch' })])
    // A second run changes nothing.
    expect((await rematch(after, { actor: 'ana' })).changes).toEqual([])

    const back = make([brand({})])
    const again = await rematch(back, { actor: 'ana' })
    expect(again.changes).toEqual([expect.objectContaining({ reason: 'matches again' })])
    expect(await listQueue(back, { queue: 'all' })).toHaveLength(2)
  })
})

describe('pull and the stored rows', () => {
  it('credits new rows to the brands they were stored under, and stores the instance name', async () => {
    const make = await start([hnComment('Globex is down again'), hnComment('acme and globex both fine')])
    const deps = make([brand({ name: 'Acme', terms: ['acme', 'globex'] }), brand({ name: 'Globex', terms: ['globex'] })])
    const result = await pull(deps)
    const acme = result.sources.find((s) => s.brand === 'Acme')!
    expect(acme.byBrand).toEqual({ Acme: { new: 2, updated: 0 }, Globex: { new: 2, updated: 0 } })
  })

  it('never queues a mention that only names a competitor, but stores and exports it', async () => {
    const make = await start([hnComment('Initech support is terrible'), hnComment('acme beats initech')])
    const deps = make([brand({ name: 'Acme', terms: ['acme'] }), brand({ name: 'Initech', terms: ['initech'], competitor: true })])
    await pull(deps)
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.text)).toEqual(['acme beats initech'])
    expect((await all(deps)).map((m) => [m.text, m.competitor])).toEqual(
      expect.arrayContaining([['Initech support is terrible', true], ['acme beats initech', false]]),
    )
  })

  it('stops at a failing database once, as the store\'s failure, and writes nothing into it', async () => {
    const make = await start([hnComment('acme is down')])
    const deps = make([brand({ name: 'Acme', terms: ['acme'] })])
    await pull(deps)
    const file = deps.store().location
    await deps.close()
    const buf = fs.readFileSync(file)
    buf.fill(0x5a, 4096, buf.length)
    fs.writeFileSync(file, buf)
    const before = fs.readFileSync(file)
    const broken = make([brand({ name: 'Acme', terms: ['acme'] })])
    await expect(pull(broken)).rejects.toBeInstanceOf(StoreError)
    await broken.close()
    expect(fs.readFileSync(file).equals(before)).toBe(true)
  })
})
