import { describe, expect, it } from 'vitest'
import type { Mention } from '../../src/model.js'
import { renderShow, type ShowExplanation, type ShowInput } from '../../src/report/show.js'
import { createStyle } from '../../src/report/style.js'
import { displayWidth } from '../../src/report/width.js'
import { wrapText } from '../../src/report/wrap.js'

const NOW = Date.parse('2024-05-10T12:00:00.000Z')

function mention(over: Partial<Mention> = {}): Mention {
  return {
    id: 42, source: 'hackernews', externalId: '1', url: 'https://news.ycombinator.com/item?id=1', canonicalUrl: null,
    brands: ['Acme'], terms: ['acme'], authorHandle: 'alice', authorName: null, authorReach: null, title: null,
    text: 'Acme billing charged me twice and support has not answered', lang: null,
    createdAt: NOW - 3 * 3_600_000, fetchedAt: NOW, updatedAt: NOW, parentExternalId: null, threadExternalId: null,
    likes: null, reposts: null, replies: null, score: null, rating: null, isOwn: false, competitor: false, sourceName: null,
    sentimentLabel: 'negative', sentimentScore: -0.62, intent: 'complaint', sentimentOverridden: false, intentOverridden: false,
    priority: 0, boost: 0, scorerVersion: 'cs-4', state: 'open', snoozedUntil: null, assignee: null, tags: [], answered: false,
    ...over,
  }
}

const negative: ShowExplanation = {
  label: 'negative', score: -0.62, intent: 'complaint',
  tokens: [{ token: 'charged me twice', weight: -3, rules: ['domain: billing'] }], rules: ['complaint: service failure'],
}
const positive: ShowExplanation = { label: 'positive', score: 0.42, intent: 'praise', tokens: [], rules: [] }

function show(over: Partial<ShowInput> = {}): string {
  return renderShow({ mention: mention(), explanation: negative, scorerVersion: 'cs-4', now: NOW, width: 100, style: createStyle(0), ...over })
}

describe('renderShow', () => {
  it('explains a scorer label as why it was given', () => {
    const out = show()
    expect(out).toContain('#42  hackernews  negative (-0.62)  complaint  open')
    expect(out).toContain('Why negative (-0.62), intent complaint — scorer cs-4')
    expect(out).toContain('charged me twice')
    expect(out).not.toContain('Scorer reads')
  })

  it('never prints a label set by a person above an explanation that contradicts it', () => {
    const out = show({
      mention: mention({ sentimentLabel: 'negative', sentimentOverridden: true, intent: 'complaint', intentOverridden: true, sentimentScore: 0.42 }),
      explanation: positive,
    })
    expect(out).toContain('negative (set by a person)')
    expect(out).toContain('complaint (set by a person)')
    expect(out).toContain('Scorer reads: positive (0.42), intent praise')
    expect(out).toContain('the label set by a person stands')
    expect(out).not.toMatch(/Why /)
    // The human label carries no scorer number beside it.
    expect(out.split('\n')[0]).not.toContain('0.42')
  })

  it('heads the explanation as the scorer’s reading when the row was scored by another version', () => {
    const out = show({ mention: mention({ scorerVersion: 'cs-3' }) })
    expect(out).toContain('Scorer reads: negative (-0.62)')
    expect(out.replace(/\n/g, ' ')).toContain('stored by cs-3; mentions rescore updates it')
  })

  it('prints who set the label and when, when known', () => {
    const at = NOW - 2 * 3_600_000
    const out = show({ mention: mention({ sentimentOverridden: true }), labelledBy: { actor: 'ana', at } })
    expect(out).toContain('Label set by ana, 2024-05-10T10:00:00.000Z (2h ago)')
    expect(show({ labelledBy: { actor: 'ana', at } })).not.toContain('Label set by')
  })

  it('says when the brand posted it and which language it is in', () => {
    const out = show({ mention: mention({ isOwn: true, lang: 'de' }) })
    expect(out).toContain('Posted by the brand')
    expect(out).toContain('language: de')
    const plain = show()
    expect(plain).not.toContain('Posted by the brand')
    expect(plain).not.toContain('language:')
  })

  it('wraps long text at word boundaries to the width and keeps the URL whole', () => {
    const words = 'Acme Cloud billing charged me twice this month and support has not answered in three days what gives'.split(' ')
    const url = 'https://news.ycombinator.com/item?id=47302211&context=a-rather-long-query-string'
    const out = show({ mention: mention({ text: words.join(' '), url }), width: 40 })
    const lines = out.trimEnd().split('\n')
    const body = lines.filter((l) => l !== url && !l.startsWith('#42'))
    for (const l of body) expect(displayWidth(l)).toBeLessThanOrEqual(40)
    expect(lines).toContain(url)
    const textLines = lines.slice(lines.indexOf(url) + 2, lines.indexOf('', lines.indexOf(url) + 2))
    expect(textLines.length).toBeGreaterThan(2)
    expect(textLines.join(' ').split(' ')).toEqual(words)
  })

  it('heads a post with its title and shows a reply’s title as its thread', () => {
    expect(show({ mention: mention({ title: 'Show HN: Acme 2' }) })).toMatch(/\n\nShow HN: Acme 2\n/)
    const reply = show({ mention: mention({ title: 'Show HN: Acme 2', parentExternalId: '7' }) })
    expect(reply).toContain('in reply to: Show HN: Acme 2')
  })

  it('removes escape sequences from untrusted text', () => {
    expect(show({ mention: mention({ text: 'hi \x1b[2Jthere', authorHandle: '\x1b]0;pwn\x07eve' }) })).not.toContain('\x1b')
  })
})

describe('wrapText', () => {
  it('breaks at spaces, keeps paragraphs and breaks a word longer than a line', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc'])
    expect(wrapText('one\n\ntwo', 10)).toEqual(['one', '', 'two'])
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij'])
    expect(wrapText('x 世界世界', 5)).toEqual(['x', '世界', '世界'])
    expect(wrapText('aa bb', 6, '  ')).toEqual(['  aa', '  bb'])
  })
})

describe('renderShow: the inbox parts', () => {
  const input = {
    priority: { score: 48.5, parts: [{ factor: 'negativity' as const, points: 22.4, why: 'negative (-0.62)' }, { factor: 'intent' as const, points: 20, why: 'complaint' }, { factor: 'age' as const, points: -0.4, why: '3h old' }] },
    thread: { parent: mention({ id: 7, authorHandle: 'bob', text: 'Which cloud do you use?' }), replies: [mention({ id: 43, authorHandle: 'acme_support', isOwn: true, text: 'Sorry, refund sent' })] },
    brandReplies: [{ kind: 'reply' as const, source: 'hackernews', externalId: '2', at: NOW - 2 * 3_600_000, handle: 'acme_support', url: null }],
    sightings: [
      { source: 'hackernews', externalId: '1', url: 'https://news.ycombinator.com/item?id=1', seenAt: NOW },
      { source: 'rss', externalId: 'g1', url: 'https://news.example/acme', seenAt: NOW },
    ],
    events: [{ id: 1, mentionId: 42, at: NOW, actor: 'alice', action: 'state', detail: { from: 'open', to: 'done' } }],
  }

  it('lists the priority parts, the thread, the brand replies with their delay, the sightings and the events', () => {
    const out = show(input)
    expect(out).toContain('Priority 48.5')
    expect(out).toMatch(/\+22\.4 {2}negativity: negative \(-0\.62\)/)
    expect(out).toContain('in reply to #7 bob')
    expect(out).toContain('reply #43 acme_support (the brand)')
    expect(out).toContain('reply by acme_support, 2024-05-10T10:00:00.000Z (1h after)')
    expect(out).toContain('rss g1 https://news.example/acme')
    expect(out).toContain('alice open → done')
    expect(out).not.toContain('\x1b')
  })

  it('colours headings on a terminal, and only there', () => {
    const tty = renderShow({ mention: mention(), explanation: negative, scorerVersion: 'cs-4', now: NOW, width: 100, style: createStyle(1), ...input })
    expect(tty).toContain('\x1b[1mPriority 48.5')
    expect(tty.replace(/\x1b\[[0-9;]*m/g, '')).toBe(show(input))
  })
})
