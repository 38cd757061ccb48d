import { describe, expect, it } from 'vitest'
import {
  backoffMs,
  exhaustedWindowWaitMs,
  parseResetTime,
  parseRetryAfter,
  rateLimitWaitMs,
} from '../../src/net/client.js'
import { errorSnippet } from '../../src/net/redact.js'

const NOW = Date.parse('2026-08-01T14:00:00Z')

describe('parseRetryAfter', () => {
  it('reads delta seconds', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000)
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0)
    expect(parseRetryAfter('1.5', NOW)).toBe(1500)
  })

  it('reads an HTTP-date, never negative', () => {
    expect(parseRetryAfter('Sat, 01 Aug 2026 14:01:30 GMT', NOW)).toBe(90_000)
    expect(parseRetryAfter('Sat, 01 Aug 2026 13:00:00 GMT', NOW)).toBe(0)
  })

  it('ignores junk', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined()
    expect(parseRetryAfter('', NOW)).toBeUndefined()
    expect(parseRetryAfter('soon', NOW)).toBeUndefined()
    expect(parseRetryAfter('-5', NOW)).toBeUndefined()
  })
})

describe('parseResetTime', () => {
  it('reads epoch seconds (GitHub, X, Bluesky)', () => {
    expect(parseResetTime(String(NOW / 1000 + 42), NOW)).toBe(42_000)
  })
  it('reads seconds from now (Reddit, the RateLimit-Reset draft)', () => {
    expect(parseResetTime('525', NOW)).toBe(525_000)
    expect(parseResetTime('525.0', NOW)).toBe(525_000)
  })
  it('reads an ISO time (Mastodon)', () => {
    expect(parseResetTime('2026-08-01T14:00:10.070144Z', NOW)).toBe(10_070)
  })
  it('reads epoch milliseconds', () => {
    expect(parseResetTime(String(NOW + 3000), NOW)).toBe(3000)
  })
})

describe('exhaustedWindowWaitMs and rateLimitWaitMs', () => {
  it('uses a reset only when the window is used up', () => {
    expect(exhaustedWindowWaitMs({ 'x-ratelimit-remaining': '0.0', 'x-ratelimit-reset': '60' }, NOW)).toBe(60_000)
    expect(exhaustedWindowWaitMs({ 'x-ratelimit-remaining': '12', 'x-ratelimit-reset': '60' }, NOW)).toBeUndefined()
    expect(exhaustedWindowWaitMs({ 'ratelimit-remaining': '0', 'ratelimit-reset': String(NOW / 1000 + 5) }, NOW)).toBe(5000)
    expect(exhaustedWindowWaitMs({ 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(NOW / 1000 + 7) }, NOW)).toBe(7000)
    expect(exhaustedWindowWaitMs({ 'x-ratelimit-remaining': '0' }, NOW)).toBeUndefined()
  })

  it('prefers Retry-After over window headers', () => {
    expect(
      rateLimitWaitMs({ 'retry-after': '3', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60' }, NOW),
    ).toBe(3000)
    expect(rateLimitWaitMs({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '60' }, NOW)).toBe(60_000)
    expect(rateLimitWaitMs({}, NOW)).toBeUndefined()
  })
})

describe('backoffMs', () => {
  it('doubles each attempt with jitter in the upper half, and is capped', () => {
    expect([0, 1, 2, 3].map((a) => backoffMs(a, () => 0))).toEqual([250, 500, 1000, 2000])
    expect([0, 1, 2, 3].map((a) => backoffMs(a, () => 0.999999))).toEqual([500, 1000, 2000, 4000])
    expect(backoffMs(20, () => 0.999999)).toBe(30_000)
  })
})

describe('errorSnippet', () => {
  it('flattens whitespace, drops control and bidi characters, removes secrets', () => {
    expect(errorSnippet('a\u0000b\n\n c\u202e d TOKEN123', ['TOKEN123'])).toBe('a b c d ***')
  })
  it('keeps at most 200 characters without splitting a surrogate pair', () => {
    const snippet = errorSnippet('😀'.repeat(300))
    expect(Array.from(snippet)).toHaveLength(201)
    expect(snippet.endsWith('😀…')).toBe(true)
  })
})
