// The digest on SQLite: what was first seen in a window (fetched_at, on mentions_fetched), the
// assignments made in it (events_at), the pulls that covered it (runs_started), and the record
// of digests sent, so `digest --since last` starts where the previous one ended.
import type { Statement } from 'better-sqlite3'
import type { DigestAssignment, DigestBucket, DigestRecord, DigestScope, DigestsRepo, DigestSourceCount, DigestTexts, RunRecord, RunStatus } from '../types.js'
import { priorityBoundSql } from '../../rules/priority.js'
import { storeRunner, type Db } from './open.js'

type Args = Record<string, unknown>

const HAS_REPLY = 'EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id)'
const UNKNOWN = `(m.answerable = 0 AND NOT ${HAS_REPLY})`
// The overdue list holds no answered item, and for those the bound is the priority itself; it
// reads no replies, so the ranking reads mentions_overdue alone.
const UNANSWERED_PRIORITY = priorityBoundSql({ now: '@now' })
// As the queues read "open": a snooze that ran out is open again.
const OPEN = `(t.state IS NULL OR t.state = 'open' OR (t.state = 'snoozed' AND t.snoozed_until <= @now))`
// As stats count "needed an answer" (src/store/sqlite/stats.ts). The overdue list's index
// (mentions_overdue, migration 8) has this and `answerable = 1` as its WHERE: SQLite reads a
// partial index only for a query that repeats its terms, so a change here needs a migration.
const NEEDS_ANSWER = `(m.intent IN ('complaint', 'question') OR m.sentiment_label = 'negative')`

/**
 * The scope on mentions `m`: first seen in [from, to), someone else's, and either of the
 * brands asked for or, by default, not competitor-only (a rival's mentions count only in
 * share of voice).
 */
function scopeWhere(f: DigestScope, args: Args, window = true): string {
  const where = ['m.is_own = 0']
  if (window) {
    args.from = f.from
    args.to = f.to
    where.push('m.fetched_at >= @from', 'm.fetched_at < @to')
  }
  if (f.brands?.length) {
    f.brands.forEach((b, i) => (args[`brand${i}`] = b))
    where.push(`EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand COLLATE NOCASE IN (${f.brands.map((_, i) => `@brand${i}`).join(', ')}))`)
  } else {
    where.push('m.competitor = 0')
  }
  return where.join(' AND ')
}

const BUCKET_COUNTS = `count(*) AS total,
  coalesce(sum(m.sentiment_label = 'negative'), 0) AS negative,
  coalesce(sum(m.sentiment_label = 'neutral'), 0) AS neutral,
  coalesce(sum(m.sentiment_label = 'positive'), 0) AS positive,
  coalesce(sum(${UNKNOWN}), 0) AS unknown`
const MAX_RANGE_BUCKETS = 400

interface RunRow {
  id: number
  started_at: number
  ended_at: number | null
  status: RunStatus
  report: string
}

export function digestsRepo(db: Db, file: string): DigestsRepo {
  const run = storeRunner(file)
  // Statements depend only on how many brands are asked for.
  const prepared = new Map<string, Statement<[Args], unknown>>()
  const rawPrepared = new Map<string, Statement<[Args], [number, string, string]>>()
  const all = <R>(sql: string, args: Args): R[] => {
    let stmt = prepared.get(sql)
    if (!stmt) prepared.set(sql, (stmt = db.prepare<[Args], unknown>(sql)))
    return stmt.all(args) as R[]
  }
  return {
    last: (name) =>
      run((): DigestRecord | undefined => {
        const r = all<{ name: string; window_start: number; window_end: number; recorded_at: number }>(
          `SELECT name, window_start, window_end, recorded_at FROM digests WHERE name = @name ORDER BY window_end DESC, id DESC LIMIT 1`,
          { name },
        )[0]
        return r && { name: r.name, start: r.window_start, end: r.window_end, recordedAt: r.recorded_at }
      }),
    record: (r) =>
      run(() => {
        db.prepare(`INSERT INTO digests (name, window_start, window_end, recorded_at) VALUES (?, ?, ?, ?)`).run(r.name, r.start, r.end, r.recordedAt)
      }),
    buckets: (f) =>
      run((): DigestBucket[] => {
        const args: Args = {}
        // One range query per bucket on mentions_fetched, whose key carries every counted
        // column: grouping the window by a computed bucket start sorted all of its rows in a
        // temporary b-tree. Past a few hundred buckets (a --since years back), one grouped
        // query costs less than so many statements; both give the same rows.
        const first = f.from - (f.from % f.bucketMs)
        if ((f.to - first) / f.bucketMs > MAX_RANGE_BUCKETS) {
          // `%` floors in integers whatever the binding's type (see series.ts).
          return all<DigestBucket>(`SELECT m.fetched_at - m.fetched_at % @bucket AS start, ${BUCKET_COUNTS} FROM mentions m WHERE ${scopeWhere(f, args)}
            GROUP BY start ORDER BY start`, { ...args, bucket: f.bucketMs })
        }
        const sql = `SELECT ${BUCKET_COUNTS} FROM mentions m WHERE m.fetched_at >= @lo AND m.fetched_at < @hi AND ${scopeWhere(f, args, false)}`
        const out: DigestBucket[] = []
        for (let start = first; start < f.to; start += f.bucketMs) {
          const counts = all<Omit<DigestBucket, 'start'>>(sql, { ...args, lo: Math.max(start, f.from), hi: Math.min(start + f.bucketMs, f.to) })[0]
          if (counts && counts.total > 0) out.push({ start, ...counts })
        }
        return out
      }),
    sources: (f) =>
      run((): DigestSourceCount[] => {
        const args: Args = {}
        const sql = `SELECT m.source AS source, m.source_name AS sourceName, count(*) AS total, coalesce(sum(${UNKNOWN}), 0) AS unknown
          FROM mentions m WHERE ${scopeWhere(f, args)}
          GROUP BY m.source, m.source_name ORDER BY total DESC, m.source, m.source_name`
        return all<DigestSourceCount>(sql, args)
      }),
    negativeTexts: (f) =>
      run((): DigestTexts => {
        const args: Args = { since: f.since }
        // Raw rows, the title joined to the text in SQL: at a million mentions the window holds
        // over a hundred thousand negative ones, and a JS object per row cost more than the read.
        const sql = `SELECT m.fetched_at >= @since, CASE WHEN m.title <> '' THEN m.title || char(10) || m.text ELSE m.text END, m.terms
          FROM mentions m WHERE ${scopeWhere(f, args)} AND m.sentiment_label = 'negative' ORDER BY m.fetched_at, m.id`
        let stmt = rawPrepared.get(sql)
        if (!stmt) rawPrepared.set(sql, (stmt = db.prepare<[Args], [number, string, string]>(sql).raw(true)))
        const out: DigestTexts = { current: [], previous: [], terms: [] }
        // Mentions of one brand share a handful of term lists: each distinct one is parsed once.
        const lists = new Set<string>()
        for (const [current, text, terms] of stmt.all(args)) {
          ;(current ? out.current : out.previous).push(text)
          lists.add(terms)
        }
        out.terms = [...new Set([...lists].flatMap((l) => JSON.parse(l) as string[]))]
        return out
      }),
    voice: (f) =>
      run(() =>
        all<{ brand: string; mentions: number }>(
          `SELECT b.brand AS brand, count(*) AS mentions FROM mentions m JOIN mention_brands b ON b.mention_id = m.id
           WHERE m.fetched_at >= @from AND m.fetched_at < @to AND m.is_own = 0
           GROUP BY b.brand ORDER BY mentions DESC, b.brand`,
          { from: f.from, to: f.to },
        ),
      ),
    assignments: (f) =>
      run((): { items: DigestAssignment[]; total: number } => {
        const args: Args = {}
        // An assign event names its new assignee in detail.to; a routing rule's in detail.assign.
        // The mention's scope is judged by the brands and ownership, not by when it was first seen.
        const scope = scopeWhere(f, args, false)
        args.efrom = f.from
        args.eto = f.to
        const sql = `WITH latest AS (
            SELECT e.mention_id, max(e.at) AS at FROM events e
            WHERE e.at >= @efrom AND e.at < @eto
              AND ((e.action = 'assign' AND json_extract(e.detail, '$.to') IS NOT NULL)
                OR (e.action = 'rule' AND json_extract(e.detail, '$.assign') IS NOT NULL))
            GROUP BY e.mention_id
          )
          -- The total is counted over every kept row before the limit; the actor is looked up
          -- for the listed few only.
          SELECT p.mentionId, p.at,
            (SELECT e.actor FROM events e WHERE e.mention_id = p.mentionId AND e.at = p.at ORDER BY e.id DESC LIMIT 1) AS actor,
            p.assignee, p.total
          FROM (
            SELECT l.mention_id AS mentionId, l.at AS at, t.assignee AS assignee, count(*) OVER () AS total
            FROM latest l JOIN mentions m ON m.id = l.mention_id JOIN triage t ON t.mention_id = m.id
            WHERE t.assignee IS NOT NULL AND m.competitor = 0 AND ${scope}
            ORDER BY l.at DESC, l.mention_id DESC LIMIT @limit
          ) p
          ORDER BY p.at DESC, p.mentionId DESC`
        // One row at least, so a limit of 0 still carries the count.
        const rows = all<DigestAssignment & { total: number }>(sql, { ...args, limit: Math.max(1, f.limit) })
        return { items: rows.slice(0, Math.max(0, f.limit)).map(({ total: _, ...a }) => a), total: rows[0]?.total ?? 0 }
      }),
    overdue: (f) =>
      run(() => {
        const args: Args = { now: f.now, cfrom: f.from, cto: f.to }
        const where = `${scopeWhere(f, args, false)} AND m.competitor = 0 AND m.created_at >= @cfrom AND m.created_at < @cto
          AND ${OPEN} AND ${NEEDS_ANSWER} AND m.answerable = 1 AND NOT ${HAS_REPLY}`
        const from = 'FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id'
        const total = all<{ n: number }>(`SELECT count(*) AS n ${from} WHERE ${where}`, args)[0]?.n ?? 0
        const ids = all<{ id: number }>(`SELECT m.id ${from} WHERE ${where} ORDER BY ${UNANSWERED_PRIORITY} DESC, m.created_at DESC, m.id DESC LIMIT @limit`, { ...args, limit: f.limit }).map((r) => r.id)
        return { ids, total }
      }),
    runs: (from, to) =>
      run((): RunRecord[] =>
        all<RunRow>(`SELECT id, started_at, ended_at, status, report FROM runs WHERE started_at >= @from AND started_at < @to ORDER BY started_at, id`, { from, to }).map(
          (r) => ({ id: r.id, startedAt: r.started_at, endedAt: r.ended_at, status: r.status, report: JSON.parse(r.report) }),
        ),
      ),
  }
}
