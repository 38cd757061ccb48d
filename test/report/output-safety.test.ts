import { describe, expect, it } from 'vitest'
import { csvCell } from '../../src/report/csv.js'
import { createJsonWriter, rowToJson, stringifyJson } from '../../src/report/json.js'
import { oneLine, stripTerminal } from '../../src/report/sanitize.js'
import { createTsvWriter, tsvCell } from '../../src/report/tsv.js'
import type { Column } from '../../src/report/types.js'

// Every character JSON output must escape (so a terminal never acts on it) and a terminal
// rendering must drop.
const C1 = ['\x80', '\x85', '\x8d', '\x9b', '\x9d', '\x9f']
const BIDI = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069']
const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u200e', '\u200f', '\u061c']
const RAW_UNSAFE = /[\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/

describe('stringifyJson', () => {
  const hostile = `pay${C1.join('')}now ${BIDI.join('')}gnp.exe ${INVISIBLE.join('')}end\u2028`

  it('escapes C1, bidi, zero-width and direction marks as \\uXXXX, and parses back exactly', () => {
    const value = { text: hostile, nested: { list: [hostile] }, n: 1 }
    for (const space of [undefined, 2]) {
      const out = stringifyJson(value, space)
      expect(out).not.toMatch(RAW_UNSAFE)
      expect(out).toContain('\\u202e')
      expect(out).toContain('\\u009b')
      expect(out).toContain('\\u200b')
      expect(JSON.parse(out)).toEqual(value)
    }
  })

  it('is JSON.stringify for ordinary text, indentation included', () => {
    const value = { a: 'héllo 世界 🎉', b: [1, 2], c: null }
    expect(stringifyJson(value, 2)).toBe(JSON.stringify(value, null, 2))
  })

  it('keeps the list writers escaping through the same rule', () => {
    const cols: Column<{ t: string }>[] = [{ key: 'text', header: 'TEXT', get: (r) => r.t }]
    expect(rowToJson(cols, { t: hostile })).not.toMatch(RAW_UNSAFE)
    let out = ''
    const w = createJsonWriter(cols, { write: (s) => (out += s) })
    w.write({ t: hostile })
    w.end()
    expect(out).not.toMatch(RAW_UNSAFE)
    expect(JSON.parse(out)).toEqual([{ text: hostile }])
  })
})

describe('stripTerminal: invisible characters', () => {
  it.each(INVISIBLE.map((c) => [c.codePointAt(0)!.toString(16), c]))('drops U+%s between letters', (_hex, c) => {
    expect(stripTerminal(`pay${c}pal`)).toBe('paypal')
    expect(oneLine(`pay${c}pal`)).toBe('paypal')
  })

  it('drops a bidi override with them (the Trojan Source pair)', () => {
    expect(stripTerminal('\u200fadmin\u202e\u2066txt.exe\u2069')).toBe('admintxt.exe')
  })

  it('keeps the ZWJ that joins an emoji sequence', () => {
    const family = '👨\u200d👩\u200d👧'
    const skinTone = '👩🏽\u200d💻'
    const rainbow = '🏳\ufe0f\u200d🌈'
    expect(stripTerminal(`team ${family} ${skinTone} ${rainbow}`)).toBe(`team ${family} ${skinTone} ${rainbow}`)
  })

  it('drops a ZWJ that has a pictograph on one side only', () => {
    expect(stripTerminal('👍\u200dok')).toBe('👍ok')
    expect(stripTerminal('ok\u200d👍')).toBe('ok👍')
  })

  it('leaves legitimate text alone', () => {
    const s = 'Ünïcødé café 世界 עברית العربية naïve 🎉'
    expect(stripTerminal(s)).toBe(s)
  })
})

describe('TSV formula neutralising', () => {
  it.each([
    ['=HYPERLINK("http://x")', `'=HYPERLINK("http://x")`],
    ['+1+1', `'+1+1`],
    ['-2+3', `'-2+3`],
    ['@SUM(A1)', `'@SUM(A1)`],
    ['\uff1dcmd', `'\uff1dcmd`],
    ['\uff0b1', `'\uff0b1`],
    ['\uff0d1', `'\uff0d1`],
    ['\uff20x', `'\uff20x`],
    // Leading tab or CR flatten away, and what is left is what a spreadsheet would read.
    ['\t=1+1', `'=1+1`],
    ['\r=1+1', `'=1+1`],
    ['plain text', 'plain text'],
    ['a = b', 'a = b'],
  ])('neutralises %j like CSV does', (input, expected) => {
    expect(tsvCell(input)).toBe(expected)
    // Same rule as CSV wherever the value is already one line.
    if (!/[\t\r]/.test(input)) expect(tsvCell(input)).toBe(csvCell(input))
  })

  it('neutralises a list cell by its first character', () => {
    expect(tsvCell(['=a', 'b'])).toBe(`'=a,b`)
  })

  it('keeps numbers as numbers', () => {
    expect(tsvCell(-5)).toBe('-5')
    expect(tsvCell(0.5)).toBe('0.5')
  })

  it('neutralises every text cell of a row, never the header', () => {
    const cols: Column<{ a: string; n: number }>[] = [
      { key: 'a', header: 'A', get: (r) => r.a },
      { key: 'n', header: 'N', get: (r) => r.n },
    ]
    let out = ''
    const w = createTsvWriter(cols, { write: (s) => (out += s) })
    w.write({ a: '=cmd|"/c calc"!A1', n: -1 })
    w.end()
    expect(out).toBe(`a\tn\n'=cmd|"/c calc"!A1\t-1\n`)
  })
})
