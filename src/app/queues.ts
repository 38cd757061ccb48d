// `mentions queue` and `mentions export`: reads over the store, returning data.
import { UsageError } from '../errors.js'
import type { Mention, QueueName } from '../model.js'
import type { ListFilter, MentionEvent } from '../store/index.js'
import type { Deps } from './deps.js'

/** Filters a list command takes; times are epoch ms, already resolved from the flags. */
export interface ListQuery {
  brands?: readonly string[]
  sources?: readonly string[]
  /** Created at or after. */
  since?: number
  /** Created at or before. */
  until?: number
  /** First seen by us at or after: "what came in since yesterday", however old the post. */
  newSince?: number
}

export interface QueueQuery extends ListQuery {
  queue: QueueName
  limit?: number
}

/**
 * An unknown source kind or brand is a usage error, not an empty list: a typo must not look
 * like "nothing to do". Brands are checked against the config when there is one.
 */
export function checkListQuery(deps: Deps, q: ListQuery): void {
  const kinds = deps.sources.map((s) => s.kind)
  for (const s of q.sources ?? []) {
    if (!kinds.includes(s)) throw new UsageError(`unknown source kind "${s}" (known: ${kinds.join(', ')})`)
  }
  const config = deps.maybeConfig()
  if (config && q.brands?.length) {
    const names = config.brands.map((b) => b.name.toLowerCase())
    for (const b of q.brands) {
      if (!names.includes(b.toLowerCase())) {
        throw new UsageError(`unknown brand "${b}" (configured: ${config.brands.map((x) => x.name).join(', ')})`)
      }
    }
  }
}

function toFilter(q: ListQuery): ListFilter {
  return {
    ...(q.brands?.length ? { brands: q.brands } : {}),
    ...(q.sources?.length ? { sources: q.sources } : {}),
    ...(q.since !== undefined ? { since: q.since } : {}),
    ...(q.until !== undefined ? { until: q.until } : {}),
    ...(q.newSince !== undefined ? { newSince: q.newSince } : {}),
  }
}

export async function listQueue(deps: Deps, q: QueueQuery): Promise<Mention[]> {
  checkListQuery(deps, q)
  return deps.readStore().mentions.queue({
    ...toFilter(q),
    queue: q.queue,
    now: deps.now(),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
  })
}

/** Every stored mention, newest first, in chunks so a large store never sits in memory. */
export function exportMentions(deps: Deps, q: ListQuery = {}): AsyncIterable<Mention[]> {
  checkListQuery(deps, q)
  return deps.readStore().mentions.iterate(toFilter(q))
}

export interface MentionDetail {
  mention: Mention
  events: MentionEvent[]
  /** Who pinned the label, from the newest label event. */
  labelledBy?: { actor: string; at: number }
}

export async function getMention(deps: Deps, id: number): Promise<MentionDetail | undefined> {
  const store = deps.readStore()
  const mention = await store.mentions.get(id)
  if (!mention) return undefined
  const events = await store.mentions.events(id)
  const label = [...events].reverse().find((e) => e.action === 'label')
  return { mention, events, ...(label ? { labelledBy: { actor: label.actor, at: label.at } } : {}) }
}
