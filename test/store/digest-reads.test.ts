// The digest's texts and assignments were narrowed for speed: texts come as raw rows with the
// title joined in SQL, split at the window's start, with the distinct terms; assignments come as
// the newest few and a count. Both must say what the straightforward reads of the table said.
import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import { tempDirsPerTest } from '../support/temp.js'
import { record } from './contract.js'

const testDir = tempDirsPerTest()

const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = Date.UTC(2026, 10, 1)
const LABELS = ['negative', 'neutral', 'positive'] as const
const TITLES = [undefined, '', 'Login error', 'Ölkraft outage']
const TERMS = [['acme'], ['acme', 'acme cloud'], ['globex'], []]

interface TextRow {
  fetchedAt: number
  title: string | null
  text: string
  terms: string
}

/** The rows as the digest read them before: every column, in fetched order. */
function straight(file: string, from: number, to: number, brands?: string[]): TextRow[] {
  const db = new Database(file, { readonly: true })
  const brandSql = brands ? `EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand COLLATE NOCASE IN (${brands.map(() => '?').join(', ')}))` : 'm.competitor = 0'
  const rows = db
    .prepare(`SELECT m.fetched_at AS fetchedAt, m.title AS title, m.text AS text, m.terms AS terms FROM mentions m
      WHERE m.is_own = 0 AND m.fetched_at >= ? AND m.fetched_at < ? AND ${brandSql} AND m.sentiment_label = 'negative' ORDER BY m.fetched_at, m.id`)
    .all(from, to, ...(brands ?? [])) as TextRow[]
  db.close()
  return rows
}

const textOf = (t: TextRow) => (t.title ? `${t.title}\n${t.text}` : t.text)

describe('sqlite: digest texts and assignments', () => {
  it('hand over the texts, split at the start, and the terms as reading every row did', async () => {
    const dir = testDir()
    const file = path.join(dir, 'd.db')
    const store = openStore(file)
    const records = Array.from({ length: 300 }, (_, i) =>
      record({
        ...(TITLES[i % TITLES.length] !== undefined ? { title: TITLES[i % TITLES.length] as string } : {}),
        externalId: `t${i}`,
        fetchedAt: T0 + ((i * 7919) % (3 * DAY)),
        text: `text ${i % 23} with a login error\nand a second line`,
        terms: TERMS[i % TERMS.length] as string[],
        brands: i % 6 === 0 ? ['Globex'] : ['Acme'],
        sentimentLabel: LABELS[i % 3] as (typeof LABELS)[number],
        isOwn: i % 37 === 0,
        competitor: i % 6 === 0,
      }),
    )
    await store.mentions.upsertPage(records)
    let seen = 0
    for (const [from, since, to] of [[T0, T0 + DAY, T0 + 2 * DAY], [T0 - DAY, T0 - DAY, T0 + 3 * DAY], [T0 + HOUR, T0 + 3 * DAY, T0 + 3 * DAY]] as const) {
      for (const brands of [undefined, ['globex'], ['ACME', 'nobody']]) {
        const rows = straight(file, from, to, brands)
        const got = await store.digests.negativeTexts({ from, to, since, ...(brands ? { brands } : {}) })
        expect(got.current).toEqual(rows.filter((r) => r.fetchedAt >= since).map(textOf))
        expect(got.previous).toEqual(rows.filter((r) => r.fetchedAt < since).map(textOf))
        expect(got.terms).toEqual([...new Set(rows.flatMap((r) => JSON.parse(r.terms) as string[]))])
        seen += rows.length
      }
    }
    expect(seen).toBeGreaterThan(100)
    await store.close()
  })

  it('list the newest assignments and count them all, as the whole list did', async () => {
    const dir = testDir()
    const store = openStore(path.join(dir, 'a.db'))
    await store.mentions.upsertPage(Array.from({ length: 60 }, (_, i) => record({ externalId: `a${i}`, brands: i % 5 === 0 ? ['Globex'] : i % 3 === 0 ? ['Initech'] : ['Acme'], competitor: i % 5 === 0 })))
    for (let id = 1; id <= 60; id++) {
      await store.triage.apply([id], { kind: 'assign', assignee: id % 2 ? 'ana' : 'bob' }, 'lead', T0 + (id % 13) * HOUR)
      if (id % 7 === 0) await store.triage.apply([id], { kind: 'unassign' }, 'lead', T0 + 20 * HOUR)
      // The same moment twice: the later event's actor is the one reported.
      if (id % 9 === 0) await store.triage.apply([id], { kind: 'assign', assignee: 'dee' }, 'second', T0 + (id % 13) * HOUR)
    }
    // Competitor-only mentions are never listed: --brand ACME narrows, --brand Globex finds none.
    for (const brands of [undefined, ['ACME']]) {
      const f = { from: T0, to: T0 + DAY, ...(brands ? { brands } : {}) }
      const all = await store.digests.assignments({ ...f, limit: 1000 })
      expect(all.total).toBe(all.items.length)
      expect(all.items.length).toBeGreaterThan(5)
      expect(all.items.some((a) => a.actor === 'second')).toBe(true)
      for (const limit of [0, 1, 5, all.total, all.total + 3]) {
        const page = await store.digests.assignments({ ...f, limit })
        expect(page).toEqual({ items: all.items.slice(0, limit), total: all.total })
      }
    }
    await store.close()
  })
})
