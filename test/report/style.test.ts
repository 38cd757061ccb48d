import { describe, expect, it } from 'vitest'
import { createStyle } from '../../src/report/style.js'

describe('createStyle', () => {
  it('level 0 produces no escape codes at all', () => {
    const s = createStyle(0)
    const out = [
      s.sentiment('negative', 'n'),
      s.sentiment('positive', 'p'),
      s.sentiment('neutral', 'u'),
      s.dim('d'),
      s.bold('b'),
      s.warn('w'),
      s.error('e'),
    ]
    expect(out).toEqual(['n', 'p', 'u', 'd', 'b', 'w', 'e'])
  })

  it('colours sentiment by label when colour is on', () => {
    const s = createStyle(1)
    expect(s.sentiment('negative', 'bad')).toBe('\x1b[31mbad\x1b[39m')
    expect(s.sentiment('positive', 'good')).toBe('\x1b[32mgood\x1b[39m')
    expect(s.sentiment('neutral', 'meh')).toBe('\x1b[2mmeh\x1b[22m')
  })

  it('uses the level it was given, not chalk detection', () => {
    expect(createStyle(3).chalk.level).toBe(3)
    expect(createStyle(0).chalk.level).toBe(0)
    expect(createStyle(2).warn('w')).toContain('\x1b[')
    expect(createStyle(2).error('e')).toContain('\x1b[')
  })
})
