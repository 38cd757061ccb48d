// The read side of the mentions table group on PostgreSQL: queues, search, lists and the
// details of one mention. Same answers, same order, same errors as the SQLite engine
// (src/store/sqlite/mentions.ts) over the same rows; text tie-breakers compare COLLATE "C",
// the byte order SQLite's BINARY uses, whatever the database's own collation is.
import { UsageError } from '../../errors.js'
import { toView, type Mention, type MentionView, type QueueSort } from '../../model.js'
import type { BrandReply, ListFilter, MentionEvent, MentionsRepo, QueueFilter, QueuePage, SearchFilter, Sighting, StoredText } from '../types.js'
import { COLUMNS, FROM_VIEW, HAS_REPLY, SELECT_VIEW, Params, fromPgRow, listConditions, openSql, prioritySqlAt, whereOf, type PgMentionRow } from './filters.js'
import { FtsQueryError, ftsToTsquery } from './fts-query.js'
import { priorityBoundSql } from '../../rules/priority.js'
import type { Pg } from './open.js'

export type MentionsRead = Omit<MentionsRepo, 'upsertPage' | 'bulkLoad' | 'applyScores' | 'applyRematch' | 'setLabel'>

function orderBy(sort: QueueSort, p: Params): string {
  if (sort === 'oldest') return 'm.created_at ASC, m.id ASC'
  if (sort === 'priority') return `${prioritySqlAt(p)} DESC, m.created_at DESC, m.id DESC`
  return 'm.created_at DESC, m.id DESC'
}

interface StoredTextRow {
  id: number
  title: string | null
  text: string
  parent_external_id: string | null
  lang: string | null
  rating: number | null
}

function toStoredText(r: StoredTextRow): StoredText {
  return {
    id: r.id,
    text: r.text,
    ...(r.title !== null ? { title: r.title } : {}),
    ...(r.parent_external_id !== null ? { parentExternalId: r.parent_external_id } : {}),
    ...(r.lang !== null ? { lang: r.lang } : {}),
    ...(r.rating !== null ? { rating: r.rating } : {}),
  }
}

export function mentionsRead(pg: Pg): MentionsRead {
  const rows = (sql: string, p: Params) => pg.query<PgMentionRow>(sql, p.values)
  const countOf = async (sql: string, values: readonly unknown[]) => (await pg.query<{ n: number }>(sql, values))[0]?.n ?? 0

  /** The queue's conditions; the first two are the partial indexes' predicate, so the planner can use them. */
  function queueWhere(f: QueueFilter, p: Params): { conditions: string[]; sort: QueueSort } {
    const conditions = ['NOT m.is_own', 'NOT m.competitor', ...listConditions(f, p)]
    // The queues are what is open, unless the filter asks for other states.
    if (!f.states?.length) conditions.push(openSql(p))
    if (f.queue === 'negative') conditions.push(`m.sentiment_label = 'negative'`)
    if (f.queue === 'unanswered') conditions.push(`NOT ${HAS_REPLY}`)
    // Praise worth a thank-you or a share: warm words or praise intent, not yet answered.
    if (f.queue === 'praise') conditions.push(`(m.sentiment_label = 'positive' OR m.intent = 'praise')`, `NOT ${HAS_REPLY}`)
    if (f.queue === 'assigned') conditions.push('t.assignee IS NOT NULL')
    const sort = f.sort ?? (f.queue === 'negative' || f.queue === 'unanswered' || f.queue === 'praise' ? 'priority' : 'newest')
    return { conditions, sort }
  }

  /** Several rows by id, in the order asked; ids not stored are left out. */
  async function manyById(ids: readonly number[], now: number | undefined): Promise<Mention[]> {
    if (!ids.length) return []
    const found = new Map<number, Mention>()
    for (const r of await pg.query<PgMentionRow>(`${SELECT_VIEW} WHERE m.id = ANY($1::bigint[])`, [ids])) found.set(r.id, fromPgRow(r, now))
    return ids.flatMap((id) => found.get(id) ?? [])
  }

  /**
   * The top `limit` by priority without judging the whole queue, as SQLite does it: the
   * stored part (mentions.priority, in the mentions_priority partial index) bounds the full
   * priority from above, so the k-th best of the first few by stored priority is a floor
   * only rows whose stored part reaches it can beat.
   */
  async function topByPriority(f: QueueFilter, limit: number): Promise<Mention[]> {
    const probeParams = new Params(f.now)
    const probeWhere = queueWhere(f, probeParams).conditions
    const probe = await pg.query<{ p: number }>(
      `SELECT ${prioritySqlAt(probeParams)} AS p ${FROM_VIEW}${whereOf(probeWhere)} ORDER BY m.priority DESC, m.id DESC LIMIT ${probeParams.add(limit * 4)}`,
      probeParams.values,
    )
    const floor = probe.length >= limit ? probe.map((r) => r.p).sort((x, y) => y - x)[limit - 1] : undefined
    const p = new Params(f.now)
    const conditions = queueWhere(f, p).conditions
    // At 0 every row ties the floor (the full priority stops at 0), whatever its stored part.
    // Above it, the bound from the row alone (stored part and age) drops most rows over the
    // floor before their replies are looked up: old rows have lost their full 20 points to age.
    if (floor !== undefined && floor > 0) {
      const at = p.add(floor)
      conditions.push(`m.priority >= ${at}`, `${priorityBoundSql({ now: p.now(), dialect: 'postgres' })} >= ${at}`)
    }
    // Rank ids only: the full row (tags, answered) is read for the winners alone.
    const ids = await pg.query<{ id: number }>(`SELECT m.id ${FROM_VIEW}${whereOf(conditions)} ORDER BY ${orderBy('priority', p)} LIMIT ${p.add(limit)}`, p.values)
    return manyById(ids.map((r) => r.id), f.now)
  }

  async function queuePage(f: QueueFilter): Promise<QueuePage> {
    let mentions: Mention[]
    const { sort } = queueWhere(f, new Params(f.now))
    if (sort === 'priority' && f.limit !== undefined) {
      mentions = await topByPriority(f, f.limit)
    } else {
      const p = new Params(f.now)
      const { conditions } = queueWhere(f, p)
      const order = orderBy(sort, p)
      const limit = f.limit !== undefined ? ` LIMIT ${p.add(f.limit)}` : ''
      mentions = (await rows(`${SELECT_VIEW}${whereOf(conditions)} ORDER BY ${order}${limit}`, p)).map((r) => fromPgRow(r, f.now))
    }
    const p = new Params(f.now)
    const { conditions } = queueWhere(f, p)
    return { mentions, ...(await countBeyond(`${FROM_VIEW}${whereOf(conditions)}`, p, mentions.length, f)) }
  }

  /**
   * What the limit cut off, as SQLite counts it. Counting costs a second pass, so only when the
   * limit may have cut rows off; with a cap, the pass stops after that many more.
   */
  async function countBeyond(from: string, p: Params, shown: number, f: { countMore?: boolean; limit?: number; moreCap?: number }): Promise<Pick<QueuePage, 'more' | 'moreCapped'>> {
    if (!f.countMore || f.limit === undefined || shown !== f.limit) return { more: 0 }
    if (f.moreCap === undefined) return { more: (await countOf(`SELECT count(*) AS n ${from}`, p.values)) - shown }
    const upTo = shown + f.moreCap
    const n = await countOf(`SELECT count(*) AS n FROM (SELECT 1 ${from} LIMIT ${p.add(upTo)}) AS capped`, p.values)
    return n >= upTo ? { more: f.moreCap, moreCapped: true } : { more: n - shown }
  }

  async function search(f: SearchFilter): Promise<QueuePage> {
    let tsquery: string | null
    try {
      tsquery = ftsToTsquery(f.query)
    } catch (err) {
      // The same usage error SQLite gives for a query FTS5 cannot read.
      if (err instanceof FtsQueryError) {
        throw new UsageError(`cannot read the search query ${JSON.stringify(f.query)} (${err.message}); put phrases in "double quotes", use AND, OR, NOT and prefix*`)
      }
      throw err
    }
    const p = new Params(f.now)
    const query = tsquery === null ? undefined : `to_tsquery('simple', ${p.add(tsquery)})`
    const conditions = [query === undefined ? 'false' : `m.fts @@ ${query}`, ...listConditions(f, p)]
    const countParams = new Params(f.now)
    countParams.values.push(...p.values)
    // ts_rank stands in for bm25: the relevance order may differ from SQLite's, the others cannot.
    const order = f.sort === 'newest' || f.sort === 'oldest' ? orderBy(f.sort, p) : `${query === undefined ? '0' : `ts_rank(m.fts, ${query})`} DESC, m.created_at DESC, m.id DESC`
    const limit = f.limit !== undefined ? ` LIMIT ${p.add(f.limit)}` : ''
    const from = `${FROM_VIEW}${whereOf(conditions)}`
    const mentions = (await rows(`SELECT ${COLUMNS} ${from} ORDER BY ${order}${limit}`, p)).map((r) => fromPgRow(r, f.now))
    return { mentions, ...(await countBeyond(from, countParams, mentions.length, f)) }
  }

  /**
   * Chunks in export order (created_at DESC, id DESC), keyset-paged: each chunk is its own
   * short query, so no connection or snapshot is held between awaits.
   */
  function iterate(f: ListFilter = {}, chunk = 1000): AsyncIterable<Mention[]> {
    return {
      async *[Symbol.asyncIterator]() {
        let last: Mention | undefined
        for (;;) {
          const p = new Params(f.now ?? 0)
          const conditions = listConditions(f, p)
          if (last) conditions.push(`(m.created_at, m.id) < (${p.add(last.createdAt)}::bigint, ${p.add(last.id)}::bigint)`)
          const page = (await rows(`${SELECT_VIEW}${whereOf(conditions)} ORDER BY m.created_at DESC, m.id DESC LIMIT ${p.add(chunk)}`, p)).map((r) => fromPgRow(r, f.now))
          if (page.length === 0) return
          yield page
          if (page.length < chunk) return
          last = page[page.length - 1]
        }
      },
    }
  }

  // PostgreSQL's rows arrive as objects already: the view is one more map, not a second read.
  async function* iterateViews(f: ListFilter = {}, chunk = 1000): AsyncIterable<MentionView[]> {
    for await (const page of iterate(f, chunk)) yield page.map(toView)
  }

  async function* chunksById<R extends StoredTextRow>(sql: (after: string, limit: string) => string, extra: readonly unknown[], chunk: number): AsyncIterable<R[]> {
    let after = 0
    for (;;) {
      const got = await pg.query<R>(sql(`$${extra.length + 1}`, `$${extra.length + 2}`), [...extra, after, chunk])
      if (got.length === 0) return
      yield got
      if (got.length < chunk) return
      after = (got[got.length - 1] as R).id
    }
  }

  return {
    queue: async (f) => (await queuePage(f)).mentions,
    queuePage,
    search,
    iterate,
    iterateViews,

    get: async (id, now) => {
      const [r] = await pg.query<PgMentionRow>(`${SELECT_VIEW} WHERE m.id = $1`, [id])
      return r ? fromPgRow(r, now) : undefined
    },

    getMany: (ids, now) => manyById(ids, now),

    thread: async (id, now) => {
      const [self] = await pg.query<{ source: string; external_id: string; parent_external_id: string | null }>(
        'SELECT source, external_id, parent_external_id FROM mentions WHERE id = $1',
        [id],
      )
      if (!self) return { parent: null, replies: [] }
      const [parent] = self.parent_external_id
        ? await pg.query<PgMentionRow>(`${SELECT_VIEW} WHERE m.source = $1 AND m.external_id = $2`, [self.source, self.parent_external_id])
        : []
      const replies = await pg.query<PgMentionRow>(`${SELECT_VIEW} WHERE m.source = $1 AND m.parent_external_id = $2 ORDER BY m.created_at, m.id`, [self.source, self.external_id])
      return { parent: parent ? fromPgRow(parent, now) : null, replies: replies.map((r) => fromPgRow(r, now)) }
    },

    brandReplies: async (id) =>
      (await pg.query<BrandReply & { at: number }>(
        `SELECT kind, reply_source AS source, reply_external_id AS "externalId", replied_at AS at, handle, url FROM replies
         WHERE mention_id = $1 ORDER BY replied_at, reply_external_id COLLATE "C"`,
        [id],
      )).map((r) => ({ kind: r.kind, source: r.source, externalId: r.externalId, at: r.at, handle: r.handle, url: r.url })),

    async *staleScores(version: string, all = false, chunk = 1000) {
      const sql = (after: string, limit: string) => `SELECT id, title, text, parent_external_id, lang, rating FROM mentions
        WHERE id > ${after}${all ? '' : ' AND scorer_version <> $1'} ORDER BY id LIMIT ${limit}`
      for await (const got of chunksById<StoredTextRow>(sql, all ? [] : [version], chunk)) yield got.map(toStoredText)
    },

    async *texts(chunk = 1000) {
      type TextRow = StoredTextRow & { brands: string[]; terms: string[]; competitor: boolean; ignored_by_rematch: boolean }
      const sql = (after: string, limit: string) => `SELECT m.id, m.title, m.text, m.parent_external_id, m.lang, m.rating, m.brands, m.terms, m.competitor,
          coalesce(t.state = 'ignored' AND t.state_reason = 'rematch', false) AS ignored_by_rematch
        ${FROM_VIEW} WHERE m.id > ${after} AND NOT m.is_own ORDER BY m.id LIMIT ${limit}`
      for await (const got of chunksById<TextRow>(sql, [], chunk)) {
        yield got.map((r) => ({ ...toStoredText(r), brands: r.brands, terms: r.terms, competitor: r.competitor, ignoredByRematch: r.ignored_by_rematch }))
      }
    },

    events: async (mentionId) =>
      (await pg.query<{ id: number; mention_id: number; at: number; actor: string; action: string; detail: Record<string, unknown> }>(
        'SELECT id, mention_id, at, actor, action, detail FROM events WHERE mention_id = $1 ORDER BY at, id',
        [mentionId],
      )).map((e): MentionEvent => ({ id: e.id, mentionId: e.mention_id, at: e.at, actor: e.actor, action: e.action, detail: e.detail })),

    sightings: async (mentionId) =>
      (await pg.query<Sighting & { n: number }>(
        `SELECT * FROM (SELECT source, external_id AS "externalId", url, fetched_at AS "seenAt", 0 AS n FROM mentions WHERE id = $1
         UNION ALL SELECT source, external_id, url, seen_at, 1 FROM sightings WHERE mention_id = $1) s
         ORDER BY n, "seenAt", source COLLATE "C"`,
        [mentionId],
      )).map(({ n: _n, ...s }) => s),

    count: async () => countOf('SELECT count(*) AS n FROM mentions', []),
  }
}
