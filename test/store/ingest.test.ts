// upsertPage works per page (one lookup, one full-text insert, one reply match per page), so
// where the pages are cut must not change what is stored: the same records in one batch and
// page by page give the same rows in every table, and the same search results.
import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MentionRecord, UpsertCounts } from '../../src/store/index.js'
import { openStore } from '../../src/store/index.js'
import { tempDirsPerTest } from '../support/temp.js'
import { record } from './contract.js'

const testDir = tempDirsPerTest()

const NOW = Date.UTC(2026, 11, 1)
const SOURCES = ['hackernews', 'reddit', 'mastodon']

/** Every path through upsertPage: new, repeated with new words, merged from another source, replies either way round, owner responses, routing. */
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
      out.push(record({ source: SOURCES[(j + 1) % 3] as string, externalId: `copy${j}`, url: `https://example.com/post/${j}`, text: `acme post ${j} about billing, seen elsewhere with a longer text`, createdAt: NOW - j * 60_000, fetchedAt: NOW, metrics: { likes: 40 } }))
    }
  }
  // Ids that JSON cannot carry through SQLite unchanged, stored twice.
  const odd = record({ source: 'reddit', externalId: 'odd\u0000\ud800', url: 'https://example.com/odd', text: 'acme odd id', createdAt: NOW, fetchedAt: NOW })
  const oddReply = record({ source: 'reddit', externalId: 'odd reply', url: 'https://example.com/odd-reply', text: 'fixed', isOwn: true, parentExternalId: odd.externalId, author: { handle: 'acmehq' }, createdAt: NOW, fetchedAt: NOW })
  out.push(oddReply, odd, { ...odd, text: 'acme odd id, edited' })
  return out
}

const TABLES: Record<string, string> = {
  mentions: 'SELECT * FROM mentions ORDER BY id',
  mention_brands: 'SELECT * FROM mention_brands ORDER BY mention_id, brand',
  replies: 'SELECT * FROM replies ORDER BY mention_id, reply_source, reply_external_id',
  triage: 'SELECT * FROM triage ORDER BY mention_id',
  events: 'SELECT mention_id, at, actor, action, detail FROM events ORDER BY id',
  sightings: 'SELECT * FROM sightings ORDER BY source, external_id',
  mention_tags: 'SELECT * FROM mention_tags ORDER BY tag, mention_id',
}
const QUERIES = ['acme', 'refunded', 'billing', '"about billing"', '"seen elsewhere"', 'thread', 'longer NOT refunded', 'fix*']

async function ingest(pageSize: number): Promise<{ tables: Record<string, unknown[]>; search: Record<string, number[]>; counts: Omit<UpsertCounts, 'byBrand'>[] }> {
  const dir = testDir()
  const file = path.join(dir, 'm.db')
  const all = records()
  const store = openStore(file)
  // A snoozed mention whose author writes again in its thread, somewhere in the batch.
  await store.mentions.upsertPage([record({ source: 'hackernews', externalId: 'p0', url: 'https://example.com/post/0', text: 'acme post 0 about billing', author: { handle: 'user0' }, createdAt: NOW, fetchedAt: NOW - 1 })])
  await store.triage.apply([1], { kind: 'snooze', until: NOW + 86_400_000 }, 'sam', NOW - 1)
  const counts: UpsertCounts[] = []
  // Twice: the second pass finds every row stored (unchanged, or updated where a repeat differs).
  for (let pass = 0; pass < 2; pass++) {
    for (let i = 0; i < all.length; i += pageSize) counts.push(await store.mentions.upsertPage(all.slice(i, i + pageSize)))
  }
  const total = (pass: UpsertCounts[]) => pass.reduce((t, c) => ({ new: t.new + c.new, updated: t.updated + c.updated, unchanged: t.unchanged + c.unchanged }), { new: 0, updated: 0, unchanged: 0 })
  const half = counts.length / 2
  const search: Record<string, number[]> = {}
  for (const query of QUERIES) search[query] = (await store.mentions.search({ query, now: NOW })).mentions.map((m) => m.id)
  await store.close()
  const db = new Database(file, { readonly: true })
  const tables: Record<string, unknown[]> = {}
  for (const [name, sql] of Object.entries(TABLES)) tables[name] = db.prepare(sql).all()
  db.close()
  // The full-text index holds exactly the current title and text of every row.
  const rw = new Database(file)
  rw.prepare(`INSERT INTO mentions_fts (mentions_fts, rank) VALUES ('integrity-check', 1)`).run()
  rw.close()
  return { tables, search, counts: [total(counts.slice(0, half)), total(counts.slice(half))] }
}

describe('upsertPage, page by page or in one batch', () => {
  it('stores the same rows in every table and finds the same mentions', async () => {
    const whole = await ingest(10_000)
    for (const pageSize of [1, 4, 17]) {
      const paged = await ingest(pageSize)
      for (const name of Object.keys(TABLES)) expect(paged.tables[name], `${name}, pages of ${pageSize}`).toEqual(whole.tables[name])
      expect(paged.search, `search, pages of ${pageSize}`).toEqual(whole.search)
      expect(paged.counts, `counts, pages of ${pageSize}`).toEqual(whole.counts)
    }
    // What the batch did, so the comparison is not between two empty results.
    expect(whole.counts[0]?.new).toBeGreaterThan(60)
    expect(whole.counts[1]?.new).toBe(0)
    const t = whole.tables as Record<string, Record<string, unknown>[]>
    expect(t.replies?.filter((r) => r.kind === 'reply').length).toBeGreaterThanOrEqual(10)
    expect(t.replies?.some((r) => r.kind === 'owner')).toBe(true)
    expect(t.sightings?.length).toBeGreaterThan(0)
    const odd = t.mentions?.find((m) => m.url === 'https://example.com/odd')
    expect(t.replies?.some((r) => r.mention_id === odd?.id && r.reply_external_id === 'odd reply')).toBe(true)
    expect(t.events?.some((e) => e.action === 'state')).toBe(true)
    expect(t.triage?.some((r) => r.assignee === 'sam')).toBe(true)
    expect(whole.search.refunded?.length).toBeGreaterThan(5)
    expect(whole.search['"seen elsewhere"']?.length).toBeGreaterThan(0)
    // Stored priority: the same expression as a recomputation over the stored row.
    expect(t.mentions?.some((m) => (m.priority as number) > 0)).toBe(true)
  })
})
