import { describe, expect, it } from 'vitest'
import type { Brand } from '../../src/model.js'
import { allCompetitors, explainMatch } from '../../src/match/explain.js'
import { compileMatcher } from '../../src/match/matcher.js'

function brand(name: string, more: Partial<Brand> = {}): Brand {
  return { name, terms: [name.toLowerCase()], exclude: [], require: [], languages: [], competitor: false, handles: {}, ...more }
}

const acme = brand('Acme', { terms: ['acme', '"acme cloud"'], exclude: ['"acme brick"', 'hiring'] })
const notion = brand('Notion', { require: ['app', 'workspace'], languages: ['en'] })
const globex = brand('Globex', { competitor: true })
const brands = [acme, notion, globex]
const unknown = { value: undefined, origin: 'unknown' } as const

describe('explainMatch', () => {
  it('shows the terms, the discounted occurrences and the verdict', () => {
    const e = explainMatch(brands, 'Acme Cloud beats Acme Brick', unknown)
    const a = e.brands[0]
    expect(a).toMatchObject({ brand: 'Acme', verdict: 'matched', excludedBy: null, required: null })
    expect(a?.reason).toBeUndefined()
    expect(a?.terms).toEqual([{ term: 'acme cloud', text: 'Acme Cloud', index: 0 }])
    expect(a?.discounted).toEqual([{ term: 'acme brick', text: 'Acme Brick', index: 17 }])
    expect(e.match).toEqual({ brands: ['Acme'], terms: ['acme cloud'] })
    expect(e.brands[1]).toMatchObject({ brand: 'Notion', verdict: 'dropped', reason: 'no-term' })
  })

  it('names the exclusion that dropped a brand', () => {
    const e = explainMatch(brands, 'Acme is hiring', unknown)
    expect(e.brands[0]).toMatchObject({ verdict: 'dropped', reason: 'excluded', excludedBy: { term: 'hiring', text: 'hiring' } })
    expect(e.match).toBeNull()
  })

  it('says whether the required context was found, and which word', () => {
    expect(explainMatch(brands, 'a notion of fun', unknown).brands[1]).toMatchObject({ verdict: 'dropped', reason: 'no-required-context', required: { found: null } })
    expect(explainMatch(brands, 'Notion app is slow', unknown).brands[1]).toMatchObject({ verdict: 'matched', required: { found: { term: 'app', text: 'app' } } })
  })

  it('drops on a known other language, keeps an unknown one', () => {
    const es = explainMatch(brands, 'la app de Notion', { value: 'es', origin: 'given' })
    expect(es.brands[1]).toMatchObject({ verdict: 'dropped', reason: 'language', languages: { accepted: ['en'], ok: false } })
    expect(es.language).toEqual({ value: 'es', origin: 'given' })
    expect(explainMatch(brands, 'Notion app', unknown).brands[1]).toMatchObject({ verdict: 'matched', languages: { ok: true } })
  })

  it('marks a match of competitors only', () => {
    expect(explainMatch(brands, 'globex rocks', unknown)).toMatchObject({ match: { brands: ['Globex'] }, competitor: true })
    expect(explainMatch(brands, 'globex vs acme', unknown).competitor).toBe(false)
    expect(allCompetitors(brands, null)).toBe(false)
  })

  it.each(['Acme Brick, unlike acme', 'acme hiring', 'Notion workspace', 'notion', 'Globex and Acme Cloud', 'ACME-BRICK sale', 'nothing'])(
    'never disagrees with the matcher on %j',
    (text) => {
      for (const lang of [undefined, 'en', 'de']) {
        const e = explainMatch(brands, text, { value: lang, origin: lang ? 'given' : 'unknown' })
        expect(e.match).toEqual(compileMatcher(brands).match(text, lang))
        expect(e.brands.filter((b) => b.verdict === 'matched').map((b) => b.brand)).toEqual(e.match?.brands ?? [])
      }
    },
  )
})
