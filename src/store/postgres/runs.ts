// Pulls on PostgreSQL: runs, walk health, and the pull lock for several hosts. The pull lock
// is a SHARED session advisory lock, so pulls on several cron hosts run at once while anything
// that needs the database to itself can still take it exclusively; each pull records itself
// as a `pull:<host>:<pid>` row in `locks`. Each walk (source instance and brand) is claimed
// with an exclusive session advisory lock of its own and a holder row, so one host walks it
// and the others skip it and can say who has it. Session locks go with their connection: a
// host that dies frees its walks at once; only its holder rows stay, and they are overwritten.
import type pg from 'pg'
import { BusyError } from '../../errors.js'
import type { CursorKey, LockHolder, RunRecord, RunStatus, RunsRepo, SourceHealth, SourceRunReport } from '../types.js'
import { LOCK_NAMESPACE, type Pg } from './open.js'

/** The pull lock's key beside LOCK_NAMESPACE (1 is the migrations'). */
export const PULL_LOCK = 2
/** Walk locks live in a namespace of their own: (this, hashtext(walk name)). */
export const WALK_NAMESPACE = LOCK_NAMESPACE + 2

const pullName = (me: LockHolder) => `pull:${me.host}:${me.pid}`
/** JSON keeps the three parts apart whatever characters they hold. */
export const walkName = (k: CursorKey) => `walk:${JSON.stringify([k.source, k.instance, k.brand])}`

// A walk whose lock is taken but whose holder row is not written yet (the holder is between
// its two statements): look again briefly before answering without a name.
const HOLDER_TRIES = 40
const HOLDER_WAIT_MS = 25
const UNKNOWN_HOLDER: LockHolder = { host: 'another session (holder not recorded)', pid: 0 }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The runs repository, and what closing the store must do first: give back a held session. */
export function runsRepo(pg: Pg): RunsRepo & { dispose(): Promise<void> } {
  // The connection holding this pull's session locks, from acquirePullLock to releasePullLock.
  let session: pg.PoolClient | undefined

  const onSession = async <R extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<R[]> => {
    if (!session) throw new Error('a walk is claimed only while this process holds the pull lock')
    try {
      return (await session.query<R>(sql, params)).rows
    } catch (err) {
      throw pg.failure(err)
    }
  }

  const giveBack = async (s: pg.PoolClient) => {
    try {
      // Explicitly, before the connection goes back to the pool: a pooled connection keeps
      // its session locks, and closing it frees them only once the server notices.
      await s.query('SELECT pg_advisory_unlock_all()')
      s.release()
    } catch (err) {
      s.release(err instanceof Error ? err : true)
    }
  }

  return {
    async acquirePullLock(me, now, isAlive) {
      if (session) throw new BusyError(`another pull is running (pid ${me.pid} on ${me.host}); wait for it to finish`)
      const s = await pg.session()
      try {
        const [got] = (await s.query<{ ok: boolean }>('SELECT pg_try_advisory_lock_shared($1, $2) AS ok', [LOCK_NAMESPACE, PULL_LOCK])).rows
        if (!got?.ok) {
          const [other] = await pg.query<{ name: string; pid: number; host: string; started_at: number }>(
            `SELECT name, pid, host, started_at FROM locks WHERE name NOT LIKE 'pull:%' AND name NOT LIKE 'walk:%' ORDER BY started_at DESC LIMIT 1`,
          )
          throw new BusyError(
            other
              ? `the database is in use by another mentions process (${other.name}, pid ${other.pid} on ${other.host}, since ${new Date(other.started_at).toISOString()}); wait for it to finish`
              : 'the database is in use by another mentions process that needs it to itself; wait for it to finish',
          )
        }
        const [mine] = (await s.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows
        await pg.tx(async (c) => {
          // Who else pulls now is known from the server, not from rows a crashed host left:
          // with no other session holding the pull lock, every open run and holder row is stale.
          const [others] = await c.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks
             WHERE locktype = 'advisory' AND granted AND classid = $1::int::oid AND objid = $2::int::oid AND objsubid = 2
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) AND pid <> $3`,
            [LOCK_NAMESPACE, PULL_LOCK, mine?.pid ?? 0],
          )
          if ((others?.n ?? 0) === 0) {
            await c.query(`UPDATE runs SET status = 'interrupted', ended_at = $1 WHERE status = 'running'`, [now])
            await c.query(`DELETE FROM locks WHERE name LIKE 'pull:%'`)
          } else {
            const rows = await c.query<{ name: string; pid: number; host: string }>(`SELECT name, pid, host FROM locks WHERE name LIKE 'pull:%' FOR UPDATE`)
            const dead = rows.filter((r) => !isAlive({ pid: r.pid, host: r.host })).map((r) => r.name)
            if (dead.length) await c.query(`DELETE FROM locks WHERE name = ANY($1::text[])`, [dead])
          }
          await c.query(
            `INSERT INTO locks (name, pid, host, started_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, started_at = excluded.started_at`,
            [pullName(me), me.pid, me.host, now],
          )
        })
        session = s
      } catch (err) {
        await giveBack(s)
        throw pg.failure(err)
      }
    },

    // A store closed while it still holds the pull lock (a failed command, a test): its
    // session locks go with the connection, and the pool can only end once it is back.
    async dispose() {
      const s = session
      session = undefined
      if (s) await giveBack(s)
    },

    async releasePullLock(me) {
      const s = session
      session = undefined
      try {
        await pg.query(`DELETE FROM locks WHERE name = $1 OR (name LIKE 'walk:%' AND pid = $2 AND host = $3)`, [pullName(me), me.pid, me.host])
      } finally {
        if (s) await giveBack(s)
      }
    },

    async claimWalk(k, me, now) {
      const name = walkName(k)
      for (let i = 0; ; i++) {
        const [got] = await onSession<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [WALK_NAMESPACE, name])
        if (got?.ok) {
          await onSession(
            `INSERT INTO locks (name, pid, host, started_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, started_at = excluded.started_at`,
            [name, me.pid, me.host, now],
          )
          return null
        }
        const [holder] = await onSession<LockHolder>('SELECT pid, host FROM locks WHERE name = $1', [name])
        if (holder) return { pid: holder.pid, host: holder.host }
        if (i >= HOLDER_TRIES) return UNKNOWN_HOLDER
        await sleep(HOLDER_WAIT_MS)
      }
    },

    async releaseWalk(k) {
      const name = walkName(k)
      // The row first: whoever takes the lock next writes its own, never sees ours as its holder.
      await onSession('DELETE FROM locks WHERE name = $1', [name])
      await onSession('SELECT pg_advisory_unlock($1, hashtext($2))', [WALK_NAMESPACE, name])
    },

    async start(now) {
      const [r] = await pg.query<{ id: number }>(`INSERT INTO runs (started_at, status) VALUES ($1, 'running') RETURNING id`, [now])
      return (r as { id: number }).id
    },

    async finish(id, status, report, now) {
      await pg.query(`UPDATE runs SET status = $1, ended_at = $2, report = $3::jsonb WHERE id = $4`, [status, now, JSON.stringify(report), id])
    },

    async last() {
      const [r] = await pg.query<{ id: number; started_at: number; ended_at: number | null; status: RunStatus; report: SourceRunReport[] }>(
        `SELECT id, started_at, ended_at, status, report FROM runs ORDER BY id DESC LIMIT 1`,
      )
      return r && ({ id: r.id, startedAt: r.started_at, endedAt: r.ended_at, status: r.status, report: r.report } satisfies RunRecord)
    },

    async recordHealth(k, fetched, now) {
      // One statement reads and writes the row, so two hosts finishing one walk never lose a count.
      const [r] = await pg.query<{ empty_streak: number }>(
        `INSERT INTO source_health (source, instance, brand, empty_streak, had_items, updated_at) VALUES ($1, $2, $3, 0, $4 > 0, $5)
         ON CONFLICT (source, instance, brand) DO UPDATE SET
           empty_streak = CASE WHEN $4 > 0 OR NOT source_health.had_items THEN 0 ELSE source_health.empty_streak + 1 END,
           had_items = source_health.had_items OR $4 > 0,
           updated_at = excluded.updated_at
         RETURNING empty_streak`,
        [k.source, k.instance, k.brand, fetched, now],
      )
      return (r as { empty_streak: number }).empty_streak
    },

    async health() {
      const rows = await pg.query<{ source: string; instance: string; brand: string; empty_streak: number; had_items: boolean; updated_at: number }>(
        `SELECT source, instance, brand, empty_streak, had_items, updated_at FROM source_health ORDER BY source COLLATE "C", instance COLLATE "C", brand COLLATE "C"`,
      )
      return rows.map((r): SourceHealth => ({ source: r.source, instance: r.instance, brand: r.brand, emptyStreak: r.empty_streak, hadItems: r.had_items, updatedAt: r.updated_at }))
    },
  }
}
