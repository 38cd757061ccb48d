// Turns the word lists into one lookup: a table from word to Entry, where an Entry carries its
// valence, its roles (negator, modifier, …) and a trie of the phrases it starts. One lookup
// per token answers everything the rules need to know about it.
import {
  AFTER_NEGATION_AGAIN, CONCESSIONS, CONTRASTS, DOMAIN_OTHER, EMOJI_OVERRIDES, EMOTICONS,
  EXPECTATIONS, FAILURES, GRIEVANCE_OPENERS, INVERTING_OPENERS, HASHTAG_PREFIXES, HASHTAG_SUFFIXES, MODIFIERS, NEGATORS,
  LEAD_INS, MODAL_PERFECTS, POLITENESS, PRAISE_CUES, IRREALIS_MARKERS, QUESTION_OPENERS, REQUESTS, SARCASM_LONE, SARCASM_PHRASES, SARCASM_PRONE,
  SARCASM_TRIGGERS, type Lexicon,
} from './lexicon.js'
import { gluesIntoHashtag, RestoredBase } from './snapshot.js'
import { WordTable } from './table.js'

export const R_NEGATOR = 1
export const R_MODIFIER = 2
export const R_CONTRAST = 4
export const R_CONCESSION = 8
export const R_SARC_PRONE = 16
export const R_SARC_TRIGGER = 32
export const R_FAILURE = 64
export const R_QUESTION = 128
export const R_GRIEVANCE = 256
export const R_PRAISE = 512
/** "love how …", "gotta love …": sarcastic whenever the rest of the sentence is negative. */
export const R_SARC_LEAD = 1024
/** "great", "perfect" … alone in a sentence right after a complaint. */
export const R_SARC_LONE = 2048
/** "thanks", "appreciate it": manners when the text asks for something. */
export const R_POLITE = 4096
/** "please", "can you", "dm me": the text asks the brand to act. */
export const R_REQUEST = 8192
/** "again", "anymore": churn after a negation in the same sentence. */
export const R_AGAIN = 16384
/** "if", "wish", "would": the clause they open is wished for, not what happened. */
export const R_IRREALIS = 32768
/** "but", "and", "ok": lead into a sentence without opening it ("But why is it late?"). */
export const R_LEAD_IN = 65536
/** "why", "how", "what": a question only when not followed straight by a subject. */
export const R_INVERTS = 262144
/** "should have", "would've": negate only as a perfect ("should have replied"). */
export const R_MODAL_PERFECT = 131072

export type EntrySource = 'afinn' | 'emoji' | 'emoticon' | 'domain' | 'failure' | 'sarcasm' | 'user' | 'name' | 'none'

export interface Entry {
  /** The word or phrase as the lexicon spells it. */
  readonly key: string
  valence: number
  /** Valence inside a negation scope when it is not simply the flipped valence. */
  negated: number
  hasNegated: boolean
  factor: number
  /** A modifier's own valence, used when it has nothing to modify ("damn!", "pretty"). */
  modValence: number
  roles: number
  source: EntrySource
  /** A phrase ends here (an entry can also exist only as a step towards longer phrases). */
  terminal: boolean
  next: WordTable<Entry> | null
}

export interface CompiledLexicon {
  words: WordTable<Entry>
  /** Hashtag bodies that are concatenated phrases: #neveragain, #customerservicefail. */
  hashtags: WordTable<Entry>
  /** Verdicts at either end of a compound hashtag, longest first. */
  hashtagSuffixes: readonly [string, Entry][]
  hashtagPrefixes: readonly [string, Entry][]
  emoticons: readonly string[]
}

/** Number tokens match `<n>` in phrases. */
export const NUM_KEY = '<n>'

const newEntry = (key: string): Entry => ({
  key, valence: 0, negated: 0, hasNegated: false, factor: 1, modValence: 0, roles: 0, source: 'none', terminal: false, next: null,
})

function splitKey(key: string): string[] {
  // Tokens never contain hyphens, so neither may lexicon keys.
  return key.toLowerCase().replace(/\u2019/g, "'").replace(/-/g, ' ').split(/\s+/).filter(Boolean)
}

/** Finds or creates the entry for a word or phrase, creating the trie path to it. */
function entryFor(words: WordTable<Entry>, key: string, exact = false): Entry | null {
  const parts = exact ? [key] : splitKey(key)
  if (parts.length === 0) return null
  let map = words
  let node: Entry | undefined
  let path = ''
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] as string
    path = p === 0 ? part : `${path} ${part}`
    node = map.get(part)
    if (node === undefined) {
      node = newEntry(path)
      map.set(part, node)
    }
    if (p < parts.length - 1) {
      node.next ??= new WordTable<Entry>()
      map = node.next
    }
  }
  if (node === undefined) return null
  node.terminal = true
  return node
}

function setValence(words: WordTable<Entry>, lex: Lexicon, source: EntrySource, roles = 0, exact = false): void {
  for (const [key, v] of Object.entries(lex)) {
    const e = entryFor(words, key, exact)
    if (e === null) continue
    e.valence = v
    e.source = source
    e.roles |= roles
  }
}

function addRole(words: WordTable<Entry>, keys: readonly string[], role: number): void {
  for (const key of keys) {
    const e = entryFor(words, key)
    if (e !== null) e.roles |= role
  }
}

export interface CompileInput {
  afinn: Lexicon
  emoji: Lexicon
  user: Lexicon
  /** Brand and product names: weigh nothing and play no role. */
  names?: readonly string[]
}

export function compileLexicon({ afinn, emoji, user, names = [] }: CompileInput): CompiledLexicon {
  return finishLexicon(compileBase({ afinn, emoji }), user, names)
}

/**
 * Every layer that does not depend on the config: the part `npm run build` snapshots
 * (see snapshot.ts), so a process restores it instead of compiling it.
 */
export function compileBase({ afinn, emoji }: { afinn: Lexicon; emoji: Lexicon }): WordTable<Entry> {
  const words = new WordTable<Entry>(8192)
  // Later layers override earlier ones: AFINN, then emoji, then ours, then the user's.
  setValence(words, afinn, 'afinn')
  setValence(words, emoji, 'emoji', 0, true)
  setValence(words, EMOJI_OVERRIDES, 'emoji', 0, true)
  setValence(words, EMOTICONS, 'emoticon', 0, true)
  for (const [e, v] of Object.entries(EMOTICONS)) {
    // Letter emoticons ("xD") reach the scorer as lower-cased words.
    if (/^[a-z]/i.test(e)) setValence(words, { [e.toLowerCase()]: v }, 'emoticon', 0, true)
  }
  setValence(words, DOMAIN_OTHER, 'domain')
  setValence(words, SARCASM_TRIGGERS, 'domain', R_SARC_TRIGGER)
  setValence(words, FAILURES, 'failure', R_FAILURE)
  setValence(words, SARCASM_PHRASES, 'sarcasm', R_FAILURE)
  for (const [key, v] of Object.entries(EXPECTATIONS)) {
    const e = entryFor(words, key)
    if (e === null) continue
    e.negated = v
    e.hasNegated = true
  }
  // Negators are pure operators: AFINN's −1 for "no" would count a negation twice.
  for (const key of NEGATORS) {
    const e = entryFor(words, key)
    if (e === null) continue
    e.roles |= R_NEGATOR
    e.valence = 0
  }
  // "can't get a good seat": a complaint phrase that opens with a negator still negates what
  // follows it, as the bare negator would have.
  for (const head of words.values()) {
    if ((head.roles & R_NEGATOR) !== 0 && head.next !== null) markNegatingPhrases(head.next)
  }
  for (const [key, f] of Object.entries(MODIFIERS)) {
    const e = entryFor(words, key)
    if (e === null) continue
    e.roles |= R_MODIFIER
    e.factor = f
    // "pretty", "super", "seriously": valence of their own only when nothing follows to modify.
    if (e.source !== 'user') {
      e.modValence = e.valence
      e.valence = 0
    }
  }
  addRole(words, CONTRASTS, R_CONTRAST)
  addRole(words, CONCESSIONS, R_CONCESSION)
  addRole(words, SARCASM_PRONE, R_SARC_PRONE)
  addRole(words, ['love how', 'love that', 'love when', 'love it when', 'gotta love', 'got to love', 'love being', 'interesting how', 'funny how', 'amazing how'], R_SARC_LEAD)
  addRole(words, SARCASM_LONE, R_SARC_LONE | R_SARC_PRONE)
  addRole(words, QUESTION_OPENERS, R_QUESTION)
  addRole(words, GRIEVANCE_OPENERS, R_GRIEVANCE | R_QUESTION)
  addRole(words, PRAISE_CUES, R_PRAISE)
  addRole(words, POLITENESS, R_POLITE)
  addRole(words, REQUESTS, R_REQUEST)
  // "Is there …", "can you …", "how do I …" open a question as their first word would alone.
  const opener = new Set(QUESTION_OPENERS)
  addRole(words, REQUESTS.filter((k) => opener.has(k.split(' ')[0] as string)), R_QUESTION)
  addRole(words, AFTER_NEGATION_AGAIN, R_AGAIN)
  addRole(words, IRREALIS_MARKERS, R_IRREALIS)
  addRole(words, LEAD_INS, R_LEAD_IN)
  addRole(words, MODAL_PERFECTS, R_MODAL_PERFECT)
  addRole(words, INVERTING_OPENERS, R_INVERTS)
  return words
}

/** The config's layers over a base (which it takes over and changes), then the derived tables. */
export function finishLexicon(words: WordTable<Entry>, user: Lexicon, names: readonly string[] = []): CompiledLexicon {
  // The entries the config's layers changed: the only ones that can move the hashtag table
  // away from the one the build snapshotted.
  const touched: Entry[] = []
  for (const [key, v] of Object.entries(user)) {
    if (!Number.isFinite(v)) continue
    const e = entryFor(words, key)
    if (e === null) continue
    e.valence = Math.max(-5, Math.min(5, v))
    e.source = 'user'
    e.hasNegated = false
    e.roles &= ~(R_NEGATOR | R_MODIFIER)
    touched.push(e)
  }
  // Last, so a name wins over every list: "United" names an airline, "Best Buy" a shop.
  for (const name of names) {
    const e = entryFor(words, name)
    if (e === null) continue
    e.valence = 0
    e.source = 'name'
    e.hasNegated = false
    e.modValence = 0
    e.roles = 0
    touched.push(e)
  }

  // Hashtags glue words together: #neveragain is the phrase "never again".
  const restored = words.loader instanceof RestoredBase ? words.loader : null
  const hashtags = restored?.hashtagsUnless(touched) ?? collectHashtags(words)

  const affixes = (lex: Lexicon, label: (a: string) => string): [string, Entry][] =>
    Object.entries(lex)
      .sort((a, b) => b[0].length - a[0].length)
      .map(([affix, v]) => {
        const e = newEntry(label(affix))
        e.valence = v
        e.roles = v < 0 ? R_FAILURE : 0
        e.source = 'domain'
        e.terminal = true
        return [affix, e]
      })
  return {
    words,
    hashtags,
    hashtagSuffixes: affixes(HASHTAG_SUFFIXES, (a) => `#…${a}`),
    hashtagPrefixes: affixes(HASHTAG_PREFIXES, (a) => `#${a}…`),
    emoticons: Object.keys(EMOTICONS),
  }
}

/** Every terminal phrase with a valence, glued, in table walk order (later ones win a shared key). */
function collectHashtags(words: WordTable<Entry>): WordTable<Entry> {
  const hashtags = new WordTable<Entry>(1024)
  // A restored base makes its entries on first lookup; those not made yet are as the build
  // compiled them, so their part of this walk comes from the snapshot, in the same order.
  const collect = (map: WordTable<Entry>): void => {
    map.forEachSlot((e, ref) => {
      if (e === null) {
        const loader = map.loader
        if (!(loader instanceof RestoredBase)) throw new Error('internal: a lazy slot without its snapshot')
        loader.eachHashtag(ref, (glued, at) => hashtags.setLazy(glued, at, loader))
        return
      }
      if (gluesIntoHashtag(e)) hashtags.set(e.key.replace(/ /g, ''), e)
      if (e.next) collect(e.next)
    })
  }
  collect(words)
  return hashtags
}

function markNegatingPhrases(map: WordTable<Entry>): void {
  for (const e of map.values()) {
    if (e.terminal && e.valence < 0) e.roles |= R_NEGATOR
    if (e.next !== null) markNegatingPhrases(e.next)
  }
}

/** FNV-1a over the user's words in key order: a short tag that changes when they change. */
export function hashWords(words: Lexicon): string {
  let h = 0x811c9dc5
  const text = Object.keys(words)
    .sort()
    .map((k) => `${k}=${words[k]}`)
    .join(';')
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}
