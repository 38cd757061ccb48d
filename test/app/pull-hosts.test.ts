// Several cron hosts pulling into one database: each walk is walked by one host at a time, the
// others skip it and say who has it, and nothing is fetched or stored twice. The pull's runs
// repository is PostgreSQL's (its locks are what is shared); the mentions go to one SQLite file
// both pulls write, the rest of the PostgreSQL store being another's part.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { planTasks, pull } from '../../src/app/pull.js'
import type { Brand } from '../../src/model.js'
import { openPg, type Pg } from '../../src/store/postgres/open.js'
import { runsRepo } from '../../src/store/postgres/runs.js'
import type { Store } from '../../src/store/types.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../support/pg.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const brand = (name: string): Brand => ({ name, terms: [name.toLowerCase()], exclude: [], require: [], languages: [], competitor: false, handles: {} })

const cleanup: (() => Promise<void>)[] = []
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c()
})
afterAll(dropPgDatabases)

async function host(name: string, pid: number, file: string, server: ReplayServer, url: string, brands: Brand[]): Promise<{ deps: TestDeps; pg: Pg }> {
  const pg = openPg(url)
  const base = testDeps({ dbFile: file, config: { brands, sources: [{ kind: 'hackernews', options: { baseUrl: server.url } }] } })
  let store: Store | undefined
  const deps: TestDeps = { ...base, store: () => (store ??= { ...base.store(), runs: runsRepo(pg) }), lock: { holder: { pid, host: name }, isAlive: () => true } }
  cleanup.push(async () => {
    await base.close()
    await pg.pool.end()
  })
  return { deps, pg }
}

describe.skipIf(pgSkip)('pulls from several hosts into one database', () => {
  it('skips a walk another host holds, says who, records no health for it, and exits ok', async () => {
    const t = Date.now() - 3600_000
    const server = await startReplayServer([
      jsonRoute('/api/v1/search_by_date', hnPage([hnComment('Globex lost my order', { id: '51000001', createdAt: t })]), { query: { query: 'globex' } }),
      jsonRoute('/api/v1/search_by_date', hnPage([hnComment('Acme is down', { id: '51000002', createdAt: t })]), { query: { query: 'acme' } }),
    ])
    cleanup.push(() => server.close())
    const dir = tempDir()
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
    const url = await freshPgUrl()
    const { deps, pg } = await host('cron-a', 101, path.join(dir, 'm.db'), server, url, [brand('Acme'), brand('Globex')])
    // Host B is walking Acme right now.
    const other = openPg(url)
    cleanup.push(() => other.pool.end())
    const b = runsRepo(other)
    await b.acquirePullLock({ pid: 202, host: 'cron-b' }, Date.now(), () => true)
    cleanup.push(() => b.releasePullLock({ pid: 202, host: 'cron-b' }))
    const acmeKey = planTasks(deps).find((t) => t.key.brand === 'Acme')!.key
    expect(await b.claimWalk(acmeKey, { pid: 202, host: 'cron-b' }, Date.now())).toBeNull()

    const result = await pull(deps)
    expect(result.status).toBe('ok')
    const acme = result.sources.find((r) => r.brand === 'Acme')
    const globex = result.sources.find((r) => r.brand === 'Globex')
    expect(acme).toMatchObject({ skipped: { host: 'cron-b', pid: 202 }, fetched: 0, new: 0 })
    expect(acme?.error).toBeUndefined()
    expect(globex).toMatchObject({ fetched: 1, new: 1 })
    expect(globex?.skipped).toBeUndefined()
    // Nothing asked of the upstream for Acme, and no cursor or health written for it.
    expect(server.requests.filter((r) => r.query.query === 'acme')).toHaveLength(0)
    expect((await deps.store().runs.health()).map((h) => h.brand)).toEqual(['Globex'])
    expect((await deps.store().cursors.all()).map((c) => c.brand)).toEqual(['Globex'])
    expect((await deps.store().runs.last())?.report.find((r) => r.brand === 'Acme')?.skipped).toEqual({ host: 'cron-b', pid: 202 })
    // Its walk was given back after its cursor was saved; only B's holder rows are left.
    expect((await pg.query<{ host: string }>(`SELECT DISTINCT host FROM locks`)).map((r) => r.host)).toEqual(['cron-b'])
  })

  it('two pulls at once: one walks, the other skips it; nothing is fetched or stored twice', async () => {
    const t = Date.now() - 3600_000
    const server = await startReplayServer([
      jsonRoute('/api/v1/search_by_date', hnPage([hnComment('Acme is down', { id: '52000001', createdAt: t }), hnComment('acme refund?', { id: '52000002', createdAt: t })]), { delayMs: 400 }),
    ])
    cleanup.push(() => server.close())
    const dir = tempDir()
    cleanup.push(async () => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'm.db')
    const url = await freshPgUrl()
    const a = await host('cron-a', 101, file, server, url, [brand('Acme')])
    const b = await host('cron-b', 202, file, server, url, [brand('Acme')])
    // The file exists before both open it at once (the SQLite side is not what is tested).
    await a.deps.store().mentions.count()
    const [ra, rb] = await Promise.all([pull(a.deps), pull(b.deps)])
    expect([ra.status, rb.status]).toEqual(['ok', 'ok'])
    const reports = [ra.sources[0]!, rb.sources[0]!]
    const walked = reports.filter((r) => !r.skipped)
    const skipped = reports.filter((r) => r.skipped)
    expect(walked).toHaveLength(1)
    expect(skipped).toHaveLength(1)
    expect(walked[0]).toMatchObject({ fetched: 2, new: 2 })
    expect(skipped[0]?.skipped).toEqual(ra.sources[0]!.skipped ? { host: 'cron-b', pid: 202 } : { host: 'cron-a', pid: 101 })
    expect(server.requests).toHaveLength(1)
    expect(await a.deps.store().mentions.count()).toBe(2)
    expect(await a.pg.query(`SELECT name FROM locks`)).toEqual([])
  })
})
