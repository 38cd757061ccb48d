// `mentions score`, `mentions label` and `mentions rescore`.
import { NotFoundError } from '../errors.js'
import type { Config } from '../config/load.js'
import { parseTerm } from '../match/terms.js'
import type { Brand, Intent, SentimentLabel } from '../model.js'
import { createScorer } from '../sentiment/index.js'
import type { Explanation, Scorer, SentimentResult } from '../sentiment/index.js'
import type { Deps } from './deps.js'

export function scoreLine(scorer: Scorer, text: string, explain: boolean): SentimentResult | Explanation {
  return explain ? scorer.explain(text) : scorer.score(text)
}

export interface RescoreResult {
  version: string
  examined: number
  changed: number
}

/**
 * Re-scores stored mentions whose scorer version differs from the current one (or every
 * mention with `all`). Human labels survive: the store never overwrites a human-set field.
 */
export async function rescore(deps: Deps, opts: { all?: boolean; batch?: number } = {}): Promise<RescoreResult> {
  // Loaded here, not at the top: `mentions score` imports this module and never needs the
  // matcher and language code that come with records.js.
  const { ownWords } = await import('./records.js')
  const scorer = deps.scorer()
  const store = deps.store()
  let examined = 0
  let changed = 0
  // Chunks are keyset pages by id, so writing a chunk's scores never disturbs the next read.
  for await (const chunk of store.mentions.staleScores(scorer.version, opts.all ?? false, opts.batch ?? 1000)) {
    examined += chunk.length
    const scores = chunk.map((m) => {
      const s = scorer.score(ownWords(m), { rating: m.rating })
      return { id: m.id, label: s.label, score: s.score, intent: s.intent }
    })
    changed += await store.mentions.applyScores(scorer.version, scores)
  }
  return { version: scorer.version, examined, changed }
}

export async function label(
  deps: Deps,
  id: number,
  change: { sentiment?: SentimentLabel; intent?: Intent },
  actor: string,
): Promise<void> {
  if (!(await deps.store().mentions.setLabel(id, change, actor, deps.now()))) {
    throw new NotFoundError(`no mention with id ${id}`)
  }
}

/**
 * The words that name the configured brands (their names and terms): the scorer weighs them
 * nothing, so "United" or "Best Buy" never reads as praise. Exclusions are not names.
 */
export function brandNames(brands: readonly Brand[]): string[] {
  const names = new Set<string>()
  for (const b of brands) {
    names.add(b.name)
    for (const t of b.terms) names.add(parseTerm(t).text)
  }
  return [...names].filter((n) => n !== '')
}

/** The scorer a config asks for: its lexicon additions, and its brands' names at zero. */
export function scorerFor(config: Pick<Config, 'brands' | 'sentiment'> | undefined): Scorer {
  return createScorer({ words: config?.sentiment.words ?? {}, names: config ? brandNames(config.brands) : [] })
}
