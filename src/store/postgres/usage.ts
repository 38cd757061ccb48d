// Budgets spent per source instance on PostgreSQL: one atomic upsert per spend, so two hosts
// spending one budget at once both count.
import type { UsageRepo } from '../types.js'
import type { Pg } from './open.js'

export function usageRepo(pg: Pg): UsageRepo {
  return {
    async get(source, instance, key) {
      const [r] = await pg.query<{ used: number }>(`SELECT used FROM usage WHERE source = $1 AND instance = $2 AND key = $3`, [source, instance, key])
      return r?.used ?? 0
    },
    async add(source, instance, key, n, now) {
      const [r] = await pg.query<{ used: number }>(
        `INSERT INTO usage (source, instance, key, used, updated_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (source, instance, key) DO UPDATE SET used = usage.used + excluded.used, updated_at = excluded.updated_at
         RETURNING used`,
        [source, instance, key, n, now],
      )
      return (r as { used: number }).used
    },
  }
}
