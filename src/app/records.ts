// The pure middle of the pipeline: match → score → decide ownership. No I/O.
import type { Brand, Match, MentionDraft } from '../model.js'
import { compileMatcher, type Matcher } from '../match/matcher.js'
import { normaliseLang, type LanguageDetector } from '../match/lang.js'
import type { RuleEngine } from '../rules/rules.js'
import type { Scorer } from '../sentiment/index.js'
import type { ReplyDetection } from '../sources/types.js'
import type { MentionRecord } from '../store/index.js'

export interface Enricher {
  /** A storable record, or null when the draft does not really mention any brand. */
  enrich(draft: MentionDraft): MentionRecord | null
}

/**
 * What gets matched and scored. A reply's title is its thread's title (context, not its own
 * words), so replies are judged on their text alone; posts on title and text together.
 */
export function ownWords(d: Pick<MentionDraft, 'title' | 'text' | 'parentExternalId'>): string {
  if (d.parentExternalId || !d.title) return d.text
  // Not whitespace: a phrase must not match across the seam (title "…Acme", text "Cloud …").
  return d.text ? `${d.title} | ${d.text}` : d.title
}

/** Names of the brands that are competitors: a match naming only these is a competitor's. */
function competitorCheck(brands: readonly Brand[]): (names: readonly string[]) => boolean {
  const competitors = new Set(brands.filter((b) => b.competitor).map((b) => b.name))
  return (names) => names.length > 0 && competitors.size > 0 && names.every((n) => competitors.has(n))
}

/**
 * The language to store and match on, found at most once per draft: the upstream's when it
 * gave one, else the detector's when it is confident; undefined is "unknown".
 */
function languageOf(given: string | null | undefined, words: string, detector: LanguageDetector | undefined): () => string | undefined {
  let done = false
  let value: string | undefined
  return () => {
    if (!done) {
      done = true
      value = normaliseLang(given) ?? detector?.detect(words)
    }
    return value
  }
}

export interface Rematched extends Match {
  competitor: boolean
}

/** What `mentions rematch` needs from a stored mention. */
export type StoredForMatch = { text: string; title?: string | null; parentExternalId?: string | null; lang?: string | null }

/**
 * Matches stored mentions again after the brands changed: compiled once, then called per
 * mention. Null means the mention no longer matches any brand. A stored mention without a
 * language is detected again when a detector is given (older rows were stored without one).
 */
export function createRematcher(brands: readonly Brand[], detector?: LanguageDetector): (m: StoredForMatch) => Rematched | null {
  const matcher = compileMatcher(brands)
  const isCompetitor = competitorCheck(brands)
  return (m) => {
    const words = ownWords({
      text: m.text,
      ...(m.title ? { title: m.title } : {}),
      ...(m.parentExternalId ? { parentExternalId: m.parentExternalId } : {}),
    })
    const match = matcher.match(words, languageOf(m.lang, words, detector))
    return match === null ? null : { ...match, competitor: isCompetitor(match.brands) }
  }
}

export function createEnricher(opts: {
  source: string
  /** The configured name of the source instance (an rss feed's `name`), stored with each row. */
  sourceName?: string | undefined
  /** How the source tells the brand answered; 'none' (or no handles) makes answered unknown. Default 'thread'. */
  replies?: ReplyDetection
  brands: readonly Brand[]
  matcher: Matcher
  scorer: Scorer
  now: number
  /**
   * Finds the language when the upstream gives none. Without it only upstream languages are
   * stored, and a brand's `languages` filter applies to those alone.
   */
  detector?: LanguageDetector
  /** Routing rules, applied to what is stored (the store acts on them for new rows only). */
  rules?: RuleEngine
}): Enricher {
  const isCompetitor = competitorCheck(opts.brands)
  const byName = new Map(opts.brands.map((b) => [b.name.toLowerCase(), b.name]))
  // An item found on the brand's own channel is the brand's, whatever its words say; it comes
  // first among the brands it matched.
  const withOwner = (match: Match | null, about: string | undefined): Match | null => {
    const owner = about === undefined ? undefined : byName.get(about.toLowerCase())
    if (owner === undefined) return match
    if (!match) return { brands: [owner], terms: [] }
    return { brands: [owner, ...match.brands.filter((b) => b !== owner)], terms: match.terms }
  }
  const own = new Map<string, Set<string>>()
  for (const b of opts.brands) {
    own.set(b.name, new Set((b.handles[opts.source] ?? []).map((h) => h.replace(/^@/, '').toLowerCase())))
  }
  const replies = opts.replies ?? 'thread'
  const canAnswer = replies !== 'none'
  // A review's owner response is a field of the review itself: no handles needed to see it.
  const ownerAnswers = replies === 'owner-response'
  return {
    enrich(draft) {
      const words = ownWords(draft)
      const handle = draft.author?.handle?.replace(/^@/, '').toLowerCase()
      const owner = draft.about === undefined ? undefined : byName.get(draft.about.toLowerCase())
      const ownBrands =
        draft.byOwner && owner !== undefined ? [owner]
        : handle === undefined ? [] : opts.brands.filter((b) => own.get(b.name)?.has(handle)).map((b) => b.name)
      // The brand's own posts are kept even when they do not name it ("fixed now, sorry"):
      // they are how a mention is known to be answered. They never enter a queue.
      const lang = languageOf(draft.lang, words, opts.detector)
      const match = withOwner(opts.matcher.match(words, lang), draft.about) ?? (ownBrands.length ? { brands: ownBrands, terms: [] } : null)
      if (!match) return null
      const language = lang()
      const isOwn = ownBrands.length > 0
      const s = opts.scorer.score(words, { rating: draft.rating })
      const competitor = isCompetitor(match.brands)
      // The brand's own posts and competitors' mentions are never worked, so never routed.
      const routing =
        opts.rules && opts.rules.size > 0 && !isOwn && !competitor
          ? opts.rules.apply({
              source: opts.source, brands: match.brands, words, intent: s.intent, sentimentLabel: s.label,
              authorReach: draft.author?.reach ?? null, rating: draft.rating ?? null, lang: language ?? null,
            })
          : undefined
      // Fields listed, not spread: adapters build drafts with optional keys in varying order,
      // and copying such objects key by key was the slowest step of a pull (see bench/).
      return {
        externalId: draft.externalId,
        url: draft.url,
        canonicalUrl: draft.canonicalUrl,
        title: draft.title,
        text: draft.text,
        author: draft.author,
        createdAt: draft.createdAt,
        lang: language,
        parentExternalId: draft.parentExternalId,
        threadExternalId: draft.threadExternalId,
        metrics: draft.metrics,
        rating: draft.rating,
        about: draft.about,
        ownerReply: draft.ownerReply,
        source: opts.source,
        sourceName: opts.sourceName,
        brands: match.brands,
        terms: match.terms,
        isOwn,
        competitor,
        // A reply can only be recognised by the brand's handles on this source.
        // On the brand's own channel the adapter knows the owner's replies without handles.
        answerable: ownerAnswers || (canAnswer && (owner !== undefined || match.brands.some((b) => (own.get(b)?.size ?? 0) > 0))),
        sentimentLabel: s.label,
        sentimentScore: s.score,
        intent: s.intent,
        priority: 0,
        scorerVersion: opts.scorer.version,
        fetchedAt: opts.now,
        routing: routing && routing.hits.length > 0 ? routing : undefined,
      }
    },
  }
}
