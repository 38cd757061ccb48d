// How much a mention needs a person now: one number from 0 up, explainable part by part.
// The queues sort by it in SQL and `show` explains it in TypeScript; both are built from the
// weights below, and a contract test checks they agree, so the order a person sees is the
// one the breakdown explains.
import type { Intent, SentimentLabel } from '../model.js'

/** The mentions columns the stored part of the priority is computed from. */
export type PriorityColumn = 'sentiment_label' | 'sentiment_score' | 'intent' | 'author_reach' | 'likes' | 'reposts' | 'replies' | 'score' | 'rating' | 'boost'

/** What the number is made of, all from stored columns. */
export interface PriorityInput {
  sentimentLabel: SentimentLabel
  sentimentScore: number
  intent: Intent
  authorReach: number | null
  likes: number | null
  reposts: number | null
  replies: number | null
  score: number | null
  rating: number | null
  /** Points a routing rule added ("priority": "high"). */
  boost: number
  answered: boolean | null
  createdAt: number
}

export interface PriorityPart {
  factor: 'negativity' | 'intent' | 'reach' | 'engagement' | 'rating' | 'rule' | 'answered' | 'age'
  points: number
  why: string
}

export interface Priority {
  score: number
  parts: PriorityPart[]
}

/**
 * The weights. Negativity and intent lead (a complaint or question needs a person, chatter
 * does not); reach and engagement grow with the logarithm (10k followers is not 100× 100);
 * a low star rating is a customer telling the world; an answered mention mostly drops out;
 * age takes a little off each day, so yesterday's fire ranks below today's.
 */
export const WEIGHTS = {
  negativeBase: 10,
  negativePerScore: 20,
  intent: { complaint: 20, question: 15, praise: 0, other: 0 } satisfies Record<Intent, number>,
  reachPerDecade: 4,
  reachMax: 20,
  engagementPerDecade: 4,
  engagementMax: 12,
  rating: { 1: 15, 2: 8 } as Record<number, number>,
  answered: -40,
  agePerDay: -3,
  ageMax: -20,
} as const

/** Rule priorities as points. */
export const RULE_PRIORITY = { urgent: 40, high: 25, normal: 0, low: -15 } as const
export type RulePriority = keyof typeof RULE_PRIORITY

const DAY = 86_400_000
const round1 = (n: number) => Math.round(n * 10) / 10

function engagementOf(i: Pick<PriorityInput, 'likes' | 'reposts' | 'replies' | 'score'>): number {
  // Reposts and replies spread a post further than a like does.
  return Math.max(0, i.likes ?? 0) + 2 * Math.max(0, i.reposts ?? 0) + 2 * Math.max(0, i.replies ?? 0) + Math.max(0, i.score ?? 0)
}

/** Each factor's points, unrounded, in the order the parts are listed and summed. */
function rawPoints(i: PriorityInput, now: number): [number, number, number, number, number, number, number, number] {
  return [
    i.sentimentLabel === 'negative' ? WEIGHTS.negativeBase + WEIGHTS.negativePerScore * Math.max(0, -i.sentimentScore) : 0,
    WEIGHTS.intent[i.intent],
    Math.min(WEIGHTS.reachMax, WEIGHTS.reachPerDecade * Math.log10(Math.max(0, i.authorReach ?? 0) + 1)),
    Math.min(WEIGHTS.engagementMax, WEIGHTS.engagementPerDecade * Math.log10(engagementOf(i) + 1)),
    i.rating !== null ? (WEIGHTS.rating[Math.round(i.rating)] ?? 0) : 0,
    i.boost,
    i.answered === true ? WEIGHTS.answered : 0,
    Math.max(WEIGHTS.ageMax, WEIGHTS.agePerDay * (Math.max(0, now - i.createdAt) / DAY)),
  ]
}

/**
 * The number alone, as priorityOf scores it (lists show it for every row; the breakdown's
 * wording is for `show`). A part that rounds to 0 adds nothing to the sum, so summing every
 * part gives the same number as summing the listed ones.
 */
export function priorityScore(i: PriorityInput, now: number): number {
  let sum = 0
  for (const points of rawPoints(i, now)) sum += round1(points)
  return Math.max(0, round1(sum))
}

export function priorityOf(i: PriorityInput, now: number): Priority {
  const [negativity, intent, reachPoints, engagementPoints, rating, rule, answered, age] = rawPoints(i, now)
  const parts: PriorityPart[] = []
  const add = (factor: PriorityPart['factor'], points: number, why: string) => {
    const p = round1(points)
    if (p !== 0) parts.push({ factor, points: p, why })
  }
  if (i.sentimentLabel === 'negative') add('negativity', negativity, `negative (${i.sentimentScore.toFixed(2)})`)
  add('intent', intent, i.intent)
  add('reach', reachPoints, `author reach ${Math.max(0, i.authorReach ?? 0)}`)
  add('engagement', engagementPoints, `engagement ${engagementOf(i)}`)
  if (i.rating !== null) add('rating', rating, `${i.rating}★ review`)
  add('rule', rule, 'routing rule')
  if (i.answered === true) add('answered', answered, 'the brand replied')
  const days = Math.max(0, now - i.createdAt) / DAY
  add('age', age, `${days < 1 ? `${Math.round(days * 24)}h` : `${Math.round(days)}d`} old`)
  // Never below zero: nothing needs a person less than not at all.
  const score = Math.max(0, round1(parts.reduce((s, p) => s + p.points, 0)))
  return { score, parts }
}

/** The SQL engines the priority expressions are written for, and how each spells its functions. */
export type SqlDialect = 'sqlite' | 'postgres'
const FUNCTIONS: Record<SqlDialect, { max: string; min: string; log10: string; round: (x: string) => string; real: string }> = {
  // SQLite's two-argument min/max are scalar; PostgreSQL's min/max are aggregates.
  // PostgreSQL rounds a double half to even (2.5 → 2) where SQLite and Math.round go half away
  // from zero (2.5 → 3); numeric's round goes away from zero, so a 2.5★ review scores alike.
  // PostgreSQL divides a bigint by 86400000.0 in numeric; dividing by a double is SQLite's
  // arithmetic to the last bit, so equal ages compare equal on both engines.
  sqlite: { max: 'max', min: 'min', log10: 'log10', round: (x) => `round(${x})`, real: '.0' },
  postgres: { max: 'greatest', min: 'least', log10: 'log', round: (x) => `round((${x})::numeric)`, real: '::float8' },
}

/**
 * The part of the number that depends on the mention alone (negativity, intent, reach,
 * engagement, rating, rule boost), as an SQL expression over a mentions row `m`. It is kept
 * in mentions.priority by every write, so a queue can walk an index in its order: the parts
 * that change with time or elsewhere (answered, age) only ever take points away, so the
 * stored value bounds the full one from above. The engine must have log10, and min and max
 * of two arguments (SQLite's math functions). `c` names where each input is read: an
 * insert reads its bound parameters instead of the row.
 */
export function contentPrioritySql(c: (column: PriorityColumn) => string = (column) => `m.${column}`, dialect: SqlDialect = 'sqlite'): string {
  const { max, min, log10, round } = FUNCTIONS[dialect]
  const w = WEIGHTS
  const intent = Object.entries(w.intent).filter(([, p]) => p !== 0).map(([k, p]) => `WHEN '${k}' THEN ${p}`).join(' ')
  const rating = Object.entries(w.rating).map(([k, p]) => `WHEN ${k} THEN ${p}`).join(' ')
  const engagement = `(${max}(0, coalesce(${c('likes')}, 0)) + 2 * ${max}(0, coalesce(${c('reposts')}, 0)) + 2 * ${max}(0, coalesce(${c('replies')}, 0)) + ${max}(0, coalesce(${c('score')}, 0)))`
  return `(
    CASE WHEN ${c('sentiment_label')} = 'negative' THEN ${w.negativeBase} + ${w.negativePerScore} * ${max}(0, -${c('sentiment_score')}) ELSE 0 END
    + CASE ${c('intent')} ${intent} ELSE 0 END
    + ${min}(${w.reachMax}, ${w.reachPerDecade} * ${log10}(${max}(0, coalesce(${c('author_reach')}, 0)) + 1))
    + ${min}(${w.engagementMax}, ${w.engagementPerDecade} * ${log10}(${engagement} + 1))
    + CASE WHEN ${c('rating')} IS NULL THEN 0 ELSE CASE CAST(${round(c('rating'))} AS INTEGER) ${rating} ELSE 0 END END
    + ${c('boost')}
  )`
}

/** What answered and age can take away at most: the slack between stored and full priority. */
export const MAX_DYNAMIC_DROP = -(WEIGHTS.answered + WEIGHTS.ageMax)

/**
 * The whole number as an SQL expression over a mentions row `m`, given the stored content
 * part (`m.priority`). `answered` is an SQL boolean expression; `now` a bound parameter name.
 * Rounding happens in TypeScript only: the order is the same.
 */
export function prioritySql(opts: { answered: string; now: string; dialect?: SqlDialect }): string {
  const { max, real } = FUNCTIONS[opts.dialect ?? 'sqlite']
  const w = WEIGHTS
  return `${max}(0, m.priority
    + CASE WHEN ${opts.answered} THEN ${w.answered} ELSE 0 END
    + ${max}(${w.ageMax}, ${w.agePerDay} * ${max}(0, ${opts.now} - m.created_at) / ${DAY}${real})
  )`
}

/**
 * An upper bound of prioritySql that reads only the mentions row (stored part and age), so a
 * walk can test it on index columns before it looks up replies or triage. It is prioritySql
 * with "not answered", the same arithmetic term by term: answered only ever subtracts, and
 * floating-point addition is monotonic, so the bound is never below the full number.
 */
export function priorityBoundSql(opts: { now: string; dialect?: SqlDialect }): string {
  return prioritySql({ answered: opts.dialect === 'postgres' ? 'false' : '0', now: opts.now, ...(opts.dialect ? { dialect: opts.dialect } : {}) })
}
