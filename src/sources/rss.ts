// RSS 2.0, Atom, RDF and JSON Feed (blogs, Google Alerts, hnrss.org). A feed is fetched
// once per pull with a conditional GET and matched against every brand locally.
import { createHash } from 'node:crypto'
import { httpUrl } from './url.js'
import { hasSecret, instanceKeyOf, redactUrl, withoutSecrets } from '../net/redact.js'
import {
  parseFeed as parseAnyFeed,
  type AnyFeed,
  type AtomFeed,
  type JsonFeed,
  type MediaNs,
  type RdfFeed,
  type RssFeed,
} from 'feedsmith'
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { htmlToText, normaliseText, normaliseWhitespace } from './html.js'
import { assertXmlBounds } from './xml-guard.js'
import { SourceResponseError, type Page, type Source, type SourceContext, type SourceQuery } from './types.js'

const httpUrlSchema = z.url({ protocol: /^https?$/ })

export const rssOptions = z.object({
  url: httpUrlSchema,
  baseUrl: httpUrlSchema.optional(),
  name: z.string().min(1).optional(),
  maxItems: z.int().min(1).max(10_000).default(200),
})
export type RssOptions = z.output<typeof rssOptions>

/**
 * Feeds often publish an item with a date hours or days before it first appears in the
 * feed (moderation, scheduled posts, Google Alerts batching). Items are dropped only when
 * older than this much before the newest item of the last pull, so a late one still lands.
 */
const LATE_ARRIVAL_MS = 7 * 24 * 60 * 60 * 1000

// ---------------------------------------------------------------------------------------
// Parsing (pure)

export interface ParseFeedOptions {
  /** Read at most this many items (feeds list newest first). */
  maxItems?: number
}

export interface FeedRead {
  drafts: MentionDraft[]
  /** External ids of the drafts that carried no date (dated `now`, first sight). */
  undated: ReadonlySet<string>
}

/**
 * Drafts from a feed body. `feedUrl` resolves relative links; `now` (epoch ms) dates items
 * that carry no date. Throws SourceResponseError for a body that is not a feed, or a feed
 * that does not close (cut short in transit).
 */
export function parseFeed(body: string, feedUrl: string, now: number, opts: ParseFeedOptions = {}): MentionDraft[] {
  return readFeed(body, feedUrl, now, opts).drafts
}

/** parseFeed, also saying which drafts were undated (the source warns about them). */
export function readFeed(body: string, feedUrl: string, now: number, opts: ParseFeedOptions = {}): FeedRead {
  const input = completeDocument(body, feedUrl)
  if (typeof input === 'string') assertXmlBounds(input, feedUrl)
  let parsed: AnyFeed<string>
  try {
    parsed = parseAnyFeed<string>(input, opts.maxItems ? { maxItems: opts.maxItems } : {})
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new SourceResponseError(`not a readable RSS, Atom, RDF or JSON feed (${why})`, feedUrl, { cause })
  }
  let items: ItemFields[]
  switch (parsed.format) {
    case 'rss':
      items = (parsed.feed.items ?? []).map((item) => rssItem(item, parsed.feed.language))
      break
    case 'atom':
      items = (parsed.feed.entries ?? []).map(atomEntry)
      break
    case 'rdf':
      items = (parsed.feed.items ?? []).map(rdfItem)
      break
    case 'json':
      items = (parsed.feed.items ?? []).map((item) => jsonItem(item, parsed.feed.language))
      break
  }
  // An item without a link points at the feed's site, never at the feed URL itself when that
  // carries a credential (`?token=…`, a Google Alerts path): the permalink reaches tables,
  // exports and the database.
  const site = httpUrl(homePage(parsed), feedUrl)
  const feed = httpUrl(feedUrl, feedUrl)
  const fallbackUrl = (site && !hasSecret(site) ? site : undefined) ?? (feed ? withoutSecrets(feed) : undefined)
  const hnrss = isHnrss(parsed, feedUrl)

  const drafts: MentionDraft[] = []
  const seen = new Set<string>()
  const undated = new Set<string>()
  for (const item of items) {
    const built = toDraft(item, feedUrl, fallbackUrl, now)
    if (!built || seen.has(built.draft.externalId)) continue
    if (hnrss) applyHnrssFooter(built.draft)
    seen.add(built.draft.externalId)
    if (!built.dated) undated.add(built.draft.externalId)
    drafts.push(built.draft)
  }
  return { drafts, undated }
}

/**
 * The body, checked to be a whole document: a feed cut in transit often still parses (the
 * parser recovers), and would then be stored as a good pull, its cut item under a different
 * id with no date. XML must end by closing its root element; JSON must parse. A JSON Feed
 * whose `version` is written "1.0"/"1.1" is given the spec URL feedsmith needs to see.
 */
function completeDocument(body: string, feedUrl: string): unknown {
  const text = body.replace(/^\uFEFF/, '')
  const start = text.trimStart()
  if (start.startsWith('{')) {
    let json: unknown
    try {
      json = JSON.parse(start)
    } catch (cause) {
      const why = cause instanceof Error ? cause.message : String(cause)
      throw new SourceResponseError(`not a complete JSON Feed: it does not parse (${why})`, feedUrl, { cause })
    }
    return normaliseJsonFeedVersion(json)
  }
  const root = rootElement(start)
  if (root && !root.selfClosing && !closesWith(text, root.name)) {
    throw new SourceResponseError(`the feed ends before its closing </${root.name}> (cut short in transit?)`, feedUrl)
  }
  return text
}

const JSON_FEED_VERSION = /^1(?:\.[01])?$/

function normaliseJsonFeedVersion(json: unknown): unknown {
  if (typeof json !== 'object' || json === null) return json
  const version = (json as { version?: unknown }).version
  if (typeof version === 'string' && JSON_FEED_VERSION.test(version.trim())) {
    return { ...json, version: `https://jsonfeed.org/version/${version.trim() === '1.1' ? '1.1' : '1'}` }
  }
  return json
}

/** The document element's name, past the XML declaration, comments, PIs and a doctype. */
function rootElement(xml: string): { name: string; selfClosing: boolean } | undefined {
  let i = 0
  for (;;) {
    while (i < xml.length && /\s/.test(xml.charAt(i))) i++
    if (xml.startsWith('<?', i)) {
      const end = xml.indexOf('?>', i)
      if (end < 0) return undefined
      i = end + 2
    } else if (xml.startsWith('<!--', i)) {
      const end = xml.indexOf('-->', i)
      if (end < 0) return undefined
      i = end + 3
    } else if (xml.startsWith('<!', i)) {
      // A doctype; an internal subset ([ … ]) may hold '>' of its own.
      const bracket = xml.indexOf('[', i)
      const close = xml.indexOf('>', i)
      const end = bracket >= 0 && bracket < close ? xml.indexOf(']>', bracket) + 1 : close
      if (end <= 0) return undefined
      i = end + 1
    } else break
  }
  const m = /^<([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>/.exec(xml.slice(i, i + 64 * 1024))
  if (!m?.[1]) return undefined
  return { name: m[1], selfClosing: (m[2] ?? '').trimEnd().endsWith('/') }
}

/** Whether the document ends with `</name>`, allowing trailing whitespace, comments and PIs. */
function closesWith(xml: string, name: string): boolean {
  let end = xml.trimEnd()
  for (;;) {
    if (end.endsWith('-->') && end.lastIndexOf('<!--') >= 0) end = end.slice(0, end.lastIndexOf('<!--')).trimEnd()
    else if (end.endsWith('?>') && end.lastIndexOf('<?') >= 0) end = end.slice(0, end.lastIndexOf('<?')).trimEnd()
    else break
  }
  const tail = end.slice(-(name.length + 64))
  return new RegExp(`</${name.replace(/[.]/g, '\\.')}\\s*>$`).test(tail)
}

function isHnrss(parsed: AnyFeed<string>, feedUrl: string): boolean {
  if (parsed.format === 'rss' && parsed.feed.generator?.toLowerCase().startsWith('hnrss')) return true
  try {
    const host = new URL(feedUrl).hostname
    return host === 'hnrss.org' || host.endsWith('.hnrss.org')
  } catch {
    return false
  }
}

/**
 * hnrss appends "Article URL: …", "Comments URL: …", "Points: N" and "# Comments: N" lines
 * to every description. They are not what the author wrote: they would feed URLs to the
 * brand matcher and numbers to the scorer.
 */
const HNRSS_FOOTER = /^(?:Article URL|Comments? URL|Points|# Comments):\s*(.*)$/
function applyHnrssFooter(draft: MentionDraft): void {
  const kept: string[] = []
  const metrics: NonNullable<MentionDraft['metrics']> = {}
  for (const line of draft.text.split('\n')) {
    const m = HNRSS_FOOTER.exec(line)
    if (!m) {
      kept.push(line)
      continue
    }
    const n = Number(m[1])
    if (Number.isInteger(n) && line.startsWith('Points:')) metrics.score = n
    if (Number.isInteger(n) && line.startsWith('# Comments:')) metrics.replies = n
  }
  draft.text = normaliseText(kept.join('\n'))
  if (Object.keys(metrics).length > 0) draft.metrics = metrics
}

/** How a field's markup is to be read: Atom and JSON say; the fallbacks below do not. */
type Markup = 'html' | 'text' | 'sniff'

/** The format-independent view of one item, before cleaning. */
interface ItemFields {
  id?: string | undefined
  link?: string | undefined
  /** The first enclosure's URL (podcast items may carry nothing else). */
  enclosure?: string | undefined
  title?: string | undefined
  titleIsHtml: boolean
  content?: string | undefined
  contentMarkup: Markup
  author?: string | undefined
  date?: string | undefined
  lang?: string | undefined
}

type AnyParsed = AnyFeed<string>

function homePage(parsed: AnyParsed): string | undefined {
  switch (parsed.format) {
    case 'rss':
    case 'rdf':
      return parsed.feed.link
    case 'atom':
      return pickAtomLink(parsed.feed.links)
    case 'json':
      return parsed.feed.home_page_url
  }
}

type MediaFields = MediaNs.ItemOrFeed<false> | undefined

/**
 * A description from the namespaces feeds use when the core one is missing: Media RSS
 * (YouTube channel feeds carry their text only in media:group/media:description), then
 * itunes:summary, then dc:description. None of them says reliably whether it holds markup.
 */
function extraDescription(
  media: MediaFields,
  itunes: { summary?: string | undefined } | undefined,
  dc: { descriptions?: string[] | undefined } | undefined,
): { content: string; markup: Markup } | undefined {
  const m = media?.description ?? media?.groups?.find((g) => g.description?.value)?.description ?? media?.contents?.find((c) => c.description?.value)?.description
  if (m?.value?.trim()) return { content: m.value, markup: m.type === 'html' ? 'html' : m.type === 'plain' ? 'text' : 'sniff' }
  const other = itunes?.summary ?? dc?.descriptions?.find((d) => d.trim())
  return other?.trim() ? { content: other, markup: 'sniff' } : undefined
}

function mediaUrl(media: MediaFields): string | undefined {
  return media?.contents?.find((c) => c.url)?.url ?? media?.groups?.flatMap((g) => g.contents ?? []).find((c) => c.url)?.url
}

function rssItem(item: RssFeed.Item<string>, feedLang: string | undefined): ItemFields {
  // A guid is an identity even when it is not a permalink (hnrss: the HN item URL).
  const guid = item.guid?.value?.trim() || undefined
  const permalinkGuid = guid && item.guid?.isPermaLink !== false ? guid : undefined
  const core = item.content?.encoded ?? item.description
  const extra = core?.trim() ? undefined : extraDescription(item.media, item.itunes, item.dc)
  return {
    id: guid,
    link: item.link ?? permalinkGuid,
    enclosure: item.enclosures?.find((e) => e.url)?.url ?? mediaUrl(item.media),
    // RSS titles are in practice entity-encoded HTML as often as plain text.
    title: item.title,
    titleIsHtml: true,
    content: extra?.content ?? core,
    contentMarkup: extra?.markup ?? 'html',
    author: item.dc?.creators?.[0] ?? item.authors?.[0]?.name,
    date: item.pubDate ?? item.dc?.dates?.[0] ?? item.atom?.published ?? item.atom?.updated,
    lang: item.dc?.languages?.[0] ?? feedLang,
  }
}

function atomEntry(entry: AtomFeed.Entry<string>): ItemFields {
  const body = entry.content?.value?.trim() ? entry.content : entry.summary
  const extra = body?.value?.trim() ? undefined : extraDescription(entry.media, entry.itunes, entry.dc)
  return {
    id: entry.id,
    link: pickAtomLink(entry.links),
    enclosure: entry.links?.find((l) => l.rel === 'enclosure' && l.href)?.href ?? mediaUrl(entry.media),
    title: entry.title?.value,
    titleIsHtml: isHtmlType(entry.title?.type),
    content: extra?.content ?? body?.value,
    contentMarkup: extra?.markup ?? (isHtmlType(body?.type) ? 'html' : 'text'),
    author: entry.authors?.[0]?.name ?? entry.dc?.creators?.[0],
    date: entry.published ?? entry.updated ?? entry.dc?.dates?.[0],
  }
}

function rdfItem(item: RdfFeed.Item<string>): ItemFields {
  const core = item.content?.encoded ?? item.description
  const extra = core?.trim() ? undefined : extraDescription(item.media, undefined, item.dc)
  return {
    id: item.rdf?.about,
    link: item.link,
    title: item.title,
    titleIsHtml: true,
    content: extra?.content ?? core,
    contentMarkup: extra?.markup ?? 'html',
    author: item.dc?.creators?.[0],
    date: item.dc?.dates?.[0],
    lang: item.dc?.languages?.[0],
  }
}

function jsonItem(item: JsonFeed.Item<string>, feedLang: string | undefined): ItemFields {
  const html = item.content_html
  return {
    id: item.id === undefined || item.id === null ? undefined : String(item.id),
    link: item.url ?? item.external_url,
    enclosure: item.attachments?.find((a) => a.url)?.url,
    // JSON Feed titles are plain text by spec.
    title: item.title,
    titleIsHtml: false,
    content: html ?? item.content_text ?? item.summary,
    contentMarkup: html !== undefined ? 'html' : 'text',
    author: item.authors?.[0]?.name,
    date: item.date_published ?? item.date_modified,
    lang: item.language ?? feedLang,
  }
}

/**
 * Atom's `type` is "text" by default; "html" and "xhtml" carry markup (feedsmith hands back
 * an xhtml div's inner markup as a string), as do the media types some feeds write instead.
 */
function isHtmlType(type: string | undefined): boolean {
  const t = type?.trim().toLowerCase()
  return t === 'html' || t === 'xhtml' || t === 'text/html' || t === 'application/xhtml+xml'
}

function pickAtomLink(links: AtomFeed.Link<string>[] | undefined): string | undefined {
  if (!links || links.length === 0) return undefined
  const alternate = links.find((l) => (l.rel === undefined || l.rel === 'alternate') && l.href)
  return (alternate ?? links.find((l) => l.href && l.rel !== 'enclosure' && l.rel !== 'self'))?.href
}

/** Markup that htmlToText must read: a tag or an entity. Plain text keeps its lines. */
const LOOKS_LIKE_HTML = /<\/?[a-z][a-z0-9]*(?:\s[^<>]*)?\/?>|&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i

function cleanContent(content: string, markup: Markup): string {
  const html = markup === 'html' || (markup === 'sniff' && LOOKS_LIKE_HTML.test(content))
  return html ? htmlToText(content) : normaliseText(content)
}

/**
 * An id for an item with neither guid, link nor enclosure: a hash of what it says, never of
 * when we saw it, so the next pull finds the same row.
 */
function contentId(title: string, date: string, text: string): string {
  const digest = createHash('sha256').update(JSON.stringify([title, date, text])).digest('hex')
  return `sha256:${digest.slice(0, 32)}`
}

function toDraft(
  item: ItemFields,
  feedUrl: string,
  fallbackUrl: string | undefined,
  now: number,
): { draft: MentionDraft; dated: boolean } | undefined {
  const link = item.link ? httpUrl(item.link.trim(), feedUrl) : undefined
  const enclosure = item.enclosure ? httpUrl(item.enclosure.trim(), feedUrl) : undefined
  const title = item.title ? (item.titleIsHtml ? htmlToText(item.title) : normaliseWhitespace(item.title)) : ''
  const text = item.content ? cleanContent(item.content, item.contentMarkup) : ''
  const rawDate = item.date?.trim() ?? ''
  const parsedDate = rawDate ? Date.parse(rawDate) : Number.NaN

  const guid = item.id?.trim()
  const guidUrl = guid ? httpUrl(guid) : undefined
  const url = (link ? unwrapRedirect(link) : undefined) ?? enclosure ?? (guidUrl && !hasSecret(guidUrl) ? guidUrl : undefined) ?? fallbackUrl
  // An item that says nothing has nothing to match or show.
  if (!guid && !link && !enclosure && !title && !text) return undefined
  const externalId = guid || link || enclosure || contentId(title, rawDate, text)
  if (!url) return undefined

  const dated = Number.isFinite(parsedDate)
  const draft: MentionDraft = {
    externalId,
    url,
    text,
    // An undated item is dated at first sight: the store never moves created_at on a later
    // sighting, and the source leaves it out of the cursor and says how many there were.
    createdAt: dated ? parsedDate : now,
  }
  if (title) draft.title = title
  const author = item.author ? normaliseWhitespace(item.author) : ''
  // Feeds have display names, not handles; the name is the best handle there is.
  if (author) draft.author = { handle: author, name: author }
  const lang = item.lang?.trim().toLowerCase().split(/[-_]/)[0]
  if (lang && /^[a-z]{2,3}$/.test(lang)) draft.lang = lang
  return { draft, dated }
}

/**
 * Google wraps result links (`https://www.google.com/url?rct=j&sa=t&url=<REAL>&…`; older
 * links use `q=`). Stored mentions should point at the page itself.
 */
export function unwrapRedirect(link: string): string {
  let u: URL
  try {
    u = new URL(link)
  } catch {
    return link
  }
  if (!/^(www\.)?google\.[a-z]{2,3}(\.[a-z]{2})?$/i.test(u.hostname) || u.pathname !== '/url') return link
  const target = u.searchParams.get('url') ?? u.searchParams.get('q')
  return httpUrl(target ?? undefined, link) ?? link
}

// ---------------------------------------------------------------------------------------
// Fetching (I/O)

/** The URL actually fetched: `baseUrl` replaces scheme, host and port (proxies, tests). */
export function fetchUrl(options: Pick<RssOptions, 'url' | 'baseUrl'>): URL {
  const target = new URL(options.url)
  if (options.baseUrl) {
    const base = new URL(options.baseUrl)
    target.protocol = base.protocol
    target.host = base.host
  }
  return target
}

async function* searchFeed(ctx: SourceContext<RssOptions>, q: SourceQuery): AsyncIterable<Page> {
  const previous: Cursor = q.cursor ?? {}
  const url = fetchUrl(ctx.options)
  const res = await ctx.http.get(url, {
    ...(previous.etag ? { etag: previous.etag } : {}),
    ...(previous.lastModified ? { lastModified: previous.lastModified } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  })
  if (res.notModified || res.status === 304) {
    yield { mentions: [], cursor: previous }
    return
  }

  // Relative links resolve against the feed's own address, not the proxy in front of it.
  const base = ctx.options.baseUrl ? ctx.options.url : res.url || ctx.options.url
  const now = ctx.now()
  const { drafts, undated } = readFeed(res.body, base, now, { maxItems: ctx.options.maxItems })
  const { mentions, cursor } = feedWindow(drafts, undated, previous, q, now, {
    etag: res.headers['etag'],
    lastModified: res.headers['last-modified'],
  })
  const undatedKept = mentions.filter((d) => undated.has(d.externalId)).length
  if (undatedKept > 0) {
    ctx.warn(`${undatedKept} ${undatedKept === 1 ? 'item' : 'items'} without a date, dated when first seen (${redactUrl(ctx.options.url)})`)
  }
  yield { mentions, cursor }
}

/**
 * Which drafts of one fetch to keep and where the next pull resumes (pure).
 *
 * Kept: items created in [since, until] (an upstream that ignores date filters must not flood
 * the store), and after the cursor less LATE_ARRIVAL_MS, unless `since` reaches further back
 * than the history the cursor covers (a backfill: the older items still in the feed are
 * wanted). Undated items are always kept: they are new to us.
 *
 * The cursor moves to the newest kept, dated item (never past the clock). When items newer
 * than `until` were left out, the old validators are kept: a 304 on the next pull would
 * otherwise hide them for good.
 */
export function feedWindow(
  drafts: readonly MentionDraft[],
  undated: ReadonlySet<string>,
  previous: Cursor,
  q: Pick<SourceQuery, 'since' | 'until'>,
  now: number,
  validators: { etag?: string | undefined; lastModified?: string | undefined },
): Page {
  const backfill = previous.oldest !== undefined && q.since < previous.oldest
  const lower = previous.at !== undefined && !backfill ? Math.max(q.since, previous.at - LATE_ARRIVAL_MS) : q.since
  const mentions: MentionDraft[] = []
  let leftOutNewer = false
  let at = previous.at
  for (const d of drafts) {
    if (undated.has(d.externalId)) {
      mentions.push(d)
      continue
    }
    if (q.until !== undefined && d.createdAt > q.until) {
      leftOutNewer = true
      continue
    }
    if (d.createdAt < lower) continue
    mentions.push(d)
    // A future-dated item must not push the resume point past the clock.
    const t = Math.min(d.createdAt, now)
    if (at === undefined || t > at) at = t
  }
  const cursor: Cursor = {}
  if (at !== undefined) cursor.at = at
  const oldest = Math.min(previous.oldest ?? q.since, q.since)
  if (Number.isFinite(oldest)) cursor.oldest = oldest
  const etag = leftOutNewer ? previous.etag : (validators.etag ?? previous.etag)
  const lastModified = leftOutNewer ? previous.lastModified : (validators.lastModified ?? previous.lastModified)
  if (etag) cursor.etag = etag
  if (lastModified) cursor.lastModified = lastModified
  return { mentions, cursor }
}

export const rssSource: Source<RssOptions> = {
  kind: 'rss',
  scope: 'feed',
  options: rssOptions,
  requires: [],
  // The key is stored and printed: a token in a private feed URL must not be.
  instanceKey: (options) => instanceKeyOf(options.url),
  // A feed carries no replies and no author handles to compare: answered stays unknown.
  replies: 'none',
  search: searchFeed,
}
