// The FTS5 → tsquery translation, pure: how the grammar groups, what it folds, what it refuses.
// What each query matches is checked against SQLite itself here too (an in-memory FTS5 table
// with the store's tokenizer, evaluated by a tiny tsquery interpreter over the same words),
// so a grouping mistake shows up as a different set of rows, not only a different string.
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { foldWords } from '../../../src/store/postgres/fts-fold.js'
import { FtsQueryError, ftsToTsquery, parseFtsQuery, type FtsNode } from '../../../src/store/postgres/fts-query.js'

describe('ftsToTsquery', () => {
  it('writes words, phrases, prefixes and operators as tsquery', () => {
    expect(ftsToTsquery('acme')).toBe("'acme'")
    expect(ftsToTsquery('acme broken')).toBe("('acme' & 'broken')")
    expect(ftsToTsquery('"is broken"')).toBe("('is' <-> 'broken')")
    expect(ftsToTsquery('brok*')).toBe("'brok':*")
    expect(ftsToTsquery('"acme bro"*')).toBe("('acme' <-> 'bro':*)")
    expect(ftsToTsquery('a + b')).toBe("('a' <-> 'b')")
    expect(ftsToTsquery('a OR b')).toBe("('a' | 'b')")
    expect(ftsToTsquery('a NOT b')).toBe("('a' & !'b')")
    expect(ftsToTsquery('(a OR b) AND c')).toBe("(('a' | 'b') & 'c')")
  })

  it('binds NOT tighter than AND, AND tighter than OR, implicit AND tightest', () => {
    expect(ftsToTsquery('a OR b AND c')).toBe("('a' | ('b' & 'c'))")
    expect(ftsToTsquery('a AND b NOT c')).toBe("('a' & ('b' & !'c'))")
    expect(ftsToTsquery('a b NOT c')).toBe("(('a' & 'b') & !'c')")
    expect(ftsToTsquery('a NOT b NOT c')).toBe("(('a' & !'b') & !'c')")
  })

  it('folds diacritics, capitals and separators as unicode61 does', () => {
    expect(ftsToTsquery('Café')).toBe("'cafe'")
    expect(ftsToTsquery('ÉCOLE')).toBe("'ecole'")
    expect(ftsToTsquery('foo_bar')).toBe("('foo' <-> 'bar')")
    expect(ftsToTsquery('"foo-bar.com"')).toBe("('foo' <-> 'bar' <-> 'com')")
    expect(ftsToTsquery('ПРИВЕТ')).toBe("'привет'")
    expect(foldWords('naïve—résumé')).toEqual(['naive', 'resume'])
  })

  it('keeps lowercase and quoted keywords as words, and quotes stay inside a lexeme', () => {
    expect(ftsToTsquery('a or b')).toBe("(('a' & 'or') & 'b')")
    expect(ftsToTsquery('"NOT"')).toBe("'not'")
    expect(ftsToTsquery('"a""b"')).toBe("('a' <-> 'b')")
    // A quote or backslash in the query never reaches the tsquery text as syntax.
    expect(ftsToTsquery(`"it's \\ ok"`)).toBe("('it' <-> 's' <-> 'ok')")
  })

  it('lets an empty phrase match nothing, as FTS5 does', () => {
    expect(ftsToTsquery('"-"')).toBeNull()
    expect(ftsToTsquery('b "-"')).toBe("'b'")
    expect(ftsToTsquery('a AND "-"')).toBeNull()
    expect(ftsToTsquery('"-" OR a')).toBe("'a'")
    expect(ftsToTsquery('a NOT "-"')).toBe("'a'")
    expect(ftsToTsquery('"-" NOT a')).toBeNull()
  })

  it('refuses what FTS5 refuses', () => {
    for (const [q, message] of [
      ['', 'fts5: syntax error near ""'],
      ['NOT a', 'fts5: syntax error near "NOT"'],
      ['a OR', 'fts5: syntax error near ""'],
      ['(a', 'fts5: syntax error near ""'],
      ['a)', 'fts5: syntax error near ")"'],
      ['"a', 'unterminated string'],
      ['foo.bar', 'fts5: syntax error near "."'],
      ["it's", `fts5: syntax error near "'"`],
      ['(a) b', 'fts5: syntax error near "b"'],
      ['a (b)', 'fts5: syntax error near "("'],
      ['+b', 'fts5: syntax error near "+"'],
    ] as const) {
      expect(() => parseFtsQuery(q), q).toThrow(new FtsQueryError(message))
    }
  })

  it('refuses what tsquery cannot say, naming it', () => {
    expect(() => parseFtsQuery('NEAR(a b)')).toThrow(/NEAR\(…\) is not supported on PostgreSQL/)
    expect(() => parseFtsQuery('^a')).toThrow(/\^ .* is not supported/)
    expect(() => parseFtsQuery('title:acme')).toThrow(/column filter \(title:\) is not supported/)
    expect(() => parseFtsQuery('{title text}: acme')).toThrow(/column filter/)
    expect(() => parseFtsQuery('a - b')).toThrow(/column filter/)
    // NEAR alone is a word.
    expect(ftsToTsquery('NEAR')).toBe("'near'")
  })
})

// The rows a parsed query matches, over documents given as word lists (the test's stand-in for @@).
function matches(node: FtsNode, words: string[]): boolean {
  switch (node.kind) {
    case 'none':
      return false
    case 'phrase':
      return words.some((_, i) => node.words.every((w, k) => {
        const got = words[i + k]
        return got !== undefined && (w.prefix ? got.startsWith(w.lexeme) : got === w.lexeme)
      }))
    case 'and':
      return matches(node.left, words) && matches(node.right, words)
    case 'or':
      return matches(node.left, words) || matches(node.right, words)
    case 'not':
      return matches(node.left, words) && !matches(node.right, words)
  }
}

describe('FTS5 queries match the rows SQLite matches', () => {
  const docs = ['a b c', 'b c d', 'foo_bar baz', 'Café naïve', 'e', 'ÉCOLE привет', 'acme is broken, again', 'broker of acme']
  const db = new Database(':memory:')
  db.exec(`CREATE VIRTUAL TABLE f USING fts5(text, tokenize = 'unicode61 remove_diacritics 2')`)
  docs.forEach((d, i) => db.prepare('INSERT INTO f (rowid, text) VALUES (?, ?)').run(i + 1, d))
  const queries = [
    'a b', 'b NOT a c', 'b c NOT a', 'a OR b NOT c', 'b "-"', '"-" OR a', 'a AND "-"', 'cafe', 'CAFÉ', 'naive*', 'caf*', 'b*c', '"b c"*',
    'a + b', 'e OR (a AND (b OR d))', 'd OR a AND b', 'a NOT b NOT c', '"foo bar"', 'foo_bar', 'ecole', 'ПРИВЕТ', 'brok*', 'acme NOT broker',
    '"acme is"', '(a OR b) NOT ("-")', 'b *', '"a""b"',
  ]
  for (const q of queries) {
    it(q, () => {
      const sqlite = (db.prepare('SELECT rowid FROM f WHERE f MATCH ? ORDER BY rowid').all(q) as { rowid: number }[]).map((r) => r.rowid)
      const tree = parseFtsQuery(q)
      const ours = docs.flatMap((d, i) => (matches(tree, foldWords(d)) ? [i + 1] : []))
      expect(ours).toEqual(sqlite)
    })
  }
})

/** Every code point of the blocks fts-fold.ts carries tables for (surrogates and NUL left out). */
const FOLDED_BLOCKS: readonly (readonly [number, number])[] = [
  [0x01, 0x24f], [0x300, 0x52f], [0x1e00, 0x1eff], [0x2000, 0x2bff], [0x3000, 0x303f], [0xfe00, 0xfe6f], [0xff00, 0xff65], [0x1f000, 0x1faff],
]

describe('foldWords splits and folds as unicode61 does', () => {
  it('agrees with SQLite on every code point of the folded blocks', () => {
    const db = new Database(':memory:')
    db.exec(`CREATE VIRTUAL TABLE f USING fts5(text, tokenize = 'unicode61 remove_diacritics 2'); CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')`)
    const insert = db.prepare('INSERT INTO f (rowid, text) VALUES (?, ?)')
    db.transaction(() => {
      for (const [a, b] of FOLDED_BLOCKS) for (let c = a; c <= b; c++) insert.run(c, `xA${String.fromCodePoint(c)}Bx`)
    })()
    const sqlite = new Map<number, string[]>()
    for (const r of db.prepare('SELECT doc, term FROM v ORDER BY doc, "offset"').all() as { doc: number; term: string }[]) {
      sqlite.set(r.doc, [...(sqlite.get(r.doc) ?? []), r.term])
    }
    const differ: string[] = []
    for (const [a, b] of FOLDED_BLOCKS) {
      for (let c = a; c <= b; c++) {
        const ours = foldWords(`xA${String.fromCodePoint(c)}Bx`)
        if (JSON.stringify(ours) !== JSON.stringify(sqlite.get(c) ?? [])) differ.push(c.toString(16))
      }
    }
    expect(differ).toEqual([])
  })
})
