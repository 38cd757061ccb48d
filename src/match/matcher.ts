import type { Brand, Match } from '../model.js'
import { parseTerm, termSource } from './terms.js'

export { parseTerm, termProblem } from './terms.js'

/**
 * The language of a text as the matcher sees it: a code, undefined when unknown, or a thunk
 * that finds it. The thunk is only called when a matched brand restricts languages, so a
 * detector costs nothing on the (many) items that match no brand.
 */
export type LangInput = string | undefined | (() => string | undefined)

export interface Matcher {
  /**
   * Brands and configured terms found in `text`, or null when no brand matched. A brand with
   * `languages` drops a text whose language is known and not listed; an unknown language
   * keeps it (a guess must not lose a mention).
   */
  match(text: string, lang?: LangInput): Match | null
}

export interface CompiledTerm {
  /** As written in config, without quotes. */
  text: string
  source: string
}

/** One group-per-term alternation, and group number (1-based) → term. */
export interface Alternation {
  re: RegExp
  group: string[]
}

export interface CompiledBrand {
  name: string
  competitor: boolean
  languages: readonly string[]
  /** All terms, longest first. */
  terms: Alternation | null
  /** The same terms in configured order, for stable output. */
  configured: string[]
  /**
   * Exclusions that contain one of the brand's terms ("acme brick"): their spans are cut out
   * before terms are looked for, so only those occurrences are discounted.
   */
  discount: Alternation | null
  /** Every other exclusion ("crash", "competitors"): anywhere in the text, the brand is dropped. */
  drop: Alternation | null
  /** At least one must appear when present. */
  require: Alternation | null
}

// What an excluded span is replaced with: not a word character (a term right after the span
// still starts a token) and not a phrase gap (a phrase cannot bridge the removed span).
export const CUT = '\uFFFC'

function compileTerms(raw: readonly string[]): CompiledTerm[] {
  const seen = new Set<string>()
  const out: CompiledTerm[] = []
  for (const r of raw) {
    const parsed = parseTerm(r)
    const source = termSource(parsed)
    if (source === null) continue
    // "Acme" and "acme" are the same case-insensitive pattern: keep the first as written.
    const key = source.toLowerCase()
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ source, text: parsed.text })
  }
  return out
}

// Longest first, so at one position "acme cloud" wins over "acme". Stable for equal lengths.
function longestFirst(terms: readonly CompiledTerm[]): CompiledTerm[] {
  return [...terms].sort((a, b) => b.text.length - a.text.length)
}

function alternation(terms: readonly CompiledTerm[]): Alternation | null {
  if (terms.length === 0) return null
  const sorted = longestFirst(terms)
  return { re: new RegExp(sorted.map((t) => `(${t.source})`).join('|'), 'giu'), group: ['', ...sorted.map((t) => t.text)] }
}

/** The configured term behind a match of an alternation. */
export function groupOf(alt: Alternation, m: RegExpMatchArray): string {
  for (let g = 1; g < m.length; g++) if (m[g] !== undefined) return alt.group[g] ?? ''
  return ''
}

export function compileBrand(brand: Brand): CompiledBrand {
  const configured = compileTerms(brand.terms)
  const terms = alternation(configured)
  const discount: CompiledTerm[] = []
  const drop: CompiledTerm[] = []
  for (const e of compileTerms(brand.exclude)) {
    // Tested on the exclusion's own text: does it carry one of the brand's terms?
    const carriesTerm = terms !== null && e.text.normalize('NFC').search(terms.re) >= 0
    ;(carriesTerm ? discount : drop).push(e)
  }
  return {
    name: brand.name,
    competitor: brand.competitor,
    languages: brand.languages,
    configured: configured.map((t) => t.text),
    terms,
    discount: alternation(discount),
    drop: alternation(drop),
    require: alternation(compileTerms(brand.require)),
  }
}

/** The text with the brand's discounted spans cut out: where its terms are looked for. */
export function haystackOf(brand: CompiledBrand, nfc: string): string {
  return brand.discount === null ? nfc : nfc.replace(brand.discount.re, CUT)
}

function findTerms(brand: CompiledBrand, nfc: string): Set<string> | null {
  if (brand.terms === null) return null
  let found: Set<string> | null = null
  const all = brand.configured.length
  for (const m of haystackOf(brand, nfc).matchAll(brand.terms.re)) {
    found ??= new Set<string>()
    found.add(groupOf(brand.terms, m))
    if (found.size === all) break
  }
  return found
}

/** A known language the brand does not accept. Unknown (undefined) is accepted. */
export function languageRejects(brand: CompiledBrand, lang: string | undefined): boolean {
  return brand.languages.length > 0 && lang !== undefined && !brand.languages.includes(lang)
}

export function resolveLang(lang: LangInput): string | undefined {
  return typeof lang === 'function' ? lang() : lang
}

/**
 * Compiles every brand's terms, exclusions and required words once; `match` then costs one
 * normalisation and, per brand, one pass for the terms (two when a term-bearing exclusion
 * is cut out first). Exclusions and required words are only searched for a brand whose
 * terms were found, which is rare in a feed. Matching is case-insensitive (Unicode) and by
 * whole token; see termSource for what a token boundary is.
 */
export function compileMatcher(brands: readonly Brand[]): Matcher {
  return matcherOf(brands.map(compileBrand))
}

export function matcherOf(compiled: readonly CompiledBrand[]): Matcher {
  return {
    match(text, lang) {
      // Terms were normalised to NFC at compile time; a decomposed "Café" must compare equal.
      const nfc = text.normalize('NFC')
      const matchedBrands: string[] = []
      const matchedTerms = new Set<string>()
      let language: { value: string | undefined } | undefined
      for (const brand of compiled) {
        const found = findTerms(brand, nfc)
        if (found === null) continue
        // search() ignores and restores lastIndex, so the shared global regexes stay safe.
        if (brand.drop !== null && nfc.search(brand.drop.re) >= 0) continue
        if (brand.require !== null && nfc.search(brand.require.re) < 0) continue
        if (brand.languages.length > 0) {
          language ??= { value: resolveLang(lang) }
          if (languageRejects(brand, language.value)) continue
        }
        matchedBrands.push(brand.name)
        // Configured order, not text order: output stays stable whatever the post says.
        for (const t of brand.configured) if (found.has(t)) matchedTerms.add(t)
      }
      return matchedBrands.length === 0 ? null : { brands: matchedBrands, terms: [...matchedTerms] }
    },
  }
}
