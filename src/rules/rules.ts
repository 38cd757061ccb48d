// Routing rules: the team's "who handles what" plan, in the config. Pure: a rule set is
// compiled once, then asked about each new mention; what it answers is applied by the store
// (assignee, tags, priority points) and written to the event log.
import type { Brand, Intent, SentimentLabel } from '../model.js'
import { compileMatcher, type Matcher } from '../match/matcher.js'
import { RULE_PRIORITY, type RulePriority } from './priority.js'

export interface RuleWhen {
  intent?: Intent[]
  sentiment?: SentimentLabel[]
  source?: string[]
  brand?: string[]
  /** Any of these words or phrases (the brand-term syntax: bare words whole, "quoted phrases"). */
  terms?: string[]
  minReach?: number
  /** Reviews with at most this many stars. */
  maxRating?: number
  lang?: string[]
}

export interface Rule {
  name: string
  when: RuleWhen
  assign?: string
  priority?: RulePriority
  tag?: string[]
  /** Later rules are not asked once this one matched. */
  stop?: boolean
}

/** What a rule engine needs of a mention: known once it has been matched and scored. */
export interface RuleSubject {
  source: string
  brands: readonly string[]
  /** Its own words (title and text, as matched). */
  words: string
  intent: Intent
  sentimentLabel: SentimentLabel
  authorReach: number | null
  rating: number | null
  lang: string | null
}

export interface RuleHit {
  rule: string
  assign?: string
  priority?: RulePriority
  tags?: string[]
}

export interface RuleOutcome {
  /** The first matching rule that assigns wins: a later one never takes an item away. */
  assignee?: string
  tags: string[]
  /** Priority points: the highest raise among matching rules, else the deepest lowering. */
  boost: number
  hits: RuleHit[]
}

export interface RuleEngine {
  readonly size: number
  apply(m: RuleSubject): RuleOutcome
}

const lower = (xs: readonly string[] | undefined) => (xs ? new Set(xs.map((x) => x.toLowerCase())) : undefined)

export function compileRules(rules: readonly Rule[]): RuleEngine {
  const compiled = rules.map((r) => {
    // The brand matcher does the term matching, so rules read phrases exactly as brands do.
    const terms: Matcher | undefined = r.when.terms?.length
      ? compileMatcher([{ name: r.name, terms: r.when.terms, exclude: [], require: [], languages: [], competitor: false, handles: {} } satisfies Brand])
      : undefined
    return { rule: r, terms, brands: lower(r.when.brand), sources: lower(r.when.source), langs: lower(r.when.lang) }
  })
  return {
    size: rules.length,
    apply(m) {
      const out: RuleOutcome = { tags: [], boost: 0, hits: [] }
      const points: number[] = []
      for (const { rule, terms, brands, sources, langs } of compiled) {
        const w = rule.when
        if (w.intent && !w.intent.includes(m.intent)) continue
        if (w.sentiment && !w.sentiment.includes(m.sentimentLabel)) continue
        if (sources && !sources.has(m.source.toLowerCase())) continue
        if (brands && !m.brands.some((b) => brands.has(b.toLowerCase()))) continue
        if (langs && (m.lang === null || !langs.has(m.lang))) continue
        if (w.minReach !== undefined && (m.authorReach ?? 0) < w.minReach) continue
        if (w.maxRating !== undefined && (m.rating === null || m.rating > w.maxRating)) continue
        if (terms && terms.match(m.words) === null) continue
        const hit: RuleHit = { rule: rule.name }
        if (rule.assign !== undefined && out.assignee === undefined) {
          out.assignee = rule.assign
          hit.assign = rule.assign
        }
        if (rule.priority !== undefined) {
          points.push(RULE_PRIORITY[rule.priority])
          hit.priority = rule.priority
        }
        const fresh = (rule.tag ?? []).filter((t) => !out.tags.includes(t))
        if (fresh.length) {
          out.tags.push(...fresh)
          hit.tags = fresh
        }
        out.hits.push(hit)
        if (rule.stop) break
      }
      // A raise beats a lowering: one rule saying "urgent" is not undone by another's "low".
      out.boost = points.length === 0 ? 0 : points.some((p) => p > 0) ? Math.max(...points) : Math.min(...points)
      return out
    },
  }
}
