// Triage use cases: change states and assignees, read the event log, try the routing rules.
// They return data; the CLI says what happened.
import { UsageError } from '../errors.js'
import type { Mention } from '../model.js'
import { compileRules, type RuleOutcome } from '../rules/rules.js'
import type { MentionEvent, TriageChange, TriageResult } from '../store/index.js'
import type { Deps } from './deps.js'
import { checkListQuery, type ListQuery } from './queues.js'
import { ownWords } from './records.js'

export async function triage(deps: Deps, ids: readonly number[], change: TriageChange, actor: string): Promise<TriageResult[]> {
  if (ids.length === 0) throw new UsageError('give at least one mention id (or - to read ids from stdin)')
  if (change.kind === 'snooze' && change.until <= deps.now()) throw new UsageError('--until must be in the future')
  if (change.kind === 'note' && !change.text.trim()) throw new UsageError('a note needs some text')
  return deps.store().triage.apply(ids, change, actor, deps.now())
}

export async function eventLog(deps: Deps, f: { since?: number; mentionId?: number; limit?: number }): Promise<MentionEvent[]> {
  return deps.readStore().triage.log(f)
}

export interface RuleTrial {
  mention: Mention
  outcome: RuleOutcome
  /** What would change if the rules had run on it: an assignee it lacks, tags it lacks. */
  wouldAssign: string | null
  wouldTag: string[]
}

/**
 * What the configured rules would do to stored mentions (created in the window), without
 * changing anything: read-only, like every read command.
 */
export async function testRules(deps: Deps, q: ListQuery = {}): Promise<RuleTrial[]> {
  checkListQuery(deps, q)
  const config = deps.config()
  if (config.rules.length === 0) throw new UsageError('no rules configured: add "rules" to the config (see README, "Routing rules")')
  const engine = compileRules(config.rules)
  const trials: RuleTrial[] = []
  const filter = {
    ...(q.brands?.length ? { brands: q.brands } : {}),
    ...(q.sources?.length ? { sources: q.sources } : {}),
    ...(q.since !== undefined ? { since: q.since } : {}),
    ...(q.until !== undefined ? { until: q.until } : {}),
    now: deps.now(),
  }
  for await (const chunk of deps.readStore().mentions.iterate(filter)) {
    for (const m of chunk) {
      if (m.isOwn || m.competitor) continue
      const outcome = engine.apply({
        source: m.source,
        brands: m.brands,
        words: ownWords({ text: m.text, ...(m.title ? { title: m.title } : {}), ...(m.parentExternalId ? { parentExternalId: m.parentExternalId } : {}) }),
        intent: m.intent,
        sentimentLabel: m.sentimentLabel,
        authorReach: m.authorReach,
        rating: m.rating,
        lang: m.lang,
      })
      if (outcome.hits.length === 0) continue
      trials.push({
        mention: m,
        outcome,
        wouldAssign: outcome.assignee !== undefined && m.assignee === null ? outcome.assignee : null,
        wouldTag: outcome.tags.filter((t) => !m.tags.includes(t)),
      })
    }
  }
  return trials
}
