// Untrusted text (post bodies, titles, author names) must not be able to drive the terminal
// or a spreadsheet. These helpers are applied at the edge, by the renderers, so the store
// keeps the text exactly as fetched.

// One alternation, tried left to right at each position; order matters (string sequences and
// CSI before the generic "ESC + one byte" form, which would otherwise eat only their introducer).
const TERMINAL_SEQUENCE = new RegExp(
  [
    // OSC, DCS, SOS, PM, APC (7-bit `ESC ] P X ^ _` or 8-bit C1 introducers) run to BEL or ST.
    // An unterminated one runs to the end: a terminal would swallow the rest the same way,
    // and it keeps hyperlink targets and title payloads from surfacing as text.
    '(?:\\x1b[\\]PX^_]|[\\x90\\x98\\x9d\\x9e\\x9f])[\\s\\S]*?(?:\\x07|\\x1b\\\\|\\x9c|$)',
    // CSI (7-bit `ESC [` or 8-bit 0x9B): parameter bytes (incl. private-mode `?`, `<`, `=`, `>`),
    // intermediate bytes, one final byte.
    '(?:\\x1b\\[|\\x9b)[\\x30-\\x3f]*[\\x20-\\x2f]*[\\x40-\\x7e]',
    // nF escapes such as charset designation `ESC ( B`.
    '\\x1b[\\x20-\\x2f]+[\\x30-\\x7e]',
    // Two-byte escapes (`ESC c`, `ESC 7`, `ESC M` …) and a lone trailing ESC.
    '\\x1b[\\x30-\\x7e]?',
    // Every other C0 control except \t and \n, DEL, the remaining C1 controls, and the
    // bidi embeddings/overrides/isolates that can make text read differently than it is
    // ("Trojan Source", CVE-2021-42574).
    '[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]',
  ].join('|'),
  'g',
)

// Everything the big regex can remove starts with one of these, so a string without any of
// them is returned untouched without running the alternation.
const NEEDS_STRIP = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/

// Invisible format characters: zero-width space/non-joiner/joiner, word joiner, BOM, and the
// direction marks LRM, RLM and ALM. They take no column, so they can split a word a reader
// (or a grep over the terminal scrollback) would match, or flip how a line reads. A ZWJ
// between two pictographs is kept: it is what makes 👨‍👩‍👧 one family emoji instead of three
// people, and it cannot join letters there. ZWJ/ZWNJ in other scripts are dropped for the
// terminal only (the store keeps them); the words stay readable, at worst less ligated.
const INVISIBLE = /(?<!\p{Extended_Pictographic}[\u{1f3fb}-\u{1f3ff}\ufe0f]?)\u200d|\u200d(?![\p{Extended_Pictographic}])|[\u200b\u200c\u200e\u200f\u2060\ufeff\u061c]/gu
const HAS_INVISIBLE = /[\u200b-\u200f\u2060\ufeff\u061c]/

/**
 * Removes escape sequences, control characters (except \n and \t), bidi controls and
 * invisible format characters (zero-width characters, direction marks).
 */
export function stripTerminal(s: string): string {
  const stripped = NEEDS_STRIP.test(s) ? s.replace(TERMINAL_SEQUENCE, '') : s
  return HAS_INVISIBLE.test(stripped) ? stripped.replace(INVISIBLE, '') : stripped
}

// Line breaks of every kind (incl. U+2028/2029, which some tools split lines on) and tabs,
// with the blanks around them, become one space. Ordinary runs of spaces are left alone so
// TSV keeps values as close to the original as a single line allows.
const BREAKS = /[ \u00a0]*[\t\n\v\f\r\u2028\u2029][\s]*/g
const NEEDS_BREAK = /[\t\n\v\f\r\u2028\u2029]/

/**
 * Line breaks and tabs collapse to single spaces, then stripTerminal; trimmed. For table and
 * TSV cells. Breaks go first so a lone CR separates words instead of being deleted: the
 * "shown\rhidden" overwrite trick then prints both halves.
 */
export function oneLine(s: string): string {
  const flat = NEEDS_BREAK.test(s) ? s.replace(BREAKS, ' ') : s
  return stripTerminal(flat).trim()
}

// OWASP CSV injection: cells a spreadsheet would evaluate. The fullwidth forms are included
// because some spreadsheet apps normalise them to their ASCII counterparts.
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/

/** Prefixes `'` to a text cell a spreadsheet would treat as a formula. Never call on numbers. */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s
}
