// Public surface of the scorer. Everything outside src/sentiment/ imports from here only.
export type { Evidence, ExplainedToken, Explanation, Scorer, ScorerOptions, SentimentResult } from './types.js'
export { createScorer, normalize, labelOf, ratingWeight, SCORER_VERSION } from './scorer.js'
