import { describe, expect, it } from 'vitest'
import { neutraliseFormula, oneLine, stripTerminal } from '../../src/report/sanitize.js'

const ESC = '\x1b'
const BEL = '\x07'
const ST = `${ESC}\\`

describe('stripTerminal', () => {
  it('returns the very same string when there is nothing to strip', () => {
    const s = 'plain text, ünïcødé 世界 🎉\n\tindented'
    expect(stripTerminal(s)).toBe(s)
  })

  it.each([
    ['SGR colour', `${ESC}[31mred${ESC}[0m`, 'red'],
    ['CSI with many params', `${ESC}[38;2;255;0;0mx${ESC}[m`, 'x'],
    ['private mode (hide cursor, alt screen)', `${ESC}[?25l${ESC}[?1049ha`, 'a'],
    ['cursor movement and erase', `ok${ESC}[2K${ESC}[1A${ESC}[10D`, 'ok'],
    ['CSI with intermediate byte', `a${ESC}[1 qb`, 'ab'],
    ['OSC 8 hyperlink, BEL terminated', `${ESC}]8;;https://evil.example${BEL}click${ESC}]8;;${BEL}`, 'click'],
    ['OSC 8 hyperlink, ST terminated', `${ESC}]8;;https://evil.example${ST}click${ESC}]8;;${ST}`, 'click'],
    ['OSC window title', `${ESC}]0;pwned${BEL}text`, 'text'],
    ['DCS string', `a${ESC}Pq#0;2;0;0;0${ST}b`, 'ab'],
    ['APC string', `a${ESC}_payload${ST}b`, 'ab'],
    ['PM string', `a${ESC}^payload${ST}b`, 'ab'],
    ['SOS string', `a${ESC}Xpayload${ST}b`, 'ab'],
    ['unterminated OSC runs to the end', `safe${ESC}]8;;https://x.example/ and more`, 'safe'],
    ['two-byte escapes', `${ESC}cA${ESC}7B${ESC}MC`, 'ABC'],
    ['charset designation (nF)', `${ESC}(Bx${ESC})0y`, 'xy'],
    ['lone trailing ESC', `end${ESC}`, 'end'],
    ['8-bit CSI', 'a\x9b31mb', 'ab'],
    ['8-bit OSC with 8-bit ST', 'a\x9d0;title\x9cb', 'ab'],
    ['other C1 controls', 'a\x85b\x8dc', 'abc'],
    ['C0 controls but \\n and \\t', 'a\x00b\x07c\x08d\re\x0bf\x0cg\x7fh\n\ti', 'abcdefgh\n\ti'],
    ['bidi overrides and isolates', 'user\u202Egnp.exe\u202C \u2066x\u2069 \u202Ay\u202B', 'usergnp.exe x y'],
  ])('removes %s', (_name, input, expected) => {
    expect(stripTerminal(input)).toBe(expected)
  })

  it('leaves no ESC or C1 byte behind in a mixed string', () => {
    const s = `${ESC}[1m${ESC}]8;;u${BEL}é${ESC}[0m\x9b2J 😀${ESC}`
    const out = stripTerminal(s)
    expect(out).toBe('é 😀')
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/)
  })
})

describe('oneLine', () => {
  it('turns line breaks and tabs into single spaces and trims', () => {
    expect(oneLine('  first\r\nsecond\n\n\tthird\u2028fourth  ')).toBe('first second third fourth')
  })

  it('shows both halves of a carriage-return overwrite', () => {
    expect(oneLine('looks safe\rrm -rf ~')).toBe('looks safe rm -rf ~')
  })

  it('keeps ordinary runs of spaces inside the value', () => {
    expect(oneLine('a  b')).toBe('a  b')
  })

  it('strips escape sequences too', () => {
    expect(oneLine(`${ESC}[31mred${ESC}[0m\nnext`)).toBe('red next')
  })

  it('returns clean text unchanged', () => {
    expect(oneLine('Café 世界')).toBe('Café 世界')
  })
})

describe('neutraliseFormula', () => {
  it.each(['=cmd|\' /C calc\'!A0', '+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx', '\uff1d1+1'])(
    'prefixes %j with a quote',
    (s) => {
      expect(neutraliseFormula(s)).toBe(`'${s}`)
    },
  )

  it.each(['plain', 'a=b', ' =not first', '', '1+1', '\'already'])('leaves %j alone', (s) => {
    expect(neutraliseFormula(s)).toBe(s)
  })
})
