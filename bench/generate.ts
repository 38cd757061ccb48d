// Realistic synthetic mentions for the benchmarks: seeded, so every run builds the same data.
// Varied lengths, sources and brands (one a competitor), authors who post again and again,
// a configurable negative share, threads with the brand's replies, and reviews with ratings.
// `node --import tsx bench/generate.ts N [seed] > mentions.ndjson` writes `mentions import` input.
import type { Brand } from '../src/model.js'
import { seededRandom as prng } from '../test/support/random.js'



export const BENCH_BRANDS: Brand[] = [
  { name: 'Acme', terms: ['acme', '"acme cloud"', '@acmehq'], exclude: ['acme brick'], require: [], languages: [], competitor: false, handles: { hackernews: ['acme_support'], x: ['acmehq'], reddit: ['acme_official'] } },
  { name: 'Globex', terms: ['globex', '"globex corp"'], exclude: [], require: [], languages: [], competitor: false, handles: { x: ['globex'] } },
  { name: 'Initech', terms: ['initech'], exclude: [], require: [], languages: [], competitor: true, handles: {} },
]

/** The sources the generator writes, with how often each appears. */
const SOURCES: readonly [kind: string, weight: number][] = [
  ['x', 30], ['reddit', 20], ['hackernews', 12], ['mastodon', 10], ['bluesky', 8], ['youtube', 6], ['rss', 6], ['trustpilot', 5], ['appstore', 3],
]
const REVIEW_SOURCES = new Set(['trustpilot', 'appstore'])
const PULL_EVERY_MS = 15 * 60_000

const NEGATIVE = [
  'billing charged me twice and support has not replied in four days',
  'the dashboard has been down for an hour, this is the third outage this month',
  'worst onboarding I have ever seen, cancelled my subscription',
  'deploys stuck on pending again, ticket #{n} still open, awful',
  'lost all my settings after the update, really disappointed',
  'terrible latency in eu-west today, customers are angry',
]
const POSITIVE = [
  'love the new dashboard, it is fast and clean, thank you team',
  'support fixed my issue in ten minutes, great experience',
  'migrated our whole stack over the weekend, flawless',
  'the new pricing is fair and the docs are excellent',
]
const NEUTRAL = [
  'has anyone tried {b} for managed postgres',
  'how do I rotate api keys in {b} without downtime',
  'comparing {b} and {c} for a side project, any thoughts',
  '{b} announced a new region in São Paulo',
  'reading the {b} changelog for version {n}',
  'is there a {b} status page I can subscribe to',
]
const FILLER = [
  'We run about forty services on it.', 'Our team is small, five people.', 'This is for a client project.',
  'I have been a customer since 2019.', 'The mobile app is what we use most.', 'Happy to share more details if useful.',
  'Screenshots in the thread below.', 'Not sure if this is the right place to ask.', 'Edit: typo.',
]
const HANDLES = ['acme_support', 'acmehq', 'acme_official']

export interface GenerateOptions {
  seed?: number
  /** Share of mentions written to be negative (0.05–0.30 is realistic). */
  negativeShare?: number
  /** The newest created time (epoch ms); items go back about a year from it. */
  newest?: number
}

/** One generated row, in the field names `mentions export` writes and `mentions import` reads. */
export interface GeneratedRow {
  source: string
  externalId: string
  url: string
  title?: string
  text: string
  author: string
  authorName?: string
  authorReach?: number
  createdAt: string
  /** When a pull first saw it: the first quarter-hourly pull at least a minute after it was posted. */
  fetchedAt: string
  likes?: number
  reposts?: number
  replies?: number
  inReplyTo?: string
  rating?: number
  lang?: string
}

/** Rows newest first, as an upstream pages them; each is about one of the brands or none. */
export function* generateRows(n: number, opts: GenerateOptions = {}): Generator<GeneratedRow> {
  const rand = prng(opts.seed ?? 42)
  const negShare = opts.negativeShare ?? 0.18
  const newest = opts.newest ?? Date.parse('2026-12-01T00:00:00Z')
  const total = SOURCES.reduce((s, [, w]) => s + w, 0)
  const pickSource = () => {
    let r = rand() * total
    for (const [k, w] of SOURCES) if ((r -= w) < 0) return k
    return 'x'
  }
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T
  // Repeat posters: a few authors write a large share (roughly Zipf).
  const authorCount = Math.max(50, Math.floor(n / 8))
  const author = () => `user${Math.floor(authorCount * Math.pow(rand(), 2.5))}`
  const span = 365 * 24 * 3600_000
  const recent: { source: string; id: string; brand: string }[] = []
  for (let i = 0; i < n; i++) {
    const source = pickSource()
    const createdAt = newest - Math.floor((i / n) * span) - Math.floor(rand() * 60_000)
    const roll = rand()
    // Mostly our brands, some the competitor, a few that only look like a match.
    const brand = roll < 0.55 ? 'Acme' : roll < 0.8 ? 'Globex' : roll < 0.93 ? 'Initech' : 'none'
    const mood = rand()
    const template = mood < negShare ? pick(NEGATIVE) : mood < negShare + 0.25 ? pick(POSITIVE) : pick(NEUTRAL)
    const name = brand === 'none' ? 'Acme Brick' : rand() < 0.15 && brand === 'Acme' ? 'Acme Cloud' : brand
    const other = brand === 'Globex' ? 'Initech' : 'Globex'
    let text = template.replace('{b}', name).replace('{c}', other).replace('{n}', String(1000 + Math.floor(rand() * 9000)))
    text = rand() < 0.5 ? `${name}: ${text}` : `${text} (${name})`
    // Lengths from a line to a few paragraphs.
    const extra = Math.floor(Math.pow(rand(), 3) * 8)
    for (let k = 0; k < extra; k++) text += (k % 3 === 2 ? '\n\n' : ' ') + pick(FILLER)
    const id = `${source.slice(0, 2)}${10_000_000 + i}`
    const row: GeneratedRow = {
      source,
      externalId: id,
      url: `https://${source}.example/item/${id}`,
      text,
      author: author(),
      createdAt: new Date(createdAt).toISOString(),
      // The pull every quarter hour that first saw it stamps its whole batch with one time.
      fetchedAt: new Date(Math.ceil((createdAt + 60_000) / PULL_EVERY_MS) * PULL_EVERY_MS).toISOString(),
      likes: Math.floor(Math.pow(rand(), 4) * 500),
      replies: Math.floor(Math.pow(rand(), 5) * 60),
      lang: 'en',
    }
    if (rand() < 0.3) row.authorReach = Math.floor(Math.pow(rand(), 3) * 100_000)
    if (source === 'x' || source === 'bluesky' || source === 'mastodon') row.reposts = Math.floor(Math.pow(rand(), 5) * 100)
    if (REVIEW_SOURCES.has(source)) {
      row.rating = mood < negShare ? 1 + Math.floor(rand() * 2) : 3 + Math.floor(rand() * 3)
      row.title = text.split(/[.,:]/)[0]?.slice(0, 60) ?? ''
    } else if (source === 'reddit' || source === 'hackernews') {
      if (rand() < 0.3) row.title = `Ask: ${text.slice(0, 50)}`
    }
    // Threads: a fifth reply to a recent item of the same source; some are the brand answering.
    const parent = recent.length > 0 && rand() < 0.2 ? recent[Math.floor(rand() * recent.length)] : undefined
    if (parent && parent.source === source) {
      row.inReplyTo = parent.id
      delete row.title
      if (parent.brand === 'Acme' && rand() < 0.4) {
        row.author = source === 'hackernews' ? 'acme_support' : source === 'x' ? 'acmehq' : source === 'reddit' ? 'acme_official' : pick(HANDLES)
        row.text = `Sorry about that, we are on it. DM us your ticket number. (Acme support)`
      }
    }
    if (!REVIEW_SOURCES.has(source)) {
      recent.push({ source, id, brand })
      if (recent.length > 200) recent.shift()
    }
    yield row
  }
}

/** Plain texts for the scorer benchmark: the generator's texts, one per line. */
export function* generateTexts(n: number, seed = 7): Generator<string> {
  for (const r of generateRows(n, { seed })) yield r.text.replace(/\s+/g, ' ')
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const n = Number(process.argv[2] ?? 1000)
  const seed = Number(process.argv[3] ?? 42)
  let buf = ''
  for (const row of generateRows(n, { seed })) {
    buf += JSON.stringify(row) + '\n'
    if (buf.length > 1 << 20) {
      process.stdout.write(buf)
      buf = ''
    }
  }
  process.stdout.write(buf)
}
