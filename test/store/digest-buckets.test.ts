// The digest's buckets are read as one range query per bucket (or, over many buckets, one
// grouped query): both must give what grouping the whole window gave, bucket for bucket.
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

/** What the grouped query over the whole window said, computed straight from the table. */
function grouped(file: string, from: number, to: number, bucket: number, brands?: string[]) {
  const db = new Database(file, { readonly: true })
  const brandSql = brands ? `EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand COLLATE NOCASE IN (${brands.map(() => '?').join(', ')}))` : 'm.competitor = 0'
  const rows = db
    .prepare(`SELECT m.fetched_at - m.fetched_at % ? AS start, count(*) AS total,
      coalesce(sum(m.sentiment_label = 'negative'), 0) AS negative, coalesce(sum(m.sentiment_label = 'neutral'), 0) AS neutral,
      coalesce(sum(m.sentiment_label = 'positive'), 0) AS positive,
      coalesce(sum(m.answerable = 0 AND NOT EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id)), 0) AS unknown
      FROM mentions m WHERE m.is_own = 0 AND m.fetched_at >= ? AND m.fetched_at < ? AND ${brandSql} GROUP BY start ORDER BY start`)
    .all(bucket, from, to, ...(brands ?? []))
  db.close()
  return rows
}

describe('sqlite: digest buckets', () => {
  it('match a grouped count of the window, per hour, per day, over years and for one brand', async () => {
    const dir = testDir()
    const file = path.join(dir, 'b.db')
    const store = openStore(file)
    // Uneven gaps, rows on bucket edges, own and competitor rows, unanswerable sources.
    const records = Array.from({ length: 400 }, (_, i) =>
      record({
        source: i % 5 === 0 ? 'rss' : 'hackernews',
        externalId: `b${i}`,
        fetchedAt: T0 + (i % 4 === 0 ? Math.floor(i / 4) * HOUR : (i * 7919) % (9 * DAY)),
        brands: i % 6 === 0 ? ['Globex'] : ['Acme'],
        sentimentLabel: LABELS[i % 3] as (typeof LABELS)[number],
        isOwn: i % 37 === 0,
        competitor: i % 6 === 0,
        answerable: i % 5 !== 0,
      }),
    )
    await store.mentions.upsertPage(records)
    const windows: [number, number, number][] = [
      [T0 + 30 * 60_000, T0 + DAY + 30 * 60_000, HOUR],
      [T0 - DAY, T0 + 2 * DAY, HOUR],
      [T0 + 5 * HOUR + 1, T0 + 9 * DAY, DAY],
      [T0 + 3 * DAY, T0 + 4 * DAY, DAY],
      // Far more buckets than the range queries take on: the grouped query answers.
      [T0 - 3 * 365 * DAY, T0 + 10 * DAY, DAY],
      [T0 - 60 * DAY, T0 + 10 * DAY, HOUR],
    ]
    let nonEmpty = 0
    for (const [from, to, bucketMs] of windows) {
      for (const brands of [undefined, ['globex']]) {
        const got = await store.digests.buckets({ from, to, bucketMs, ...(brands ? { brands } : {}) })
        expect(got).toEqual(grouped(file, from, to, bucketMs, brands))
        if (got.length > 0) nonEmpty++
      }
    }
    expect(nonEmpty).toBeGreaterThan(8)
    await store.close()
  })
})
