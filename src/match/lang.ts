// The language of a mention: the upstream's when it gives one, else a local guess that is
// only made when the text carries enough of it. Pure apart from loading the detector's data.

/** ISO 639-1 code, or undefined when the text does not tell (short, mixed, only names). */
export interface LanguageDetector {
  detect(text: string): string | undefined
}

export type LangOrigin = 'given' | 'detected' | 'unknown'

export interface ResolvedLang {
  value: string | undefined
  origin: LangOrigin
}

/**
 * "en-US", "EN", "en_GB" → "en". Anything that is not a two-letter primary subtag ("und",
 * "zxx", "", three-letter codes) tells nothing usable and is undefined.
 */
export function normaliseLang(tag: string | null | undefined): string | undefined {
  if (!tag) return undefined
  const primary = tag.trim().split(/[-_]/u)[0]?.toLowerCase() ?? ''
  return /^[a-z]{2}$/u.test(primary) ? primary : undefined
}

// Links, handles and hashtags are names, not language: "#acme #cloud" is no English.
const NOT_LANGUAGE = /https?:\/\/\S+|www\.\S+|[@#][\p{L}\p{N}_]+/gu
const LETTER = /\p{L}/gu
/** Below this many letters a guess is mostly noise (bench/lang.ts: "ok thx", "Acme Cloud 2.0"). */
export const MIN_LETTERS = 12
/** Enough to decide; the rest of a long post only costs time. */
const MAX_CHARS = 600

/** The part of a text worth showing a detector, or null when too little of it is language. */
export function detectableText(text: string): string | null {
  const clean = text.slice(0, MAX_CHARS).replace(NOT_LANGUAGE, ' ')
  let letters = 0
  LETTER.lastIndex = 0
  while (LETTER.exec(clean) !== null) if (++letters >= MIN_LETTERS) return clean
  return null
}

/** What the enricher and `mentions match` need from eld: its verdict and its confidence. */
export interface EldLike {
  detect(text: string): { language: string; isReliable(): boolean }
}

export function eldDetector(eld: EldLike): LanguageDetector {
  return {
    detect(text) {
      const clean = detectableText(text)
      if (clean === null) return undefined
      const r = eld.detect(clean)
      return r.language !== '' && r.isReliable() ? normaliseLang(r.language) : undefined
    },
  }
}

let loading: Promise<LanguageDetector> | undefined

/**
 * eld's "small" n-gram table (60 languages, ~1.6 MB) takes most of a second to load, so it is
 * imported only by commands that detect, once per process.
 */
export function loadLanguageDetector(): Promise<LanguageDetector> {
  loading ??= import('eld/small').then((m) => eldDetector(m.eld))
  return loading
}

/** The upstream's language when it gave one; else the detector's, when confident. */
export function resolveLanguage(given: string | null | undefined, text: string, detector?: LanguageDetector): ResolvedLang {
  const upstream = normaliseLang(given)
  if (upstream !== undefined) return { value: upstream, origin: 'given' }
  const detected = detector?.detect(text)
  return detected === undefined ? { value: undefined, origin: 'unknown' } : { value: detected, origin: 'detected' }
}
