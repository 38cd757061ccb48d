// The digest renderers over a digest built from a seeded database with an injected clock.
// Text and Markdown are golden files: after a deliberate change, regenerate them with
//   UPDATE_GOLDEN=1 npx vitest run test/report/digest.test.ts
// and review the diff. HTML must be well-formed and self-contained, Slack within its limits,
// the MIME message must parse, and untrusted text must not escape any of them.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Parser } from 'htmlparser2'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildDigest, type Digest } from '../../src/app/digest.js'
import { messageId, renderEmail } from '../../src/report/digest/email.js'
import { escapeHtml, renderHtml } from '../../src/report/digest/html.js'
import { DIGEST_JSON_VERSION, renderJson } from '../../src/report/digest/json.js'
import { escapeMarkdown, renderMarkdown } from '../../src/report/digest/markdown.js'
import { escapeSlack, SLACK_MAX_BLOCKS, SLACK_MAX_TEXT, slackPayload } from '../../src/report/digest/slack.js'
import { renderText } from '../../src/report/digest/text.js'
import { sparkline } from '../../src/report/digest/common.js'
import { createStyle } from '../../src/report/style.js'
import { freshDeps, seed, type Seeded } from './digest/seed.js'

const golden = fileURLToPath(new URL('../golden/digest/', import.meta.url))

function matchGolden(name: string, actual: string): void {
  const file = path.join(golden, name)
  if (process.env.UPDATE_GOLDEN) {
    fs.mkdirSync(golden, { recursive: true })
    fs.writeFileSync(file, actual)
  }
  expect(actual).toBe(fs.readFileSync(file, 'utf8'))
}

let s: Seeded
let d: Digest
beforeAll(async () => {
  s = freshDeps()
  await seed(s)
  d = await buildDigest(s.deps, {})
})
afterAll(async () => {
  await s.cleanup()
})

const VOID = new Set(['meta', 'br', 'rect'])

/** Tags in order; throws on a close that does not match its open tag, or one left open. */
function checkWellFormed(html: string): { tags: string[]; attrs: Record<string, string>[] } {
  const stack: string[] = []
  const tags: string[] = []
  const attrs: Record<string, string>[] = []
  const problems: string[] = []
  const parser = new Parser(
    {
      onopentag(name, a) {
        tags.push(name)
        attrs.push(a)
        stack.push(name)
      },
      onclosetag(name, implied) {
        const top = stack.pop()
        if (top !== name) problems.push(`</${name}> closes <${top}>`)
        if (implied && !VOID.has(name)) problems.push(`<${name}> never closed`)
      },
    },
    { recognizeSelfClosing: true, decodeEntities: true },
  )
  parser.write(html)
  parser.end()
  if (stack.length) problems.push(`left open: ${stack.join(', ')}`)
  expect(problems).toEqual([])
  return { tags, attrs }
}

describe('text', () => {
  it('matches the golden file, with no colour when the style has none', () => {
    const out = renderText(d)
    expect(out).not.toMatch(/\u001b/)
    matchGolden('digest.txt', out)
  })

  it('puts source health first and sanitises untrusted text', () => {
    const out = renderText(d)
    expect(out.indexOf('Source health')).toBeLessThan(out.indexOf('Volume'))
    expect(out).toContain('hackernews (Acme): the last pull failed')
    expect(out).toContain('Acme refund denied <script>')
  })

  it('colours only when the CLI says the terminal takes it', () => {
    expect(renderText(d, createStyle(1))).toMatch(/\u001b\[1m/)
  })
})

describe('markdown', () => {
  it('matches the golden file', () => {
    matchGolden('digest.md', renderMarkdown(d))
  })

  it('escapes untrusted text so a post adds no links, emphasis or HTML', () => {
    const out = renderMarkdown(d)
    expect(out).not.toContain('[click](https://evil.example)')
    expect(out).toContain('\\[click\\](https://evil.example)')
    expect(out).toContain('\\<script\\>')
    expect(out).toContain('\\*bold\\*')
    expect(escapeMarkdown('a_b*c`d|e~f<g>&h[i]\\')).toBe('a\\_b\\*c\\`d\\|e\\~f\\<g\\>\\&h\\[i\\]\\\\')
  })
})

describe('html', () => {
  it('is well-formed, self-contained and script-free', () => {
    const html = renderHtml(d)
    const { tags, attrs } = checkWellFormed(html)
    expect(tags).not.toContain('script')
    expect(tags).not.toContain('style')
    expect(tags).toContain('svg')
    expect(html).not.toMatch(/display:\s*(flex|grid)/)
    // The only links and sources are the mentions' own permalinks.
    const permalinks = new Set([...d.unanswered.items, ...d.assigned.items, ...d.overdue.items].map((i) => new URL(i.url).href))
    const refs = attrs.flatMap((a) => ['src', 'href', 'srcset', 'background', 'action'].flatMap((k) => (a[k] !== undefined ? [a[k] as string] : [])))
    expect(refs.length).toBeGreaterThan(0)
    for (const r of refs) expect(permalinks).toContain(r)
    for (const a of attrs) for (const k of Object.keys(a)) expect(k).not.toMatch(/^on/)
  })

  it('escapes untrusted text', () => {
    const html = renderHtml(d)
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).not.toContain('<script>')
    expect(html).toContain('href="https://news.ycombinator.com/item?id=1&amp;x=%3Cy%3E"')
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
  })

  it('links only http(s) permalinks', () => {
    const evil: Digest = { ...d, unanswered: { items: [{ ...(d.unanswered.items[0] as Digest['unanswered']['items'][number]), url: 'javascript:alert(1)' }], more: 0 } }
    const html = renderHtml(evil)
    expect(html).not.toContain('javascript:')
  })
})

describe('json', () => {
  it('has the documented fields with ISO times', () => {
    const j = JSON.parse(renderJson(d)) as Record<string, unknown> & { window: Record<string, unknown>; unanswered: { items: Record<string, unknown>[] } }
    expect(j.version).toBe(DIGEST_JSON_VERSION)
    expect(Object.keys(j)).toEqual([
      'version', 'name', 'brands', 'window', 'volume', 'sentiment', 'series', 'unanswered', 'assigned', 'overdue', 'responses',
      'spikes', 'themes', 'voice', 'coverage', 'health', 'broken', 'empty',
    ])
    expect(j.window).toEqual({ start: '2026-12-01T08:00:00.000Z', end: '2026-12-02T08:00:00.000Z', previousStart: '2026-11-30T08:00:00.000Z', from: 'since' })
    expect(Object.keys(j.unanswered.items[0] ?? {})).toEqual(['id', 'source', 'url', 'title', 'text', 'author', 'brands', 'sentiment', 'intent', 'priority', 'createdAt', 'fetchedAt', 'assignee'])
    expect(j.unanswered.items[0]?.createdAt).toMatch(/^2026-12-02T/)
  })
})

describe('slack', () => {
  it('is a Block Kit payload within Slack limits, with &, < and > escaped', () => {
    const p = slackPayload(d)
    expect(typeof p.text).toBe('string')
    expect(p.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS)
    expect(p.blocks[0]).toMatchObject({ type: 'header' })
    const texts = p.blocks.flatMap((b) => (b.type === 'section' ? [b.text.text] : b.type === 'context' ? b.elements.map((e) => e.text) : []))
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(SLACK_MAX_TEXT)
    const all = texts.join('\n')
    expect(all).not.toContain('<!channel>')
    expect(all).toContain('&lt;!channel&gt; &amp; co')
    expect(all).toContain('<https://news.ycombinator.com/item?id=9001|')
    expect(escapeSlack('<@U1> & <!here>')).toBe('&lt;@U1&gt; &amp; &lt;!here&gt;')
  })

  it('stays within 3000 characters per text however long the lists', () => {
    const item = d.unanswered.items[0] as Digest['unanswered']['items'][number]
    const long: Digest = { ...d, themes: Array.from({ length: 400 }, (_, i) => ({ phrase: `phrase number ${i}`, count: 5, previous: 1 })), unanswered: { items: Array(40).fill({ ...item, text: 'x'.repeat(500) }), more: 0 } }
    const p = slackPayload(long)
    for (const b of p.blocks) if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_MAX_TEXT)
  })
})

describe('email', () => {
  it('is a multipart/alternative MIME message that parses, with the text and HTML renderings', async () => {
    const raw = await renderEmail(d, { to: ['team@example.com', 'lead@example.com'], from: 'Mentions <mentions@example.com>', subject: 'Résumé du jour' })
    // CRLF everywhere, never a bare LF.
    expect(raw).not.toMatch(/[^\r]\n/)
    const header = raw.slice(0, raw.indexOf('\r\n\r\n'))
    expect(header).toMatch(/^Content-Type: multipart\/alternative;/m)
    expect(header).toMatch(/^Subject: =\?UTF-8\?/m)
    const mail = await simpleParser(raw)
    expect(mail.subject).toBe('Résumé du jour')
    expect(mail.from?.text).toBe('"Mentions" <mentions@example.com>')
    const to = Array.isArray(mail.to) ? mail.to : [mail.to]
    expect(to.flatMap((t) => t?.value.map((v) => v.address))).toEqual(['team@example.com', 'lead@example.com'])
    expect(mail.date?.toISOString()).toBe('2026-12-02T08:00:00.000Z')
    expect(mail.messageId).toBe(messageId(d, 'mentions@example.com'))
    const crlf = (x: string) => x.replace(/\r\n/g, '\n')
    expect(crlf(mail.html || '')).toBe(renderHtml(d))
    expect(crlf(mail.text ?? '')).toBe(renderText(d))
  })

  it('defaults the subject to the one-line summary', async () => {
    const mail = await simpleParser(await renderEmail(d, { to: ['a@example.com'], from: 'b@example.com' }))
    expect(mail.subject).toBe('Mentions digest, 2026-12-02: 7 new, 7 unanswered, 3 overdue, a source is failing')
  })
})

describe('sparkline', () => {
  it('scales to the largest value, zeros as the lowest bar', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█')
    expect(sparkline([0, 0])).toBe('▁▁')
  })
})
