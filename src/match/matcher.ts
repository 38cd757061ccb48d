import type { Brand, Match } from '../model.js'
import { parseTerm, termSource } from './terms.js'

export { parseTerm } from './terms.js'

export interface Matcher {
  /** Brands and configured terms found in `text`, or null when no brand matched. */
  match(text: string): Match | null
}

interface CompiledBrand {
  name: string
  /** All terms in one alternation, one capture group per term, longest first. */
  terms: RegExp | null
  /** Group number (1-based) → the term as written in config, without quotes. */
  groupTerm: string[]
  /** The same terms in configured order, for stable output. */
  configured: string[]
  /** All exclusions in one alternation; their spans are cut out before terms are looked for. */
  exclude: RegExp | null
}

// What an excluded span is replaced with: not a word character (a term right after the span
// still starts a token) and not a phrase gap (a phrase cannot bridge the removed span).
const CUT = '\uFFFC'

interface Compiled {
  source: string
  text: string
}

function compileTerms(raw: readonly string[]): Compiled[] {
  const seen = new Set<string>()
  const out: Compiled[] = []
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
function longestFirst(terms: readonly Compiled[]): Compiled[] {
  return [...terms].sort((a, b) => b.text.length - a.text.length)
}

function compileBrand(brand: Brand): CompiledBrand {
  const configured = compileTerms(brand.terms)
  const terms = longestFirst(configured)
  const exclude = longestFirst(compileTerms(brand.exclude))
  return {
    name: brand.name,
    configured: configured.map((t) => t.text),
    terms: terms.length > 0 ? new RegExp(terms.map((t) => `(${t.source})`).join('|'), 'giu') : null,
    groupTerm: ['', ...terms.map((t) => t.text)],
    exclude: exclude.length > 0 ? new RegExp(exclude.map((t) => t.source).join('|'), 'giu') : null,
  }
}

function findTerms(brand: CompiledBrand, text: string): Set<string> {
  const found = new Set<string>()
  if (brand.terms === null) return found
  const haystack = brand.exclude === null ? text : text.replace(brand.exclude, CUT)
  const all = brand.groupTerm.length - 1
  for (const m of haystack.matchAll(brand.terms)) {
    for (let g = 1; g < m.length; g++) {
      if (m[g] !== undefined) {
        found.add(brand.groupTerm[g] ?? '')
        break
      }
    }
    if (found.size === all) break
  }
  return found
}

/**
 * Compiles every brand's terms and exclusions once; `match` then costs one normalisation and
 * one or two regex passes per brand. Matching is case-insensitive (Unicode) and by whole
 * token; see termSource for what a token boundary is. Exclusions belong to their brand:
 * "acme brick" excluded removes that span, so "Acme Brick is not Acme Cloud" still matches
 * on the second "Acme".
 */
export function compileMatcher(brands: readonly Brand[]): Matcher {
  const compiled = brands.map(compileBrand)
  return {
    match(text) {
      // Terms were normalised to NFC at compile time; a decomposed "Café" must compare equal.
      const nfc = text.normalize('NFC')
      const matchedBrands: string[] = []
      const matchedTerms = new Set<string>()
      for (const brand of compiled) {
        const found = findTerms(brand, nfc)
        if (found.size === 0) continue
        matchedBrands.push(brand.name)
        // Configured order, not text order: output stays stable whatever the post says.
        for (const t of brand.configured) if (found.has(t)) matchedTerms.add(t)
      }
      return matchedBrands.length === 0 ? null : { brands: matchedBrands, terms: [...matchedTerms] }
    },
  }
}
