/** An absolute http(s) URL (resolved against `base` when given), or undefined for anything else. */
export function httpUrl(s: string | null | undefined, base?: string): string | undefined {
  if (!s) return undefined
  try {
    const u = new URL(s, base)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined
  } catch {
    return undefined
  }
}
