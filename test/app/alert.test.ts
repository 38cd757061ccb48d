// `mentions alert` over a real SQLite file and a loopback webhook, with an injected clock:
// each item or spike is sent once, a failed one goes with the next run, --per-item posts one
// object per entry, and a dry run records nothing.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import { alertChannel, sendAlerts, type AlertQuery } from '../../src/app/alert.js'
import type { Brand } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import type { MentionRecord } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { useReplayServers, type ReplayRoute, type ReplayServer } from '../support/replay.js'

const serve = useReplayServers()
const HOOK = '/services/T1/B2/sEcReTpArT'
const DAY = 86_400_000
const NOW = Date.UTC(2026, 11, 2, 12)
const TODAY = Date.UTC(2026, 11, 2)

const brand = (name: string): Brand => ({ name, terms: [name.toLowerCase()], exclude: [], require: [], languages: [], competitor: false, handles: {} })

let dir: string
let deps: TestDeps
let clock = NOW
const http = createHttp({ userAgent: 'mentions-test', timeoutMs: 2000, retries: 0 })
const sleeps: number[] = []

beforeEach(() => {
  dir = tempDir('mentions-alert-')
  clock = NOW
  sleeps.length = 0
  deps = testDeps({ dbFile: path.join(dir, 'm.db'), now: () => clock, config: { brands: [brand('Acme')], sources: [] } })
})
afterAll(async () => http.close())
afterEach(async () => {
  await deps.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** A fresh negative complaint (priority 40, over the default threshold), first seen an hour ago. */
const hot = (id: string, over: Partial<MentionRecord> = {}) =>
  record({ externalId: id, text: `acme lost my data (${id})`, createdAt: NOW - 2 * 3600_000, fetchedAt: NOW - 3600_000, ...over })
/** Neutral chatter: priority 0, never alerted. */
const cold = (id: string) => hot(id, { sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other' })

async function seed(rows: MentionRecord[]): Promise<void> {
  await deps.store().mentions.upsertPage(rows)
}

const ok = (extras: Partial<ReplayRoute> = {}): ReplayRoute => ({ path: HOOK, method: 'POST', status: 200, body: 'ok', ...extras })

function query(server: ReplayServer, over: Partial<AlertQuery> = {}): AlertQuery {
  return {
    webhook: { url: `${server.url}${HOOK}`, http, options: { retries: 0, sleep: async (ms) => void sleeps.push(ms) } },
    ...over,
  }
}

const bodies = (server: ReplayServer) => server.requests.map((r) => JSON.parse(r.body) as Record<string, unknown>)

describe('sendAlerts', () => {
  it('sends new high-priority open items once, in one Slack message, and nothing on the next run', async () => {
    await seed([hot('a'), hot('b', { author: { handle: 'big', reach: 5000 } }), cold('c'), hot('old', { fetchedAt: NOW - 3 * DAY })])
    const server = await serve([ok()])
    const first = await sendAlerts(deps, query(server))
    expect(first.failures).toEqual([])
    expect(first.sent.map((e) => (e.type === 'mention' ? e.mention.externalId : e.key))).toEqual(['b', 'a'])
    expect(server.requests).toHaveLength(1)
    const [message] = bodies(server)
    expect(message!.text).toMatch(/2 high-priority mentions/)
    expect(JSON.stringify(message!.blocks)).toContain('acme lost my data (b)')

    const second = await sendAlerts(deps, query(server))
    expect(second.sent).toEqual([])
    expect(second.alreadySent).toBe(2)
    expect(server.requests).toHaveLength(1)

    // A new one later: only it goes.
    await seed([hot('d', { fetchedAt: NOW + 60_000 })])
    clock = NOW + 120_000
    const third = await sendAlerts(deps, query(server))
    expect(third.sent.map((e) => e.key)).toHaveLength(1)
    expect(JSON.stringify(bodies(server)[1])).toContain('(d)')
  })

  it('remembers sends per webhook: another webhook gets them too; the store never holds the URL', async () => {
    await seed([hot('a')])
    const server = await serve([ok(), { ...ok(), path: '/other' }])
    await sendAlerts(deps, query(server))
    const other = await sendAlerts(deps, { webhook: { url: `${server.url}/other`, http, options: { retries: 0 } } })
    expect(other.sent).toHaveLength(1)
    await deps.close()
    const bytes = fs.readFileSync(path.join(dir, 'm.db'), 'latin1') + (fs.existsSync(path.join(dir, 'm.db-wal')) ? fs.readFileSync(path.join(dir, 'm.db-wal'), 'latin1') : '')
    expect(bytes).not.toContain('sEcReTpArT')
    expect(bytes).toContain(alertChannel(`${server.url}${HOOK}`))
  })

  it('honours --min-priority and --brand', async () => {
    await seed([hot('a'), hot('g', { brands: ['Globex'], terms: ['globex'] })])
    const server = await serve([ok()])
    deps = testDeps({ dbFile: path.join(dir, 'm.db'), now: () => clock, config: { brands: [brand('Acme'), brand('Globex')], sources: [] } })
    const high = await sendAlerts(deps, query(server, { minPriority: 41, dryRun: true }))
    expect(high.sent).toEqual([])
    const acme = await sendAlerts(deps, query(server, { brands: ['Acme'] }))
    expect(acme.sent.map((e) => (e.type === 'mention' ? e.mention.externalId : ''))).toEqual(['a'])
  })

  it('records nothing when the POST fails, and sends the items with the next run', async () => {
    await seed([hot('a'), hot('b')])
    const server = await serve([{ ...ok(), status: 500, body: 'down', times: 1 }, ok()])
    const failed = await sendAlerts(deps, query(server))
    expect(failed.sent).toEqual([])
    expect(failed.unsent).toBe(2)
    expect(failed.failures).toEqual([{ keys: expect.any(Array), status: 500, message: `webhook ${new URL(server.url).host} answered 500 (down) after 1 try` }])
    const retry = await sendAlerts(deps, query(server))
    expect(retry.sent).toHaveLength(2)
    expect(retry.failures).toEqual([])
    expect(server.requests).toHaveLength(2)
  })

  it('--per-item posts one stable JSON object per item, each remembered as soon as it is sent', async () => {
    await seed([hot('a'), hot('b'), hot('c', { author: { handle: 'mid', reach: 100 } })])
    // The second POST fails: the first stays sent, the host is given up on for this run.
    const server = await serve([ok({ times: 1 }), { ...ok(), status: 503, body: '', times: 1 }, ok()])
    const partial = await sendAlerts(deps, query(server, { perItem: true }))
    expect(partial.sent).toHaveLength(1)
    expect(partial.unsent).toBe(2)
    expect(server.requests).toHaveLength(2)
    const [first] = bodies(server)
    expect(Object.keys(first!).sort()).toEqual(
      ['answered', 'assignee', 'author', 'brand', 'brands', 'createdAt', 'firstSeenAt', 'id', 'intent', 'key', 'priority', 'sentiment', 'sentimentScore', 'source', 'tags', 'text', 'title', 'type', 'url'].sort(),
    )
    expect(first).toMatchObject({ type: 'mention', brand: 'Acme', source: 'hackernews', sentiment: 'negative', intent: 'complaint', text: 'acme lost my data (c)', firstSeenAt: new Date(NOW - 3600_000).toISOString() })
    expect(first!.key).toBe(`mention:${first!.id}`)

    const rest = await sendAlerts(deps, query(server, { perItem: true }))
    expect(rest.sent).toHaveLength(2)
    expect(server.requests).toHaveLength(4)
    const texts = bodies(server).map((b) => b.text)
    expect(texts.slice(2).sort()).toEqual(['acme lost my data (a)', 'acme lost my data (b)'])
    expect((await sendAlerts(deps, query(server, { perItem: true }))).sent).toEqual([])
    expect(server.requests).toHaveLength(4)
  })

  it('--per-item goes on past a body the receiver refused (a 4xx), and tries it again next run', async () => {
    await seed([hot('a'), hot('b')])
    const server = await serve([{ ...ok(), status: 422, body: 'bad', times: 1 }, ok()])
    const r = await sendAlerts(deps, query(server, { perItem: true }))
    expect([r.sent.length, r.unsent, r.failures.length]).toEqual([1, 1, 1])
    expect((await sendAlerts(deps, query(server, { perItem: true }))).sent).toHaveLength(1)
  })

  it('a dry run builds the bodies and sends or records nothing', async () => {
    await seed([hot('a')])
    const server = await serve([ok()])
    const dry = await sendAlerts(deps, query(server, { dryRun: true }))
    expect(dry.sent).toHaveLength(1)
    expect(dry.payloads).toHaveLength(1)
    expect(server.requests).toHaveLength(0)
    expect((await sendAlerts(deps, query(server))).sent).toHaveLength(1)
  })

  it('sends an active spike once, keyed by brand, kind and bucket', async () => {
    // Four weeks of about 10 a day, then 40 today: a volume spike in today's bucket.
    const rows: MentionRecord[] = []
    for (let n = 28; n >= 1; n--) {
      for (let j = 0; j < 10 + (n % 3); j++) rows.push(cold(`d${n}-${j}`))
    }
    const history = rows.map((r, i) => ({ ...r, createdAt: TODAY - Math.ceil((i + 1) / 11) * DAY + 3600_000 + (i % 11) * 60_000, fetchedAt: NOW - 30 * DAY }))
    const today = Array.from({ length: 40 }, (_, j) => cold(`t${j}`)).map((r, j) => ({ ...r, createdAt: TODAY + 3600_000 + j * 60_000, fetchedAt: TODAY + 4 * 3600_000 }))
    await seed([...history, ...today])
    const server = await serve([ok()])
    const first = await sendAlerts(deps, query(server))
    const spikes = first.sent.filter((e) => e.type === 'spike')
    expect(spikes).toHaveLength(1)
    expect(spikes[0]!.key).toBe(`Acme|volume|${new Date(TODAY).toISOString()}|${new Date(TODAY + DAY).toISOString()}`)
    expect(JSON.stringify(bodies(server)[0])).toContain('Spike')
    expect((await sendAlerts(deps, query(server))).sent).toEqual([])
  })

  it('keeps Slack under its block limit and leaves the rest for the next run', async () => {
    await seed(Array.from({ length: 60 }, (_, i) => hot(`m${i}`)))
    const server = await serve([ok()])
    const first = await sendAlerts(deps, query(server))
    const [message] = bodies(server)
    expect((message!.blocks as unknown[]).length).toBeLessThanOrEqual(50)
    expect(first.deferred).toBe(60 - first.sent.length)
    expect(JSON.stringify(message)).toContain(`and ${first.deferred} more`)
    const second = await sendAlerts(deps, query(server))
    expect(second.sent).toHaveLength(first.deferred)
  })
})
