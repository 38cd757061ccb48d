// How one configured term becomes a regex source. Pure; the matcher combines the pieces.

export interface ParsedTerm {
  kind: 'word' | 'phrase'
  /** The term as written, without the quotes, trimmed; internal whitespace collapsed. */
  text: string
}

/**
 * `"acme cloud"` (double-quoted) is a phrase. A bare term is a word; a bare term that still
 * contains whitespace can only mean a phrase, so it is read as one.
 */
export function parseTerm(raw: string): ParsedTerm {
  const trimmed = raw.trim()
  const quoted = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')
  const text = (quoted ? trimmed.slice(1, -1) : trimmed).trim().replace(/\s+/gu, ' ')
  return { kind: quoted || text.includes(' ') ? 'phrase' : 'word', text }
}

/**
 * Why a configured term (or exclusion, or required word) can never work as written, or null
 * when it is fine. The config loader reports this with the key; the matcher alone would
 * silently ignore an empty term and read a stray quote as a literal character.
 */
export function termProblem(raw: string): string | null {
  const trimmed = raw.trim()
  const quotes = trimmed.split('"').length - 1
  if (quotes % 2 === 1) return `unbalanced double quote in ${JSON.stringify(raw)}`
  if (quotes > 0 && !(quotes === 2 && trimmed.startsWith('"') && trimmed.endsWith('"'))) {
    return `double quotes go around the whole term, as in "\"acme cloud\"": ${JSON.stringify(raw)}`
  }
  if (parseTerm(raw).text === '') return `empty term ${JSON.stringify(raw)}`
  return null
}

// Word characters for token boundaries: letters, digits, combining marks (so a decomposed
// "acmé" is not "acme" + something) and underscore (handles like @acme_corp are one token).
const WORD = '[\\p{L}\\p{N}\\p{M}_]'
const IS_WORD = new RegExp(`^${WORD}$`, 'u')
// Scripts written without spaces between words: a boundary cannot be demanded there, or
// "アクメ" would never match inside "アクメの新製品".
const UNSPACED = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]$/u

// Between the words of a phrase: any run of whitespace and dashes ("Acme Cloud", "acme-cloud",
// "Acme — Cloud", across a line break). Other punctuation ends a phrase, so "… acme. Cloud …"
// is not "acme cloud".
const PHRASE_GAP = '[\\s\\p{Pd}]+'
const PHRASE_SPLIT = /[\s\p{Pd}]+/u

const SYNTAX = /[\\^$.*+?()[\]{}|/]/g

function escapeRegex(s: string): string {
  return s.replace(SYNTAX, '\\$&')
}

function needsBoundary(ch: string | undefined): boolean {
  return ch !== undefined && IS_WORD.test(ch) && !UNSPACED.test(ch)
}

/**
 * Regex source (flags `iu`) matching the term as a whole token. A boundary is required only
 * on a side where the term itself ends in a word character: `acme` needs non-word neighbours
 * (so "@acme", "#acme", "Acme's", "ACME!!!" match; "acmeish", "pacme", "acme_corp" do not),
 * while `c++` or `.net` have a non-word edge that already delimits them ("C++11", "ASP.NET"
 * match on that side), and `node.js` must not be glued to letters on either side.
 * Returns null for an empty term, which matches nothing.
 */
export function termSource(term: ParsedTerm): string | null {
  const normalised = term.text.normalize('NFC')
  const words = term.kind === 'phrase' ? normalised.split(PHRASE_SPLIT).filter((w) => w !== '') : [normalised]
  if (words.length === 0 || words[0] === '') return null
  const body = words.map(escapeRegex).join(PHRASE_GAP)
  const first = Array.from(words[0] ?? '')[0]
  const last = Array.from(words[words.length - 1] ?? '').pop()
  const lead = needsBoundary(first) ? `(?<!${WORD})` : ''
  const trail = needsBoundary(last) ? `(?!${WORD})` : ''
  return lead + body + trail
}
