// The writes the hourly-count tests of both engines put a store through (mention_hours, SQLite
// migration 7 and PostgreSQL migration 4): rows spread over 50 hours, and every repository
// write that moves a count.
import type { Store } from '../../src/store/index.js'
import { record } from '../store/contract.js'

const HOUR = 3_600_000
export const HOURS_T0 = Date.UTC(2026, 10, 1)

/** Mentions over 50 hours, one or two brands each, a third negative, some the brand's own. */
export const hourRows = (n: number, prefix = 'h', source = 'hackernews') =>
  Array.from({ length: n }, (_, i) =>
    record({
      source,
      externalId: `${prefix}${i}`,
      url: `https://example.com/${prefix}/${i}`,
      createdAt: HOURS_T0 + ((i * 7_919_000) % (50 * HOUR)) + (i % 3),
      brands: i % 5 === 0 ? ['Acme', 'Globex'] : i % 2 ? ['Globex'] : ['Acme'],
      sentimentLabel: i % 3 === 0 ? 'negative' : 'neutral',
      isOwn: i % 17 === 0,
    }),
  )

/** Updates from the same source (a new label where the text changed, a brand more), and the same posts seen from another source (merged into the stored rows, brands added). */
export async function editAndMerge(store: Store): Promise<void> {
  await store.mentions.upsertPage(
    hourRows(300)
      .filter((_, i) => i % 4 === 0)
      .map((r, i) => ({ ...r, text: `${r.text} (edited)`, sentimentLabel: i % 2 ? 'negative' : 'positive', brands: [...r.brands, 'Initech'] })),
  )
  await store.mentions.upsertPage(hourRows(60).map((r) => ({ ...r, source: 'reddit', externalId: `r-${r.externalId}`, brands: ['Umbrella'] })))
}

/** Of the first 40 ids: human labels, a re-score, a rematch that moves brands and one that drops the match. */
export async function relabelAndRematch(store: Store, ids: readonly number[]): Promise<void> {
  for (const id of ids.slice(0, 10)) await store.mentions.setLabel(id, { sentiment: id % 2 ? 'negative' : 'positive' }, 'test', HOURS_T0)
  await store.mentions.applyScores('v2', ids.slice(10, 20).map((id) => ({ id, label: 'negative', score: -0.9, intent: 'complaint' })))
  await store.mentions.applyRematch(
    [...ids.slice(20, 30).map((id) => ({ id, match: { brands: ['Hooli'], terms: ['hooli'], competitor: false }, reason: 'query' })), { id: ids[30] as number, match: null, reason: 'gone' }],
    'test',
    HOURS_T0,
  )
}
