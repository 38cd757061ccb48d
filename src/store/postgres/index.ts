// The PostgreSQL engine: a pool of connections to one database that several people and
// several cron hosts share. Same repositories, same results as the SQLite engine; the
// differences (search ranking, text without NUL) are in the README's "Share with a team".
import type { Store } from '../types.js'
import { backoffRepo } from './backoff.js'
import { cursorsRepo } from './cursors.js'
import { digestsRepo } from './digests.js'
import { mentionsRead } from './mentions-read.js'
import { mentionsWrite } from './mentions-write.js'
import { openPg, type PgOptions } from './open.js'
import { runsRepo } from './runs.js'
import { healthRepo, sentRepo } from './sent.js'
import { seriesRepo } from './series.js'
import { statsRepo } from './stats.js'
import { triageRepo } from './triage.js'
import { usageRepo } from './usage.js'

export function openPostgresStore(url: string, opts: PgOptions = {}): Store {
  const pg = openPg(url, opts)
  const runs = runsRepo(pg)
  return {
    location: pg.location,
    readOnly: pg.readOnly,
    mentions: { ...mentionsRead(pg), ...mentionsWrite(pg) },
    cursors: cursorsRepo(pg),
    runs,
    usage: usageRepo(pg),
    backoff: backoffRepo(pg),
    triage: triageRepo(pg),
    stats: statsRepo(pg),
    series: seriesRepo(pg),
    sent: sentRepo(pg),
    health: healthRepo(pg),
    digests: digestsRepo(pg),
    close: async () => {
      await runs.dispose()
      await pg.pool.end()
    },
  }
}
