// The spike detector on synthetic series: seeded Poisson noise around a level, so every
// expectation is one fixed series and never depends on the clock.
import { describe, expect, it } from 'vitest'
import {
  detectSpikes,
  fillBuckets,
  markActive,
  resolveSpikeRule,
  spikeSettingsProblems,
  type SeriesBucket,
  type SpikeRule,
} from '../../src/rules/spikes.js'

const DAY = 86_400_000
const T0 = Date.UTC(2026, 9, 1)
const day = (i: number) => T0 + i * DAY

/** mulberry32: a small seeded generator, so a "random" series is the same on every run. */
function rng(seed: number): () => number {
  let s = seed
  return () => {
    s = (s + 0x6d2b79f5) | 0
    let t = Math.imul(s ^ (s >>> 15), 1 | s)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function poisson(r: () => number, mean: number): number {
  const limit = Math.exp(-mean)
  let k = 0
  let p = 1
  do {
    k++
    p *= r()
  } while (p > limit)
  return k - 1
}

/** Daily buckets from T0: a Poisson count around each level, each mention negative with probability `negShare`. */
function noisy(levels: readonly number[], seed: number, negShare = 0.1): SeriesBucket[] {
  const r = rng(seed)
  return levels.map((level, i) => {
    const total = poisson(r, level)
    let negative = 0
    for (let j = 0; j < total; j++) if (r() < negShare) negative++
    return { start: day(i), total, negative }
  })
}

/** Exact counts, no noise: [total, negative] per day from T0. */
const exact = (counts: readonly (readonly [number, number])[]): SeriesBucket[] => counts.map(([total, negative], i) => ({ start: day(i), total, negative }))
const flat = (n: number, total: number, negative = 0) => Array.from({ length: n }, () => [total, negative] as const)

const rule: SpikeRule = resolveSpikeRule({})
const fired = (buckets: SeriesBucket[], r: SpikeRule = rule, firstAt?: number) =>
  detectSpikes({ buckets, ...(firstAt !== undefined ? { firstAt } : {}) }, r).map((s) => [(s.bucketStart - T0) / DAY, s.kind])

describe('resolveSpikeRule', () => {
  it('defaults to day buckets, a 14-day baseline, half of it as history, z 4, a 3-bucket cooldown', () => {
    expect(rule).toEqual({ bucketMs: DAY, baselineBuckets: 14, minHistory: 7, sensitivity: 4, cooldownBuckets: 3, minCount: 10, shareMargin: 0.2 })
    expect(resolveSpikeRule({ bucket: '1h', baseline: '2d', cooldown: '90m' })).toMatchObject({ bucketMs: 3_600_000, baselineBuckets: 48, minHistory: 24, cooldownBuckets: 2 })
  })

  it('names the key of settings that cannot run', () => {
    expect(spikeSettingsProblems({ bucket: '1d', baseline: '2d' }).map((p) => p.key)).toEqual(['baseline'])
    expect(spikeSettingsProblems({ bucket: '1m', baseline: '14d' })[0]?.message).toContain('at most 2000')
    expect(spikeSettingsProblems({ minHistory: 15 })).toEqual([{ key: 'minHistory', message: "at most the baseline's 14 buckets of 1d" }])
    expect(spikeSettingsProblems({ bucket: '1d', baseline: '14d', minHistory: 14 })).toEqual([])
    expect(() => resolveSpikeRule({ cooldown: 'soon' })).toThrow(/cooldown/)
  })
})

describe('detectSpikes', () => {
  it('fires on a jump, once, with the median, the z and a why', () => {
    const buckets = noisy(Array(40).fill(20), 3)
    buckets[30] = { start: day(30), total: 64, negative: 6 }
    const spikes = detectSpikes({ buckets }, rule)
    expect(spikes).toHaveLength(1)
    const [s] = spikes
    expect(s).toMatchObject({ kind: 'volume', bucketStart: day(30), bucketEnd: day(31), value: 64 })
    expect(s?.baseline).toBe(20.5)
    expect(s?.score).toBeGreaterThan(8)
    expect(s?.why).toMatch(/^64 mentions in 1d vs a median of 20\.5 \(z \d+\.\d\)$/)
  })

  it('stays quiet over 200 days of steady noise', () => {
    expect(fired(noisy(Array(200).fill(20), 3))).toEqual([])
  })

  it('catches a slow climb that no single bucket makes a volume spike', () => {
    // Three weeks at 20 a day, then 1.5 more each day.
    const buckets = noisy([...Array(21).fill(20), ...Array.from({ length: 20 }, (_, k) => 20 + 1.5 * (k + 1))], 1)
    const spikes = detectSpikes({ buckets }, rule)
    expect(spikes.map((s) => [(s.bucketStart - T0) / DAY, s.kind])).toEqual([
      [26, 'climb'],
      [33, 'climb'],
    ])
    expect(spikes[0]?.why).toBe('rising for 7d: 42 mentions in 1d vs a median of 18.5 when it began (cusum 6.8)')
    expect(spikes[0]?.baseline).toBe(18.5)
    // No day of it was a volume spike, nor would one be at a bar half a z lower: the climb is what caught it.
    expect(fired(buckets, { ...rule, sensitivity: 3.5 }).filter(([, k]) => k === 'volume')).toEqual([])
  })

  it('fires nothing before minHistory buckets of data, however big the jump', () => {
    const short = exact([...flat(5, 20, 2), [200, 150]])
    expect(fired(short)).toEqual([])
    // The same jump after 7 days of history fires both kinds.
    expect(fired(exact([...flat(7, 20, 2), [200, 150]]))).toEqual([
      [7, 'volume'],
      [7, 'negative-share'],
    ])
    // History counts from the brand's first stored mention, which may lie before the series.
    expect(fired(short, rule, day(-30))).toEqual([])
    expect(fired(exact([...flat(14, 20, 2), [200, 20]]), rule, day(-30))).toEqual([[14, 'volume']])
    // Days before the first mention are not quiet days: they are not part of the baseline.
    expect(fired(exact([...flat(10, 0), ...flat(5, 20, 2), [200, 20]]))).toEqual([])
  })

  it('cools down: one firing, another only when it grew by half again or after the cooldown', () => {
    const buckets = exact([
      ...flat(20, 20),
      [60, 0], // 20: fires
      [62, 0], // 21: cooling, not half again
      [95, 0], // 22: 95 ≥ 1.5 × 60: fires, and the cooldown starts again
      [100, 0], // 23: cooling (100 < 1.5 × 95)
      [60, 0], // 24: cooling
      [60, 0], // 25: the cooldown is over: fires again
    ])
    expect(fired(buckets)).toEqual([
      [20, 'volume'],
      [22, 'volume'],
      [25, 'volume'],
    ])
    expect(fired(buckets, { ...rule, cooldownBuckets: 1 })).toEqual([20, 21, 22, 23, 24, 25].map((d) => [d, 'volume']))
  })

  it('does not fire for a quiet brand on a few mentions, whatever its MAD', () => {
    const r = rng(7)
    // Mostly nothing, sometimes one or two: median 0, MAD 0.
    const quiet = Array.from({ length: 40 }, (_, i) => ({ start: day(i), total: r() < 0.2 ? 1 + Math.floor(r() * 2) : 0, negative: 0 }))
    quiet[30] = { start: day(30), total: 2, negative: 2 }
    quiet[35] = { start: day(35), total: 3, negative: 3 }
    expect(fired(quiet)).toEqual([])
    // Not only minCount: the spread never falls below one mention, so 2 or 3 stay small in
    // volume (their share, 100% negative, is what minCount alone keeps from firing).
    expect(fired(quiet, { ...rule, minCount: 1 }).filter(([, kind]) => kind !== 'negative-share')).toEqual([])
    // Ten is a day worth a look.
    quiet[38] = { start: day(38), total: 10, negative: 0 }
    expect(fired(quiet)).toEqual([[38, 'volume']])
  })

  it('fires on negative share when volume holds steady', () => {
    const buckets = noisy(Array(30).fill(30), 5)
    const steady = buckets[22] as SeriesBucket
    buckets[22] = { ...steady, negative: Math.round(steady.total * 0.6) }
    const spikes = detectSpikes({ buckets }, rule)
    expect(spikes.map((s) => s.kind)).toEqual(['negative-share'])
    const [s] = spikes
    expect(s?.value).toBeCloseTo(0.6, 1)
    expect(s?.baseline).toBeLessThan(0.15)
    expect(s?.why).toMatch(/^\d+ of \d+ mentions negative \(\d+%\) in 1d vs \d+% over the previous 14d \(z \d+\.\d\)$/)
    // A share above the usual by less than the margin is not a spike, however many mentions.
    const mild = exact([...flat(20, 100, 10), [100, 25]])
    expect(fired(mild)).toEqual([])
    // Too few mentions to mean anything: 5 of 5 negative.
    expect(fired(exact([...flat(20, 30, 3), [5, 5]]))).toEqual([])
  })
})

describe('fillBuckets and markActive', () => {
  it('fills the gaps of a sparse series with zeros', () => {
    expect(fillBuckets([{ start: day(1), total: 3, negative: 1 }], day(0) + 5, day(3), DAY)).toEqual([
      { start: day(0), total: 0, negative: 0 },
      { start: day(1), total: 3, negative: 1 },
      { start: day(2), total: 0, negative: 0 },
    ])
  })

  it('marks the latest firing of each kind active until its cooldown is over', () => {
    const buckets = exact([...flat(20, 20), [60, 0], ...flat(5, 20), [70, 0]])
    const spikes = detectSpikes({ buckets }, rule)
    expect(markActive(spikes, rule, day(28)).map((s) => [(s.bucketStart - T0) / DAY, s.active])).toEqual([
      [20, false],
      [26, true],
    ])
    expect(markActive(spikes, rule, day(29)).map((s) => s.active)).toEqual([false, false])
  })
})
