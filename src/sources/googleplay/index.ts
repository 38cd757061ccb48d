// The brand's own Android apps' reviews, through the Google Play Developer API
// (androidpublisher v3 reviews.list) with a service account. One walk per package, newest
// first by last modification, paged by tokenPagination.nextPageToken. Google serves only the
// reviews of the last seven days that have text; the developer's reply rides on the review
// (developerComment), so answered is known without any handles.
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../../model.js'
import { HttpError, RateLimitError } from '../../net/types.js'
import { jsonBody, ownerBrand } from '../common.js'
import { normaliseWhitespace } from '../html.js'
import { CredentialsRejectedError, SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from '../types.js'
import { cursorOfParts, keepHit, mergeWalks, partCursor, planWindows, type WalkState, type WindowBounds } from '../window.js'
import { CREDENTIALS_WHY, GOOGLE_PLAY_CREDENTIALS, serviceAccount, tokenSource, type ServiceAccount } from './auth.js'

const KIND = 'googleplay'
const HOUR = 3600_000
/** How far back reviews.list reaches: "only reviews from the last week". */
export const GOOGLE_PLAY_RETENTION_MS = 7 * 24 * HOUR
/** reviews.list's page size; the largest the API documents. */
const PAGE_SIZE = 100

// An Android application id: two or more dot-separated Java identifiers.
const packageName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/, 'an Android package name such as "com.example.app"')

export const googlePlayOptions = z.object({
  /** The apps whose reviews to read (one name or a list). */
  packageNames: z.union([packageName.transform((p) => [p]), z.array(packageName).min(1)]),
  /** The brand the apps belong to; optional when only one non-competitor brand is configured. */
  brand: z.string().trim().min(1).optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://androidpublisher.googleapis.com'),
  /** Pages (of 100 reviews) per app and pull. */
  maxPages: z.int().min(1).max(50).default(10),
  /**
   * How far below the resume point each pull re-reads. The default, the whole week Google
   * serves, is what lets a developer reply written days after the review, or an edit, reach
   * the store: nothing else announces them. Lower it for an app with thousands of reviews a week.
   */
  overlapHours: z.int().min(0).max(168).default(168),
  /** Ask Google to translate reviews into this language (BCP-47, e.g. "en"). */
  translationLanguage: z.string().regex(/^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$/, 'a language code such as "en" or "pt-BR"').optional(),
})
export type GooglePlayOptions = z.output<typeof googlePlayOptions>

// ---------------------------------------------------------------------------------------
// Parsing (pure)

// A field of an unexpected type is dropped (`catch`), not fatal: one odd value never costs
// the review, let alone the page.
const optString = z.string().nullish().catch(undefined)
const optInt = z.number().int().nullish().catch(undefined)
// A protobuf Timestamp: int64 seconds arrive as a JSON string, nanos as a number.
const timestamp = z
  .object({
    seconds: z.union([z.string().regex(/^-?\d+$/), z.number().int()]),
    nanos: z.number().int().min(0).nullish().catch(undefined),
  })
  .nullish()
  .catch(undefined)

const userCommentSchema = z.object({
  text: optString,
  originalText: optString,
  lastModified: timestamp,
  starRating: optInt,
  reviewerLanguage: optString,
  thumbsUpCount: optInt,
})
const developerCommentSchema = z.object({ text: optString, lastModified: timestamp })
const commentSchema = z.object({
  userComment: userCommentSchema.nullish().catch(undefined),
  developerComment: developerCommentSchema.nullish().catch(undefined),
})
const reviewSchema = z.object({
  reviewId: z.string().min(1),
  authorName: optString,
  comments: z.array(z.unknown()).nullish().catch(undefined),
})
const responseSchema = z.object({
  // Google leaves an empty list out: `{}` is a page without reviews.
  reviews: z.array(z.unknown()).optional(),
  tokenPagination: z.object({ nextPageToken: optString }).nullish().catch(undefined),
})

export interface GooglePlayPage {
  drafts: MentionDraft[]
  /** Reviews in the response, including the ones that could not be read. */
  count: number
  /** Reviews dropped for lacking an id, a user comment or its time. */
  skipped: number
  nextPageToken: string | undefined
}

/** Epoch ms of a protobuf Timestamp, or undefined. */
function epochMs(t: z.output<typeof timestamp>): number | undefined {
  if (!t) return undefined
  const ms = Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6)
  return Number.isFinite(ms) && ms > 0 ? ms : undefined
}

/** The primary language subtag of a device locale or BCP-47 tag ("en_US" → "en"). */
export function languageOf(code: string | null | undefined): string | undefined {
  const primary = (code ?? '').trim().split(/[-_]/)[0]?.toLowerCase() ?? ''
  return /^[a-z]{2,3}$/.test(primary) ? primary : undefined
}

/**
 * A review's text as Google sends it: where the reviewer gave a title, "title<TAB>body";
 * otherwise the body after a leading tab.
 */
export function splitReviewText(raw: string): { title?: string; text: string } {
  const tab = raw.indexOf('\t')
  if (tab < 0) return { text: raw.trim() }
  const title = normaliseWhitespace(raw.slice(0, tab))
  const text = raw.slice(tab + 1).trim()
  return title ? { title, text } : { text }
}

/** The public page of one review on Google Play. */
export function reviewUrl(pkg: string, reviewId: string): string {
  // A lone surrogate in the id (valid JSON: "\ud800") would make encodeURIComponent throw.
  return `https://play.google.com/store/apps/details?id=${encodeURIComponent(pkg)}&reviewId=${encodeURIComponent(reviewId.replace(/\p{Surrogate}/gu, '\ufffd'))}`
}

function reviewToDraft(review: z.output<typeof reviewSchema>, pkg: string): MentionDraft | undefined {
  const comments = (review.comments ?? []).flatMap((c) => {
    const parsed = commentSchema.safeParse(c)
    return parsed.success ? [parsed.data] : []
  })
  const user = comments.find((c) => c.userComment)?.userComment
  const createdAt = epochMs(user?.lastModified)
  if (!user || createdAt === undefined) return undefined

  const { title, text } = splitReviewText(user.text ?? '')
  const draft: MentionDraft = { externalId: review.reviewId, url: reviewUrl(pkg, review.reviewId), text, createdAt }
  if (title) draft.title = title
  const name = normaliseWhitespace(review.authorName ?? '')
  if (name) draft.author = { name }
  // A translated review (translationLanguage) keeps its own words in originalText: the text
  // stored is the translation, so its language is the one asked for, not the reviewer's.
  const lang = user.originalText ? undefined : languageOf(user.reviewerLanguage)
  if (lang) draft.lang = lang
  if (typeof user.starRating === 'number' && user.starRating >= 1 && user.starRating <= 5) draft.rating = user.starRating
  if (typeof user.thumbsUpCount === 'number' && user.thumbsUpCount >= 0) draft.metrics = { likes: user.thumbsUpCount }

  // The latest developer reply, if several were kept. Without its own time, the review's is
  // the earliest it can have been written: knowing it was answered matters more than when.
  const developer = comments.filter((c) => c.developerComment).at(-1)?.developerComment
  if (developer) draft.ownerReply = { at: epochMs(developer.lastModified) ?? createdAt, handle: 'developer' }
  return draft
}

/**
 * Reads one reviews.list response (a JSON string or the parsed value) for the app `pkg`.
 * Throws SourceResponseError when it is not JSON, is an error body, or has the wrong shape.
 */
export function parseGooglePlayPage(body: unknown, pkg: string, url = KIND): GooglePlayPage {
  const value = jsonBody(body, url)
  if (value !== null && typeof value === 'object' && 'error' in value) {
    const error = (value as { error: unknown }).error
    const said = error && typeof error === 'object' ? (error as { message?: unknown; status?: unknown }) : { message: error }
    const shown = String(said.message ?? said.status ?? 'no message').replace(/[^\p{L}\p{N} .,:;'"()/_-]/gu, '').slice(0, 120)
    throw new SourceResponseError(`Google answered with an error instead of reviews: ${shown}`, url)
  }
  const parsed = responseSchema.safeParse(value)
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') || 'the body'
    throw new SourceResponseError(`expected a reviews.list response (an object with a "reviews" array); ${field} is not that`, url, { cause: parsed.error })
  }
  const raws = parsed.data.reviews ?? []
  const drafts: MentionDraft[] = []
  for (const raw of raws) {
    const review = reviewSchema.safeParse(raw)
    const draft = review.success ? reviewToDraft(review.data, pkg) : undefined
    if (draft) drafts.push(draft)
  }
  return { drafts, count: raws.length, skipped: raws.length - drafts.length, nextPageToken: parsed.data.tokenPagination?.nextPageToken || undefined }
}

/** The drafts of one reviews.list response. See parseGooglePlayPage. */
export function parseGooglePlay(body: unknown, pkg: string, url?: string): MentionDraft[] {
  return parseGooglePlayPage(body, pkg, url).drafts
}

// ---------------------------------------------------------------------------------------
// Requests

export function reviewsUrl(baseUrl: string, pkg: string, opts: { token?: string | undefined; translationLanguage?: string | undefined } = {}): URL {
  const url = new URL(`androidpublisher/v3/applications/${encodeURIComponent(pkg)}/reviews`, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
  url.searchParams.set('maxResults', String(PAGE_SIZE))
  if (opts.token) url.searchParams.set('token', opts.token)
  if (opts.translationLanguage) url.searchParams.set('translationLanguage', opts.translationLanguage)
  return url
}

const CHECK = `check ${GOOGLE_PLAY_CREDENTIALS} (or the file ${GOOGLE_PLAY_CREDENTIALS}_FILE names)`

/** The API's refusals as lines a user can act on. */
export function apiRefusal(err: HttpError, account: Pick<ServiceAccount, 'clientEmail'>, pkg: string): Error {
  const email = account.clientEmail.replace(/[^\w.@+-]/g, '').slice(0, 120)
  if (err.status === 401) return new CredentialsRejectedError(`credentials rejected (${err.message}); ${CHECK}`, { cause: err })
  if (err.status === 403) {
    if (/has not been used|is disabled|SERVICE_DISABLED|accessNotConfigured/i.test(err.bodySnippet)) {
      return new CredentialsRejectedError(`the Google Play Android Developer API is not enabled in the Google Cloud project of ${email}: enable it there (${err.message})`, { cause: err })
    }
    return new CredentialsRejectedError(
      `the service account ${email} may not read the reviews of ${pkg}: grant it access to that app in Play Console (Users and permissions) (${err.message})`,
      { cause: err },
    )
  }
  if (err.status === 404) {
    return new Error(`no app "${pkg}" in the Play Console account of ${email}: check packageNames (${err.message})`, { cause: err })
  }
  return err
}

/** One authorised GET; a token refused mid-walk is fetched again once. */
async function apiGet(ctx: SourceContext<GooglePlayOptions>, url: URL, token: (fresh?: boolean) => Promise<string>, account: ServiceAccount, pkg: string): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    const bearer = await token(attempt > 0)
    try {
      const res = await ctx.http.get(url, { headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' }, ...(ctx.signal ? { signal: ctx.signal } : {}) })
      return res.body
    } catch (err) {
      if (!(err instanceof HttpError) || err instanceof RateLimitError) throw err
      if (err.status === 401 && attempt === 0) continue
      throw apiRefusal(err, account, pkg)
    }
  }
}

// ---------------------------------------------------------------------------------------
// Walk (I/O)

interface PackageWalk extends WalkState {
  pkg: string
}

/**
 * reviews.list cannot start below the top, so one read from the newest review down serves
 * every window a package needs (an owed gap, the new window, a backfill): it stops once it is
 * below the lowest of them, at the last page, or at the page bound. Each window's progress
 * is tracked from the same stream, so every page's cursor is safe to commit.
 */
async function* searchGooglePlay(ctx: SourceContext<GooglePlayOptions>, q: SourceQuery): AsyncIterable<Page> {
  const about = ownerBrand(KIND, ctx.options.brand, q.brands)
  const account = serviceAccount(ctx, KIND)
  const token = tokenSource(ctx, account)
  const { baseUrl, translationLanguage } = ctx.options
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const packages = [...new Set(ctx.options.packageNames)]

  const previous = new Map(packages.map((pkg) => [pkg, partCursor(q.cursor, pkg)]))
  const planned = packages.map((pkg) => ({ pkg, windows: planWindows(previous.get(pkg), { ...bounds, overlap: ctx.options.overlapHours * HOUR }) }))
  const walks: PackageWalk[] = planned.flatMap(({ pkg, windows }) => windows.map((window): PackageWalk => ({ pkg, window, status: 'pending' })))
  const cursorNow = (): Cursor => cursorOfParts(packages, (pkg) => mergeWalks(previous.get(pkg), walks.filter((w) => w.pkg === pkg), bounds))

  // A minute of slack: a pull's `since` of exactly seven days ago asks for nothing lost.
  const served = ctx.now() - GOOGLE_PLAY_RETENTION_MS - 60_000
  const lowest = Math.min(...walks.map((w) => w.window.from))
  if (lowest < served) {
    ctx.warn(`Google Play serves only the last 7 days of reviews; nothing before ${new Date(served).toISOString()} can be fetched`)
  }

  if (walks.length === 0) {
    yield { mentions: [], cursor: q.cursor ?? {} }
    return
  }

  const seen = new Set<string>()
  for (const { pkg, windows } of planned) {
    const mine = walks.filter((w) => w.pkg === pkg)
    if (mine.length === 0) continue
    for (const w of mine) w.status = 'running'
    const floor = Math.min(...windows.map((w) => w.from))
    let pageToken: string | undefined
    let skipped = 0
    let outside = 0
    for (let pages = 0; ; pages++) {
      if (pages >= pageLimit) {
        for (const w of mine) w.status = 'truncated'
        // Every read starts at the newest review (page tokens are not kept): only a larger bound
        // reaches what is owed.
        ctx.warn(`stopped reading ${pkg} after ${pageLimit} page(s); older reviews are owed: raise maxPages to reach them`)
        break
      }
      const url = reviewsUrl(baseUrl, pkg, { token: pageToken, translationLanguage })
      const parsed = parseGooglePlayPage(await apiGet(ctx, url, token, account, pkg), pkg, url.href)
      skipped += parsed.skipped

      const fresh: MentionDraft[] = []
      for (const d of parsed.drafts) {
        for (const w of mine) {
          if (w.oldestSeen === undefined || d.createdAt < w.oldestSeen) w.oldestSeen = d.createdAt
          const inside = d.createdAt >= w.window.from && d.createdAt <= (w.window.to ?? Infinity)
          if (inside && (w.newestSeen === undefined || d.createdAt > w.newestSeen)) w.newestSeen = d.createdAt
        }
        if (!windows.some((w) => keepHit(d.createdAt, w, bounds))) {
          outside++
          continue
        }
        if (seen.has(d.externalId)) continue
        seen.add(d.externalId)
        d.about = about
        fresh.push(d)
      }
      pageToken = parsed.nextPageToken
      const oldest = mine[0]?.oldestSeen
      const bottom = pageToken === undefined || parsed.count === 0 || (oldest !== undefined && oldest < floor)
      if (bottom) for (const w of mine) w.status = 'done'
      yield { mentions: fresh, cursor: cursorNow() }
      if (bottom) break
    }
    if (skipped > 0) ctx.warn(`skipped ${skipped} unreadable review(s) of ${pkg}`)
    if (outside > 0) ctx.warn(`dropped ${outside} review(s) of ${pkg} last changed outside the pull's window`)
  }
}

export const googlePlaySource: Source<GooglePlayOptions> = {
  kind: KIND,
  scope: 'feed',
  options: googlePlayOptions,
  requires: [{ env: GOOGLE_PLAY_CREDENTIALS, why: CREDENTIALS_WHY }],
  instanceKey: (o) => `${o.baseUrl} ${[...new Set(o.packageNames)].sort().join('+')}`,
  // developerComment on the review is the developer's public reply.
  replies: 'owner-response',
  limits: 'only reviews with text from the last 7 days',
  search: searchGooglePlay,
}
