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

// NFKC leaves ASCII as it is: most texts skip the normalising pass.
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/
const DIGITS = /^\p{N}+$/u

/** The words of a text, normalised: NFKC, lower case, URLs dropped, apostrophes straight, possessives cut. */
export function words(text: string): string[] {
  let flat = (ASCII.test(text) ? text : text.normalize('NFKC')).toLowerCase()
  if (flat.includes('http') || flat.includes('www.')) flat = flat.replace(URL_RE, ' ')
  const ws = flat.match(WORD_RE) ?? []
  // A possessive is the word itself: "acme's outage" and "acme outage" are one theme.
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i] as string
    if (w.includes("'") || w.includes('’')) ws[i] = w.replace(/’/g, "'").replace(/'s$/, '')
  }
  return ws
}

/** How a word may take part in a phrase: STOP may not start or end one, BARRED may not be in one. */
const STOP = 1
const BARRED = 2
type WordKinds = Map<string, number>

function kindOf(w: string, exclude: ReadonlySet<string>, kinds: WordKinds): number {
  let k = kinds.get(w)
  if (k === undefined) {
    k = (STOP_WORDS.has(w) ? STOP : 0) | (exclude.has(w) || DIGITS.test(w) ? BARRED : 0)
    kinds.set(w, k)
  }
  return k
}

/**
 * Calls `visit` with each 2- and 3-word phrase of a text that neither starts nor ends with a
 * stop-word, in order of position, 2-word before 3-word; repeats included. `kinds` remembers
 * each word's judgement across the texts of one count (the same exclusions).
 */
function eachPhrase(text: string, exclude: ReadonlySet<string>, visit: (phrase: string) => void, kinds: WordKinds = new Map()): void {
  const ws = words(text)
  const n = ws.length
  // Judged once per word, not once per phrase that holds it.
  const kind = new Uint8Array(n)
  for (let i = 0; i < n; i++) kind[i] = kindOf(ws[i] as string, exclude, kinds)
  for (let i = 0; i + 1 < n; i++) {
    const k0 = kind[i] as number
    const k1 = kind[i + 1] as number
    if (k0 !== 0 || (k1 & BARRED) !== 0) continue
    const two = `${ws[i] as string} ${ws[i + 1] as string}`
    if (k1 === 0) visit(two)
    if (i + 2 < n && kind[i + 2] === 0) visit(`${two} ${ws[i + 2] as string}`)
  }
}

/** The distinct 2- and 3-word phrases of a text that neither start nor end with a stop-word. */
export function phrases(text: string, exclude: ReadonlySet<string> = new Set()): Set<string> {
  const out = new Set<string>()
  eachPhrase(text, exclude, (p) => out.add(p))
  return out
}

interface Tally {
  count: number
  /** The index of the last distinct text counted, so a phrase said twice in one text counts once. */
  last: number
}

/** Mentions per phrase; with `only`, phrases outside it are not counted at all. */
function countPhrases(texts: readonly string[], exclude: ReadonlySet<string>, only?: ReadonlyMap<string, unknown>): Map<string, Tally> {
  // The same text said by several mentions (a repost, a cross-post, a template complaint) is
  // split into phrases once and counted as many times. Distinct texts keep their first
  // position, so phrases are met in the same order as text by text.
  const times = new Map<string, number>()
  for (const t of texts) times.set(t, (times.get(t) ?? 0) + 1)
  const counts = new Map<string, Tally>()
  const kinds: WordKinds = new Map()
  let i = 0
  for (const [text, n] of times) {
    eachPhrase(text, exclude, (p) => {
      const t = counts.get(p)
      if (t === undefined) {
        if (!only || only.has(p)) counts.set(p, { count: n, last: i })
      } else if (t.last !== i) {
        t.count += n
        t.last = i
      }
    }, kinds)
    i++
  }
  return counts
}

/**
 * Ties in order of the phrases, the same whatever the machine's locale. Phrases are lower-case
 * words, digits, apostrophes and spaces: in ASCII, code units order them as the root collation
 * does, and only a phrase with another letter needs the collator, whose creation is ICU's
 * set-up (11 ms, a tenth of a digest at a million mentions).
 */
let collator: Intl.Collator | undefined
export function comparePhrases(a: string, b: string): number {
  if (ASCII.test(a) && ASCII.test(b)) return a < b ? -1 : a > b ? 1 : 0
  return (collator ??= new Intl.Collator('und')).compare(a, b)
}
const wordCount = (phrase: string) => (phrase.includes(' ', phrase.indexOf(' ') + 1) ? 3 : 2)

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
  const counted = countPhrases(current, exclude)
  const now = new Map<string, number>()
  for (const [p, t] of counted) now.set(p, t.count)
  // Only the candidates' counts of the previous window are ever asked for.
  const candidates = new Map([...now].filter(([, c]) => c >= minCount))
  const before = countPhrases(previous, exclude, candidates)
  const grown: (Theme & { words: number })[] = []
  for (const [phrase, count] of candidates) {
    const prev = before.get(phrase)?.count ?? 0
    if (count > prev) grown.push({ phrase, count, previous: prev, words: wordCount(phrase) })
  }
  grown.sort((a, b) => b.count - b.previous - (a.count - a.previous) || b.count - a.count || a.words - b.words || comparePhrases(a.phrase, b.phrase))
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
    if (!covered) kept.push({ phrase: t.phrase, count: t.count, previous: t.previous })
  }
  return kept
}
