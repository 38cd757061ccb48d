// Public surface of the scorer. Everything outside src/sentiment/ imports from here only.
export type { ExplainedToken, Explanation, Scorer, ScorerOptions, SentimentResult } from './types.js'
export { createScorer, normalize, labelOf, SCORER_VERSION } from './scorer.js'
