// `mentions import`: rows from a file (another tool's export, a backup, our own export) through
// the same enrich → store path a pull takes, without HTTP. Streamed: one batch in memory at most.
import { UsageError } from '../errors.js'
import { loadLanguageDetector, type LanguageDetector } from '../match/lang.js'
import { compileMatcher } from '../match/matcher.js'
import type { MentionDraft } from '../model.js'
import { compileRules } from '../rules/rules.js'
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
  rows: AsyncIterable<InputRow | BadLine>
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

/**
 * Matches, scores, routes and stores every row, one transaction per batch. Human labels and
 * triage state in the input are not restored (see README, `mentions import`): the scorer and
 * the routing rules decide, as for a pulled item.
 */
export async function importMentions(deps: Deps, opts: ImportOptions & { format: ImportFormat }): Promise<ImportResult> {
  const config = deps.config()
  const brandName = opts.brand === undefined ? undefined : config.brands.find((b) => b.name.toLowerCase() === opts.brand?.toLowerCase())?.name
  if (opts.brand !== undefined && brandName === undefined) {
    throw new UsageError(`unknown brand "${opts.brand}" (configured: ${config.brands.map((b) => b.name).join(', ')})`)
  }
  const store = deps.store()
  const matcher = compileMatcher(config.brands)
  const rules = compileRules(config.rules ?? [])
  const scorer = deps.scorer()
  const now = deps.now()
  const bySource = new Map(deps.sources.map((s) => [s.kind, s]))
  const kinds = new Set(bySource.keys())
  // The detector takes most of a second to load: only an input with a row lacking a language pays.
  let detector: LanguageDetector | undefined
  const lazyDetector: LanguageDetector = { detect: (t) => detector?.detect(t) }
  const enrichers = new Map<string, Enricher>()
  const enricherFor = (source: string, sourceName: string | undefined): Enricher => {
    const key = `${source}\u0000${sourceName ?? ''}`
    let e = enrichers.get(key)
    if (!e) {
      const replies = bySource.get(source)?.replies ?? 'none'
      e = createEnricher({ source, sourceName, replies, brands: config.brands, matcher, scorer, now, detector: lazyDetector, rules })
      enrichers.set(key, e)
    }
    return e
  }

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
  const bad = (b: BadLine) => {
    result.bad++
    opts.onBad?.(b)
  }
  for await (const row of opts.rows) {
    if (opts.signal?.aborted) break
    result.rows++
    if (isBad(row)) {
      bad(row)
      continue
    }
    let parsed: ImportDraft
    try {
      parsed = rowToDraft(row.fields, { csv: opts.format === 'csv', kinds })
    } catch (err) {
      if (!(err instanceof RowError)) throw err
      bad({ line: row.line, reason: err.message })
      continue
    }
    if (detector === undefined && parsed.draft.lang === undefined) detector = await loadLanguageDetector()
    const enricher = enricherFor(parsed.source, parsed.sourceName)
    const record = enricher.enrich(parsed.draft) ?? (brandName !== undefined ? enricher.enrich({ ...parsed.draft, about: brandName }) : null)
    if (!record) {
      result.unmatched++
      opts.onUnmatched?.(row.line)
      continue
    }
    // A backup keeps when each row was first seen; another tool's rows are first seen now.
    if (parsed.fetchedAt !== undefined) record.fetchedAt = parsed.fetchedAt
    if (parsed.id !== undefined) record.id = parsed.id
    batch.push(record)
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  return result
}
