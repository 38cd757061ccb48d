// csvField skips the sanitising and quoting passes for plain text: whatever the cell, it must
// write exactly what the full path (csvCell, then quoting) writes.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { csvCell, csvField, csvRecord } from '../../src/report/csv.js'

const full = (cell: Parameters<typeof csvCell>[0]) => csvRecord([csvCell(cell)]).slice(0, -2)
// Characters each pass cares about, mixed with ordinary text, so the generator hits them often.
const TRICKY = ['=', '+', '-', '@', '\t', '\r', '\n', '\r\n', '"', ',', '\x1b[31m', '\x07', '\x9b', '\u202e', '\u2066', '\u200b', '\u200d', '\ufeff', '\u061c', '\uff1d', '👨‍👩‍👧', 'é', ' ', "'"]
const text = fc.array(fc.oneof(fc.constantFrom(...TRICKY), fc.string({ maxLength: 4 })), { maxLength: 8 }).map((parts) => parts.join(''))

describe('csv: the plain-field fast path', () => {
  it('writes every string as the full path does', () => {
    fc.assert(
      fc.property(fc.oneof(text, fc.string(), fc.string({ unit: 'binary' })), (s) => {
        expect(csvField(s)).toBe(full(s))
      }),
      { numRuns: 5000 },
    )
  })

  it('writes numbers, booleans, nulls and lists as the full path does', () => {
    for (const cell of [0, -1.5, 1e21, Number.NaN, true, false, null, undefined, [], ['a', 'b,c'], ['=x', 'y\r\nz']]) expect(csvField(cell)).toBe(full(cell))
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer()), (n) => {
        expect(csvField(n)).toBe(full(n))
      }),
    )
  })

  it('still quotes, neutralises and strips where it must', () => {
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('=SUM(A1)')).toBe("'=SUM(A1)")
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('red\x1b[31mtext')).toBe('redtext')
    expect(csvField('line\r\nbreak')).toBe('"line\nbreak"')
    expect(csvField('plain words')).toBe('plain words')
  })
})
