import { describe, expect, it } from 'vitest'
import { parseDuration, parseTimeBound } from '../../src/config/duration.js'

const NOW = Date.UTC(2026, 11, 1, 21, 0, 0)

describe('parseDuration', () => {
  it('reads durations with a unit only', () => {
    expect(parseDuration('24h')).toBe(86_400_000)
    expect(parseDuration(' 7d ')).toBe(604_800_000)
    expect(parseDuration('7')).toBeUndefined()
    expect(parseDuration('-1d')).toBeUndefined()
    expect(parseDuration('2026-11-21')).toBeUndefined()
  })
})

describe('parseTimeBound', () => {
  it('reads a duration as that long before now', () => {
    expect(parseTimeBound('7d', NOW)).toBe(NOW - 7 * 86_400_000)
    expect(parseTimeBound('90d', NOW)).toBe(NOW - 90 * 86_400_000)
    expect(parseTimeBound('30m', NOW)).toBe(NOW - 1_800_000)
  })

  it('reads a date alone as 00:00 UTC of that day', () => {
    expect(parseTimeBound('2026-11-21', NOW)).toBe(Date.UTC(2026, 10, 21))
    expect(parseTimeBound('2024-02-29', NOW)).toBe(Date.UTC(2024, 1, 29))
  })

  it('reads a date and time without a zone as UTC', () => {
    expect(parseTimeBound('2026-11-21T08:00', NOW)).toBe(Date.UTC(2026, 10, 21, 8, 0))
    expect(parseTimeBound('2026-11-21 08:00:30', NOW)).toBe(Date.UTC(2026, 10, 21, 8, 0, 30))
    expect(parseTimeBound('2026-11-21T08:00:30.25', NOW)).toBe(Date.UTC(2026, 10, 21, 8, 0, 30, 250))
  })

  it('honours a zone', () => {
    expect(parseTimeBound('2026-11-21T08:00:00Z', NOW)).toBe(Date.UTC(2026, 10, 21, 8))
    expect(parseTimeBound('2026-11-21T08:00:00.123z', NOW)).toBe(Date.UTC(2026, 10, 21, 8, 0, 0, 123))
    expect(parseTimeBound('2026-11-21T09:00+01:00', NOW)).toBe(Date.UTC(2026, 10, 21, 8))
    expect(parseTimeBound('2026-11-21T02:30:00-0530', NOW)).toBe(Date.UTC(2026, 10, 21, 8))
  })

  it('refuses impossible dates and times instead of rolling them over', () => {
    for (const text of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-11-21T24:00', '2026-11-21T08:60', '2026-11-21T08:00:61']) {
      expect(parseTimeBound(text, NOW), text).toBeUndefined()
    }
  })

  it('refuses anything else', () => {
    for (const text of ['', 'soon', '7', '21/11/2026', '2026-11-21T8:00', '2026-11-21T08', 'yesterday', '2026-11-21T08:00+1']) {
      expect(parseTimeBound(text, NOW), text).toBeUndefined()
    }
  })
})
