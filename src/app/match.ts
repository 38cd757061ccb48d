// `mentions match`: for a text, which brands matched, on what, and why the others did not.
import { UsageError } from '../errors.js'
import type { Brand, Match } from '../model.js'
import { type BrandExplanation, compileExplainer } from '../match/explain.js'
import { type LangOrigin, type LanguageDetector, loadLanguageDetector, normaliseLang, resolveLanguage } from '../match/lang.js'
import type { Deps } from './deps.js'

/** One text's explanation. JSON field names are a contract: add fields, never rename. */
export interface MatchReport {
  text: string
  /** null when unknown: too short or too mixed to tell (a brand with `languages` keeps it). */
  language: { value: string | null; origin: LangOrigin }
  /** What would be stored: null when no brand matched. */
  match: Match | null
  competitor: boolean
  brands: BrandExplanation[]
}

export type Explainer = (text: string) => MatchReport

/** The configured brands, or the one `--brand` names (case-insensitive, like brand names). */
export function selectBrands(brands: readonly Brand[], name?: string): Brand[] {
  if (name === undefined) return [...brands]
  const found = brands.find((b) => b.name.toLowerCase() === name.trim().toLowerCase())
  if (!found) throw new UsageError(`unknown brand "${name}"; configured: ${brands.map((b) => `"${b.name}"`).join(', ')}`)
  return [found]
}

/** `lang` stands in for an upstream's language ("en-US" is read as "en"), as a source would give it. */
export function explainer(brands: readonly Brand[], detector?: LanguageDetector, lang?: string): Explainer {
  const explain = compileExplainer(brands)
  return (text) => {
    const language = resolveLanguage(lang, text, detector)
    const e = explain(text, language)
    return { text, language: { value: language.value ?? null, origin: language.origin }, match: e.match, competitor: e.competitor, brands: e.brands }
  }
}

/** Needs the config (the brands) and the language detector; never the database. */
export async function prepareMatch(deps: Deps, opts: { brand?: string; lang?: string } = {}): Promise<Explainer> {
  const brands = selectBrands(deps.config().brands, opts.brand)
  if (opts.lang !== undefined && normaliseLang(opts.lang) === undefined) {
    throw new UsageError(`--lang must be a language code like "en" or "en-US" (got "${opts.lang}")`)
  }
  return explainer(brands, await loadLanguageDetector(), opts.lang)
}
