// The pure middle of the pipeline: match → score → decide ownership. No I/O.
import type { Brand, MentionDraft } from '../model.js'
import type { Matcher } from '../match/matcher.js'
import type { Scorer } from '../sentiment/index.js'
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

export function createEnricher(opts: {
  source: string
  brands: readonly Brand[]
  matcher: Matcher
  scorer: Scorer
  now: number
}): Enricher {
  const own = new Map<string, Set<string>>()
  for (const b of opts.brands) {
    own.set(b.name, new Set((b.handles[opts.source] ?? []).map((h) => h.replace(/^@/, '').toLowerCase())))
  }
  return {
    enrich(draft) {
      const words = ownWords(draft)
      const handle = draft.author?.handle?.replace(/^@/, '').toLowerCase()
      const ownBrands = handle === undefined ? [] : opts.brands.filter((b) => own.get(b.name)?.has(handle)).map((b) => b.name)
      // The brand's own posts are kept even when they do not name it ("fixed now, sorry"):
      // they are how a mention is known to be answered. They never enter a queue.
      const match = opts.matcher.match(words) ?? (ownBrands.length ? { brands: ownBrands, terms: [] } : null)
      if (!match) return null
      const isOwn = ownBrands.length > 0
      const s = opts.scorer.score(words)
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
        lang: draft.lang,
        parentExternalId: draft.parentExternalId,
        threadExternalId: draft.threadExternalId,
        metrics: draft.metrics,
        source: opts.source,
        brands: match.brands,
        terms: match.terms,
        isOwn,
        competitor: false,
        sentimentLabel: s.label,
        sentimentScore: s.score,
        intent: s.intent,
        priority: 0,
        scorerVersion: opts.scorer.version,
        fetchedAt: opts.now,
      }
    },
  }
}
