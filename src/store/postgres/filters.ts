// What every PostgreSQL mentions read shares: the row a view query returns, the Mention built
// from it, and the ListFilter conditions with numbered parameters. Mirrors the SQLite
// engine's fromRow and commonFilters (src/store/sqlite/mentions.ts) condition for condition.
import type { Intent, Mention, SentimentLabel, TriageState } from '../../model.js'
import { prioritySql, priorityScore } from '../../rules/priority.js'
import type { ListFilter } from '../types.js'
import { shownTriage } from '../triage-state.js'

export type PgMentionRow = {
  id: number
  source: string
  source_name: string | null
  external_id: string
  url: string
  canonical_url: string | null
  brands: string[]
  terms: string[]
  author_handle: string | null
  author_name: string | null
  author_reach: number | null
  title: string | null
  text: string
  lang: string | null
  created_at: number
  fetched_at: number
  updated_at: number
  parent_external_id: string | null
  thread_external_id: string | null
  likes: number | null
  reposts: number | null
  replies: number | null
  score: number | null
  rating: number | null
  is_own: boolean
  competitor: boolean
  sentiment_score: number
  sentiment_label: SentimentLabel
  intent: Intent
  sentiment_source: 'scorer' | 'human'
  intent_source: 'scorer' | 'human'
  scorer_version: string
  boost: number
  state: TriageState | null
  assignee: string | null
  snoozed_until: number | null
  tags: string[]
  answered: boolean | null
}

export const HAS_REPLY = 'EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id)'
// answered: true a reply is stored, false none is, NULL none could have been seen.
const ANSWERED = `CASE WHEN ${HAS_REPLY} THEN true WHEN m.answerable THEN false END`
// Tags in SQLite's order: its mention_tags is WITHOUT ROWID, read through (mention_id, tag),
// so by tag in byte order, which is what COLLATE "C" compares.
export const COLUMNS = `m.id, m.source, m.source_name, m.external_id, m.url, m.canonical_url, m.brands, m.terms, m.author_handle,
  m.author_name, m.author_reach, m.title, m.text, m.lang, m.created_at, m.fetched_at, m.updated_at, m.parent_external_id,
  m.thread_external_id, m.likes, m.reposts, m.replies, m.score, m.rating, m.is_own, m.competitor, m.sentiment_score,
  m.sentiment_label, m.intent, m.sentiment_source, m.intent_source, m.scorer_version, m.boost,
  t.state AS state, t.assignee AS assignee, t.snoozed_until AS snoozed_until,
  coalesce((SELECT json_agg(g.tag ORDER BY g.tag COLLATE "C") FROM mention_tags g WHERE g.mention_id = m.id), '[]'::json) AS tags,
  ${ANSWERED} AS answered`
export const FROM_VIEW = 'FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id'
export const SELECT_VIEW = `SELECT ${COLUMNS} ${FROM_VIEW}`

/** The same Mention the SQLite engine builds from the same row. */
export function fromPgRow(r: PgMentionRow, now?: number): Mention {
  const triage = shownTriage(r.state, r.snoozed_until, now)
  const m: Mention = {
    id: r.id,
    source: r.source,
    sourceName: r.source_name,
    externalId: r.external_id,
    url: r.url,
    canonicalUrl: r.canonical_url,
    brands: r.brands,
    terms: r.terms,
    authorHandle: r.author_handle,
    authorName: r.author_name,
    authorReach: r.author_reach,
    title: r.title,
    text: r.text,
    lang: r.lang,
    createdAt: r.created_at,
    fetchedAt: r.fetched_at,
    updatedAt: r.updated_at,
    parentExternalId: r.parent_external_id,
    threadExternalId: r.thread_external_id,
    likes: r.likes,
    reposts: r.reposts,
    replies: r.replies,
    score: r.score,
    rating: r.rating,
    isOwn: r.is_own,
    competitor: r.competitor,
    sentimentLabel: r.sentiment_label,
    sentimentScore: r.sentiment_score,
    intent: r.intent,
    sentimentOverridden: r.sentiment_source === 'human',
    intentOverridden: r.intent_source === 'human',
    priority: 0,
    boost: r.boost,
    scorerVersion: r.scorer_version,
    state: triage.state,
    snoozedUntil: triage.snoozedUntil,
    assignee: r.assignee,
    tags: r.tags,
    answered: r.answered,
  }
  // Judged at the time the list was asked for: the same formula the SQL sorts by.
  m.priority = priorityScore(m, now ?? m.createdAt)
  return m
}

/** Positional parameters ($1, $2 …) collected while a statement is written. */
export class Params {
  readonly values: unknown[] = []
  private nowRef: string | undefined
  constructor(private readonly nowValue: number = 0) {}
  add(value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
  list(values: readonly unknown[]): string {
    return values.map((v) => this.add(v)).join(', ')
  }
  /** The time snoozes and age are judged at, bound the first time a condition needs it. */
  now(): string {
    // float8, so the age term is computed in doubles as SQLite computes it: the same order.
    return (this.nowRef ??= `${this.add(this.nowValue)}::float8`)
  }
}

// A snooze that has run out is open again: no job has to wake it. Written as "no triage row
// says otherwise" rather than SQLite's test of t.state: the planner misjudges IS NULL on the
// outer-joined side as rare, and then reads the whole table instead of a queue's index.
export const openSql = (p: Params) =>
  `NOT EXISTS (SELECT 1 FROM triage x WHERE x.mention_id = m.id AND x.state <> 'open' AND NOT (x.state = 'snoozed' AND coalesce(x.snoozed_until <= ${p.now()}, false)))`
const STATE_SQL: Record<TriageState, (p: Params) => string> = {
  open: openSql,
  snoozed: (p) => `(t.state = 'snoozed' AND t.snoozed_until > ${p.now()})`,
  done: () => `t.state = 'done'`,
  ignored: () => `t.state = 'ignored'`,
}
const ANSWERED_SQL = { yes: HAS_REPLY, no: `(NOT ${HAS_REPLY} AND m.answerable)`, unknown: `(NOT ${HAS_REPLY} AND NOT m.answerable)` } as const

/** The whole priority at the filter's time, as the queues sort by it. */
export const prioritySqlAt = (p: Params) => prioritySql({ answered: HAS_REPLY, now: p.now(), dialect: 'postgres' })

/**
 * The ListFilter as conditions over `m` (mentions) and `t` (triage). Brands, assignees and
 * tags compare lower() to lower(): SQLite's NOCASE folds ASCII only, and so does lower() in
 * the C locale the indexes on lower(…) are built in.
 */
export function listConditions(f: ListFilter, p: Params): string[] {
  const where: string[] = []
  const lowered = (values: readonly string[]) => values.map((v) => `lower(${p.add(v)})`).join(', ')
  if (f.sources?.length) where.push(`m.source IN (${p.list(f.sources)})`)
  if (f.since !== undefined) where.push(`m.created_at >= ${p.add(f.since)}`)
  if (f.until !== undefined) where.push(`m.created_at <= ${p.add(f.until)}`)
  if (f.newSince !== undefined) where.push(`m.fetched_at >= ${p.add(f.newSince)}`)
  if (f.brands?.length) where.push(`EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND lower(b.brand) IN (${lowered(f.brands)}))`)
  if (f.states?.length) where.push(`(${f.states.map((st) => STATE_SQL[st](p)).join(' OR ')})`)
  if (f.assignees?.length) where.push(`lower(coalesce(t.assignee, '')) IN (${lowered(f.assignees)})`)
  if (f.intents?.length) where.push(`m.intent IN (${p.list(f.intents)})`)
  if (f.sentiments?.length) where.push(`m.sentiment_label IN (${p.list(f.sentiments)})`)
  if (f.olderThan !== undefined) where.push(`m.created_at <= ${p.add(f.olderThan)}`)
  if (f.minReach !== undefined) where.push(`coalesce(m.author_reach, 0) >= ${p.add(f.minReach)}`)
  if (f.answered?.length) where.push(`(${f.answered.map((a) => ANSWERED_SQL[a]).join(' OR ')})`)
  if (f.tags?.length) where.push(`EXISTS (SELECT 1 FROM mention_tags g WHERE g.mention_id = m.id AND lower(g.tag) IN (${lowered(f.tags)}))`)
  return where
}

export const whereOf = (conditions: readonly string[]) => (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '')
