// What PostgreSQL text can hold. Its text type (and jsonb) is UTF-8 without NUL: a U+0000 or
// a lone surrogate half is refused with an error that would fail the whole page. Both become
// U+FFFD (the replacement character) before they are stored or compared. SQLite keeps a NUL
// inside TEXT as it came, so the two engines differ exactly there: a post whose text holds a
// NUL reads back with U+FFFD in its place on PostgreSQL, and a key (source, external id)
// differing from another only by such a character is the same key here.

// eslint-disable-next-line no-control-regex
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
// eslint-disable-next-line no-control-regex
const ANY_UNSTORABLE = /[\u0000\ud800-\udfff]/

export function pgText(s: string): string {
  // Most text has neither: the cheap test spares the replacing scan.
  return ANY_UNSTORABLE.test(s) ? s.replace(UNSTORABLE, '\ufffd') : s
}

export function pgTextOrNull(s: string | null | undefined): string | null {
  return s === undefined || s === null ? null : pgText(s)
}

/** A JSON value with every string (keys too) made storable, for jsonb columns. */
export function pgJson<T>(value: T): T {
  if (typeof value === 'string') return pgText(value) as T
  if (Array.isArray(value)) return value.map((v: unknown) => pgJson(v)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [pgText(k), pgJson(v)])) as T
  }
  return value
}
