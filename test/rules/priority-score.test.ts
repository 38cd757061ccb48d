// Lists show priorityScore for every row and `show` explains priorityOf: the same number.
import { describe, expect, it } from 'vitest'
import { INTENTS, SENTIMENT_LABELS } from '../../src/model.js'
import { priorityOf, priorityScore, type PriorityInput } from '../../src/rules/priority.js'

const NOW = Date.UTC(2026, 11, 1)

/** A small deterministic generator, so a failure names the same input every run. */
function* inputs(n: number): Generator<PriorityInput> {
  let x = 12345
  const rand = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rand() * a.length)] as T
  const maybe = (v: number): number | null => (rand() < 0.2 ? null : v)
  for (let i = 0; i < n; i++) {
    yield {
      sentimentLabel: pick(SENTIMENT_LABELS),
      sentimentScore: Math.round((rand() * 2 - 1) * 1000) / 1000,
      intent: pick(INTENTS),
      authorReach: maybe(Math.floor(10 ** (rand() * 7))),
      likes: maybe(Math.floor(rand() * 500) - 5),
      reposts: maybe(Math.floor(rand() * 50)),
      replies: maybe(Math.floor(rand() * 50)),
      score: maybe(Math.floor(rand() * 1000) - 10),
      rating: rand() < 0.7 ? null : pick([1, 1.5, 2, 2.5, 3, 4, 5]),
      boost: pick([0, 0, 0, 25, 40, -15]),
      answered: pick([true, false, null]),
      // From the future (clock skew) to months back, with sub-day ages.
      createdAt: NOW - Math.floor((rand() * 120 - 1) * 86_400_000),
    }
  }
}

describe('priorityScore', () => {
  it('is the score priorityOf explains, to the last bit', () => {
    for (const i of inputs(20_000)) expect(Object.is(priorityScore(i, NOW), priorityOf(i, NOW).score)).toBe(true)
  })
})
