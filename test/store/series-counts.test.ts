// Spike counts are read from the hourly counts (whole hours) with the window's partial hours,
// or buckets shorter than an hour, from the rows: one range statement per bucket with a sum per
// brand, or, over many buckets or brands, one grouped statement. Every way must give what
// grouping the whole window by brand and bucket gives, with each brand's first mention over
// all time.
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import { tempDirsPerTest } from '../support/temp.js'
import { record } from './contract.js'
import { seriesOracle as oracle } from '../support/series-oracle.js'

const testDir = tempDirsPerTest()

const HOUR = 3_600_000
const DAY = 24 * HOUR
const T0 = Date.UTC(2026, 10, 1)

async function filled(brandsOf: (i: number) => string[]) {
  const dir = testDir()
  const file = path.join(dir, 's.db')
  const store = openStore(file)
  // Uneven gaps over two months, rows on bucket edges, own rows, several brands per mention.
  await store.mentions.upsertPage(
    Array.from({ length: 900 }, (_, i) =>
      record({
        externalId: `s${i}`,
        createdAt: T0 + (i % 5 === 0 ? Math.floor(i / 5) * HOUR : (i * 7919) % (60 * DAY)),
        brands: brandsOf(i),
        sentimentLabel: i % 3 === 0 ? 'negative' : 'neutral',
        isOwn: i % 37 === 0,
        competitor: i % 11 === 0,
      }),
    ),
  )
  return { store, file }
}

const WINDOWS: [from: number, to: number, bucket: number][] = [
  [T0 - 3 * DAY, T0 + 40 * DAY + 5, DAY], // ranged: 43 buckets
  [T0 + 5 * HOUR + 1, T0 + 9 * DAY, 6 * HOUR], // ranged, partial first bucket
  [T0, T0 + 30 * DAY, HOUR], // grouped: 720 buckets
  [T0 + 70 * DAY, T0 + 80 * DAY, DAY], // nothing in it
  [T0 + 2 * DAY + 17 * 60_000, T0 + 12 * DAY + 3 * HOUR + 59 * 60_000, 2 * DAY], // partial hours at both ends
  [T0 + 3 * DAY + 5 * 60_000, T0 + 3 * DAY + 50 * 60_000, HOUR], // inside one hour: the rows alone
  [T0 + DAY + 7, T0 + 4 * DAY, 15 * 60_000], // shorter than an hour: the rows alone
  [T0 - 100 * DAY, T0 + 100 * DAY + 1, 7 * DAY], // everything, in weeks
]

describe('sqlite: spike counts', () => {
  it('match a grouped count of the window for every brand, per bucket width, and for brands asked for in any case', async () => {
    const { store, file } = await filled((i) => (i % 7 === 0 ? ['Globex', 'Acme'] : i % 3 === 0 ? ['Globex'] : i % 11 === 0 ? ['initech'] : ['Acme']))
    let compared = 0
    for (const [from, to, bucket] of WINDOWS) {
      for (const brands of [undefined, [], ['acme'], ['GLOBEX', 'Initech'], ['nope']]) {
        const got = await store.series.counts({ from, to, bucketMs: bucket, ...(brands ? { brands } : {}) })
        const want = oracle(file, from, to, bucket, brands)
        expect(got).toEqual(want)
        compared += want.reduce((n, s) => n + s.buckets.length, 0)
      }
    }
    expect(compared).toBeGreaterThan(200)
    await store.close()
  })

  it('match it with more brands than the range statement takes columns for', async () => {
    const { store, file } = await filled((i) => [`Brand${String(i % 19).padStart(2, '0')}`, ...(i % 4 === 0 ? ['Acme'] : [])])
    for (const [from, to, bucket] of WINDOWS) {
      for (const brands of [undefined, ['brand03', 'ACME']]) {
        const got = await store.series.counts({ from, to, bucketMs: bucket, ...(brands ? { brands } : {}) })
        expect(got).toEqual(oracle(file, from, to, bucket, brands))
      }
    }
    await store.close()
  })
})
