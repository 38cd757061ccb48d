// `mentions rematch`: applies the current brand queries to stored mentions. A mention that no
// longer matches leaves the queues (state ignored, with an event saying why); nothing is
// deleted, and a mention a rematch put aside comes back when a later query matches it again.
import { compileExplainer, type BrandExplanation } from '../match/explain.js'
import { loadLanguageDetector, resolveLanguage } from '../match/lang.js'
import type { RematchChange } from '../store/index.js'
import type { Deps } from './deps.js'
import { createRematcher, ownWords } from './records.js'

export interface RematchItem {
  id: number
  before: { brands: string[]; terms: string[] }
  /** null: it matches no brand now and leaves the queues. */
  after: { brands: string[]; terms: string[]; competitor: boolean } | null
  reason: string
}

export interface RematchResult {
  examined: number
  /** What changed (or, with dryRun, what would). */
  changes: RematchItem[]
  dryRun: boolean
}

function describe(e: BrandExplanation): string {
  switch (e.reason) {
    case 'excluded':
      return `${e.brand}: excluded by "${e.excludedBy?.term ?? '?'}"`
    case 'no-required-context':
      return `${e.brand}: none of its required words`
    case 'language':
      return `${e.brand}: language not in ${e.languages.accepted.join(', ')}`
    case 'no-term':
      return `${e.brand}: no term found`
    default:
      return `${e.brand}: matched`
  }
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i])

export async function rematch(deps: Deps, opts: { dryRun?: boolean; actor: string; chunk?: number }): Promise<RematchResult> {
  const brands = deps.config().brands
  const detector = await loadLanguageDetector()
  const decide = createRematcher(brands, detector)
  const explain = compileExplainer(brands)
  const store = opts.dryRun ? deps.readStore() : deps.store()
  const changes: RematchItem[] = []
  let examined = 0
  for await (const chunk of store.mentions.texts(opts.chunk ?? 1000)) {
    examined += chunk.length
    const batch: RematchChange[] = []
    for (const m of chunk) {
      const after = decide(m)
      const unchanged = after !== null && same(after.brands, m.brands) && same(after.terms, m.terms) && after.competitor === m.competitor
      if (unchanged && !m.ignoredByRematch) continue
      if (after === null && m.ignoredByRematch) continue
      // Reasons only for what changed: the explainer is slower than the matcher.
      const words = ownWords(m)
      const why = explain(words, resolveLanguage(m.lang, words, detector))
      const reason =
        after === null
          ? why.brands.filter((b) => m.brands.includes(b.brand)).map(describe).join('; ') || 'no brand matches'
          : m.ignoredByRematch && unchanged
            ? 'matches again'
            : why.brands.filter((b) => b.verdict === 'matched' || m.brands.includes(b.brand)).map(describe).join('; ')
      changes.push({ id: m.id, before: { brands: m.brands, terms: m.terms }, after, reason })
      batch.push({ id: m.id, match: after, reason })
    }
    // Writes go between chunks: each chunk is its own keyset read, so nothing is open.
    if (!opts.dryRun && batch.length > 0) await store.mentions.applyRematch(batch, opts.actor, deps.now())
  }
  return { examined, changes, dryRun: opts.dryRun ?? false }
}
