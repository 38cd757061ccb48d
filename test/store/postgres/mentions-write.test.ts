// The PostgreSQL writes of the mentions group store what the SQLite engine stores: the same
// pages go into a SQLite file and into a PostgreSQL database, and every table is compared row
// by row. Then two processes' pools store overlapping pages at once, and nothing is doubled.
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import type { MentionRecord, RematchChange, ScoreUpdate, Store, UpsertCounts } from '../../../src/store/index.js'
import { openStore } from '../../../src/store/index.js'
import { mentionsWrite } from '../../../src/store/postgres/mentions-write.js'
import { openPg, type Pg } from '../../../src/store/postgres/open.js'
import { pgText } from '../../../src/store/postgres/text.js'
import { tempDir } from '../../support/deps.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../../support/pg.js'
import { record } from '../contract.js'

const NOW = Date.UTC(2026, 11, 1)
const DAY = 86_400_000
const SOURCES = ['hackernews', 'reddit', 'mastodon']

/** Every path through upsertPage: new, repeated with new words, merged, replies either way round, owner responses, routing, odd text. */
function records(): MentionRecord[] {
  const out: MentionRecord[] = []
  for (let i = 0; i < 60; i++) {
    const source = SOURCES[i % 3] as string
    out.push(
      record({
        source,
        externalId: `p${i}`,
        url: `https://example.com/post/${i}`,
        text: `acme post ${i} about billing`,
        ...(i % 4 === 0 ? { title: `thread ${i} acme` } : {}),
        createdAt: NOW - i * 60_000,
        fetchedAt: NOW,
        author: { handle: `user${i % 7}`, reach: i * 10 },
        metrics: { likes: i % 5 },
        brands: i % 5 === 0 ? ['Acme', 'Globex'] : ['Acme'],
        terms: ['acme'],
        sentimentLabel: i % 3 === 0 ? 'negative' : 'neutral',
        sentimentScore: i % 3 === 0 ? -0.6 : 0,
        ...(i % 10 === 7 ? { rating: 2 } : {}),
        ...(i % 9 === 0 ? { threadExternalId: `p${i - (i % 18)}`, parentExternalId: `p${i - (i % 18)}` } : {}),
        ...(i % 11 === 0 ? { ownerReply: { at: NOW - 1000, handle: 'acmehq' } } : {}),
        ...(i % 8 === 0 ? { routing: { tags: ['billing'], boost: 25, assignee: 'sam', hits: [{ rule: 'billing', assign: 'sam', tags: ['billing'] }] } } : {}),
      }),
    )
    // The same post again a few records later, with more words: an update of a row that may
    // have been inserted in the same page.
    if (i % 6 === 0) out.push({ ...(out[out.length - 1] as MentionRecord), text: `acme post ${i} about billing, now refunded twice`, metrics: { likes: 9 } })
    // The brand's own reply: before its parent for some, after it for others.
    if (i % 5 === 0) {
      const reply = record({ source, externalId: `r${i}`, url: `https://example.com/reply/${i}`, text: 'sorry, fixed now', isOwn: true, parentExternalId: `p${i + (i % 10 === 0 ? 0 : 3)}`, createdAt: NOW - i * 60_000 + 30_000, author: { handle: 'acmehq' }, fetchedAt: NOW })
      if (i % 10 === 0) out.push(reply)
      else out.splice(Math.max(0, out.length - 3), 0, reply)
    }
    // Another source's copy of an earlier post (same URL): a sighting, merged, richer text.
    if (i % 7 === 3) {
      const j = i - 3
      // A repost under the same source and URL is a row of its own; the copy joins the first one.
      out.push(record({ source: SOURCES[j % 3] as string, externalId: `re${j}`, url: `https://example.com/post/${j}#again`, text: 'acme repost', createdAt: NOW - j * 60_000, fetchedAt: NOW }))
      out.push(record({ source: SOURCES[(j + 1) % 3] as string, externalId: `copy${j}`, url: `https://example.com/post/${j}?utm_source=x`, text: `acme post ${j} about billing, seen elsewhere with a longer text`, createdAt: NOW - j * 60_000, fetchedAt: NOW + 5, metrics: { likes: 40 }, brands: ['Initech'] }))
    }
    // A copy seen again under the sighting's own id: found by the sighting, not by URL.
    if (i % 14 === 10) {
      const j = i - 10
      out.push(record({ source: SOURCES[(j + 1) % 3] as string, externalId: `copy${j}`, url: `https://elsewhere.example/${j}`, text: 'short', createdAt: NOW, fetchedAt: NOW + 9, ...(i % 28 === 10 ? { metrics: { likes: 99 } } : {}) }))
    }
  }
  // Ids and text PostgreSQL cannot hold as they are, stored twice. NUL only: SQLite does not
  // keep a lone surrogate either (it reads back as three U+FFFD), see the test of its own.
  const odd = record({ source: 'reddit', externalId: 'odd\u0000id', url: 'https://example.com/odd', text: 'acme odd id', createdAt: NOW, fetchedAt: NOW })
  const oddReply = record({ source: 'reddit', externalId: 'odd reply', url: 'https://example.com/odd-reply', text: 'fixed', isOwn: true, parentExternalId: odd.externalId, author: { handle: 'acmehq' }, createdAt: NOW, fetchedAt: NOW })
  const nul = record({ source: 'mastodon', externalId: 'nul', url: 'https://example.com/nul', title: 'a\u0000title', text: 'acme \u0000 nul text', author: { handle: 'n\u0000l', name: 'N\u0000' }, createdAt: NOW, fetchedAt: NOW, brands: ['Ac\u0000me'], routing: { tags: ['t\u0000g'], boost: 0, hits: [{ rule: 'r\u0000' }] } })
  out.push(oddReply, odd, { ...odd, text: 'acme odd id, edited' }, nul, { ...nul })
  // The snoozed p0's author writes again in its thread: it wakes.
  out.push(record({ source: 'hackernews', externalId: 'wake', url: 'https://example.com/wake', text: 'acme still broken', parentExternalId: 'p0', author: { handle: 'USER0' }, createdAt: NOW, fetchedAt: NOW + 1 }))
  return out
}

/** Explicit ids: kept when free, a fresh one when taken; later rows go past them. */
function withIds(): MentionRecord[] {
  return [
    record({ id: 500, source: 'reddit', externalId: 'i500', url: 'https://example.com/i/500', text: 'acme kept id', createdAt: NOW, fetchedAt: NOW }),
    record({ source: 'reddit', externalId: 'i-auto', url: 'https://example.com/i/auto', text: 'acme auto id', createdAt: NOW, fetchedAt: NOW }),
    record({ id: 3, source: 'reddit', externalId: 'i3', url: 'https://example.com/i/3', text: 'acme id taken', createdAt: NOW, fetchedAt: NOW }),
    record({ id: 400, source: 'reddit', externalId: 'i400', url: 'https://example.com/i/400', text: 'acme lower id', createdAt: NOW, fetchedAt: NOW }),
    record({ id: 400, source: 'reddit', externalId: 'i400b', url: 'https://example.com/i/400b', text: 'acme id taken in the page', createdAt: NOW, fetchedAt: NOW }),
  ]
}

/** Pass three: some posts edited, some with a changed label from the scorer. */
const edited = (rs: MentionRecord[]) => rs.map((r, i) => (i % 4 === 0 ? { ...r, text: `${r.text} (edited)`, sentimentLabel: 'positive' as const, intent: 'praise' as const, metrics: { likes: 3 } } : r))

const TABLES: Record<string, string> = {
  mentions: 'SELECT * FROM mentions ORDER BY id',
  mention_brands: 'SELECT * FROM mention_brands ORDER BY mention_id, brand',
  replies: 'SELECT * FROM replies ORDER BY mention_id, reply_source, reply_external_id',
  triage: 'SELECT * FROM triage ORDER BY mention_id',
  events: 'SELECT id, mention_id, at, actor, action, detail FROM events ORDER BY id',
  sightings: 'SELECT * FROM sightings ORDER BY source, external_id',
  mention_tags: 'SELECT * FROM mention_tags ORDER BY tag, mention_id',
  // Kept by each engine's triggers; a count taken back to zero may stay as a row.
  mention_hours: 'SELECT brand, hour, total, negative FROM mention_hours WHERE total <> 0 OR negative <> 0 ORDER BY brand, hour',
}
const FLAGS = ['is_own', 'competitor', 'answerable']
const JSON_COLUMNS = ['brands', 'terms', 'detail']

/** One row as both engines can be compared: SQLite's 0/1 and JSON text, its NULs as PostgreSQL keeps them. */
function normal(row: Record<string, unknown>, engine: 'sqlite' | 'pg'): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(row)) {
    if (k === 'fts') continue
    let value = v
    if (engine === 'sqlite' && FLAGS.includes(k) && typeof v === 'number') value = v === 1
    if (engine === 'sqlite' && JSON_COLUMNS.includes(k) && typeof v === 'string') value = JSON.parse(v) as unknown
    out[k] = engine === 'sqlite' ? deepText(value) : value
  }
  return out
}
const deepText = (v: unknown): unknown =>
  typeof v === 'string' ? pgText(v) : Array.isArray(v) ? v.map(deepText) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [pgText(k), deepText(x)])) : v

const dirs: string[] = []
const pools: Pg[] = []
afterEach(async () => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  await Promise.all(pools.splice(0).map((p) => p.pool.end()))
})
afterAll(dropPgDatabases)

type Writes = ReturnType<typeof mentionsWrite>
interface Pair {
  file: string
  sqlite: Store
  pg: Pg
  write: Writes
}

async function pair(): Promise<Pair> {
  const dir = tempDir()
  dirs.push(dir)
  const file = path.join(dir, 'm.db')
  const pg = openPg(await freshPgUrl())
  pools.push(pg)
  return { file, sqlite: openStore(file), pg, write: mentionsWrite(pg) }
}

async function tables(p: Pair): Promise<{ sqlite: Record<string, unknown[]>; pg: Record<string, unknown[]> }> {
  const db = new Database(p.file, { readonly: true })
  const sqlite: Record<string, unknown[]> = {}
  const pg: Record<string, unknown[]> = {}
  for (const [name, sql] of Object.entries(TABLES)) {
    sqlite[name] = (db.prepare(sql).all() as Record<string, unknown>[]).map((r) => normal(r, 'sqlite'))
    pg[name] = (await p.pg.query(sql)).map((r) => normal(r, 'pg'))
  }
  // Brand names sort by each engine's collation; compared in one order.
  const byKey = (rows: unknown[]) => (rows as { brand: string; hour: number }[]).sort((a, b) => (a.brand < b.brand ? -1 : a.brand > b.brand ? 1 : a.hour - b.hour))
  byKey(sqlite.mention_hours!)
  byKey(pg.mention_hours!)
  db.close()
  return { sqlite, pg }
}

/** The same statement on both engines, outside the repositories (a snooze set by hand). */
async function both(p: Pair, sql: string): Promise<void> {
  const db = new Database(p.file)
  db.exec(sql)
  db.close()
  await p.pg.query(sql)
}

async function upsertBoth(p: Pair, page: MentionRecord[]): Promise<[UpsertCounts, UpsertCounts]> {
  return [await p.sqlite.mentions.upsertPage(page), await p.write.upsertPage(page)]
}

describe.skipIf(pgSkip)('PostgreSQL mentions writes, beside SQLite', () => {
  it('stores the same rows in every table, page by page or in one batch, and counts the same', async () => {
    // Pages locked key by key (one batch, small pages), and one batch that runs alone (an explicit id).
    for (const [pageSize, alone] of [[10_000, false], [7, false], [10_000, true]] as const) {
      const p = await pair()
      const seed = record({ source: 'hackernews', externalId: 'p0', url: 'https://example.com/post/0', text: 'acme post 0 about billing', author: { handle: 'user0' }, createdAt: NOW, fetchedAt: NOW - 1 })
      const followUp = record({ source: 'hackernews', externalId: 'p0-more', url: 'https://example.com/post/0/more', text: 'acme still', author: { handle: 'User0' }, threadExternalId: 'p0', createdAt: NOW, fetchedAt: NOW - 1 })
      const seeded = { new: 2, updated: 0, unchanged: 0, byBrand: { Acme: { new: 2, updated: 0 } } }
      expect(await upsertBoth(p, [seed, followUp])).toEqual([seeded, seeded])
      // Two snoozed in the thread, the later id waking first in SQLite's walk (by snoozed_until).
      await both(p, `INSERT INTO triage (mention_id, state, snoozed_until, updated_at) VALUES (1, 'snoozed', ${NOW + DAY}, ${NOW - 1}), (2, 'snoozed', ${NOW + DAY / 2}, ${NOW - 1})`)
      const all = records()
      const lone = record({ id: 42, source: 'reddit', externalId: 'lone', url: 'https://example.com/lone', text: 'acme with an id', createdAt: NOW, fetchedAt: NOW })
      const passes = [alone ? [lone, ...all] : all, all, edited(all)]
      for (const [n, pass] of passes.entries()) {
        // A person's label holds against the scorer's on re-sighting.
        if (n === 2) {
          expect(await p.sqlite.mentions.setLabel(1, { sentiment: 'positive', intent: 'question' }, 'sam', NOW + 2)).toBe(true)
          expect(await p.write.setLabel(1, { sentiment: 'positive', intent: 'question' }, 'sam', NOW + 2)).toBe(true)
        }
        for (let i = 0; i < pass.length; i += pageSize) {
          const [s, q] = await upsertBoth(p, pass.slice(i, i + pageSize))
          expect(q, `pass ${n}, page at ${i} of ${pageSize}`).toEqual(s)
        }
      }
      const [s, q] = await upsertBoth(p, withIds())
      expect(q).toEqual(s)
      expect(await upsertBoth(p, [record({ source: 'reddit', externalId: 'after-ids', url: 'https://example.com/after', text: 'acme after', createdAt: NOW, fetchedAt: NOW })])).toEqual([
        { new: 1, updated: 0, unchanged: 0, byBrand: { Acme: { new: 1, updated: 0 } } },
        { new: 1, updated: 0, unchanged: 0, byBrand: { Acme: { new: 1, updated: 0 } } },
      ])
      const t = await tables(p)
      for (const name of Object.keys(TABLES)) expect(t.pg[name], `${name}, pages of ${pageSize}`).toEqual(t.sqlite[name])
      await p.sqlite.close()

      // What was compared is not empty: every path left its mark.
      const rows = t.pg as Record<string, Record<string, unknown>[]>
      const ids = rows.mentions!.map((m) => m.id)
      expect(ids).toContain(500)
      expect(ids).toContain(400)
      if (alone) continue
      // 500 kept, then 501 auto, 3 taken (502), 400 kept, 400 again taken (503), the next page 504.
      expect(rows.mentions!.filter((m) => String(m.external_id).startsWith('i') || m.external_id === 'after-ids').map((m) => [m.external_id, m.id])).toEqual([
        ['i400', 400], ['i500', 500], ['i-auto', 501], ['i3', 502], ['i400b', 503], ['after-ids', 504],
      ])
      expect(rows.replies!.filter((r) => r.kind === 'reply').length).toBeGreaterThanOrEqual(10)
      expect(rows.replies!.some((r) => r.kind === 'owner')).toBe(true)
      expect(rows.sightings!.length).toBeGreaterThan(3)
      expect(rows.events!.filter((e) => e.action === 'state').map((e) => e.mention_id)).toEqual([2, 1])
      expect(rows.triage!.find((r) => r.mention_id === 1)?.state).toBe('open')
      expect(rows.triage!.some((r) => r.assignee === 'sam')).toBe(true)
      expect(rows.mention_tags!.some((r) => r.tag === 't\ufffdg')).toBe(true)
      const nul = rows.mentions!.find((m) => m.external_id === 'nul')
      expect(String(nul?.text)).toMatch(/^acme \ufffd nul text/)
      const labelled = rows.mentions!.find((m) => m.id === 1)
      expect([labelled?.sentiment_label, labelled?.intent, labelled?.sentiment_source]).toEqual(['positive', 'question', 'human'])
      expect(rows.mentions!.some((m) => String(m.text).endsWith('(edited)'))).toBe(true)
      expect(rows.mentions!.some((m) => (m.priority as number) > 0)).toBe(true)
    }
  })

  it('stores a lone surrogate as U+FFFD and finds the same text unchanged when seen again', async () => {
    const pg = openPg(await freshPgUrl())
    pools.push(pg)
    const w = mentionsWrite(pg)
    const odd = record({ source: 'reddit', externalId: 'lone\ud800', url: 'https://example.com/lone', title: '\udc00x', text: 'acme \ud83d\ude00 \ud83d end', author: { handle: 'h\udfff' }, createdAt: NOW, fetchedAt: NOW })
    expect((await w.upsertPage([odd])).new).toBe(1)
    // SQLite reads such text back changed (three U+FFFD), so it reports a re-sighting as updated.
    expect(await w.upsertPage([odd])).toMatchObject({ new: 0, updated: 0, unchanged: 1 })
    const [row] = await pg.query('SELECT external_id, title, text, author_handle FROM mentions')
    expect(row).toEqual({ external_id: 'lone\ufffd', title: '\ufffdx', text: 'acme \ud83d\ude00 \ufffd end', author_handle: 'h\ufffd' })
    expect(pgText('ok \ud83d\ude00')).toBe('ok \ud83d\ude00')
  })

  it('applies scores, re-matches and labels as SQLite does', async () => {
    const p = await pair()
    await upsertBoth(p, records().slice(0, 40))
    await both(p, `INSERT INTO triage (mention_id, state, updated_at) VALUES (5, 'done', ${NOW})`)
    const scores: ScoreUpdate[] = [
      { id: 1, label: 'positive', score: 0.7, intent: 'praise' },
      { id: 2, label: 'negative', score: -0.9, intent: 'complaint' },
      { id: 2, label: 'neutral', score: 0.1, intent: 'other' },
      { id: 9999, label: 'neutral', score: 0, intent: 'other' },
    ]
    expect(await p.write.setLabel(1, { intent: 'question' }, 'ana', NOW + 1)).toBe(await p.sqlite.mentions.setLabel(1, { intent: 'question' }, 'ana', NOW + 1))
    expect(await p.write.setLabel(9999, { sentiment: 'negative' }, 'ana', NOW + 1)).toBe(false)
    expect(await p.sqlite.mentions.setLabel(9999, { sentiment: 'negative' }, 'ana', NOW + 1)).toBe(false)
    const scored = [await p.sqlite.mentions.applyScores('v2', scores), await p.write.applyScores('v2', scores)]
    expect(scored).toEqual([3, 3])
    const changes: RematchChange[] = [
      { id: 3, match: null, reason: 'brand removed' },
      { id: 4, match: { brands: ['Globex'], terms: ['globex'], competitor: true }, reason: 'query changed' },
      { id: 5, match: null, reason: 'done stays done' },
      { id: 6, match: { brands: ['Acme'], terms: ['acme'], competitor: false }, reason: 'the same' },
      { id: 3, match: { brands: ['Acme', 'Initech'], terms: ['acme'], competitor: false }, reason: 'back again' },
      { id: 4, match: { brands: ['Acme'], terms: ['acme'], competitor: false }, reason: 'twice' },
      { id: 7, match: null, reason: 'gone' },
      { id: 9999, match: null, reason: 'no such mention' },
    ]
    expect([await p.sqlite.mentions.applyRematch(changes, 'rematch', NOW + 2), await p.write.applyRematch(changes, 'rematch', NOW + 2)]).toEqual([5, 5])
    // A later run brings back what a rematch put aside.
    const again: RematchChange[] = [{ id: 7, match: { brands: ['Acme'], terms: ['acme'], competitor: false }, reason: 'matches again' }]
    expect([await p.sqlite.mentions.applyRematch(again, 'rematch', NOW + 3), await p.write.applyRematch(again, 'rematch', NOW + 3)]).toEqual([1, 1])
    const t = await tables(p)
    await p.sqlite.close()
    for (const name of Object.keys(TABLES)) expect(t.pg[name], name).toEqual(t.sqlite[name])
    const rows = t.pg as Record<string, Record<string, unknown>[]>
    expect(rows.mentions!.find((m) => m.id === 2)).toMatchObject({ sentiment_label: 'neutral', sentiment_score: 0.1, scorer_version: 'v2' })
    expect(rows.mentions!.find((m) => m.id === 1)).toMatchObject({ intent: 'question', intent_source: 'human', sentiment_label: 'positive' })
    expect(rows.mention_brands!.filter((b) => b.mention_id === 3).map((b) => b.brand)).toEqual(['Acme', 'Initech'])
    expect(rows.triage!.find((r) => r.mention_id === 7)).toMatchObject({ state: 'open', state_reason: 'rematch' })
    expect(rows.events!.filter((e) => e.action === 'rematch')).toHaveLength(6)
  })

  it('stores overlapping pages from two processes at once without a second row for anything', async () => {
    const url = await freshPgUrl()
    const a = openPg(url)
    const b = openPg(url)
    pools.push(a, b)
    // Posts seen by two sources under their own ids and the same URL, and re-seen by both.
    const posts = (source: string, from: number, to: number) =>
      Array.from({ length: to - from }, (_, k) => {
        const i = from + k
        return record({ source, externalId: `${source}-${i}`, url: `https://example.com/race/${i}`, text: `acme race ${i} from ${source}`, createdAt: NOW - i, fetchedAt: NOW, metrics: { likes: i % 13 } })
      })
    const pageA = [...posts('hackernews', 0, 700), ...posts('reddit', 300, 400)]
    const pageB = [...posts('reddit', 0, 700), ...posts('hackernews', 200, 300)]
    const pages = (rs: MentionRecord[], size: number) => Array.from({ length: Math.ceil(rs.length / size) }, (_, i) => rs.slice(i * size, (i + 1) * size))
    const wa = mentionsWrite(a)
    const wb = mentionsWrite(b)
    const started = Date.now()
    // A: some pages locked key by key, one locked alone (more than 512 keys); B: small pages, in the other order.
    const runA = (async () => {
      for (const pg of [...pages(pageA.slice(0, 200), 40), pageA.slice(200)]) await wa.upsertPage(pg)
    })()
    const runB = (async () => {
      for (const pg of pages([...pageB].reverse(), 25)) await wb.upsertPage(pg)
    })()
    await Promise.all([runA, runB])
    const ms = Date.now() - started
    const [counts] = await a.query<{ mentions: number; sightings: number; keys: number; urls: number }>(
      `SELECT (SELECT count(*) FROM mentions) AS mentions, (SELECT count(*) FROM sightings) AS sightings,
        (SELECT count(DISTINCT url_key) FROM mentions) AS urls,
        (SELECT count(*) FROM (SELECT source, external_id FROM mentions UNION SELECT source, external_id FROM sightings) k) AS keys`,
    )
    // One row per URL, every source's id known, either as the row or as its sighting.
    expect(counts).toEqual({ mentions: 700, sightings: 700, keys: 1400, urls: 700 })
    const [dupes] = await a.query<{ n: number }>(`SELECT count(*) AS n FROM (SELECT mention_id, brand FROM mention_brands GROUP BY 1, 2 HAVING count(*) > 1) d`)
    expect(dupes?.n).toBe(0)
    const [ids] = await a.query<{ max: number; n: number }>('SELECT max(id) AS max, count(*) AS n FROM mentions')
    console.log(`two processes: ${pageA.length + pageB.length} records in ${ms} ms (${Math.round(((pageA.length + pageB.length) * 1000) / ms)} rows/s); ids up to ${ids?.max} for ${ids?.n} rows`)
    // A later page still draws free ids after the page that ran alone.
    expect((await wa.upsertPage(posts('mastodon', 5000, 5003))).new).toBe(3)
  })

  it('records every reply when one host stores the posts and another the brand\'s replies at the same moment', async () => {
    const url = await freshPgUrl()
    const a = openPg(url)
    const b = openPg(url)
    pools.push(a, b)
    const n = 300
    const parents = Array.from({ length: n }, (_, i) => record({ source: 'reddit', externalId: `q${i}`, url: `https://example.com/q/${i}`, text: `acme question ${i}`, createdAt: NOW, fetchedAt: NOW }))
    const answers = Array.from({ length: n }, (_, i) =>
      record({ source: 'reddit', externalId: `a${i}`, url: `https://example.com/a/${i}`, text: 'fixed', isOwn: true, parentExternalId: `q${i}`, author: { handle: 'acmehq' }, createdAt: NOW + 1, fetchedAt: NOW }),
    )
    const wa = mentionsWrite(a)
    const wb = mentionsWrite(b)
    // Every page at once, each pool as busy as its connections allow: a post and its reply in flight together.
    const pages: Promise<unknown>[] = []
    for (let i = 0; i < n; i += 5) pages.push(wa.upsertPage(parents.slice(i, i + 5)), wb.upsertPage(answers.slice(i, i + 5)))
    await Promise.all(pages)
    const [r] = await a.query<{ n: number }>(`SELECT count(*) AS n FROM replies r JOIN mentions m ON m.id = r.mention_id WHERE m.external_id LIKE 'q%'`)
    expect(r?.n).toBe(n)
  })

  it('ingests at a rate worth reporting (logged, not asserted)', async () => {
    const pg = openPg(await freshPgUrl())
    pools.push(pg)
    const w = mentionsWrite(pg)
    const all = Array.from({ length: 6000 }, (_, i) =>
      record({ source: SOURCES[i % 3] as string, externalId: `bulk${i}`, url: `https://example.com/bulk/${i}`, text: `acme bulk ${i} text with a few words`, createdAt: NOW - i, fetchedAt: NOW, author: { handle: `h${i % 50}` }, brands: ['Acme'] }),
    )
    for (const size of [100, 500]) {
      const part = size === 100 ? all.slice(0, 3000) : all.slice(3000)
      const started = Date.now()
      for (let i = 0; i < part.length; i += size) await w.upsertPage(part.slice(i, i + size))
      const ms = Date.now() - started
      console.log(`ingest, pages of ${size}: ${part.length} new in ${ms} ms (${Math.round((part.length * 1000) / ms)} rows/s)`)
      const again = Date.now()
      for (let i = 0; i < part.length; i += size) await w.upsertPage(part.slice(i, i + size))
      console.log(`re-seen unchanged, pages of ${size}: ${Math.round((part.length * 1000) / (Date.now() - again))} rows/s`)
    }
    const [n] = await pg.query<{ n: number }>('SELECT count(*) AS n FROM mentions')
    expect(n?.n).toBe(6000)
  })
})
