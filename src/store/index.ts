// The store: the only code that speaks SQL. app/ sees the Store interface (types.ts) and never
// which engine stands behind it; SQLite (a file) is the one engine today.
import { openSqliteStore } from './sqlite/index.js'
import type { Store } from './types.js'

export interface OpenStoreOptions {
  /** Read commands: the database must exist and is never written. */
  readOnly?: boolean
  busyTimeoutMs?: number
}

export function openStore(location: string, opts: OpenStoreOptions = {}): Store {
  return openSqliteStore(location, opts)
}

export type * from './types.js'
