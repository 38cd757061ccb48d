// Why a text did or did not match each brand: the same decisions as the matcher, spelt out.
import type { Brand, Match } from '../model.js'
import { type Alternation, compileBrand, type CompiledBrand, CUT, groupOf, languageRejects, matcherOf } from './matcher.js'
import type { ResolvedLang } from './lang.js'

/** One configured term (or exclusion, or required word) and the text it matched. */
export interface TermHit {
  term: string
  text: string
  /** UTF-16 offset in the NFC-normalised text. */
  index: number
}

export type DropReason = 'no-term' | 'excluded' | 'no-required-context' | 'language'

export interface BrandExplanation {
  brand: string
  competitor: boolean
  verdict: 'matched' | 'dropped'
  /** Why it was dropped; absent when matched. */
  reason?: DropReason
  /** Occurrences of the brand's terms that count. */
  terms: TermHit[]
  /** Term-bearing exclusions found, whose occurrences were discounted ("acme brick"). */
  discounted: TermHit[]
  /** The exclusion that dropped the brand, if any. */
  excludedBy: TermHit | null
  /** null when the brand requires no context; otherwise the first required word found, or none. */
  required: { found: TermHit | null } | null
  /** The brand's accepted languages ([] = any) and whether this text's language passed. */
  languages: { accepted: string[]; ok: boolean }
}

export interface MatchExplanation {
  language: ResolvedLang
  brands: BrandExplanation[]
  /** What the enricher would store: null when no brand matched. */
  match: Match | null
  /** True when every matched brand is a competitor. */
  competitor: boolean
}

function hits(alt: Alternation | null, text: string): TermHit[] {
  if (alt === null) return []
  const out: TermHit[] = []
  for (const m of text.matchAll(alt.re)) out.push({ term: groupOf(alt, m), text: m[0], index: m.index })
  return out
}

function explainBrand(brand: CompiledBrand, nfc: string, lang: string | undefined): BrandExplanation {
  const discounted = hits(brand.discount, nfc)
  // Cut spans the same way the matcher does; the replacement keeps offsets only when it is as
  // long as the span, so cut with a same-length run of CUT characters.
  let haystack = nfc
  for (const d of discounted) haystack = haystack.slice(0, d.index) + CUT.repeat(d.text.length) + haystack.slice(d.index + d.text.length)
  const terms = hits(brand.terms, haystack).map((h) => ({ ...h, text: nfc.slice(h.index, h.index + h.text.length) }))
  const excludedBy = hits(brand.drop, nfc)[0] ?? null
  const required = brand.require === null ? null : { found: hits(brand.require, nfc)[0] ?? null }
  const languageOk = !languageRejects(brand, lang)
  const reason: DropReason | undefined =
    terms.length === 0 ? 'no-term'
    : excludedBy !== null ? 'excluded'
    : required !== null && required.found === null ? 'no-required-context'
    : !languageOk ? 'language'
    : undefined
  return {
    brand: brand.name,
    competitor: brand.competitor,
    verdict: reason === undefined ? 'matched' : 'dropped',
    ...(reason !== undefined ? { reason } : {}),
    terms,
    discounted,
    excludedBy,
    required,
    languages: { accepted: [...brand.languages], ok: languageOk },
  }
}

/**
 * Every brand's verdict on one text in the resolved language, brands compiled once. `match`
 * is what the hot matcher returns for the same input; the explanation never disagrees with it.
 */
export function compileExplainer(brands: readonly Brand[]): (text: string, language: ResolvedLang) => MatchExplanation {
  const compiled = brands.map(compileBrand)
  const matcher = matcherOf(compiled)
  return (text, language) => {
    const nfc = text.normalize('NFC')
    const explained = compiled.map((b) => explainBrand(b, nfc, language.value))
    const match = matcher.match(text, language.value)
    return { language, brands: explained, match, competitor: allCompetitors(brands, match) }
  }
}

export function explainMatch(brands: readonly Brand[], text: string, language: ResolvedLang): MatchExplanation {
  return compileExplainer(brands)(text, language)
}

/** A match counts as a competitor's only when every brand it names is one. */
export function allCompetitors(brands: readonly Pick<Brand, 'name' | 'competitor'>[], match: Pick<Match, 'brands'> | null): boolean {
  if (match === null || match.brands.length === 0) return false
  return match.brands.every((name) => brands.find((b) => b.name === name)?.competitor === true)
}
