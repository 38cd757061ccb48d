// The mentions table group's writes on PostgreSQL: pages of upserts, new scores, re-matches
// and a person's label. Each is one transaction. A page is read with a handful of set-wise
// lookups, planned in memory (page-plan.ts) exactly as the SQLite engine would store it
// record by record, and written with one statement per table, so a page of a thousand costs
// the same dozen round trips as a page of ten.
import type { Intent, SentimentLabel } from '../../model.js'
import { contentPrioritySql, type PriorityColumn } from '../../rules/priority.js'
import type { MentionRecord, MentionsRepo, RematchChange, ScoreUpdate, UpsertCounts } from '../types.js'
import { urlKey } from '../url-key.js'
import { LOCK_NAMESPACE, type Pg, type PgClient } from './open.js'
import { explicitId, keyOf, planPage, type IdSource, type MentionRow, type PagePlan, type PlannedRecord, type SnoozedRow, type StoredState } from './page-plan.js'
import { pgJson, pgText } from './text.js'

/**
 * Two cron hosts may store the same item at the same moment. UNIQUE (source, external_id)
 * alone would turn that race into a failed page (ON CONFLICT could absorb it, but not the
 * merges: the same post under two sources' ids, or a sighting, has no unique key to conflict
 * on, and would become two rows). So a page first takes a transaction-scoped advisory lock
 * per key it can reach (its (source, external id)s, their parents, their URL keys), in sorted
 * order so two pages never wait on each other in a circle, and only then looks anything up:
 * whoever comes second sees the first one's rows. Every such page also holds the gate (key 0)
 * shared; a page with explicit ids, or too many keys to lock one by one, holds it exclusive
 * instead and so runs alone, which also lets it hand out ids as SQLite does (max + 1).
 */
export const INGEST_LOCKS = LOCK_NAMESPACE + 1
const GATE = 0
const MAX_KEY_LOCKS = 512

type Column = readonly [field: keyof MentionRow, column: string, type: string]
const COLUMNS: readonly Column[] = [
  ['id', 'id', 'bigint'], ['source', 'source', 'text'], ['sourceName', 'source_name', 'text'], ['externalId', 'external_id', 'text'],
  ['url', 'url', 'text'], ['canonicalUrl', 'canonical_url', 'text'], ['urlKey', 'url_key', 'text'], ['brands', 'brands', 'jsonb'],
  ['terms', 'terms', 'jsonb'], ['authorHandle', 'author_handle', 'text'], ['authorName', 'author_name', 'text'], ['authorReach', 'author_reach', 'bigint'],
  ['title', 'title', 'text'], ['text', 'text', 'text'], ['lang', 'lang', 'text'], ['createdAt', 'created_at', 'bigint'], ['fetchedAt', 'fetched_at', 'bigint'],
  ['updatedAt', 'updated_at', 'bigint'], ['parentExternalId', 'parent_external_id', 'text'], ['threadExternalId', 'thread_external_id', 'text'],
  ['likes', 'likes', 'bigint'], ['reposts', 'reposts', 'bigint'], ['replies', 'replies', 'bigint'], ['score', 'score', 'bigint'],
  ['rating', 'rating', 'double precision'], ['isOwn', 'is_own', 'boolean'], ['competitor', 'competitor', 'boolean'], ['answerable', 'answerable', 'boolean'],
  ['sentimentScore', 'sentiment_score', 'double precision'], ['sentimentLabel', 'sentiment_label', 'text'], ['intent', 'intent', 'text'],
  ['sentimentSource', 'sentiment_source', 'text'], ['intentSource', 'intent_source', 'text'], ['boost', 'boost', 'integer'], ['scorerVersion', 'scorer_version', 'text'],
]
// What an upsert or a merge may change in a stored row; the rest stays as first stored.
const CHANGEABLE = new Set(['url', 'title', 'text', 'brands', 'terms', 'likes', 'reposts', 'replies', 'score', 'rating', 'updated_at', 'competitor', 'lang', 'answerable', 'sentiment_score', 'sentiment_label', 'intent', 'scorer_version'])
const UPDATE_COLUMNS = COLUMNS.filter(([, c]) => CHANGEABLE.has(c))

const recordset = (cols: readonly Column[]) => `json_to_recordset($1::json) AS r(${cols.map(([, c, t]) => `${c} ${t}`).join(', ')})`
const rowsJson = (rows: readonly MentionRow[], cols: readonly Column[]) => JSON.stringify(rows.map((row) => Object.fromEntries(cols.map(([f, c]) => [c, row[f]]))))

const SELECT_ROW = `${COLUMNS.map(([f, c]) => `m.${c} AS "${f}"`).join(', ')},
  EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id AND r.kind = 'owner') AS "ownerReplied"`
const INSERT_ROWS = `INSERT INTO mentions (${COLUMNS.map(([, c]) => c).join(', ')}, priority)
  SELECT ${COLUMNS.map(([, c]) => `r.${c}`).join(', ')}, ${contentPrioritySql((c) => `r.${c}`, 'postgres')} FROM ${recordset(COLUMNS)}`
// The stored part of the priority follows the new values; reach and boost never change here.
const UNCHANGED_IN_UPDATE: ReadonlySet<PriorityColumn> = new Set(['author_reach', 'boost'])
const UPDATE_ROWS = `UPDATE mentions AS m SET ${UPDATE_COLUMNS.map(([, c]) => `${c} = r.${c}`).join(', ')},
    priority = ${contentPrioritySql((c) => (UNCHANGED_IN_UPDATE.has(c) ? `m.${c}` : `r.${c}`), 'postgres')}
  FROM ${recordset([COLUMNS[0]!, ...UPDATE_COLUMNS])} WHERE m.id = r.id`
const REFRESH_PRIORITY = `UPDATE mentions AS m SET priority = ${contentPrioritySql(undefined, 'postgres')} WHERE m.id = $1`
const MENTIONS_SEQUENCE = `pg_get_serial_sequence('mentions', 'id')`

/** A record with every string made storable (see text.ts). */
function storable(m: MentionRecord): MentionRecord {
  const c: MentionRecord = {
    ...m,
    source: pgText(m.source),
    externalId: pgText(m.externalId),
    url: pgText(m.url),
    text: pgText(m.text),
    brands: m.brands.map(pgText),
    terms: m.terms.map(pgText),
    scorerVersion: pgText(m.scorerVersion),
  }
  if (m.sourceName !== undefined) c.sourceName = pgText(m.sourceName)
  if (m.canonicalUrl !== undefined) c.canonicalUrl = pgText(m.canonicalUrl)
  if (m.title !== undefined) c.title = pgText(m.title)
  if (m.lang !== undefined) c.lang = pgText(m.lang)
  if (m.parentExternalId !== undefined) c.parentExternalId = pgText(m.parentExternalId)
  if (m.threadExternalId !== undefined) c.threadExternalId = pgText(m.threadExternalId)
  if (m.author !== undefined) c.author = pgJson(m.author)
  if (m.ownerReply !== undefined) c.ownerReply = pgJson(m.ownerReply)
  if (m.routing !== undefined) c.routing = pgJson(m.routing)
  return c
}

function prepare(records: readonly MentionRecord[]): PlannedRecord[] {
  return records.map((raw) => {
    const record = storable(raw)
    // An item with its own canonical link (a story's URL) is known by it; else by its permalink.
    const u = urlKey(raw.canonicalUrl ?? raw.url)
    return { record, countedBrands: raw.brands, urlKey: u === undefined ? null : pgText(u) }
  })
}

/** Every key whose rows the page may read or write: what another page must not change meanwhile. */
function lockKeys(page: readonly PlannedRecord[]): string[] {
  // PostgreSQL text has no NUL for keyOf's separator; the length prefix keeps keys apart.
  const lockKey = (source: string, externalId: string) => `k${source.length}:${source}${externalId}`
  const keys = new Set<string>()
  for (const { record: m, urlKey: u } of page) {
    keys.add(lockKey(m.source, m.externalId))
    if (u !== null) keys.add(`u${u}`)
    // An own reply and its parent stored at once by two hosts: each would miss the other.
    if (m.isOwn && m.parentExternalId) keys.add(lockKey(m.source, m.parentExternalId))
  }
  return [...keys]
}

async function lockPage(c: PgClient, keys: readonly string[], alone: boolean): Promise<void> {
  if (alone) {
    await c.query('SELECT pg_advisory_xact_lock($1, $2)', [INGEST_LOCKS, GATE])
    return
  }
  // The gate before any key: a page waiting for it then holds no key a page already past it
  // may want (else: it holds a key, waits behind a lone page, which waits for that page).
  await c.query('SELECT pg_advisory_xact_lock_shared($1, $2)', [INGEST_LOCKS, GATE])
  // A volatile function in the select list runs after the sort, so the locks come in order.
  await c.query(
    `SELECT pg_advisory_xact_lock($1, h) FROM (SELECT DISTINCT CASE hashtext(k) WHEN ${GATE} THEN 1 ELSE hashtext(k) END AS h FROM unnest($2::text[]) AS k) s ORDER BY h`,
    [INGEST_LOCKS, keys],
  )
}

/** What is stored under the page's keys, the rows locked for the page's writes. */
async function readState(c: PgClient, page: readonly PlannedRecord[]): Promise<StoredState> {
  const keys = new Map<string, [string, string]>()
  const urls = new Set<string>()
  for (const { record: m, urlKey: u } of page) {
    keys.set(keyOf(m.source, m.externalId), [m.source, m.externalId])
    if (m.isOwn && m.parentExternalId) keys.set(keyOf(m.source, m.parentExternalId), [m.source, m.parentExternalId])
    if (u !== null) urls.add(u)
  }
  const pairs = [...keys.values()]
  const found = await c.query<{ kind: 'k' | 's' | 'u'; a: string; b: string | null; id: number }>(
    `SELECT 'k' AS kind, k.s AS a, k.e AS b, m.id FROM unnest($1::text[], $2::text[]) AS k(s, e) JOIN mentions m ON m.source = k.s AND m.external_id = k.e
     UNION ALL SELECT 's', k.s, k.e, s.mention_id FROM unnest($1::text[], $2::text[]) AS k(s, e) JOIN sightings s ON s.source = k.s AND s.external_id = k.e
     UNION ALL SELECT 'u', m.url_key, NULL, m.id FROM mentions m WHERE m.url_key = ANY($3::text[])`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1]), [...urls]],
  )
  const state: StoredState = { rows: new Map(), ownerReplied: new Set(), byKey: new Map(), bySighting: new Map(), byUrl: new Map(), snoozed: [] }
  const ids = new Set<number>()
  for (const f of found) {
    ids.add(f.id)
    if (f.kind === 'k') state.byKey.set(keyOf(f.a, f.b ?? ''), f.id)
    else if (f.kind === 's') state.bySighting.set(keyOf(f.a, f.b ?? ''), f.id)
    else {
      const list = state.byUrl.get(f.a)
      if (list) list.push(f.id)
      else state.byUrl.set(f.a, [f.id])
    }
  }
  if (ids.size) {
    // Locked in id order (so two pages cannot wait on each other in a circle), and read as
    // they are now. NO KEY: a reply or brand row elsewhere may still reference them.
    const rows = await c.query<MentionRow & { ownerReplied: boolean }>(
      `SELECT ${SELECT_ROW} FROM mentions m WHERE m.id = ANY($1::bigint[]) ORDER BY m.id FOR NO KEY UPDATE`,
      [[...ids]],
    )
    for (const { ownerReplied, ...row } of rows) {
      state.rows.set(row.id, row)
      if (ownerReplied) state.ownerReplied.add(row.id)
    }
  }
  // Only a new post by someone, in a thread, can wake a snoozed mention.
  const wakers = page.filter(({ record: m }) => !m.isOwn && m.author?.handle && (m.parentExternalId || m.threadExternalId) && !state.byKey.has(keyOf(m.source, m.externalId)))
  if (wakers.length) {
    state.snoozed = await c.query<SnoozedRow>(
      `SELECT t.mention_id AS id, m.source, m.author_handle AS "authorHandle", m.external_id AS "externalId", m.thread_external_id AS "threadExternalId", t.snoozed_until AS "snoozedUntil"
       FROM triage t JOIN mentions m ON m.id = t.mention_id
       WHERE t.state = 'snoozed' AND t.snoozed_until IS NOT NULL AND m.author_handle IS NOT NULL AND m.source = ANY($1::text[])
       ORDER BY t.snoozed_until, t.mention_id FOR UPDATE OF t`,
      [[...new Set(wakers.map((w) => w.record.source))]],
    )
  }
  return state
}

/** SQLite's ids: an explicit one when free, else one past the largest stored. Only while the page runs alone. */
async function sqliteIds(c: PgClient, page: readonly PlannedRecord[]): Promise<IdSource> {
  const wanted = page.flatMap((p) => explicitId(p.record) ?? [])
  const [top] = await c.query<{ max: number }>('SELECT coalesce(max(id), 0) AS max FROM mentions')
  const taken = new Set((await c.query<{ id: number }>('SELECT id FROM mentions WHERE id = ANY($1::bigint[])', [wanted])).map((r) => r.id))
  let max = top?.max ?? 0
  return {
    next(explicit) {
      if (explicit !== null && !taken.has(explicit)) {
        taken.add(explicit)
        max = Math.max(max, explicit)
        return explicit
      }
      return ++max
    },
  }
}

function fromList(ids: readonly number[]): IdSource {
  let i = 0
  return {
    next() {
      const id = ids[i++]
      if (id === undefined) throw new Error('the page planned more new rows than ids were drawn for it')
      return id
    },
  }
}

/**
 * The page's plan with ids from the sequence. How many rows are new is known only once
 * planned, so the plan is made on a copy with stand-in ids above every stored one, exactly
 * that many ids are drawn (no gap for a row that turned out not to be new), and the plan is
 * made again with them: both ascend, so every choice by id comes out the same.
 */
async function planWithSequence(c: PgClient, page: readonly PlannedRecord[], state: StoredState): Promise<PagePlan> {
  let standIn = 2 ** 52
  const trial = planPage(page, structuredClone(state), { next: () => standIn++ })
  const n = trial.inserts.length
  const ids = n ? (await c.query<{ id: number }>(`SELECT nextval(${MENTIONS_SEQUENCE}) AS id FROM generate_series(1, $1)`, [n])).map((r) => r.id).sort((a, b) => a - b) : []
  return planPage(page, state, fromList(ids))
}

async function writePlan(c: PgClient, plan: PagePlan): Promise<void> {
  if (plan.inserts.length) await c.query(INSERT_ROWS, [rowsJson(plan.inserts, COLUMNS)])
  if (plan.updates.length) await c.query(UPDATE_ROWS, [rowsJson(plan.updates, [COLUMNS[0]!, ...UPDATE_COLUMNS])])
  const s = plan.sightings
  if (s.length) {
    await c.query(
      `INSERT INTO sightings (source, external_id, mention_id, url, seen_at) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[]) ON CONFLICT DO NOTHING`,
      [s.map((x) => x.source), s.map((x) => x.externalId), s.map((x) => x.mentionId), s.map((x) => x.url), s.map((x) => x.seenAt)],
    )
  }
  if (plan.brands.length) {
    await c.query(`INSERT INTO mention_brands (brand, mention_id) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING`, [
      plan.brands.map((b) => b.brand),
      plan.brands.map((b) => b.mentionId),
    ])
  }
  const r = plan.replies
  if (r.length) {
    await c.query(
      `INSERT INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle, kind)
       SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) ON CONFLICT DO NOTHING`,
      [r.map((x) => x.mentionId), r.map((x) => x.source), r.map((x) => x.externalId), r.map((x) => x.at), r.map((x) => x.handle), r.map((x) => x.kind)],
    )
  }
  // The brand answered a mention when one of its own posts replies to it. Either side may be
  // stored first: the page's own posts were matched to their parents above, and here every
  // row written is matched to the own posts already stored under it (the page's included).
  const k = plan.childKeys
  if (k.length) {
    await c.query(
      `INSERT INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle)
       SELECT k.id, c.source, c.external_id, c.created_at, coalesce(c.author_handle, '')
       FROM unnest($1::bigint[], $2::text[], $3::text[]) AS k(id, s, e) JOIN mentions c ON c.source = k.s AND c.parent_external_id = k.e
       WHERE c.is_own AND c.parent_external_id IS NOT NULL ON CONFLICT DO NOTHING`,
      [k.map((x) => x.mentionId), k.map((x) => x.source), k.map((x) => x.externalId)],
    )
  }
  if (plan.tags.length) {
    await c.query(`INSERT INTO mention_tags (tag, mention_id) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING`, [
      plan.tags.map((t) => t.tag),
      plan.tags.map((t) => t.mentionId),
    ])
  }
  const a = plan.assignments
  if (a.length) {
    await c.query(`INSERT INTO triage (mention_id, state, assignee, updated_at) SELECT k.id, 'open', k.who, k.at FROM unnest($1::bigint[], $2::text[], $3::bigint[]) AS k(id, who, at)`, [
      a.map((x) => x.mentionId),
      a.map((x) => x.assignee),
      a.map((x) => x.at),
    ])
  }
  const w = plan.wakes
  if (w.length) {
    await c.query(
      `UPDATE triage AS t SET state = 'open', snoozed_until = NULL, state_reason = 'author wrote again', updated_at = k.at
       FROM unnest($1::bigint[], $2::bigint[]) AS k(id, at) WHERE t.mention_id = k.id`,
      [w.map((x) => x.mentionId), w.map((x) => x.at)],
    )
  }
  await insertEvents(c, plan.events)
}

/** Events in the order given: their ids follow it. */
async function insertEvents(c: PgClient, events: PagePlan['events']): Promise<void> {
  if (!events.length) return
  await c.query(
    `INSERT INTO events (mention_id, at, actor, action, detail)
     SELECT e.mention_id, e.at, e.actor, e.action, e.detail::jsonb
     FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS e(mention_id, at, actor, action, detail, n) ORDER BY e.n`,
    [events.map((e) => e.mentionId), events.map((e) => e.at), events.map((e) => pgText(e.actor)), events.map((e) => e.action), events.map((e) => JSON.stringify(pgJson(e.detail)))],
  )
}

async function upsertPage(pg: Pg, records: readonly MentionRecord[]): Promise<UpsertCounts> {
  if (records.length === 0) return { new: 0, updated: 0, unchanged: 0, byBrand: {} }
  const page = prepare(records)
  const keys = lockKeys(page)
  const alone = keys.length > MAX_KEY_LOCKS || page.some((p) => explicitId(p.record) !== null)
  return pg.tx(async (c) => {
    await lockPage(c, keys, alone)
    const state = await readState(c, page)
    const plan = alone ? planPage(page, state, await sqliteIds(c, page)) : await planWithSequence(c, page, state)
    await writePlan(c, plan)
    // Rows stored with ids of their own (or past a sequence that ran behind): the sequence
    // moves past them, so a later insert under any lock draws a free id.
    if (alone && plan.inserts.length) {
      await c.query(
        `SELECT setval(${MENTIONS_SEQUENCE}, x.top) FROM (SELECT max(id) AS top FROM mentions) x
         WHERE x.top > coalesce(pg_sequence_last_value(${MENTIONS_SEQUENCE}::regclass), 0)`,
      )
    }
    return plan.counts
  })
}

async function applyScores(pg: Pg, version: string, scores: readonly ScoreUpdate[]): Promise<number> {
  if (scores.length === 0) return 0
  // One statement updates a row once: the last score given for an id is the one SQLite keeps.
  const last = new Map<number, ScoreUpdate>()
  for (const s of scores) last.set(s.id, s)
  const list = [...last.values()].sort((a, b) => a.id - b.id)
  const label = `(CASE WHEN m.sentiment_source = 'human' THEN m.sentiment_label ELSE r.label END)`
  const intent = `(CASE WHEN m.intent_source = 'human' THEN m.intent ELSE r.intent END)`
  const input: Partial<Record<PriorityColumn, string>> = { sentiment_label: label, sentiment_score: 'r.score', intent }
  return pg.tx(async (c) => {
    await c.query('SELECT 1 FROM mentions WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE', [list.map((s) => s.id)])
    const changed = await c.query<{ id: number }>(
      `UPDATE mentions AS m SET scorer_version = $1, sentiment_score = r.score, sentiment_label = ${label}, intent = ${intent},
         priority = ${contentPrioritySql((col) => input[col] ?? `m.${col}`, 'postgres')}
       FROM unnest($2::bigint[], $3::double precision[], $4::text[], $5::text[]) AS r(id, score, label, intent) WHERE m.id = r.id RETURNING m.id`,
      [pgText(version), list.map((s) => s.id), list.map((s) => s.score), list.map((s) => s.label), list.map((s) => s.intent)],
    )
    const ids = new Set(changed.map((r) => r.id))
    // SQLite counts every update it ran, a repeated id as often as it is given.
    return scores.filter((s) => ids.has(s.id)).length
  })
}

async function setLabel(pg: Pg, id: number, change: { sentiment?: SentimentLabel; intent?: Intent }, actor: string, now: number): Promise<boolean> {
  return pg.tx(async (c) => {
    const [before] = await c.query<{ sentiment_label: SentimentLabel; intent: Intent }>('SELECT sentiment_label, intent FROM mentions WHERE id = $1 FOR NO KEY UPDATE', [id])
    if (!before) return false
    if (change.sentiment) await c.query(`UPDATE mentions SET sentiment_label = $1, sentiment_source = 'human', updated_at = $2 WHERE id = $3`, [change.sentiment, now, id])
    if (change.intent) await c.query(`UPDATE mentions SET intent = $1, intent_source = 'human', updated_at = $2 WHERE id = $3`, [change.intent, now, id])
    await c.query(REFRESH_PRIORITY, [id])
    await insertEvents(c, [{
      mentionId: id,
      at: now,
      actor,
      action: 'label',
      detail: {
        ...(change.sentiment ? { sentiment: { from: before.sentiment_label, to: change.sentiment } } : {}),
        ...(change.intent ? { intent: { from: before.intent, to: change.intent } } : {}),
      },
    }])
    return true
  })
}

interface Matched {
  brands: string[]
  terms: string[]
  competitor: boolean
  state: string | null
  reason: string | null
}

async function applyRematch(pg: Pg, raw: readonly RematchChange[], actor: string, now: number): Promise<number> {
  if (raw.length === 0) return 0
  const changes = raw.map((c): RematchChange => ({
    id: c.id,
    reason: pgText(c.reason),
    match: c.match && { brands: c.match.brands.map(pgText), terms: c.match.terms.map(pgText), competitor: c.match.competitor },
  }))
  return pg.tx(async (c) => {
    const rows = await c.query<Matched & { id: number }>(
      `SELECT m.id, m.brands, m.terms, m.competitor, t.state, t.state_reason AS reason FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id
       WHERE m.id = ANY($1::bigint[]) ORDER BY m.id FOR NO KEY UPDATE OF m`,
      [[...new Set(changes.map((x) => x.id))]],
    )
    const current = new Map(rows.map(({ id, ...r }) => [id, r]))
    // Replayed change by change as SQLite runs them; each row is then written once, as it ends.
    const matches = new Map<number, { brands: string[]; terms: string[]; competitor: boolean }>()
    const states = new Map<number, { state: string; reason: string }>()
    const events: PagePlan['events'] = []
    let changed = 0
    for (const ch of changes) {
      const row = current.get(ch.id)
      if (!row) continue
      const from = { brands: row.brands, terms: row.terms }
      if (ch.match === null) {
        // Nothing is deleted: the mention leaves the queues, and the event says why.
        if (row.state === 'ignored' || row.state === 'done') continue
        events.push({ mentionId: ch.id, at: now, actor, action: 'rematch', detail: { from, to: null, state: { from: row.state ?? 'open', to: 'ignored' }, reason: ch.reason } })
        row.state = 'ignored'
        row.reason = 'rematch'
        states.set(ch.id, { state: 'ignored', reason: 'rematch' })
        changed++
        continue
      }
      const m = ch.match
      const sameMatch = JSON.stringify(from.brands) === JSON.stringify(m.brands) && JSON.stringify(from.terms) === JSON.stringify(m.terms) && row.competitor === m.competitor
      // A mention a rematch put aside comes back when the query matches it again.
      const reopen = row.state === 'ignored' && row.reason === 'rematch'
      if (sameMatch && !reopen) continue
      if (!sameMatch) {
        row.brands = m.brands
        row.terms = m.terms
        row.competitor = m.competitor
        matches.set(ch.id, { brands: m.brands, terms: m.terms, competitor: m.competitor })
      }
      if (reopen) {
        row.state = 'open'
        row.reason = 'rematch'
        states.set(ch.id, { state: 'open', reason: 'rematch' })
      }
      events.push({
        mentionId: ch.id,
        at: now,
        actor,
        action: 'rematch',
        detail: { from, to: { brands: m.brands, terms: m.terms }, ...(reopen ? { state: { from: 'ignored', to: 'open' } } : {}), reason: ch.reason },
      })
      changed++
    }
    if (matches.size) {
      const ids = [...matches.keys()]
      const list = [...matches.values()]
      await c.query(
        `UPDATE mentions AS m SET brands = r.brands::jsonb, terms = r.terms::jsonb, competitor = r.competitor, updated_at = $5
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::boolean[]) AS r(id, brands, terms, competitor) WHERE m.id = r.id`,
        [ids, list.map((x) => JSON.stringify(x.brands)), list.map((x) => JSON.stringify(x.terms)), list.map((x) => x.competitor), now],
      )
      await c.query('DELETE FROM mention_brands WHERE mention_id = ANY($1::bigint[])', [ids])
      const pairs = [...matches].flatMap(([id, x]) => [...new Set(x.brands)].map((b) => [b, id] as const))
      if (pairs.length) {
        await c.query('INSERT INTO mention_brands (brand, mention_id) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING', [pairs.map((p) => p[0]), pairs.map((p) => p[1])])
      }
    }
    if (states.size) {
      await c.query(
        `INSERT INTO triage (mention_id, state, state_reason, updated_at) SELECT r.id, r.state, r.reason, $4 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS r(id, state, reason)
         ON CONFLICT (mention_id) DO UPDATE SET state = excluded.state, state_reason = excluded.state_reason, updated_at = excluded.updated_at`,
        [[...states.keys()], [...states.values()].map((s) => s.state), [...states.values()].map((s) => s.reason), now],
      )
    }
    await insertEvents(c, events)
    return changed
  })
}

export function mentionsWrite(pg: Pg): Pick<MentionsRepo, 'upsertPage' | 'bulkLoad' | 'applyScores' | 'applyRematch' | 'setLabel'> {
  return {
    upsertPage: (records) => upsertPage(pg, records),
    // Each page is its own transaction already. At the end, what autovacuum would get to in
    // its own time: statistics for the planner, and the visibility map without which an
    // index-only scan (the queue walk, migration 5) fetches a heap row per index entry. FREEZE:
    // right after the load, a plain VACUUM left most pages not all-visible (PostgreSQL 15),
    // where a frozen load on a local server was all-visible (on the test suite's server not
    // always: autovacuum finishes the job), and a later anti-wraparound pass has nothing to
    // rewrite. About 1.7 s for a million mentions.
    bulkLoad: async (work) => {
      const out = await work()
      // The rows are stored whatever comes of this (a role that does not own the tables gets a
      // warning, not an error); autovacuum does the rest later.
      await pg.query('VACUUM (FREEZE, ANALYZE) mentions, mention_brands, mention_hours').catch(() => undefined)
      return out
    },
    applyScores: (version, scores) => applyScores(pg, version, scores),
    applyRematch: (changes, actor, now) => applyRematch(pg, changes, actor, now),
    setLabel: (id, change, actor, now) => setLabel(pg, id, change, actor, now),
  }
}
