// Public surface of the scorer. Everything outside src/sentiment/ imports from here only.
import Sentiment from 'sentiment'
import type { Intent, SentimentLabel } from '../model.js'

export interface SentimentResult {
  label: SentimentLabel
  /** Normalised to [-1, 1]. */
  score: number
  intent: Intent
}

export interface ExplainedToken {
  token: string
  /** Contribution to the raw score after every rule applied. */
  weight: number
  /** Rules that changed this token's weight (e.g. "negated", "after-contrast"). */
  rules: string[]
}

export interface Explanation extends SentimentResult {
  tokens: ExplainedToken[]
  /** Sentence-level rules that fired (e.g. "question", "exclamation-emphasis"). */
  rules: string[]
}

export interface Scorer {
  /** Stored with each row; changes whenever the scorer, lexicon or user words change. */
  readonly version: string
  score(text: string): SentimentResult
  explain(text: string): Explanation
}

export interface ScorerOptions {
  /** User lexicon additions from config (`sentiment.words`), -5 … 5. */
  words?: Record<string, number>
}

// First cut: AFINN through the `sentiment` package. Issue 3 replaces the internals.
export function createScorer(opts: ScorerOptions = {}): Scorer {
  const engine = new Sentiment()
  const extras = opts.words ?? {}
  const userTag = Object.keys(extras).length ? `+u${Object.keys(extras).length}` : ''
  const version = `afinn-1${userTag}`
  const run = (text: string) => engine.analyze(text, { extras })
  const label = (comparative: number): SentimentLabel =>
    comparative < -0.05 ? 'negative' : comparative > 0.05 ? 'positive' : 'neutral'
  const toResult = (r: ReturnType<typeof run>): SentimentResult => {
    const score = Math.max(-1, Math.min(1, r.comparative / 2))
    return { label: label(r.comparative), score, intent: 'other' }
  }
  return {
    version,
    score: (text) => toResult(run(text)),
    explain: (text) => {
      const r = run(text)
      return {
        ...toResult(r),
        tokens: r.calculation.map((c) => {
          const [token, weight] = Object.entries(c)[0] ?? ['', 0]
          return { token, weight, rules: [] }
        }),
        rules: [],
      }
    },
  }
}
