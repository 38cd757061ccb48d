// The export read path: every matching mention, newest first, in large keyset chunks of raw
// rows. Raw arrays and a fixed column list skip what made a million-row export slow: one
// object with every column (url_key, canonical_url …) per row.
import type { Intent, Mention, SentimentLabel, TriageState } from '../../model.js'
import { priorityOf } from '../../rules/priority.js'
import type { Statement } from 'better-sqlite3'
import type { Db } from './open.js'

// Positions in EXPORT_COLUMNS; the order below is the order of the SELECT.
const C = {
  id: 0, source: 1, sourceName: 2, externalId: 3, url: 4, canonicalUrl: 5, brands: 6, terms: 7, authorHandle: 8, authorName: 9,
  authorReach: 10, title: 11, text: 12, lang: 13, createdAt: 14, fetchedAt: 15, updatedAt: 16, parent: 17, thread: 18,
  likes: 19, reposts: 20, replies: 21, score: 22, rating: 23, isOwn: 24, competitor: 25, sentimentScore: 26, sentimentLabel: 27,
  intent: 28, sentimentSource: 29, intentSource: 30, scorerVersion: 31, boost: 32, state: 33, assignee: 34, snoozedUntil: 35,
  tags: 36, answered: 37,
} as const

const EXPORT_COLUMNS = `m.id, m.source, m.source_name, m.external_id, m.url, m.canonical_url, m.brands, m.terms, m.author_handle, m.author_name,
  m.author_reach, m.title, m.text, m.lang, m.created_at, m.fetched_at, m.updated_at, m.parent_external_id, m.thread_external_id,
  m.likes, m.reposts, m.replies, m.score, m.rating, m.is_own, m.competitor, m.sentiment_score, m.sentiment_label,
  m.intent, m.sentiment_source, m.intent_source, m.scorer_version, m.boost, t.state, t.assignee, t.snoozed_until,
  (SELECT json_group_array(g.tag) FROM mention_tags g WHERE g.mention_id = m.id),
  CASE WHEN EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id) THEN 1 WHEN m.answerable = 1 THEN 0 END`

type Raw = unknown[]
const EMPTY_TAGS = '[]'

/** The same Mention the row-object path builds (fromRow in mentions.ts), from a raw row. */
function fromRaw(r: Raw, now: number | undefined): Mention {
  const state = r[C.state] as TriageState | null
  const snoozedUntil = r[C.snoozedUntil] as number | null
  const snoozeOver = state === 'snoozed' && now !== undefined && snoozedUntil !== null && snoozedUntil <= now
  const tags = r[C.tags] as string
  const answered = r[C.answered] as number | null
  const m: Mention = {
    id: r[C.id] as number,
    source: r[C.source] as string,
    sourceName: r[C.sourceName] as string | null,
    externalId: r[C.externalId] as string,
    url: r[C.url] as string,
    canonicalUrl: r[C.canonicalUrl] as string | null,
    brands: JSON.parse(r[C.brands] as string) as string[],
    terms: JSON.parse(r[C.terms] as string) as string[],
    authorHandle: r[C.authorHandle] as string | null,
    authorName: r[C.authorName] as string | null,
    authorReach: r[C.authorReach] as number | null,
    title: r[C.title] as string | null,
    text: r[C.text] as string,
    lang: r[C.lang] as string | null,
    createdAt: r[C.createdAt] as number,
    fetchedAt: r[C.fetchedAt] as number,
    updatedAt: r[C.updatedAt] as number,
    parentExternalId: r[C.parent] as string | null,
    threadExternalId: r[C.thread] as string | null,
    likes: r[C.likes] as number | null,
    reposts: r[C.reposts] as number | null,
    replies: r[C.replies] as number | null,
    score: r[C.score] as number | null,
    rating: r[C.rating] as number | null,
    isOwn: r[C.isOwn] === 1,
    competitor: r[C.competitor] === 1,
    sentimentLabel: r[C.sentimentLabel] as SentimentLabel,
    sentimentScore: r[C.sentimentScore] as number,
    intent: r[C.intent] as Intent,
    sentimentOverridden: r[C.sentimentSource] === 'human',
    intentOverridden: r[C.intentSource] === 'human',
    priority: 0,
    boost: r[C.boost] as number,
    scorerVersion: r[C.scorerVersion] as string,
    state: snoozeOver ? 'open' : (state ?? 'open'),
    snoozedUntil: state === 'snoozed' && !snoozeOver ? snoozedUntil : null,
    assignee: r[C.assignee] as string | null,
    // Most rows carry no tag: skip the parse for the common empty array.
    tags: tags === EMPTY_TAGS ? [] : (JSON.parse(tags) as string[]),
    answered: answered === null ? null : answered === 1,
  }
  m.priority = priorityOf(m, now ?? m.createdAt).score
  return m
}

export interface ExportFilter {
  where: readonly string[]
  args: Record<string, unknown>
  now: number | undefined
}

/**
 * Chunks of the list in export order (created_at DESC, id DESC). Keyset paging: each chunk is
 * its own short query, so no statement stays open between awaits and a long read never pins
 * the WAL. 1,000 rows a chunk: measured against 5,000 on a million-row database, it held an export's
 * peak RSS at 148 MB instead of 246 MB and cost less CPU (less for the GC to chase).
 */
export function exportChunks(db: Db, run: <T>(work: () => T) => Promise<T>, f: ExportFilter, chunk = 1000): AsyncIterable<Mention[]> {
  const from = `FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id`
  const order = `ORDER BY m.created_at DESC, m.id DESC LIMIT @chunk`
  const firstSql = `SELECT ${EXPORT_COLUMNS} ${from}${f.where.length ? ` WHERE ${f.where.join(' AND ')}` : ''} ${order}`
  const nextSql = `SELECT ${EXPORT_COLUMNS} ${from} WHERE ${[...f.where, '(m.created_at, m.id) < (@afterAt, @afterId)'].join(' AND ')} ${order}`
  return {
    async *[Symbol.asyncIterator]() {
      let first: Statement<unknown[], Raw> | undefined
      let next: Statement<unknown[], Raw> | undefined
      let last: Raw | undefined
      for (;;) {
        const rows = await run(() => {
          const stmt = last ? (next ??= db.prepare<unknown[], Raw>(nextSql).raw()) : (first ??= db.prepare<unknown[], Raw>(firstSql).raw())
          return stmt.all({ ...f.args, chunk, ...(last ? { afterAt: last[C.createdAt], afterId: last[C.id] } : {}) })
        })
        if (rows.length === 0) return
        const out = new Array<Mention>(rows.length)
        for (let i = 0; i < rows.length; i++) out[i] = fromRaw(rows[i] as Raw, f.now)
        yield out
        if (rows.length < chunk) return
        last = rows[rows.length - 1]
      }
    },
  }
}
