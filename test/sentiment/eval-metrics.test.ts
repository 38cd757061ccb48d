import { describe, expect, it } from 'vitest'
import { bucket, computeMetrics, median } from '../../bench/eval-metrics.js'

describe('computeMetrics', () => {
  it('computes per-class precision, recall, F1, macro-F1 and accuracy', () => {
    const gold = ['negative', 'negative', 'negative', 'neutral', 'positive', 'positive'] as const
    const pred = ['negative', 'negative', 'neutral', 'neutral', 'negative', 'positive']
    const m = computeMetrics(gold, pred, ['negative', 'neutral', 'positive'] as const)
    // negative: tp 2, predicted 3, gold 3
    expect(m.perClass.negative.precision).toBeCloseTo(2 / 3)
    expect(m.perClass.negative.recall).toBeCloseTo(2 / 3)
    expect(m.perClass.negative.f1).toBeCloseTo(2 / 3)
    // neutral: tp 1, predicted 2, gold 1
    expect(m.perClass.neutral.precision).toBeCloseTo(0.5)
    expect(m.perClass.neutral.recall).toBe(1)
    expect(m.perClass.neutral.f1).toBeCloseTo(2 / 3)
    // positive: tp 1, predicted 1, gold 2
    expect(m.perClass.positive.f1).toBeCloseTo(2 / 3)
    expect(m.perClass.positive.support).toBe(2)
    expect(m.macroF1).toBeCloseTo(2 / 3)
    expect(m.accuracy).toBeCloseTo(4 / 6)
    expect(m.n).toBe(6)
  })

  it('counts a prediction outside the classes as wrong and a class never predicted as F1 0', () => {
    const m = computeMetrics(['negative', 'positive'] as const, ['neutral', 'positive'], ['negative', 'positive'] as const)
    expect(m.perClass.negative).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 })
    expect(m.perClass.positive.f1).toBe(1)
    expect(m.macroF1).toBe(0.5)
    expect(m.accuracy).toBe(0.5)
  })

  it('refuses lists of different lengths', () => {
    expect(() => computeMetrics(['negative'] as const, [], ['negative'] as const)).toThrow(/1 items but predicted has 0/)
  })
})

describe('bucket', () => {
  it('uses ±0.05 by default, inclusive', () => {
    expect(bucket(0.05)).toBe('positive')
    expect(bucket(0.049)).toBe('neutral')
    expect(bucket(-0.05)).toBe('negative')
    expect(bucket(-2.3)).toBe('negative')
    expect(bucket(0.5, 1)).toBe('neutral')
  })
})

describe('median', () => {
  it('takes the middle, or the mean of the two middles', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 3, 2])).toBe(2.5)
    expect(() => median([])).toThrow()
  })
})
