// Remembered back-off: a host's Retry-After that outlasts a pull, kept so the next cron run
// does not call it again before the time it named.
import type { Backoff, BackoffRepo } from '../types.js'
import { storeRunner, type Db } from './open.js'

interface Row {
  source: string
  instance: string
  host: string
  until: number
  reason: string
}

export function backoffRepo(db: Db, file: string): BackoffRepo {
  const run = storeRunner(file)
  const toBackoff = (r: Row): Backoff => ({ source: r.source, instance: r.instance, host: r.host, until: r.until, reason: r.reason })
  return {
    get: (source, instance, now) =>
      run(() => {
        const r = db.prepare(`SELECT source, instance, host, until, reason FROM backoff WHERE source = ? AND instance = ? AND until > ?`).get(source, instance, now) as Row | undefined
        return r && toBackoff(r)
      }),
    set: (b, now) =>
      run(
        () =>
          void db
            .prepare(`
              INSERT INTO backoff (source, instance, host, until, reason, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
              ON CONFLICT (source, instance) DO UPDATE SET
                host = excluded.host, reason = excluded.reason, recorded_at = excluded.recorded_at,
                until = CASE WHEN backoff.until > excluded.recorded_at AND backoff.until > excluded.until THEN backoff.until ELSE excluded.until END`)
            .run(b.source, b.instance, b.host, b.until, b.reason, now),
      ),
    clear: (source, instance) => run(() => void db.prepare(`DELETE FROM backoff WHERE source = ? AND instance = ?`).run(source, instance)),
    active: (now) =>
      run(() => (db.prepare(`SELECT source, instance, host, until, reason FROM backoff WHERE until > ? ORDER BY until`).all(now) as Row[]).map(toBackoff)),
  }
}
