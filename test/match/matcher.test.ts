import { describe, expect, it } from 'vitest'
import type { Brand } from '../../src/model.js'
import { compileMatcher, parseTerm, termProblem } from '../../src/match/matcher.js'

function brand(name: string, terms: string[], exclude: string[] = [], more: Partial<Brand> = {}): Brand {
  return { name, terms, exclude, require: [], languages: [], competitor: false, handles: {}, ...more }
}

const acme = brand('Acme', ['acme', '"acme cloud"'], ['"acme brick"'])

describe('parseTerm', () => {
  it('reads a bare term as a word and a quoted one as a phrase', () => {
    expect(parseTerm('acme')).toEqual({ kind: 'word', text: 'acme' })
    expect(parseTerm('"acme cloud"')).toEqual({ kind: 'phrase', text: 'acme cloud' })
    expect(parseTerm('  "  Acme   Cloud " ')).toEqual({ kind: 'phrase', text: 'Acme Cloud' })
  })

  it('reads an unquoted term with spaces as a phrase', () => {
    expect(parseTerm('acme cloud')).toEqual({ kind: 'phrase', text: 'acme cloud' })
  })

  it('keeps metacharacters as written', () => {
    expect(parseTerm('c++')).toEqual({ kind: 'word', text: 'c++' })
  })
})

describe('compileMatcher', () => {
  const m = compileMatcher([acme])

  it.each(['I love ACME', 'acme rocks', 'Acme', 'ACME!!!', "Acme's new plan", 'use acme.', '@acme', '#acme', 'acme-corp', '(acme)', '"Acme"'])(
    'matches %j',
    (text) => {
      expect(m.match(text)).toEqual({ brands: ['Acme'], terms: ['acme'] })
    },
  )

  it.each(['acmeish', 'pacme', 'acme_corp', '@acme_support', 'acme2', 'nothing here', ''])('does not match %j', (text) => {
    expect(m.match(text)).toBeNull()
  })

  it('matches Unicode text case-insensitively', () => {
    expect(m.match('Café Acme est fermé')?.terms).toEqual(['acme'])
    const cafe = compileMatcher([brand('Café', ['café'])])
    expect(cafe.match('CAFÉ ouvert')).toEqual({ brands: ['Café'], terms: ['café'] })
    expect(cafe.match('Cafe\u0301 ouvert')).toEqual({ brands: ['Café'], terms: ['café'] }) // decomposed
    expect(cafe.match('cafe ouvert')).toBeNull()
    expect(compileMatcher([brand('Straße', ['straße'])]).match('STRASSE')).toBeNull()
  })

  it('treats combining marks as part of the word', () => {
    expect(m.match('acme\u0301')).toBeNull()
  })

  it('matches phrases across any whitespace or dash run', () => {
    for (const text of ['Acme Cloud is down', 'acme   cloud', 'ACME-CLOUD', 'Acme\nCloud', 'acme — cloud']) {
      expect(m.match(text)?.terms, text).toContain('acme cloud')
    }
  })

  it('does not bridge a phrase over other punctuation or glue it to words', () => {
    expect(m.match('I tried acme. Cloud hosting is next')?.terms).toEqual(['acme'])
    expect(m.match('acme cloudy')?.terms).toEqual(['acme'])
    const only = compileMatcher([brand('Acme', ['"acme cloud"'])])
    expect(only.match('acme. cloud')).toBeNull()
    expect(only.match('pacme cloud')).toBeNull()
    expect(only.match('acme clouds')).toBeNull()
  })

  it('removes excluded spans', () => {
    expect(m.match('I bought Acme Brick yesterday')).toBeNull()
    expect(m.match('ACME-BRICK sale')).toBeNull()
  })

  it('still matches outside the excluded span', () => {
    expect(m.match('Acme Brick is not Acme Cloud')).toEqual({ brands: ['Acme'], terms: ['acme cloud'] })
    expect(m.match('Acme Brick, unlike acme')).toEqual({ brands: ['Acme'], terms: ['acme'] })
  })

  it('does not let a phrase bridge a removed span', () => {
    const b = compileMatcher([brand('X', ['"big cloud"'], ['"acme brick"'])])
    expect(b.match('big acme brick cloud')).toBeNull()
  })

  it('reports every distinct term that matched, as configured, without quotes', () => {
    expect(m.match('acme and Acme Cloud and ACME')).toEqual({ brands: ['Acme'], terms: ['acme', 'acme cloud'] })
  })

  it('prefers the longest term at one position', () => {
    expect(m.match('Acme Cloud')?.terms).toEqual(['acme cloud'])
  })

  it.each([
    ['c++', 'I write C++ daily', true],
    ['c++', 'C++11 is old', true],
    ['c++', 'abc++ is not it', false],
    ['c++', 'plain c here', false],
    ['.net', 'moving to .NET 8', true],
    ['.net', 'ASP.NET Core', true],
    ['.net', '.netflix', false],
    ['node.js', 'Node.js 20 is out', true],
    ['node.js', 'nodexjs', false],
    ['node.js', 'node.jsx', false],
    ['a|b', 'a|b', true],
    ['a|b', 'a', false],
    ['(acme)', 'see (ACME) here', true],
    ['$acme', 'ticker $ACME up', true],
    ['acme?', 'acm', false],
  ])('escapes %j: %j → %s', (term, text, expected) => {
    const r = compileMatcher([brand('B', [term])]).match(text)
    expect(r === null ? null : r.terms).toEqual(expected ? [term] : null)
  })

  it('returns every brand that matched, in configured order, with their terms', () => {
    const multi = compileMatcher([brand('Acme', ['acme']), brand('Globex', ['globex', '"globex corp"']), brand('Initech', ['initech'])])
    expect(multi.match('Globex Corp vs Acme')).toEqual({ brands: ['Acme', 'Globex'], terms: ['acme', 'globex corp'] })
    expect(multi.match('initech')).toEqual({ brands: ['Initech'], terms: ['initech'] })
    expect(multi.match('hooli')).toBeNull()
  })

  it('applies exclusions per brand', () => {
    const two = compileMatcher([brand('Acme', ['acme'], ['"acme brick"']), brand('Bricks', ['brick'])])
    expect(two.match('Acme Brick')).toEqual({ brands: ['Bricks'], terms: ['brick'] })
  })

  it('lists a term shared by two brands once', () => {
    const two = compileMatcher([brand('A', ['acme']), brand('B', ['acme', 'b'])])
    expect(two.match('acme')).toEqual({ brands: ['A', 'B'], terms: ['acme'] })
  })

  it('matches inside text written without spaces when the term is CJK', () => {
    const jp = compileMatcher([brand('アクメ', ['アクメ'])])
    expect(jp.match('アクメの新製品はすごい')).toEqual({ brands: ['アクメ'], terms: ['アクメ'] })
  })

  it('ignores empty terms instead of matching everything', () => {
    const empty = compileMatcher([brand('E', ['', '""', '   '])])
    expect(empty.match('anything')).toBeNull()
    expect(compileMatcher([]).match('acme')).toBeNull()
  })

  it('keeps the first spelling of terms that differ only in case', () => {
    expect(compileMatcher([brand('A', ['Acme', 'acme'])]).match('ACME')).toEqual({ brands: ['A'], terms: ['Acme'] })
  })

  it('drops a mention containing an exclusion that carries no term, wherever it is', () => {
    const nba = compileMatcher([brand('NBA', ['nba'], ['crash'])])
    expect(nba.match('NBA player hurt in crash')).toBeNull()
    expect(nba.match('CRASH: NBA finals tonight')).toBeNull()
    expect(nba.match('NBA finals tonight')).toEqual({ brands: ['NBA'], terms: ['nba'] })
    expect(nba.match('crashed servers at the NBA')).toEqual({ brands: ['NBA'], terms: ['nba'] }) // whole word only
    const acme = compileMatcher([brand('Acme', ['acme'], ['competitors', '"acme brick"'])])
    expect(acme.match('Acme and its competitors')).toBeNull()
    expect(acme.match('Acme Cloud beats Acme Brick')).toEqual({ brands: ['Acme'], terms: ['acme'] })
    expect(acme.match('Acme Brick is hiring')).toBeNull()
  })

  it('drops only the brand whose exclusion appears', () => {
    const two = compileMatcher([brand('NBA', ['nba'], ['crash']), brand('Acme', ['acme'])])
    expect(two.match('NBA crash, Acme sponsors')).toEqual({ brands: ['Acme'], terms: ['acme'] })
  })

  it('needs one of the required words when the brand has any', () => {
    const notion = compileMatcher([brand('Notion', ['notion'], [], { require: ['app', 'workspace', '"team notes"'] })])
    expect(notion.match('I had a notion to go fishing')).toBeNull()
    expect(notion.match('Notion app crashed again')).toEqual({ brands: ['Notion'], terms: ['notion'] })
    expect(notion.match('moved our team notes to notion')).toEqual({ brands: ['Notion'], terms: ['notion'] })
    expect(notion.match('notion apps')).toBeNull() // whole word, like terms
    expect(notion.match('Notion WORKSPACE')).not.toBeNull()
  })

  it('drops a brand whose languages exclude the known language and keeps an unknown one', () => {
    const en = compileMatcher([brand('Acme', ['acme'], [], { languages: ['en'] }), brand('Globex', ['globex'])])
    expect(en.match('acme y globex', 'es')).toEqual({ brands: ['Globex'], terms: ['globex'] })
    expect(en.match('acme and globex', 'en')).toEqual({ brands: ['Acme', 'Globex'], terms: ['acme', 'globex'] })
    expect(en.match('acme', undefined)).toEqual({ brands: ['Acme'], terms: ['acme'] })
    expect(en.match('acme')).toEqual({ brands: ['Acme'], terms: ['acme'] })
  })

  it('asks for the language only when a matched brand restricts it', () => {
    let asked = 0
    const lang = () => (asked++, 'fr')
    const m2 = compileMatcher([brand('Acme', ['acme'], [], { languages: ['en'] }), brand('Globex', ['globex'])])
    expect(m2.match('globex', lang)).toEqual({ brands: ['Globex'], terms: ['globex'] })
    expect(m2.match('nothing', lang)).toBeNull()
    expect(asked).toBe(0)
    expect(m2.match('acme', lang)).toBeNull()
    expect(asked).toBe(1)
  })
})

describe('termProblem', () => {
  it.each([
    ['acme', null],
    ['"acme cloud"', null],
    ['c++', null],
    ['"acme cloud', 'unbalanced double quote in "\\"acme cloud"'],
    ['acme"', 'unbalanced double quote in "acme\\""'],
    ['""', 'empty term "\\"\\""'],
    ['"  "', 'empty term "\\"  \\""'],
    ['   ', 'empty term "   "'],
    ['"acme" "cloud"', 'double quotes go around the whole term'],
  ])('%j → %j', (raw, problem) => {
    const got = termProblem(raw)
    if (problem === null) expect(got).toBeNull()
    else expect(got).toContain(problem)
  })
})
