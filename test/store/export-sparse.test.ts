// From its second chunk on, the SQLite export reads tags and brand replies from memory instead
// of a lookup per row, when those tables are small. Either way each row must come out the same:
// this holds the two ways to each other, at chunk sizes that put rows on either side of the
// switch, with filters, and with the tables too big to hold (a limit of 0: the lookups stay).
import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MentionView } from '../../src/model.js'
import { openStore, type MentionRecord } from '../../src/store/index.js'
import { exportViewChunks, type ExportFilter } from '../../src/store/sqlite/export.js'
import { tempDirsPerTest } from '../support/temp.js'
import { record } from './contract.js'

const testDir = tempDirsPerTest()
const NOW = Date.UTC(2026, 11, 1)

function records(): MentionRecord[] {
  const out: MentionRecord[] = []
  for (let i = 0; i < 40; i++) {
    const source = i % 3 === 0 ? 'rss' : 'reddit'
    out.push(
      record({
        source,
        externalId: `p${i}`,
        url: `https://example.com/post/${i}`,
        text: `acme post ${i}`,
        // Pairs share a created_at, so the keyset's id tie-break is crossed too.
        createdAt: NOW - Math.floor(i / 2) * 60_000,
        fetchedAt: NOW,
        answerable: source !== 'rss',
        ...(i % 4 === 0 ? { routing: { tags: i % 8 === 0 ? ['vip', 'billing'] : ['billing'], boost: 10, hits: [{ rule: 'r', tags: ['billing'] }] } } : {}),
        ...(i % 5 === 0 ? { ownerReply: { at: NOW - 1000, handle: 'acmehq' } } : {}),
      }),
    )
    if (i % 7 === 0) out.push(record({ source, externalId: `r${i}`, url: `https://example.com/reply/${i}`, text: 'fixed now', isOwn: true, parentExternalId: `p${i}`, author: { handle: 'acmehq' }, createdAt: NOW - i * 30_000 + 1, fetchedAt: NOW }))
  }
  return out
}

async function built(): Promise<string> {
  const file = path.join(testDir(), 'm.db')
  const store = openStore(file)
  await store.mentions.upsertPage(records())
  await store.close()
  return file
}

async function views(file: string, f: ExportFilter, chunk: number, sparseMax?: number): Promise<MentionView[]> {
  const db = new Database(file, { readonly: true })
  try {
    const out: MentionView[] = []
    for await (const c of exportViewChunks(db, async (work) => work(), f, chunk, sparseMax)) out.push(...c)
    return out
  } finally {
    db.close()
  }
}

describe('export views, per-row lookups and tags and replies from memory', () => {
  it('give the same rows at every chunk size, filtered or not', async () => {
    const file = await built()
    const filters: ExportFilter[] = [
      { where: [], args: {}, now: NOW },
      { where: ['m.source = @source'], args: { source: 'reddit' }, now: NOW },
    ]
    for (const f of filters) {
      const lookups = await views(file, f, 1000, 0)
      expect(lookups.some((v) => v.tags.length === 2)).toBe(true)
      expect(lookups.some((v) => v.answered === true)).toBe(true)
      expect(lookups.some((v) => v.answered === false)).toBe(true)
      if (f.where.length === 0) expect(lookups.some((v) => v.answered === null)).toBe(true)
      for (const chunk of [1, 2, 7]) {
        expect(await views(file, f, chunk)).toEqual(lookups)
        expect(await views(file, f, chunk, 0)).toEqual(lookups)
      }
    }
  })
})
