// The digest on PostgreSQL: the SQLite engine's reads (src/store/sqlite/digests.ts), each one
// statement, and the record of digests sent, so `digest --since last` starts where the
// previous one ended.
import type { DigestAssignment, DigestBucket, DigestRecord, DigestScope, DigestsRepo, DigestSourceCount, DigestTexts, RunRecord, RunStatus, SourceRunReport } from '../types.js'
import { priorityBoundSql } from '../../rules/priority.js'
import { bucketStart, nocaseIn, params, textAsc, type Params } from './analytics-sql.js'
import type { Pg } from './open.js'

const HAS_REPLY = 'EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id)'
const UNKNOWN = `(NOT m.answerable AND NOT ${HAS_REPLY})`
// As the queues read "open": a snooze that ran out is open again.
const open = (now: string) => `(t.state IS NULL OR t.state = 'open' OR (t.state = 'snoozed' AND t.snoozed_until <= ${now}))`
// As stats count "needed an answer".
const NEEDS_ANSWER = `(m.intent IN ('complaint', 'question') OR m.sentiment_label = 'negative')`

/** The scope on mentions `m`, as the SQLite engine's: first seen in [from, to), someone else's, of the brands asked for or not competitor-only. */
function scopeWhere(f: DigestScope, p: Params, window = true): string {
  const where = ['NOT m.is_own']
  if (window) where.push(`m.fetched_at >= ${p.big(f.from)}`, `m.fetched_at < ${p.big(f.to)}`)
  if (f.brands?.length) where.push(`EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND ${nocaseIn('b.brand', f.brands, p)})`)
  else where.push('NOT m.competitor')
  return where.join(' AND ')
}

interface RunRow {
  id: number
  started_at: number
  ended_at: number | null
  status: RunStatus
  report: SourceRunReport[]
}

export function digestsRepo(pg: Pg): DigestsRepo {
  return {
    async last(name) {
      const [r] = await pg.query<{ name: string; window_start: number; window_end: number; recorded_at: number }>(
        'SELECT name, window_start, window_end, recorded_at FROM digests WHERE name = $1 ORDER BY window_end DESC, id DESC LIMIT 1',
        [name],
      )
      return r && { name: r.name, start: r.window_start, end: r.window_end, recordedAt: r.recorded_at }
    },
    async record(r: DigestRecord) {
      await pg.query('INSERT INTO digests (name, window_start, window_end, recorded_at) VALUES ($1, $2, $3, $4)', [r.name, r.start, r.end, r.recordedAt])
    },
    async buckets(f) {
      const p = params()
      const bucket = p.big(Math.trunc(f.bucketMs))
      const sql = `SELECT ${bucketStart('m.fetched_at', bucket)} AS start, count(*) AS total,
          count(*) FILTER (WHERE m.sentiment_label = 'negative') AS negative,
          count(*) FILTER (WHERE m.sentiment_label = 'neutral') AS neutral,
          count(*) FILTER (WHERE m.sentiment_label = 'positive') AS positive,
          count(*) FILTER (WHERE ${UNKNOWN}) AS unknown
        FROM mentions m WHERE ${scopeWhere(f, p)}
        GROUP BY 1 ORDER BY 1`
      return pg.query<DigestBucket>(sql, p.values)
    },
    async sources(f) {
      const p = params()
      const sql = `SELECT m.source AS source, m.source_name AS "sourceName", count(*) AS total, count(*) FILTER (WHERE ${UNKNOWN}) AS unknown
        FROM mentions m WHERE ${scopeWhere(f, p)}
        GROUP BY m.source, m.source_name ORDER BY total DESC, ${textAsc('m.source')}, ${textAsc('m.source_name')}`
      return pg.query<DigestSourceCount>(sql, p.values)
    },
    async negativeTexts(f): Promise<DigestTexts> {
      const p = params()
      const sql = `SELECT m.fetched_at >= ${p.big(f.since)} AS is_current, CASE WHEN m.title <> '' THEN m.title || E'\\n' || m.text ELSE m.text END AS text, m.terms AS terms
        FROM mentions m WHERE ${scopeWhere(f, p)} AND m.sentiment_label = 'negative' ORDER BY m.fetched_at, m.id`
      const out: DigestTexts = { current: [], previous: [], terms: [] }
      const terms = new Set<string>()
      for (const r of await pg.query<{ is_current: boolean; text: string; terms: string[] }>(sql, p.values)) {
        ;(r.is_current ? out.current : out.previous).push(r.text)
        for (const t of r.terms) terms.add(t)
      }
      out.terms = [...terms]
      return out
    },
    async voice(f) {
      return pg.query<{ brand: string; mentions: number }>(
        `SELECT b.brand AS brand, count(*) AS mentions FROM mentions m JOIN mention_brands b ON b.mention_id = m.id
         WHERE m.fetched_at >= $1::bigint AND m.fetched_at < $2::bigint AND NOT m.is_own
         GROUP BY b.brand ORDER BY mentions DESC, ${textAsc('b.brand')}`,
        [f.from, f.to],
      )
    },
    async assignments(f) {
      const p = params()
      // An assign event names its new assignee in detail.to, a routing rule's in detail.assign;
      // ->> is NULL for a JSON null too, as json_extract is.
      const scope = scopeWhere(f, p, false)
      const sql = `WITH latest AS (
          SELECT e.mention_id, max(e.at) AS at FROM events e
          WHERE e.at >= ${p.big(f.from)} AND e.at < ${p.big(f.to)}
            AND ((e.action = 'assign' AND e.detail ->> 'to' IS NOT NULL)
              OR (e.action = 'rule' AND e.detail ->> 'assign' IS NOT NULL))
          GROUP BY e.mention_id
        )
        SELECT k."mentionId", k.at,
          (SELECT e.actor FROM events e WHERE e.mention_id = k."mentionId" AND e.at = k.at ORDER BY e.id DESC LIMIT 1) AS actor,
          k.assignee, k.total
        FROM (
          SELECT l.mention_id AS "mentionId", l.at AS at, t.assignee AS assignee, count(*) OVER () AS total
          FROM latest l JOIN mentions m ON m.id = l.mention_id JOIN triage t ON t.mention_id = m.id
          WHERE t.assignee IS NOT NULL AND NOT m.competitor AND ${scope}
          ORDER BY l.at DESC, l.mention_id DESC LIMIT ${p.big(Math.max(1, f.limit))}
        ) k
        ORDER BY k.at DESC, k."mentionId" DESC`
      const rows = await pg.query<DigestAssignment & { total: number }>(sql, p.values)
      // One row at least (above), so a limit of 0 still carries the count.
      return { items: rows.slice(0, Math.max(0, f.limit)).map(({ total: _, ...a }) => a), total: rows[0]?.total ?? 0 }
    },
    async overdue(f) {
      const p = params()
      const now = p.big(f.now)
      const where = `${scopeWhere(f, p, false)} AND NOT m.competitor AND m.created_at >= ${p.big(f.from)} AND m.created_at < ${p.big(f.to)}
        AND ${open(now)} AND ${NEEDS_ANSWER} AND m.answerable AND NOT ${HAS_REPLY}`
      const from = 'FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id'
      // Every row here is unanswered, where the bound is the priority itself (as on SQLite).
      const priority = priorityBoundSql({ now, dialect: 'postgres' })
      const [counted] = await pg.query<{ n: number }>(`SELECT count(*) AS n ${from} WHERE ${where}`, [...p.values])
      const limit = p.big(f.limit)
      const ids = await pg.query<{ id: number }>(`SELECT m.id ${from} WHERE ${where} ORDER BY ${priority} DESC, m.created_at DESC, m.id DESC LIMIT ${limit}`, p.values)
      return { ids: ids.map((r) => r.id), total: counted?.n ?? 0 }
    },
    async runs(from, to) {
      const rows = await pg.query<RunRow>('SELECT id, started_at, ended_at, status, report FROM runs WHERE started_at >= $1::bigint AND started_at < $2::bigint ORDER BY started_at, id', [from, to])
      return rows.map((r): RunRecord => ({ id: r.id, startedAt: r.started_at, endedAt: r.ended_at, status: r.status, report: r.report }))
    },
  }
}
