// The scorer's contract: intent per class, user words, version, and explain() agreeing with score().
import { describe, expect, it } from 'vitest'
import { createScorer, normalize, SCORER_VERSION } from '../../src/sentiment/index.js'

const scorer = createScorer()
const intent = (text: string) => scorer.score(text).intent

describe('intent', () => {
  it('complaint: a reported failure, also when asked as a question', () => {
    expect(intent('why is my refund still not here?')).toBe('complaint')
    expect(intent('my order never arrived')).toBe('complaint')
    expect(intent('the app keeps crashing, fix it')).toBe('complaint')
  })

  it('question: asking how, where, whether', () => {
    expect(intent('how do I export my data?')).toBe('question')
    expect(intent('is there a way to change the delivery address')).toBe('question')
    expect(intent('how do I cancel my subscription?')).toBe('question')
  })

  it('praise: thanks and love', () => {
    expect(intent('thank you so much, the support team was fantastic')).toBe('praise')
    expect(intent('love the new app')).toBe('praise')
  })

  it('other: nothing asked, nothing felt', () => {
    expect(intent('flying to Denver tomorrow')).toBe('other')
    expect(scorer.score('flying to Denver tomorrow').label).toBe('neutral')
  })

  it('explains why', () => {
    expect(scorer.explain('my order never arrived').rules).toContain("complaint: service failure 'never arrived'")
  })
})

describe('user words', () => {
  it('add to the lexicon', () => {
    expect(scorer.score('the new dashboard is janky').label).toBe('neutral')
    const custom = createScorer({ words: { janky: -3 } })
    expect(custom.score('the new dashboard is janky').label).toBe('negative')
    expect(custom.explain('the new dashboard is janky').tokens[0]?.rules[0]).toBe("user word 'janky' -3")
  })

  it('override it, phrases included', () => {
    const custom = createScorer({ words: { delayed: 2, 'on fire': 3 } })
    expect(custom.score('the parcel was delayed').label).toBe('positive')
    expect(custom.score('the team is on fire').label).toBe('positive')
    expect(scorer.score('the parcel was delayed').label).toBe('negative')
  })

  it('are clamped to -5 … 5', () => {
    const huge = createScorer({ words: { zork: -50 } })
    const five = createScorer({ words: { zork: -5 } })
    expect(huge.score('zork').score).toBe(five.score('zork').score)
  })
})

describe('brand names', () => {
  it('weigh nothing, even when they are also words', () => {
    // AFINN: "united" +1, "best" +3.
    expect(scorer.score('flying United to Denver tomorrow').label).toBe('positive')
    const named = createScorer({ names: ['United', 'Best Buy'] })
    expect(named.score('flying United to Denver tomorrow').label).toBe('neutral')
    expect(named.score('got a new laptop from Best Buy').label).toBe('neutral')
    expect(named.score('United lost my bag').label).toBe('negative')
  })

  it('tag the version', () => {
    const a = createScorer({ names: ['United'] }).version
    expect(a).toMatch(new RegExp(`^${SCORER_VERSION}\\+n[0-9a-f]{8}$`))
    expect(createScorer({ names: ['united'] }).version).toBe(a)
    expect(createScorer({ names: ['Delta'] }).version).not.toBe(a)
  })
})

describe('version', () => {
  it('is the scorer version without user words', () => {
    expect(scorer.version).toBe(SCORER_VERSION)
    expect(createScorer({ words: {} }).version).toBe(SCORER_VERSION)
  })

  it('carries a stable short hash of the user words', () => {
    const a = createScorer({ words: { glitchy: -2, janky: -3 } }).version
    const b = createScorer({ words: { janky: -3, glitchy: -2 } }).version
    const c = createScorer({ words: { glitchy: -1, janky: -3 } }).version
    expect(a).toMatch(new RegExp(`^${SCORER_VERSION}\\+u[0-9a-f]{8}$`))
    expect(b).toBe(a)
    expect(c).not.toBe(a)
  })
})

describe('explain() and score() agree', () => {
  const texts = [
    'the app is nice but it crashes every time',
    'Thanks for nothing!!!',
    'great job losing my bag 😡 #fail',
    'not bad at all :)',
    'can I change my seat? thanks',
    "I've been on hold for 2 hours, why??",
    'although the staff were NICE, my order is wrong',
    'Delayed again. Great.',
    'flying to Denver tomorrow',
  ]

  it.each(texts)('%s', (text) => {
    const s = scorer.score(text)
    const e = scorer.explain(text)
    expect(e.label).toBe(s.label)
    expect(e.intent).toBe(s.intent)
    expect(e.score).toBeCloseTo(s.score, 10)
    const sum = e.tokens.reduce((acc, t) => acc + t.weight, 0)
    expect(e.raw).toBeCloseTo(sum, 10)
    expect(normalize(sum)).toBeCloseTo(s.score, 10)
  })

  it('handles empty text and text whose lower case changes length', () => {
    expect(scorer.score('')).toEqual({ label: 'neutral', score: 0, intent: 'other' })
    expect(scorer.explain('').tokens).toEqual([])
    // "İ" lower-cases to two code units; offsets must still line up with the words after it.
    expect(scorer.score('İstanbul flight delayed again').label).toBe('negative')
    expect(scorer.explain('İİİ great').tokens.map((t) => t.token)).toEqual(['great'])
  })

  it('keeps score in [-1, 1]', () => {
    for (const text of ['WORST WORST WORST!!!!! 😡😡😡😡😡 #fail #fail', 'best best best best!!!! 😍😍😍😍']) {
      const s = scorer.score(text).score
      expect(Math.abs(s)).toBeLessThanOrEqual(1)
    }
  })

  it('gives the same answer on repeated calls (the token buffer is reused)', () => {
    const first = scorer.score('the app is nice but it crashes every time')
    scorer.score('a much longer text that grows the buffer '.repeat(20))
    expect(scorer.score('the app is nice but it crashes every time')).toEqual(first)
  })
})
