// The Slack message is built from strangers' text: it must not inject mrkdwn links or
// mentions (<!channel>), break out of a link, carry control characters, or pass Slack's limits.
import { describe, expect, it } from 'vitest'
import type { Mention } from '../../src/model.js'
import { SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, slackEscape, slackMessage, type AlertEntry } from '../../src/report/alert/payload.js'

function mention(over: Partial<Mention>): Mention {
  return {
    id: 7, source: 'reddit', externalId: 'x', url: 'https://reddit.com/r/a/comments/1', canonicalUrl: null, brands: ['Acme'], terms: ['acme'], authorHandle: 'u1', authorName: null, authorReach: null,
    title: null, text: 'acme', lang: null, createdAt: 0, fetchedAt: 0, updatedAt: 0, parentExternalId: null, threadExternalId: null, likes: null, reposts: null, replies: null, score: null,
    rating: null, isOwn: false, competitor: false, sourceName: null, sentimentLabel: 'negative', sentimentScore: -0.5, intent: 'complaint', sentimentOverridden: false, intentOverridden: false,
    priority: 40, boost: 0, scorerVersion: 'v', state: 'open', snoozedUntil: null, assignee: null, tags: [], answered: false, ...over,
  }
}
const entry = (m: Mention): AlertEntry => ({ type: 'mention', key: String(m.id), mention: m })

describe('slackMessage', () => {
  it('escapes &, < and > so posted text cannot ping a channel or fake a link', () => {
    expect(slackEscape('a & <!channel> <http://evil|click>')).toBe('a &amp; &lt;!channel&gt; &lt;http://evil|click&gt;')
    const m = slackMessage([entry(mention({ text: 'hey <!channel> see <https://evil.example|your bank>\u001b[31m', authorHandle: '<@U123>' }))], 0)
    const json = JSON.stringify(m)
    expect(json).not.toContain('<!channel>')
    expect(json).not.toContain('<@U123>')
    expect(json).not.toContain('<https://evil')
    expect(json).not.toContain('\\u001b')
    expect(m.text).not.toContain('<')
  })

  it('keeps a hostile URL inside its link', () => {
    const m = slackMessage([entry(mention({ url: 'https://x.example/a|b>c <!here>' }))], 0)
    const section = JSON.stringify(m.blocks[2])
    expect(section).toContain('<https://x.example/a%7Cb%3Ec%20%3C!here%3E|#7 open>')
  })

  it('stays under 3000 characters per section, and says how many were left out', () => {
    const long = mention({ text: 'x'.repeat(10_000), title: 'y'.repeat(5000) })
    const m = slackMessage([entry(long)], 12)
    for (const b of m.blocks as { text?: { text: string } }[]) if (b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_MAX_TEXT)
    expect(m.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS)
    expect(JSON.stringify(m.blocks.at(-1))).toContain('and 12 more')
  })
})
