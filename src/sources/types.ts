// The Source contract (DESIGN.md, "Source adapters"). An adapter turns one upstream into
// pages of MentionDrafts. It never touches the store, never matches brands, never scores.
import type { z } from 'zod'
import type { Brand, Cursor, MentionDraft } from '../model.js'
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
  /** Progress or warnings for stderr; never data. */
  warn: (message: string) => void
  signal?: AbortSignal
}

export interface SourceQuery {
  /**
   * For `scope: 'brand'` sources: the brand whose terms to search for.
   * For `scope: 'feed'` sources: undefined; the pull matches every brand locally.
   */
  brand?: Brand
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
  /** Newest first; stops at q.cursor (or q.since on a first pull). */
  search(ctx: SourceContext<Opts>, q: SourceQuery): AsyncIterable<Page>
}

/** Raised for a response the adapter cannot read (not JSON, wrong shape). */
export class SourceResponseError extends Error {
  override name = 'SourceResponseError'
  constructor(message: string, readonly url: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** Raised when a source lacks a required credential. Names the variable. */
export class MissingCredentialError extends Error {
  override name = 'MissingCredentialError'
  constructor(readonly variable: string, readonly kind: string, why: string) {
    super(`${kind}: set ${variable} (${why})`)
  }
}
