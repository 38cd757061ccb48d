// "30m", "24h", "7d", "2w" → milliseconds, via the `ms` package.
import ms from 'ms'

/** Milliseconds, or undefined when the text is not a positive duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim()
  // `ms` reads a bare number as milliseconds; nobody means "--since 7" as 7 ms, so demand a unit.
  if (!/^\d+(\.\d+)?\s*[a-z]+$/i.test(trimmed)) return undefined
  const value = ms(trimmed as ms.StringValue)
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}
