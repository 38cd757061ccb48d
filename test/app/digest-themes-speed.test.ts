// The themes step was rewritten for speed (per-word judgements, an ASCII fast path): it must
// find exactly the phrases, in exactly the order, the straightforward version found.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { comparePhrases, phrases, themes, words } from '../../src/app/digest/themes.js'

// The previous implementation, kept here as the reference.
const STOP = new Set(['the', 'a', 'is', 'of', 'to', 'and', 'it', "it's", "can't", 'not', 'my', 'i', 'me', 'u', 'rt'])
const URL_RE = /\b(?:https?:\/\/|www\.)\S+/giu
const WORD_RE = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu
function refWords(text: string): string[] {
  const flat = text.normalize('NFKC').toLowerCase().replace(URL_RE, ' ')
  return (flat.match(WORD_RE) ?? []).map((w) => w.replace(/’/g, "'").replace(/'s$/, ''))
}
function refPhrases(text: string, exclude: ReadonlySet<string>, stop: ReadonlySet<string>): string[] {
  const ws = refWords(text)
  const out = new Set<string>()
  for (let i = 0; i < ws.length; i++) {
    for (const n of [2, 3]) {
      const gram = ws.slice(i, i + n)
      if (gram.length < n) continue
      if (stop.has(gram[0] as string) || stop.has(gram[n - 1] as string)) continue
      if (gram.some((w) => exclude.has(w) || /^\p{N}+$/u.test(w))) continue
      out.add(gram.join(' '))
    }
  }
  return [...out]
}

// The previous themes(), over the reference phrases.
function refThemes(current: string[], previous: string[], exclude: string[], limit = 5, minCount = 2) {
  const ex = new Set(exclude.flatMap((t) => refWords(t)))
  const count = (texts: string[]) => {
    const m = new Map<string, number>()
    for (const t of texts) for (const p of refPhrases(t, ex, STOP)) m.set(p, (m.get(p) ?? 0) + 1)
    return m
  }
  const now = count(current)
  const before = count(previous)
  const grown: { phrase: string; count: number; previous: number }[] = []
  for (const [phrase, c] of now) {
    const prev = before.get(phrase) ?? 0
    if (c >= minCount && c > prev) grown.push({ phrase, count: c, previous: prev })
  }
  grown.sort((a, b) => b.count - b.previous - (a.count - a.previous) || b.count - a.count || a.phrase.split(' ').length - b.phrase.split(' ').length || a.phrase.localeCompare(b.phrase))
  const kept: typeof grown = []
  const longer = [...now].filter(([p]) => p.includes(' ', p.indexOf(' ') + 1))
  const inside = (outer: string, inner: string) => ` ${outer} `.includes(` ${inner} `)
  for (const t of grown) {
    if (kept.length >= limit) break
    const covered = kept.some((k) => k.count === t.count && (inside(t.phrase, k.phrase) || inside(k.phrase, t.phrase) || longer.some(([p, c]) => c === t.count && inside(p, k.phrase) && inside(p, t.phrase))))
    if (!covered) kept.push(t)
  }
  return kept
}

const VOCAB = ['the', 'login', 'error', 'Acme', "Acme's", 'acme’s', 'lost', 'luggage', 'claim', 'is', 'of', 'waste', 'money', '42', '٣', 'ｆｕｌｌ', 'Café', 'cafe\u0301',
  "can't", 'https://x.example/a?b', 'www.acme.com/x', 'HTTP://Y.example', 'refund', 'not', 'working', 'ÆON', 'İstanbul', '🙂', 'it’s', 'rt', 'u']
const text = fc.array(fc.constantFrom(...VOCAB), { maxLength: 14 }).chain((ws) =>
  fc.array(fc.constantFrom(' ', '  ', ', ', '! ', '\n', '-', '.'), { minLength: ws.length, maxLength: ws.length }).map((seps) => ws.map((w, i) => w + seps[i]).join('')),
)

describe('digest themes, fast path', () => {
  it('splits words exactly as the NFKC-always version did', () => {
    fc.assert(fc.property(fc.oneof(text, fc.string(), fc.string({ unit: 'binary' })), (t) => {
      expect(words(t)).toEqual(refWords(t))
    }), { numRuns: 2000 })
  })

  it('finds the same phrases in the same order, exclusions and stop-words included', () => {
    // STOP holds every word of VOCAB that the real list holds, so on these texts both agree.
    const exclude = new Set(['acme', 'refund'])
    fc.assert(
      fc.property(text, (t) => {
        expect([...phrases(t, exclude)]).toEqual(refPhrases(t, exclude, STOP))
      }),
      { numRuns: 2000 },
    )
  })

  it('ranks the same themes as the previous version on random windows', () => {
    fc.assert(
      fc.property(fc.array(text, { maxLength: 30 }), fc.array(text, { maxLength: 30 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), (cur, prev, limit, minCount) => {
        expect(themes(cur, prev, { exclude: ['Acme'], limit, minCount })).toEqual(refThemes(cur, prev, ['Acme'], limit, minCount))
      }),
      { numRuns: 500 },
    )
  })

  it('ranks the same themes when texts repeat (each distinct text is split once)', () => {
    // A small pool, so most texts of a window are reposts of another.
    const repeated = fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 40 })
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 6 }), repeated, repeated, fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), (pool, ci, pi, limit, minCount) => {
        const cur = ci.map((i) => pool[i % pool.length] as string)
        const prev = pi.map((i) => pool[i % pool.length] as string)
        expect(themes(cur, prev, { exclude: ['Acme'], limit, minCount })).toEqual(refThemes(cur, prev, ['Acme'], limit, minCount))
      }),
      { numRuns: 500 },
    )
  })

  it('orders tied phrases as the root collation does, ASCII ones without it', () => {
    const root = new Intl.Collator('und')
    const phrase = fc.array(fc.constantFrom('a', 'b', 'z', '0', '9', "'", ' ', 'é', 'æ', 'ı'), { minLength: 1, maxLength: 8 }).map((cs) => cs.join(''))
    fc.assert(
      fc.property(phrase, phrase, (a, b) => {
        expect(Math.sign(comparePhrases(a, b))).toBe(Math.sign(root.compare(a, b)))
      }),
      { numRuns: 5000 },
    )
  })

  it('ranks the same themes from a batch of texts', () => {
    const now = ['Login error again, login error!', 'the login error is back', 'lost luggage claim denied', 'Lost luggage claim, still lost luggage', 'waste of money']
    const before = ['login error once']
    expect(themes(now, before, { exclude: ['Acme'] })).toEqual([
      { phrase: 'lost luggage', count: 2, previous: 0 },
      { phrase: 'login error', count: 2, previous: 1 },
    ])
  })
})
