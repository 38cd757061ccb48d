// A seeded database and an injected clock for digest tests: a day of mentions (and the day
// before it, for the changes and themes), pulls with a failure and a spent budget, an
// assignment, an overdue item and untrusted text that tries to escape every format.
import fs from 'node:fs'
import path from 'node:path'
import type { Brand } from '../../../src/model.js'
import type { MentionRecord, SourceRunReport, Store } from '../../../src/store/index.js'
import { record } from '../../store/contract.js'
import { tempDir, testDeps, type TestDeps } from '../../support/deps.js'

export const NOW = Date.UTC(2026, 11, 2, 8)
export const HOUR = 3600_000
export const DAY = 24 * HOUR

const brand = (name: string, competitor = false): Brand => ({ name, terms: [name.toLowerCase()], exclude: [], require: [], languages: [], competitor, handles: {} })

export interface Seeded {
  deps: TestDeps
  dbFile: string
  /** Sets the injected clock. */
  setNow(t: number): void
  cleanup(): Promise<void>
}

/** Fresh deps over an empty database file (created, migrated), with the clock at NOW. */
export function freshDeps(): Seeded {
  const dir = tempDir('mentions-digest-')
  const dbFile = path.join(dir, 'm.db')
  let now = NOW
  const deps = testDeps({ dbFile, now: () => now, config: { brands: [brand('Acme'), brand('Globex', true)], sources: [] } })
  return {
    deps,
    dbFile,
    setNow: (t) => void (now = t),
    cleanup: async () => {
      await deps.close()
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

let n = 0
/** A mention of Acme first seen `ago` before NOW. */
export function seen(ago: number, over: Partial<MentionRecord> = {}): MentionRecord {
  n++
  return record({
    externalId: `d${n}`,
    url: `https://news.ycombinator.com/item?id=${9000 + n}`,
    createdAt: NOW - ago - 10 * 60_000,
    fetchedAt: NOW - ago,
    author: { handle: `user${n}` },
    ...over,
  })
}

const hn = (over: Partial<SourceRunReport> = {}): SourceRunReport => ({ source: 'hackernews', instance: 'https://hn.algolia.com', brand: 'Acme', fetched: 3, new: 2, updated: 0, dropped: 0, ...over })
const rss = (over: Partial<SourceRunReport> = {}): SourceRunReport => ({ source: 'rss', instance: 'https://example.com/feed', name: 'Blog', brand: '', fetched: 1, new: 1, updated: 0, dropped: 0, ...over })
const x = (over: Partial<SourceRunReport> = {}): SourceRunReport => ({ source: 'x', instance: 'https://api.x.com', brand: 'Acme', fetched: 0, new: 0, updated: 0, dropped: 0, ...over })

export async function pullAt(store: Store, at: number, report: SourceRunReport[]): Promise<void> {
  const id = await store.runs.start(at)
  await store.runs.finish(id, report.some((r) => r.error) ? 'partial' : 'ok', report, at + 60_000)
}

/** The standard seed: see the file's header. */
export async function seed(s: Seeded): Promise<void> {
  const store = s.deps.store()
  await store.mentions.upsertPage([
    // The window (the last 24h): 6 of ours, 4 negative; "lost luggage" grows from 1 to 3.
    seen(2 * HOUR, { text: 'Acme lost luggage again, nobody answers', priority: 60 }),
    seen(3 * HOUR, { text: 'acme: lost luggage at the gate, third time', priority: 55 }),
    seen(5 * HOUR, { text: 'My lost luggage claim with Acme is going nowhere', priority: 50 }),
    seen(6 * HOUR, {
      // Untrusted text trying every format: terminal escapes, Markdown, HTML, Slack mentions.
      text: 'Acme refund \u001b[31mdenied\u001b[0m <script>alert(1)</script> *bold* [click](https://evil.example) <!channel> & co',
      priority: 45,
      url: 'https://news.ycombinator.com/item?id=1&x=<y>',
    }),
    seen(7 * HOUR, { text: 'Acme support was quick and kind', sentimentLabel: 'positive', sentimentScore: 0.6, intent: 'praise', priority: 0 }),
    seen(8 * HOUR, { text: 'Acme launches a new app', sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other', source: 'rss', sourceName: 'Blog', answerable: false, url: 'https://example.com/acme-app' }),
    // A rival's mentions: share of voice only.
    seen(4 * HOUR, { brands: ['Globex'], terms: ['globex'], competitor: true, text: 'Globex is fine' }),
    seen(9 * HOUR, { brands: ['Globex'], terms: ['globex'], competitor: true, text: 'Globex again' }),
    // The brand's own post: never counted.
    seen(1 * HOUR, { isOwn: true, text: 'Acme here: we are on it', sentimentLabel: 'neutral', intent: 'other' }),
    // The previous window: 3 of ours; "checkout page" as common as in the window (once each), so not a theme.
    seen(DAY + 2 * HOUR, { text: 'Acme lost luggage once', priority: 40 }),
    seen(DAY + 3 * HOUR, { text: 'Acme checkout page broken', priority: 30 }),
    seen(DAY + 4 * HOUR, { text: 'Acme is fine', sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other' }),
    // Overdue: said 30h ago, open, no reply, a complaint.
    seen(DAY + 6 * HOUR, { text: 'Acme double charged me, still waiting', priority: 35, createdAt: NOW - 30 * HOUR }),
  ])
  // The checkout page also in the window (once, as before): equally common, not a theme.
  await store.mentions.upsertPage([seen(10 * HOUR, { text: 'Acme checkout page broken', priority: 20 })])

  // One of the window's complaints assigned to kim in the window.
  const [first] = await store.mentions.queue({ queue: 'unanswered', newSince: NOW - DAY, now: NOW, limit: 1 })
  if (first) await store.triage.apply([first.id], { kind: 'assign', assignee: 'kim' }, 'sam', NOW - HOUR)

  // Pulls: hourly over the last week with something new each time, then hackernews fails on
  // the last one; x ran out of its read budget; the rss feed is fine.
  for (let t = NOW - 7 * DAY; t < NOW - HOUR; t += HOUR) await pullAt(store, t, [hn(), rss({ new: t % (2 * HOUR) === 0 ? 1 : 0 })])
  await pullAt(store, NOW - HOUR, [
    hn({ error: 'HTTP 503 from hn.algolia.com', new: 0 }),
    rss({ new: 1 }),
    x({ error: 'read budget spent: 100 of 100 reads today (maxReadsPerDay); resets 00:00 UTC' }),
  ])
}
