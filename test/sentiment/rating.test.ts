import { describe, expect, it } from 'vitest'
import { createScorer, ratingWeight } from '../../src/sentiment/index.js'

describe('a review\'s star rating as evidence', () => {
  const scorer = createScorer()

  it('weighs 1–2 stars toward negative and 4–5 toward positive; 3 stars and no rating weigh nothing', () => {
    expect([1, 2, 3, 4, 5].map(ratingWeight)).toEqual([-4, -2, 0, 2, 4])
    expect(ratingWeight(undefined)).toBe(0)
    expect(ratingWeight(null)).toBe(0)
    expect(ratingWeight(Number.NaN)).toBe(0)
  })

  it('turns a warm-worded one-star review into a negative, and says why', () => {
    const text = 'Love the design, it updated yesterday'
    expect(scorer.score(text).label).toBe('positive')
    expect(scorer.score(text, { rating: 1 }).label).toBe('negative')
    const why = scorer.explain(text, { rating: 1 })
    expect(why.label).toBe('negative')
    expect(why.rules).toContain('rating: 1★ -4')
  })

  it('lets a five-star rating lift a neutral text', () => {
    expect(scorer.score('Does what it says').label).toBe('neutral')
    expect(scorer.score('Does what it says', { rating: 5 }).label).toBe('positive')
  })
})
