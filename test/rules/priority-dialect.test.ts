// The priority's SQL gives the same points on SQLite and PostgreSQL: a half-star rating rounds
// away from zero on both (PostgreSQL's round() of a double goes to even), and the age term is
// the same double arithmetic, so the queues order alike on either engine.
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { contentPrioritySql, prioritySql, WEIGHTS, type PriorityColumn } from '../../src/rules/priority.js'
import { openPg, type Pg } from '../../src/store/postgres/open.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../support/pg.js'

type Row = Record<PriorityColumn, string | number | null>

const COLUMNS: { name: PriorityColumn; pg: string }[] = [
  { name: 'sentiment_label', pg: 'text' },
  { name: 'sentiment_score', pg: 'float8' },
  { name: 'intent', pg: 'text' },
  { name: 'author_reach', pg: 'bigint' },
  { name: 'likes', pg: 'bigint' },
  { name: 'reposts', pg: 'bigint' },
  { name: 'replies', pg: 'bigint' },
  { name: 'score', pg: 'bigint' },
  { name: 'rating', pg: 'float8' },
  { name: 'boost', pg: 'integer' },
]

const plain: Row = { sentiment_label: 'neutral', sentiment_score: 0, intent: 'other', author_reach: null, likes: null, reposts: null, replies: null, score: null, rating: null, boost: 0 }
const RATINGS = [0.5, 1, 1.4, 1.5, 2, 2.5, 3, 3.5, 4.5, 5]
const ratingRows: Row[] = RATINGS.map((rating) => ({ ...plain, rating }))
const variedRows: Row[] = [
  { ...plain, sentiment_label: 'negative', sentiment_score: -0.73, intent: 'complaint', author_reach: 12_345, likes: 7, reposts: 2, replies: 1, score: 3, rating: 1.5, boost: 25 },
  { ...plain, sentiment_label: 'negative', sentiment_score: -0.1, intent: 'question', author_reach: 0, likes: -4, rating: 2.5 },
  { ...plain, sentiment_label: 'positive', sentiment_score: 0.9, intent: 'praise', author_reach: 10_000_000, likes: 1_000_000, boost: -15 },
]

const literal = (v: string | number | null) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${v}'`)
const values = (rows: readonly Row[], cast: boolean) =>
  rows.map((r) => `(${COLUMNS.map((c) => (cast ? `${literal(r[c.name])}::${c.pg}` : literal(r[c.name]))).join(', ')})`).join(', ')
const source = (rows: readonly Row[], cast: boolean) => `WITH m (${COLUMNS.map((c) => c.name).join(', ')}) AS (VALUES ${values(rows, cast)})`

function onSqlite(rows: readonly Row[]): number[] {
  const db = new Database(':memory:')
  try {
    return (db.prepare(`${source(rows, false)} SELECT ${contentPrioritySql()} AS p FROM m`).all() as { p: number }[]).map((r) => r.p)
  } finally {
    db.close()
  }
}

describe('the priority SQL per dialect', () => {
  it('rounds the rating through numeric on PostgreSQL only', () => {
    expect(contentPrioritySql(undefined, 'postgres')).toContain('round((m.rating)::numeric)')
    expect(contentPrioritySql()).toContain('round(m.rating)')
    expect(contentPrioritySql()).not.toContain('numeric')
  })

  it('gives a half-star rating the points of the star above it on SQLite', () => {
    const want = RATINGS.map((r) => WEIGHTS.rating[Math.round(r)] ?? 0)
    expect(onSqlite(ratingRows)).toEqual(want)
    expect(want.slice(0, 6)).toEqual([15, 15, 15, 8, 8, 0])
  })
})

describe.skipIf(pgSkip)('the priority SQL on PostgreSQL', () => {
  let pg: Pg
  beforeAll(async () => {
    pg = openPg(await freshPgUrl())
  })
  afterAll(async () => {
    await pg?.pool.end()
    await dropPgDatabases()
  })
  const onPg = async (rows: readonly Row[]) =>
    (await pg.query<{ p: number }>(`${source(rows, true)} SELECT ${contentPrioritySql(undefined, 'postgres')} AS p FROM m`)).map((r) => r.p)

  it('rounds half away from zero, where a double alone would round half to even', async () => {
    const [naive] = await pg.query<{ two: number }>('SELECT round(2.5::float8) AS two')
    expect(naive!.two).toBe(2)
    expect(await onPg(ratingRows)).toEqual(onSqlite(ratingRows))
  })

  it('gives every content part the same points on both engines', async () => {
    expect(await onPg(variedRows)).toEqual(onSqlite(variedRows))
  })

  it('takes the same age and answered points off on both engines, to the bit', async () => {
    const now = Date.UTC(2026, 11, 1, 13, 7, 11, 3)
    const ages = [0, 1, 59_999, 3_600_001, 86_399_999, 86_400_000, 123_456_789, 7 * 86_400_000 + 17, 40 * 86_400_000, -5000]
    const rows = ages.map((a, i) => ({ priority: 37.3 + i, created_at: now - a, answered: i % 2 === 0 }))
    const sqliteValues = rows.map((r) => `(${r.priority}, ${r.created_at}, ${r.answered ? 1 : 0})`).join(', ')
    const db = new Database(':memory:')
    const want = (db.prepare(`WITH m (priority, created_at, answered) AS (VALUES ${sqliteValues}) SELECT ${prioritySql({ answered: 'm.answered = 1', now: '@now' })} AS p FROM m`).all({ now }) as { p: number }[]).map((r) => r.p)
    db.close()
    const pgValues = rows.map((r) => `(${r.priority}::float8, ${r.created_at}::bigint, ${r.answered})`).join(', ')
    const got = await pg.query<{ p: number }>(`WITH m (priority, created_at, answered) AS (VALUES ${pgValues}) SELECT ${prioritySql({ answered: 'm.answered', now: '$1::bigint', dialect: 'postgres' })} AS p FROM m`, [now])
    expect(got.map((r) => r.p)).toEqual(want)
    // Fractions of a day count: the values are not whole or tenth points.
    expect(want.filter((v) => !Number.isInteger(v * 10)).length).toBeGreaterThan(2)
  })
})
