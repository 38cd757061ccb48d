// The store's interface: what app/ may ask of a database, whatever the engine behind it.
// Every method is asynchronous so a server engine (PostgreSQL) can stand behind the same
// interface; the SQLite engine batches, so the cost is one await per page or chunk of rows,
// never one per row. Lists stream as chunks (`AsyncIterable<T[]>`) for the same reason.
import type { Cursor, Intent, Mention, MentionDraft, MentionView, QueueName, QueueSort, SentimentLabel, SourceState, TriageState } from '../model.js'

/** A routing rule that fired on a new mention, for the event log. */
export interface RuleHitRecord {
  rule: string
  assign?: string
  priority?: string
  tags?: string[]
}

/** What the routing rules decided for a new mention; applied only when it is first stored. */
export interface Routing {
  assignee?: string
  tags: string[]
  boost: number
  hits: RuleHitRecord[]
}

/** A draft that has been matched and scored, ready to store. */
export interface MentionRecord extends MentionDraft {
  /** A row id to keep when the row is new and the id is free (an import of an export into an
   * empty database gets the export's ids back); otherwise the store assigns one. */
  id?: number
  source: string
  /** The configured name of the source instance (an rss feed's `name`), if it has one. */
  sourceName?: string
  brands: string[]
  terms: string[]
  isOwn: boolean
  /** Every brand it matched is a `competitor`: stored and counted, never queued. */
  competitor: boolean
  /**
   * Whether the brand's reply can be seen where this was found (a source that detects replies,
   * and a brand with handles there). False makes `answered` unknown rather than "no".
   */
  answerable: boolean
  sentimentLabel: SentimentLabel
  sentimentScore: number
  intent: Intent
  priority: number
  scorerVersion: string
  fetchedAt: number
  /** The routing rules' decision, applied (with its events) only when the row is new. */
  routing?: Routing
}

/** What the scorer and the matcher need of a stored mention. */
export interface StoredText {
  id: number
  title?: string
  text: string
  parentExternalId?: string
  lang?: string
  /** A review's star rating: evidence for the scorer. */
  rating?: number
}

export type UpsertOutcome = 'new' | 'updated' | 'unchanged'

export interface UpsertCounts {
  new: number
  updated: number
  unchanged: number
  /** New and updated rows per stored brand (the brands the row was matched to, not the one searched). */
  byBrand: Record<string, { new: number; updated: number }>
}

/** Filters every list shares. Arrays are "any of"; brand compares without case. */
export interface ListFilter {
  sources?: readonly string[]
  brands?: readonly string[]
  /** Epoch ms: created at or after (when it was said). */
  since?: number
  /** Epoch ms: created at or before. */
  until?: number
  /** Epoch ms: first seen by us at or after (fetched_at). */
  newSince?: number
  /** The time priorities and snoozes are judged at (epoch ms); default: no age, snoozes as stored. */
  now?: number
  /** Assigned to any of these; '' stands for "nobody". Compared without case. */
  assignees?: readonly string[]
  /** In any of these states (a snooze that ran out counts as open). */
  states?: readonly TriageState[]
  intents?: readonly Intent[]
  sentiments?: readonly SentimentLabel[]
  /** Epoch ms: created at or before (older than a duration). */
  olderThan?: number
  minReach?: number
  answered?: readonly ('yes' | 'no' | 'unknown')[]
  tags?: readonly string[]
}

export interface QueueFilter extends ListFilter {
  queue: QueueName
  limit?: number
  now: number
  /** Default: priority for negative, unanswered and praise; newest otherwise. */
  sort?: QueueSort
  /** Count what the limit cut off (QueuePage.more): a second pass, so only when it is shown. */
  countMore?: boolean
  /** Stop counting once this many more are found (QueuePage.moreCapped): the count's cost stays bounded. */
  moreCap?: number
}

/** A page of a queue: the rows, and whether the limit cut more off. */
export interface QueuePage {
  mentions: Mention[]
  /** Rows that matched beyond the limit (0 when none was cut). */
  more: number
  /** Set when counting stopped at the filter's moreCap: at least `more` matched beyond the limit. */
  moreCapped?: true
}

export interface SearchFilter extends ListFilter {
  /** FTS5 query syntax: words, "phrases", prefix*, AND / OR / NOT, (groups). */
  query: string
  limit?: number
  now: number
  sort?: 'relevance' | 'newest' | 'oldest'
  countMore?: boolean
  moreCap?: number
}

export interface ScoreUpdate {
  id: number
  label: SentimentLabel
  score: number
  intent: Intent
}

/** The brands a stored mention now matches, after a query changed (`mentions rematch`). */
export interface RematchChange {
  id: number
  /** Null: it no longer matches any brand; it leaves the queues (state ignored), nothing is deleted. */
  match: { brands: string[]; terms: string[]; competitor: boolean } | null
  reason: string
}

export interface MentionEvent {
  id: number
  mentionId: number
  at: number
  actor: string
  action: string
  detail: Record<string, unknown>
}

export interface BrandReply {
  kind: 'reply' | 'owner' | 'manual'
  source: string
  externalId: string
  at: number
  handle: string
  url: string | null
}

/** One triage change, asked of many mentions at once (`mentions done 4 5 6`). */
export type TriageChange =
  | { kind: 'assign'; assignee: string }
  | { kind: 'unassign' }
  | { kind: 'state'; state: Exclude<TriageState, 'snoozed'> }
  | { kind: 'snooze'; until: number }
  | { kind: 'note'; text: string }
  | { kind: 'answered'; url?: string }

export interface TriageResult {
  id: number
  /** False: no such mention. */
  found: boolean
  /** False: it already was so; nothing was written. */
  changed: boolean
  /** What it was before (for "done (was snoozed)"), when found. */
  before?: { state: TriageState; assignee: string | null; snoozedUntil: number | null }
  /**
   * The latest change to it by someone else a moment ago (LAST_CHANGE_WINDOW_MS before this
   * one), so two people working one queue see that they crossed: "alice set it done 40s ago".
   */
  lastChange?: LastChange
}

/** Another actor's most recent event on a mention, as found when a change was made. */
export interface LastChange {
  actor: string
  action: string
  at: number
  detail: Record<string, unknown>
}

export interface LogFilter {
  /** Epoch ms: events at or after. */
  since?: number
  mentionId?: number
  limit?: number
}

export interface TriageRepo {
  /** One transaction for all of them: every change is an event, and a no-op writes nothing. */
  apply(ids: readonly number[], change: TriageChange, actor: string, now: number): Promise<TriageResult[]>
  /** The append-only event log, oldest first. */
  log(f: LogFilter): Promise<MentionEvent[]>
}

export interface Sighting {
  source: string
  externalId: string
  url: string
  seenAt: number
}

export interface MentionsRepo {
  /** Stores one page in one transaction: all of it or none of it. Idempotent. */
  upsertPage(records: readonly MentionRecord[]): Promise<UpsertCounts>
  /**
   * Runs `work` (a bulk load: `mentions import`) with what makes many upsertPage calls cheap
   * on this engine. SQLite: a larger page cache; into an empty database, one transaction with
   * the secondary indexes built once at the end, so a failure or kill keeps nothing and
   * readers see the rows all at once. Elsewhere each page commits as it is stored; PostgreSQL
   * then vacuums and analyses the tables the load wrote.
   */
  bulkLoad<T>(work: () => Promise<T>): Promise<T>
  queue(f: QueueFilter): Promise<Mention[]>
  /** The same rows, and how many more the limit cut off. */
  queuePage(f: QueueFilter): Promise<QueuePage>
  /** Full-text search over title and text; a query FTS5 cannot read is a usage StoreError. */
  search(f: SearchFilter): Promise<QueuePage>
  /** Every mention matching the filter, newest first, in chunks. */
  iterate(f?: ListFilter, chunk?: number): AsyncIterable<Mention[]>
  /** The same chunks as the views every export format writes; equal to iterate + toView. */
  iterateViews(f?: ListFilter, chunk?: number): AsyncIterable<MentionView[]>
  get(id: number, now?: number): Promise<Mention | undefined>
  /** Several at once, in the order asked; ids not stored are left out. */
  getMany(ids: readonly number[], now?: number): Promise<Mention[]>
  /** The stored items of its thread: the one it answers (parent) and the replies to it, oldest first. */
  thread(id: number, now?: number): Promise<{ parent: Mention | null; replies: Mention[] }>
  /** The brand's replies recorded for it: own posts, owner responses, manual ones. */
  brandReplies(id: number): Promise<BrandReply[]>
  /** Mentions whose stored score came from another scorer version (or all), in chunks. */
  staleScores(version: string, all?: boolean, chunk?: number): AsyncIterable<StoredText[]>
  /** Every stored mention's own words and language, for re-matching, in chunks. */
  texts(chunk?: number): AsyncIterable<(StoredText & { brands: string[]; terms: string[]; competitor: boolean; ignoredByRematch: boolean })[]>
  /** Applies new scores in one transaction; a human's label or intent stays, the score follows the text. */
  applyScores(version: string, scores: readonly ScoreUpdate[]): Promise<number>
  /** Applies re-match results in one transaction, with one event per changed mention. */
  applyRematch(changes: readonly RematchChange[], actor: string, now: number): Promise<number>
  /** A human's label, recorded in the event log. False when there is no such mention. */
  setLabel(id: number, change: { sentiment?: SentimentLabel; intent?: Intent }, actor: string, now: number): Promise<boolean>
  events(mentionId: number): Promise<MentionEvent[]>
  /** Every (source, external id) the mention was seen under: its own first, then the others it was merged with. */
  sightings(mentionId: number): Promise<Sighting[]>
  count(): Promise<number>
}

export interface CursorKey {
  source: string
  instance: string
  /** '' for feed-scoped sources. */
  brand: string
}

export interface CursorStatus extends CursorKey {
  cursor: Cursor
  /** What the upstream last said about its quota or rate limit. */
  upstream: SourceState | null
  lastOkAt: number | null
  lastError: string | null
  lastErrorAt: number | null
}

export interface CursorsRepo {
  get(k: CursorKey): Promise<Cursor | undefined>
  /** Moves the cursor; only called once everything it covers is stored. */
  save(k: CursorKey, cursor: Cursor, now: number): Promise<void>
  /** Records a failure; the cursor itself stays where it was. */
  recordError(k: CursorKey, error: string, now: number): Promise<void>
  /** Records the upstream's quota or rate-limit state (the latest wins). */
  recordUpstream(k: CursorKey, state: SourceState): Promise<void>
  all(): Promise<CursorStatus[]>
}

export type RunStatus = 'running' | 'ok' | 'partial' | 'failed' | 'interrupted'

export interface SourceRunReport {
  source: string
  instance: string
  /** The configured name of the instance (an rss feed's `name`), when it has one. */
  name?: string
  /** The brand searched ('' for feed-scoped sources). */
  brand: string
  fetched: number
  new: number
  updated: number
  /** Items the upstream returned that did not really match a brand. */
  dropped: number
  /** New and updated rows per brand they were stored under. */
  byBrand?: Record<string, { new: number; updated: number }>
  error?: string
  /** The pull was interrupted (Ctrl-C) while this source was still running. */
  interrupted?: boolean
  /**
   * Pulls running (this one included) in which this source, after having had items before,
   * answered with none; absent when it answered with items or has never had any.
   */
  emptyStreak?: number
  /** Not called: the host asked to be left alone until then (epoch ms, Retry-After). */
  backoffUntil?: number
  /** How long this walk took, in ms: the pull starts the longest-expected first. */
  durationMs?: number
  /**
   * Not walked: another host's pull was walking it (a shared database). Neither an error nor
   * an empty answer: the holder's own run reports what it found.
   */
  skipped?: { host: string; pid: number }
}

/** What the store knows about a source walk's recent answers (see RunsRepo.recordHealth). */
export interface SourceHealth {
  source: string
  instance: string
  brand: string
  /** Consecutive successful pulls that returned no items, counted once it has had items. */
  emptyStreak: number
  hadItems: boolean
  updatedAt: number
}

/** A host's request to be left alone (Retry-After longer than a pull can wait), per source instance. */
export interface Backoff {
  source: string
  instance: string
  /** The host that asked (host[:port]), for messages. */
  host: string
  /** Epoch ms: not called before this. */
  until: number
  /** One line: the refusal as received (redacted). */
  reason: string
}

export interface BackoffRepo {
  /** The back-off in force for an instance at `now`, if any. */
  get(source: string, instance: string, now: number): Promise<Backoff | undefined>
  /** Remembers (or extends) a back-off; the later `until` wins. */
  set(b: Backoff, now: number): Promise<void>
  clear(source: string, instance: string): Promise<void>
  /** Every back-off still in force at `now` (for `mentions sources` and `mentions doctor`). */
  active(now: number): Promise<Backoff[]>
}

export interface LockHolder {
  pid: number
  host: string
}

export interface RunRecord {
  id: number
  startedAt: number
  endedAt: number | null
  status: RunStatus
  report: SourceRunReport[]
}

export interface RunsRepo {
  /**
   * Takes the pull lock, or throws BusyError naming the holder. A lock left by a process that
   * is gone (crash, kill -9) is taken over, and the run it left open is marked interrupted.
   */
  acquirePullLock(me: LockHolder, now: number, isAlive: (h: LockHolder) => boolean): Promise<void>
  releasePullLock(me: LockHolder): Promise<void>
  /**
   * Claims one walk for this pull while the pull lock is held: null when it is ours to walk,
   * else the holder walking it now (another host pulling into the same database). An engine
   * whose pull lock is exclusive (SQLite) always answers null.
   */
  claimWalk(k: CursorKey, me: LockHolder, now: number): Promise<LockHolder | null>
  /** Gives a claimed walk back, once its cursor is saved (or it failed). */
  releaseWalk(k: CursorKey): Promise<void>
  start(now: number): Promise<number>
  finish(id: number, status: RunStatus, report: readonly SourceRunReport[], now: number): Promise<void>
  last(): Promise<RunRecord | undefined>
  /**
   * Records how a finished walk answered (items fetched) and returns its empty streak: the
   * pulls running that answered nothing since it last had items (0 when it has items now or
   * never had any).
   */
  recordHealth(k: { source: string; instance: string; brand: string }, fetched: number, now: number): Promise<number>
  /** Every walk's health, for `mentions sources`, the digest and the doctor. */
  health(): Promise<SourceHealth[]>
}

/**
 * What each source instance has spent of a budget its upstream bills or caps, by a key the
 * adapter names (X: "reads:<UTC day>"). Written as it is spent, so a crash never forgets it.
 */
export interface UsageRepo {
  get(source: string, instance: string, key: string): Promise<number>
  /** Adds n and returns the new total. */
  add(source: string, instance: string, key: string, n: number, now: number): Promise<number>
}

export interface Store {
  /** Where it is, for messages (a file path; never a secret). */
  readonly location: string
  readonly readOnly: boolean
  readonly mentions: MentionsRepo
  readonly cursors: CursorsRepo
  readonly runs: RunsRepo
  readonly usage: UsageRepo
  readonly backoff: BackoffRepo
  readonly triage: TriageRepo
  readonly stats: StatsRepo
  readonly series: SeriesRepo
  readonly sent: SentRepo
  readonly health: HealthRepo
  readonly digests: DigestsRepo
  close(): Promise<void>
}

/** What `mentions alert` sends: a mention, or a spike (brand + kind + bucket). */
export type SentKind = 'mention' | 'spike'

/**
 * Send-once memory per channel (a hash of a webhook's host and path, never the URL itself):
 * a key is recorded only after its POST succeeded, so a failed one is tried again next run.
 */
export interface SentRepo {
  /** Which of `keys` were already sent on the channel. */
  wasSent(channel: string, kind: SentKind, keys: readonly string[]): Promise<Set<string>>
  /** Records them as sent (again is harmless). */
  record(channel: string, kind: SentKind, keys: readonly string[], now: number): Promise<void>
}

export interface DatabaseHealth {
  /** What PRAGMA integrity_check (or quick_check) reported; empty when it said ok. */
  problems: string[]
  /** PRAGMA user_version, and the version this mentions knows (MIGRATIONS.length). */
  schemaVersion: number
  knownVersion: number
  journalMode: string
}

export interface HealthRepo {
  check(opts?: { quick?: boolean }): Promise<DatabaseHealth>
}

/** How `mentions stats responses` splits its rows. */
export type ResponseStatsBy = 'source' | 'brand' | 'assignee'

export interface ResponseStatsFilter {
  /** Epoch ms: created at or after. */
  since: number
  /** Epoch ms: created at or before. */
  until?: number
  sources?: readonly string[]
  brands?: readonly string[]
  by?: ResponseStatsBy
}

/** One group's response figures, or the total over every mention in the window. */
export interface ResponseStatsRow {
  /** The source kind, brand or assignee (null: unassigned); null on the total row. */
  group: string | null
  total: boolean
  /** Mentions that needed an answer (see the stats repo for the definition). */
  needed: number
  /** Of those, with a reply stored (any kind). */
  answered: number
  /** Of those, with no reply stored where none could have been seen (answerable = 0). */
  unknown: number
  /** Time to first response over the answered ones, in ms (percentile_cont); null when none were answered. */
  medianFirstResponseMs: number | null
  p90FirstResponseMs: number | null
}

/** How `mentions stats overview` splits its rows: UTC days, ISO weeks, or a mention's field. */
export type OverviewStatsBy = 'day' | 'week' | 'source' | 'brand' | 'intent' | 'sentiment'

export interface OverviewStatsFilter {
  /** Epoch ms: created at or after. */
  since: number
  /** Epoch ms: created at or before. Required: the day and week buckets need an end. */
  until: number
  sources?: readonly string[]
  /** Count these brands' mentions (competitor ones too, asked for by name); default: not competitor-only. */
  brands?: readonly string[]
  by?: OverviewStatsBy
  /**
   * The configured brands, for share of voice: `own` are ours (not `competitor`), `all` every
   * configured brand. Absent (no config): share of voice is unknown, `voice` is null on every row.
   */
  voice?: { own: readonly string[]; all: readonly string[] }
}

/** One group's mention counts and voice, or the total over every counted mention in the window. */
export interface OverviewStatsRow {
  /** The day (YYYY-MM-DD, UTC), ISO week (2026-W48), source, brand, intent or sentiment; null on the total row. */
  group: string | null
  total: boolean
  /** Mentions counted: someone else's, created in the window, of the brands asked for (default: not competitor-only). */
  mentions: number
  negative: number
  neutral: number
  positive: number
  complaints: number
  questions: number
  /**
   * Share of voice as (mention, brand) pairs: `ours` of the brands asked for (--brand, else our
   * own; a brand row: that brand), `all` of every configured brand. Null without a config.
   */
  voice: { ours: number; all: number } | null
  /** The `responses` figures of the same group (zeros when nothing in it needed an answer). */
  responses: ResponseStatsRow
}

export interface StatsRepo {
  /** Response figures per group (when `by` is given) and a total row, in one query. */
  responses(f: ResponseStatsFilter): Promise<ResponseStatsRow[]>
  /**
   * Counts, share of voice and response figures per group (when `by` is given), then a total
   * row, in one query; groups with most mentions first (day and week: only those with data).
   */
  overview(f: OverviewStatsFilter): Promise<OverviewStatsRow[]>
}

export interface SeriesFilter {
  /** Epoch ms: created at or after (a bucket boundary). */
  from: number
  /** Epoch ms: created before. */
  to: number
  /** Bucket width in ms; buckets start at whole multiples of it since the epoch (a day bucket is a UTC day). */
  bucketMs: number
  /** Only these brands (compared without case); every stored brand when absent. */
  brands?: readonly string[]
}

/** One brand's non-empty buckets of created_at in the window, oldest first. */
export interface BrandSeries {
  /** As stored (the configured spelling when it was stored). */
  brand: string
  /** Epoch ms of the brand's first stored mention ever, not only in the window: where its history starts. */
  firstAt: number
  buckets: { start: number; total: number; negative: number }[]
}

/**
 * Mention counts over time, for spike detection. The brand's own posts are left out (a launch
 * announcement is not people talking); a mention under two brands counts in each; competitor
 * brands have their own series.
 */
export interface SeriesRepo {
  /** Per brand, per bucket: total and negative mentions, in one query. Brands with none in the window are absent. */
  counts(f: SeriesFilter): Promise<BrandSeries[]>
}

/** A digest that was sent: its name and the window [start, end) it covered. */
export interface DigestRecord {
  name: string
  start: number
  end: number
  recordedAt: number
}

/** What a digest counts: first seen (fetched_at) in [from, to), someone else's, of these brands. */
export interface DigestScope {
  from: number
  to: number
  /** Only these brands (compared without case); default: every mention that is not competitor-only. */
  brands?: readonly string[]
}

/** One bucket of first-seen time: counts by sentiment. */
export interface DigestBucket {
  start: number
  total: number
  negative: number
  neutral: number
  positive: number
  /** With no reply stored where none could have been seen (answered unknown). */
  unknown: number
}

/** Mentions first seen in the scope per source instance. */
export interface DigestSourceCount {
  source: string
  sourceName: string | null
  total: number
  unknown: number
}

/**
 * Negative mentions' words, for themes: each one's title and text as one string ("title\ntext",
 * or the text alone without a title), oldest first (fetched_at, then id), split at `since`.
 */
export interface DigestTexts {
  /** First seen at or after `since`. */
  current: string[]
  /** First seen before `since`. */
  previous: string[]
  /** Every brand term they matched (each once): every mention of the brand has them, so no theme is made of them. */
  terms: string[]
}

/** A newly assigned mention: the latest assign (or rule) event in the window. */
export interface DigestAssignment {
  mentionId: number
  at: number
  actor: string
  assignee: string
}

/**
 * The digest's reads (`mentions digest`), each one statement on the fetched_at (or events'
 * at, runs' started_at) index, and the record of digests sent, for `--since last`.
 */
export interface DigestsRepo {
  /** The newest digest of this name (by its window's end). */
  last(name: string): Promise<DigestRecord | undefined>
  record(r: DigestRecord): Promise<void>
  /** Non-empty buckets of fetched_at over the scope; buckets start at whole multiples of bucketMs. */
  buckets(f: DigestScope & { bucketMs: number }): Promise<DigestBucket[]>
  /** Per source instance, most first. */
  sources(f: DigestScope): Promise<DigestSourceCount[]>
  /** Negative mentions' title and text, oldest first, split at `since` (see DigestTexts). */
  negativeTexts(f: DigestScope & { since: number }): Promise<DigestTexts>
  /** (mention, brand) pairs per stored brand, someone else's, first seen in [from, to). */
  voice(f: { from: number; to: number }): Promise<{ brand: string; mentions: number }[]>
  /**
   * Assignments made in [from, to), latest per mention, to someone still assigned: the
   * `limit` newest, and how many there are in all.
   */
  assignments(f: DigestScope & { limit: number }): Promise<{ items: DigestAssignment[]; total: number }>
  /**
   * Open mentions that need an answer (a complaint, a question, or negative) and have none
   * where one could be seen, created in [from, to): the `limit` with most priority at `now`
   * (the queue's prioritySql), and how many there are in all.
   */
  overdue(f: DigestScope & { now: number; limit: number }): Promise<{ ids: number[]; total: number }>
  /** Pulls started in [from, to), oldest first. */
  runs(from: number, to: number): Promise<RunRecord[]>
}
