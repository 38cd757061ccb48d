// The FTS5 query syntax users type (words, "phrases", prefix*, a + b, AND / OR / NOT,
// parentheses, implicit AND) read the way SQLite's fts5 grammar reads it, and written out as
// tsquery text for to_tsquery('simple', $n). The precedence, the implicit AND that joins only
// phrases, and what an empty phrase ("-") does were checked against SQLite itself. What
// tsquery cannot say (NEAR groups, ^ initial tokens, column filters) is refused, as a query
// FTS5 cannot read is on SQLite.
import { foldWords } from './fts-fold.js'

export interface FtsWord {
  lexeme: string
  prefix: boolean
}

export type FtsNode =
  | { kind: 'phrase'; words: FtsWord[] }
  | { kind: 'and' | 'or' | 'not'; left: FtsNode; right: FtsNode }
  /** A phrase with no word in it ("-", ""): FTS5 lets it match nothing. */
  | { kind: 'none' }

/** A query the grammar rejects or PostgreSQL cannot run; the message names what. */
export class FtsQueryError extends Error {
  override name = 'FtsQueryError'
}

type Tok =
  | { t: 'lp' | 'rp' | 'lcp' | 'rcp' | 'colon' | 'comma' | 'plus' | 'star' | 'minus' | 'caret' | 'eof' | 'or' | 'and' | 'not'; text: string }
  | { t: 'string'; text: string; quoted: boolean }

const SINGLE: Record<string, Tok['t']> = {
  '(': 'lp', ')': 'rp', '{': 'lcp', '}': 'rcp', ':': 'colon', ',': 'comma', '+': 'plus', '*': 'star', '-': 'minus', '^': 'caret',
}
const SPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v'])
// fts5's bareword characters: ASCII letters, digits and _, anything non-ASCII, and 0x1A.
const bare = (ch: string) => /[A-Za-z0-9_\u001a]/.test(ch) || (ch.codePointAt(0) as number) >= 0x80

function lex(q: string): Tok[] {
  const out: Tok[] = []
  let i = 0
  for (;;) {
    while (i < q.length && SPACE.has(q[i] as string)) i++
    if (i >= q.length) {
      out.push({ t: 'eof', text: '' })
      return out
    }
    const ch = q[i] as string
    const single = SINGLE[ch]
    if (single) {
      out.push({ t: single, text: ch } as Tok)
      i++
    } else if (ch === '"') {
      let text = ''
      let j = i + 1
      for (;;) {
        if (j >= q.length) throw new FtsQueryError('unterminated string')
        if (q[j] === '"') {
          if (q[j + 1] !== '"') break
          text += '"'
          j += 2
        } else {
          text += q[j]
          j++
        }
      }
      out.push({ t: 'string', text, quoted: true })
      i = j + 1
    } else if (bare(ch)) {
      let j = i
      while (j < q.length && bare(q[j] as string)) j++
      const text = q.slice(i, j)
      const keyword = text === 'OR' ? 'or' : text === 'AND' ? 'and' : text === 'NOT' ? 'not' : undefined
      out.push(keyword ? { t: keyword, text } : { t: 'string', text, quoted: false })
      i = j
    } else {
      throw new FtsQueryError(`fts5: syntax error near "${String.fromCodePoint(q.codePointAt(i) as number)}"`)
    }
  }
}

const none: FtsNode = { kind: 'none' }

// An empty phrase matches nothing: AND with it is nothing, OR and NOT leave the other side.
function and(left: FtsNode, right: FtsNode): FtsNode {
  return left.kind === 'none' || right.kind === 'none' ? none : { kind: 'and', left, right }
}
function or(left: FtsNode, right: FtsNode): FtsNode {
  if (left.kind === 'none') return right
  if (right.kind === 'none') return left
  return { kind: 'or', left, right }
}
function not(left: FtsNode, right: FtsNode): FtsNode {
  if (left.kind === 'none') return none
  if (right.kind === 'none') return left
  return { kind: 'not', left, right }
}

/** Reads an FTS5 query; throws FtsQueryError for one SQLite would refuse or PostgreSQL cannot run. */
export function parseFtsQuery(query: string): FtsNode {
  const toks = lex(query)
  let at = 0
  const peek = (k = 0): Tok => toks[Math.min(at + k, toks.length - 1)] as Tok
  const next = (): Tok => toks[at++] as Tok
  const near = (tok: Tok) => new FtsQueryError(`fts5: syntax error near "${tok.t === 'string' && tok.quoted ? `"${tok.text}"` : tok.text}"`)
  const unsupported = (what: string) => new FtsQueryError(`${what} is not supported on PostgreSQL`)

  function phrase(): FtsNode {
    const words: FtsWord[] = []
    for (;;) {
      const tok = next()
      if (tok.t !== 'string') throw near(tok)
      const part = foldWords(tok.text).map((lexeme) => ({ lexeme, prefix: false }))
      if (peek().t === 'star') {
        next()
        const last = part[part.length - 1]
        if (last) last.prefix = true
      }
      words.push(...part)
      if (peek().t !== 'plus') break
      next()
    }
    return words.length ? { kind: 'phrase', words } : none
  }

  function nearset(): FtsNode {
    const tok = peek()
    if (tok.t === 'caret') throw unsupported('^ (a match at the start of a column)')
    if (tok.t === 'minus' || tok.t === 'lcp') throw unsupported('a column filter (title: or text:)')
    if (tok.t === 'string' && peek(1).t === 'colon') throw unsupported(`a column filter (${tok.text}:)`)
    if (tok.t === 'string' && !tok.quoted && tok.text === 'NEAR' && peek(1).t === 'lp') throw unsupported('NEAR(…)')
    return phrase()
  }

  const startsPhrase = (tok: Tok) => tok.t === 'string' || tok.t === 'caret' || tok.t === 'minus' || tok.t === 'lcp'

  function primary(): FtsNode {
    const tok = peek()
    if (tok.t === 'lp') {
      next()
      const e = orExpr()
      const close = next()
      if (close.t !== 'rp') throw near(close)
      return e
    }
    if (!startsPhrase(tok)) throw near(tok)
    // Implicit AND joins phrases only, and drops the empty ones among them.
    const parts: FtsNode[] = []
    while (startsPhrase(peek())) parts.push(nearset())
    const kept: FtsNode[] = parts.filter((p) => p.kind !== 'none')
    return kept.length ? kept.reduce(and) : none
  }

  function notExpr(): FtsNode {
    let left = primary()
    while (peek().t === 'not') {
      next()
      left = not(left, primary())
    }
    return left
  }
  function andExpr(): FtsNode {
    let left = notExpr()
    while (peek().t === 'and') {
      next()
      left = and(left, notExpr())
    }
    return left
  }
  function orExpr(): FtsNode {
    let left = andExpr()
    while (peek().t === 'or') {
      next()
      left = or(left, andExpr())
    }
    return left
  }

  const tree = orExpr()
  const end = next()
  if (end.t !== 'eof') throw near(end)
  return tree
}

// Lexemes hold no separator (quotes and backslashes are separators), but they are quoted
// and escaped all the same: the text is tsquery syntax, and a user's word must stay a word.
const lexeme = (w: FtsWord) => `'${w.lexeme.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${w.prefix ? ':*' : ''}`

/** tsquery text for the tree, or null when it can match nothing. */
export function toTsquery(node: FtsNode): string | null {
  switch (node.kind) {
    case 'none':
      return null
    case 'phrase':
      return node.words.length === 1 ? lexeme(node.words[0] as FtsWord) : `(${node.words.map(lexeme).join(' <-> ')})`
    case 'and':
      return `(${toTsquery(node.left)} & ${toTsquery(node.right)})`
    case 'or':
      return `(${toTsquery(node.left)} | ${toTsquery(node.right)})`
    case 'not':
      return `(${toTsquery(node.left)} & !${toTsquery(node.right)})`
  }
}

/** The FTS5 query as tsquery text (null: matches nothing); throws FtsQueryError. */
export function ftsToTsquery(query: string): string | null {
  return toTsquery(parseFtsQuery(query))
}
