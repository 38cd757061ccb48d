// Single-pass tokenizer over char codes into a reusable struct-of-arrays buffer. Words are not
// cut out of the text: each token keeps its offsets and a hash of its lower-cased chars, which
// is all a WordTable lookup needs, so score() allocates almost nothing per token.
import { HASH_SEED, hashStep } from './table.js'

export const K_WORD = 1
export const K_NUM = 2
export const K_MENTION = 3
export const K_URL = 4
export const K_HASHTAG = 5
export const K_EMOJI = 6
export const K_EMOTICON = 7
/** "!" run; `count` holds its length. */
export const K_BANG = 8
/** "?" run; `count` holds its length. */
export const K_QMARK = 9
/** Sentence end: . ; … newline. */
export const K_STOP = 10
/** Clause break: , : – — and a free-standing dash. */
export const K_COMMA = 11

/** Token flags. */
export const F_CAPS = 1
export const F_ELONGATED = 2

export class TokenBuffer {
  n = 0
  kind: Uint8Array
  flags: Uint8Array
  count: Uint8Array
  /** Where the token's text is in `src`: a hashtag's starts after '#'. */
  start: Int32Array
  end: Int32Array
  /** hashOf() of the token's lower-cased text, for words, numbers and hashtags. */
  hash: Int32Array
  /** The emoji or emoticon itself; '' for every other kind (their text is read from `src`). */
  symbol: string[]
  /** The text lower-cased, same length as the original. */
  src = ''
  words = 0
  capsWords = 0

  constructor(capacity = 64) {
    this.kind = new Uint8Array(capacity)
    this.flags = new Uint8Array(capacity)
    this.count = new Uint8Array(capacity)
    this.start = new Int32Array(capacity)
    this.end = new Int32Array(capacity)
    this.hash = new Int32Array(capacity)
    this.symbol = new Array<string>(capacity).fill('')
  }

  reset(src: string): void {
    this.n = 0
    this.words = 0
    this.capsWords = 0
    this.src = src
  }

  push(kind: number, start: number, end: number, hash: number, flags: number, count: number, symbol: string): void {
    if (this.n === this.kind.length) this.grow()
    const i = this.n++
    this.kind[i] = kind
    this.start[i] = start
    this.end[i] = end
    this.hash[i] = hash
    this.flags[i] = flags
    this.count[i] = count > 255 ? 255 : count
    this.symbol[i] = symbol
  }

  /** The token as a string (allocates): lower-cased word, hashtag body, emoji, emoticon. */
  textOf(i: number): string {
    const k = this.kind[i]
    if (k === K_EMOJI || k === K_EMOTICON) return this.symbol[i] as string
    const t = this.src.slice(this.start[i], this.end[i])
    return t.includes('\u2019') ? t.replace(/\u2019/g, "'") : t
  }

  /** Is token i exactly this lower-case word? */
  is(i: number, word: string): boolean {
    const start = this.start[i] as number
    return i < this.n && this.end[i] === start + word.length && this.src.startsWith(word, start)
  }

  private grow(): void {
    const size = this.kind.length * 2
    const bytes = (a: Uint8Array) => {
      const b = new Uint8Array(size)
      b.set(a)
      return b
    }
    const ints = (a: Int32Array) => {
      const b = new Int32Array(size)
      b.set(a)
      return b
    }
    this.kind = bytes(this.kind)
    this.flags = bytes(this.flags)
    this.count = bytes(this.count)
    this.start = ints(this.start)
    this.end = ints(this.end)
    this.hash = ints(this.hash)
    for (let i = this.symbol.length; i < size; i++) this.symbol.push('')
  }
}

// ASCII character classes.
const C_LOWER = 1
const C_UPPER = 2
const C_DIGIT = 4
const C_SPACE = 8
const CLS = new Uint8Array(128)
for (let c = 97; c <= 122; c++) CLS[c] = C_LOWER
for (let c = 65; c <= 90; c++) CLS[c] = C_UPPER
for (let c = 48; c <= 57; c++) CLS[c] = C_DIGIT
for (const c of [9, 11, 12, 13, 32]) CLS[c] = C_SPACE

const isAsciiAlnum = (c: number): boolean => c < 128 && ((CLS[c] as number) & (C_LOWER | C_UPPER | C_DIGIT)) !== 0

/** Letters outside ASCII: Latin-1 and beyond, other scripts; not punctuation, symbols or emoji. */
function isOtherLetter(c: number): boolean {
  if (c < 0xc0) return false
  if (c < 0x2000) return c !== 0xd7 && c !== 0xf7
  return c >= 0x3040 && c < 0xd800 || c >= 0xf900 && c < 0xfe00
}

const isWordChar = (c: number): boolean => isAsciiAlnum(c) || isOtherLetter(c)

/**
 * Emoticons by first char code, longest first, so ":((" wins over ":(". Indexed by code in an
 * array for ASCII (every punctuation mark of every text is looked up here, and a Map get
 * was a twentieth of `mentions score`), in `rest` for the few that start beyond it.
 */
export interface EmoticonTable {
  ascii: (readonly string[] | undefined)[]
  rest: Map<number, readonly string[]>
}

export function buildEmoticonTable(emoticons: Iterable<string>): EmoticonTable {
  const byFirst = new Map<number, string[]>()
  for (const e of emoticons) {
    const first = e.charCodeAt(0)
    // Emoticons that start with a letter ("xD") arrive as words; the lexicon holds them.
    if (isWordChar(first)) continue
    const list = byFirst.get(first) ?? []
    list.push(e)
    byFirst.set(first, list)
  }
  const table: EmoticonTable = { ascii: new Array<readonly string[] | undefined>(128).fill(undefined), rest: new Map() }
  for (const [first, list] of byFirst) {
    list.sort((a, b) => b.length - a.length)
    if (first < 128) table.ascii[first] = list
    else table.rest.set(first, list)
  }
  return table
}

function matchEmoticon(text: string, i: number, table: EmoticonTable): string | null {
  const first = text.charCodeAt(i)
  const candidates = first < 128 ? table.ascii[first] : table.rest.get(first)
  if (candidates === undefined) return null
  // "8:30" is a time, not an emoticon.
  if (i > 0 && CLS[text.charCodeAt(i - 1)] === C_DIGIT) return null
  for (const e of candidates) {
    if (!text.startsWith(e, i)) continue
    const after = text.charCodeAt(i + e.length) // NaN at the end
    const last = e.charCodeAt(e.length - 1)
    if (isWordChar(last) && isWordChar(after)) continue // ":Dallas"
    if (last === 47 && after === 47) continue // ":/" in "x://"
    return e
  }
  return null
}

// Variation selectors, joiners and keycaps carry no meaning of their own here.
const isEmojiGlue = (c: number): boolean => c === 0xfe0f || c === 0xfe0e || c === 0x200d || c === 0x20e3

export function tokenize(text: string, out: TokenBuffer, emoticons: EmoticonTable): void {
  const len = text.length
  const lower = lowerSameLength(text)
  out.reset(lower)
  let i = 0
  while (i < len) {
    const c = text.charCodeAt(i)
    if (c < 128) {
      const cls = CLS[c] as number
      if (cls & (C_LOWER | C_UPPER)) {
        if ((c === 104 || c === 72) && (text.startsWith('http://', i) || text.startsWith('https://', i))) {
          i = scanUrl(text, i, out)
        } else if ((c === 119 || c === 87) && text.startsWith('www.', i)) {
          i = scanUrl(text, i, out)
        } else {
          i = scanWord(text, lower, i, out, K_WORD)
        }
        continue
      }
      if (cls === C_DIGIT) {
        i = scanNumber(text, lower, i, out)
        continue
      }
      if (cls === C_SPACE) {
        i++
        continue
      }
      if (c === 10) {
        pushStop(out, i)
        i++
        continue
      }
      if (c === 64 /* @ */ || c === 35 /* # */) {
        const next = text.charCodeAt(i + 1)
        if (isWordChar(next) || next === 95) {
          let j = i + 1
          while (j < len) {
            const d = text.charCodeAt(j)
            if (!isWordChar(d) && d !== 95) break
            j++
          }
          if (c === 64) out.push(K_MENTION, i, j, 0, 0, 1, '')
          else out.push(K_HASHTAG, i + 1, j, hashRange(lower, i + 1, j), 0, 1, '')
          i = j
          continue
        }
      }
      const emo = matchEmoticon(text, i, emoticons)
      if (emo !== null) {
        out.push(K_EMOTICON, i, i + emo.length, 0, 0, 1, emo)
        i += emo.length
        continue
      }
      if (c === 33 /* ! */ || c === 63 /* ? */) {
        let j = i + 1
        while (j < len && text.charCodeAt(j) === c) j++
        out.push(c === 33 ? K_BANG : K_QMARK, i, j, 0, 0, j - i, '')
        i = j
        continue
      }
      if (c === 46 /* . */ || c === 59 /* ; */) {
        pushStop(out, i)
        i++
        continue
      }
      if (c === 44 /* , */ || c === 58 /* : */) {
        out.push(K_COMMA, i, i + 1, 0, 0, 1, '')
        i++
        continue
      }
      if (c === 45 /* - */) {
        // "x - y" and "x -- y" break a clause; "check-in" is two words.
        const prev = i > 0 ? text.charCodeAt(i - 1) : 32
        const next = text.charCodeAt(i + 1)
        if (next === 45 || (prev < 128 && CLS[prev] === C_SPACE)) out.push(K_COMMA, i, i + 1, 0, 0, 1, '')
        while (i < len && text.charCodeAt(i) === 45) i++
        continue
      }
      if (c === 38 /* & */) {
        i = skipEntity(text, i, out)
        continue
      }
      i++
      continue
    }
    // Non-ASCII.
    if (c >= 0xd800 && c <= 0xdbff) {
      const cp = text.codePointAt(i) ?? 0
      // Skin tones modify the emoji before them.
      if (cp < 0x1f3fb || cp > 0x1f3ff) out.push(K_EMOJI, i, i + 2, 0, 0, 1, text.slice(i, i + 2))
      i += 2
      continue
    }
    if (isEmojiGlue(c)) {
      i++
      continue
    }
    if (c === 0x2019 || isOtherLetter(c)) {
      if (c === 0x2019) i++
      else i = scanWord(text, lower, i, out, K_WORD)
      continue
    }
    if (c === 0x2026) pushStop(out, i)
    else if (c === 0x2013 || c === 0x2014) out.push(K_COMMA, i, i + 1, 0, 0, 1, '')
    else if (c >= 0x2100 && c < 0x2c00 || c === 0xa9 || c === 0xae || c === 0x3030 || c === 0x303d || c === 0x3297 || c === 0x3299) {
      out.push(K_EMOJI, i, i + 1, 0, 0, 1, text[i] as string)
    }
    i++
  }
}

function pushStop(out: TokenBuffer, at: number): void {
  if (out.n > 0 && out.kind[out.n - 1] === K_STOP) return
  out.push(K_STOP, at, at + 1, 0, 0, 1, '')
}

/**
 * The text lower-cased with its length kept, so offsets into it are offsets into the text.
 * Only a few characters ("İ") grow when lower-cased; those keep their case.
 */
function lowerSameLength(text: string): string {
  const lowered = text.toLowerCase()
  if (lowered.length === text.length) return lowered
  let out = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    const l = ch.toLowerCase()
    out += l.length === 1 ? l : ch
  }
  return out
}

function hashRange(lower: string, start: number, end: number): number {
  let h = HASH_SEED
  for (let i = start; i < end; i++) h = hashStep(h, lower.charCodeAt(i))
  return h
}

function scanUrl(text: string, i: number, out: TokenBuffer): number {
  let j = i
  while (j < text.length) {
    const d = text.charCodeAt(j)
    if (d === 32 || d === 10 || d === 9 || d === 13) break
    j++
  }
  out.push(K_URL, i, j, 0, 0, 1, '')
  return j
}

function scanWord(text: string, lower: string, i: number, out: TokenBuffer, kind: number): number {
  const len = text.length
  let j = i
  let upper = 0
  let lowerCount = 0
  let run = 1
  let prev = -1
  let elongated = false
  let h = HASH_SEED
  while (j < len) {
    const d = text.charCodeAt(j)
    if (d < 128) {
      const cls = CLS[d] as number
      if (cls === C_LOWER) lowerCount++
      else if (cls === C_UPPER) upper++
      else if (cls !== C_DIGIT) {
        // An apostrophe inside a word: don't, customer's.
        if (d === 39 && isWordChar(text.charCodeAt(j + 1))) {
          h = hashStep(h, 39)
          prev = d
          j++
          continue
        }
        break
      }
    } else if (d === 0x2019) {
      if (!isWordChar(text.charCodeAt(j + 1))) break
    } else if (!isOtherLetter(d)) {
      break
    } else {
      lowerCount++
    }
    const l = lower.charCodeAt(j)
    h = hashStep(h, l)
    // Three of the same letter in a row: "soooo", "pleeease".
    if (l === prev) {
      if (++run === 3) elongated = true
    } else {
      run = 1
    }
    prev = l
    j++
  }
  let flags = elongated ? F_ELONGATED : 0
  out.words++
  if (upper >= 2 && lowerCount === 0) {
    flags |= F_CAPS
    out.capsWords++
  }
  out.push(kind, i, j, h, flags, 1, '')
  return j
}

function scanNumber(text: string, lower: string, i: number, out: TokenBuffer): number {
  const len = text.length
  let j = i
  while (j < len) {
    const d = text.charCodeAt(j)
    if (d < 128 && CLS[d] === C_DIGIT) {
      j++
    } else if ((d === 46 || d === 44 || d === 58) && j + 1 < len && CLS[text.charCodeAt(j + 1)] === C_DIGIT) {
      j += 2 // 2.5, 1,000, 8:30
    } else {
      break
    }
  }
  // "3rd", "2hrs", "4g": letters glued to a number make one word.
  if (j < len && isWordChar(text.charCodeAt(j))) return scanWord(text, lower, i, out, K_WORD)
  out.push(K_NUM, i, j, 0, 0, 1, '')
  return j
}

// Raw tweets carry HTML entities; "&lt;3" is a heart, the rest is noise.
function skipEntity(text: string, i: number, out: TokenBuffer): number {
  if (text.startsWith('&lt;3', i)) {
    out.push(K_EMOTICON, i, i + 5, 0, 0, 1, '<3')
    return i + 5
  }
  let j = i + 1
  while (j < text.length && j - i <= 8 && CLS[text.charCodeAt(j)] === C_LOWER) j++
  if (j > i + 1 && text.charCodeAt(j) === 59) return j + 1
  return i + 1
}
