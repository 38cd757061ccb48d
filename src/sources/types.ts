// The Source contract (DESIGN.md, "Source adapters"). An adapter turns one upstream into
// pages of MentionDrafts. It never touches the store, never matches brands, never scores.
import type { z } from 'zod'
import type { Brand, Cursor, MentionDraft, SourceState } from '../model.js'

export type { SourceState } from '../model.js'
import type { Http } from '../net/types.js'

export interface Requirement {
  env: string
  optional?: boolean
  why: string
}

export interface SourceContext<Opts> {
  http: Http
  options: Opts
  /** Environment (already merged with .env); read credentials from here only. */
  env: Readonly<Record<string, string | undefined>>
  now: () => number
  /** Progress or warnings for stderr; never data. The pull prefixes the source kind. */
  warn: (message: string) => void
  /**
   * Quota or rate-limit state the upstream reported (headers, body fields), kept with the
   * cursor and shown by `mentions sources`. Call it whenever a response says something new.
   */
  report?: (state: SourceState) => void
  /**
   * The instance's ledger of a budget the upstream bills or caps (X reads, YouTube searches),
   * shared by every brand's walk of this instance and kept in the database, so a budget per
   * day holds across pulls. Keys are the adapter's ("reads:<UTC day>").
   */
  usage?: UsageLedger
  signal?: AbortSignal
}

export interface UsageLedger {
  used(key: string): Promise<number>
  /** Records n more spent (after the request was made: what was billed is spent). */
  spend(key: string, n: number): Promise<void>
}

/**
 * How a source can tell that the brand answered a mention:
 * - 'thread': the brand's replies arrive among the searched items (linked by parent id);
 * - 'own-activity': the source fetches the brand handles' own recent posts (ownActivity);
 * - 'owner-response': a review carries the owner's reply in a field;
 * - 'none': it cannot tell; answered is unknown (null), never a silent "no".
 */
export type ReplyDetection = 'thread' | 'own-activity' | 'owner-response' | 'none'

export interface OwnActivityQuery {
  brand: Brand
  /** The brand's handles for this source kind (config `handles[kind]`), without a leading @. */
  handles: string[]
  cursor?: Cursor
  since: number
  until?: number
  maxPages: number
}

export interface SourceQuery {
  /**
   * For `scope: 'brand'` sources: the brand whose terms to search for.
   * For `scope: 'feed'` sources: undefined; the pull matches every brand locally.
   */
  brand?: Brand
  /**
   * For `scope: 'feed'` sources: every configured brand, so an adapter can decide which items
   * are worth a second request (comments of a matched story). The pull still does the matching.
   */
  brands?: readonly Brand[]
  /** Where the previous pull stopped; undefined on a first pull. */
  cursor?: Cursor
  /**
   * Epoch ms: the start of the window this pull must cover (from --since or pull.since).
   * On a first pull the source walks [since, until]. Later pulls resume from the cursor; when
   * `since` is older than `cursor.oldest`, the source also backfills [since, cursor.oldest].
   * Every source also drops items created outside [since, until] and outside the window it
   * is walking (an owed gap is walked even below `since`): upstreams that ignore their own
   * date filters must not flood the store.
   */
  since: number
  /** Epoch ms: the end of the window (from --until); undefined means "up to now". */
  until?: number
  /** Upper bound on pages fetched in one pull. */
  maxPages: number
}

export interface Page {
  mentions: MentionDraft[]
  /**
   * Where the next pull resumes if the pull stops after this page has been stored.
   * The pull commits the cursor of the last page only once the iteration finished; an
   * adapter that stops early (page bound) records the window it still owes in `gap`.
   */
  cursor: Cursor
}

export interface Source<Opts extends { baseUrl?: string | undefined } = { baseUrl?: string | undefined }> {
  /** Stable identifier used in config and the store. Never renamed. */
  kind: string
  /** 'brand': searched once per brand with that brand's terms. 'feed': fetched once, matched locally. */
  scope: 'brand' | 'feed'
  /** Its part of the config schema (the entry without `kind`). */
  options: z.ZodType<Opts>
  requires: Requirement[]
  /** A stable name for one configured instance (used for its cursor), e.g. the feed URL. */
  instanceKey(options: Opts): string
  /** How it can tell the brand answered (see ReplyDetection). */
  replies: ReplyDetection
  /**
   * What the upstream caps whatever the configuration, in one line for `mentions sources`
   * ("at most 5 reviews per place"), so nobody reads a capped sample as the whole story.
   */
  limits?: string
  /** Newest first; stops at q.cursor (or q.since on a first pull). */
  search(ctx: SourceContext<Opts>, q: SourceQuery): AsyncIterable<Page>
  /**
   * The brand handles' own recent posts and replies, newest first, as drafts whose author is
   * the handle and whose parentExternalId / threadExternalId use the same ids as search's
   * drafts, so the store links each reply to the mention it answers. Own cursor per brand.
   * Required when `replies` is 'own-activity'.
   */
  ownActivity?(ctx: SourceContext<Opts>, q: OwnActivityQuery): AsyncIterable<Page>
}

/** Raised for credentials the upstream refused (401, or a 403 that means "not allowed"). */
export class CredentialsRejectedError extends Error {
  override name = 'CredentialsRejectedError'
}

/** Raised for a response the adapter cannot read (not JSON, wrong shape). */
export class SourceResponseError extends Error {
  override name = 'SourceResponseError'
  constructor(message: string, readonly url: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/**
 * A clean stop: the source spent its configured budget (paid reads, a daily search allowance).
 * The pages it yielded are stored and the last one's cursor is saved (its gap says what is
 * still owed); the pull still reports the source as failed, so nobody mistakes a spent budget
 * for "no news".
 */
export class BudgetExhaustedError extends Error {
  override name = 'BudgetExhaustedError'
}

/** Raised when a source lacks a required credential. Names the variable. */
export class MissingCredentialError extends Error {
  override name = 'MissingCredentialError'
  constructor(readonly variable: string, readonly kind: string, why: string) {
    // The pull names the source on every line it prints, so the message does not.
    super(`set ${variable} (${why})`)
  }
}
