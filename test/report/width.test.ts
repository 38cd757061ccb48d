import { describe, expect, it } from 'vitest'
import { displayWidth, fitToWidth, truncateToWidth } from '../../src/report/width.js'

describe('displayWidth', () => {
  it.each([
    ['', 0],
    ['hello', 5],
    ['Café', 4],
    ['Cafe\u0301', 4], // decomposed: combining acute takes no column
    ['世界', 4],
    ['ｱ', 1], // halfwidth katakana
    ['Ａ', 2], // fullwidth Latin
    ['한국어', 6],
    ['🎉', 2],
    ['👍🏽', 2], // skin-tone modifier
    ['👨‍👩‍👧', 2], // ZWJ family
    ['🇫🇷', 2], // flag
    ['❤️', 2], // VS16 turns a text pictograph into emoji
    ['…', 1],
    ['a\u200bb', 2], // zero-width space
    ['x 世界 🎉 y', 11],
  ])('%j is %i columns', (s, w) => {
    expect(displayWidth(s)).toBe(w)
  })
})

describe('fitToWidth', () => {
  it('keeps text that fits', () => {
    expect(fitToWidth('hello', 5)).toEqual({ text: 'hello', width: 5 })
  })

  it('cuts ASCII with an ellipsis to exactly the width', () => {
    expect(fitToWidth('hello world', 8)).toEqual({ text: 'hello w…', width: 8 })
  })

  it('never splits a wide character, so the result may be one column short', () => {
    expect(fitToWidth('世界世界', 4)).toEqual({ text: '世…', width: 3 })
    expect(fitToWidth('世界世界', 5)).toEqual({ text: '世界…', width: 5 })
  })

  it('keeps emoji clusters whole', () => {
    const r = fitToWidth('a👨‍👩‍👧b👨‍👩‍👧c', 5)
    expect(r.text).toBe('a👨‍👩‍👧b…')
    expect(r.width).toBe(5)
    expect(displayWidth(r.text)).toBe(5)
  })

  it('keeps combining marks with their base', () => {
    expect(truncateToWidth('e\u0301e\u0301e\u0301', 2)).toBe('e\u0301…')
  })

  it('returns nothing for a non-positive width and only the ellipsis for 1', () => {
    expect(truncateToWidth('hello', 0)).toBe('')
    expect(truncateToWidth('hello', 1)).toBe('…')
  })
})
