// `mentions score`, `mentions label` and `mentions rescore`.
import { NotFoundError } from '../errors.js'
import type { Intent, SentimentLabel } from '../model.js'
import type { Explanation, Scorer, SentimentResult } from '../sentiment/index.js'
import type { Deps } from './deps.js'
import { ownWords } from './records.js'

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
export function rescore(deps: Deps, opts: { all?: boolean; batch?: number } = {}): RescoreResult {
  const scorer = deps.scorer()
  const store = deps.store()
  const batchSize = opts.batch ?? 500
  // Read everything first: SQLite cannot write on a connection while a read cursor is open.
  const stale = [...store.mentions.staleScores(scorer.version, opts.all ?? false)]
  let changed = 0
  for (let i = 0; i < stale.length; i += batchSize) {
    const batch = stale.slice(i, i + batchSize).map((m) => {
      const s = scorer.score(ownWords(m))
      return { id: m.id, label: s.label, score: s.score, intent: s.intent }
    })
    changed += store.mentions.applyScores(scorer.version, batch)
  }
  return { version: scorer.version, examined: stale.length, changed }
}

export function label(
  deps: Deps,
  id: number,
  change: { sentiment?: SentimentLabel; intent?: Intent },
  actor: string,
): void {
  if (!deps.store().mentions.setLabel(id, change, actor, deps.now())) {
    throw new NotFoundError(`no mention with id ${id}`)
  }
}
