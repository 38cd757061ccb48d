// The inbox end to end over a real SQLite file and a loopback Hacker News: triage verbs and
// their events, snoozes waking by time and by the author, rules at pull and on trial,
// priority order, search, and the response time of a thread the brand answered.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { getMention, listQueue, queuePage, searchMentions } from '../../src/app/queues.js'
import { eventLog, testRules, triage } from '../../src/app/triage.js'
import { UsageError } from '../../src/errors.js'
import type { Brand, Mention } from '../../src/model.js'
import { priorityOf } from '../../src/rules/priority.js'
import type { Rule } from '../../src/rules/rules.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { hackernews: ['acme_support'] } }
const HOUR = 3_600_000

let server: ReplayServer | undefined
let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  await server?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  server = deps = dir = undefined
})

/** A pull of `hits` from a loopback HN; the clock is `clock.now`, movable by the test. */
async function setup(hits: object[], rules: Rule[] = []) {
  server = await startReplayServer([jsonRoute('/api/v1/search_by_date', hnPage(hits))])
  dir = tempDir()
  const clock = { now: Date.now() }
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => clock.now,
    config: { brands: [acme], sources: [{ kind: 'hackernews', options: { baseUrl: server.url, threadLookups: 0 } }], rules },
  })
  const result = await pull(deps)
  expect(result.status).toBe('ok')
  return { deps, clock }
}

const byText = (ms: Mention[], text: string) => ms.find((m) => m.text.includes(text)) as Mention
const ids = (ms: Mention[]) => ms.map((m) => m.id)

describe('triage', () => {
  it('assigns, closes and reopens, one event per change, and a repeat writes nothing', async () => {
    const { deps } = await setup([hnComment('Acme billing charged me twice'), hnComment('Acme login is broken again'), hnComment('I like Acme a lot')])
    const all = await listQueue(deps, { queue: 'all' })
    const [a, b] = [byText(all, 'billing').id, byText(all, 'login').id]

    expect((await triage(deps, [a, b, 999], { kind: 'assign', assignee: 'alice' }, 'lead')).map((r) => [r.id, r.found, r.changed])).toEqual([
      [a, true, true],
      [b, true, true],
      [999, false, false],
    ])
    expect((await triage(deps, [a], { kind: 'assign', assignee: 'alice' }, 'lead'))[0]?.changed).toBe(false)
    expect(ids(await listQueue(deps, { queue: 'assigned', assignees: ['ALICE'] }))).toEqual(expect.arrayContaining([a, b]))
    expect(ids(await listQueue(deps, { queue: 'all', assignees: [''] }))).toEqual([byText(all, 'like').id])

    await triage(deps, [a], { kind: 'state', state: 'done' }, 'alice')
    expect(ids(await listQueue(deps, { queue: 'all' }))).not.toContain(a)
    expect(ids(await listQueue(deps, { queue: 'all', states: ['done'] }))).toEqual([a])
    await triage(deps, [a], { kind: 'state', state: 'open' }, 'alice')
    await triage(deps, [a], { kind: 'note', text: 'refund sent' }, 'alice')
    await triage(deps, [b], { kind: 'unassign' }, 'lead')

    const log = await eventLog(deps, { mentionId: a })
    expect(log.map((e) => [e.actor, e.action, e.detail])).toEqual([
      ['lead', 'assign', { from: null, to: 'alice' }],
      ['alice', 'state', { from: 'open', to: 'done' }],
      ['alice', 'state', { from: 'done', to: 'open' }],
      ['alice', 'note', { text: 'refund sent' }],
    ])
    expect((await eventLog(deps, {})).length).toBe(6)
    const shown = await getMention(deps, a)
    expect(shown?.events).toHaveLength(4)
    expect(shown?.mention.assignee).toBe('alice')
  })

  it('brings a snoozed mention back when the time is up, or at once when its author writes again', async () => {
    const t = Date.now() - 2 * HOUR
    const hits = [hnComment('Acme, my order never arrived', { createdAt: t, author: 'carol', id: '501' }), hnComment('Acme export is slow', { createdAt: t, author: 'dave', id: '502' })]
    const { deps, clock } = await setup(hits)
    const all = await listQueue(deps, { queue: 'all' })
    const [carol, dave] = [byText(all, 'order').id, byText(all, 'export').id]
    await triage(deps, [carol, dave], { kind: 'snooze', until: clock.now + 24 * HOUR }, 'lead')
    expect(await listQueue(deps, { queue: 'all' })).toEqual([])
    expect(ids(await listQueue(deps, { queue: 'all', states: ['snoozed'] }))).toEqual(expect.arrayContaining([carol, dave]))

    // Carol writes again in the same thread (a reply to her own comment): she is back now.
    const followUp = hnComment('still nothing, Acme?', { createdAt: Date.now() - HOUR, author: 'carol', id: '503', parentId: 501 })
    await server?.close()
    server = await startReplayServer([jsonRoute('/api/v1/search_by_date', hnPage([...hits, followUp]))])
    deps.config().sources[0]!.options.baseUrl = server.url
    await pull(deps)
    expect(ids(await listQueue(deps, { queue: 'all', sort: 'oldest' }))).toContain(carol)
    expect(ids(await listQueue(deps, { queue: 'all' }))).not.toContain(dave)
    expect((await eventLog(deps, { mentionId: carol })).at(-1)?.detail).toMatchObject({ from: 'snoozed', to: 'open', reason: 'the author wrote again' })

    // A day later Dave's snooze has run out by itself.
    clock.now += 25 * HOUR
    expect(ids(await listQueue(deps, { queue: 'all' }))).toContain(dave)
    expect((await getMention(deps, dave))?.mention.state).toBe('open')
  })

  it('refuses a snooze in the past and an empty note', async () => {
    const { deps, clock } = await setup([hnComment('Acme is down')])
    const [m] = await listQueue(deps, { queue: 'all' })
    await expect(triage(deps, [m!.id], { kind: 'snooze', until: clock.now - 1 }, 'x')).rejects.toThrow(UsageError)
    await expect(triage(deps, [m!.id], { kind: 'note', text: '  ' }, 'x')).rejects.toThrow(UsageError)
  })

  it('records a reply made elsewhere: the mention leaves the unanswered queue, once', async () => {
    const { deps } = await setup([hnComment('Acme called me back? no.')])
    const [m] = await listQueue(deps, { queue: 'unanswered' })
    expect((await triage(deps, [m!.id], { kind: 'answered', url: 'https://x.com/acme/status/1' }, 'bob'))[0]?.changed).toBe(true)
    expect(await listQueue(deps, { queue: 'unanswered' })).toEqual([])
    expect((await triage(deps, [m!.id], { kind: 'answered' }, 'bob'))[0]?.changed).toBe(false)
    const detail = await getMention(deps, m!.id)
    expect(detail?.mention.answered).toBe(true)
    expect(detail?.brandReplies).toEqual([expect.objectContaining({ kind: 'manual', handle: 'bob', url: 'https://x.com/acme/status/1' })])
  })
})

describe('a thread the brand answered', () => {
  it('ends answered, with its reply time, and leaves the unanswered queue', async () => {
    const asked = Date.now() - 5 * HOUR
    const { deps } = await setup([
      hnComment('Acme: my invoice is wrong', { createdAt: asked, id: '601', author: 'erin' }),
      hnComment('Sorry Erin, fixed and refunded', { createdAt: asked + 90 * 60_000, id: '602', author: 'acme_support', parentId: 601 }),
    ])
    expect(await listQueue(deps, { queue: 'unanswered' })).toEqual([])
    const [m] = await listQueue(deps, { queue: 'all' })
    const detail = await getMention(deps, m!.id)
    expect(detail?.mention.answered).toBe(true)
    expect(detail?.brandReplies).toEqual([expect.objectContaining({ kind: 'reply', handle: 'acme_support' })])
    expect((detail?.brandReplies[0]?.at ?? 0) - m!.createdAt).toBe(90 * 60_000)
    expect(detail?.thread.replies.map((r) => r.authorHandle)).toEqual(['acme_support'])
    expect(detail?.priority.parts.find((p) => p.factor === 'answered')?.points).toBeLessThan(0)
  })
})

describe('routing rules', () => {
  const rules: Rule[] = [
    { name: 'billing', when: { intent: ['complaint'], terms: ['"charged twice"', 'refund'] }, assign: 'billing-desk', priority: 'high', tag: ['billing'] },
    { name: 'big-accounts', when: { minReach: 10_000 }, tag: ['vip'] },
  ]

  it('act on new mentions at pull time, in order, with events; rules test changes nothing', async () => {
    const { deps } = await setup([hnComment('Acme charged twice and no refund, awful'), hnComment('Acme works fine for me')], rules)
    const all = await listQueue(deps, { queue: 'all' })
    const billing = byText(all, 'charged')
    expect(billing).toMatchObject({ assignee: 'billing-desk', tags: ['billing'], boost: 25 })
    expect(byText(all, 'fine')).toMatchObject({ assignee: null, tags: [] })
    expect(ids(await listQueue(deps, { queue: 'all', tags: ['billing'] }))).toEqual([billing.id])
    expect((await eventLog(deps, { mentionId: billing.id })).map((e) => [e.actor, e.action, e.detail])).toEqual([
      ['rules', 'rule', { rule: 'billing', assign: 'billing-desk', priority: 'high', tags: ['billing'] }],
    ])

    // A second pull of the same items routes nothing again.
    await pull(deps)
    expect(await eventLog(deps, {})).toHaveLength(1)

    // Trying a changed plan on stored mentions writes nothing.
    const before = fs.readFileSync(path.join(dir as string, 'm.db'))
    deps.config().rules = [{ name: 'all-complaints', when: { intent: ['complaint'] }, assign: 'carl', tag: ['triage'] }]
    const trials = await testRules(deps, {})
    expect(trials.map((t) => [t.mention.id, t.outcome.hits.map((h) => h.rule), t.wouldAssign, t.wouldTag])).toEqual([[billing.id, ['all-complaints'], null, ['triage']]])
    expect(fs.readFileSync(path.join(dir as string, 'm.db')).equals(before)).toBe(true)
  })
})

describe('priority', () => {
  it('orders the queue exactly as the breakdown explains it', async () => {
    const now = Date.now()
    const { deps } = await setup([
      hnComment('Acme is terrible, lost my data, furious', { createdAt: now - 3 * HOUR }),
      hnComment('How do I export from Acme?', { createdAt: now - HOUR }),
      hnComment('Acme changelog is out', { createdAt: now - 2 * HOUR }),
      hnComment('Acme is awful and broken', { createdAt: now - 6 * 24 * HOUR }),
      hnComment('Thanks Acme, great release', { createdAt: now - 30 * 60_000 }),
    ])
    const page = await queuePage(deps, { queue: 'all', sort: 'priority' })
    const scores = page.mentions.map((m) => priorityOf(m, deps.now()).score)
    expect(scores).toEqual([...scores].sort((x, y) => y - x))
    expect(page.mentions.map((m) => m.priority)).toEqual(scores)
    // Fresh anger first; the week-old complaint has lost some of its urgency to age.
    expect(page.mentions[0]?.text).toContain('furious')
    const unanswered = await listQueue(deps, { queue: 'unanswered' })
    expect(unanswered[0]?.text).toContain('furious')
    // The limit says what it left out.
    expect((await queuePage(deps, { queue: 'all', limit: 2, countMore: true })).more).toBe(3)
    expect((await queuePage(deps, { queue: 'all', limit: 2 })).more).toBe(0)
  })
})

describe('search', () => {
  it('finds phrases, prefixes and boolean queries, honours the filters, and follows edits', async () => {
    const { deps } = await setup([
      hnComment('Acme lost luggage again at the airport'),
      hnComment('Acme luggage tags are nice'),
      hnComment('Acme login errors all morning'),
    ])
    const texts = async (query: string, more: object = {}) => (await searchMentions(deps, { query, ...more })).mentions.map((m) => m.text).sort()
    expect(await texts('"lost luggage"')).toEqual(['Acme lost luggage again at the airport'])
    expect(await texts('log*')).toEqual(['Acme login errors all morning'])
    expect(await texts('luggage NOT lost')).toEqual(['Acme luggage tags are nice'])
    expect(await texts('luggage OR login')).toHaveLength(3)
    expect(await texts('luggage', { sentiments: ['negative'] })).toEqual(['Acme lost luggage again at the airport'])
    expect(await texts('luggage', { sources: ['rss'] })).toEqual([])
    await expect(searchMentions(deps, { query: '"unbalanced' })).rejects.toThrow(UsageError)
  })
})
