// RSS 2.0, Atom, RDF and JSON Feed (blogs, Google Alerts, hnrss.org). A feed is fetched
// once per pull with a conditional GET and matched against every brand locally.
import { httpUrl } from './url.js'
import { redactUrl } from '../net/redact.js'
import {
  parseFeed as parseAnyFeed,
  type AnyFeed,
  type AtomFeed,
  type JsonFeed,
  type RdfFeed,
  type RssFeed,
} from 'feedsmith'
import { z } from 'zod'
import type { Cursor, MentionDraft } from '../model.js'
import { htmlToText, normaliseText, normaliseWhitespace } from './html.js'
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

/**
 * Drafts from a feed body. `feedUrl` resolves relative links; `now` (epoch ms) dates items
 * that carry no date. Throws SourceResponseError for a body that is not a feed.
 */
export function parseFeed(body: string, feedUrl: string, now: number, opts: ParseFeedOptions = {}): MentionDraft[] {
  let parsed: AnyFeed<string>
  try {
    parsed = parseAnyFeed<string>(body, opts.maxItems ? { maxItems: opts.maxItems } : {})
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause)
    throw new SourceResponseError(`rss: not a readable RSS, Atom, RDF or JSON feed (${why})`, feedUrl, { cause })
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
  const fallbackUrl = httpUrl(homePage(parsed), feedUrl) ?? httpUrl(feedUrl, feedUrl)
  const hnrss = isHnrss(parsed, feedUrl)

  const drafts: MentionDraft[] = []
  const seen = new Set<string>()
  for (const item of items) {
    const draft = toDraft(item, feedUrl, fallbackUrl, now)
    if (!draft || seen.has(draft.externalId)) continue
    if (hnrss) applyHnrssFooter(draft)
    seen.add(draft.externalId)
    drafts.push(draft)
  }
  return drafts
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

/** The format-independent view of one item, before cleaning. */
interface ItemFields {
  id?: string | undefined
  link?: string | undefined
  title?: string | undefined
  titleIsHtml: boolean
  content?: string | undefined
  contentIsHtml: boolean
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

function rssItem(item: RssFeed.Item<string>, feedLang: string | undefined): ItemFields {
  // A guid is an identity even when it is not a permalink (hnrss: the HN item URL).
  const guid = item.guid?.value?.trim() || undefined
  const permalinkGuid = guid && item.guid?.isPermaLink !== false ? guid : undefined
  return {
    id: guid,
    link: item.link ?? permalinkGuid,
    // RSS titles are in practice entity-encoded HTML as often as plain text.
    title: item.title,
    titleIsHtml: true,
    content: item.content?.encoded ?? item.description,
    contentIsHtml: true,
    author: item.dc?.creators?.[0] ?? item.authors?.[0]?.name,
    date: item.pubDate ?? item.dc?.dates?.[0] ?? item.atom?.published ?? item.atom?.updated,
    lang: item.dc?.languages?.[0] ?? feedLang,
  }
}

function atomEntry(entry: AtomFeed.Entry<string>): ItemFields {
  const body = entry.content?.value ? entry.content : entry.summary
  return {
    id: entry.id,
    link: pickAtomLink(entry.links),
    title: entry.title?.value,
    titleIsHtml: isHtmlType(entry.title?.type),
    content: body?.value,
    contentIsHtml: isHtmlType(body?.type),
    author: entry.authors?.[0]?.name ?? entry.dc?.creators?.[0],
    date: entry.published ?? entry.updated ?? entry.dc?.dates?.[0],
  }
}

function rdfItem(item: RdfFeed.Item<string>): ItemFields {
  return {
    id: item.rdf?.about,
    link: item.link,
    title: item.title,
    titleIsHtml: true,
    content: item.content?.encoded ?? item.description,
    contentIsHtml: true,
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
    // JSON Feed titles are plain text by spec.
    title: item.title,
    titleIsHtml: false,
    content: html ?? item.content_text ?? item.summary,
    contentIsHtml: html !== undefined,
    author: item.authors?.[0]?.name,
    date: item.date_published ?? item.date_modified,
    lang: item.language ?? feedLang,
  }
}

/** Atom's `type` is "text" by default; "html" and "xhtml" carry markup. */
function isHtmlType(type: string | undefined): boolean {
  return type === 'html' || type === 'xhtml' || type === 'text/html'
}

function pickAtomLink(links: AtomFeed.Link<string>[] | undefined): string | undefined {
  if (!links || links.length === 0) return undefined
  const alternate = links.find((l) => (l.rel === undefined || l.rel === 'alternate') && l.href)
  return (alternate ?? links.find((l) => l.href))?.href
}

function toDraft(item: ItemFields, feedUrl: string, fallbackUrl: string | undefined, now: number): MentionDraft | undefined {
  const link = item.link ? httpUrl(item.link.trim(), feedUrl) : undefined
  const url = link ? unwrapRedirect(link) : fallbackUrl
  const externalId = item.id?.trim() || link
  if (!externalId || !url) return undefined

  const title = item.title ? (item.titleIsHtml ? htmlToText(item.title) : normaliseWhitespace(item.title)) : ''
  const text = item.content ? (item.contentIsHtml ? htmlToText(item.content) : normaliseText(item.content)) : ''
  const parsedDate = item.date ? Date.parse(item.date.trim()) : Number.NaN

  const draft: MentionDraft = {
    externalId,
    url,
    text,
    createdAt: Number.isFinite(parsedDate) ? parsedDate : now,
  }
  if (title) draft.title = title
  const author = item.author ? normaliseWhitespace(item.author) : ''
  // Feeds have display names, not handles; the name is the best handle there is.
  if (author) draft.author = { handle: author, name: author }
  const lang = item.lang?.trim().toLowerCase().split(/[-_]/)[0]
  if (lang && /^[a-z]{2,3}$/.test(lang)) draft.lang = lang
  return draft
}

/** An absolute http(s) URL, resolving a relative one against `base`. */
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
  const drafts = parseFeed(res.body, base, now, { maxItems: ctx.options.maxItems })

  const cutoff = previous.at !== undefined ? previous.at - LATE_ARRIVAL_MS : q.since
  const mentions = drafts.filter((d) => d.createdAt >= cutoff)

  // A future-dated item must not push the resume point past the clock.
  let at = previous.at
  for (const d of drafts) {
    const t = Math.min(d.createdAt, now)
    if (at === undefined || t > at) at = t
  }
  const cursor: Cursor = {}
  if (at !== undefined) cursor.at = at
  const etag = res.headers['etag'] ?? previous.etag
  const lastModified = res.headers['last-modified'] ?? previous.lastModified
  if (etag) cursor.etag = etag
  if (lastModified) cursor.lastModified = lastModified
  yield { mentions, cursor }
}

export const rssSource: Source<RssOptions> = {
  kind: 'rss',
  scope: 'feed',
  options: rssOptions,
  requires: [],
  // The key is stored and printed: a token in a private feed URL must not be.
  instanceKey: (options) => redactUrl(options.url),
  search: searchFeed,
}
