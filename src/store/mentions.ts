// The mentions table group: mentions, mention_brands, replies, triage, events.
import type { Intent, Mention, MentionDraft, QueueName, SentimentLabel, TriageState } from '../model.js'
import type { Db } from './open.js'

/** A draft that has been matched and scored, ready to store. */
export interface MentionRecord extends MentionDraft {
  source: string
  brands: string[]
  terms: string[]
  isOwn: boolean
  /** Every brand it matched is a `competitor`: stored and counted, never queued. */
  competitor: boolean
  sentimentLabel: SentimentLabel
  sentimentScore: number
  intent: Intent
  priority: number
  scorerVersion: string
  fetchedAt: number
}

/** What the scorer needs of a stored mention. */
export interface StoredText {
  id: number
  title?: string
  text: string
  parentExternalId?: string
}
interface StoredTextRow {
  id: number
  title: string | null
  text: string
  parentExternalId: string | null
}

export type UpsertOutcome = 'new' | 'updated' | 'unchanged'

export interface QueueFilter extends ListFilter {
  queue: QueueName
  limit?: number
  now: number
}

interface Row {
  id: number
  source: string
  external_id: string
  url: string
  canonical_url: string | null
  brands: string
  terms: string
  author_handle: string | null
  author_name: string | null
  author_reach: number | null
  title: string | null
  text: string
  lang: string | null
  created_at: number
  fetched_at: number
  updated_at: number
  parent_external_id: string | null
  thread_external_id: string | null
  likes: number | null
  reposts: number | null
  replies: number | null
  score: number | null
  is_own: number
  sentiment_score: number
  sentiment_label: SentimentLabel
  intent: Intent
  sentiment_source: 'scorer' | 'human'
  intent_source: 'scorer' | 'human'
  priority: number
  scorer_version: string
  state: TriageState | null
  assignee: string | null
  answered: number
}

const SELECT_VIEW = `
  SELECT m.*, t.state AS state, t.assignee AS assignee,
         EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id) AS answered
  FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id`

function fromRow(r: Row): Mention {
  return {
    id: r.id,
    source: r.source,
    externalId: r.external_id,
    url: r.url,
    canonicalUrl: r.canonical_url,
    brands: JSON.parse(r.brands) as string[],
    terms: JSON.parse(r.terms) as string[],
    authorHandle: r.author_handle,
    authorName: r.author_name,
    authorReach: r.author_reach,
    title: r.title,
    text: r.text,
    lang: r.lang,
    createdAt: r.created_at,
    fetchedAt: r.fetched_at,
    updatedAt: r.updated_at,
    parentExternalId: r.parent_external_id,
    threadExternalId: r.thread_external_id,
    likes: r.likes,
    reposts: r.reposts,
    replies: r.replies,
    score: r.score,
    isOwn: r.is_own === 1,
    sentimentLabel: r.sentiment_label,
    sentimentScore: r.sentiment_score,
    intent: r.intent,
    sentimentOverridden: r.sentiment_source === 'human',
    intentOverridden: r.intent_source === 'human',
    priority: r.priority,
    scorerVersion: r.scorer_version,
    state: r.state ?? 'open',
    assignee: r.assignee,
    answered: r.answered === 1,
  }
}

/** Filters every list shares: source, brand (any case), created since. */
export interface ListFilter {
  source?: string
  brand?: string
  since?: number
}

function commonFilters(f: ListFilter): { where: string[]; args: Record<string, unknown> } {
  const where: string[] = []
  const args: Record<string, unknown> = {}
  if (f.source) {
    where.push('m.source = @source')
    args.source = f.source
  }
  if (f.since !== undefined) {
    where.push('m.created_at >= @since')
    args.since = f.since
  }
  if (f.brand) {
    where.push('EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand = @brand COLLATE NOCASE)')
    args.brand = f.brand
  }
  return { where, args }
}

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])]

export function mentionsRepo(db: Db) {
  const byKey = db.prepare<[string, string], Pick<Row, 'id' | 'text' | 'title' | 'url' | 'brands' | 'terms' | 'likes' | 'reposts' | 'replies' | 'score'>>(
    `SELECT id, text, title, url, brands, terms, likes, reposts, replies, score FROM mentions WHERE source = ? AND external_id = ?`,
  )
  const insert = db.prepare(`
    INSERT INTO mentions (source, external_id, url, canonical_url, brands, terms, author_handle, author_name,
      author_reach, title, text, lang, created_at, fetched_at, updated_at, parent_external_id, thread_external_id,
      likes, reposts, replies, score, is_own, sentiment_score, sentiment_label, intent, priority, scorer_version)
    VALUES (@source, @externalId, @url, @canonicalUrl, @brands, @terms, @authorHandle, @authorName,
      @authorReach, @title, @text, @lang, @createdAt, @fetchedAt, @fetchedAt, @parentExternalId, @threadExternalId,
      @likes, @reposts, @replies, @score, @isOwn, @sentimentScore, @sentimentLabel, @intent, @priority, @scorerVersion)`)
  const insertBrand = db.prepare(`INSERT OR IGNORE INTO mention_brands (brand, mention_id) VALUES (?, ?)`)
  // Content changes re-score, but a human's label or intent always wins.
  const update = db.prepare(`
    UPDATE mentions SET url = @url, title = @title, text = @text, brands = @brands, terms = @terms,
      likes = @likes, reposts = @reposts, replies = @replies, score = @score, updated_at = @fetchedAt,
      sentiment_score = CASE WHEN sentiment_source = 'human' THEN sentiment_score ELSE @sentimentScore END,
      sentiment_label = CASE WHEN sentiment_source = 'human' THEN sentiment_label ELSE @sentimentLabel END,
      intent = CASE WHEN intent_source = 'human' THEN intent ELSE @intent END,
      scorer_version = @scorerVersion
    WHERE id = @id`)

  // The brand answered a mention when one of its own posts replies to it. Either side may be
  // stored first, so both directions are checked on every write.
  const replyToParent = db.prepare(`
    INSERT OR IGNORE INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
    SELECT p.id, @source, @externalId, @createdAt, @handle FROM mentions p
    WHERE p.source = @source AND p.external_id = @parentExternalId`)
  const repliesFromChildren = db.prepare(`
    INSERT OR IGNORE INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
    SELECT @id, c.source, c.external_id, c.created_at, coalesce(c.author_handle, '')
    FROM mentions c WHERE c.source = @source AND c.parent_external_id = @externalId AND c.is_own = 1`)

  function recordReplies(m: MentionRecord, id: number): void {
    if (m.isOwn && m.parentExternalId) {
      replyToParent.run({ source: m.source, externalId: m.externalId, createdAt: m.createdAt, handle: m.author?.handle ?? '', parentExternalId: m.parentExternalId })
    }
    repliesFromChildren.run({ id, source: m.source, externalId: m.externalId })
  }

  function params(m: MentionRecord) {
    return {
      source: m.source,
      externalId: m.externalId,
      url: m.url,
      canonicalUrl: m.canonicalUrl ?? null,
      brands: JSON.stringify(m.brands),
      terms: JSON.stringify(m.terms),
      authorHandle: m.author?.handle ?? null,
      authorName: m.author?.name ?? null,
      authorReach: m.author?.reach ?? null,
      title: m.title ?? null,
      text: m.text,
      lang: m.lang ?? null,
      createdAt: m.createdAt,
      fetchedAt: m.fetchedAt,
      parentExternalId: m.parentExternalId ?? null,
      threadExternalId: m.threadExternalId ?? null,
      likes: m.metrics?.likes ?? null,
      reposts: m.metrics?.reposts ?? null,
      replies: m.metrics?.replies ?? null,
      score: m.metrics?.score ?? null,
      isOwn: m.isOwn ? 1 : 0,
      sentimentScore: m.sentimentScore,
      sentimentLabel: m.sentimentLabel,
      intent: m.intent,
      priority: m.priority,
      scorerVersion: m.scorerVersion,
    }
  }

  function upsertOne(m: MentionRecord): UpsertOutcome {
    const p = params(m)
    const existing = byKey.get(m.source, m.externalId)
    if (!existing) {
      const id = Number(insert.run(p).lastInsertRowid)
      for (const b of m.brands) insertBrand.run(b, id)
      recordReplies(m, id)
      return 'new'
    }
    const storedBrands = JSON.parse(existing.brands) as string[]
    const storedTerms = JSON.parse(existing.terms) as string[]
    const brands = union(storedBrands, m.brands)
    const terms = union(storedTerms, m.terms)
    const same =
      existing.text === p.text &&
      existing.title === p.title &&
      existing.url === p.url &&
      existing.likes === p.likes &&
      existing.reposts === p.reposts &&
      existing.replies === p.replies &&
      existing.score === p.score &&
      brands.length === storedBrands.length &&
      terms.length === storedTerms.length
    if (same) return 'unchanged'
    update.run({ ...p, brands: JSON.stringify(brands), terms: JSON.stringify(terms), id: existing.id })
    for (const b of m.brands) insertBrand.run(b, existing.id)
    return 'updated'
  }

  /** Stores one page in one transaction: all of it or none of it. */
  const upsertPage = db.transaction((records: readonly MentionRecord[]) => {
    const counts = { new: 0, updated: 0, unchanged: 0 }
    for (const r of records) counts[upsertOne(r)]++
    return counts
  })

  function queueSql(f: QueueFilter): { sql: string; args: Record<string, unknown> } {
    const { where, args } = commonFilters(f)
    where.unshift(
      'm.is_own = 0',
      `(t.state IS NULL OR t.state = 'open' OR (t.state = 'snoozed' AND t.snoozed_until <= @now))`,
    )
    args.now = f.now
    if (f.queue === 'negative') where.push(`m.sentiment_label = 'negative'`)
    if (f.queue === 'unanswered') where.push('NOT EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id)')
    const limit = f.limit !== undefined ? ' LIMIT @limit' : ''
    if (f.limit !== undefined) args.limit = f.limit
    return { sql: `${SELECT_VIEW} WHERE ${where.join(' AND ')} ORDER BY m.created_at DESC, m.id DESC${limit}`, args }
  }

  // Queue queries vary only by which filters are present: a handful of distinct SQL
  // strings, each prepared once.
  const prepared = new Map<string, ReturnType<Db['prepare']>>()
  const prepare = (sql: string) => {
    let stmt = prepared.get(sql)
    if (!stmt) prepared.set(sql, (stmt = db.prepare(sql)))
    return stmt
  }

  const byId = db.prepare<[number], Row>(`${SELECT_VIEW} WHERE m.id = ?`)
  const insertEvent = db.prepare(
    `INSERT INTO events (mention_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)`,
  )

  return {
    upsertPage: (records: readonly MentionRecord[]) => upsertPage.immediate(records),

    queue(f: QueueFilter): Mention[] {
      const { sql, args } = queueSql(f)
      return (prepare(sql).all(args) as Row[]).map(fromRow)
    },

    /** Every mention, newest first, streamed row by row. */
    *iterate(f: ListFilter = {}): Generator<Mention> {
      const { where, args } = commonFilters(f)
      const sql = `${SELECT_VIEW}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY m.created_at DESC, m.id DESC`
      // Not cached: an iterator left open (a reader that went away) would keep a shared
      // statement busy.
      for (const r of db.prepare(sql).iterate(args) as IterableIterator<Row>) yield fromRow(r)
    },

    get(id: number): Mention | undefined {
      const r = byId.get(id)
      return r ? fromRow(r) : undefined
    },

    /** Mentions whose stored score came from another scorer version (or all, with `all`). */
    *staleScores(version: string, all = false): Generator<StoredText> {
      const sql = `SELECT id, title, text, parent_external_id AS parentExternalId FROM mentions${all ? '' : ' WHERE scorer_version <> ?'} ORDER BY id`
      const stmt = db.prepare(sql)
      for (const r of (all ? stmt.iterate() : stmt.iterate(version)) as IterableIterator<StoredTextRow>) {
        yield { id: r.id, text: r.text, ...(r.title !== null ? { title: r.title } : {}), ...(r.parentExternalId !== null ? { parentExternalId: r.parentExternalId } : {}) }
      }
    },

    /** Applies new scores in one transaction; human-set fields stay as they are. */
    applyScores: db.transaction(
      (version: string, scores: readonly { id: number; label: SentimentLabel; score: number; intent: Intent }[]) => {
        const stmt = db.prepare(`
          UPDATE mentions SET scorer_version = @version,
            sentiment_score = CASE WHEN sentiment_source = 'human' THEN sentiment_score ELSE @score END,
            sentiment_label = CASE WHEN sentiment_source = 'human' THEN sentiment_label ELSE @label END,
            intent = CASE WHEN intent_source = 'human' THEN intent ELSE @intent END
          WHERE id = @id`)
        let changed = 0
        for (const s of scores) changed += stmt.run({ ...s, version }).changes
        return changed
      },
    ),

    /** A human's label. Recorded in the events log. */
    setLabel: db.transaction(
      (id: number, change: { sentiment?: SentimentLabel; intent?: Intent }, actor: string, now: number): boolean => {
        const before = byId.get(id)
        if (!before) return false
        if (change.sentiment) {
          db.prepare(`UPDATE mentions SET sentiment_label = ?, sentiment_source = 'human', updated_at = ? WHERE id = ?`).run(
            change.sentiment, now, id,
          )
        }
        if (change.intent) {
          db.prepare(`UPDATE mentions SET intent = ?, intent_source = 'human', updated_at = ? WHERE id = ?`).run(
            change.intent, now, id,
          )
        }
        insertEvent.run(id, now, actor, 'label', JSON.stringify({
          ...(change.sentiment ? { sentiment: { from: before.sentiment_label, to: change.sentiment } } : {}),
          ...(change.intent ? { intent: { from: before.intent, to: change.intent } } : {}),
        }))
        return true
      },
    ),

    count(): number {
      return (db.prepare('SELECT count(*) AS n FROM mentions').get() as { n: number }).n
    },
  }
}

export type MentionsRepo = ReturnType<typeof mentionsRepo>
