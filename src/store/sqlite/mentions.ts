// The mentions table group on SQLite: mentions, mention_brands, replies, triage, events.
// better-sqlite3 is synchronous; every method here runs its statements in one go and
// returns a settled Promise, and lists come back in chunks (keyset pages), so the async
// interface costs one await per call or chunk and no statement stays open between chunks.
import type { Intent, Mention, QueueSort, SentimentLabel, TriageState } from '../../model.js'
import { UsageError } from '../../errors.js'
import { shownTriage } from '../triage-state.js'
import { contentPrioritySql, priorityBoundSql, prioritySql, priorityScore } from '../../rules/priority.js'
import type {
  BrandReply,
  ListFilter,
  QueuePage,
  SearchFilter,
  MentionEvent,
  MentionRecord,
  MentionsRepo,
  QueueFilter,
  RematchChange,
  ScoreUpdate,
  Sighting,
  StoredText,
  UpsertCounts,
  UpsertOutcome,
} from '../types.js'
import type { Statement } from 'better-sqlite3'
import { urlKey } from '../url-key.js'
import { exportChunks, exportViewChunks } from './export.js'
import { MENTION_HOURS_REBUILD } from './migrations.js'
import { lazyPrepare, storeFailure, storeRunner, type Db } from './open.js'

interface Row {
  id: number
  source: string
  source_name: string | null
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
  rating: number | null
  is_own: number
  competitor: number
  sentiment_score: number
  sentiment_label: SentimentLabel
  intent: Intent
  sentiment_source: 'scorer' | 'human'
  intent_source: 'scorer' | 'human'
  priority: number
  scorer_version: string
  boost: number
  state: TriageState | null
  assignee: string | null
  snoozed_until: number | null
  tags: string
  answered: number | null
}

// answered: 1 a reply is stored, 0 none is, NULL none could have been seen.
const ANSWERED = `CASE WHEN EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id) THEN 1 WHEN m.answerable = 1 THEN 0 END`
const COLUMNS = `m.*, t.state AS state, t.assignee AS assignee, t.snoozed_until AS snoozed_until,
         (SELECT json_group_array(g.tag) FROM mention_tags g WHERE g.mention_id = m.id) AS tags,
         ${ANSWERED} AS answered`
const SELECT_VIEW = `
  SELECT ${COLUMNS}
  FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id`

// A snooze that has run out is open again: no job has to wake it.
const OPEN = `(t.state IS NULL OR t.state = 'open' OR (t.state = 'snoozed' AND t.snoozed_until <= @now))`
const STATE_SQL: Record<TriageState, string> = {
  open: OPEN,
  snoozed: `(t.state = 'snoozed' AND t.snoozed_until > @now)`,
  done: `t.state = 'done'`,
  ignored: `t.state = 'ignored'`,
}
const HAS_REPLY = 'EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id)'
const ANSWERED_SQL = { yes: HAS_REPLY, no: `(NOT ${HAS_REPLY} AND m.answerable = 1)`, unknown: `(NOT ${HAS_REPLY} AND m.answerable = 0)` } as const
const PRIORITY = prioritySql({ answered: HAS_REPLY, now: '@now' })
const PRIORITY_BOUND = priorityBoundSql({ now: '@now' })

function orderBy(sort: QueueSort): string {
  if (sort === 'oldest') return 'm.created_at ASC, m.id ASC'
  if (sort === 'priority') return `${PRIORITY} DESC, m.created_at DESC, m.id DESC`
  return 'm.created_at DESC, m.id DESC'
}

function fromRow(r: Row, now?: number): Mention {
  const triage = shownTriage(r.state, r.snoozed_until, now)
  const m: Mention = {
    id: r.id,
    source: r.source,
    sourceName: r.source_name,
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
    rating: r.rating,
    isOwn: r.is_own === 1,
    competitor: r.competitor === 1,
    sentimentLabel: r.sentiment_label,
    sentimentScore: r.sentiment_score,
    intent: r.intent,
    sentimentOverridden: r.sentiment_source === 'human',
    intentOverridden: r.intent_source === 'human',
    priority: 0,
    boost: r.boost,
    scorerVersion: r.scorer_version,
    state: triage.state,
    snoozedUntil: triage.snoozedUntil,
    assignee: r.assignee,
    tags: JSON.parse(r.tags) as string[],
    answered: r.answered === null ? null : r.answered === 1,
  }
  // Judged at the time the list was asked for: the same formula the SQL sorts by.
  m.priority = priorityScore(m, now ?? m.createdAt)
  return m
}

// Filters are bound by position name; lists of sources and brands get one parameter each.
function commonFilters(f: ListFilter): { where: string[]; args: Record<string, unknown> } {
  const where: string[] = []
  const args: Record<string, unknown> = {}
  if (f.sources?.length) {
    where.push(`m.source IN (${f.sources.map((_, i) => `@source${i}`).join(', ')})`)
    f.sources.forEach((s, i) => (args[`source${i}`] = s))
  }
  if (f.since !== undefined) {
    where.push('m.created_at >= @since')
    args.since = f.since
  }
  if (f.until !== undefined) {
    where.push('m.created_at <= @until')
    args.until = f.until
  }
  if (f.newSince !== undefined) {
    where.push('m.fetched_at >= @newSince')
    args.newSince = f.newSince
  }
  if (f.brands?.length) {
    const list = f.brands.map((_, i) => `@brand${i}`).join(', ')
    where.push(`EXISTS (SELECT 1 FROM mention_brands b WHERE b.mention_id = m.id AND b.brand COLLATE NOCASE IN (${list}))`)
    f.brands.forEach((b, i) => (args[`brand${i}`] = b))
  }
  args.now = f.now ?? 0
  const list = (name: string, values: readonly string[]) => {
    values.forEach((v, i) => (args[`${name}${i}`] = v))
    return values.map((_, i) => `@${name}${i}`).join(', ')
  }
  if (f.states?.length) where.push(`(${f.states.map((st) => STATE_SQL[st]).join(' OR ')})`)
  if (f.assignees?.length) where.push(`coalesce(t.assignee, '') COLLATE NOCASE IN (${list('assignee', f.assignees)})`)
  if (f.intents?.length) where.push(`m.intent IN (${list('intent', f.intents)})`)
  if (f.sentiments?.length) where.push(`m.sentiment_label IN (${list('sentiment', f.sentiments)})`)
  if (f.olderThan !== undefined) {
    where.push('m.created_at <= @olderThan')
    args.olderThan = f.olderThan
  }
  if (f.minReach !== undefined) {
    where.push('coalesce(m.author_reach, 0) >= @minReach')
    args.minReach = f.minReach
  }
  if (f.answered?.length) where.push(`(${f.answered.map((a) => ANSWERED_SQL[a]).join(' OR ')})`)
  if (f.tags?.length) where.push(`EXISTS (SELECT 1 FROM mention_tags g WHERE g.mention_id = m.id AND g.tag COLLATE NOCASE IN (${list('tag', f.tags)}))`)
  return { where, args }
}

// The indexes only reads use: an upsert looks rows up by (source, external_id), url_key and
// parent, never by these, so a bulk load into an empty table can build them at the end.
const DEFERRABLE_INDEXES: ReadonlySet<string> = new Set(['mentions_created', 'mentions_negative', 'mentions_fetched', 'mentions_priority', 'mentions_source_created', 'mentions_overdue'])

/**
 * What a bulk load into an empty table leaves out until its end (a schema entry of
 * sqlite_master): those read indexes, and the hourly counts' triggers, whose lookup and upsert
 * per brand row cost more than one grouped count of the loaded rows.
 */
export function deferredByBulkLoad(entry: { type: string; name: string }): boolean {
  return (entry.type === 'index' && DEFERRABLE_INDEXES.has(entry.name)) || (entry.type === 'trigger' && entry.name.startsWith('mention_hours_'))
}
const BULK_CACHE_KIB = -32768
// Every row's brands (a merge adds its brands to the row's column as it adds their pairs), in
// id order: each brand's pairs append at the end of its range. At the end of a million-row
// load this is a fifth of what writing the pairs page by page cost, measured.
const BRANDS_FROM_ROWS = `INSERT OR IGNORE INTO mention_brands (brand, mention_id) SELECT j.value, m.id FROM mentions m, json_each(m.brands) j`

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])]

export function mentionsRepo(db: Db, file: string): MentionsRepo {
  const run = storeRunner(file)

  type Stored = Pick<Row, 'id' | 'source' | 'text' | 'title' | 'url' | 'brands' | 'terms' | 'likes' | 'reposts' | 'replies' | 'score' | 'rating' | 'competitor'> & {
    owner_replied: number
  }
  const STORED = `m.id, m.source, m.text, m.title, m.url, m.brands, m.terms, m.likes, m.reposts, m.replies, m.score, m.rating, m.competitor,
    EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id AND r.kind = 'owner') AS owner_replied`
  const byKey = lazyPrepare<[string, string], Stored>(db, `SELECT ${STORED} FROM mentions m WHERE m.source = ? AND m.external_id = ?`)
  // Seen before under this id, merged into a mention from another source.
  const bySighting = lazyPrepare<[string, string], Stored>(
    db,
    `SELECT ${STORED} FROM sightings s JOIN mentions m ON m.id = s.mention_id WHERE s.source = ? AND s.external_id = ?`,
  )
  // The same post from another source: the same canonical URL.
  const byUrlKey = lazyPrepare<[string, string], Stored>(db, `SELECT ${STORED} FROM mentions m WHERE m.url_key = ? AND m.source <> ? ORDER BY m.id LIMIT 1`)
  // The same three lookups for a whole page at once (JSON lists of keys). What a page writes
  // makes their answers stale for the rows and keys written, and those are asked again one by
  // one (see PageLookup).
  const byKeys = lazyPrepare<[string], Stored & { k_source: string; k_id: string }>(
    db,
    `SELECT ${STORED}, m.source AS k_source, m.external_id AS k_id FROM json_each(?) k JOIN mentions m ON m.source = k.value ->> 0 AND m.external_id = k.value ->> 1`,
  )
  const bySightings = lazyPrepare<[string], Stored & { k_source: string; k_id: string }>(
    db,
    `SELECT ${STORED}, s.source AS k_source, s.external_id AS k_id FROM json_each(?) k
     JOIN sightings s ON s.source = k.value ->> 0 AND s.external_id = k.value ->> 1 JOIN mentions m ON m.id = s.mention_id`,
  )
  const byUrlKeys = lazyPrepare<[string], Stored & { k_url: string }>(
    db,
    `SELECT ${STORED}, m.url_key AS k_url FROM json_each(?) k JOIN mentions m ON m.url_key = k.value WHERE m.url_key IS NOT NULL ORDER BY m.id`,
  )
  // eslint-disable-next-line no-control-regex
  const ODD = /[\u0000\ud800-\udfff]/
  const keyOf = (source: string, externalId: string) => `${source}\u0000${externalId}`

  /** What a page found stored when it began, and what it has written since. */
  interface PageLookup {
    byKey: Map<string, Stored>
    bySighting: Map<string, Stored>
    byUrl: Map<string, Stored[]>
    urlKeys: Map<MentionRecord, string | null>
    /** Keys (source, external id) a row or sighting was stored under during the page. */
    keys: Set<string>
    urls: Set<string>
    /** Mentions the page wrote: their prefetched values are stale. */
    ids: Set<number>
  }
  let page: PageLookup | undefined

  function lookUp(records: readonly MentionRecord[]): PageLookup {
    const l: PageLookup = { byKey: new Map(), bySighting: new Map(), byUrl: new Map(), urlKeys: new Map(), keys: new Set(), urls: new Set(), ids: new Set() }
    const keys = JSON.stringify(records.map((r) => [r.source, r.externalId]))
    // Text that JSON may not carry through SQLite's JSON functions unchanged (NUL, lone
    // surrogates) is looked up one by one, as if the page had written it.
    for (const r of records) if (ODD.test(r.source) || ODD.test(r.externalId)) l.keys.add(keyOf(r.source, r.externalId))
    for (const r of byKeys.all(keys)) l.byKey.set(keyOf(r.k_source, r.k_id), r)
    for (const r of bySightings.all(keys)) l.bySighting.set(keyOf(r.k_source, r.k_id), r)
    const urls = new Set<string>()
    for (const r of records) {
      if (l.byKey.has(keyOf(r.source, r.externalId))) continue
      // An item with its own canonical link (a story's URL) is known by it; else by its permalink.
      const u = urlKey(r.canonicalUrl ?? r.url) ?? null
      l.urlKeys.set(r, u)
      if (u !== null && ODD.test(u)) l.urls.add(u)
      else if (u !== null) urls.add(u)
    }
    if (urls.size) {
      for (const r of byUrlKeys.all(JSON.stringify([...urls]))) {
        const list = l.byUrl.get(r.k_url)
        if (list) list.push(r)
        else l.byUrl.set(r.k_url, [r])
      }
    }
    return l
  }
  const fresh = (l: PageLookup, hit: Stored | undefined): hit is Stored => hit !== undefined && !l.ids.has(hit.id)
  function findByKey(source: string, externalId: string): Stored | undefined {
    const k = keyOf(source, externalId)
    if (page && !page.keys.has(k)) {
      const hit = page.byKey.get(k)
      if (hit === undefined || fresh(page, hit)) return hit
    }
    return byKey.get(source, externalId)
  }
  function findBySighting(source: string, externalId: string): Stored | undefined {
    const k = keyOf(source, externalId)
    if (page && !page.keys.has(k)) {
      const hit = page.bySighting.get(k)
      if (hit === undefined || fresh(page, hit)) return hit
    }
    return bySighting.get(source, externalId)
  }
  function findByUrl(key: string, source: string): Stored | undefined {
    const l = page
    const list = l?.byUrl.get(key)
    if (l && !l.urls.has(key) && (list ?? []).every((r) => !l.ids.has(r.id))) return list?.find((r) => r.source !== source)
    return byUrlKey.get(key, source)
  }
  const written = (id: number) => page?.ids.add(id)

  const insertSighting = lazyPrepare(db, `INSERT OR IGNORE INTO sightings (source, external_id, mention_id, url, seen_at) VALUES (?, ?, ?, ?, ?)`)
  // Another source's copy of a stored mention: keep the longer text, the larger counts.
  const mergeSighting = lazyPrepare(db, `
    UPDATE mentions SET brands = @brands, terms = @terms, competitor = @competitor, updated_at = @fetchedAt,
      likes = max(coalesce(likes, @likes), coalesce(@likes, likes)), reposts = max(coalesce(reposts, @reposts), coalesce(@reposts, reposts)),
      replies = max(coalesce(replies, @replies), coalesce(@replies, replies)), score = max(coalesce(score, @score), coalesce(@score, score)),
      answerable = max(answerable, @answerable),
      text = CASE WHEN length(@text) > length(text) THEN @text ELSE text END,
      title = CASE WHEN length(@text) > length(text) THEN coalesce(@title, title) ELSE title END,
      sentiment_score = CASE WHEN length(@text) > length(text) THEN @sentimentScore ELSE sentiment_score END,
      sentiment_label = CASE WHEN length(@text) > length(text) AND sentiment_source <> 'human' THEN @sentimentLabel ELSE sentiment_label END,
      intent = CASE WHEN length(@text) > length(text) AND intent_source <> 'human' THEN @intent ELSE intent END
    WHERE id = @id`)
  // The stored priority is computed in the insert itself, by the expression every other write
  // uses, over the bound values: a second UPDATE per new row cost a tenth of the ingest. Values
  // are bound by position (a value the SQL reads twice is bound twice): binding 34 names per
  // row by property lookup, and building the object to look them up in, showed in the profile.
  // Not INSERT … SELECT from a derived table: reading mentions in it makes SQLite stage every
  // row in a temporary table first (twice the cost).
  const NEW_ROW = [
    'source', 'source_name', 'external_id', 'url', 'canonical_url', 'url_key', 'brands', 'terms', 'author_handle', 'author_name',
    'author_reach', 'title', 'text', 'lang', 'created_at', 'fetched_at', 'parent_external_id', 'thread_external_id',
    'likes', 'reposts', 'replies', 'score', 'rating', 'is_own', 'competitor', 'answerable', 'sentiment_score', 'sentiment_label',
    'intent', 'boost', 'scorer_version',
  ] as const
  // Where in the row's values each column the priority expression reads is, in reading order.
  // Found in the text, not in call order: the expression is built from parts made out of order.
  const priorityReads: number[] = []
  const prioritySqlOverValues = contentPrioritySql((c) => `@@${c}@@`).replace(/@@(\w+)@@/g, (_, c: string) => {
    const at = NEW_ROW.indexOf(c as (typeof NEW_ROW)[number])
    if (at < 0) throw new Error(`the priority reads ${c}, which a new row does not bind`)
    priorityReads.push(at)
    return '?'
  })
  const insert = lazyPrepare(db, `
    INSERT INTO mentions (id, ${NEW_ROW.join(', ')}, updated_at, priority)
    VALUES (CASE WHEN EXISTS (SELECT 1 FROM mentions WHERE id = ?) THEN NULL ELSE ? END, ${NEW_ROW.map(() => '?').join(', ')}, ?, ${prioritySqlOverValues})`)
  /** A new row's values for `insert`: the id twice (a taken id becomes NULL), NEW_ROW, updated_at, the priority's reads. */
  function insertValues(m: MentionRecord, key: string | null): unknown[] {
    const author = m.author
    const metrics = m.metrics
    const id = m.id !== undefined && Number.isSafeInteger(m.id) && m.id > 0 ? m.id : null
    const row: unknown[] = [
      m.source, m.sourceName ?? null, m.externalId, m.url, m.canonicalUrl ?? null, key, JSON.stringify(m.brands), JSON.stringify(m.terms),
      author?.handle ?? null, author?.name ?? null, author?.reach ?? null, m.title ?? null, m.text, m.lang ?? null, m.createdAt, m.fetchedAt,
      m.parentExternalId ?? null, m.threadExternalId ?? null, metrics?.likes ?? null, metrics?.reposts ?? null, metrics?.replies ?? null,
      metrics?.score ?? null, m.rating ?? null, m.isOwn ? 1 : 0, m.competitor ? 1 : 0, m.answerable ? 1 : 0, m.sentimentScore,
      m.sentimentLabel, m.intent, m.routing?.boost ?? 0, m.scorerVersion,
    ]
    const values: unknown[] = [id, id, ...row, m.fetchedAt]
    for (const i of priorityReads) values.push(row[i])
    return values
  }
  const insertBrand = lazyPrepare(db, `INSERT OR IGNORE INTO mention_brands (brand, mention_id) VALUES (?, ?)`)
  // A new row's brands are written at the end of its page, many rows to a statement: nothing in
  // the page reads mention_brands, and one statement per pair was a tenth of the insert path.
  const BRANDS_PER_STATEMENT = 250
  const insertBrands = lazyPrepare(db, `INSERT OR IGNORE INTO mention_brands (brand, mention_id) VALUES ${Array(BRANDS_PER_STATEMENT).fill('(?, ?)').join(', ')}`)
  /** brand, mention id, brand, mention id, …: the page's new rows' pairs not yet written. */
  let pendingBrands: (string | number)[] = []
  // Set during a bulk load into an empty table: new rows' brands are written once at its end,
  // from the rows' own brands column (BRANDS_FROM_ROWS), not page by page.
  let brandsAtEnd = false
  function flushBrands(): void {
    const whole = pendingBrands.length - (pendingBrands.length % (2 * BRANDS_PER_STATEMENT))
    for (let i = 0; i < whole; i += 2 * BRANDS_PER_STATEMENT) insertBrands.run(pendingBrands.slice(i, i + 2 * BRANDS_PER_STATEMENT))
    for (let i = whole; i < pendingBrands.length; i += 2) insertBrand.run(pendingBrands[i], pendingBrands[i + 1])
    pendingBrands = []
  }
  // Every write that can change what the priority is made of recomputes its stored part.
  const refreshPriority = lazyPrepare(db, `UPDATE mentions AS m SET priority = ${contentPrioritySql()} WHERE m.id = ?`)
  // Content changes re-score. A human's label or intent always wins; the score follows the
  // current text, so `show` can say what the scorer reads now beside the pinned label.
  const update = lazyPrepare(db, `
    UPDATE mentions SET url = @url, title = @title, text = @text, brands = @brands, terms = @terms,
      likes = @likes, reposts = @reposts, replies = @replies, score = @score, rating = coalesce(@rating, rating), updated_at = @fetchedAt,
      competitor = @competitor, lang = coalesce(@lang, lang), answerable = max(answerable, @answerable),
      sentiment_score = @sentimentScore,
      sentiment_label = CASE WHEN sentiment_source = 'human' THEN sentiment_label ELSE @sentimentLabel END,
      intent = CASE WHEN intent_source = 'human' THEN intent ELSE @intent END,
      scorer_version = @scorerVersion
    WHERE id = @id`)

  // The brand answered a mention when one of its own posts replies to it. Either side may be
  // stored first, so both directions are checked on every write.
  const replyToParent = lazyPrepare(db, `
    INSERT OR IGNORE INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
    SELECT p.id, @source, @externalId, @createdAt, @handle FROM mentions p
    WHERE p.source = @source AND p.external_id = @parentExternalId
    UNION SELECT s.mention_id, @source, @externalId, @createdAt, @handle FROM sightings s
    WHERE s.source = @source AND s.external_id = @parentExternalId`)
  // Once per page over every (id, source, external id) written, not once per row: a reply
  // stored earlier in the page is found all the same, and the per-row statement was a third of
  // the ingest. @keys is a JSON array of [id, source, externalId].
  const repliesFromChildren = lazyPrepare(db, `
    INSERT OR IGNORE INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
    SELECT k.value ->> 0, c.source, c.external_id, c.created_at, coalesce(c.author_handle, '')
    FROM json_each(@keys) k JOIN mentions c ON c.source = k.value ->> 1 AND c.parent_external_id = k.value ->> 2
    WHERE c.is_own = 1 AND c.parent_external_id IS NOT NULL`)
  let childKeys: [number, string, string][] = []
  // Ids JSON cannot carry through SQLite unchanged (see ODD) are matched one by one.
  const repliesFromChildrenOf = lazyPrepare(db, `
    INSERT OR IGNORE INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
    SELECT @id, c.source, c.external_id, c.created_at, coalesce(c.author_handle, '')
    FROM mentions c WHERE c.source = @source AND c.parent_external_id = @externalId AND c.is_own = 1`)

  // A review's owner response is the brand's reply; the first one seen keeps its time.
  const ownerReply = lazyPrepare(db, `
    INSERT OR IGNORE INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle, kind)
    VALUES (@id, @source, 'owner:' || @externalId, @at, @handle, 'owner')`)

  function recordReplies(m: MentionRecord, id: number): void {
    if (m.ownerReply) ownerReply.run({ id, source: m.source, externalId: m.externalId, at: m.ownerReply.at, handle: m.ownerReply.handle ?? 'owner' })
    if (m.isOwn && m.parentExternalId) {
      replyToParent.run({ source: m.source, externalId: m.externalId, createdAt: m.createdAt, handle: m.author?.handle ?? '', parentExternalId: m.parentExternalId })
    }
    if (ODD.test(m.source) || ODD.test(m.externalId)) repliesFromChildrenOf.run({ id, source: m.source, externalId: m.externalId })
    else childKeys.push([id, m.source, m.externalId])
  }

  function params(m: MentionRecord) {
    return {
      id: m.id !== undefined && Number.isSafeInteger(m.id) && m.id > 0 ? m.id : null,
      source: m.source,
      sourceName: m.sourceName ?? null,
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
      rating: m.rating ?? null,
      isOwn: m.isOwn ? 1 : 0,
      competitor: m.competitor ? 1 : 0,
      answerable: m.answerable ? 1 : 0,
      sentimentScore: m.sentimentScore,
      sentimentLabel: m.sentimentLabel,
      intent: m.intent,
      boost: m.routing?.boost ?? 0,
      scorerVersion: m.scorerVersion,
    }
  }

  // Routing rules act on a mention once, when it is first stored, and say so in the log.
  const insertTag = lazyPrepare(db, `INSERT OR IGNORE INTO mention_tags (tag, mention_id) VALUES (?, ?)`)
  const assignNew = lazyPrepare(db, `INSERT INTO triage (mention_id, state, assignee, updated_at) VALUES (?, 'open', ?, ?)`)
  function route(m: MentionRecord, id: number): void {
    const r = m.routing
    if (!r || r.hits.length === 0) return
    for (const t of r.tags) insertTag.run(t, id)
    if (r.assignee !== undefined) assignNew.run(id, r.assignee, m.fetchedAt)
    for (const hit of r.hits) insertEvent.run(id, m.fetchedAt, 'rules', 'rule', JSON.stringify(hit))
  }

  // A snoozed item wakes at once when its author writes again in the same thread. CROSS JOIN
  // keeps SQLite walking the few snoozed rows first: left to itself it scanned every mention
  // of the source on every insert (quadratic ingest).
  const snoozedInThread = lazyPrepare<{ source: string; handle: string; parent: string | null; thread: string | null; now: number; id: number }, { id: number }>(db, `
    SELECT m.id FROM triage t CROSS JOIN mentions m ON m.id = t.mention_id
    WHERE t.state = 'snoozed' AND t.snoozed_until > @now AND m.source = @source AND m.id <> @id
      AND m.author_handle = @handle COLLATE NOCASE
      AND (m.external_id IN (@parent, @thread) OR m.thread_external_id IN (@parent, @thread))`)
  const wake = lazyPrepare(db, `UPDATE triage SET state = 'open', snoozed_until = NULL, state_reason = 'author wrote again', updated_at = ? WHERE mention_id = ?`)
  // Asked once per page: nothing in a page snoozes, so without a snoozed row no insert can wake one.
  const anySnoozed = lazyPrepare(db, `SELECT 1 FROM triage WHERE state = 'snoozed' LIMIT 1`, (s) => s.pluck())
  let snoozes = false
  function wakeSnoozed(m: MentionRecord, id: number): void {
    const handle = m.author?.handle
    if (!snoozes || m.isOwn || !handle || (!m.parentExternalId && !m.threadExternalId)) return
    const woken = snoozedInThread.all({ source: m.source, handle, parent: m.parentExternalId ?? null, thread: m.threadExternalId ?? null, now: m.fetchedAt, id })
    for (const w of woken) {
      wake.run(m.fetchedAt, w.id)
      insertEvent.run(w.id, m.fetchedAt, 'mentions', 'state', JSON.stringify({ from: 'snoozed', to: 'open', reason: 'the author wrote again', mention: id }))
    }
  }

  /** Another source's copy of a stored mention: recorded as a sighting, merged, never a second row. */
  function merge(m: MentionRecord, p: ReturnType<typeof params>, existing: Stored): UpsertOutcome {
    const seen = insertSighting.run(m.source, m.externalId, existing.id, m.url, m.fetchedAt).changes > 0
    if (seen) page?.keys.add(keyOf(m.source, m.externalId))
    const storedBrands = JSON.parse(existing.brands) as string[]
    const storedTerms = JSON.parse(existing.terms) as string[]
    const brands = union(storedBrands, m.brands)
    const terms = union(storedTerms, m.terms)
    const competitor = existing.competitor === 1 && m.competitor ? 1 : 0
    const richer = m.text.length > existing.text.length
    const more = (a: number | null, b: number | null) => b !== null && (a === null || b > a)
    const changed =
      seen || richer || brands.length !== storedBrands.length || terms.length !== storedTerms.length || competitor !== existing.competitor ||
      more(existing.likes, p.likes) || more(existing.reposts, p.reposts) || more(existing.replies, p.replies) || more(existing.score, p.score)
    if (!changed) return 'unchanged'
    beforeUpdate(existing.id)
    written(existing.id)
    mergeSighting.run({ ...p, brands: JSON.stringify(brands), terms: JSON.stringify(terms), competitor, id: existing.id })
    refreshPriority.run(existing.id)
    for (const b of m.brands) insertBrand.run(b, existing.id)
    recordReplies(m, existing.id)
    return 'updated'
  }

  function upsertOne(m: MentionRecord): UpsertOutcome {
    const existing = findByKey(m.source, m.externalId)
    if (!existing) {
      // An item with its own canonical link (a story's URL) is known by it; else by its permalink.
      const known = page?.urlKeys.get(m)
      const key = known !== undefined ? known : (urlKey(m.canonicalUrl ?? m.url) ?? null)
      const other = findBySighting(m.source, m.externalId) ?? (key ? findByUrl(key, m.source) : undefined)
      if (other) return merge(m, params(m), other)
      const id = Number(insert.run(insertValues(m, key)).lastInsertRowid)
      page?.keys.add(keyOf(m.source, m.externalId))
      if (key) page?.urls.add(key)
      unindexed.add(id)
      if (!brandsAtEnd) for (const b of m.brands) pendingBrands.push(b, id)
      recordReplies(m, id)
      route(m, id)
      wakeSnoozed(m, id)
      return 'new'
    }
    const p = params(m)
    const storedBrands = JSON.parse(existing.brands) as string[]
    const storedTerms = JSON.parse(existing.terms) as string[]
    const brands = union(storedBrands, m.brands)
    const terms = union(storedTerms, m.terms)
    // Competitor-only stays so only while no sighting matched one of our own brands.
    const competitor = existing.competitor === 1 && m.competitor ? 1 : 0
    const same =
      existing.text === p.text &&
      existing.title === p.title &&
      existing.url === p.url &&
      existing.likes === p.likes &&
      existing.reposts === p.reposts &&
      existing.replies === p.replies &&
      existing.score === p.score &&
      (p.rating === null || existing.rating === p.rating) &&
      (m.ownerReply === undefined || existing.owner_replied === 1) &&
      existing.competitor === competitor &&
      brands.length === storedBrands.length &&
      terms.length === storedTerms.length
    if (same) return 'unchanged'
    beforeUpdate(existing.id)
    written(existing.id)
    update.run({ ...p, brands: JSON.stringify(brands), terms: JSON.stringify(terms), competitor, id: existing.id })
    refreshPriority.run(existing.id)
    for (const b of m.brands) insertBrand.run(b, existing.id)
    // The owner may answer a review after it was first stored.
    if (m.ownerReply) recordReplies(m, existing.id)
    return 'updated'
  }

  // Rows inserted in this page and not yet in the full-text index (see migration 4). They are
  // indexed before anything can update one (the update trigger deletes the old terms, which
  // must be there), and at the end of the page.
  const unindexed = new Set<number>()
  const indexText = lazyPrepare(db, `INSERT INTO mentions_fts (rowid, title, text) SELECT id, title, text FROM mentions WHERE id IN (SELECT value FROM json_each(?))`)
  function flushText(): void {
    if (unindexed.size === 0) return
    indexText.run(JSON.stringify([...unindexed]))
    unindexed.clear()
  }
  const beforeUpdate = (id: number) => {
    if (unindexed.has(id)) flushText()
  }

  const upsertPage = db.transaction((records: readonly MentionRecord[]): UpsertCounts => {
    const counts: UpsertCounts = { new: 0, updated: 0, unchanged: 0, byBrand: {} }
    childKeys = []
    pendingBrands = []
    unindexed.clear()
    snoozes = anySnoozed.get() !== undefined
    page = lookUp(records)
    try {
      upsertAll(records, counts)
    } finally {
      page = undefined
    }
    flushText()
    flushBrands()
    if (childKeys.length) repliesFromChildren.run({ keys: JSON.stringify(childKeys) })
    return counts
  })
  function upsertAll(records: readonly MentionRecord[], counts: UpsertCounts): void {
    for (const r of records) {
      const outcome = upsertOne(r)
      counts[outcome]++
      if (outcome === 'unchanged') continue
      for (const b of r.brands) {
        const c = (counts.byBrand[b] ??= { new: 0, updated: 0 })
        c[outcome]++
      }
    }
  }

  function queueWhere(f: QueueFilter): { whereSql: string; args: Record<string, unknown>; sort: QueueSort } {
    const { where, args } = commonFilters(f)
    where.unshift('m.is_own = 0', 'm.competitor = 0')
    // The queues are what is open, unless the filter asks for other states.
    if (!f.states?.length) where.push(OPEN)
    if (f.queue === 'negative') where.push(`m.sentiment_label = 'negative'`)
    if (f.queue === 'unanswered') where.push(`NOT ${HAS_REPLY}`)
    // Praise worth a thank-you or a share: warm words or praise intent, not yet answered.
    if (f.queue === 'praise') where.push(`(m.sentiment_label = 'positive' OR m.intent = 'praise')`, `NOT ${HAS_REPLY}`)
    if (f.queue === 'assigned') where.push('t.assignee IS NOT NULL')
    const sort = f.sort ?? (f.queue === 'negative' || f.queue === 'unanswered' || f.queue === 'praise' ? 'priority' : 'newest')
    return { whereSql: where.join(' AND '), args, sort }
  }

  /**
   * The top `limit` by priority without judging the whole queue. The stored part of the
   * priority (mentions.priority) bounds the full one from above: answered and age only take
   * points away, and the full one is never below 0. So the walk down mentions_priority (stored
   * part first) keeps the best `limit` seen and stops once the next row's bound, max(0, stored),
   * is below the worst kept: no later row can reach it, nor tie it and win on created_at or id.
   * The filters' columns are in that index's key, so a row they reject costs no table read, and
   * nothing is sorted but the kept few.
   *
   * A short probe first (the first few rows in that order, judged in full) gives a floor: the
   * `limit`-th best priority among them, which the answer's worst cannot be below. The walk
   * then seeks to stored >= floor and drops, from the index alone, every row whose stored part
   * plus its age (PRIORITY_BOUND) is below it, so the replies and triage are looked up for the
   * few rows that can still make the page, not for every row above the floor (most of them old
   * enough that age has taken its full 20 points off).
   */
  function topByPriority(whereSql: string, args: Record<string, unknown>, limit: number, now: number): Mention[] {
    if (limit <= 0) return []
    type Walked = { id: number; stored: number; createdAt: number; p: number }
    // INDEXED BY: on a selective --source the planner prefers that source's own index and then
    // sorts every row of it by the full priority, the cost this walk exists to avoid.
    const select = `SELECT m.id AS id, m.priority AS stored, m.created_at AS createdAt, ${PRIORITY} AS p
      FROM mentions m INDEXED BY mentions_priority LEFT JOIN triage t ON t.mention_id = m.id`
    const order = 'ORDER BY m.priority DESC, m.id DESC'
    const probeSize = 2 * limit + 16
    const probe = prepare(`${select} WHERE ${whereSql} ${order} LIMIT @probeSize`).all({ ...args, probeSize }) as Walked[]
    // A short probe read the whole queue.
    if (probe.length < probeSize) return manyById(keepBest(probe, limit).map((k) => k.id), now)
    const floor = (keepBest(probe, limit)[limit - 1] as Walked).p
    // At 0 every row ties the floor (the full priority stops at 0), whatever its stored part.
    const walk = (sql: string, a: Record<string, unknown>) => keepBest(prepare(sql).iterate(a) as IterableIterator<Walked>, limit)
    if (floor <= 0) return manyById(walk(`${select} WHERE ${whereSql} ${order}`, args).map((k) => k.id), now)
    // The cheap terms first: SQLite tests them on the index entry before any lookup.
    const bounded = `${select} WHERE m.priority >= @floor AND ${PRIORITY_BOUND} >= @floor AND ${whereSql} ${order}`
    return manyById(walk(bounded, { ...args, floor }).map((k) => k.id), now)
  }

  /**
   * The best `limit` of rows walked in stored-priority order, in the order the SQL sort uses
   * (full priority, then newest, then id); stops once no later row can reach the worst kept.
   */
  function keepBest<R extends { id: number; stored: number; createdAt: number; p: number }>(rows: Iterable<R>, limit: number): R[] {
    const kept: R[] = []
    const before = (a: R, b: R) => a.p > b.p || (a.p === b.p && (a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id)))
    for (const r of rows) {
      if (kept.length === limit && Math.max(0, r.stored) < (kept[limit - 1] as R).p) break
      if (kept.length === limit && !before(r, kept[limit - 1] as R)) continue
      let i = kept.length
      while (i > 0 && before(r, kept[i - 1] as R)) i--
      kept.splice(i, 0, r)
      if (kept.length > limit) kept.pop()
    }
    return kept
  }

  /** Several rows by id, in the order asked; ids not stored are left out. */
  function manyById(ids: readonly number[], now: number | undefined): Mention[] {
    const found = new Map<number, Mention>()
    // Bounded statements: SQLite caps the number of parameters.
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500)
      const rows = prepare(`${SELECT_VIEW} WHERE m.id IN (${part.map(() => '?').join(', ')})`).all(...part) as Row[]
      for (const r of rows) found.set(r.id, fromRow(r, now))
    }
    return ids.flatMap((id) => found.get(id) ?? [])
  }

  function queuePage(f: QueueFilter): QueuePage {
    const { whereSql, args, sort } = queueWhere(f)
    let mentions: Mention[]
    if (sort === 'priority' && f.limit !== undefined) {
      mentions = topByPriority(whereSql, args, f.limit, f.now)
    } else {
      if (f.limit !== undefined) args.limit = f.limit
      const sql = `${SELECT_VIEW} WHERE ${whereSql} ORDER BY ${orderBy(sort)}${f.limit !== undefined ? ' LIMIT @limit' : ''}`
      mentions = (prepare(sql).all(args) as Row[]).map((r) => fromRow(r, f.now))
    }
    return { mentions, ...countBeyond(`FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id WHERE ${whereSql}`, args, mentions.length, f) }
  }

  /**
   * What the limit cut off. Counting costs a second pass, so only when the limit may have cut
   * rows off; with a cap, the pass stops after that many more, whatever the queue's size.
   */
  function countBeyond(from: string, args: Record<string, unknown>, shown: number, f: { countMore?: boolean; limit?: number; moreCap?: number }): Pick<QueuePage, 'more' | 'moreCapped'> {
    if (!f.countMore || f.limit === undefined || shown !== f.limit) return { more: 0 }
    if (f.moreCap === undefined) return { more: (prepare(`SELECT count(*) AS n ${from}`).get(args) as { n: number }).n - shown }
    const upTo = shown + f.moreCap
    const n = (prepare(`SELECT count(*) AS n FROM (SELECT 1 ${from} LIMIT @countUpTo)`).get({ ...args, countUpTo: upTo }) as { n: number }).n
    return n >= upTo ? { more: f.moreCap, moreCapped: true } : { more: n - shown }
  }

  // Queries vary only by which filters are present: a handful of distinct SQL strings, each
  // prepared once.
  const prepared = new Map<string, Statement<unknown[], unknown>>()
  const prepare = (sql: string): Statement<unknown[], unknown> => {
    let stmt = prepared.get(sql)
    if (!stmt) prepared.set(sql, (stmt = db.prepare(sql)))
    return stmt
  }

  const byId = lazyPrepare<[number], Row>(db, `${SELECT_VIEW} WHERE m.id = ?`)
  const insertEvent = lazyPrepare(db, `INSERT INTO events (mention_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)`)

  const applyScores = db.transaction((version: string, scores: readonly ScoreUpdate[]) => {
    const stmt = prepare(`
      UPDATE mentions SET scorer_version = @version, sentiment_score = @score,
        sentiment_label = CASE WHEN sentiment_source = 'human' THEN sentiment_label ELSE @label END,
        intent = CASE WHEN intent_source = 'human' THEN intent ELSE @intent END
      WHERE id = @id`)
    let changed = 0
    for (const s of scores) {
      const n = stmt.run({ ...s, version }).changes
      if (n) refreshPriority.run(s.id)
      changed += n
    }
    return changed
  })

  const setLabel = db.transaction(
    (id: number, change: { sentiment?: SentimentLabel; intent?: Intent }, actor: string, now: number): boolean => {
      const before = byId.get(id)
      if (!before) return false
      if (change.sentiment) {
        prepare(`UPDATE mentions SET sentiment_label = ?, sentiment_source = 'human', updated_at = ? WHERE id = ?`).run(change.sentiment, now, id)
      }
      if (change.intent) {
        prepare(`UPDATE mentions SET intent = ?, intent_source = 'human', updated_at = ? WHERE id = ?`).run(change.intent, now, id)
      }
      refreshPriority.run(id)
      insertEvent.run(id, now, actor, 'label', JSON.stringify({
        ...(change.sentiment ? { sentiment: { from: before.sentiment_label, to: change.sentiment } } : {}),
        ...(change.intent ? { intent: { from: before.intent, to: change.intent } } : {}),
      }))
      return true
    },
  )

  const applyRematch = db.transaction((changes: readonly RematchChange[], actor: string, now: number): number => {
    const current = prepare(`SELECT m.brands, m.terms, m.competitor, t.state, t.state_reason FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id WHERE m.id = ?`)
    const setMatch = prepare(`UPDATE mentions SET brands = @brands, terms = @terms, competitor = @competitor, updated_at = @now WHERE id = @id`)
    const clearBrands = prepare(`DELETE FROM mention_brands WHERE mention_id = ?`)
    const setState = prepare(`
      INSERT INTO triage (mention_id, state, state_reason, updated_at) VALUES (@id, @state, @reason, @now)
      ON CONFLICT (mention_id) DO UPDATE SET state = excluded.state, state_reason = excluded.state_reason, updated_at = excluded.updated_at`)
    let changed = 0
    for (const c of changes) {
      const row = current.get(c.id) as { brands: string; terms: string; competitor: number; state: TriageState | null; state_reason: string | null } | undefined
      if (!row) continue
      const from = { brands: JSON.parse(row.brands) as string[], terms: JSON.parse(row.terms) as string[] }
      if (c.match === null) {
        // Nothing is deleted: the mention leaves the queues, and the event says why.
        if (row.state === 'ignored' || row.state === 'done') continue
        setState.run({ id: c.id, state: 'ignored', reason: 'rematch', now })
        insertEvent.run(c.id, now, actor, 'rematch', JSON.stringify({ from, to: null, state: { from: row.state ?? 'open', to: 'ignored' }, reason: c.reason }))
        changed++
        continue
      }
      const sameMatch = JSON.stringify(from.brands) === JSON.stringify(c.match.brands) && JSON.stringify(from.terms) === JSON.stringify(c.match.terms) && row.competitor === (c.match.competitor ? 1 : 0)
      // A mention a rematch put aside comes back when the query matches it again.
      const reopen = row.state === 'ignored' && row.state_reason === 'rematch'
      if (sameMatch && !reopen) continue
      if (!sameMatch) {
        setMatch.run({ id: c.id, brands: JSON.stringify(c.match.brands), terms: JSON.stringify(c.match.terms), competitor: c.match.competitor ? 1 : 0, now })
        clearBrands.run(c.id)
        for (const b of c.match.brands) insertBrand.run(b, c.id)
      }
      if (reopen) setState.run({ id: c.id, state: 'open', reason: 'rematch', now })
      insertEvent.run(c.id, now, actor, 'rematch', JSON.stringify({
        from,
        to: { brands: c.match.brands, terms: c.match.terms },
        ...(reopen ? { state: { from: 'ignored', to: 'open' } } : {}),
        reason: c.reason,
      }))
      changed++
    }
    return changed
  })

  const bulkLoad = async <T>(work: () => Promise<T>): Promise<T> => {
    const cache = db.pragma('cache_size', { simple: true }) as number
    // 32 MB: with the default 2 MB nearly every insert into a large index missed the cache; at
    // a million rows 64 MB and 256 MB gained nothing more, and the import's memory stays lower.
    db.pragma(`cache_size = ${BULK_CACHE_KIB}`)
    try {
      if (db.prepare('SELECT 1 FROM mentions LIMIT 1').get() !== undefined) return await work()
      return await emptyLoad(work)
    } finally {
      db.pragma(`cache_size = ${cache}`)
    }
  }
  // Into an empty table: B-trees filled row by row at random positions cost a third of the
  // store's time at a million rows, built once from sorted rows much less. One transaction, so
  // no reader or crash ever sees the table without them; upsertPage nests in it as a savepoint.
  const emptyLoad = async <T>(work: () => Promise<T>): Promise<T> => {
    db.exec('BEGIN IMMEDIATE')
    try {
      const later = db
        .prepare<[], { type: 'index' | 'trigger'; name: string; sql: string }>(`SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL`)
        .all()
        .filter(deferredByBulkLoad)
      for (const e of later) db.exec(`DROP ${e.type.toUpperCase()} ${e.name}`)
      brandsAtEnd = true
      let out: T
      try {
        out = await work()
      } finally {
        brandsAtEnd = false
      }
      db.exec(BRANDS_FROM_ROWS)
      for (const e of later) if (e.type === 'index') db.exec(e.sql)
      // The counts from the loaded rows, then their triggers back from the schema's own text.
      if (later.some((e) => e.type === 'trigger')) db.exec(MENTION_HOURS_REBUILD)
      for (const e of later) if (e.type === 'trigger') db.exec(e.sql)
      db.exec('COMMIT')
      return out
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK')
      throw err
    }
  }

  return {
    upsertPage: (records) => run(() => upsertPage.immediate(records)),
    bulkLoad: (work) => bulkLoad(work).catch((err: unknown) => Promise.reject(storeFailure(err, file))),

    queue: (f) => run(() => queuePage(f).mentions),
    queuePage: (f) => run(() => queuePage(f)),

    search: (f) =>
      run((): QueuePage => {
        const { where, args } = commonFilters(f)
        where.unshift('mentions_fts MATCH @query')
        args.query = f.query
        const order = f.sort === 'newest' ? orderBy('newest') : f.sort === 'oldest' ? orderBy('oldest') : 'fts.rank, m.created_at DESC, m.id DESC'
        const from = `FROM mentions_fts fts JOIN mentions m ON m.id = fts.rowid LEFT JOIN triage t ON t.mention_id = m.id WHERE ${where.join(' AND ')}`
        if (f.limit !== undefined) args.limit = f.limit
        try {
          const rows = prepare(`SELECT ${COLUMNS} ${from} ORDER BY ${order}${f.limit !== undefined ? ' LIMIT @limit' : ''}`).all(args) as Row[]
          const mentions = rows.map((r) => fromRow(r, f.now))
          return { mentions, ...countBeyond(from, args, mentions.length, f) }
        } catch (err) {
          // FTS5 reports a query it cannot parse as an SQLite error: that is the user's typo.
          const message = err instanceof Error ? err.message : String(err)
          if (/fts5|syntax error|no such column|unterminated/i.test(message)) {
            throw new UsageError(`cannot read the search query ${JSON.stringify(f.query)} (${message}); put phrases in "double quotes", use AND, OR, NOT and prefix*`)
          }
          throw err
        }
      }),

    iterate: (f: ListFilter = {}, chunk?: number) => {
      const { where, args } = commonFilters(f)
      return exportChunks(db, run, { where, args, now: f.now }, chunk)
    },

    iterateViews: (f: ListFilter = {}, chunk?: number) => {
      const { where, args } = commonFilters(f)
      return exportViewChunks(db, run, { where, args, now: f.now }, chunk)
    },

    get: (id, now) =>
      run(() => {
        const r = byId.get(id)
        return r ? fromRow(r, now) : undefined
      }),

    getMany: (ids, now) => run(() => manyById(ids, now)),

    thread: (id, now) =>
      run(() => {
        const self = byId.get(id)
        if (!self) return { parent: null, replies: [] }
        const parent = self.parent_external_id
          ? (prepare(`${SELECT_VIEW} WHERE m.source = ? AND m.external_id = ?`).get(self.source, self.parent_external_id) as Row | undefined)
          : undefined
        const replies = prepare(`${SELECT_VIEW} WHERE m.source = ? AND m.parent_external_id = ? ORDER BY m.created_at, m.id`).all(self.source, self.external_id) as Row[]
        return { parent: parent ? fromRow(parent, now) : null, replies: replies.map((r) => fromRow(r, now)) }
      }),

    brandReplies: (id) =>
      run(() =>
        prepare(`SELECT kind, reply_source AS source, reply_external_id AS externalId, replied_at AS at, handle, url FROM replies WHERE mention_id = ? ORDER BY replied_at, reply_external_id`).all(id) as BrandReply[],
      ),

    async *staleScores(version: string, all = false, chunk = 1000) {
      const sql = `SELECT id, title, text, parent_external_id AS parentExternalId, lang, rating FROM mentions
        WHERE id > @after${all ? '' : ' AND scorer_version <> @version'} ORDER BY id LIMIT @chunk`
      let after = 0
      for (;;) {
        const rows = await run(() => prepare(sql).all({ after, chunk, ...(all ? {} : { version }) }) as StoredTextRow[])
        if (rows.length === 0) return
        yield rows.map(toStoredText)
        if (rows.length < chunk) return
        after = (rows[rows.length - 1] as StoredTextRow).id
      }
    },

    async *texts(chunk = 1000) {
      const sql = `SELECT m.id, m.title, m.text, m.parent_external_id AS parentExternalId, m.lang, m.rating, m.brands, m.terms, m.competitor,
          (t.state = 'ignored' AND t.state_reason = 'rematch') AS ignoredByRematch
        FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id WHERE m.id > @after AND m.is_own = 0 ORDER BY m.id LIMIT @chunk`
      let after = 0
      for (;;) {
        const rows = await run(() => prepare(sql).all({ after, chunk }) as (StoredTextRow & { brands: string; terms: string; competitor: number; ignoredByRematch: number | null })[])
        if (rows.length === 0) return
        yield rows.map((r) => ({
          ...toStoredText(r),
          brands: JSON.parse(r.brands) as string[],
          terms: JSON.parse(r.terms) as string[],
          competitor: r.competitor === 1,
          ignoredByRematch: r.ignoredByRematch === 1,
        }))
        if (rows.length < chunk) return
        after = (rows[rows.length - 1] as StoredTextRow).id
      }
    },

    applyScores: (version, scores) => run(() => applyScores.immediate(version, scores)),
    applyRematch: (changes, actor, now) => run(() => applyRematch.immediate(changes, actor, now)),
    setLabel: (id, change, actor, now) => run(() => setLabel.immediate(id, change, actor, now)),

    events: (mentionId) =>
      run(() =>
        (prepare(`SELECT id, mention_id, at, actor, action, detail FROM events WHERE mention_id = ? ORDER BY at, id`).all(mentionId) as {
          id: number
          mention_id: number
          at: number
          actor: string
          action: string
          detail: string
        }[]).map((e): MentionEvent => ({ id: e.id, mentionId: e.mention_id, at: e.at, actor: e.actor, action: e.action, detail: JSON.parse(e.detail) as Record<string, unknown> })),
      ),

    sightings: (mentionId) =>
      run(() =>
        (prepare(`SELECT source, external_id AS externalId, url, fetched_at AS seenAt, 0 AS n FROM mentions WHERE id = @id
          UNION ALL SELECT source, external_id, url, seen_at, 1 FROM sightings WHERE mention_id = @id ORDER BY n, seenAt, source`).all({ id: mentionId }) as (Sighting & { n: number })[]).map(({ n: _n, ...s }) => s),
      ),

    count: () => run(() => (prepare('SELECT count(*) AS n FROM mentions').get() as { n: number }).n),
  }
}

interface StoredTextRow {
  id: number
  title: string | null
  text: string
  parentExternalId: string | null
  lang: string | null
  rating: number | null
}

function toStoredText(r: StoredTextRow): StoredText {
  return {
    id: r.id,
    text: r.text,
    ...(r.title !== null ? { title: r.title } : {}),
    ...(r.parentExternalId !== null ? { parentExternalId: r.parentExternalId } : {}),
    ...(r.lang !== null ? { lang: r.lang } : {}),
    ...(r.rating !== null ? { rating: r.rating } : {}),
  }
}
