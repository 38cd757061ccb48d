// `mentions queue` and `mentions export`: reads over the store, returning data.
import { UsageError } from '../errors.js'
import type { Mention, MentionView, QueueName, QueueSort } from '../model.js'
import { priorityOf, type Priority } from '../rules/priority.js'
import type { BrandReply, ListFilter, MentionEvent, QueuePage, Sighting } from '../store/index.js'
import type { Deps } from './deps.js'

/**
 * Filters a list command takes; times are epoch ms, already resolved from the flags. The
 * store's own filter, less the clock: the use case supplies `now`.
 */
export type ListQuery = Omit<ListFilter, 'now'>

export interface QueueQuery extends ListQuery {
  queue: QueueName
  limit?: number
  sort?: QueueSort
  /** Count the rows the limit left out (a second pass over the queue). */
  countMore?: boolean
  /** Stop counting after this many (the page then says moreCapped). */
  moreCap?: number
}

export interface SearchQuery extends ListQuery {
  query: string
  limit?: number
  sort?: 'relevance' | 'newest' | 'oldest'
  countMore?: boolean
  moreCap?: number
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

/** The filter fields of a query (a QueueQuery also carries its queue, limit and sort). */
function toFilter(q: ListQuery): ListFilter {
  const { brands, sources, since, until, newSince, assignees, states, intents, sentiments, olderThan, minReach, answered, tags } = q
  // The store reads an absent filter and an undefined one alike.
  return { brands, sources, since, until, newSince, assignees, states, intents, sentiments, olderThan, minReach, answered, tags }
}

export async function listQueue(deps: Deps, q: QueueQuery): Promise<Mention[]> {
  return (await queuePage(deps, q)).mentions
}

/** The queue's rows and how many more the limit left out (so a table can say so). */
export async function queuePage(deps: Deps, q: QueueQuery): Promise<QueuePage> {
  checkListQuery(deps, q)
  return deps.readStore().mentions.queuePage({
    ...toFilter(q),
    queue: q.queue,
    now: deps.now(),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
    ...(q.sort !== undefined ? { sort: q.sort } : {}),
    ...(q.countMore ? { countMore: true } : {}),
    ...(q.moreCap !== undefined ? { moreCap: q.moreCap } : {}),
  })
}

/** Full-text search over every stored mention, with the queue filters. */
export async function searchMentions(deps: Deps, q: SearchQuery): Promise<QueuePage> {
  checkListQuery(deps, q)
  if (!q.query.trim()) throw new UsageError('give a search query, e.g. mentions search \'"lost luggage" OR refund\'')
  return deps.readStore().mentions.search({
    ...toFilter(q),
    query: q.query,
    now: deps.now(),
    ...(q.limit !== undefined ? { limit: q.limit } : {}),
    ...(q.sort !== undefined ? { sort: q.sort } : {}),
    ...(q.countMore ? { countMore: true } : {}),
    ...(q.moreCap !== undefined ? { moreCap: q.moreCap } : {}),
  })
}

/** Every stored mention, newest first, in chunks so a large store never sits in memory. */
export function exportMentions(deps: Deps, q: ListQuery = {}): AsyncIterable<Mention[]> {
  checkListQuery(deps, q)
  return deps.readStore().mentions.iterate({ ...toFilter(q), now: deps.now() })
}

/** exportMentions as the views the export formats write: the store builds them without a Mention. */
export function exportViews(deps: Deps, q: ListQuery = {}): AsyncIterable<MentionView[]> {
  checkListQuery(deps, q)
  return deps.readStore().mentions.iterateViews({ ...toFilter(q), now: deps.now() })
}

export interface MentionDetail {
  mention: Mention
  events: MentionEvent[]
  /** Who pinned the label, from the newest label event. */
  labelledBy?: { actor: string; at: number }
  /** Why its priority is what it is, now. */
  priority: Priority
  /** The thread context the store has: the item it answers and the replies to it. */
  thread: { parent: Mention | null; replies: Mention[] }
  /** The brand's replies recorded for it (own posts, owner responses, manual). */
  brandReplies: BrandReply[]
  sightings: Sighting[]
}

export async function getMention(deps: Deps, id: number): Promise<MentionDetail | undefined> {
  const store = deps.readStore()
  const now = deps.now()
  const mention = await store.mentions.get(id, now)
  if (!mention) return undefined
  const [events, thread, brandReplies, sightings] = await Promise.all([
    store.mentions.events(id),
    store.mentions.thread(id, now),
    store.mentions.brandReplies(id),
    store.mentions.sightings(id),
  ])
  const label = [...events].reverse().find((e) => e.action === 'label')
  return {
    mention,
    events,
    ...(label ? { labelledBy: { actor: label.actor, at: label.at } } : {}),
    priority: priorityOf(mention, now),
    thread,
    brandReplies,
    sightings,
  }
}
