// What `mentions alert` already sent (send-once memory), and the database's own health for
// `mentions doctor`: both small, both about the file rather than about mentions.
import { MIGRATIONS } from './migrations.js'
import type { DatabaseHealth, HealthRepo, SentKind, SentRepo } from '../types.js'
import { lazyPrepare, storeRunner, type Db } from './open.js'

/** SQLite's limit on bound parameters is 32766 nowadays; far below it keeps statements small. */
const CHUNK = 500

export function sentRepo(db: Db, file: string): SentRepo {
  const run = storeRunner(file)
  const insert = lazyPrepare<{ channel: string; kind: SentKind; key: string; now: number }>(
    db,
    `INSERT INTO sent (channel, kind, key, sent_at) VALUES (@channel, @kind, @key, @now) ON CONFLICT DO NOTHING`,
  )
  const recordAll = db.transaction((channel: string, kind: SentKind, keys: readonly string[], now: number) => {
    for (const key of keys) insert.run({ channel, kind, key, now })
  })
  return {
    wasSent: (channel, kind, keys) =>
      run(() => {
        const found = new Set<string>()
        for (let i = 0; i < keys.length; i += CHUNK) {
          const part = keys.slice(i, i + CHUNK)
          const rows = db
            .prepare<string[], { key: string }>(`SELECT key FROM sent WHERE channel = ? AND kind = ? AND key IN (${part.map(() => '?').join(', ')})`)
            .all(channel, kind, ...part)
          for (const r of rows) found.add(r.key)
        }
        return found
      }),
    record: (channel, kind, keys, now) => run(() => recordAll(channel, kind, keys, now)),
  }
}

export function healthRepo(db: Db, file: string): HealthRepo {
  const run = storeRunner(file)
  return {
    check: (opts = {}) =>
      run((): DatabaseHealth => {
        // quick_check skips the index-content comparison: O(N) instead of O(N log N).
        const rows = db.pragma(opts.quick ? 'quick_check' : 'integrity_check') as Record<string, string>[]
        const problems = rows.map((r) => String(Object.values(r)[0])).filter((m) => m !== 'ok')
        return {
          problems,
          schemaVersion: db.pragma('user_version', { simple: true }) as number,
          knownVersion: MIGRATIONS.length,
          journalMode: String(db.pragma('journal_mode', { simple: true })),
        }
      }),
  }
}
