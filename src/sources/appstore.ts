// Apple App Store customer reviews of one iOS app, from the legacy customer-reviews feed
// (itunes.apple.com/<cc>/rss/customerreviews/…, no credential). One storefront per request,
// ten pages of fifty at most, newest first, no date filter: each pull reads pages from the
// top of every configured country's feed until it passes that country's cursor.
import { Parser } from 'htmlparser2'
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { jsonBody, ownerBrand, readEach } from './common.js'
import { htmlToText, normaliseText, normaliseWhitespace } from './html.js'
import { SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'
import { cursorOfParts, mergeWalks, partCursor, planWindows, type WalkState, type Window, type WindowBounds } from './window.js'

const KIND = 'appstore'

/** Reviews per feed page, and the deepest page Apple serves (≈500 reviews per storefront). */
export const APPSTORE_PAGE_SIZE = 50
export const APPSTORE_PAGE_CAP = 10

/**
 * How far below a country's resume point a pull re-reads. Apple publishes a review after
 * moderation, which can take many hours, but sorts it by when it was written: a review can
 * appear below one already seen. A day holds that, and usually costs no extra request (the
 * day's reviews sit on the pages read anyway).
 */
export const APPSTORE_OVERLAP_MS = 24 * 3600_000

export const appStoreOptions = z.object({
  /** The numeric App Store id (apps.apple.com/…/id<appId>); a number in the config is accepted. */
  appId: z.union([z.string().trim(), z.int().nonnegative().transform(String)]).pipe(z.string().regex(/^\d{1,15}$/, 'appId must be the numeric App Store id (the digits after "id" in the app\'s URL)')),
  /** Storefronts (ISO 3166 alpha-2); Apple serves one per request and keeps reviews per storefront. */
  countries: z
    .array(z.string().trim().toLowerCase().regex(/^[a-z]{2}$/, 'countries are two-letter storefront codes such as "us"'))
    .min(1)
    .default(['us'])
    .transform((list) => [...new Set(list)]),
  /** The brand the app belongs to (resolved with ownerBrand; optional when one brand is ours). */
  brand: z.string().min(1).optional(),
  baseUrl: z.url({ protocol: /^https?$/ }).default('https://itunes.apple.com'),
  maxPages: z.int().min(1).max(APPSTORE_PAGE_CAP).default(APPSTORE_PAGE_CAP),
  /**
   * The form asked for first. JSON entries of the feed have been seen without dates; a page
   * whose JSON reviews carry none is read again as XML (which dates every entry), and the
   * rest of the pull stays on XML.
   */
  format: z.enum(['json', 'xml']).default('json'),
})
export type AppStoreOptions = z.output<typeof appStoreOptions>
export type AppStoreFormat = AppStoreOptions['format']

// ---------------------------------------------------------------------------------------
// Parsing (pure)

export interface AppStoreFeedContext {
  /** The storefront the page came from: it names the review page a person can open. */
  country: string
  appId: string
}

export interface AppStoreRead {
  /** Dated reviews, in feed order. */
  drafts: MentionDraft[]
  /** Review entries on the page (the app-metadata entry left out), dated or not. */
  reviews: number
  /** Review entries without a readable date: they cannot be windowed, so they are not drafts. */
  undated: number
  /** Entries that could not be read at all (no id). */
  skipped: number
  /** The page number of the feed's rel="last" link, when it has one. */
  lastPage?: number
}

// Every field but the id may be missing or odd; an odd one is dropped, not fatal.
const labelOf = z.object({ label: z.union([z.string(), z.number().transform(String)]) }).transform((v) => v.label)
const optLabel = labelOf.optional().catch(undefined)

/** `content` in one form or several (text and html): the text one wins. */
const contentSchema = z
  .unknown()
  .transform((v): { value: string; html: boolean } | undefined => {
    const list = Array.isArray(v) ? v : [v]
    const read = list.flatMap((c) => {
      const p = z.object({ label: z.string(), attributes: z.object({ type: z.string().optional().catch(undefined) }).optional().catch(undefined) }).safeParse(c)
      return p.success ? [{ value: p.data.label, html: p.data.attributes?.type?.toLowerCase() === 'html' }] : []
    })
    return read.find((c) => !c.html) ?? read[0]
  })
  .optional()
  .catch(undefined)

const entrySchema = z.object({
  id: z.object({ label: z.union([z.string().trim().min(1), z.number().transform(String)]) }).transform((v) => v.label),
  updated: optLabel,
  title: optLabel,
  content: contentSchema,
  'im:rating': optLabel,
  'im:voteSum': optLabel,
  'im:voteCount': optLabel,
  'im:name': optLabel,
  // im:version and author.uri (the reviewer's profile) have no place in a draft: not read.
  author: z.object({ name: optLabel }).optional().catch(undefined),
})
type Entry = z.output<typeof entrySchema>

const linkSchema = z.object({ attributes: z.object({ rel: z.string().optional().catch(undefined), href: z.string().optional().catch(undefined) }) })

const feedSchema = z.object({
  feed: z.object({
    // Absent when the storefront holds no review; a single entry is written as an object.
    entry: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown()).transform((e) => [e])]).optional(),
    link: z.union([z.array(z.unknown()), z.unknown().transform((l) => [l])]).optional().catch(undefined),
  }),
})

/** The review page of the app in a storefront: the feed gives no permalink per review. */
export function reviewPageUrl(country: string, appId: string): string {
  return `https://apps.apple.com/${encodeURIComponent(country)}/app/id${encodeURIComponent(appId)}?see-all=reviews`
}

/** The reviews of one feed page, JSON or XML (a string or parsed JSON), as drafts. */
export function parseAppStore(body: unknown, feed: AppStoreFeedContext, url = KIND): MentionDraft[] {
  return readAppStore(body, feed, url).drafts
}

/**
 * parseAppStore, also counting what it could not turn into drafts. Throws SourceResponseError
 * for a body that is neither the JSON nor the XML form of the feed, naming what is missing.
 */
export function readAppStore(body: unknown, feed: AppStoreFeedContext, url = KIND): AppStoreRead {
  const value = typeof body === 'string' && body.replace(/^\uFEFF/, '').trimStart().startsWith('<') ? xmlFeed(body, url) : jsonBody(body, url)
  const parsed = feedSchema.safeParse(value)
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join('.') || 'feed'
    throw new SourceResponseError(`expected a customer-reviews feed (an object "feed" with an "entry" list); "${where}" is not that`, url, { cause: parsed.error })
  }
  const raws = parsed.data.feed.entry ?? []
  let undated = 0
  let reviews = 0
  const { items, skipped } = readEach(raws, entrySchema, (e) => {
    // Page 1 of the feed used to begin with the app itself (im:name, no rating): not a review.
    if (e['im:name'] !== undefined && e['im:rating'] === undefined) return null
    reviews++
    const draft = entryToDraft(e, feed)
    if (!draft) undated++
    return draft ?? null
  })
  const drafts = items.filter((d): d is MentionDraft => d !== null)
  const read: AppStoreRead = { drafts, reviews, undated, skipped }
  const lastPage = lastPageOf(parsed.data.feed.link)
  if (lastPage !== undefined) read.lastPage = lastPage
  return read
}

function entryToDraft(e: Entry, feed: AppStoreFeedContext): MentionDraft | undefined {
  const createdAt = e.updated ? Date.parse(e.updated.trim()) : Number.NaN
  // A review without a date cannot be placed in a window; never date it at first sight.
  if (!Number.isFinite(createdAt)) return undefined
  const draft: MentionDraft = {
    externalId: e.id,
    url: reviewPageUrl(feed.country, feed.appId),
    text: e.content ? (e.content.html ? htmlToText(e.content.value) : normaliseText(e.content.value)) : '',
    createdAt,
  }
  const title = e.title ? normaliseWhitespace(e.title) : ''
  if (title) draft.title = title
  // Reviewers have a nickname and nothing else that a person would recognise.
  const name = e.author?.name ? normaliseWhitespace(e.author.name) : ''
  if (name) draft.author = { handle: name, name }
  const rating = Number(e['im:rating'])
  if (Number.isInteger(rating) && rating >= 1 && rating <= 5) draft.rating = rating
  // voteSum counts the readers who found the review helpful (voteCount: all who voted).
  const helpful = e['im:voteSum'] === undefined ? Number.NaN : Number(e['im:voteSum'])
  if (Number.isInteger(helpful) && helpful >= 0) draft.metrics = { likes: helpful }
  return draft
}

function lastPageOf(links: unknown[] | undefined): number | undefined {
  for (const raw of links ?? []) {
    const link = linkSchema.safeParse(raw)
    if (!link.success || link.data.attributes.rel !== 'last') continue
    // The page number sits in the path (…/page=10/id=…), before any urlDesc query.
    const m = /\/page=(\d+)\//.exec(link.data.attributes.href?.split('?')[0] ?? '')
    if (m?.[1]) return Number(m[1])
  }
  return undefined
}

/**
 * The XML form (Atom with Apple's im: namespace) read into the JSON form's shape, so one
 * schema reads both. htmlparser2 (already the HTML reader) does it in XML mode; feedsmith
 * drops the im: elements that carry the rating.
 */
function xmlFeed(xml: string, url: string): unknown {
  interface Open {
    name: string
    attrs: Record<string, string>
    text: string
  }
  const stack: Open[] = []
  const entries: Record<string, unknown>[] = []
  const links: unknown[] = []
  let root: string | undefined
  let closed = false
  let entry: Record<string, unknown> | undefined
  let author: Record<string, unknown> | undefined
  const contents: unknown[] = []
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (stack.length === 0) root ??= name
        stack.push({ name, attrs, text: '' })
        const depth = stack.length
        if (depth === 2 && name === 'entry') {
          entry = {}
          contents.length = 0
        } else if (entry && depth === 3 && name === 'author') author = {}
        else if (name === 'link' && (depth === 2 || (entry && depth === 3))) {
          const link = { attributes: { ...attrs } }
          if (entry) entry['link'] = link
          else links.push(link)
        }
      },
      ontext(text) {
        const top = stack.at(-1)
        if (top) top.text += text
      },
      onclosetag(name, isImplied) {
        const depth = stack.length
        const top = stack.pop()
        if (!top) return
        if (depth === 1) closed = !isImplied
        if (!entry) return
        if (depth === 2 && name === 'entry') {
          if (contents.length > 0) entry['content'] = [...contents]
          entries.push(entry)
          entry = undefined
        } else if (depth === 3 && name === 'author') {
          entry['author'] = author
          author = undefined
        } else if (depth === 4 && author && stack[2]?.name === 'author') {
          author[name] = { label: top.text }
        } else if (depth === 3 && name === 'content') {
          contents.push({ label: top.text, attributes: { type: top.attrs['type'] ?? 'text' } })
        } else if (depth === 3 && name !== 'link') {
          entry[name] = { label: top.text }
        }
      },
    },
    { xmlMode: true, decodeEntities: true },
  )
  parser.write(xml)
  parser.end()
  if (root !== 'feed') throw new SourceResponseError(`expected an Atom <feed> of customer reviews, got ${root ? 'another XML document' : 'no XML element'}`, url)
  // A page cut in transit still parses; stored as read, its cut review would lose its text.
  if (!closed) throw new SourceResponseError('the feed ends before its closing </feed> (cut short in transit?)', url)
  return { feed: { entry: entries, link: links } }
}

// ---------------------------------------------------------------------------------------
// URLs

/**
 * The URL forms of one feed page. The first is the documented one; in 2026 it answered
 * empty from some servers while the others answered (user reports), so page 1 tries them in
 * turn. The last has no sort and may not be newest first: the walk checks the order.
 */
const FORMS: readonly { path: (page: number, appId: string) => string; sorted: boolean }[] = [
  { path: (page, id) => `page=${page}/id=${id}/sortby=mostrecent`, sorted: true },
  { path: (page, id) => `id=${id}/sortBy=mostRecent/page=${page}`, sorted: true },
  { path: (page, id) => `page=${page}/id=${id}/sortBy=mostRecent`, sorted: true },
  { path: (page, id) => `page=${page}/id=${id}`, sorted: false },
]
export const APPSTORE_URL_FORMS = FORMS.length

function under(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`)
}

export function reviewsUrl(baseUrl: string, country: string, appId: string, page: number, format: AppStoreFormat, form = 0): URL {
  const f = FORMS[form] ?? FORMS[0]
  if (!f) throw new Error('appstore: no URL form')
  return under(baseUrl, `${encodeURIComponent(country)}/rss/customerreviews/${f.path(page, encodeURIComponent(appId))}/${format}`)
}

/** Apple's public lookup: one cheap call says whether the app has ratings in a storefront. */
export function lookupUrl(baseUrl: string, country: string, appId: string): URL {
  const url = under(baseUrl, 'lookup')
  url.searchParams.set('id', appId)
  url.searchParams.set('country', country)
  return url
}

const lookupSchema = z.object({
  results: z.array(z.object({ userRatingCount: z.number().optional().catch(undefined) }).passthrough()).catch([]),
})

/** userRatingCount from a lookup body; undefined when the app is unknown there or it is missing. */
export function parseLookup(body: unknown, url = 'lookup'): number | undefined {
  const parsed = lookupSchema.safeParse(jsonBody(body, url))
  if (!parsed.success) throw new SourceResponseError('expected a lookup response with a "results" list', url, { cause: parsed.error })
  return parsed.data.results[0]?.userRatingCount
}

// ---------------------------------------------------------------------------------------
// Walk (I/O)

interface FetchedPage {
  read: AppStoreRead
  form: number
  /** Page 1 was empty in every URL form. */
  allEmpty: boolean
}

/**
 * One page of a country's feed. Page 1 finds the URL form that answers; later pages keep
 * it. A JSON page whose reviews carry no date is read again as XML, and `state.format`
 * stays XML for the rest of the pull (the same server answers the same way).
 */
async function fetchPage(ctx: SourceContext<AppStoreOptions>, country: string, page: number, form: number | undefined, state: { format: AppStoreFormat }): Promise<FetchedPage> {
  const { baseUrl, appId } = ctx.options
  const get = async (format: AppStoreFormat, f: number): Promise<AppStoreRead> => {
    const url = reviewsUrl(baseUrl, country, appId, page, format, f)
    const res = await ctx.http.get(url, ctx.signal ? { signal: ctx.signal } : {})
    return readAppStore(res.body, { country, appId }, url.href)
  }
  const forms = form !== undefined ? [form] : FORMS.map((_, i) => i)
  let first: FetchedPage | undefined
  for (const f of forms) {
    let read = await get(state.format, f)
    if (state.format === 'json' && read.undated > 0) {
      state.format = 'xml'
      read = await get('xml', f)
    }
    const fetched = { read, form: f, allEmpty: false }
    first ??= fetched
    if (read.reviews > 0 || page > 1) return fetched
  }
  return { ...(first ?? { read: { drafts: [], reviews: 0, undated: 0, skipped: 0 }, form: 0 }), allEmpty: true }
}

const inWindow = (t: number, w: Window) => t >= w.from && t <= (w.to ?? Infinity)
const iso = (t: number) => new Date(t).toISOString()

/**
 * Every country's feed from page 1 down, until the page passes the lowest window that
 * country still needs (the gap it owes, what is new since its cursor less the overlap, a
 * backfill down to `since`), the feed ends, or the page bound. The feed has no date filter,
 * so one descending read serves all of a country's windows at once.
 */
async function* searchAppStore(ctx: SourceContext<AppStoreOptions>, q: SourceQuery): AsyncIterable<Page> {
  const about = ownerBrand(KIND, ctx.options.brand, q.brands)
  const { appId, countries, baseUrl } = ctx.options
  const pageLimit = Math.max(1, Math.min(q.maxPages, ctx.options.maxPages, APPSTORE_PAGE_CAP))
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const previous = new Map(countries.map((cc) => [cc, partCursor(q.cursor, cc)]))
  const walks = new Map(
    countries.map((cc) => [cc, planWindows(previous.get(cc), { ...bounds, overlap: APPSTORE_OVERLAP_MS }).map((window): WalkState => ({ window, status: 'pending' }))]),
  )
  const cursorNow = (): Cursor => cursorOfParts(countries, (cc) => mergeWalks(previous.get(cc), walks.get(cc) ?? [], bounds))
  const state = { format: ctx.options.format }
  const seen = new Set<string>()
  let yielded = false

  for (const cc of countries) {
    const list = walks.get(cc) ?? []
    if (list.length === 0) continue
    let form: number | undefined
    let ordered = true
    let oldestSeen: number | undefined
    let lastTime: number | undefined
    let undated = 0
    let skipped = 0
    let end: 'feed' | 'cap' | 'limit' | 'empty' | undefined
    // Pending walks claim nothing: the safe state whenever the order cannot be trusted.
    const resetWalks = () => list.forEach((w) => Object.assign(w, { status: 'pending', oldestSeen: undefined, newestSeen: undefined }))

    for (let page = 1; ; page++) {
      if (page > pageLimit) {
        end = page > APPSTORE_PAGE_CAP ? 'cap' : 'limit'
        break
      }
      const got = await fetchPage(ctx, cc, page, form, state)
      form = got.form
      if (page === 1 && !(FORMS[form]?.sorted ?? true)) ordered = false
      undated += got.read.undated
      skipped += got.read.skipped
      if (got.allEmpty) {
        end = 'empty'
        if (await emptyButHasReviews(ctx, cc, previous.get(cc))) resetWalks()
        else list.forEach((w) => (w.status = 'done'))
        yield { mentions: [], cursor: cursorNow() }
        yielded = true
        break
      }

      const fresh: MentionDraft[] = []
      for (const d of got.read.drafts) {
        if (lastTime !== undefined && d.createdAt > lastTime) {
          if (ordered) resetWalks()
          ordered = false
        }
        lastTime = d.createdAt
        if (oldestSeen === undefined || d.createdAt < oldestSeen) oldestSeen = d.createdAt
        const holding = list.filter((w) => inWindow(d.createdAt, w.window))
        for (const w of holding) if (w.newestSeen === undefined || d.createdAt > w.newestSeen) w.newestSeen = d.createdAt
        // Outside every window: already stored (between the cursor and a backfill) or
        // outside the pull's [since, until].
        if (holding.length === 0 || seen.has(d.externalId)) continue
        seen.add(d.externalId)
        fresh.push({ ...d, about })
      }
      // A full page 10 is Apple's cap, not the end of the reviews (its rel="last" says 10 either way).
      const full = got.read.reviews >= APPSTORE_PAGE_SIZE && (got.read.lastPage === undefined || page < got.read.lastPage || page >= APPSTORE_PAGE_CAP)
      if (!full) end = 'feed'
      if (end === 'feed') list.forEach((w) => (w.status = 'done'))
      else if (ordered && oldestSeen !== undefined) {
        for (const w of list) {
          if (w.status === 'done') continue
          if (oldestSeen < w.window.from) w.status = 'done'
          else if (oldestSeen <= (w.window.to ?? Infinity)) w.status = 'running'
          else continue
          w.oldestSeen = oldestSeen
        }
      }
      if (!ordered && end !== 'feed') resetWalks()
      yield { mentions: fresh, cursor: cursorNow() }
      yielded = true
      if (end === 'feed' || (ordered && list.every((w) => w.status === 'done'))) break
    }

    if (!ordered && end !== 'feed' && end !== 'empty') {
      ctx.warn(`${cc}: the feed did not list reviews newest first; what was read is stored, and the same window is read again next pull`)
    } else if (end === 'cap' && oldestSeen !== undefined) {
      const reach = oldestSeen
      const unreached = list.filter((w) => w.status !== 'done' && w.window.from < reach)
      if (unreached.length > 0) {
        const lowest = Math.min(...unreached.map((w) => w.window.from))
        ctx.warn(`${cc}: Apple serves only the ${APPSTORE_PAGE_CAP * APPSTORE_PAGE_SIZE} most recent reviews; those before ${iso(reach)} cannot be read (this pull asked back to ${iso(lowest)})`)
      }
      // Beyond Apple's reach nothing is owed (no later pull can read it) and nothing is claimed.
      for (const w of [...list]) {
        if (w.status === 'done') continue
        if (reach <= (w.window.to ?? Infinity)) {
          w.window = { ...w.window, from: Math.max(w.window.from, reach) }
          w.status = 'done'
        } else list.splice(list.indexOf(w), 1)
      }
      yield { mentions: [], cursor: cursorNow() }
    } else if (end === 'limit') {
      for (const w of list) if (w.status === 'running') w.status = 'truncated'
      ctx.warn(`${cc}: stopped after ${pageLimit} page(s) (maxPages); the rest is fetched next pull`)
      yield { mentions: [], cursor: cursorNow() }
    }
    if (undated > 0) ctx.warn(`${cc}: skipped ${undated} review(s) without a date (they cannot be placed in a window)`)
    if (skipped > 0) ctx.warn(`${cc}: skipped ${skipped} unreadable entr${skipped === 1 ? 'y' : 'ies'} from ${reviewsUrl(baseUrl, cc, appId, 1, state.format, form ?? 0).href}`)
  }
  if (!yielded) yield { mentions: [], cursor: q.cursor ?? {} }
}

/**
 * After page 1 came back empty in every URL form: whether the app does have reviews there
 * (earlier pulls stored some, or Apple's lookup counts ratings), said in a warning, so a
 * feed that stopped answering never reads as "no news". True when it does (or when that
 * cannot be told): the walk then claims nothing.
 */
async function emptyButHasReviews(ctx: SourceContext<AppStoreOptions>, cc: string, cursor: Cursor | undefined): Promise<boolean> {
  const { appId, baseUrl } = ctx.options
  const what = `${cc}: Apple's review feed for app ${appId} came back empty in all ${FORMS.length} URL forms`
  if (cursor?.at !== undefined) {
    ctx.warn(`${what}, though earlier pulls stored reviews from it; nothing new was read`)
    return true
  }
  let ratings: number | undefined
  try {
    const url = lookupUrl(baseUrl, cc, appId)
    const res = await ctx.http.get(url, ctx.signal ? { signal: ctx.signal } : {})
    ratings = parseLookup(res.body, url.href)
  } catch (err) {
    if (ctx.signal?.aborted) throw err
    ctx.warn(`${what}, and the lookup that would say whether it has reviews failed (${err instanceof Error ? err.message : String(err)})`)
    return true
  }
  if (ratings !== undefined && ratings > 0) {
    ctx.warn(`${what}, though Apple's lookup counts ${ratings} rating(s) there; nothing was read`)
    return true
  }
  return false
}

export const appStoreSource: Source<AppStoreOptions> = {
  kind: KIND,
  scope: 'feed',
  options: appStoreOptions,
  requires: [],
  // Countries are parts of the cursor: adding one keeps the others' resume points.
  instanceKey: (options) => `${options.baseUrl} id${options.appId}`,
  // The feed carries no developer responses: answered stays unknown.
  replies: 'none',
  limits: `at most ${APPSTORE_PAGE_CAP * APPSTORE_PAGE_SIZE} most recent reviews per country (${APPSTORE_PAGE_CAP} pages); no developer responses, so answered is unknown`,
  search: searchAppStore,
}
