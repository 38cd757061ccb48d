// The store: the only code that speaks SQL. app/ sees the Store interface (types.ts) and never
// which engine stands behind it: SQLite (a file, the default) or PostgreSQL (a URL, for a team).
import { openPostgresStore } from './postgres/index.js'
import { isPostgresUrl } from './postgres/url.js'
import { openSqliteStore } from './sqlite/index.js'
import type { Store } from './types.js'

export interface OpenStoreOptions {
  /** Read commands: the database must exist and is never written. */
  readOnly?: boolean
  busyTimeoutMs?: number
}

export function openStore(location: string, opts: OpenStoreOptions = {}): Store {
  return isPostgresUrl(location) ? openPostgresStore(location, opts) : openSqliteStore(location, opts)
}

export type * from './types.js'
