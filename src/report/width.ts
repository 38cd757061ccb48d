// Terminal display width. A table lines up only if CJK and emoji count as two columns and
// combining marks as none; String.length gets all three wrong. Expects sanitised text
// (no control characters), as table cells are.

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/

// Main East Asian Wide/Fullwidth ranges of EastAsianWidth.txt, plus emoji that render as
// emoji by default.
const WIDE_RANGES =
  '\\u1100-\\u115f\\u2329\\u232a\\u2e80-\\u303e\\u3041-\\u33ff\\u3400-\\u4dbf\\u4e00-\\u9fff' +
  '\\ua000-\\ua4cf\\ua960-\\ua97f\\uac00-\\ud7a3\\uf900-\\ufaff\\ufe10-\\ufe19\\ufe30-\\ufe6f' +
  '\\uff00-\\uff60\\uffe0-\\uffe6\\u{16fe0}-\\u{16fe4}\\u{17000}-\\u{18cff}\\u{1b000}-\\u{1b2ff}' +
  '\\u{1f200}-\\u{1f2ff}\\u{20000}-\\u{2fffd}\\u{30000}-\\u{3fffd}\\p{Emoji_Presentation}'
const ZERO_CLASS = '\\p{Mn}\\p{Me}\\p{Cf}\\p{Default_Ignorable_Code_Point}'

const WIDE_CP = new RegExp(`[${WIDE_RANGES}]`, 'gu')
const ZERO_CP = new RegExp(`[${ZERO_CLASS}]`, 'gu')
const HIGH_SURROGATE = /[\ud800-\udbff]/g

// Sequences whose width is not the sum of their code points: ZWJ emoji, VS16 presentation,
// keycaps, flags (regional-indicator pairs), skin-tone modifiers, conjoining Hangul jamo.
// Only strings holding one of these pay for grapheme segmentation, which is slow.
const NEEDS_CLUSTERS = /[\u200d\ufe0f\u20e3\u1160-\u11ff\u{1f1e6}-\u{1f1ff}\u{1f3fb}-\u{1f3ff}]/u

// Built on first use: creating a Segmenter loads ICU's break data, one of the larger costs
// of starting a command that never measures text.
let segmenter: Intl.Segmenter | undefined
const graphemes = (): Intl.Segmenter => (segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }))
const ZERO_CLUSTER = new RegExp(`^[${ZERO_CLASS}]+$`, 'u')
const WIDE_CLUSTER = new RegExp(`^(?:[${WIDE_RANGES}]|\\p{Extended_Pictographic}\\ufe0f|\\p{Regional_Indicator})`, 'u')

function count(re: RegExp, s: string): number {
  return s.match(re)?.length ?? 0
}

function clusterWidth(cluster: string): number {
  if (ZERO_CLUSTER.test(cluster)) return 0
  return WIDE_CLUSTER.test(cluster) ? 2 : 1
}

function codePointWidth(cp: string): number {
  if (ZERO_CLUSTER.test(cp)) return 0
  return WIDE_CLUSTER.test(cp) ? 2 : 1
}

/** Columns `s` occupies in a terminal. */
export function displayWidth(s: string): number {
  if (PRINTABLE_ASCII.test(s)) return s.length
  if (!NEEDS_CLUSTERS.test(s)) {
    const codePoints = s.length - count(HIGH_SURROGATE, s)
    return codePoints - count(ZERO_CP, s) + count(WIDE_CP, s)
  }
  let width = 0
  for (const { segment } of graphemes().segment(s)) width += clusterWidth(segment)
  return width
}

/** Drawable units of `s` with their widths: grapheme clusters when needed, else code points. */
function* units(s: string): Generator<[string, number]> {
  if (NEEDS_CLUSTERS.test(s)) {
    for (const { segment } of graphemes().segment(s)) yield [segment, clusterWidth(segment)]
  } else {
    for (const cp of s) yield [cp, codePointWidth(cp)]
  }
}

const ELLIPSIS = '…'

export interface Fitted {
  text: string
  width: number
}

/**
 * `s` cut to at most `max` columns, ending in `…` when anything was cut, with its width.
 * Never splits a cluster; combining marks stay with their base.
 */
export function fitToWidth(s: string, max: number): Fitted {
  if (max <= 0) return { text: '', width: 0 }
  if (PRINTABLE_ASCII.test(s)) {
    return s.length <= max ? { text: s, width: s.length } : { text: s.slice(0, max - 1) + ELLIPSIS, width: max }
  }
  const full = displayWidth(s)
  if (full <= max) return { text: s, width: full }
  const budget = max - 1
  let width = 0
  let text = ''
  for (const [unit, w] of units(s)) {
    if (width + w > budget) break
    text += unit
    width += w
  }
  return { text: text + ELLIPSIS, width: width + 1 }
}

/** fitToWidth's text alone. */
export function truncateToWidth(s: string, max: number): string {
  return fitToWidth(s, max).text
}
