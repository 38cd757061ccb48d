// The PostgreSQL queue walk is answered from mentions_priority alone (migration 5): its filters'
// columns are in the index, and a bulk load ends with the vacuum and statistics it needs.
// The rows the queues list are held against SQLite's by the contract tests.
import { afterAll, describe, expect, it } from 'vitest'
import { openStore } from '../../../src/store/index.js'
import { dropPgDatabases, freshPgUrl, pgSkip, withPgClient } from '../../support/pg.js'
import { record } from '../contract.js'

afterAll(dropPgDatabases)

const NOW = Date.UTC(2026, 11, 1)
const SOURCES = ['hackernews', 'reddit', 'rss', 'mastodon', 'bluesky']

describe.skipIf(pgSkip)('PostgreSQL: the queue walk', () => {
  it('reads the priority index alone after a bulk load, filters included', async () => {
    const url = await freshPgUrl()
    const store = openStore(url)
    await store.mentions.bulkLoad(async () => {
      for (let page = 0; page < 6; page++) {
        await store.mentions.upsertPage(
          Array.from({ length: 500 }, (_, k) => {
            const i = page * 500 + k
            return record({
              source: SOURCES[i % SOURCES.length] as string,
              externalId: `w${i}`,
              url: `https://example.com/w/${i}`,
              createdAt: NOW - i * 60_000,
              sentimentLabel: i % 3 === 0 ? 'negative' : 'neutral',
              priority: i % 97,
            })
          }),
        )
      }
    })
    const page = await store.mentions.queuePage({ queue: 'negative', sources: ['reddit'], limit: 20, now: NOW })
    expect(page.mentions).toHaveLength(20)
    expect(page.mentions.every((m) => m.source === 'reddit' && m.sentimentLabel === 'negative')).toBe(true)
    await store.close()

    await withPgClient(url, async (c) => {
      // The load ended with VACUUM (ANALYZE): a table never vacuumed or analysed counts -1 rows.
      const [cls] = (await c.query<{ tuples: number }>("SELECT reltuples AS tuples FROM pg_class WHERE relname = 'mentions'")).rows
      expect(cls?.tuples).toBe(3000)
      // Planner choices on a small table are its own; with scans of the table ruled out, the
      // walk's shape is read from the index alone, its filters included.
      await c.query('SET enable_seqscan = off')
      await c.query('SET enable_bitmapscan = off')
      const plan = (await c.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN (ANALYZE, COSTS OFF) SELECT m.id, m.created_at FROM mentions m
         WHERE NOT m.is_own AND NOT m.competitor AND m.source = 'reddit' AND m.sentiment_label = 'negative'
           AND m.created_at >= ${NOW - 30 * 86_400_000} AND m.fetched_at >= 0 AND m.priority >= 10
         ORDER BY m.priority DESC, m.id DESC LIMIT 20`,
      )).rows.map((r) => r['QUERY PLAN']).join('\n')
      expect(plan).toMatch(/Index Only Scan using mentions_priority/)
    })
  })
})
