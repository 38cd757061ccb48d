// `mentions import`: rows from a file (another tool's export, a backup, our own export) through
// the same enrich → store path a pull takes, without HTTP. Streamed: one batch in memory at most.
import { UsageError } from '../errors.js'
import type { Config } from '../config/load.js'
import { loadLanguageDetector, type LanguageDetector } from '../match/lang.js'
import { compileMatcher } from '../match/matcher.js'
import type { MentionDraft } from '../model.js'
import { compileRules } from '../rules/rules.js'
import type { Scorer } from '../sentiment/index.js'
import type { ReplyDetection } from '../sources/types.js'
import type { MentionRecord } from '../store/index.js'
import type { Deps } from './deps.js'
import { createEnricher, type Enricher } from './records.js'

export type ImportFormat = 'ndjson' | 'csv'
export const IMPORT_FORMATS: readonly ImportFormat[] = ['ndjson', 'csv']

/** One parsed input row and the line it started on (1-based, as an editor counts). */
export interface InputRow {
  line: number
  fields: Record<string, unknown>
}

/** A line that could not be read at all (broken JSON, a CSV record with the wrong cell count). */
export interface BadLine {
  line: number
  reason: string
}

export interface ImportOptions {
  /** Rows in file order; a BadLine stands for a line the parser could not read. */
  rows?: AsyncIterable<InputRow | BadLine>
  /** Instead of rows: prepared rows, in file order, from elsewhere (a worker reading the file). */
  prepared?: (setup: PrepareSetup) => AsyncIterable<Prepared[]>
  /** Store rows that match no brand under this one (as if found on its own channel). */
  brand?: string
  /** Rows per transaction. */
  batchSize?: number
  onBad?: (bad: BadLine) => void
  onUnmatched?: (line: number) => void
  /** After each stored batch: rows read so far. */
  onProgress?: (read: number) => void
  signal?: AbortSignal
}

export interface ImportResult {
  new: number
  updated: number
  unchanged: number
  bad: number
  unmatched: number
  /** Rows read (good, bad and unmatched). */
  rows: number
}

/** The minimal fields: a source, an external id or a URL, a text and a created time. */
export const REQUIRED_FIELDS = ['source', 'externalId or url', 'text', 'createdAt'] as const

// Other tools name the same things differently; the first name present wins, ours first.
const ALIASES = {
  id: ['id'],
  source: ['source', 'platform'],
  externalId: ['externalId', 'external_id', 'externalID', 'postId', 'post_id'],
  url: ['url', 'permalink', 'link'],
  text: ['text', 'content', 'body', 'message'],
  title: ['title', 'subject'],
  createdAt: ['createdAt', 'created_at', 'created', 'date', 'published', 'timestamp', 'time'],
  fetchedAt: ['fetchedAt', 'fetched_at'],
  author: ['author', 'authorHandle', 'author_handle', 'handle', 'username'],
  authorName: ['authorName', 'author_name'],
  authorReach: ['authorReach', 'author_reach', 'reach', 'followers'],
  lang: ['lang', 'language'],
  likes: ['likes'],
  reposts: ['reposts', 'shares', 'retweets'],
  replies: ['replies', 'comments'],
  score: ['score', 'points'],
  inReplyTo: ['inReplyTo', 'parentExternalId', 'parent_external_id', 'parent_id'],
  threadExternalId: ['threadExternalId', 'threadId', 'thread_external_id', 'thread_id'],
  rating: ['rating', 'stars'],
  sourceName: ['sourceName', 'source_name'],
} as const satisfies Record<string, readonly string[]>

type Field = keyof typeof ALIASES

function pick(fields: Record<string, unknown>, name: Field): unknown {
  for (const alias of ALIASES[name]) {
    const v = fields[alias]
    // An empty CSV cell is "not given", as null is in JSON.
    if (v !== undefined && v !== null && v !== '') return v
  }
  return undefined
}

// A CSV export neutralises cells a spreadsheet would run ('=…' becomes "'=…"); undo it so our
// own CSV imports to the text it was exported from.
const NEUTRALISED = /^'[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/

function text(v: unknown, csv: boolean): string | undefined {
  if (v === undefined) return undefined
  if (typeof v !== 'string') return typeof v === 'number' ? String(v) : undefined
  return csv && NEUTRALISED.test(v) ? v.slice(1) : v
}

function count(v: unknown, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN
  if (!Number.isFinite(n)) throw new RowError(`${name} is not a number (${JSON.stringify(v)})`)
  return n
}

/** ISO-8601 (or any date Date.parse reads), or a number: epoch seconds below 1e11, else ms. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? (Math.abs(v) < 1e11 ? v * 1000 : v) : undefined
  if (typeof v !== 'string') return undefined
  const s = v.trim()
  if (/^-?\d+(\.\d+)?$/.test(s)) return parseTime(Number(s))
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}

class RowError extends Error {}

export interface ImportDraft {
  /** The row's id in the export it came from: kept when that id is free here. */
  id?: number
  source: string
  sourceName?: string
  fetchedAt?: number
  draft: MentionDraft
}

/**
 * One input row as a draft, or a RowError naming what is missing or malformed. Pure: the
 * brands, scores and routing are the enricher's, exactly as for a pulled item.
 */
export function rowToDraft(fields: Record<string, unknown>, opts: { csv: boolean; kinds: ReadonlySet<string> }): ImportDraft {
  const source = text(pick(fields, 'source'), false)?.trim()
  if (!source) throw new RowError('no source')
  if (!opts.kinds.has(source)) throw new RowError(`unknown source "${source}" (known: ${[...opts.kinds].join(', ')})`)
  const url = text(pick(fields, 'url'), false)?.trim()
  const externalId = text(pick(fields, 'externalId'), false)?.trim() || url
  if (!externalId) throw new RowError('no externalId and no url')
  const body = text(pick(fields, 'text'), opts.csv)
  const title = text(pick(fields, 'title'), opts.csv)
  if (body === undefined && title === undefined) throw new RowError('no text')
  const createdRaw = pick(fields, 'createdAt')
  if (createdRaw === undefined) throw new RowError('no createdAt')
  const createdAt = parseTime(createdRaw)
  if (createdAt === undefined) throw new RowError(`createdAt is not a time (${JSON.stringify(createdRaw)})`)
  const fetchedRaw = pick(fields, 'fetchedAt')
  const fetchedAt = fetchedRaw === undefined ? undefined : parseTime(fetchedRaw)
  if (fetchedRaw !== undefined && fetchedAt === undefined) throw new RowError(`fetchedAt is not a time (${JSON.stringify(fetchedRaw)})`)
  const rating = count(pick(fields, 'rating'), 'rating')
  if (rating !== undefined && (rating < 1 || rating > 5)) throw new RowError(`rating must be 1–5 (got ${rating})`)

  const handle = text(pick(fields, 'author'), opts.csv)
  const name = text(pick(fields, 'authorName'), opts.csv)
  const reach = count(pick(fields, 'authorReach'), 'authorReach')
  const likes = count(pick(fields, 'likes'), 'likes')
  const reposts = count(pick(fields, 'reposts'), 'reposts')
  const replies = count(pick(fields, 'replies'), 'replies')
  const score = count(pick(fields, 'score'), 'score')
  const parent = text(pick(fields, 'inReplyTo'), false)
  const thread = text(pick(fields, 'threadExternalId'), false)
  const lang = text(pick(fields, 'lang'), false)
  const sourceName = text(pick(fields, 'sourceName'), opts.csv)
  const draft: MentionDraft = { externalId, url: url ?? '', text: body ?? '', createdAt }
  if (title !== undefined) draft.title = title
  // Optional keys set one by one, not spread or filtered: this runs once per imported row and
  // the intermediate objects showed in the ingest profile.
  if (handle !== undefined || name !== undefined || reach !== undefined) {
    const author: NonNullable<MentionDraft['author']> = {}
    if (handle !== undefined) author.handle = handle
    if (name !== undefined) author.name = name
    if (reach !== undefined) author.reach = reach
    draft.author = author
  }
  if (likes !== undefined || reposts !== undefined || replies !== undefined || score !== undefined) {
    const metrics: NonNullable<MentionDraft['metrics']> = {}
    if (likes !== undefined) metrics.likes = likes
    if (reposts !== undefined) metrics.reposts = reposts
    if (replies !== undefined) metrics.replies = replies
    if (score !== undefined) metrics.score = score
    draft.metrics = metrics
  }
  if (parent !== undefined) draft.parentExternalId = parent
  if (thread !== undefined) draft.threadExternalId = thread
  if (lang !== undefined) draft.lang = lang
  if (rating !== undefined) draft.rating = rating
  const idRaw = pick(fields, 'id')
  const id = idRaw === undefined ? undefined : Number(idRaw)
  const out: ImportDraft = { source, draft }
  if (id !== undefined && Number.isSafeInteger(id) && id > 0) out.id = id
  if (sourceName !== undefined) out.sourceName = sourceName
  if (fetchedAt !== undefined) out.fetchedAt = fetchedAt
  return out
}

const isBad = (r: InputRow | BadLine): r is BadLine => 'reason' in r

/** What one input row became: a record to store, a bad line, or a row that matched no brand. */
export type Prepared = { record: MentionRecord } | { bad: BadLine } | { unmatched: number }

/**
 * What turning rows into records needs, all of it plain data: a worker thread gets a copy and
 * prepares the rows there exactly as the main thread would.
 */
export interface PrepareSetup {
  format: ImportFormat
  brands: Config['brands']
  rules: NonNullable<Config['rules']>
  /** The configured brand's name for --brand, resolved. */
  brandName?: string
  /** How each known source kind shows the brand's replies. */
  replies: Record<string, ReplyDetection>
  now: number
}

/**
 * Rows in, prepared rows out, in input order and in batches of `size`: parsed, matched, scored
 * and routed, ready for the store. Pure apart from loading the language detector, which only
 * an input with a row lacking a language pays for (it takes most of a second).
 */
export async function* prepareRows(setup: PrepareSetup, scorer: Scorer, rows: AsyncIterable<InputRow | BadLine>, size = 1000): AsyncGenerator<Prepared[]> {
  const matcher = compileMatcher(setup.brands)
  const rules = compileRules(setup.rules)
  const kinds = new Set(Object.keys(setup.replies))
  let detector: LanguageDetector | undefined
  const lazyDetector: LanguageDetector = { detect: (t) => detector?.detect(t) }
  const enrichers = new Map<string, Enricher>()
  const enricherFor = (source: string, sourceName: string | undefined): Enricher => {
    const key = `${source}\u0000${sourceName ?? ''}`
    let e = enrichers.get(key)
    if (!e) {
      const replies = setup.replies[source] ?? 'none'
      e = createEnricher({ source, sourceName, replies, brands: setup.brands, matcher, scorer, now: setup.now, detector: lazyDetector, rules })
      enrichers.set(key, e)
    }
    return e
  }
  let out: Prepared[] = []
  for await (const row of rows) {
    if (out.length >= size) {
      yield out
      out = []
    }
    if (isBad(row)) {
      out.push({ bad: row })
      continue
    }
    let parsed: ImportDraft
    try {
      parsed = rowToDraft(row.fields, { csv: setup.format === 'csv', kinds })
    } catch (err) {
      if (!(err instanceof RowError)) throw err
      out.push({ bad: { line: row.line, reason: err.message } })
      continue
    }
    if (detector === undefined && parsed.draft.lang === undefined) detector = await loadLanguageDetector()
    const enricher = enricherFor(parsed.source, parsed.sourceName)
    const record = enricher.enrich(parsed.draft) ?? (setup.brandName !== undefined ? enricher.enrich({ ...parsed.draft, about: setup.brandName }) : null)
    if (!record) {
      out.push({ unmatched: row.line })
      continue
    }
    // A backup keeps when each row was first seen; another tool's rows are first seen now.
    if (parsed.fetchedAt !== undefined) record.fetchedAt = parsed.fetchedAt
    if (parsed.id !== undefined) record.id = parsed.id
    out.push({ record })
  }
  if (out.length) yield out
}

/**
 * Matches, scores, routes and stores every row, one transaction per batch (into an empty
 * SQLite database, one for the whole load). Human labels and
 * triage state in the input are not restored (see README, `mentions import`): the scorer and
 * the routing rules decide, as for a pulled item. `opts.prepared` moves the preparing
 * elsewhere (a worker thread); the store is written here, in input order, either way.
 */
export async function importMentions(deps: Deps, opts: ImportOptions & { format: ImportFormat }): Promise<ImportResult> {
  const config = deps.config()
  const brandName = opts.brand === undefined ? undefined : config.brands.find((b) => b.name.toLowerCase() === opts.brand?.toLowerCase())?.name
  if (opts.brand !== undefined && brandName === undefined) {
    throw new UsageError(`unknown brand "${opts.brand}" (configured: ${config.brands.map((b) => b.name).join(', ')})`)
  }
  const store = deps.store()
  const setup: PrepareSetup = {
    format: opts.format,
    brands: config.brands,
    rules: config.rules ?? [],
    ...(brandName !== undefined ? { brandName } : {}),
    replies: Object.fromEntries(deps.sources.map((s) => [s.kind, s.replies])),
    now: deps.now(),
  }
  let prepared: AsyncIterable<Prepared[]>
  if (opts.prepared) prepared = opts.prepared(setup)
  else if (opts.rows) prepared = prepareRows(setup, deps.scorer(), opts.rows)
  else throw new Error('importMentions needs rows or a preparer')

  const result: ImportResult = { new: 0, updated: 0, unchanged: 0, bad: 0, unmatched: 0, rows: 0 }
  const batchSize = opts.batchSize ?? 5000
  let batch: MentionRecord[] = []
  const flush = async () => {
    if (batch.length === 0) return
    const counts = await store.mentions.upsertPage(batch)
    result.new += counts.new
    result.updated += counts.updated
    result.unchanged += counts.unchanged
    batch = []
    opts.onProgress?.(result.rows)
  }
  // Into an empty SQLite database this is one transaction (see bulkLoad): an interrupt still
  // keeps what was read, as the loop ends normally; only a failure or a kill keeps nothing.
  await store.mentions.bulkLoad(async () => {
    read: for await (const items of prepared) {
      for (const p of items) {
        if (opts.signal?.aborted) break read
        result.rows++
        if ('record' in p) {
          batch.push(p.record)
          if (batch.length >= batchSize) await flush()
        } else if ('bad' in p) {
          result.bad++
          opts.onBad?.(p.bad)
        } else {
          result.unmatched++
          opts.onUnmatched?.(p.unmatched)
        }
      }
    }
    await flush()
  })
  return result
}
