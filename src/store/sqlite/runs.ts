// Every pull is a run: when it started and ended, and per source what happened. The pull lock
// lives here too: one row, taken in a write transaction so two pulls never both hold it.
import { BusyError } from '../../errors.js'
import type { LockHolder, RunRecord, RunStatus, RunsRepo, SourceHealth } from '../types.js'
import { storeRunner, type Db } from './open.js'

export function runsRepo(db: Db, file: string): RunsRepo {
  const run = storeRunner(file)
  const lockName = 'pull'
  // IMMEDIATE: the read of the lock row and the write that takes it are one step. A deferred
  // transaction upgrading from read to write fails at once with SQLITE_BUSY when another
  // process wrote in between, which surfaced as "database is locked" instead of the holder.
  const acquire = db.transaction((me: LockHolder, now: number, isAlive: (h: LockHolder) => boolean) => {
    const held = db.prepare(`SELECT pid, host, started_at FROM locks WHERE name = ?`).get(lockName) as
      | (LockHolder & { started_at: number })
      | undefined
    if (held && isAlive(held)) {
      throw new BusyError(
        `another pull is running (pid ${held.pid} on ${held.host}, since ${new Date(held.started_at).toISOString()}); wait for it to finish`,
      )
    }
    db.prepare(`UPDATE runs SET status = 'interrupted', ended_at = ? WHERE status = 'running'`).run(now)
    db.prepare(`INSERT OR REPLACE INTO locks (name, pid, host, started_at) VALUES (?, ?, ?, ?)`).run(lockName, me.pid, me.host, now)
  })
  // Read-modify-write in one transaction: two walks of one key never run at once, but a
  // second process (import, another pull after a crash) might write between.
  const health = db.transaction((k: { source: string; instance: string; brand: string }, fetched: number, now: number): number => {
    const row = db.prepare(`SELECT empty_streak, had_items FROM source_health WHERE source = ? AND instance = ? AND brand = ?`).get(k.source, k.instance, k.brand) as
      | { empty_streak: number; had_items: number }
      | undefined
    const hadItems = fetched > 0 || (row?.had_items ?? 0) === 1
    const streak = fetched > 0 || !hadItems ? 0 : (row?.empty_streak ?? 0) + 1
    db.prepare(`
      INSERT INTO source_health (source, instance, brand, empty_streak, had_items, updated_at) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (source, instance, brand) DO UPDATE SET empty_streak = excluded.empty_streak, had_items = excluded.had_items, updated_at = excluded.updated_at`).run(k.source, k.instance, k.brand, streak, hadItems ? 1 : 0, now)
    return streak
  })
  return {
    recordHealth: (k, fetched, now) => run(() => health.immediate(k, fetched, now)),
    health: () =>
      run((): SourceHealth[] =>
        (db.prepare(`SELECT source, instance, brand, empty_streak, had_items, updated_at FROM source_health ORDER BY source, instance, brand`).all() as {
          source: string; instance: string; brand: string; empty_streak: number; had_items: number; updated_at: number
        }[]).map((r) => ({ source: r.source, instance: r.instance, brand: r.brand, emptyStreak: r.empty_streak, hadItems: r.had_items === 1, updatedAt: r.updated_at })),
      ),
    acquirePullLock: (me, now, isAlive) => run(() => acquire.immediate(me, now, isAlive)),
    // The pull lock here is exclusive: no other pull can be walking anything.
    claimWalk: async () => null,
    releaseWalk: async () => undefined,
    releasePullLock: (me) =>
      run(() => void db.prepare(`DELETE FROM locks WHERE name = ? AND pid = ? AND host = ?`).run(lockName, me.pid, me.host)),
    start: (now) => run(() => Number(db.prepare(`INSERT INTO runs (started_at, status) VALUES (?, 'running')`).run(now).lastInsertRowid)),
    finish: (id, status, report, now) =>
      run(() => void db.prepare(`UPDATE runs SET status = ?, ended_at = ?, report = ? WHERE id = ?`).run(status, now, JSON.stringify(report), id)),
    last: () =>
      run((): RunRecord | undefined => {
        const r = db.prepare(`SELECT * FROM runs ORDER BY id DESC LIMIT 1`).get() as
          | { id: number; started_at: number; ended_at: number | null; status: RunStatus; report: string }
          | undefined
        return r && { id: r.id, startedAt: r.started_at, endedAt: r.ended_at, status: r.status, report: JSON.parse(r.report) }
      }),
  }
}
