// `mentions queue` and `mentions export`: reads over the store, returning data.
import type { Mention, QueueName } from '../model.js'
import type { Deps } from './deps.js'

export interface QueueQuery {
  queue: QueueName
  brand?: string
  source?: string
  /** Only mentions newer than this many ms. */
  withinMs?: number
  limit?: number
}

export function listQueue(deps: Deps, q: QueueQuery): Mention[] {
  const now = deps.now()
  return deps.store().mentions.queue({
    queue: q.queue,
    now,
    ...(q.brand ? { brand: q.brand } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(q.withinMs !== undefined ? { since: now - q.withinMs } : {}),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
  })
}

export interface ExportQuery {
  brand?: string
  source?: string
  withinMs?: number
}

/** Every stored mention, newest first, streamed so a large store never sits in memory. */
export function exportMentions(deps: Deps, q: ExportQuery = {}): Iterable<Mention> {
  const now = deps.now()
  return deps.store().mentions.iterate({
    ...(q.brand ? { brand: q.brand } : {}),
    ...(q.source ? { source: q.source } : {}),
    ...(q.withinMs !== undefined ? { since: now - q.withinMs } : {}),
  })
}

export function getMention(deps: Deps, id: number): Mention | undefined {
  return deps.store().mentions.get(id)
}
