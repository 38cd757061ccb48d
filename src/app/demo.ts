// `mentions demo`: the whole pipeline against recorded responses on 127.0.0.1.
import fs from 'node:fs'
import type { Config } from '../config/load.js'
import { parseDuration } from '../config/duration.js'
import type { Mention } from '../model.js'
import { startReplayServer, type ReplayRoute } from '../net/replay.js'
import { openStore, type Store } from '../store/index.js'
import type { Deps } from './deps.js'
import { pull, type PullResult } from './pull.js'
import { listQueue } from './queues.js'
import { scorerFor } from './score.js'

export interface DemoFixtures {
  hackernews: string
  alerts: string
}

export const DEMO_ALERT_PATH = '/alerts/feeds/demo/acme'

const FIXTURES_DIR = new URL('../../fixtures/demo/', import.meta.url)

/** The recorded responses shipped in fixtures/demo/ (they keep their fixed recorded times). */
export function loadDemoFixtures(dir: URL = FIXTURES_DIR): DemoFixtures {
  return {
    hackernews: fs.readFileSync(new URL('hackernews-acme.json', dir), 'utf8'),
    alerts: fs.readFileSync(new URL('google-alerts-acme.xml', dir), 'utf8'),
  }
}

/** How old the newest demo item is made to look: recent enough for `--since 1h`. */
export const DEMO_NEWEST_AGE_MS = 3 * 60_000

interface HnHit {
  created_at?: unknown
  created_at_i?: unknown
  updated_at?: unknown
  [key: string]: unknown
}

const ATOM_TIME = /<(published|updated)>([^<]+)<\/\1>/g

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

function shiftIso(value: unknown, offsetMs: number): unknown {
  if (typeof value !== 'string') return value
  const t = Date.parse(value)
  return Number.isNaN(t) ? value : isoSeconds(t + offsetMs)
}

function newestTime(f: DemoFixtures): number {
  const hits = (JSON.parse(f.hackernews) as { hits?: HnHit[] }).hits ?? []
  const times = hits.flatMap((h) => (typeof h.created_at_i === 'number' ? [h.created_at_i * 1000] : []))
  for (const m of f.alerts.matchAll(ATOM_TIME)) {
    const t = Date.parse(m[2] ?? '')
    if (!Number.isNaN(t)) times.push(t)
  }
  return times.length ? Math.max(...times) : Number.NaN
}

/**
 * The fixtures moved in time so the newest item is DEMO_NEWEST_AGE_MS old at `now`: the
 * README's `--since 24h` examples then show rows whenever the demo is run. One offset for
 * every item of both sources, in whole seconds, so their spacing and order stay as recorded.
 */
export function shiftDemoFixtures(f: DemoFixtures, now: number): DemoFixtures {
  const newest = newestTime(f)
  if (!Number.isFinite(newest)) return f
  const offset = Math.floor((now - DEMO_NEWEST_AGE_MS - newest) / 1000) * 1000
  const page = JSON.parse(f.hackernews) as { hits?: HnHit[] }
  const hits = (page.hits ?? []).map((h) => ({
    ...h,
    created_at: shiftIso(h.created_at, offset),
    ...(typeof h.created_at_i === 'number' ? { created_at_i: h.created_at_i + offset / 1000 } : {}),
    updated_at: shiftIso(h.updated_at, offset),
  }))
  return {
    hackernews: JSON.stringify({ ...page, hits }),
    alerts: f.alerts.replace(ATOM_TIME, (whole, tag: string, value: string) => {
      const shifted = shiftIso(value, offset)
      return typeof shifted === 'string' ? `<${tag}>${shifted}</${tag}>` : whole
    }),
  }
}

/** The recorded hits written by `author`: what Algolia answers for an author_<handle> tag. */
function byAuthor(body: string, author: string): string {
  const page = JSON.parse(body) as { hits: { author?: string }[]; nbHits?: number }
  const hits = page.hits.filter((h) => h.author === author)
  return JSON.stringify({ ...page, hits, nbHits: hits.length, nbPages: 1 })
}

export function demoRoutes(f: DemoFixtures): ReplayRoute[] {
  const json = { 'content-type': 'application/json; charset=utf-8' }
  return [
    // The brand's own comments (how the demo knows what acme_support answered).
    { path: '/api/v1/search_by_date', query: { tags: 'comment,author_acme_support' }, headers: json, body: byAuthor(f.hackernews, 'acme_support') },
    { path: '/api/v1/search_by_date', headers: json, body: f.hackernews },
    {
      path: DEMO_ALERT_PATH,
      headers: { 'content-type': 'application/atom+xml; charset=utf-8', etag: '"demo-alerts-1"' },
      body: f.alerts,
    },
  ]
}

export function demoConfig(baseUrl: string, database: string): Config {
  return {
    file: '(built-in demo)',
    database,
    brands: [
      {
        name: 'Acme',
        terms: ['acme', '"acme cloud"'],
        exclude: ['acme brick'],
        require: [],
        languages: [],
        competitor: false,
        handles: { hackernews: ['acme_support'] },
      },
    ],
    sources: [
      // No thread look-ups: the recorded responses hold searches only.
      { kind: 'hackernews', options: { baseUrl, threadLookups: 0 } },
      { kind: 'rss', options: { url: `${baseUrl}${DEMO_ALERT_PATH}`, name: 'Google Alerts: Acme' } },
    ],
    sentiment: { words: {} },
    pull: { since: '3650d', concurrency: 4 },
    // A taste of routing: billing complaints go to the billing desk, first in line.
    rules: [{ name: 'billing', when: { intent: ['complaint'], terms: ['billing', 'invoice', 'charged', 'refund'] }, assign: 'billing-desk', priority: 'high', tag: ['billing'] }],
  }
}

export const DEMO_QUEUES = ['negative', 'unanswered'] as const

export interface DemoOptions {
  /** The SQLite file to pull into (the CLI makes a temporary one unless told). */
  database: string
  /** Default: the shipped fixtures, shifted to `deps.now()`. */
  fixtures?: DemoFixtures
  /** Rows per queue. */
  limit?: number
  /** Called once the replay server listens, before the pull (the CLI says where from). */
  onServer?: (url: string) => void
}

export interface DemoResult {
  /** Where the replay server listened (it is closed by the time this returns). */
  serverUrl: string
  database: string
  pull: PullResult
  queues: { name: (typeof DEMO_QUEUES)[number]; mentions: Mention[] }[]
}

/**
 * Starts the replay server, pulls both demo sources into `database` with the real client,
 * matcher, scorer and store, and reads the queues a triager would look at first. `deps`
 * supplies the clock, the HTTP client, the sources and the lock; config, store and scorer
 * are the demo's own.
 */
export async function runDemo(deps: Deps, opts: DemoOptions): Promise<DemoResult> {
  const fixtures = opts.fixtures ?? shiftDemoFixtures(loadDemoFixtures(), deps.now())
  const server = await startReplayServer(demoRoutes(fixtures))
  let store: Store | undefined
  try {
    opts.onServer?.(server.url)
    const config = demoConfig(server.url, opts.database)
    const scorer = scorerFor(config)
    const demoDeps: Deps = {
      ...deps,
      config: () => config,
      maybeConfig: () => config,
      store: () => (store ??= openStore(opts.database)),
      readStore: () => (store ??= openStore(opts.database)),
      scorer: () => scorer,
    }
    const result = await pull(demoDeps, { sinceMs: parseDuration(config.pull.since) as number })
    const queues: DemoResult['queues'] = []
    for (const name of DEMO_QUEUES) {
      queues.push({ name, mentions: await listQueue(demoDeps, { queue: name, limit: opts.limit ?? 20 }) })
    }
    return { serverUrl: server.url, database: opts.database, pull: result, queues }
  } finally {
    await store?.close()
    await server.close()
  }
}
