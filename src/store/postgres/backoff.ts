// Remembered back-off on PostgreSQL: a host's Retry-After that outlasts a pull, kept so no
// host's next cron run calls it again before the time it named.
import type { Backoff, BackoffRepo } from '../types.js'
import type { Pg } from './open.js'

interface Row {
  source: string
  instance: string
  host: string
  until: number
  reason: string
}

const toBackoff = (r: Row): Backoff => ({ source: r.source, instance: r.instance, host: r.host, until: r.until, reason: r.reason })

export function backoffRepo(pg: Pg): BackoffRepo {
  return {
    async get(source, instance, now) {
      const [r] = await pg.query<Row>(`SELECT source, instance, host, until, reason FROM backoff WHERE source = $1 AND instance = $2 AND until > $3`, [source, instance, now])
      return r && toBackoff(r)
    },
    async set(b, now) {
      await pg.query(
        `INSERT INTO backoff (source, instance, host, until, reason, recorded_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (source, instance) DO UPDATE SET
           host = excluded.host, reason = excluded.reason, recorded_at = excluded.recorded_at,
           until = CASE WHEN backoff.until > excluded.recorded_at AND backoff.until > excluded.until THEN backoff.until ELSE excluded.until END`,
        [b.source, b.instance, b.host, b.until, b.reason, now],
      )
    },
    async clear(source, instance) {
      await pg.query(`DELETE FROM backoff WHERE source = $1 AND instance = $2`, [source, instance])
    },
    async active(now) {
      // SQLite breaks ties of `until` by insertion order, which PostgreSQL does not keep; the
      // key is the nearest stable stand-in.
      const rows = await pg.query<Row>(`SELECT source, instance, host, until, reason FROM backoff WHERE until > $1 ORDER BY until, source COLLATE "C", instance COLLATE "C"`, [now])
      return rows.map(toBackoff)
    },
  }
}
