// The PostgreSQL mentions reads against the SQLite engine's: varied data built with the SQLite
// store (triage, replies, routing tags, snoozes, own and competitor posts, ratings, merged
// sightings), copied row for row into PostgreSQL, then every read method asked the same
// questions on both and the answers compared whole.
//
// The queues walk the partial indexes (EXPLAIN on 200k rows, not asserted): a negative queue
// newest first with a limit is "Index Scan using mentions_negative" under a Nested Loop Anti
// Join on triage, the all queue "Index Scan using mentions_created", the probe of a priority
// queue "Index Scan using mentions_priority" and its bounded pass a Bitmap Index Scan on it;
// search uses "Bitmap Index Scan on mentions_fts" or walks mentions_created for a newest page.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../../src/errors.js'
import type { Mention, QueueName, QueueSort } from '../../../src/model.js'
import { openStore, type Store } from '../../../src/store/index.js'
import { mentionsRead, type MentionsRead } from '../../../src/store/postgres/mentions-read.js'
import { openPg, type Pg } from '../../../src/store/postgres/open.js'
import type { ListFilter, MentionRecord } from '../../../src/store/types.js'
import { record } from '../contract.js'
import { copySqliteIntoPg } from '../../support/pg-from-sqlite.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../../support/pg.js'
import { seededRandom } from '../../support/random.js'
import { foldWords } from '../../../src/store/postgres/fts-fold.js'

const DAY = 86_400_000
const BASE = Date.UTC(2026, 10, 1)
const NOWS = [Date.UTC(2026, 10, 18), Date.UTC(2026, 10, 25), Date.UTC(2026, 11, 20)]
const WORDS = ['acme', 'broken', 'café', 'cafe', 'naïve', 'invoice', 'refund', 'support', 'slow', 'great', 'love', 'résumé', 'foo-bar', 'billing', 'ÉCOLE', 'login', 'is', 'the']

async function collect<T>(chunks: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = []
  for await (const c of chunks) out.push(c)
  return out
}

function dataset(): MentionRecord[] {
  const rnd = seededRandom(15)
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
  const out: MentionRecord[] = []
  for (let i = 0; i < 160; i++) {
    const source = pick(['hackernews', 'rss', 'reddit'])
    const label = pick(['negative', 'neutral', 'positive'] as const)
    const words = Array.from({ length: 3 + Math.floor(rnd() * 8) }, () => pick(WORDS))
    const brand = pick([['Acme'], ['Globex'], ['ACME', 'Globex'], ['Initech']])
    const own = rnd() < 0.1
    const parent = i > 5 && rnd() < 0.25 ? out[Math.floor(rnd() * i)] : undefined
    const tagged = rnd() < 0.2
    out.push(record({
      source,
      externalId: `e${i}`,
      url: `https://example.com/${source}/${i}`,
      // A few share a canonical link with an earlier post: merged, seen twice.
      ...(i > 10 && i % 23 === 0 ? { canonicalUrl: `https://example.com/story/${i - 7}`, url: `https://example.com/story/${i - 7}` } : {}),
      ...(i % 23 === 16 ? { url: `https://example.com/story/${i}` } : {}),
      ...(rnd() < 0.4 ? { title: `${pick(WORDS)} ${pick(WORDS)}` } : {}),
      text: words.join(' '),
      // Ties on created_at: the id breaks them.
      createdAt: BASE + Math.floor(rnd() * 20) * DAY + (rnd() < 0.3 ? 0 : Math.floor(rnd() * DAY)),
      fetchedAt: BASE + Math.floor(rnd() * 25) * DAY,
      brands: brand,
      terms: brand.map((b) => b.toLowerCase()),
      isOwn: own,
      competitor: !own && brand[0] === 'Initech',
      answerable: rnd() < 0.8,
      sentimentLabel: label,
      sentimentScore: label === 'negative' ? -rnd() : label === 'positive' ? rnd() : 0,
      intent: pick(['complaint', 'question', 'praise', 'other'] as const),
      scorerVersion: rnd() < 0.5 ? 'v1' : 'v2',
      ...(rnd() < 0.7 ? { author: { handle: own ? 'acme_team' : `user${Math.floor(rnd() * 30)}`, reach: Math.floor(rnd() * 50_000) } } : {}),
      ...(rnd() < 0.6 ? { metrics: { likes: Math.floor(rnd() * 300), replies: Math.floor(rnd() * 20) } } : {}),
      ...(source === 'reddit' && rnd() < 0.5 ? { rating: 1 + Math.floor(rnd() * 5) } : {}),
      ...(rnd() < 0.3 ? { lang: pick(['en', 'fr']) } : {}),
      ...(parent && parent.source === source ? { parentExternalId: parent.externalId } : {}),
      ...(tagged
        ? { routing: { tags: pick([['billing'], ['Urgent', 'billing'], ['vip', 'Zeta', 'alpha']]), boost: pick([0, 25, -15]), ...(rnd() < 0.5 ? { assignee: 'Ana' } : {}), hits: [{ rule: 'r1', tags: ['billing'] }] } }
        : {}),
    }))
  }
  return out
}

async function triage(store: Store): Promise<void> {
  const rnd = seededRandom(16)
  const at = Date.UTC(2026, 10, 21)
  for (let id = 1; id <= 160; id++) {
    const r = rnd()
    if (r < 0.1) await store.triage.apply([id], { kind: 'assign', assignee: rnd() < 0.5 ? 'ana' : 'Bob' }, 'me', at)
    else if (r < 0.18) await store.triage.apply([id], { kind: 'state', state: 'done' }, 'me', at)
    else if (r < 0.24) await store.triage.apply([id], { kind: 'state', state: 'ignored' }, 'me', at)
    // Snoozes that run out before, between and after the times asked at.
    else if (r < 0.36) await store.triage.apply([id], { kind: 'snooze', until: NOWS[0]! + Math.floor(rnd() * 40) * DAY }, 'me', at)
    else if (r < 0.42) await store.triage.apply([id], { kind: 'answered', url: `https://example.com/reply/${id}` }, 'me', at + id)
    if (rnd() < 0.1) await store.triage.apply([id], { kind: 'note', text: `note ${id}` }, 'me', at + 1)
  }
}

describe.skipIf(pgSkip)('PostgreSQL mentions reads equal SQLite\'s', () => {
  let sqlite: Store
  let pg: Pg
  let repo: MentionsRead

  beforeAll(async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pg-read-')), 'm.db')
    sqlite = openStore(file)
    const records = dataset()
    for (let i = 0; i < records.length; i += 40) await sqlite.mentions.upsertPage(records.slice(i, i + 40))
    // A phrase across title and text: FTS5 keeps the columns apart.
    await sqlite.mentions.upsertPage([record({ externalId: 'cols', title: 'Zebra crossing', text: 'yonder hills', createdAt: BASE })])
    await triage(sqlite)
    pg = openPg(await freshPgUrl())
    await copySqliteIntoPg(file, pg)
    repo = mentionsRead(pg)
  }, 60_000)

  afterAll(async () => {
    await sqlite?.close()
    await pg?.pool.end()
    await dropPgDatabases()
  })

  it('has the data the comparisons need', async () => {
    expect(await repo.count()).toBe(await sqlite.mentions.count())
    const all = (await collect(sqlite.mentions.iterate({ now: NOWS[1] }))).flat()
    expect(all.filter((m) => m.isOwn).length).toBeGreaterThan(3)
    expect(all.filter((m) => m.competitor).length).toBeGreaterThan(3)
    expect(all.filter((m) => m.tags.length > 1).length).toBeGreaterThan(2)
    expect(all.filter((m) => m.answered === true).length).toBeGreaterThan(3)
    expect(all.filter((m) => m.answered === null).length).toBeGreaterThan(3)
    expect(all.filter((m) => m.state === 'snoozed').length).toBeGreaterThan(3)
    expect(all.filter((m) => m.rating !== null).length).toBeGreaterThan(3)
    const sightings = await Promise.all(all.map((m) => sqlite.mentions.sightings(m.id)))
    expect(sightings.filter((s) => s.length > 1).length).toBeGreaterThan(0)
  })

  const filters: ListFilter[] = [
    {},
    { sources: ['rss', 'reddit'] },
    { brands: ['acme'] },
    { brands: ['GLOBEX', 'initech'] },
    { since: BASE + 5 * DAY, until: BASE + 15 * DAY },
    { newSince: BASE + 10 * DAY },
    { states: ['snoozed'] },
    { states: ['open', 'done'] },
    { states: ['ignored'] },
    { assignees: ['ANA'] },
    { assignees: ['', 'bob'] },
    { intents: ['complaint', 'question'] },
    { sentiments: ['positive'] },
    { olderThan: BASE + 8 * DAY },
    { minReach: 20_000 },
    { answered: ['yes'] },
    { answered: ['no', 'unknown'] },
    { tags: ['BILLING'] },
    { tags: ['zeta'], states: ['open', 'snoozed', 'done', 'ignored'] },
  ]
  const queues: QueueName[] = ['all', 'negative', 'unanswered', 'praise', 'assigned']
  const sorts: (QueueSort | undefined)[] = [undefined, 'newest', 'oldest', 'priority']

  it('serves every queue, sort, limit and filter identically, with the same counts of more', async () => {
    let compared = 0
    let nonEmpty = 0
    for (const now of NOWS) {
      for (const queue of queues) {
        for (const sort of sorts) {
          for (const limit of [undefined, 1, 25]) {
            for (const f of filters) {
              const q = { ...f, queue, now, countMore: true, ...(sort ? { sort } : {}), ...(limit !== undefined ? { limit } : {}) }
              const want = await sqlite.mentions.queuePage(q)
              expect(await repo.queuePage(q), JSON.stringify(q)).toEqual(want)
              compared++
              if (want.mentions.length) nonEmpty++
            }
          }
        }
      }
    }
    const q = { queue: 'negative' as const, now: NOWS[1]!, limit: 6 }
    expect(await repo.queue(q)).toEqual(await sqlite.mentions.queue(q))
    expect(nonEmpty).toBeGreaterThan(compared / 2)
  }, 120_000)

  it('cuts a priority queue by the limit with a floor, and counts what it cut', async () => {
    const q = { queue: 'all' as const, sort: 'priority' as const, now: NOWS[1]!, limit: 10, countMore: true }
    const page = await repo.queuePage(q)
    expect(page.mentions).toHaveLength(10)
    expect(page.more).toBeGreaterThan(0)
    // Priorities descend: the floor never let a better row out.
    const full = await repo.queue({ queue: 'all', sort: 'priority', now: NOWS[1]! })
    expect(page.mentions.map((m) => m.id)).toEqual(full.slice(0, 10).map((m) => m.id))
    expect(page.more).toBe(full.length - 10)
  })

  const queriesNewest = ['acme', 'café', 'cafe', 'CAFE', 'naive', 'resume', 'ecole', 'bro*', 'caf*', '"is broken"', '"foo bar"', '"foo-bar"', 'foo_bar', 'acme NOT broken', 'refund OR invoice',
    '(refund OR invoice) AND slow', 'love great', 'acme AND "-"', 'b "-"', 'support NOT (slow OR broken)', 'the + acme', 'nothingmatches',
    '"crossing yonder"', 'crossing yonder', '"zebra crossing"', '"yonder hills"']

  it('searches the same rows in newest and oldest order, with the same counts', async () => {
    let hits = 0
    for (const query of queriesNewest) {
      for (const sort of ['newest', 'oldest'] as const) {
        for (const f of [{}, { brands: ['acme'] }, { states: ['open' as const] }, { tags: ['billing'] }]) {
          for (const limit of [undefined, 4]) {
            const q = { ...f, query, sort, now: NOWS[1]!, countMore: true, ...(limit !== undefined ? { limit } : {}) }
            const want = await sqlite.mentions.search(q)
            expect(await repo.search(q), JSON.stringify(q)).toEqual(want)
            hits += want.mentions.length
          }
        }
      }
    }
    expect(hits).toBeGreaterThan(100)
    expect((await repo.search({ query: 'crossing yonder', now: NOWS[1]! })).mentions).toHaveLength(1)
    expect((await repo.search({ query: '"crossing yonder"', now: NOWS[1]! })).mentions).toHaveLength(0)
    // Diacritics fold both ways: "café" finds the plain "cafe" and the other way round.
    const cafe = await repo.search({ query: 'café', now: NOWS[1]!, sort: 'newest' })
    expect(cafe.mentions.some((m) => / cafe( |$)|^cafe /.test(`${m.title ?? ''} ${m.text}`))).toBe(true)
    expect(cafe.mentions.some((m) => /café/.test(`${m.title ?? ''} ${m.text}`))).toBe(true)
  })

  it('finds the same rows by relevance (the order is ts_rank\'s, not bm25\'s)', async () => {
    for (const query of ['acme', 'refund OR invoice', 'bro*']) {
      const ids = (ms: Mention[]) => ms.map((m) => m.id).sort((a, b) => a - b)
      const want = await sqlite.mentions.search({ query, now: NOWS[1]! })
      const got = await repo.search({ query, now: NOWS[1]! })
      expect(ids(got.mentions)).toEqual(ids(want.mentions))
    }
  })

  it('refuses a query it cannot read with SQLite\'s usage error', async () => {
    for (const query of ['acme AND', '"unterminated', 'foo.bar', '(a OR b', 'NOT acme']) {
      const sqliteErr = await sqlite.mentions.search({ query, now: NOWS[1]! }).catch((e: unknown) => e)
      const pgErr = await repo.search({ query, now: NOWS[1]! }).catch((e: unknown) => e)
      expect(sqliteErr).toBeInstanceOf(UsageError)
      expect(pgErr).toBeInstanceOf(UsageError)
      expect((pgErr as Error).message).toContain(`cannot read the search query ${JSON.stringify(query)} (`)
      expect((pgErr as Error).message).toContain('put phrases in "double quotes", use AND, OR, NOT and prefix*')
    }
    // What tsquery cannot say is refused the same way, naming it (SQLite runs these).
    await expect(repo.search({ query: 'NEAR(acme broken)', now: NOWS[1]! })).rejects.toThrow(/NEAR\(…\) is not supported on PostgreSQL/)
    await expect(repo.search({ query: 'title:acme', now: NOWS[1]! })).rejects.toBeInstanceOf(UsageError)
  })

  it('iterates the same chunks newest first', async () => {
    for (const f of [{}, { now: NOWS[0] }, { brands: ['acme'], now: NOWS[2] }, { states: ['snoozed' as const], now: NOWS[1] }, { tags: ['billing'] }]) {
      for (const chunk of [undefined, 7]) {
        expect(await collect(repo.iterate(f, chunk)), JSON.stringify(f)).toEqual(await collect(sqlite.mentions.iterate(f, chunk)))
      }
    }
  })

  it('answers get, getMany, thread, brandReplies, events and sightings alike for every mention', async () => {
    const ids = Array.from({ length: 162 }, (_, i) => i + 1)
    let threads = 0
    for (const id of ids) {
      const now = NOWS[id % NOWS.length]
      expect(await repo.get(id, now)).toEqual(await sqlite.mentions.get(id, now))
      expect(await repo.get(id)).toEqual(await sqlite.mentions.get(id))
      const thread = await sqlite.mentions.thread(id, now)
      if (thread.parent || thread.replies.length) threads++
      expect(await repo.thread(id, now)).toEqual(thread)
      expect(await repo.brandReplies(id)).toEqual(await sqlite.mentions.brandReplies(id))
      expect(await repo.events(id)).toEqual(await sqlite.mentions.events(id))
      expect(await repo.sightings(id)).toEqual(await sqlite.mentions.sightings(id))
    }
    expect(threads).toBeGreaterThan(5)
    const order = [40, 3, 999, 17, 3, 160]
    expect(await repo.getMany(order, NOWS[1])).toEqual(await sqlite.mentions.getMany(order, NOWS[1]))
    expect(await repo.getMany([])).toEqual([])
  })

  it('indexes every character the way the query side folds it', async () => {
    // The blocks fts-fold.ts carries tables for, each character between two words.
    const blocks = [[0x01, 0x24f], [0x300, 0x52f], [0x1e00, 0x1eff], [0x2000, 0x2bff], [0x3000, 0x303f], [0xfe00, 0xfe6f], [0xff00, 0xff65], [0x1f000, 0x1faff]] as const
    const texts: string[] = []
    for (const [a, b] of blocks) for (let c = a; c <= b; c++) texts.push(`xA${String.fromCodePoint(c)}Bx`)
    const got = await pg.query<{ i: number; words: string[] }>(
      `SELECT u.i, coalesce(array_agg(w.lexeme ORDER BY w.pos), '{}') AS words
       FROM unnest($1::text[]) WITH ORDINALITY AS u(s, i)
       LEFT JOIN LATERAL (SELECT lexeme, unnest(positions) AS pos FROM unnest(to_tsvector('simple', mentions_fold(u.s)))) w ON true
       GROUP BY u.i ORDER BY u.i`,
      [texts],
    )
    const differ = got.filter((r) => JSON.stringify(r.words.filter((x) => x !== null)) !== JSON.stringify(foldWords(texts[r.i - 1]!))).map((r) => texts[r.i - 1])
    expect(got).toHaveLength(texts.length)
    expect(differ).toEqual([])
  })

  it('lists stale scores and texts in the same chunks', async () => {
    expect(await collect(repo.staleScores('v2'))).toEqual(await collect(sqlite.mentions.staleScores('v2')))
    expect(await collect(repo.staleScores('v1', true, 13))).toEqual(await collect(sqlite.mentions.staleScores('v1', true, 13)))
    expect(await collect(repo.staleScores('v1', false, 9))).toEqual(await collect(sqlite.mentions.staleScores('v1', false, 9)))
    expect(await collect(repo.texts())).toEqual(await collect(sqlite.mentions.texts()))
    expect(await collect(repo.texts(11))).toEqual(await collect(sqlite.mentions.texts(11)))
  })
})
