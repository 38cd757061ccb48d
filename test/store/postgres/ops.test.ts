// The PostgreSQL operational repositories (cursors, runs, back-off, usage, sent, health,
// triage) give the SQLite engine's answers to the same calls; the pull lock lets several hosts
// pull at once while each walk is claimed by one; concurrent triage keeps every event.
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { BusyError } from '../../../src/errors.js'
import { openStore, type Store } from '../../../src/store/index.js'
import { backoffRepo } from '../../../src/store/postgres/backoff.js'
import { cursorsRepo } from '../../../src/store/postgres/cursors.js'
import { PG_MIGRATIONS } from '../../../src/store/postgres/migrations.js'
import { openPg, type Pg } from '../../../src/store/postgres/open.js'
import { runsRepo, walkName } from '../../../src/store/postgres/runs.js'
import { healthRepo, sentRepo } from '../../../src/store/postgres/sent.js'
import { triageRepo } from '../../../src/store/postgres/triage.js'
import { usageRepo } from '../../../src/store/postgres/usage.js'
import type { TriageChange } from '../../../src/store/types.js'
import { tempDir } from '../../support/deps.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../../support/pg.js'
import { record } from '../contract.js'

const pools: Pg[] = []
const stores: Store[] = []
const dirs: string[] = []
afterEach(async () => {
  for (const p of pools.splice(0)) await p.pool.end()
  for (const s of stores.splice(0)) await s.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
afterAll(dropPgDatabases)

const now = Date.UTC(2026, 11, 1, 12)

async function pgAt(url?: string): Promise<Pg> {
  const p = openPg(url ?? (await freshPgUrl()))
  pools.push(p)
  return p
}

function sqlite(): Store {
  const d = tempDir()
  dirs.push(d)
  const s = openStore(path.join(d, 'm.db'))
  stores.push(s)
  return s
}

/** The same mentions, ids 1..n, in both engines (PostgreSQL's written as rows: its mentions repository is another's). */
async function seedBoth(n: number): Promise<{ lite: Store; pg: Pg }> {
  const lite = sqlite()
  const pg = await pgAt()
  const recs = Array.from({ length: n }, (_, i) => record({ id: i + 1 }))
  await lite.mentions.upsertPage(recs)
  for (const r of recs) {
    await pg.query(
      `INSERT INTO mentions (id, source, external_id, url, brands, terms, text, created_at, fetched_at, updated_at, sentiment_score, sentiment_label, intent, scorer_version)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $9, $10, $11, $12, $13)`,
      [r.id, r.source, r.externalId, r.url, JSON.stringify(r.brands), JSON.stringify(r.terms), r.text, r.createdAt, r.fetchedAt, r.sentimentScore, r.sentimentLabel, r.intent, r.scorerVersion],
    )
  }
  return { lite, pg }
}

describe.skipIf(pgSkip)('PostgreSQL operational repositories against SQLite', () => {
  it('cursors: the same cursors, validators, errors, upstream state and order', async () => {
    const lite = sqlite().cursors
    const pg = cursorsRepo(await pgAt())
    const keys = [
      { source: 'rss', instance: 'b', brand: '' },
      { source: 'hackernews', instance: 'default', brand: 'Zeta' },
      { source: 'hackernews', instance: 'default', brand: 'acme' },
      { source: 'hackernews', instance: 'default', brand: 'Acme' },
    ]
    for (const repo of [lite, pg]) {
      expect(await repo.get(keys[0]!)).toBeUndefined()
      await repo.save(keys[0]!, { at: 5, gap: { from: 1, to: 3 }, etag: '"e1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' }, 10)
      await repo.recordError(keys[0]!, 'HTTP 500', 20)
      await repo.recordError(keys[1]!, 'never ok', 21)
      await repo.recordUpstream(keys[2]!, { remaining: 4, limit: 100, resetAt: 99 })
      await repo.save(keys[3]!, { id: 'abc' }, 30)
      await repo.recordUpstream(keys[3]!, { note: 'first' })
      await repo.recordUpstream(keys[3]!, { note: 'second' })
    }
    for (const k of keys) expect(await pg.get(k)).toEqual(await lite.get(k))
    expect(await pg.get(keys[0]!)).toEqual({ at: 5, gap: { from: 1, to: 3 }, etag: '"e1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' })
    const all = await pg.all()
    expect(all).toEqual(await lite.all())
    // Byte order, as SQLite sorts: upper case before lower case.
    expect(all.map((c) => c.brand)).toEqual(['Acme', 'Zeta', 'acme', ''])
    expect(all[0]).toMatchObject({ lastOkAt: 30, upstream: { note: 'second' } })
  })

  it('back-off: the later until wins, expired ones are gone, active in the same order', async () => {
    const lite = sqlite().backoff
    const pg = backoffRepo(await pgAt())
    for (const repo of [lite, pg]) {
      await repo.set({ source: 'x', instance: 'a', host: 'api.x.com', until: now + 60_000, reason: 'HTTP 429' }, now)
      await repo.set({ source: 'x', instance: 'a', host: 'api.x.com', until: now + 10_000, reason: 'HTTP 429 again' }, now + 1)
      await repo.set({ source: 'reddit', instance: 'r', host: 'oauth.reddit.com', until: now + 30_000, reason: 'HTTP 503' }, now)
      await repo.set({ source: 'old', instance: 'o', host: 'h', until: now - 1, reason: 'gone' }, now - 10)
    }
    for (const at of [now, now + 20_000, now + 40_000]) expect(await pg.active(at)).toEqual(await lite.active(at))
    expect(await pg.get('x', 'a', now)).toEqual(await lite.get('x', 'a', now))
    expect((await pg.get('x', 'a', now))?.until).toBe(now + 60_000)
    expect(await pg.get('old', 'o', now)).toBeUndefined()
    await lite.clear('x', 'a')
    await pg.clear('x', 'a')
    expect(await pg.active(now)).toEqual(await lite.active(now))
    expect((await pg.active(now)).map((b) => b.source)).toEqual(['reddit'])
  })

  it('usage: adds up and reads back the same totals', async () => {
    const lite = sqlite().usage
    const pg = usageRepo(await pgAt())
    const out: number[][] = [[], []]
    for (const [i, repo] of [lite, pg].entries()) {
      out[i]!.push(await repo.get('x', 'a', 'reads:2026-12-01'))
      out[i]!.push(await repo.add('x', 'a', 'reads:2026-12-01', 3, now))
      out[i]!.push(await repo.add('x', 'a', 'reads:2026-12-01', 4, now))
      out[i]!.push(await repo.add('x', 'b', 'reads:2026-12-01', 1, now))
      out[i]!.push(await repo.get('x', 'a', 'reads:2026-12-01'))
    }
    expect(out[1]).toEqual(out[0])
    expect(out[1]).toEqual([0, 3, 7, 1, 7])
  })

  it('usage: spends from two pools at once all count', async () => {
    const url = await freshPgUrl()
    const a = usageRepo(await pgAt(url))
    const b = usageRepo(await pgAt(url))
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).add('x', 'a', 'k', 1, now)))
    expect(await a.get('x', 'a', 'k')).toBe(40)
  })

  it('sent: remembers keys per channel and kind, again is harmless', async () => {
    const lite = sqlite().sent
    const pg = sentRepo(await pgAt())
    const keys = Array.from({ length: 1200 }, (_, i) => `m${i}`)
    for (const repo of [lite, pg]) {
      await repo.record('c1', 'mention', keys.slice(0, 700), now)
      await repo.record('c1', 'mention', ['m0', 'm0', 'm699'], now)
      await repo.record('c1', 'spike', ['m1000'], now)
      await repo.record('c2', 'mention', [], now)
    }
    const sorted = (s: Set<string>) => [...s].sort()
    expect(sorted(await pg.wasSent('c1', 'mention', keys))).toEqual(sorted(await lite.wasSent('c1', 'mention', keys)))
    expect((await pg.wasSent('c1', 'mention', keys)).size).toBe(700)
    expect(sorted(await pg.wasSent('c1', 'spike', keys))).toEqual(['m1000'])
    expect((await pg.wasSent('c2', 'mention', keys)).size).toBe(0)
    expect((await pg.wasSent('c1', 'mention', [])).size).toBe(0)
  })

  it('health: no problems on a fresh database; a dropped table or an invalid index is one', async () => {
    const pg = await pgAt()
    const repo = healthRepo(pg)
    expect(await repo.check()).toEqual({ problems: [], schemaVersion: PG_MIGRATIONS.length, knownVersion: PG_MIGRATIONS.length, journalMode: 'postgresql' })
    await pg.query('DROP TABLE sent')
    await pg.query(`UPDATE pg_index SET indisvalid = false WHERE indexrelid = 'mentions_fetched'::regclass`).catch(() => undefined)
    const h = await repo.check()
    expect(h.problems).toContain('table sent is missing')
    const [flipped] = await pg.query<{ v: boolean }>(`SELECT indisvalid AS v FROM pg_index WHERE indexrelid = 'mentions_fetched'::regclass`)
    // Changing pg_index needs a superuser; the test server's role may or may not be one.
    if (flipped && !flipped.v) expect(h.problems.some((p) => p.startsWith('index mentions_fetched is invalid'))).toBe(true)
    expect((await repo.check({ quick: true })).problems).toEqual(['table sent is missing'])
  })

  it('runs: start, finish, last and walk health as SQLite', async () => {
    const lite = sqlite().runs
    const pg = runsRepo(await pgAt())
    const k = { source: 'rss', instance: 'f', brand: '' }
    const k2 = { source: 'hackernews', instance: 'default', brand: 'Acme' }
    const streaks: number[][] = [[], []]
    for (const [i, repo] of [lite, pg].entries()) {
      expect(await repo.last()).toBeUndefined()
      const id = await repo.start(1)
      await repo.finish(id, 'partial', [{ ...k, fetched: 2, new: 1, updated: 1, dropped: 0, byBrand: { Acme: { new: 1, updated: 1 } }, error: 'HTTP 500', durationMs: 12 }], 2)
      for (const fetched of [0, 3, 0, 0, 5, 0]) streaks[i]!.push(await repo.recordHealth(k, fetched, 3))
      streaks[i]!.push(await repo.recordHealth(k2, 0, 4))
    }
    expect(streaks[1]).toEqual(streaks[0])
    expect(streaks[1]).toEqual([0, 0, 1, 2, 0, 1, 0])
    expect(await pg.last()).toEqual(await lite.last())
    expect(await pg.health()).toEqual(await lite.health())
    expect(await lite.claimWalk(k, { pid: 1, host: 'a' }, 5)).toBeNull()
  })

  it('triage: the same results, states and event log as SQLite for the same calls', async () => {
    const { lite, pg } = await seedBoth(4)
    const repo = triageRepo(pg)
    const calls: [number[], TriageChange, string, number][] = [
      [[1, 2, 9], { kind: 'assign', assignee: 'alice' }, 'alice', now],
      [[1], { kind: 'assign', assignee: 'alice' }, 'bob', now + 1000],
      [[1, 2], { kind: 'state', state: 'done' }, 'bob', now + 2000],
      [[2], { kind: 'state', state: 'done' }, 'alice', now + 3000],
      [[3], { kind: 'snooze', until: now + 3600_000 }, 'carol', now + 4000],
      [[3], { kind: 'snooze', until: now + 3600_000 }, 'carol', now + 5000],
      [[3, 4], { kind: 'state', state: 'open' }, 'dave', now + 3600_001],
      [[4, 4], { kind: 'note', text: 'called them' }, 'erin', now + 3600_002],
      [[4], { kind: 'answered' }, 'erin', now + 3600_003],
      [[4], { kind: 'answered' }, 'erin', now + 3600_004],
      [[4], { kind: 'answered', url: 'https://x.com/acme/status/1' }, 'frank', now + 3600_005],
      [[1], { kind: 'unassign' }, 'frank', now + 30 * 60_000],
    ]
    for (const [ids, change, actor, at] of calls) {
      expect(await repo.apply(ids, change, actor, at)).toEqual(await lite.triage.apply(ids, change, actor, at))
    }
    expect(await repo.log({})).toEqual(await lite.triage.log({}))
    expect(await repo.log({ mentionId: 4, since: now + 3600_003, limit: 2 })).toEqual(await lite.triage.log({ mentionId: 4, since: now + 3600_003, limit: 2 }))
    const stateOf = async (id: number) => (await pg.query(`SELECT state, assignee, snoozed_until FROM triage WHERE mention_id = $1`, [id]))[0]
    expect(await stateOf(1)).toEqual({ state: 'done', assignee: null, snoozed_until: null })
    const liteDb = new Database(lite.location, { readonly: true })
    try {
      const liteRows = liteDb.prepare(`SELECT mention_id, state, assignee, snoozed_until, updated_at FROM triage ORDER BY mention_id`).all()
      expect(await pg.query(`SELECT mention_id, state, assignee, snoozed_until, updated_at FROM triage ORDER BY mention_id`)).toEqual(liteRows)
      // #4 had a note and replies only: no triage row, in either engine.
      expect(liteRows).toHaveLength(3)
    } finally {
      liteDb.close()
    }
  })
})

describe('triage lastChange on SQLite', () => {
  it('names the latest change by someone else in the last 10 minutes, never one of mine or an older one', async () => {
    const s = sqlite()
    await s.mentions.upsertPage([record({ id: 1 }), record({ id: 2 }), record({ id: 3 })])
    await s.triage.apply([1, 2, 3], { kind: 'assign', assignee: 'carol' }, 'carol', now - 11 * 60_000)
    await s.triage.apply([1], { kind: 'note', text: 'looking' }, 'alice', now - 60_000)
    await s.triage.apply([1], { kind: 'state', state: 'done' }, 'alice', now - 40_000)
    await s.triage.apply([2], { kind: 'note', text: 'mine' }, 'bob', now - 30_000)
    const [one, two, three] = await s.triage.apply([1, 2, 3], { kind: 'state', state: 'done' }, 'bob', now)
    expect(one).toMatchObject({ id: 1, changed: false, lastChange: { actor: 'alice', action: 'state', at: now - 40_000, detail: { from: 'open', to: 'done' } } })
    // bob's own note does not count, and carol's assignment is older than the window.
    expect(two?.lastChange).toBeUndefined()
    expect(two?.changed).toBe(true)
    expect(three?.lastChange).toBeUndefined()
    // The change just made is bob's: alice, next, finds it.
    const [again] = await s.triage.apply([2], { kind: 'assign', assignee: 'alice' }, 'alice', now + 5000)
    expect(again?.lastChange).toEqual({ actor: 'bob', action: 'state', at: now, detail: { from: 'open', to: 'done' } })
  })
})

describe.skipIf(pgSkip)('several hosts on one PostgreSQL database', () => {
  const a = { pid: 101, host: 'cron-a' }
  const b = { pid: 202, host: 'cron-b' }
  const walk = { source: 'hackernews', instance: 'default', brand: 'Acme' }

  it('two pulls hold the pull lock at once; each walk is claimed by one, the other learns who', async () => {
    const url = await freshPgUrl()
    const pa = await pgAt(url)
    const pb = await pgAt(url)
    const ra = runsRepo(pa)
    const rb = runsRepo(pb)
    await ra.acquirePullLock(a, now, () => true)
    const running = await ra.start(now)
    await rb.acquirePullLock(b, now + 1, () => true)
    // B's arrival did not mark A's open run as left behind.
    expect(await rb.last()).toMatchObject({ id: running, status: 'running' })
    const holders = await pa.query<{ name: string }>(`SELECT name FROM locks ORDER BY name`)
    expect(holders.map((h) => h.name)).toEqual(['pull:cron-a:101', 'pull:cron-b:202'])
    // A second pull in the same process is refused, as on SQLite.
    await expect(ra.acquirePullLock(a, now + 2, () => true)).rejects.toBeInstanceOf(BusyError)

    const [ca, cb] = await Promise.all([ra.claimWalk(walk, a, now + 3), rb.claimWalk(walk, b, now + 3)])
    const outcomes = [ca, cb]
    expect(outcomes.filter((o) => o === null)).toHaveLength(1)
    const winner = ca === null ? a : b
    expect(outcomes.find((o) => o !== null)).toEqual(winner)
    // Another walk is free for the loser.
    const loser = ca === null ? rb : ra
    expect(await loser.claimWalk({ ...walk, brand: 'Globex' }, ca === null ? b : a, now + 4)).toBeNull()

    // Given back once its cursor is saved: the other host may walk it now.
    await (ca === null ? ra : rb).releaseWalk(walk)
    expect(await loser.claimWalk(walk, ca === null ? b : a, now + 5)).toBeNull()
    const [row] = await pa.query<{ host: string }>(`SELECT host FROM locks WHERE name = $1`, [walkName(walk)])
    expect(row?.host).toBe(ca === null ? 'cron-b' : 'cron-a')

    await ra.releasePullLock(a)
    await rb.releasePullLock(b)
    expect(await pa.query(`SELECT name FROM locks`)).toEqual([])
    // Released on the server too: a fresh session can take the walk and the pull lock exclusively.
    const [free] = await pa.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1, $2) AS ok`, [0x6d6e7431, 2])
    expect(free?.ok).toBe(true)
  })

  it('a walk held by a session that died is free; its holder row is taken over', async () => {
    const url = await freshPgUrl()
    const pa = await pgAt(url)
    const ra = runsRepo(pa)
    // A crashed host: its holder row stays, its session (and lock) are gone.
    await pa.query(`INSERT INTO locks (name, pid, host, started_at) VALUES ($1, 999999, 'cron-dead', 1)`, [walkName(walk)])
    await ra.acquirePullLock(a, now, () => true)
    expect(await ra.claimWalk(walk, a, now)).toBeNull()
    expect(await pa.query(`SELECT pid, host FROM locks WHERE name = $1`, [walkName(walk)])).toEqual([{ pid: 101, host: 'cron-a' }])
    await ra.releasePullLock(a)
  })

  it('a stale pull holder row of a dead pid is removed and its open run marked interrupted', async () => {
    const url = await freshPgUrl()
    const pa = await pgAt(url)
    const pb = await pgAt(url)
    const ra = runsRepo(pa)
    const rb = runsRepo(pb)
    await pa.query(`INSERT INTO locks (name, pid, host, started_at) VALUES ('pull:cron-a:999999', 999999, 'cron-a', 1)`)
    const [left] = await pa.query<{ id: number }>(`INSERT INTO runs (started_at, status) VALUES (1, 'running') RETURNING id`)
    await ra.acquirePullLock(a, now, (h) => h.pid !== 999999)
    expect(await ra.last()).toMatchObject({ id: left!.id, status: 'interrupted', endedAt: now })
    expect((await pa.query<{ name: string }>(`SELECT name FROM locks`)).map((r) => r.name)).toEqual(['pull:cron-a:101'])
    // With a live pull on the server, a newcomer drops only the dead holder's row and leaves open runs alone.
    const live = await ra.start(now + 1)
    await pa.query(`INSERT INTO locks (name, pid, host, started_at) VALUES ('pull:cron-b:888888', 888888, 'cron-b', 1)`)
    await rb.acquirePullLock(b, now + 2, (h) => h.pid !== 888888)
    expect(await rb.last()).toMatchObject({ id: live, status: 'running' })
    expect((await pa.query<{ name: string }>(`SELECT name FROM locks ORDER BY name`)).map((r) => r.name)).toEqual(['pull:cron-a:101', 'pull:cron-b:202'])
    await ra.releasePullLock(a)
    await rb.releasePullLock(b)
  })

  it('refuses the pull lock while another process holds the database to itself', async () => {
    const url = await freshPgUrl()
    const pa = await pgAt(url)
    const s = await pa.session()
    try {
      await s.query(`SELECT pg_advisory_lock($1, $2)`, [0x6d6e7431, 2])
      await s.query(`INSERT INTO locks (name, pid, host, started_at) VALUES ('copy', 77, 'laptop', 1)`)
      await expect(runsRepo(pa).acquirePullLock(a, now, () => true)).rejects.toThrow(/in use by another mentions process \(copy, pid 77 on laptop/)
    } finally {
      await s.query('SELECT pg_advisory_unlock_all()')
      s.release()
    }
  })

  it('two pools triaging the same mentions at once keep every event, and the second sees the first', async () => {
    const url = await freshPgUrl()
    const p1 = await pgAt(url)
    const p2 = await pgAt(url)
    const ids = Array.from({ length: 20 }, (_, i) => i + 1)
    for (const id of ids) {
      await p1.query(
        `INSERT INTO mentions (id, source, external_id, url, brands, terms, text, created_at, fetched_at, updated_at, sentiment_score, sentiment_label, intent, scorer_version)
         VALUES ($1, 'hackernews', $2, 'https://e/x', '["Acme"]', '["acme"]', 'acme is broken', 1, 1, 1, -0.5, 'negative', 'complaint', 'v1')`,
        [id, `x${id}`],
      )
    }
    const t1 = triageRepo(p1)
    const t2 = triageRepo(p2)
    const rounds = 10
    const work: Promise<unknown>[] = []
    for (let r = 0; r < rounds; r++) {
      work.push(t1.apply(ids, { kind: 'note', text: `alice ${r}` }, 'alice', now + r))
      work.push(t2.apply([...ids].reverse(), { kind: 'note', text: `bob ${r}` }, 'bob', now + r))
    }
    await Promise.all(work)
    const [count] = await p1.query<{ n: number }>(`SELECT count(*)::int AS n FROM events`)
    expect(count?.n).toBe(rounds * 2 * ids.length)

    // Both say done at once: one changes it, the other finds it already done and says by whom.
    const [r1, r2] = await Promise.all([t1.apply([5], { kind: 'state', state: 'done' }, 'alice', now + 100), t2.apply([5], { kind: 'state', state: 'done' }, 'bob', now + 100)])
    const first = r1![0]!.changed ? r1![0]! : r2![0]!
    const second = r1![0]!.changed ? r2![0]! : r1![0]!
    expect(first.changed).toBe(true)
    expect(second.changed).toBe(false)
    expect(second.lastChange).toMatchObject({ action: 'state', detail: { from: 'open', to: 'done' }, actor: r1![0]!.changed ? 'alice' : 'bob' })
    const states = await p1.query(`SELECT count(*)::int AS n FROM events WHERE action = 'state' AND mention_id = 5`)
    expect(states).toEqual([{ n: 1 }])
  })
})
