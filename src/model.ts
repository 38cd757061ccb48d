// Shared domain types. Every layer speaks these; none of them knows SQL, HTTP or argv.

export type SentimentLabel = 'negative' | 'neutral' | 'positive'
export type Intent = 'complaint' | 'question' | 'praise' | 'other'
export type QueueName = 'negative' | 'unanswered' | 'praise' | 'assigned' | 'all'
export type TriageState = 'open' | 'done' | 'ignored' | 'snoozed'

export const SENTIMENT_LABELS: readonly SentimentLabel[] = ['negative', 'neutral', 'positive']
export const INTENTS: readonly Intent[] = ['complaint', 'question', 'praise', 'other']
export const QUEUE_NAMES: readonly QueueName[] = ['negative', 'unanswered', 'praise', 'assigned', 'all']
export const TRIAGE_STATES: readonly TriageState[] = ['open', 'done', 'ignored', 'snoozed']
export type QueueSort = 'priority' | 'newest' | 'oldest'
export const QUEUE_SORTS: readonly QueueSort[] = ['priority', 'newest', 'oldest']

/** A brand as configured: what to look for, what to ignore, and which accounts are its own. */
export interface Brand {
  name: string
  /** Bare words match whole words; a term wrapped in double quotes is a phrase. */
  terms: string[]
  /** A mention containing any of these (outside a term-bearing phrase) is dropped. */
  exclude: string[]
  /** When non-empty, at least one of these words or phrases must also appear. */
  require: string[]
  /** ISO 639-1 codes; when non-empty, a mention in another language is dropped. */
  languages: string[]
  /** Tracked for share of voice: stored and counted, never queued. */
  competitor: boolean
  /** Per source kind, the brand's own handles (used to detect replies and own posts). */
  handles: Record<string, string[]>
  /** How `mentions spikes` judges this brand; every key has a default (src/rules/spikes.ts). */
  spikes?: SpikeSettings
}

/**
 * A brand's spike settings as configured: durations as written ("1d", "14d"), counts as
 * numbers. Absent keys take the defaults in src/rules/spikes.ts, which also resolves them.
 */
export interface SpikeSettings {
  /** Width of one bucket of created_at. */
  bucket?: string
  /** How far back the trailing baseline reaches before the bucket judged. */
  baseline?: string
  /** Buckets since the brand's first stored mention before anything may fire. */
  minHistory?: number
  /** The score (a robust z, a binomial z, or the climb's sum) a bucket must reach. */
  sensitivity?: number
  /** No second firing of the same kind within this, unless it grew half as much again. */
  cooldown?: string
  /** Fewest mentions in a bucket for volume, negative share or a climb to fire. */
  minCount?: number
  /** How far (0–1) a bucket's negative share must exceed the baseline's. */
  shareMargin?: number
}

/**
 * Where a source resumes. Everything is optional because each upstream resumes differently:
 * a timestamp (HN), an id (X, Mastodon), validators for conditional GET (RSS).
 * `gap` is a window the source still owes: items older than what it stored last time but
 * newer than the previous cursor, left behind when a pull hit its page bound.
 */
export interface Cursor {
  /** Epoch ms of the newest item stored (inclusive resume point). */
  at?: number
  /**
   * Epoch ms: the start of the window this cursor has covered completely. Everything created
   * in [oldest, at] has been walked (less `gap`). A `--since` older than this is a backfill.
   */
  oldest?: number
  id?: string
  etag?: string
  lastModified?: string
  gap?: { from: number; to: number }
  /**
   * Per upstream query (Hacker News: one per search term), each with its own resume point,
   * so one query answering empty never moves another's cursor past items it has not seen.
   */
  parts?: Record<string, Cursor>
}

/** What an upstream says about its budget. Every field optional: each says what it can. */
export interface SourceState {
  /** Requests (or units, or reads) left in the current window or day. */
  remaining?: number
  limit?: number
  /** Epoch ms when the window resets. */
  resetAt?: number
  /** One short line for `mentions sources` ("search covers only opted-in posts"). */
  note?: string
}

/** What an adapter produces from one upstream item, before matching and scoring. */
export interface MentionDraft {
  externalId: string
  url: string
  canonicalUrl?: string
  title?: string
  /** Plain text: HTML removed, entities decoded. */
  text: string
  author?: { handle?: string; name?: string; reach?: number }
  /** Epoch ms, UTC. */
  createdAt: number
  lang?: string
  parentExternalId?: string
  threadExternalId?: string
  metrics?: { likes?: number; reposts?: number; replies?: number; score?: number }
  /** A review's star rating, 1–5 (review sites and app stores only). */
  rating?: number
  /**
   * The brand this is about because of where it was found, not what it says: a review of the
   * brand's place or app, a comment on its Page or channel. Stored under that brand even when
   * the text never names it ("cold coffee, rude staff"); the brand's terms still add matches.
   */
  about?: string
  /**
   * Written by the owner of the channel it was found on (the Page itself, the channel's owner,
   * the developer): the brand's own post, known without `handles` in the config. Only with `about`.
   */
  byOwner?: boolean
  /**
   * The owner's or developer's public response carried by a review (`replies: 'owner-response'`):
   * stored as the brand's reply, at its time.
   */
  ownerReply?: OwnerReply
}

/** A response the reviewed business wrote under a review. */
export interface OwnerReply {
  /** Epoch ms when it was written (or last edited, when that is all the upstream says). */
  at: number
  /** Who wrote it, when the upstream says; stored as the reply's handle ('owner' otherwise). */
  handle?: string
}

export interface Match {
  brands: string[]
  terms: string[]
}

export interface Sentiment {
  label: SentimentLabel
  /** Normalised to [-1, 1]. */
  score: number
  intent: Intent
}

/** A stored mention as the queues and exports see it. */
export interface Mention {
  id: number
  source: string
  externalId: string
  url: string
  canonicalUrl: string | null
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
  /** A review's star rating, 1–5; null for everything that is not a review. */
  rating: number | null
  isOwn: boolean
  /** Every brand it matched is a competitor: counted, never queued. */
  competitor: boolean
  /** The configured name of the source instance it came from (an rss feed's `name`). */
  sourceName: string | null
  sentimentLabel: SentimentLabel
  sentimentScore: number
  intent: Intent
  /** True when a human set the label (or intent) with `mentions label`; rescoring leaves it alone. */
  sentimentOverridden: boolean
  intentOverridden: boolean
  /**
   * How much it needs a person now (src/rules/priority.ts). The store returns it as of the
   * time the list was asked for; `priorityOf` explains it.
   */
  priority: number
  /** Priority points a routing rule added. */
  boost: number
  scorerVersion: string
  /** A snooze that has run out reads as open. */
  state: TriageState
  /** Epoch ms a snooze ends, while snoozed. */
  snoozedUntil: number | null
  assignee: string | null
  /** From routing rules (and, later, people). */
  tags: string[]
  /** A reply by the brand is stored (true), none is (false), or none could be seen (null). */
  answered: boolean | null
}

/**
 * The public JSON shape of a mention (`--json`, ndjson, CSV headers). Field names are a
 * tested contract: add fields, never rename or remove them.
 */
export interface MentionView {
  id: number
  source: string
  /** The configured name of the source instance (an rss feed's `name`), or null. */
  sourceName: string | null
  externalId: string
  url: string
  title: string | null
  text: string
  author: string | null
  authorName: string | null
  createdAt: string
  /** When mentions first saw it (ISO-8601). */
  fetchedAt: string
  /** ISO 639-1 code from the upstream or detected, or null when unknown. */
  lang: string | null
  /** Posted by one of the brand's own handles: never queued. */
  isOwn: boolean
  /** Every brand it matched is a competitor: stored for share of voice, never queued. */
  competitor: boolean
  brand: string
  brands: string[]
  terms: string[]
  sentiment: SentimentLabel
  sentimentScore: number
  intent: Intent
  state: TriageState
  assignee: string | null
  /** null: the source cannot show the brand's replies, so nobody knows. */
  answered: boolean | null
  priority: number
  likes: number | null
  reposts: number | null
  replies: number | null
  /** The upstream id of the item this one replies to (null for posts). */
  inReplyTo: string | null
  /** A review's star rating, 1–5; null when the item is not a review. */
  rating: number | null
  /** Tags routing rules gave it. */
  tags: string[]
  /** When a snooze ends (ISO-8601), while snoozed; else null. */
  snoozedUntil: string | null
  /** The author's followers or karma, as the source reports it; null when unknown. */
  authorReach: number | null
  /** The upstream's points or votes (a Hacker News story's score); null when it has none. */
  points: number | null
  /** The upstream id of the thread's root (null for a root or when unknown). */
  threadId: string | null
}

export function toView(m: Mention): MentionView {
  return {
    id: m.id,
    source: m.source,
    sourceName: m.sourceName,
    externalId: m.externalId,
    url: m.url,
    title: m.title,
    text: m.text,
    author: m.authorHandle,
    authorName: m.authorName,
    createdAt: new Date(m.createdAt).toISOString(),
    fetchedAt: new Date(m.fetchedAt).toISOString(),
    lang: m.lang,
    isOwn: m.isOwn,
    competitor: m.competitor,
    brand: m.brands[0] ?? '',
    brands: m.brands,
    terms: m.terms,
    sentiment: m.sentimentLabel,
    // Three decimals carry all the meaning a score has; more is noise in every output.
    sentimentScore: Math.round(m.sentimentScore * 1000) / 1000,
    intent: m.intent,
    state: m.state,
    assignee: m.assignee,
    answered: m.answered,
    priority: m.priority,
    likes: m.likes,
    reposts: m.reposts,
    replies: m.replies,
    inReplyTo: m.parentExternalId,
    rating: m.rating,
    tags: m.tags,
    snoozedUntil: m.snoozedUntil === null ? null : new Date(m.snoozedUntil).toISOString(),
    authorReach: m.authorReach,
    points: m.score,
    threadId: m.threadExternalId,
  }
}

/** Column order for tabular outputs (CSV/TSV headers use these names). */
export const VIEW_FIELDS: readonly (keyof MentionView)[] = [
  'id', 'source', 'externalId', 'url', 'title', 'text', 'author', 'authorName', 'createdAt',
  'brand', 'brands', 'terms', 'sentiment', 'sentimentScore', 'intent', 'state', 'assignee',
  'answered', 'priority', 'likes', 'reposts', 'replies', 'inReplyTo',
  // Added after the first release: appended, so column positions in old spreadsheets hold.
  'sourceName', 'fetchedAt', 'lang', 'isOwn', 'competitor', 'rating', 'tags', 'snoozedUntil',
  'authorReach', 'points', 'threadId',
]
