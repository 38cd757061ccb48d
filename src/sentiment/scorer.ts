// Builds a scorer: compile the lexicon once, then tokenize → score → intent per text.
import fs from 'node:fs'
import { createRequire } from 'node:module'
import type { SentimentLabel } from '../model.js'
import { compileBase, finishLexicon, hashWords, type CompiledLexicon, type Entry } from './compile.js'
import { explainIntent, intentOf } from './intent.js'
import type { Lexicon } from './lexicon.js'
import { Features, scoreTokens, type TraceToken } from './rules.js'
import { decodeSnapshot, restoreBase, type BaseSnapshot } from './snapshot.js'
import type { WordTable } from './table.js'
import { buildEmoticonTable, tokenize, TokenBuffer, type EmoticonTable } from './tokenize.js'
import type { Evidence, Explanation, Scorer, ScorerOptions, SentimentResult } from './types.js'

/** Bump whenever the lexicon or the rules change: stored rows are rescored by version. */
export const SCORER_VERSION = 'cs-5'

/** VADER's normalisation constant: raw sums of about ±4 land near ±0.7. */
export const ALPHA = 15
/** |score| below this is neutral. */
export const NEUTRAL_BAND = 0.05

export function normalize(raw: number): number {
  if (raw === 0) return 0
  const s = raw / Math.sqrt(raw * raw + ALPHA)
  return s < -1 ? -1 : s > 1 ? 1 : s
}

export function labelOf(score: number): SentimentLabel {
  return score >= NEUTRAL_BAND ? 'positive' : score <= -NEUTRAL_BAND ? 'negative' : 'neutral'
}

/**
 * Raw points a star rating adds: a reviewer's stars are their own verdict, so a 1★ review
 * that says "love the look, but it crashes" is a complaint, and a 5★ "no complaints" is not.
 * ±4 at the ends is as much as two strong words: the text can still outweigh a mild rating.
 */
export function ratingWeight(rating: number | null | undefined): number {
  if (rating === null || rating === undefined || !Number.isFinite(rating)) return 0
  // Three stars is no verdict; each star further from it is worth two points.
  const fromMiddle = Math.min(5, Math.max(1, rating)) - 3
  return Math.abs(fromMiddle) < 1 ? 0 : fromMiddle * 2
}

interface Base {
  afinn: Lexicon
  emoji: Lexicon
}
let base: Base | undefined
function loadBase(): Base {
  // The `sentiment` package's AFINN-165 and its emoji list, read once per process.
  const require = createRequire(import.meta.url)
  base ??= {
    afinn: require('sentiment/languages/en/labels.json') as Lexicon,
    emoji: require('sentiment/build/emoji.json') as Lexicon,
  }
  return base
}

/** Where `npm run build` writes the snapshot of the base lexicon: beside the built scorer. */
export const SNAPSHOT_FILE = 'scorer-base.bin'

// undefined: not looked for yet; null: none usable (running from source, or another version's).
let snapshot: BaseSnapshot | null | undefined
function readSnapshot(): BaseSnapshot | null {
  if (snapshot !== undefined) return snapshot
  try {
    const snap = decodeSnapshot(fs.readFileSync(new URL(`./${SNAPSHOT_FILE}`, import.meta.url)))
    snapshot = snap !== null && snap.version === SCORER_VERSION ? snap : null
  } catch {
    snapshot = null
  }
  return snapshot
}

/** The config-independent layers: restored from the build's snapshot when there is one. */
export function baseWords(opts: { compiled?: boolean } = {}): WordTable<Entry> {
  const snap = opts.compiled ? null : readSnapshot()
  return snap ? restoreBase(snap) : compileBase(loadBase())
}

let shared: { lex: CompiledLexicon; emoticons: EmoticonTable } | undefined

export function createScorer(opts: ScorerOptions = {}): Scorer {
  const user = opts.words ?? {}
  const names = opts.names ?? []
  const hasUser = Object.keys(user).length > 0
  const custom = hasUser || names.length > 0
  let compiled: { lex: CompiledLexicon; emoticons: EmoticonTable }
  if (!custom && shared !== undefined) {
    compiled = shared
  } else {
    const lex = finishLexicon(baseWords(), user, names)
    compiled = { lex, emoticons: buildEmoticonTable(lex.emoticons) }
    if (!custom) shared = compiled
  }
  const { lex, emoticons } = compiled
  // Names change scores as user words do, so they tag the version too.
  const version = `${SCORER_VERSION}${hasUser ? `+u${hashWords(user)}` : ''}${
    names.length > 0 ? `+n${hashWords(Object.fromEntries(names.map((n) => [n.toLowerCase(), 0])))}` : ''
  }`
  // Reused across calls: scoring is synchronous, so one buffer per scorer is enough.
  const tokens = new TokenBuffer()
  const features = new Features()

  const score = (text: string, evidence?: Evidence): SentimentResult => {
    tokenize(text, tokens, emoticons)
    scoreTokens(lex, tokens, features, null)
    const s = normalize(features.raw + ratingWeight(evidence?.rating))
    const label = labelOf(s)
    return { label, score: s, intent: intentOf(features, label, s) }
  }

  const explain = (text: string, evidence?: Evidence): Explanation => {
    const buffer = new TokenBuffer()
    const f = new Features()
    const trace: TraceToken[] = []
    tokenize(text, buffer, emoticons)
    scoreTokens(lex, buffer, f, trace)
    const stars = ratingWeight(evidence?.rating)
    const raw = f.raw + stars
    const s = normalize(raw)
    const label = labelOf(s)
    const decision = explainIntent(f, label, s)
    const rules = [...(f.rules ?? [])]
    if (f.sarcasm > 0) rules.push(`sarcasm ×${f.sarcasm}`)
    if (stars !== 0) rules.push(`rating: ${evidence?.rating}★ ${stars > 0 ? '+' : ''}${stars}`)
    rules.push(decision.reason)
    return { label, score: s, intent: decision.intent, tokens: trace, rules, raw }
  }

  return { version, score, explain }
}
