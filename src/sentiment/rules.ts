// The scoring pass: one walk over the tokens applying every rule as it goes. score() runs it
// with no trace; explain() passes a Trace and gets the same numbers with their reasons.
import {
  NUM_KEY, R_AGAIN, R_LEAD_IN, R_CONCESSION, R_IRREALIS, R_CONTRAST, R_FAILURE, R_GRIEVANCE, R_INVERTS, R_MODAL_PERFECT, R_MODIFIER, R_NEGATOR, R_POLITE,
  R_PRAISE, R_QUESTION, R_REQUEST, R_SARC_LEAD, R_SARC_LONE, R_SARC_PRONE, R_SARC_TRIGGER, type CompiledLexicon, type Entry,
} from './compile.js'
import {
  F_CAPS, F_ELONGATED, K_BANG, K_COMMA, K_EMOJI, K_EMOTICON, K_HASHTAG, K_MENTION, K_NUM, K_QMARK,
  K_STOP, K_URL, K_WORD, type TokenBuffer,
} from './tokenize.js'
import { CONCESSIONS_AT_START, NOUN_PHRASE_STARTS, RECEIPT_VERBS, STATEMENT_SUBJECTS } from './lexicon.js'
import { HASH_SEED, hashOf, hashStep } from './table.js'

/** Tunables, named so the explanation and the tests can speak of them. */
export const NEGATE_POSITIVE = -0.75
export const NEGATE_NEGATIVE = 0.25
/**
 * Negative words outweigh positive ones in a mixed message: a complaint wrapped in courtesy is
 * still a complaint ("thanks, but my bag is lost").
 */
export const NEGATIVITY_BIAS = 1.25
export const NEGATION_REACH = 3
export const MODIFIER_REACH = 2
export const BEFORE_CONTRAST = 0.5
export const AFTER_CONTRAST = 1.5
export const CONCEDED = 0.5
export const CAPS_FACTOR = 1.5
export const ELONGATED_FACTOR = 1.2
export const BANG_STEP = 0.3
export const BANG_MAX = 3
export const SARCASM_REACH = 3
/** A warm sentence this short right after a complaint is a sarcastic aside. */
export const SARCASM_SHORT_SENTENCE = 3
/** "why …" opening a sentence: people rarely ask a brand why when nothing is wrong. */
export const GRIEVANCE_WEIGHT = -1
/** "??", "?!": exasperation, once per text. */
export const EXASPERATION_WEIGHT = -1
/** "never … again", "won't … anymore". */
export const CHURN_WEIGHT = -2
/** Valence inside a plain question ("is my flight delayed?") is asked about, not asserted. */
export const QUESTIONED = 0.5
/** Warm words in a clause opened by "if", "wish", "would": wanted, not had ("that would be great"). */
export const IRREALIS = 0
/** Warm words below this weight in a question are asked about; stronger ones are asserted. */
export const QUESTION_MILD = 3
/** Harm an "if" clause supposes inside a question is asked about, not reported. */
export const SUPPOSED = 0

export interface TraceToken {
  token: string
  weight: number
  rules: string[]
}

/** What the pass learns besides the sum; intent is decided from these. */
export class Features {
  raw = 0
  failures = 0
  firstFailure = ''
  praise = 0
  questionMarks = 0
  bangs = 0
  /** A sentence opened like a question ("how do I …"). */
  questionOpeners = 0
  /** Requests to the brand ("please", "can you", "dm me"). */
  requests = 0
  /** A sentence opened like a grievance ("why is …", "how come …"). */
  grievances = 0
  sarcasm = 0
  /** Sentence-level rules that fired, for explain(); null when not tracing. */
  rules: string[] | null = null

  reset(): void {
    this.raw = 0
    this.failures = 0
    this.firstFailure = ''
    this.praise = 0
    this.questionMarks = 0
    this.bangs = 0
    this.questionOpeners = 0
    this.requests = 0
    this.grievances = 0
    this.sarcasm = 0
    this.rules = null
  }
}

const fmt = (x: number): string => (Math.round(x * 100) / 100).toString()
const signed = (x: number): string => (x > 0 ? `+${fmt(x)}` : fmt(x))

const NUM_HASH = hashOf(NUM_KEY)

/** Extends a phrase from token i as far as the trie allows; returns the entry and where it ends. */
function resolve(tokens: TokenBuffer, i: number, first: Entry, out: { end: number }): Entry | null {
  let best: Entry | null = first.terminal ? first : null
  out.end = i + 1
  let node = first
  let j = i + 1
  while (node.next !== null && j < tokens.n) {
    const k = tokens.kind[j]
    if (k !== K_WORD && k !== K_NUM) break
    const nextNode = k === K_NUM
      ? node.next.find(NUM_HASH, NUM_KEY, 0, NUM_KEY.length)
      : node.next.find(tokens.hash[j] as number, tokens.src, tokens.start[j] as number, tokens.end[j] as number)
    if (nextNode === undefined) break
    node = nextNode
    j++
    if (node.terminal) {
      best = node
      out.end = j
    }
  }
  return best
}

/** "soooo" → "soo" → "so". */
function deElongate(lex: CompiledLexicon, word: string): Entry | undefined {
  const two = word.replace(/(.)\1{2,}/g, '$1$1')
  return lex.words.get(two) ?? lex.words.get(two.replace(/(.)\1+/g, '$1'))
}

/** The entry for word/number token i, phrase start or not; undefined when the lexicon lacks it. */
function lookup(lex: CompiledLexicon, tokens: TokenBuffer, i: number, kind: number): Entry | undefined {
  if (kind === K_NUM) return lex.words.find(NUM_HASH, NUM_KEY, 0, NUM_KEY.length)
  return lex.words.find(tokens.hash[i] as number, tokens.src, tokens.start[i] as number, tokens.end[i] as number)
}

function hashtagEntry(lex: CompiledLexicon, tokens: TokenBuffer, i: number): Entry | null {
  const src = tokens.src
  const start = tokens.start[i] as number
  const end = tokens.end[i] as number
  const glued = lex.hashtags.find(tokens.hash[i] as number, src, start, end)
  if (glued !== undefined) return glued
  // #UnitedFail, #worstservice: a verdict at either end of a compound tag.
  const length = end - start
  for (const [suffix, e] of lex.hashtagSuffixes) {
    if (length > suffix.length && src.startsWith(suffix, end - suffix.length)) return e
  }
  for (const [prefix, e] of lex.hashtagPrefixes) {
    if (length > prefix.length + 2 && src.startsWith(prefix, start)) return e
  }
  // #horriblecustomerservice, #rudestaff: a strong word glued to the front of the tag, else
  // to its end. Longest first, and at least four letters so "win" does not judge #winterfest.
  const longest = Math.min(length - HASHTAG_REST, HASHTAG_LONGEST)
  if (longest < HASHTAG_WORD) return null
  // Prefix hashes come out of one scan (FNV extends to the right), longest tried first.
  let h = HASH_SEED
  for (let k = 0; k < longest; k++) {
    h = hashStep(h, src.charCodeAt(start + k))
    prefixHashes[k] = h
  }
  for (let k = longest; k >= HASHTAG_WORD; k--) {
    const e = lex.words.find(prefixHashes[k - 1] as number, src, start, start + k)
    if (e !== undefined && e.terminal && Math.abs(e.valence) >= 2) return e
  }
  for (let k = longest; k >= HASHTAG_WORD; k--) {
    const e = lex.words.find(hashOf(src, end - k, end), src, end - k, end)
    if (e !== undefined && e.terminal && Math.abs(e.valence) >= 2) return e
  }
  return null
}

/** Shortest word a hashtag is split into, shortest remainder beside it, longest word tried. */
const HASHTAG_WORD = 4
const HASHTAG_REST = 3
const HASHTAG_LONGEST = 14
const prefixHashes = new Int32Array(HASHTAG_LONGEST)

const span = { end: 0 }

/**
 * Scores the tokens into `f` (raw sum and intent features). With `trace`, also records every
 * token that moved the score; the weights in the trace always sum to f.raw.
 */
export function scoreTokens(lex: CompiledLexicon, tokens: TokenBuffer, f: Features, trace: TraceToken[] | null): void {
  f.reset()
  if (trace !== null) f.rules = []
  const n = tokens.n
  // Caps is emphasis only when the rest of the text is not shouting too.
  const capsMeaningful = tokens.capsWords > 0 && tokens.capsWords < tokens.words * 0.6
  let total = 0
  let negUntil = -1
  let negWord = ''
  let negatesPraiseOnly = false
  let modFactor = 1
  let modUntil = -1
  let modWord = ''
  let post = 1
  let contrastWord = ''
  let conceding = false
  let concessionWord = ''
  let sarcUntil = -1
  let sarcWeight = 0
  let sarcLead = false
  let sarcTrace = -1
  let sarcWord = ''
  let sentenceStart = true
  let sentenceLength = -1
  let questioned = false
  let irrealis = ''
  let requested = ''
  let inQuestion = false
  let negatedInSentence = ''
  let exasperated = false
  // Politeness weight, removed at the end when the text asks for something; scaled with contrast.
  let politeSum = 0
  const politeAt: number[] | null = trace === null ? null : []
  let sarcPolite = false
  // Where this sentence and the one before it began (running total, politeness, trace length):
  // a contrast weighs down only its own sentence, or the one before when it opens a sentence.
  let sentTotal = 0
  let sentPolite = 0
  let sentTrace = 0
  let prevTotal = 0
  let prevPolite = 0
  let prevTrace = 0

  for (let i = 0; i < n; ) {
    const kind = tokens.kind[i] as number
    if (kind === K_MENTION || kind === K_URL) {
      i++
      continue
    }
    if (kind === K_STOP || kind === K_BANG || kind === K_QMARK || kind === K_COMMA) {
      if (kind === K_BANG) f.bangs += tokens.count[i] as number
      else if (kind === K_QMARK) {
        f.questionMarks += tokens.count[i] as number
        const next = i + 1 < n ? (tokens.kind[i + 1] as number) : 0
        if (!exasperated && ((tokens.count[i] as number) >= 2 || (next === K_BANG && total < 0))) {
          exasperated = true
          total += EXASPERATION_WEIGHT
          if (trace !== null) trace.push({ token: next === K_BANG ? '?!' : '??', weight: EXASPERATION_WEIGHT, rules: [`exasperation ${EXASPERATION_WEIGHT}`] })
        }
      }
      negUntil = -1
      modUntil = -1
      conceding = false
      irrealis = ''
      requested = ''
      sarcUntil = -1
      if (kind !== K_COMMA) {
        sentenceStart = true
        inQuestion = false
        sentenceLength = -1
        questioned = false
        negatedInSentence = ''
        // "Great crew but a bad seat. The food was lovely." — the contrast ends with its sentence.
        post = 1
      }
      i++
      continue
    }

    if (sentenceLength < 0) {
      prevTotal = sentTotal
      prevPolite = sentPolite
      prevTrace = sentTrace
      sentTotal = total
      sentPolite = politeSum
      sentTrace = trace === null ? 0 : trace.length
      scanSentence(tokens, i, sentence)
      sentenceLength = sentence.words
      inQuestion = sentence.question
    }
    let entry: Entry | null = null
    let end = i + 1
    if (kind === K_WORD || kind === K_NUM) {
      let first = lookup(lex, tokens, i, kind)
      if (first === undefined && ((tokens.flags[i] as number) & F_ELONGATED) !== 0) first = deElongate(lex, tokens.textOf(i))
      if (first !== undefined) {
        entry = resolve(tokens, i, first, span)
        end = span.end
      }
    } else if (kind === K_HASHTAG) {
      const e = lookup(lex, tokens, i, K_WORD)
      entry = e !== undefined && e.terminal && e.valence !== 0 ? e : hashtagEntry(lex, tokens, i)
    } else if (kind === K_EMOJI || kind === K_EMOTICON) {
      // "😢😢😢" is one feeling said loudly, not three: a repeat of the emoji just before it
      // adds nothing.
      const repeat = i > 0 && tokens.kind[i - 1] === kind && tokens.symbol[i - 1] === tokens.symbol[i]
      entry = repeat ? null : (lex.words.get(tokens.symbol[i] as string) ?? null)
    }
    if (entry === null) {
      // A tag in front ("#PHL why …") does not open the sentence; a word does.
      if (kind === K_WORD) sentenceStart = false
      i = end
      continue
    }

    const roles = entry.roles
    let opensGrievance = false
    // "Why is my order late" asks; "Why we moved to Acme", "How we cut our bill" announce a story.
    const statement = (roles & R_INVERTS) !== 0 && opensStatement(tokens, end) && !inQuestion
    if (sentenceStart && (roles & R_QUESTION) !== 0 && !statement) {
      f.questionOpeners++
      if ((roles & R_GRIEVANCE) !== 0) {
        f.grievances++
        opensGrievance = true
      } else {
        questioned = inQuestion
      }
    }
    if ((roles & R_REQUEST) !== 0) {
      f.requests++
      requested = entry.key
    }
    const opensSentence = sentenceStart
    sentenceStart = sentenceStart && (roles & R_LEAD_IN) !== 0
    if ((roles & R_PRAISE) !== 0) f.praise++
    if ((roles & R_NEGATOR) !== 0 && !((roles & R_MODAL_PERFECT) !== 0 && notCounterfactual(tokens, i, end))) {
      negUntil = end - 1 + NEGATION_REACH
      negWord = entry.key
      // A complaint phrase ("can't get", "don't give a") already says the negative; it flips
      // praise after it but does not soften the harm ("don't give a shit", "can't even get on hold").
      negatesPraiseOnly = entry.valence < 0
      negatedInSentence = entry.key
    }
    const modifies = (roles & R_MODIFIER) !== 0 && (entry.modValence === 0 || modifiesNext(lex, tokens, end))
    if (modifies) {
      modFactor = modUntil >= i ? modFactor * entry.factor : entry.factor
      modUntil = end - 1 + MODIFIER_REACH
      modWord = entry.key
    }
    if ((roles & R_CONTRAST) !== 0) {
      // Mid-sentence, "but" weighs down its own sentence so far; opening one ("But …"), the
      // sentence before. Earlier sentences are not what it answers.
      const fromTotal = opensSentence ? prevTotal : sentTotal
      const fromPolite = opensSentence ? prevPolite : sentPolite
      total = fromTotal + (total - fromTotal) * BEFORE_CONTRAST
      politeSum = fromPolite + (politeSum - fromPolite) * BEFORE_CONTRAST
      if (opensSentence) {
        // The sentence before now weighs half: where this one starts moves with it.
        sentTotal = total
        sentPolite = politeSum
      }
      if (trace !== null) {
        for (let t = opensSentence ? prevTrace : sentTrace; t < trace.length; t++) {
          const tt = trace[t] as TraceToken
          tt.weight *= BEFORE_CONTRAST
          tt.rules.push(`contrast: before '${entry.key}' ×${BEFORE_CONTRAST}`)
        }
      }
      post = AFTER_CONTRAST
      contrastWord = entry.key
      negUntil = -1
      sarcUntil = -1
    }
    if ((roles & R_IRREALIS) !== 0) irrealis = entry.key
    // "While the crew was kind, …" concedes; "delayed while we sat on the tarmac" tells when.
    if ((roles & R_CONCESSION) !== 0 && (opensSentence || !CONCESSIONS_AT_START.has(entry.key))) {
      conceding = true
      concessionWord = entry.key
    }

    // The word's own weight.
    const negated = i <= negUntil && (roles & R_NEGATOR) === 0 && (kind === K_WORD || kind === K_NUM) &&
      !(negatesPraiseOnly && entry.valence < 0)
    let w = 0
    let rules: string[] | null = null
    if (negated && entry.hasNegated) {
      w = entry.negated
      if (trace !== null) rules = [`expected '${entry.key}' negated by '${negWord}'`]
    } else if (opensGrievance && entry.valence === 0) {
      w = GRIEVANCE_WEIGHT
      if (trace !== null) rules = [`grievance: '${entry.key} …' ${GRIEVANCE_WEIGHT}`]
    } else if ((roles & R_AGAIN) !== 0 && negatedInSentence !== '' && entry.valence === 0) {
      w = CHURN_WEIGHT
      if (trace !== null) rules = [`churn: '${negatedInSentence} … ${entry.key}' ${CHURN_WEIGHT}`]
      negatedInSentence = ''
    } else if (entry.valence !== 0 || (!modifies && entry.modValence !== 0)) {
      w = entry.valence !== 0 ? entry.valence : entry.modValence
      if (trace !== null) rules = [sourceRule(entry, kind, w)]
      if (negated) {
        const factor = w > 0 ? NEGATE_POSITIVE : NEGATE_NEGATIVE
        w *= factor
        if (rules !== null) rules.push(`negated by '${negWord}' ×${factor}`)
      }
    }
    if (w === 0) {
      i = end
      continue
    }
    if (w < 0) {
      w *= NEGATIVITY_BIAS
      if (rules !== null) rules.push(`negativity bias ×${NEGATIVITY_BIAS}`)
    }
    if (negated) negUntil = -1
    if (modUntil >= i && (roles & R_MODIFIER) === 0) {
      w *= modFactor
      if (rules !== null) rules.push(`${modFactor >= 1 ? 'intensified' : 'softened'} by '${modWord}' ×${fmt(modFactor)}`)
      modUntil = -1
    }
    if (capsMeaningful && ((tokens.flags[i] as number) & F_CAPS) !== 0) {
      w *= CAPS_FACTOR
      if (rules !== null) rules.push(`caps ×${CAPS_FACTOR}`)
    }
    if (((tokens.flags[i] as number) & F_ELONGATED) !== 0) {
      w *= ELONGATED_FACTOR
      if (rules !== null) rules.push(`elongated ×${ELONGATED_FACTOR}`)
    }
    if (post !== 1) {
      w *= post
      if (rules !== null) rules.push(`contrast: after '${contrastWord}' ×${post}`)
    }
    if (conceding) {
      w *= CONCEDED
      if (rules !== null) rules.push(`concession after '${concessionWord}' ×${CONCEDED}`)
    }
    if (irrealis !== '' && w > 0 && (roles & R_IRREALIS) === 0) {
      w *= IRREALIS
      if (rules !== null) rules.push(`wished for, not had ('${irrealis}') ×${IRREALIS}`)
    } else if (w < 0 && inQuestion && irrealis === 'if') {
      // "If my order is cancelled, do I get a refund?" asks what would happen. Outside a
      // question an "if" clause is often the complaint itself ("if you cared, you'd call back").
      w *= SUPPOSED
      if (rules !== null) rules.push(`supposed in a question ('if') ×${SUPPOSED}`)
    } else if (w > 0 && (roles & (R_REQUEST | R_PRAISE)) === 0) {
      // What a request asks for is not had yet ("can you find me a good seat"), and a mild warm
      // word in a question is asked about ("is it better to book online?"). Praise inside a
      // request ("please tell them well done") and strong words in a question stay.
      const asked = requested !== '' ? `asked for ('${requested}')` : inQuestion && kind === K_WORD && w < QUESTION_MILD ? 'asked about (question)' : ''
      if (asked !== '') {
        w *= IRREALIS
        if (rules !== null) rules.push(`${asked}, not had ×${IRREALIS}`)
      }
    }
    if (questioned) {
      w *= QUESTIONED
      if (rules !== null) rules.push(`asked, not asserted (question) ×${QUESTIONED}`)
    }
    // "thanks for X" is gratitude; a bare "thanks" may be manners (settled at the end).
    const polite = w > 0 && (roles & R_POLITE) !== 0 && !tokens.is(end, 'for')

    // Sarcasm, cheaply: warm words right before a harm, or alone right after a complaint.
    if (w < 0 && sarcUntil >= i && (sarcLead || (roles & (R_SARC_TRIGGER | R_FAILURE)) !== 0)) {
      total -= 2 * sarcWeight
      if (sarcPolite) politeSum -= sarcWeight
      f.sarcasm++
      if (trace !== null) {
        const t = trace[sarcTrace]
        if (t !== undefined) {
          t.weight = -t.weight
          t.rules.push(`sarcasm: '${sarcWord}' … '${entry.key}'`)
        }
      }
      sarcUntil = -1
    }
    if (w > 0 && (roles & R_SARC_PRONE) !== 0) {
      // "Great.", "Lots of fun!", "Great job" as a sentence of their own after a complaint.
      // A phrase counts as one word: "Keep up the good work!" is as short as "Great job!".
      const alone = sentenceLength - (end - i - 1) <= SARCASM_SHORT_SENTENCE
      if (alone && (roles & R_SARC_LONE) !== 0 && (f.failures > 0 || total < 0)) {
        w = -w
        f.sarcasm++
        if (rules !== null) rules.push(`sarcasm: '${entry.key}' after a complaint`)
      } else {
        sarcLead = (roles & R_SARC_LEAD) !== 0
        sarcUntil = sarcLead ? n : end - 1 + SARCASM_REACH
        sarcWeight = w
        sarcPolite = polite
        sarcWord = entry.key
        sarcTrace = trace === null ? -1 : trace.length
      }
    }

    if (w < 0 && ((roles & R_FAILURE) !== 0 || (negated && entry.hasNegated))) {
      if (f.failures++ === 0) f.firstFailure = entry.key
    }
    if (polite && w > 0) {
      politeSum += w
      if (politeAt !== null && trace !== null) politeAt.push(trace.length)
    }
    total += w
    if (trace !== null && rules !== null) trace.push({ token: surface(tokens, i, end, kind), weight: w, rules })
    i = end
  }

  if (politeSum !== 0 && (f.questionMarks > 0 || f.requests > 0)) {
    total -= politeSum
    if (trace !== null && politeAt !== null) {
      for (const t of politeAt) {
        const tt = trace[t]
        if (tt === undefined || tt.weight <= 0) continue // flipped by sarcasm: stays
        tt.weight = 0
        tt.rules.push('politeness in a request ×0')
      }
    }
    f.rules?.push('politeness: thanks in a request or question is not praise')
  }

  if (f.bangs > 0 && total !== 0) {
    const bangs = Math.min(f.bangs, BANG_MAX)
    const delta = Math.sign(total) * bangs * BANG_STEP
    total += delta
    if (trace !== null) trace.push({ token: '!'.repeat(bangs), weight: delta, rules: [`emphasis: ${bangs}×'!' ${signed(delta)}`] })
    f.rules?.push(`emphasis: ${bangs}×'!'`)
  }
  f.raw = total
}

/**
 * "should have" at i…end that does not say something failed to happen: "have" holding a noun
 * phrase ("you should have a reply shortly"), or the sender telling "you" what reached them
 * ("you should have received an email"). "I should have received my refund" and "you should
 * have told me" stay counterfactual.
 */
function notCounterfactual(tokens: TokenBuffer, i: number, end: number): boolean {
  if (end >= tokens.n || (tokens.kind[end] as number) !== K_WORD) return false
  const next = tokens.textOf(end)
  if (NOUN_PHRASE_STARTS.has(next)) return true
  return RECEIPT_VERBS.has(next) && i > 0 && tokens.is(i - 1, 'you') && (tokens.kind[i - 1] as number) === K_WORD
}

/** Does a word within reach carry something for a modifier to act on? */
function modifiesNext(lex: CompiledLexicon, tokens: TokenBuffer, from: number): boolean {
  const to = Math.min(tokens.n, from + MODIFIER_REACH)
  for (let j = from; j < to; j++) {
    const k = tokens.kind[j] as number
    if (k === K_EMOJI || k === K_EMOTICON) return lex.words.get(tokens.symbol[j] as string) !== undefined
    if (k !== K_WORD) return false
    const e = lookup(lex, tokens, j, K_WORD)
    if (e !== undefined && (e.valence !== 0 || e.hasNegated || (e.roles & (R_MODIFIER | R_NEGATOR)) !== 0)) return true
  }
  return false
}

/**
 * One look ahead per sentence: its words, hashtags and emoji from `from` on, and whether '?'
 * ends it. Every rule that needs either reads it from here.
 */
function scanSentence(tokens: TokenBuffer, from: number, out: { words: number; question: boolean }): void {
  let count = 0
  let j = from
  for (; j < tokens.n; j++) {
    const k = tokens.kind[j] as number
    if (isSentenceEnd(k)) break
    if (k === K_WORD || k === K_NUM || k === K_HASHTAG || k === K_EMOJI || k === K_EMOTICON) count++
  }
  out.words = count
  out.question = j < tokens.n && (tokens.kind[j] as number) === K_QMARK
}

const sentence = { words: 0, question: false }

const isSentenceEnd = (k: number): boolean => k === K_STOP || k === K_BANG || k === K_QMARK

function opensStatement(tokens: TokenBuffer, at: number): boolean {
  return at < tokens.n && (tokens.kind[at] as number) === K_WORD && STATEMENT_SUBJECTS.has(tokens.textOf(at))
}

/** The words as written (lower-cased), so a phrase with a number reads "for 2 hours". */
function surface(tokens: TokenBuffer, from: number, to: number, kind: number): string {
  if (kind === K_HASHTAG) return `#${tokens.textOf(from)}`
  if (to - from === 1) return tokens.textOf(from)
  const parts: string[] = []
  for (let j = from; j < to; j++) parts.push(tokens.textOf(j))
  return parts.join(' ')
}

function sourceRule(entry: Entry, kind: number, valence: number): string {
  const v = signed(valence)
  if (kind === K_HASHTAG) return `hashtag '${entry.key}' ${v}`
  switch (entry.source) {
    case 'emoji':
      return `emoji ${entry.key} ${v}`
    case 'emoticon':
      return `emoticon ${entry.key} ${v}`
    case 'failure':
      return `domain: '${entry.key}' ${v}`
    case 'domain':
      return `domain: '${entry.key}' ${v}`
    case 'sarcasm':
      return `sarcasm: '${entry.key}' ${v}`
    case 'user':
      return `user word '${entry.key}' ${v}`
    default:
      return `afinn '${entry.key}' ${v}`
  }
}
