import { describe, expect, it } from 'vitest'
import {
  buildEmoticonTable, F_CAPS, F_ELONGATED, K_BANG, K_COMMA, K_EMOJI, K_EMOTICON, K_HASHTAG, K_MENTION,
  K_NUM, K_QMARK, K_STOP, K_URL, K_WORD, TokenBuffer, tokenize,
} from '../../src/sentiment/tokenize.js'
import { hashOf, WordTable } from '../../src/sentiment/table.js'

const table = buildEmoticonTable([':)', ':(', ':/', '<3', ':D', '-_-'])

function tokens(text: string): [number, string, number, number][] {
  const buf = new TokenBuffer(2) // small, so growing is exercised
  tokenize(text, buf, table)
  const out: [number, string, number, number][] = []
  for (let i = 0; i < buf.n; i++) out.push([buf.kind[i] as number, buf.textOf(i), buf.flags[i] as number, buf.count[i] as number])
  return out
}

describe('tokenize', () => {
  it('splits words, mentions, hashtags, links and punctuation in one pass', () => {
    expect(tokens("@Acme_Help WHY can't I log-in?? see https://x.example/a?b=1 #EpicFail!")).toEqual([
      [K_MENTION, '@acme_help', 0, 1],
      [K_WORD, 'why', F_CAPS, 1],
      [K_WORD, "can't", 0, 1],
      [K_WORD, 'i', 0, 1],
      [K_WORD, 'log', 0, 1],
      [K_WORD, 'in', 0, 1],
      [K_QMARK, '??', 0, 2],
      [K_WORD, 'see', 0, 1],
      [K_URL, 'https://x.example/a?b=1', 0, 1],
      [K_HASHTAG, 'epicfail', 0, 1],
      [K_BANG, '!', 0, 1],
    ])
  })

  it('keeps numbers, times and ordinals apart from emoticons', () => {
    expect(tokens('at 8:30, 3rd time. 2.5 hrs')).toEqual([
      [K_WORD, 'at', 0, 1],
      [K_NUM, '8:30', 0, 1],
      [K_COMMA, ',', 0, 1],
      [K_WORD, '3rd', 0, 1],
      [K_WORD, 'time', 0, 1],
      [K_STOP, '.', 0, 1],
      [K_NUM, '2.5', 0, 1],
      [K_WORD, 'hrs', 0, 1],
    ])
  })

  it('finds emoticons, emoji and entities, and skips skin tones and joiners', () => {
    expect(tokens('ok:) 👍🏽 -_- &lt;3 &amp; ✈️').map(([k, t]) => [k, t])).toEqual([
      [K_WORD, 'ok'],
      [K_EMOTICON, ':)'],
      [K_EMOJI, '👍'],
      [K_EMOTICON, '-_-'],
      [K_EMOTICON, '<3'],
      [K_EMOJI, '✈'],
    ])
  })

  it('hashes each word as the lexicon table does, without cutting it out', () => {
    const buf = new TokenBuffer()
    tokenize('Don’t WAIT', buf, table)
    expect(buf.hash[0]).toBe(hashOf("don't"))
    expect(buf.hash[1]).toBe(hashOf('wait'))
    expect(buf.is(1, 'wait')).toBe(true)
    expect(buf.is(1, 'wai')).toBe(false)
  })

  it('normalises curly apostrophes and flags elongation', () => {
    expect(tokens('don’t sooooo')).toEqual([
      [K_WORD, "don't", 0, 1],
      [K_WORD, 'sooooo', F_ELONGATED, 1],
    ])
  })

  it('treats newlines and ellipses as sentence ends, once', () => {
    expect(tokens('late\n\nagain… ok').map(([k]) => k)).toEqual([K_WORD, K_STOP, K_WORD, K_STOP, K_WORD])
  })
})

describe('WordTable', () => {
  it('finds keys by a slice of a larger string, curly apostrophes included', () => {
    const t = new WordTable<number>(1)
    for (let k = 0; k < 100; k++) t.set(`w${k}`, k) // forces growth
    t.set("don't", -1)
    t.set('w5', 55)
    const src = 'xx don’t w5 w500'
    expect(t.find(hashOf(src, 3, 8), src, 3, 8)).toBe(-1)
    expect(t.find(hashOf(src, 9, 11), src, 9, 11)).toBe(55)
    expect(t.find(hashOf(src, 12, 16), src, 12, 16)).toBeUndefined()
    expect(t.get('w99')).toBe(99)
    expect(t.size).toBe(101)
    expect([...t.values()].length).toBe(101)
  })
})
