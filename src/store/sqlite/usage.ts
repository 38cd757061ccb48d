// Budgets spent per source instance (paid reads, daily search calls), keyed by the adapter.
import type { UsageRepo } from '../types.js'
import { lazyPrepare, storeRunner, type Db } from './open.js'

export function usageRepo(db: Db, file: string): UsageRepo {
  const run = storeRunner(file)
  const get = lazyPrepare<[string, string, string], { used: number }>(db, `SELECT used FROM usage WHERE source = ? AND instance = ? AND key = ?`)
  const add = lazyPrepare<{ source: string; instance: string; key: string; n: number; now: number }, { used: number }>(db, `
    INSERT INTO usage (source, instance, key, used, updated_at) VALUES (@source, @instance, @key, @n, @now)
    ON CONFLICT (source, instance, key) DO UPDATE SET used = used + excluded.used, updated_at = excluded.updated_at
    RETURNING used`)
  return {
    get: (source, instance, key) => run(() => get.get(source, instance, key)?.used ?? 0),
    add: (source, instance, key, n, now) => run(() => (add.get({ source, instance, key, n, now }) as { used: number }).used),
  }
}
