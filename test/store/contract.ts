// The store contract: what every engine behind the Store interface must do. An engine's test
// file calls storeContract with a factory for fresh, empty stores of that engine.
import { afterEach, describe, expect, it } from 'vitest'
import { BusyError } from '../../src/errors.js'
import { toView, type Mention } from '../../src/model.js'
import type { MentionRecord, Store } from '../../src/store/index.js'

let n = 0
export function record(over: Partial<MentionRecord> = {}): MentionRecord {
  n++
  return {
    source: 'hackernews',
    externalId: `x${n}`,
    url: `https://news.ycombinator.com/item?id=${n}`,
    text: 'acme is broken',
    createdAt: Date.UTC(2026, 10, 20, 10, n % 60),
    fetchedAt: Date.UTC(2026, 10, 21),
    brands: ['Acme'],
    terms: ['acme'],
    isOwn: false,
    competitor: false,
    answerable: true,
    sentimentLabel: 'negative',
    sentimentScore: -0.5,
    intent: 'complaint',
    priority: 0,
    scorerVersion: 'v1',
    ...over,
  }
}

async function collect<T>(chunks: AsyncIterable<T[]>): Promise<T[]> {
  const out: T[] = []
  for await (const c of chunks) out.push(...c)
  return out
}

export interface ContractOptions {
  /**
   * The pull lock is shared between processes (PostgreSQL: several cron hosts pull at once and
   * split the walks between them); one process still holds it once.
   */
  sharedPullLock?: boolean
}

export function storeContract(engine: string, fresh: () => Promise<Store>, opts: ContractOptions = {}): void {
  describe(`store contract: ${engine}`, () => {
    let store: Store | undefined
    const open = async () => (store = await fresh())
    afterEach(async () => {
      await store?.close()
      store = undefined
    })
    const now = Date.UTC(2026, 11, 1)

    it('upserts idempotently: new, unchanged, updated with merged brands, counted per stored brand', async () => {
      const s = await open()
      const a = record()
      expect(await s.mentions.upsertPage([a])).toEqual({ new: 1, updated: 0, unchanged: 0, byBrand: { Acme: { new: 1, updated: 0 } } })
      expect(await s.mentions.upsertPage([a])).toEqual({ new: 0, updated: 0, unchanged: 1, byBrand: {} })
      const again = await s.mentions.upsertPage([{ ...a, brands: ['Globex'], terms: ['globex'] }])
      expect(again).toMatchObject({ new: 0, updated: 1, byBrand: { Globex: { new: 0, updated: 1 } } })
      const [m] = await s.mentions.queue({ queue: 'all', now })
      expect(m?.brands).toEqual(['Acme', 'Globex'])
      expect(await s.mentions.queue({ queue: 'all', brands: ['globex'], now })).toHaveLength(1)
      expect(await s.mentions.count()).toBe(1)
    })

    it('keeps a page all or nothing', async () => {
      const s = await open()
      const bad = { ...record(), text: null as unknown as string }
      await expect(s.mentions.upsertPage([record(), bad])).rejects.toThrow()
      expect(await s.mentions.count()).toBe(0)
    })

    it('serves the queues with their filters, newest first, never the brand\'s own or competitor-only posts', async () => {
      const s = await open()
      await s.mentions.upsertPage([
        record({ externalId: 'neg', createdAt: 3 }),
        record({ externalId: 'pos', sentimentLabel: 'positive', sentimentScore: 0.5, intent: 'praise', createdAt: 2, fetchedAt: Date.UTC(2026, 10, 22) }),
        record({ externalId: 'feed', source: 'rss', createdAt: 1, brands: ['Globex'] }),
        record({ externalId: 'own', isOwn: true, createdAt: 4 }),
        record({ externalId: 'rival', competitor: true, brands: ['Initech'], createdAt: 5 }),
      ])
      const ids = (ms: Mention[]) => ms.map((m) => m.externalId)
      expect(ids(await s.mentions.queue({ queue: 'negative', now }))).toEqual(['neg', 'feed'])
      expect(ids(await s.mentions.queue({ queue: 'all', now }))).toEqual(['neg', 'pos', 'feed'])
      expect(ids(await s.mentions.queue({ queue: 'all', sources: ['rss'], now }))).toEqual(['feed'])
      expect(ids(await s.mentions.queue({ queue: 'all', sources: ['rss', 'hackernews'], now }))).toEqual(['neg', 'pos', 'feed'])
      expect(ids(await s.mentions.queue({ queue: 'all', brands: ['acme', 'GLOBEX'], now }))).toEqual(['neg', 'pos', 'feed'])
      expect(ids(await s.mentions.queue({ queue: 'all', brands: ['globex'], now }))).toEqual(['feed'])
      expect(ids(await s.mentions.queue({ queue: 'all', limit: 1, now }))).toEqual(['neg'])
      expect(ids(await s.mentions.queue({ queue: 'all', since: 2, until: 2, now }))).toEqual(['pos'])
      expect(ids(await s.mentions.queue({ queue: 'all', newSince: Date.UTC(2026, 10, 21, 12), now }))).toEqual(['pos'])
      expect(ids(await s.mentions.queue({ queue: 'unanswered', sort: 'newest', now }))).toEqual(['neg', 'pos', 'feed'])
      // By priority (its default): the two complaints first, the praise last.
      expect(ids(await s.mentions.queue({ queue: 'unanswered', now }))).toEqual(['neg', 'feed', 'pos'])
      expect(ids(await s.mentions.queue({ queue: 'praise', now }))).toEqual(['pos'])
      expect(ids(await s.mentions.queue({ queue: 'all', sort: 'oldest', now }))).toEqual(['feed', 'pos', 'neg'])
      // Stored and exported all the same.
      expect(ids(await collect(s.mentions.iterate()))).toEqual(['rival', 'own', 'neg', 'pos', 'feed'])
    })

    it('links the brand\'s reply to its parent, whichever is stored first', async () => {
      const s = await open()
      await s.mentions.upsertPage([record({ externalId: 'reply', isOwn: true, parentExternalId: 'q' })])
      await s.mentions.upsertPage([record({ externalId: 'q' })])
      const [q] = await s.mentions.queue({ queue: 'all', now })
      expect(q).toMatchObject({ externalId: 'q', answered: true })
      expect(await s.mentions.queue({ queue: 'unanswered', now })).toEqual([])
    })

    it('keeps one mention for a post two sources found, with every sighting, the richer text and the larger counts', async () => {
      const s = await open()
      const issue = 'https://github.com/acme/cloud/issues/12'
      await s.mentions.upsertPage([record({ source: 'hackernews', externalId: 'hn1', url: 'https://news.ycombinator.com/item?id=1', canonicalUrl: issue, text: 'acme bug', metrics: { likes: 40 } })])
      const second = await s.mentions.upsertPage([record({ source: 'github', externalId: 'acme/cloud#12', url: `${issue}?utm_source=x`, text: 'acme bug: the full report, with steps', metrics: { likes: 3 }, brands: ['Acme', 'Globex'] })])
      expect(second).toMatchObject({ new: 0, updated: 1 })
      expect(await s.mentions.count()).toBe(1)
      const [m] = await s.mentions.queue({ queue: 'all', now })
      expect(m).toMatchObject({ source: 'hackernews', text: 'acme bug: the full report, with steps', likes: 40, brands: ['Acme', 'Globex'] })
      expect((await s.mentions.sightings(m!.id)).map((x) => [x.source, x.externalId])).toEqual([['hackernews', 'hn1'], ['github', 'acme/cloud#12']])
      // Seen again under its second id: still the one mention, nothing new.
      expect(await s.mentions.upsertPage([record({ source: 'github', externalId: 'acme/cloud#12', url: issue, text: 'acme bug' })])).toMatchObject({ new: 0, updated: 0 })
      // The brand's reply on the second source answers the one mention.
      await s.mentions.upsertPage([record({ source: 'github', externalId: 'acme/cloud#12/comment/9', url: `${issue}#c9`, isOwn: true, parentExternalId: 'acme/cloud#12', text: 'fixed' })])
      expect((await s.mentions.get(m!.id))?.answered).toBe(true)
    })

    it('stores a review\'s rating, and its owner response as the brand\'s reply, also when it comes later', async () => {
      const s = await open()
      const review = record({ source: 'trustpilot', externalId: 'r1', rating: 1 })
      await s.mentions.upsertPage([review])
      let [m] = await s.mentions.queue({ queue: 'unanswered', now })
      expect(m?.rating).toBe(1)
      expect(m?.answered).toBe(false)
      const at = Date.UTC(2026, 10, 22)
      expect(await s.mentions.upsertPage([{ ...review, ownerReply: { at, handle: 'Acme Support' } }])).toMatchObject({ updated: 1 })
      expect(await s.mentions.queue({ queue: 'unanswered', now })).toHaveLength(0)
      ;[m] = await s.mentions.queue({ queue: 'all', now })
      expect(m?.answered).toBe(true)
      // Seen again with the same response: nothing changes.
      expect(await s.mentions.upsertPage([{ ...review, ownerReply: { at, handle: 'Acme Support' } }])).toMatchObject({ unchanged: 1 })
    })

    it('keeps full-text search in step with inserts and edits', async () => {
      const s = await open()
      const a = record({ text: 'acme checkout is broken' })
      await s.mentions.upsertPage([a, record({ text: 'acme is lovely' })])
      const found = async (query: string) => (await s.mentions.search({ query, now })).mentions.map((m) => m.text)
      expect(await found('broken')).toEqual(['acme checkout is broken'])
      await s.mentions.upsertPage([{ ...a, text: 'acme checkout is fixed' }])
      expect(await found('broken')).toEqual([])
      expect(await found('fixed')).toEqual(['acme checkout is fixed'])
      expect(await found('acme')).toHaveLength(2)
    })

    it('keeps a budget ledger per source instance and key', async () => {
      const s = await open()
      expect(await s.usage.get('x', 'default', 'reads:2026-12-01')).toBe(0)
      expect(await s.usage.add('x', 'default', 'reads:2026-12-01', 40, now)).toBe(40)
      expect(await s.usage.add('x', 'default', 'reads:2026-12-01', 2, now)).toBe(42)
      expect(await s.usage.get('x', 'default', 'reads:2026-12-01')).toBe(42)
      expect(await s.usage.get('x', 'default', 'reads:2026-12-02')).toBe(0)
      expect(await s.usage.get('x', 'other', 'reads:2026-12-01')).toBe(0)
    })

    it('bulk-loads what page-by-page upserts store, into an empty store and into one with rows', async () => {
      const s = await open()
      const page = (from: number) => Array.from({ length: 6 }, (_, i) => record({ externalId: `bl${from + i}`, createdAt: now - (from + i) * 60_000 }))
      const counts = await s.mentions.bulkLoad(async () => [(await s.mentions.upsertPage(page(0))).new, (await s.mentions.upsertPage(page(6))).new])
      expect(counts).toEqual([6, 6])
      await s.mentions.bulkLoad(async () => s.mentions.upsertPage([...page(6), ...page(12)]))
      const stored = await s.mentions.queue({ queue: 'all', now, sort: 'newest' })
      expect(stored.map((m) => m.externalId)).toEqual(Array.from({ length: 18 }, (_, i) => `bl${i}`))
      expect((await s.mentions.queue({ queue: 'all', now, sort: 'priority', limit: 3 })).length).toBe(3)
    })

    it('says answered is unknown where no reply could have been seen', async () => {
      const s = await open()
      await s.mentions.upsertPage([record({ externalId: 'feed', source: 'rss', answerable: false }), record({ externalId: 'hn' })])
      const byId = new Map((await s.mentions.queue({ queue: 'unanswered', now })).map((m) => [m.externalId, m.answered]))
      expect(byId).toEqual(new Map([['hn', false], ['feed', null]]))
    })

    it('streams every row in chunks across ties in created_at, without repeats or gaps', async () => {
      const s = await open()
      await s.mentions.upsertPage(Array.from({ length: 25 }, (_, i) => record({ externalId: `t${i}`, createdAt: 1000 + Math.floor(i / 4) })))
      const chunks: number[] = []
      const seen: string[] = []
      for await (const c of s.mentions.iterate({}, 7)) {
        chunks.push(c.length)
        seen.push(...c.map((m) => m.externalId))
      }
      expect(chunks).toEqual([7, 7, 7, 4])
      expect(new Set(seen).size).toBe(25)
      const order = (await collect(s.mentions.iterate({}, 7))).map((m) => [m.createdAt, m.id] as const)
      for (let i = 1; i < order.length; i++) {
        const [a, b] = [order[i - 1]!, order[i]!]
        expect(a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])).toBe(true)
      }
    })

    it('builds the same views as iterate + toView: triage, snoozes over and not, tags, replies, nulls', async () => {
      const s = await open()
      await s.mentions.upsertPage([
        record({ externalId: 'plain' }),
        record({ externalId: 'tagged', routing: { tags: ['billing', 'vip'], boost: 0, hits: [{ rule: 'billing', tags: ['billing', 'vip'] }] }, brands: ['Acme', 'Globex'], terms: ['acme', 'globex'], rating: 2, sourceName: 'feed', lang: 'de' }),
        record({ externalId: 'answered', metrics: { likes: 3, reposts: 1, replies: 2, score: 9 }, author: { handle: 'ann', reach: 1200 }, routing: { assignee: 'carol', tags: [], boost: 25, hits: [{ rule: 'vip', assign: 'carol', priority: 'high' }] } }),
        record({ externalId: 'reply', isOwn: true, parentExternalId: 'answered', threadExternalId: 'answered', sentimentLabel: 'positive', sentimentScore: 0.3333333, intent: 'praise' }),
        record({ externalId: 'feed', source: 'rss', answerable: false, title: 'A title', sentimentLabel: 'neutral', sentimentScore: 0 }),
        record({ externalId: 'snoozed-later' }),
        record({ externalId: 'snoozed-over' }),
      ])
      const all = await collect(s.mentions.iterate({ now }))
      const id = (x: string) => all.find((m) => m.externalId === x)!.id
      await s.triage.apply([id('plain')], { kind: 'assign', assignee: 'alice' }, 'bob', now)
      await s.triage.apply([id('snoozed-later')], { kind: 'snooze', until: now + 3_600_000 }, 'bob', now)
      await s.triage.apply([id('snoozed-over')], { kind: 'snooze', until: now - 3_600_000 }, 'bob', now - 7_200_000)
      // Chunks of 1, 3 and 100: an engine may read a first chunk differently from the rest
      // (SQLite reads tags and replies per row at first, from memory after), so each row is
      // seen both ways.
      for (const [at, chunk] of [[now, 3], [undefined, 3], [now, 1], [now, 100]] as const) {
        const f = at === undefined ? {} : { now: at }
        const expected = (await collect(s.mentions.iterate(f, 3))).map(toView)
        const views = await collect(s.mentions.iterateViews(f, chunk))
        expect(views).toEqual(expected)
        expect(views.map((v) => v.state)).toContain('snoozed')
        const by = new Map(views.map((v) => [v.externalId, v]))
        expect(by.get('tagged')).toMatchObject({ tags: ['billing', 'vip'], brands: ['Acme', 'Globex'], rating: 2, sourceName: 'feed' })
        expect(by.get('answered')).toMatchObject({ answered: true, assignee: 'carol', authorReach: 1200, likes: 3 })
        expect(by.get('feed')?.answered).toBeNull()
      }
    })

    it('pins a human label while the score follows the current text; rescoring keeps the label', async () => {
      const s = await open()
      const a = record({ sentimentLabel: 'neutral', sentimentScore: 0 })
      await s.mentions.upsertPage([a])
      const id = (await s.mentions.queue({ queue: 'all', now }))[0]!.id
      expect(await s.mentions.setLabel(id, { sentiment: 'positive' }, 'ana', 1)).toBe(true)
      await s.mentions.upsertPage([{ ...a, text: 'acme is broken again', sentimentLabel: 'negative', sentimentScore: -0.8, scorerVersion: 'v2' }])
      let m = (await s.mentions.get(id))!
      expect(m).toMatchObject({ sentimentLabel: 'positive', sentimentOverridden: true, sentimentScore: -0.8, text: 'acme is broken again' })
      expect(await s.mentions.applyScores('v3', [{ id, label: 'negative', score: -0.9, intent: 'question' }])).toBe(1)
      m = (await s.mentions.get(id))!
      expect(m).toMatchObject({ sentimentLabel: 'positive', sentimentScore: -0.9, intent: 'question', scorerVersion: 'v3' })
      expect(await s.mentions.setLabel(9999, { sentiment: 'positive' }, 'ana', 1)).toBe(false)
      const events = await s.mentions.events(id)
      expect(events).toEqual([expect.objectContaining({ actor: 'ana', action: 'label', detail: { sentiment: { from: 'neutral', to: 'positive' } } })])
    })

    it('lists stale scores in chunks, and all of them on demand', async () => {
      const s = await open()
      await s.mentions.upsertPage([record({ scorerVersion: 'old' }), record({ scorerVersion: 'new' }), record({ scorerVersion: 'old', lang: 'en' })])
      expect((await collect(s.mentions.staleScores('new', false, 1))).length).toBe(2)
      expect((await collect(s.mentions.staleScores('new', true))).length).toBe(3)
      expect((await collect(s.mentions.staleScores('new'))).map((t) => t.lang ?? null)).toEqual([null, 'en'])
    })

    it('rematches: a mention that no longer matches leaves the queues (ignored, with an event), and comes back', async () => {
      const s = await open()
      await s.mentions.upsertPage([record({ externalId: 'a' }), record({ externalId: 'b' })])
      const [a, b] = (await collect(s.mentions.texts())).map((t) => t.id)
      const changed = await s.mentions.applyRematch(
        [{ id: a!, match: null, reason: 'excluded by "crash"' }, { id: b!, match: { brands: ['Acme'], terms: ['acme'], competitor: false }, reason: 'unchanged' }],
        'mentions rematch', 7,
      )
      expect(changed).toBe(1)
      expect((await s.mentions.queue({ queue: 'all', now })).map((m) => m.id)).toEqual([b])
      expect(await s.mentions.count()).toBe(2)
      expect((await s.mentions.get(a!))?.state).toBe('ignored')
      expect((await s.mentions.events(a!))[0]).toMatchObject({ action: 'rematch', detail: { to: null, reason: 'excluded by "crash"' } })
      const texts = await collect(s.mentions.texts())
      expect(texts.find((t) => t.id === a)?.ignoredByRematch).toBe(true)
      await s.mentions.applyRematch([{ id: a!, match: { brands: ['Globex'], terms: ['globex'], competitor: false }, reason: 'matches again' }], 'x', 8)
      const back = (await s.mentions.get(a!))!
      expect(back).toMatchObject({ state: 'open', brands: ['Globex'] })
      expect(await s.mentions.queue({ queue: 'all', brands: ['acme'], now })).toHaveLength(1)
    })

    it('keeps cursors with gaps, parts and validators; a failure keeps the cursor', async () => {
      const s = await open()
      const key = { source: 'rss', instance: 'https://x.example/feed', brand: '' }
      expect(await s.cursors.get(key)).toBeUndefined()
      const cursor = { at: 5, oldest: 1, gap: { from: 2, to: 3 }, parts: { acme: { at: 5, oldest: 1 } }, etag: '"e1"', lastModified: 'Tue, 01 Jan 2026 00:00:00 GMT' }
      await s.cursors.save(key, cursor, 10)
      await s.cursors.recordError(key, 'HTTP 500', 20)
      expect(await s.cursors.get(key)).toEqual(cursor)
      expect((await s.cursors.all())[0]).toMatchObject({ lastOkAt: 10, lastError: 'HTTP 500', lastErrorAt: 20 })
      await s.cursors.save(key, { at: 6 }, 30)
      expect(await s.cursors.get(key)).toEqual({ at: 6 })
      expect((await s.cursors.all())[0]).toMatchObject({ lastOkAt: 30, lastError: null })
    })

    it.skipIf(!opts.sharedPullLock)('holds the pull lock once per process, and marks a run left running interrupted when no pull holds it', async () => {
      const s = await open()
      const me = { pid: 1, host: 'a' }
      await s.runs.acquirePullLock(me, 1, () => true)
      await expect(s.runs.acquirePullLock(me, 2, () => true)).rejects.toBeInstanceOf(BusyError)
      const left = await s.runs.start(2)
      await s.runs.releasePullLock(me)
      await s.runs.acquirePullLock(me, 3, () => true)
      expect(await s.runs.last()).toMatchObject({ id: left, status: 'interrupted' })
      const id = await s.runs.start(4)
      await s.runs.finish(id, 'ok', [], 5)
      expect(await s.runs.last()).toMatchObject({ id, status: 'ok', endedAt: 5 })
      await s.runs.releasePullLock(me)
    })

    it.skipIf(opts.sharedPullLock)('holds one pull lock, takes over a dead holder\'s, and marks its run interrupted', async () => {
      const s = await open()
      const me = { pid: 1, host: 'a' }
      await s.runs.acquirePullLock(me, 1, () => true)
      const stale = await s.runs.start(1)
      await expect(s.runs.acquirePullLock({ pid: 2, host: 'b' }, 2, () => true)).rejects.toBeInstanceOf(BusyError)
      await s.runs.acquirePullLock({ pid: 2, host: 'b' }, 3, () => false)
      expect(await s.runs.last()).toMatchObject({ id: stale, status: 'interrupted' })
      const id = await s.runs.start(4)
      await s.runs.finish(id, 'partial', [{ source: 'rss', instance: 'i', brand: '', fetched: 1, new: 1, updated: 0, dropped: 0, error: 'HTTP 500' }], 5)
      expect(await s.runs.last()).toMatchObject({ id, status: 'partial', endedAt: 5, report: [{ error: 'HTTP 500' }] })
      await s.runs.releasePullLock({ pid: 2, host: 'b' })
      await s.runs.acquirePullLock(me, 6, () => true)
    })
  })
}
