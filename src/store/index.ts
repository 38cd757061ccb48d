// The store: the only code that speaks SQL.
import { cursorsRepo } from './cursors.js'
import { mentionsRepo } from './mentions.js'
import { openDatabase, type Db } from './open.js'
import { runsRepo } from './runs.js'

export interface Store {
  readonly file: string
  readonly mentions: ReturnType<typeof mentionsRepo>
  readonly cursors: ReturnType<typeof cursorsRepo>
  readonly runs: ReturnType<typeof runsRepo>
  close(): void
}

export function openStore(file: string): Store {
  const db: Db = openDatabase(file)
  return {
    file,
    mentions: mentionsRepo(db),
    cursors: cursorsRepo(db),
    runs: runsRepo(db),
    close: () => db.close(),
  }
}

export type { MentionRecord, QueueFilter, UpsertOutcome } from './mentions.js'
export type { CursorKey, CursorStatus } from './cursors.js'
export type { SourceRunReport, RunStatus, LockHolder } from './runs.js'
