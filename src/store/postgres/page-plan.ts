// The outcome of one page of upserts, worked out in memory before anything is written, so the
// page is written in a few set-wise statements instead of a round trip per row. It replays,
// record by record, what the SQLite engine does statement by statement (src/store/sqlite/
// mentions.ts): a later record sees what an earlier one wrote (a row, a sighting, a URL key,
// an owner reply, a woken snooze), a row written twice is written once with its final values.
// Pure: the stored state comes in (read under the page's locks), the writes come out.
import type { Intent, SentimentLabel } from '../../model.js'
import type { MentionRecord, UpsertCounts, UpsertOutcome } from '../types.js'

/** A mentions row as this engine stores it (the columns an upsert reads or writes). */
export interface MentionRow {
  id: number
  source: string
  sourceName: string | null
  externalId: string
  url: string
  canonicalUrl: string | null
  urlKey: string | null
  brands: string[]
  terms: string[]
  authorHandle: string | null
  authorName: string | null
  authorReach: number | null
  title: string | null
  text: string
  lang: string | null
  createdAt: number
  fetchedAt: number
  updatedAt: number
  parentExternalId: string | null
  threadExternalId: string | null
  likes: number | null
  reposts: number | null
  replies: number | null
  score: number | null
  rating: number | null
  isOwn: boolean
  competitor: boolean
  answerable: boolean
  sentimentScore: number
  sentimentLabel: SentimentLabel
  intent: Intent
  sentimentSource: 'scorer' | 'human'
  intentSource: 'scorer' | 'human'
  boost: number
  scorerVersion: string
}

/** A snoozed mention a new post by its author in its thread may wake. */
export interface SnoozedRow {
  id: number
  source: string
  authorHandle: string
  externalId: string
  threadExternalId: string | null
  snoozedUntil: number
}

/** What was stored when the page began, for every key the page can reach. Mutated by the plan. */
export interface StoredState {
  rows: Map<number, MentionRow>
  /** Mentions holding a review owner's reply. */
  ownerReplied: Set<number>
  /** (source, external id) → the mention stored under it. */
  byKey: Map<string, number>
  /** (source, external id) → the mention it was merged into. */
  bySighting: Map<string, number>
  /** URL key → every mention stored under it. */
  byUrl: Map<string, number[]>
  /** In the order SQLite walks them: snoozed_until, then id. */
  snoozed: SnoozedRow[]
}

/** Hands out the ids of new rows: an explicit one when it is free, else the next. */
export interface IdSource {
  next(explicit: number | null): number
}

/** One record of the page, with its storable strings and what the plan keys it by. */
export interface PlannedRecord {
  record: MentionRecord
  /** The brands as the caller named them: the counts are keyed by these. */
  countedBrands: readonly string[]
  urlKey: string | null
}

export interface SightingWrite {
  source: string
  externalId: string
  mentionId: number
  url: string
  seenAt: number
}
export interface ReplyWrite {
  mentionId: number
  source: string
  externalId: string
  at: number
  handle: string
  kind: 'reply' | 'owner'
}
export interface EventWrite {
  mentionId: number
  at: number
  actor: string
  action: string
  detail: Record<string, unknown>
}

export interface PagePlan {
  counts: UpsertCounts
  /** New rows with their final values, in the order they were first stored. */
  inserts: MentionRow[]
  /** Rows stored before the page that it changed, with their final values. */
  updates: MentionRow[]
  sightings: SightingWrite[]
  brands: { brand: string; mentionId: number }[]
  /** Replies known while the page is read; each key once, the first kept (INSERT OR IGNORE). */
  replies: ReplyWrite[]
  /** (mention id, source, external id) written: their stored own-post children are replies. */
  childKeys: { mentionId: number; source: string; externalId: string }[]
  tags: { tag: string; mentionId: number }[]
  assignments: { mentionId: number; assignee: string; at: number }[]
  wakes: { mentionId: number; at: number }[]
  /** In the order they happened: ids follow it. */
  events: EventWrite[]
}

export const keyOf = (source: string, externalId: string): string => `${source}\u0000${externalId}`

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])]

// SQLite's length() counts characters (code points), JavaScript's code units: the merge's
// choice of text is made in SQL, its "changed" test in TypeScript, and both are kept.
function characters(s: string): number {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0xd800 || c > 0xdbff) n++
  }
  return n
}

// COLLATE NOCASE folds ASCII letters only.
const nocase = (s: string): string => s.replace(/[A-Z]+/g, (c) => c.toLowerCase())

// SQLite's two-argument max() over coalesce(a, b), coalesce(b, a): null only when both are.
const larger = (a: number | null, b: number | null): number | null => (a === null ? b : b === null ? a : Math.max(a, b))

export function newRow(m: MentionRecord, id: number, urlKey: string | null): MentionRow {
  return {
    id,
    source: m.source,
    sourceName: m.sourceName ?? null,
    externalId: m.externalId,
    url: m.url,
    canonicalUrl: m.canonicalUrl ?? null,
    urlKey,
    brands: [...m.brands],
    terms: [...m.terms],
    authorHandle: m.author?.handle ?? null,
    authorName: m.author?.name ?? null,
    authorReach: m.author?.reach ?? null,
    title: m.title ?? null,
    text: m.text,
    lang: m.lang ?? null,
    createdAt: m.createdAt,
    fetchedAt: m.fetchedAt,
    updatedAt: m.fetchedAt,
    parentExternalId: m.parentExternalId ?? null,
    threadExternalId: m.threadExternalId ?? null,
    likes: m.metrics?.likes ?? null,
    reposts: m.metrics?.reposts ?? null,
    replies: m.metrics?.replies ?? null,
    score: m.metrics?.score ?? null,
    rating: m.rating ?? null,
    isOwn: m.isOwn,
    competitor: m.competitor,
    answerable: m.answerable,
    sentimentScore: m.sentimentScore,
    sentimentLabel: m.sentimentLabel,
    intent: m.intent,
    sentimentSource: 'scorer',
    intentSource: 'scorer',
    boost: m.routing?.boost ?? 0,
    scorerVersion: m.scorerVersion,
  }
}

/** An explicit id worth trying: SQLite's engine ignores anything but a positive safe integer. */
export const explicitId = (m: MentionRecord): number | null => (m.id !== undefined && Number.isSafeInteger(m.id) && m.id > 0 ? m.id : null)

export function planPage(records: readonly PlannedRecord[], state: StoredState, ids: IdSource): PagePlan {
  const plan: PagePlan = {
    counts: { new: 0, updated: 0, unchanged: 0, byBrand: {} },
    inserts: [],
    updates: [],
    sightings: [],
    brands: [],
    replies: [],
    childKeys: [],
    tags: [],
    assignments: [],
    wakes: [],
    events: [],
  }
  const inserted = new Set<number>()
  const updated = new Set<number>()
  const replyKeys = new Set<string>()
  const brandKeys = new Set<string>()
  const tagKeys = new Set<string>()
  const woken = new Set<number>()

  const row = (id: number): MentionRow => {
    const r = state.rows.get(id)
    if (!r) throw new Error(`mention ${id} was looked up but not read`)
    return r
  }
  const touch = (id: number) => {
    if (!inserted.has(id)) updated.add(id)
  }
  const addBrands = (brands: readonly string[], mentionId: number) => {
    for (const brand of brands) {
      const k = keyOf(brand, String(mentionId))
      if (brandKeys.has(k)) continue
      brandKeys.add(k)
      plan.brands.push({ brand, mentionId })
    }
  }
  const addReply = (r: ReplyWrite) => {
    const k = `${r.mentionId}\u0000${keyOf(r.source, r.externalId)}`
    if (replyKeys.has(k)) return
    replyKeys.add(k)
    plan.replies.push(r)
  }

  function recordReplies(m: MentionRecord, id: number): void {
    if (m.ownerReply) {
      addReply({ mentionId: id, source: m.source, externalId: `owner:${m.externalId}`, at: m.ownerReply.at, handle: m.ownerReply.handle ?? 'owner', kind: 'owner' })
      state.ownerReplied.add(id)
    }
    if (m.isOwn && m.parentExternalId) {
      const k = keyOf(m.source, m.parentExternalId)
      const parents = new Set<number>()
      const own = state.byKey.get(k)
      if (own !== undefined) parents.add(own)
      const seen = state.bySighting.get(k)
      if (seen !== undefined) parents.add(seen)
      for (const p of parents) addReply({ mentionId: p, source: m.source, externalId: m.externalId, at: m.createdAt, handle: m.author?.handle ?? '', kind: 'reply' })
    }
    plan.childKeys.push({ mentionId: id, source: m.source, externalId: m.externalId })
  }

  function route(m: MentionRecord, id: number): void {
    const r = m.routing
    if (!r || r.hits.length === 0) return
    for (const tag of r.tags) {
      const k = keyOf(tag, String(id))
      if (tagKeys.has(k)) continue
      tagKeys.add(k)
      plan.tags.push({ tag, mentionId: id })
    }
    if (r.assignee !== undefined) plan.assignments.push({ mentionId: id, assignee: r.assignee, at: m.fetchedAt })
    for (const hit of r.hits) plan.events.push({ mentionId: id, at: m.fetchedAt, actor: 'rules', action: 'rule', detail: { ...hit } })
  }

  function wakeSnoozed(m: MentionRecord, id: number): void {
    const handle = m.author?.handle
    if (state.snoozed.length === 0 || m.isOwn || !handle || (!m.parentExternalId && !m.threadExternalId)) return
    const thread = [m.parentExternalId, m.threadExternalId].filter((x): x is string => typeof x === 'string')
    const who = nocase(handle)
    for (const s of state.snoozed) {
      if (woken.has(s.id) || s.snoozedUntil <= m.fetchedAt || s.source !== m.source || s.id === id || nocase(s.authorHandle) !== who) continue
      if (!thread.includes(s.externalId) && !(s.threadExternalId !== null && thread.includes(s.threadExternalId))) continue
      woken.add(s.id)
      plan.wakes.push({ mentionId: s.id, at: m.fetchedAt })
      plan.events.push({ mentionId: s.id, at: m.fetchedAt, actor: 'mentions', action: 'state', detail: { from: 'snoozed', to: 'open', reason: 'the author wrote again', mention: id } })
    }
  }

  function insert(p: PlannedRecord): UpsertOutcome {
    const m = p.record
    const id = ids.next(explicitId(m))
    const r = newRow(m, id, p.urlKey)
    state.rows.set(id, r)
    inserted.add(id)
    plan.inserts.push(r)
    state.byKey.set(keyOf(m.source, m.externalId), id)
    if (p.urlKey !== null) {
      const list = state.byUrl.get(p.urlKey)
      if (list) list.push(id)
      else state.byUrl.set(p.urlKey, [id])
    }
    addBrands(m.brands, id)
    recordReplies(m, id)
    route(m, id)
    wakeSnoozed(m, id)
    return 'new'
  }

  /** Another source's copy of a stored mention: recorded as a sighting, merged, never a second row. */
  function merge(m: MentionRecord, ex: MentionRow): UpsertOutcome {
    const k = keyOf(m.source, m.externalId)
    const seen = !state.bySighting.has(k)
    if (seen) {
      state.bySighting.set(k, ex.id)
      plan.sightings.push({ source: m.source, externalId: m.externalId, mentionId: ex.id, url: m.url, seenAt: m.fetchedAt })
    }
    const brands = union(ex.brands, m.brands)
    const terms = union(ex.terms, m.terms)
    const competitor = ex.competitor && m.competitor
    const likes = m.metrics?.likes ?? null
    const reposts = m.metrics?.reposts ?? null
    const replies = m.metrics?.replies ?? null
    const score = m.metrics?.score ?? null
    const more = (a: number | null, b: number | null) => b !== null && (a === null || b > a)
    const changed =
      seen || m.text.length > ex.text.length || brands.length !== ex.brands.length || terms.length !== ex.terms.length || competitor !== ex.competitor ||
      more(ex.likes, likes) || more(ex.reposts, reposts) || more(ex.replies, replies) || more(ex.score, score)
    if (!changed) return 'unchanged'
    touch(ex.id)
    const richer = characters(m.text) > characters(ex.text)
    ex.brands = brands
    ex.terms = terms
    ex.competitor = competitor
    ex.updatedAt = m.fetchedAt
    ex.likes = larger(ex.likes, likes)
    ex.reposts = larger(ex.reposts, reposts)
    ex.replies = larger(ex.replies, replies)
    ex.score = larger(ex.score, score)
    ex.answerable = ex.answerable || m.answerable
    if (richer) {
      ex.text = m.text
      ex.title = m.title ?? ex.title
      ex.sentimentScore = m.sentimentScore
      if (ex.sentimentSource !== 'human') ex.sentimentLabel = m.sentimentLabel
      if (ex.intentSource !== 'human') ex.intent = m.intent
    }
    addBrands(m.brands, ex.id)
    recordReplies(m, ex.id)
    return 'updated'
  }

  function update(m: MentionRecord, ex: MentionRow): UpsertOutcome {
    const brands = union(ex.brands, m.brands)
    const terms = union(ex.terms, m.terms)
    // Competitor-only stays so only while no sighting matched one of our own brands.
    const competitor = ex.competitor && m.competitor
    const title = m.title ?? null
    const likes = m.metrics?.likes ?? null
    const reposts = m.metrics?.reposts ?? null
    const replies = m.metrics?.replies ?? null
    const score = m.metrics?.score ?? null
    const rating = m.rating ?? null
    const same =
      ex.text === m.text && ex.title === title && ex.url === m.url &&
      ex.likes === likes && ex.reposts === reposts && ex.replies === replies && ex.score === score &&
      (rating === null || ex.rating === rating) &&
      (m.ownerReply === undefined || state.ownerReplied.has(ex.id)) &&
      ex.competitor === competitor && brands.length === ex.brands.length && terms.length === ex.terms.length
    if (same) return 'unchanged'
    touch(ex.id)
    ex.url = m.url
    ex.title = title
    ex.text = m.text
    ex.brands = brands
    ex.terms = terms
    ex.likes = likes
    ex.reposts = reposts
    ex.replies = replies
    ex.score = score
    ex.rating = rating ?? ex.rating
    ex.updatedAt = m.fetchedAt
    ex.competitor = competitor
    ex.lang = m.lang ?? ex.lang
    ex.answerable = ex.answerable || m.answerable
    // A human's label or intent always wins; the score follows the current text.
    ex.sentimentScore = m.sentimentScore
    if (ex.sentimentSource !== 'human') ex.sentimentLabel = m.sentimentLabel
    if (ex.intentSource !== 'human') ex.intent = m.intent
    ex.scorerVersion = m.scorerVersion
    addBrands(m.brands, ex.id)
    // The owner may answer a review after it was first stored.
    if (m.ownerReply) recordReplies(m, ex.id)
    return 'updated'
  }

  function upsertOne(p: PlannedRecord): UpsertOutcome {
    const m = p.record
    const k = keyOf(m.source, m.externalId)
    const own = state.byKey.get(k)
    if (own !== undefined) return update(m, row(own))
    const other = state.bySighting.get(k) ?? (p.urlKey !== null ? firstByUrl(p.urlKey, m.source) : undefined)
    return other !== undefined ? merge(m, row(other)) : insert(p)
  }

  // The same post from another source: the lowest id under the same URL key.
  function firstByUrl(key: string, source: string): number | undefined {
    let best: number | undefined
    for (const id of state.byUrl.get(key) ?? []) if (row(id).source !== source && (best === undefined || id < best)) best = id
    return best
  }

  for (const p of records) {
    const outcome = upsertOne(p)
    plan.counts[outcome]++
    if (outcome === 'unchanged') continue
    for (const b of p.countedBrands) {
      const c = (plan.counts.byBrand[b] ??= { new: 0, updated: 0 })
      c[outcome]++
    }
  }
  plan.updates = [...updated].map(row)
  return plan
}
