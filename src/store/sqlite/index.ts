// The SQLite engine: one file, opened through better-sqlite3.
import type { Store } from '../types.js'
import { backoffRepo } from './backoff.js'
import { cursorsRepo } from './cursors.js'
import { digestsRepo } from './digests.js'
import { mentionsRepo } from './mentions.js'
import { openDatabase, type OpenOptions } from './open.js'
import { runsRepo } from './runs.js'
import { seriesRepo } from './series.js'
import { healthRepo, sentRepo } from './sent.js'
import { triageRepo } from './triage.js'
import { statsRepo } from './stats.js'
import { usageRepo } from './usage.js'

export function openSqliteStore(file: string, opts: OpenOptions = {}): Store {
  const { db, close } = openDatabase(file, opts)
  return {
    location: file,
    readOnly: opts.readOnly ?? false,
    mentions: mentionsRepo(db, file),
    cursors: cursorsRepo(db, file),
    runs: runsRepo(db, file),
    usage: usageRepo(db, file),
    backoff: backoffRepo(db, file),
    triage: triageRepo(db, file),
    stats: statsRepo(db, file),
    series: seriesRepo(db, file),
    sent: sentRepo(db, file),
    health: healthRepo(db, file),
    digests: digestsRepo(db, file),
    close: async () => close(),
  }
}
