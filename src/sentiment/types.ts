// The scorer's public types; index.ts re-exports them.
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
  /** Rules that changed this token's weight (e.g. "negated by 'not' ×-0.75", "caps ×1.5"). */
  rules: string[]
}

export interface Explanation extends SentimentResult {
  tokens: ExplainedToken[]
  /** Sentence-level rules that fired (e.g. "emphasis: 3×'!'", "complaint: service failure 'on hold'"). */
  rules: string[]
  /** Sum of the token weights before normalisation; score = normalize(raw). */
  raw?: number
}

/** What is known about a text besides its words. */
export interface Evidence {
  /** A review's star rating, 1–5: 1–2 stars weigh toward negative, 4–5 toward positive. */
  rating?: number | null | undefined
}

export interface Scorer {
  /** Stored with each row; changes whenever the scorer, lexicon or user words change. */
  readonly version: string
  score(text: string, evidence?: Evidence): SentimentResult
  explain(text: string, evidence?: Evidence): Explanation
}

export interface ScorerOptions {
  /** User lexicon additions from config (`sentiment.words`), -5 … 5. Keys may be phrases. */
  words?: Record<string, number>
  /**
   * Brand and product names (a brand's terms): they name, not judge, so they weigh nothing even
   * when they are also words ("United", "Best Buy", "Glad"). Keys may be phrases.
   */
  names?: readonly string[]
}
