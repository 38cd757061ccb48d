// Rate-limit hints from response headers, as waits in milliseconds (pure). Kept apart from the
// client so source adapters can read reset times without loading undici.

/** An HTTP-date or ISO time as a wait from now. Both name a month or a "T"/"Z", so bare numbers
 * like "-5" (which Date.parse reads as a year) are refused. */
function dateWaitMs(text: string, nowMs: number): number | undefined {
  if (!/[a-z]/i.test(text)) return undefined
  const at = Date.parse(text)
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs)
}

/** Milliseconds to wait from a Retry-After value (delta seconds or HTTP-date), or undefined. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (text === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  return dateWaitMs(text, nowMs)
}

/**
 * A window-reset value as sent in the wild: epoch seconds (GitHub, X, Bluesky), epoch ms,
 * seconds from now (Reddit; the RateLimit-Reset draft) or an ISO time (Mastodon).
 */
export function parseResetTime(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined
  const text = value.trim()
  if (text === '') return undefined
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text)
    if (n >= 1e12) return Math.max(0, Math.round(n - nowMs))
    if (n >= 1e9) return Math.max(0, Math.round(n * 1000 - nowMs))
    return Math.round(n * 1000)
  }
  return dateWaitMs(text, nowMs)
}

const RATE_LIMIT_FAMILIES = [
  ['x-ratelimit-remaining', 'x-ratelimit-reset'],
  ['x-rate-limit-remaining', 'x-rate-limit-reset'],
  ['ratelimit-remaining', 'ratelimit-reset'],
] as const

/** Wait implied by an exhausted rate-limit window (Remaining < 1 and a Reset), or undefined. */
export function exhaustedWindowWaitMs(
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): number | undefined {
  for (const [remainingName, resetName] of RATE_LIMIT_FAMILIES) {
    const remaining = headers[remainingName]
    if (remaining === undefined || !(Number(remaining) < 1)) continue
    const wait = parseResetTime(headers[resetName], nowMs)
    if (wait !== undefined) return wait
  }
  return undefined
}

/** Retry-After first; the rate-limit window headers only when it is absent. */
export function rateLimitWaitMs(
  headers: Readonly<Record<string, string>>,
  nowMs: number,
): number | undefined {
  return parseRetryAfter(headers['retry-after'], nowMs) ?? exhaustedWindowWaitMs(headers, nowMs)
}
