// The demo use case: the shipped fixtures, moved to "now", pulled through the real pipeline
// into a real SQLite file from a real loopback server.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DEMO_NEWEST_AGE_MS, demoConfig, loadDemoFixtures, runDemo, shiftDemoFixtures } from '../../src/app/demo.js'
import { listQueue } from '../../src/app/queues.js'
import { parseHackerNewsPage } from '../../src/sources/hackernews.js'
import { parseFeed } from '../../src/sources/rss.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

// A clock far from the recorded times, so a test passes only if the shift really happened.
const NOW = Date.parse('2031-06-15T08:30:00Z')
const RECORDED_AT = Date.parse('2026-11-22T15:00:00Z')
const HOUR = 3_600_000

function times(f: { hackernews: string; alerts: string }): number[] {
  return [
    ...parseHackerNewsPage(f.hackernews).drafts.map((d) => d.createdAt),
    ...parseFeed(f.alerts, 'https://www.google.com/alerts/feeds/x/y', NOW).map((d) => d.createdAt),
  ]
}

describe('shiftDemoFixtures', () => {
  const recorded = loadDemoFixtures()
  const shifted = shiftDemoFixtures(recorded, NOW)

  it('makes the newest item a few minutes old at now', () => {
    expect(Math.max(...times(recorded))).toBeLessThanOrEqual(RECORDED_AT)
    const newest = Math.max(...times(shifted))
    expect(NOW - newest).toBeGreaterThanOrEqual(DEMO_NEWEST_AGE_MS)
    expect(NOW - newest).toBeLessThan(DEMO_NEWEST_AGE_MS + 1000)
  })

  it('keeps every item, its order and its spacing, across both sources', () => {
    const before = times(recorded)
    const after = times(shifted)
    expect(after).toHaveLength(before.length)
    const offset = (after[0] ?? 0) - (before[0] ?? 0)
    expect(offset % 1000).toBe(0)
    expect(after).toEqual(before.map((t) => t + offset))
  })

  it('leaves the text of each item alone', () => {
    const text = (f: { hackernews: string }) => parseHackerNewsPage(f.hackernews).drafts.map((d) => [d.externalId, d.text, d.title])
    expect(text(shifted)).toEqual(text(recorded))
  })
})

describe('runDemo', () => {
  let deps: TestDeps | undefined
  let dir: string | undefined
  afterEach(async () => {
    await deps?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('pulls both sources into the database and returns the queues, dated relative to now', async () => {
    dir = tempDir('mentions-demo-test-')
    const database = path.join(dir, 'demo.db')
    // testDeps wants a config; runDemo brings its own, so this one is never read.
    const { file: _file, ...config } = demoConfig('http://127.0.0.1:9', database)
    deps = testDeps({ config, dbFile: database, now: () => NOW })
    let served: string | undefined
    const demo = await runDemo(deps, { database, onServer: (url) => (served = url) })

    expect(served).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(demo.serverUrl).toBe(served)
    expect(demo.pull.status).toBe('ok')
    // Search per source, plus the brand's own Hacker News comments (its replies).
    expect(demo.pull.sources.map((s) => `${s.source}${s.instance.endsWith('#own') ? '#own' : ''}`).sort()).toEqual(['hackernews', 'hackernews#own', 'rss'])
    expect(demo.queues.map((q) => q.name)).toEqual(['negative', 'unanswered'])
    const negative = demo.queues[0]!.mentions
    expect(negative.length).toBeGreaterThan(0)
    for (const m of negative) expect(m.sentimentLabel).toBe('negative')
    expect(Math.max(...negative.map((m) => m.createdAt))).toBeGreaterThan(NOW - HOUR)

    // The database stays usable afterwards: what `mentions queue negative --since 24h` reads.
    const recent = await listQueue(deps, { queue: 'negative', since: NOW - 24 * HOUR })
    expect(recent.length).toBeGreaterThan(0)
  })
})
