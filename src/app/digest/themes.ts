// Themes: the two- and three-word phrases that grew most among negative mentions against the
// previous window ("lost luggage", "login error"). Pure: texts in, phrases out.

export interface Theme {
  /** Normalised: lower case, NFKC, single spaces. */
  phrase: string
  /** Mentions in the window that contain it (each mention counts once). */
  count: number
  /** The same in the previous window. */
  previous: number
}

export interface ThemeOptions {
  /** At most this many (default 5). */
  limit?: number
  /** Mentions a phrase needs in the window before it is a theme (default 2): one post is an anecdote. */
  minCount?: number
  /** Words a phrase may not contain at all: the brands' own terms, which every mention has. */
  exclude?: readonly string[]
}

// Words that carry no theme on their own; a phrase may not start or end with one ("the
// login", "error is"), but may hold one inside ("waste of money").
const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by can
  could did do does doing down during each few for from further had has have having he her here hers him his how i if in into
  is it its itself just me more most my no nor not now of off on once only or other our ours out over own same she should so
  some such than that the their theirs them then there these they this those through to too under until up very was we were
  what when where which while who whom why will with would you your yours yet still also get got im ive dont cant didnt doesnt
  isnt wasnt wont its it's i'm i've don't can't didn't doesn't isn't wasn't won't u ur via rt amp`.split(/\s+/),
)

const URL_RE = /\b(?:https?:\/\/|www\.)\S+/giu
// Letters and digits, with inner apostrophes ("can't"); everything else separates words.
const WORD_RE = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu

/** The words of a text, normalised: NFKC, lower case, URLs dropped, apostrophes straight, possessives cut. */
export function words(text: string): string[] {
  const flat = text.normalize('NFKC').toLowerCase().replace(URL_RE, ' ')
  // A possessive is the word itself: "acme's outage" and "acme outage" are one theme.
  return (flat.match(WORD_RE) ?? []).map((w) => w.replace(/’/g, "'").replace(/'s$/, ''))
}

/** The distinct 2- and 3-word phrases of a text that neither start nor end with a stop-word. */
export function phrases(text: string, exclude: ReadonlySet<string> = new Set()): Set<string> {
  const ws = words(text)
  const out = new Set<string>()
  for (let i = 0; i < ws.length; i++) {
    for (const n of [2, 3]) {
      const gram = ws.slice(i, i + n)
      if (gram.length < n) continue
      if (STOP_WORDS.has(gram[0] as string) || STOP_WORDS.has(gram[n - 1] as string)) continue
      if (gram.some((w) => exclude.has(w) || /^\p{N}+$/u.test(w))) continue
      out.add(gram.join(' '))
    }
  }
  return out
}

function countPhrases(texts: readonly string[], exclude: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const t of texts) for (const p of phrases(t, exclude)) counts.set(p, (counts.get(p) ?? 0) + 1)
  return counts
}

/**
 * The phrases that grew most: more mentions in the window than in the previous one (of equal
 * length), by how many more, then by count. A phrase as common in both windows is no theme.
 * A phrase is dropped when one listed before it was said by as many mentions and overlaps it
 * ("lost luggage" says what "lost luggage claim" says, unless the claim grew on its own).
 */
export function themes(current: readonly string[], previous: readonly string[], opts: ThemeOptions = {}): Theme[] {
  const limit = opts.limit ?? 5
  const minCount = opts.minCount ?? 2
  const exclude = new Set((opts.exclude ?? []).flatMap((t) => words(t)))
  const now = countPhrases(current, exclude)
  const before = countPhrases(previous, exclude)
  const grown: Theme[] = []
  for (const [phrase, count] of now) {
    const prev = before.get(phrase) ?? 0
    if (count >= minCount && count > prev) grown.push({ phrase, count, previous: prev })
  }
  grown.sort((a, b) => b.count - b.previous - (a.count - a.previous) || b.count - a.count || a.phrase.split(' ').length - b.phrase.split(' ').length || a.phrase.localeCompare(b.phrase))
  const kept: Theme[] = []
  const longer = [...now].filter(([p]) => p.includes(' ', p.indexOf(' ') + 1))
  for (const t of grown) {
    if (kept.length >= limit) break
    const inside = (outer: string, inner: string) => ` ${outer} `.includes(` ${inner} `)
    // Said by the same mentions: one inside the other, or both inside one longer phrase with
    // as many ("lost luggage" and "luggage claim", when every one said "lost luggage claim").
    const covered = kept.some(
      (k) =>
        k.count === t.count &&
        (inside(t.phrase, k.phrase) || inside(k.phrase, t.phrase) || longer.some(([p, c]) => c === t.count && inside(p, k.phrase) && inside(p, t.phrase))),
    )
    if (!covered) kept.push(t)
  }
  return kept
}
