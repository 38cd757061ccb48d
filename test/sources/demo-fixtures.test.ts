// The demo's recorded data must read cleanly through the real parsers and exercise the
// matcher both ways: most hits mention Acme, and some that upstream returns must be dropped.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ownWords } from '../../src/app/records.js'
import { compileMatcher } from '../../src/match/matcher.js'
import type { Brand } from '../../src/model.js'
import { parseHackerNewsPage } from '../../src/sources/hackernews.js'
import { parseFeed } from '../../src/sources/rss.js'

const demo = (name: string): string => readFileSync(new URL(`../../fixtures/demo/${name}`, import.meta.url), 'utf8')
const acme: Brand = { name: 'Acme', terms: ['acme', '"acme cloud"'], exclude: ['acme brick'], require: [], languages: [], competitor: false, handles: {} }
const RECORDED_AT = Date.parse('2026-11-22T15:00:00Z')

describe('demo fixtures', () => {
  const matcher = compileMatcher([acme])

  it('hackernews-acme.json is one complete search_by_date page of recent stories and comments', () => {
    const page = parseHackerNewsPage(demo('hackernews-acme.json'))
    expect(page).toMatchObject({ page: 0, nbPages: 1, skipped: 0 })
    expect(page.drafts.length).toBeGreaterThanOrEqual(10)
    expect(page.drafts.some((d) => d.parentExternalId === undefined)).toBe(true)
    expect(page.drafts.some((d) => d.parentExternalId !== undefined)).toBe(true)
    const times = page.drafts.map((d) => d.createdAt)
    expect(times).toEqual([...times].sort((a, b) => b - a))
    for (const t of times) {
      expect(t).toBeLessThanOrEqual(RECORDED_AT)
      expect(t).toBeGreaterThan(RECORDED_AT - 4 * 86_400_000)
    }
  })

  it('has hits the matcher keeps and hits it rejects (Acme Brick, look-alike words)', () => {
    const drafts = parseHackerNewsPage(demo('hackernews-acme.json')).drafts
    const rejected = drafts.filter((d) => matcher.match(ownWords(d)) === null).map((d) => d.externalId)
    expect(rejected).toEqual(expect.arrayContaining(['47296544', '47295120']))
    expect(drafts.length - rejected.length).toBeGreaterThanOrEqual(10)
    const billing = drafts.find((d) => d.text.startsWith('Acme Cloud billing charged me twice'))
    expect(billing && matcher.match(ownWords(billing))?.brands).toEqual(['Acme'])
  })

  it('has a reply from the brand’s own account to one of the hits', () => {
    const drafts = parseHackerNewsPage(demo('hackernews-acme.json')).drafts
    const reply = drafts.find((d) => d.author?.handle === 'acme_support')
    expect(reply?.parentExternalId).toBeDefined()
    expect(drafts.some((d) => d.externalId === reply?.parentExternalId)).toBe(true)
  })

  it('google-alerts-acme.xml reads as unwrapped links with plain-text titles', () => {
    const drafts = parseFeed(demo('google-alerts-acme.xml'), 'https://www.google.com/alerts/feeds/x/y', RECORDED_AT)
    expect(drafts).toHaveLength(6)
    for (const d of drafts) {
      expect(new URL(d.url).hostname).not.toMatch(/google\./)
      expect(d.title).not.toMatch(/[<>]|&\w+;/)
    }
    const rejected = drafts.filter((d) => matcher.match(ownWords(d)) === null)
    expect(rejected.map((d) => d.title)).toEqual(['Acme Brick Company breaks ground on new plant near Denton'])
  })
})
