// The walk shared by feed-like sources without a search API (Dev.to, Lobsters): poll a
// newest list page by page, keep what lies in the windows the cursor owes, pick the items
// that may concern a brand, and fetch those items' comments. The pull still matches every
// draft itself; the pick here only decides which comment threads are worth a request.
import type { Brand, Cursor, MentionDraft } from '../model.js'
import { compileMatcher, type Matcher } from '../match/matcher.js'
import { HttpError } from '../net/types.js'
import type { Page, SourceContext, SourceQuery } from './types.js'
import { inBounds, mergeWalks, partCursor, planWindows, type WalkState, type WindowBounds, cursorOfParts } from './window.js'

/**
 * A feed query: the pull passes every configured brand (SourceQuery.brands), so the adapter can
 * tell which items' comments to fetch. Without them (another caller), items are still polled
 * and stored, but no comments are fetched, and the walk says so.
 */
export type FeedQuery = SourceQuery

export interface PolledItem {
  draft: MentionDraft
  /** Upstream id to fetch the item's comments by; undefined when it has none to fetch. */
  thread?: string
  /** The upstream's comment count, when it gives one: zero saves a request. */
  commentCount?: number
}

export interface PolledPage {
  items: PolledItem[]
  /** Items of the page that could not be read (no id, no date). */
  skipped: number
}

export interface PollPart {
  /** Key of this list's cursor in cursor.parts. */
  key: string
  /** How the list is named in warnings ("latest", "tag javascript"). */
  label: string
  /**
   * 'newest': the list is sorted newest first, so the first item older than every window
   * ends the walk. 'ranked': sorted by something else (Forem's tag lists by hotness), so the
   * walk ends only at a page holding nothing inside a window.
   */
  order: 'newest' | 'ranked'
  /** Page n (from 1). An empty page ends the list. */
  fetch(page: number): Promise<PolledPage>
}

export interface PollOptions<Opts> {
  ctx: SourceContext<Opts>
  q: FeedQuery
  /** The source kind: which of a brand's handles are its own here. */
  kind: string
  parts: readonly PollPart[]
  /** Pages per list per pull. */
  pageLimit: number
  /** How far below the resume point each pull re-reads (and re-reads comments). */
  overlapMs: number
  /** Comment drafts of one picked item. */
  comments(item: PolledItem): Promise<MentionDraft[]>
  /** What items are called in warnings: one and many ("story", "stories"). */
  noun: { one: string; many: string }
}

/**
 * Newest first, one Page per polled page (with the comments of that page's picked items), so
 * every page's cursor is safe to commit: it claims only the span the pages read so far hold.
 *
 * A newest list can only be read from its top: an item past the page bound today is deeper
 * still tomorrow. So a walk cut short by the page bound gives up what lies below (with a
 * warning) instead of owing it as a gap that every later pull would re-read in vain. A pull
 * that stops mid-walk (interrupted, failed) does leave a gap, which the next one walks first.
 */
export async function* pollFeed<Opts>(o: PollOptions<Opts>): AsyncIterable<Page> {
  const { ctx, q } = o
  const bounds: WindowBounds = { since: q.since, until: q.until }
  const picker = pickerFor(q.brands, o.kind)
  if (!picker) ctx.warn(`no brands given to match ${o.noun.many} against: comments are not fetched this pull`)

  const previous = new Map(o.parts.map((p) => [p.key, partCursor(q.cursor, p.key)]))
  const walks = new Map<string, WalkState[]>(
    o.parts.map((p) => [p.key, planWindows(previous.get(p.key), { ...bounds, overlap: o.overlapMs }).map((window) => ({ window, status: 'pending' as const }))]),
  )
  const cursorNow = (): Cursor => cursorOfParts(o.parts.map((p) => p.key), (key) => mergeWalks(previous.get(key), walks.get(key) ?? [], bounds))

  const seen = new Set<string>()
  let yielded = false
  let outside = 0
  for (const part of o.parts) {
    const partWalks = walks.get(part.key) ?? []
    if (partWalks.length === 0) continue
    const lowest = Math.min(...partWalks.map((w) => w.window.from))
    for (let n = 1; ; n++) {
      if (n > o.pageLimit) {
        const open = partWalks.filter((w) => w.status !== 'done')
        if (open.length > 0) {
          const reached = Math.min(...open.map((w) => w.oldestSeen ?? w.window.to ?? Infinity))
          for (const w of open) w.status = 'done'
          const below = Number.isFinite(reached) ? ` older than ${new Date(reached).toISOString()}` : ''
          ctx.warn(`stopped ${part.label} after ${o.pageLimit} page(s): ${o.noun.many}${below} are beyond the pages read and are not fetched (raise maxPages or pull more often)`)
          yield { mentions: [], cursor: cursorNow() }
          yielded = true
        }
        break
      }
      const page = await part.fetch(n)
      if (page.skipped > 0) ctx.warn(`skipped ${page.skipped} unreadable ${o.noun.one}(s) on page ${n} of ${part.label}`)
      if (page.items.length === 0) {
        // The list ends here: nothing older can be reached, so every window is as done as it gets.
        for (const w of partWalks) w.status = 'done'
        yield { mentions: [], cursor: cursorNow() }
        yielded = true
        break
      }
      const kept: PolledItem[] = []
      let inAnyWindow = false
      for (const item of page.items) {
        const t = item.draft.createdAt
        let inWindow = false
        for (const w of partWalks) {
          if (w.status === 'done' || t > (w.window.to ?? Infinity)) continue
          if (w.status === 'pending') w.status = 'running'
          if (w.oldestSeen === undefined || t < w.oldestSeen) w.oldestSeen = t
          if (t >= w.window.from) {
            inWindow = true
            if (w.newestSeen === undefined || t > w.newestSeen) w.newestSeen = t
          }
        }
        if (inWindow) inAnyWindow = true
        // Between the windows lies what the cursor already holds; beyond them, what the pull
        // did not ask for (an upstream ignoring order must not flood the store).
        if (!inWindow) {
          if (!inBounds(t, bounds)) outside++
          continue
        }
        if (seen.has(item.draft.externalId)) continue
        seen.add(item.draft.externalId)
        kept.push(item)
      }

      const mentions: MentionDraft[] = kept.map((i) => i.draft)
      for (const item of kept) {
        if (!picker || item.thread === undefined || item.commentCount === 0 || !picker(item.draft)) continue
        let comments: MentionDraft[]
        try {
          comments = await o.comments(item)
        } catch (err) {
          // Deleted between the poll and this request: the item itself is still worth storing.
          if (!(err instanceof HttpError) || (err.status !== 404 && err.status !== 410)) throw err
          ctx.warn(`comments of ${item.draft.url} are gone (${err.message})`)
          continue
        }
        for (const c of comments) {
          if (q.until !== undefined && c.createdAt > q.until) continue
          if (seen.has(c.externalId)) continue
          seen.add(c.externalId)
          mentions.push(c)
        }
      }

      const oldest = Math.min(...page.items.map((i) => i.draft.createdAt))
      const ended = part.order === 'newest' ? oldest < lowest : !inAnyWindow
      if (ended) {
        for (const w of partWalks) w.status = 'done'
      } else if (part.order === 'ranked') {
        // A ranked list's pages hold items of any age: until the walk ends, what it has read
        // proves nothing about the span below its newest item, so it claims none of it.
        for (const w of partWalks) if (w.status === 'running') w.oldestSeen = w.newestSeen ?? w.window.to ?? w.window.from
      }
      yield { mentions, cursor: cursorNow() }
      yielded = true
      if (ended) break
    }
  }
  if (outside > 0) ctx.warn(`left out ${outside} ${o.noun.one}(s) created outside the pull's window`)
  // Nothing to walk (until before since, or nothing owed): nothing learned, the cursor stays.
  if (!yielded) yield { mentions: [], cursor: q.cursor ?? {} }
}

/**
 * Whether an item may concern a brand: its title and text name one, or a brand's own handle
 * wrote it (comments under the brand's own post are its to answer). Undefined without brands.
 */
export function pickerFor(brands: readonly Brand[] | undefined, kind: string): ((d: MentionDraft) => boolean) | undefined {
  if (!brands || brands.length === 0) return undefined
  const matcher: Matcher = compileMatcher(brands)
  const own = new Set(brands.flatMap((b) => (b.handles[kind] ?? []).map((h) => h.replace(/^@/, '').toLowerCase())))
  return (d) => {
    const handle = d.author?.handle?.toLowerCase()
    if (handle !== undefined && own.has(handle)) return true
    // Not whitespace: a phrase must not match across the seam of title and text.
    const words = d.title ? (d.text ? `${d.title} | ${d.text}` : d.title) : d.text
    return matcher.match(words, d.lang) !== null
  }
}
