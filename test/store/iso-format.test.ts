// The export's ISO formatter keeps the date part of the day before: it must write exactly what
// toISOString writes, in any order of times, at day and year edges, and outside its fast range.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isoFormatter } from '../../src/store/sqlite/export.js'

const DAY = 86_400_000
const MAX = 253_402_300_800_000

describe('isoFormatter', () => {
  it('writes what toISOString writes, for times in order, shuffled, and repeated', () => {
    const time = fc.oneof(
      fc.integer({ min: 0, max: MAX - 1 }),
      fc.integer({ min: -5 * DAY, max: 5 * DAY }),
      fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2026, 11, 31) }),
      fc.constantFrom(0, DAY - 1, DAY, MAX - 1, MAX, -1, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2000, 0, 1)),
      fc.double({ min: -1e13, max: 3e14, noNaN: true }),
    )
    fc.assert(
      fc.property(fc.array(time, { maxLength: 40 }), fc.boolean(), (times, sorted) => {
        const iso = isoFormatter()
        const seq = sorted ? [...times].sort((a, b) => b - a) : times
        for (const ms of [...seq, ...seq]) expect(iso(ms)).toBe(new Date(ms).toISOString())
      }),
      { numRuns: 3000 },
    )
  })

  it('throws as toISOString does for a time that is not one', () => {
    const iso = isoFormatter()
    for (const bad of [NaN, Infinity, 8.64e15 + 1]) expect(() => iso(bad)).toThrow(RangeError)
  })
})
