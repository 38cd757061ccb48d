// The store's interface: what app/ may ask of a database, whatever the engine behind it.
// Every method is asynchronous so a server engine (PostgreSQL) can stand behind the same
// interface; the SQLite engine batches, so the cost is one await per page or chunk of rows,
// never one per row. Lists stream as chunks (`AsyncIterable<T[]>`) for the same reason.
import type { Cursor, Intent, Mention, MentionDraft, QueueName, SentimentLabel, SourceState } from '../model.js'

/** A draft that has been matched and scored, ready to store. */
export interface MentionRecord extends MentionDraft {
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
}

export interface QueueFilter extends ListFilter {
  queue: QueueName
  limit?: number
  now: number
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

export interface Sighting {
  source: string
  externalId: string
  url: string
  seenAt: number
}

export interface MentionsRepo {
  /** Stores one page in one transaction: all of it or none of it. Idempotent. */
  upsertPage(records: readonly MentionRecord[]): Promise<UpsertCounts>
  queue(f: QueueFilter): Promise<Mention[]>
  /** Every mention matching the filter, newest first, in chunks. */
  iterate(f?: ListFilter, chunk?: number): AsyncIterable<Mention[]>
  get(id: number): Promise<Mention | undefined>
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
  start(now: number): Promise<number>
  finish(id: number, status: RunStatus, report: readonly SourceRunReport[], now: number): Promise<void>
  last(): Promise<RunRecord | undefined>
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
  readonly stats: StatsRepo
  close(): Promise<void>
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

export interface StatsRepo {
  /** Response figures per group (when `by` is given) and a total row, in one query. */
  responses(f: ResponseStatsFilter): Promise<ResponseStatsRow[]>
}
