// Every pull is a run: when it started and ended, and per source what happened.
import { BusyError } from '../errors.js'
import type { Db } from './open.js'

export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'interrupted'

export interface SourceRunReport {
  source: string
  instance: string
  brand: string
  fetched: number
  new: number
  updated: number
  /** Items the upstream returned that did not really match a brand. */
  dropped: number
  error?: string
}

export interface LockHolder {
  pid: number
  host: string
}

export function runsRepo(db: Db) {
  const lockName = 'pull'
  return {
    /**
     * Takes the pull lock, or throws BusyError naming the holder. A lock left by a process that
     * is gone (crash, kill -9) is taken over, and the run it left open is marked interrupted.
     */
    acquirePullLock: db.transaction((me: LockHolder, now: number, isAlive: (h: LockHolder) => boolean) => {
      const held = db.prepare(`SELECT pid, host, started_at FROM locks WHERE name = ?`).get(lockName) as
        | (LockHolder & { started_at: number })
        | undefined
      if (held && isAlive(held)) {
        throw new BusyError(
          `another pull is running (pid ${held.pid} on ${held.host}, since ${new Date(held.started_at).toISOString()}); wait for it to finish`,
        )
      }
      db.prepare(`UPDATE runs SET status = 'interrupted', ended_at = ? WHERE status = 'running'`).run(now)
      db.prepare(`INSERT OR REPLACE INTO locks (name, pid, host, started_at) VALUES (?, ?, ?, ?)`).run(
        lockName, me.pid, me.host, now,
      )
    }),
    releasePullLock(me: LockHolder): void {
      db.prepare(`DELETE FROM locks WHERE name = ? AND pid = ? AND host = ?`).run(lockName, me.pid, me.host)
    },
    start(now: number): number {
      return Number(db.prepare(`INSERT INTO runs (started_at, status) VALUES (?, 'running')`).run(now).lastInsertRowid)
    },
    finish(id: number, status: RunStatus, report: readonly SourceRunReport[], now: number): void {
      db.prepare(`UPDATE runs SET status = ?, ended_at = ?, report = ? WHERE id = ?`).run(
        status, now, JSON.stringify(report), id,
      )
    },
    last(): { id: number; startedAt: number; endedAt: number | null; status: RunStatus; report: SourceRunReport[] } | undefined {
      const r = db.prepare(`SELECT * FROM runs ORDER BY id DESC LIMIT 1`).get() as
        | { id: number; started_at: number; ended_at: number | null; status: RunStatus; report: string }
        | undefined
      return r && { id: r.id, startedAt: r.started_at, endedAt: r.ended_at, status: r.status, report: JSON.parse(r.report) }
    },
  }
}

export type RunsRepo = ReturnType<typeof runsRepo>
