// `mentions digest`: what is new to us (first seen) in a window, what needs doing, and how far
// the numbers can be trusted, as one data object every renderer (src/report/digest/) reads.
// Everything here reads through the read-only store; only recordDigest writes.
import { UsageError } from '../errors.js'
import type { Mention } from '../model.js'
import type { DigestSourceCount } from '../store/index.js'
import { coverageAndHealth, type CoverageLine, type HealthProblem } from './digest/health.js'
import { themes, type Theme } from './digest/themes.js'
import type { Deps } from './deps.js'
import { checkListQuery } from './queues.js'
import { listSpikes, type SpikeRow } from './spikes.js'
import { responseStats, type ResponseStatsLine } from './stats.js'

const HOUR = 3600_000
const DAY = 24 * HOUR

export const DEFAULT_DIGEST_WINDOW_MS = DAY
export const DEFAULT_OVERDUE_MS = DAY
/** Overdue items are looked for among those said in the last week (or twice the threshold): older ones are a backlog, not news. */
export const OVERDUE_LOOKBACK_MS = 7 * DAY
/** Pulls this far back (at least) tell what is usual for a source. */
export const HEALTH_LOOKBACK_MS = 30 * DAY
/** Items listed per section; the rest is counted. */
export const DIGEST_LIST_LIMIT = 5

export interface DigestQuery {
  /** The window's start (epoch ms), or 'last': the end of the previous digest of this name. */
  since?: number | 'last'
  /** The digest's name for --since last; default: the one brand asked for, else "default". */
  name?: string
  brands?: readonly string[]
  /** How old an open, unanswered item must be to count as overdue (default 24h). */
  overdueMs?: number
}

export interface DigestItem {
  id: number
  source: string
  url: string
  title: string | null
  text: string
  author: string | null
  brands: string[]
  sentiment: Mention['sentimentLabel']
  intent: Mention['intent']
  priority: number
  createdAt: number
  fetchedAt: number
  assignee: string | null
}

export interface DigestAssigned extends DigestItem {
  assignedAt: number
  assignedBy: string
}

export interface VoiceLine {
  brand: string
  competitor: boolean
  mentions: number
  /** Of every configured brand's (mention, brand) pairs in the window; null when there are none. */
  share: number | null
}

export interface Digest {
  name: string
  /** The brands asked for (--brand); empty: all of ours. */
  brands: string[]
  window: {
    start: number
    end: number
    /** The previous window, of equal length, for every "change". */
    previousStart: number
    /** How the start was chosen: a duration or time, the end of the last digest, or the 24h fallback of a first --since last. */
    from: 'since' | 'last' | 'first'
  }
  volume: { total: number; previous: number; change: number | null }
  sentiment: { negative: number; neutral: number; positive: number; negativeShare: number | null; previousNegativeShare: number | null }
  /** Per hour (window ≤ 48h) or per day, every bucket of the window, oldest first. */
  series: { bucketMs: number; buckets: { start: number; total: number; negative: number }[] }
  unanswered: { items: DigestItem[]; more: number }
  assigned: { items: DigestAssigned[]; more: number }
  overdue: { items: DigestItem[]; more: number; afterMs: number }
  /** `stats responses` over the mentions said in the window. */
  responses: ResponseStatsLine
  /** Spikes still active (their cooldown not over) whose bucket falls in the window. */
  spikes: SpikeRow[]
  themes: Theme[]
  /** Null without a config, or when no competitor brand is configured. */
  voice: VoiceLine[] | null
  coverage: {
    /** Mentions first seen in the window per source instance. */
    counts: DigestSourceCount[]
    sources: CoverageLine[]
    /** Mentions whose answered state cannot be known (their source cannot see replies). */
    unknown: number
    unknownShare: number | null
  }
  /** Shown at the top: failing, silent, or no pulls at all in the window. */
  health: HealthProblem[]
  /** A source's last pull failed: the command exits 3. */
  broken: boolean
  /** Nothing new and nothing wrong: --quiet-if-empty prints nothing. */
  empty: boolean
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000)

export function digestName(q: Pick<DigestQuery, 'name' | 'brands'>): string {
  if (q.name !== undefined) {
    if (!q.name.trim()) throw new UsageError('--name must not be empty')
    return q.name
  }
  return q.brands?.length === 1 ? (q.brands[0] as string) : 'default'
}

function item(m: Mention): DigestItem {
  return {
    id: m.id,
    source: m.source,
    url: m.url,
    title: m.title,
    text: m.text,
    author: m.authorHandle ?? m.authorName,
    brands: m.brands,
    sentiment: m.sentimentLabel,
    intent: m.intent,
    priority: m.priority,
    createdAt: m.createdAt,
    fetchedAt: m.fetchedAt,
    assignee: m.assignee,
  }
}

/** The window's start: a time, the end of the previous digest of the name, or 24h back. */
export async function resolveStart(deps: Deps, q: DigestQuery, now: number): Promise<{ start: number; from: Digest['window']['from'] }> {
  if (q.since === 'last') {
    const last = await deps.readStore().digests.last(digestName(q))
    if (last) return { start: Math.min(last.end, now), from: 'last' }
    return { start: now - DEFAULT_DIGEST_WINDOW_MS, from: 'first' }
  }
  return { start: q.since ?? now - DEFAULT_DIGEST_WINDOW_MS, from: 'since' }
}

export async function buildDigest(deps: Deps, q: DigestQuery = {}): Promise<Digest> {
  checkListQuery(deps, q.brands?.length ? { brands: q.brands } : {})
  const now = deps.now()
  const { start, from } = await resolveStart(deps, q, now)
  if (start >= now) throw new UsageError('--since must be in the past')
  const length = now - start
  const previousStart = start - length
  const brands = q.brands?.length ? [...q.brands] : []
  const scopeBrands = brands.length ? { brands } : {}
  const store = deps.readStore()
  const config = deps.maybeConfig()
  const bucketMs = length <= 48 * HOUR ? HOUR : DAY
  const overdueMs = q.overdueMs ?? DEFAULT_OVERDUE_MS
  const hasCompetitor = config?.brands.some((b) => b.competitor) === true

  const [buckets, previousBuckets, counts, texts, voiceRows, assignments, overdue, unanswered, responses, spikes, runs, cursors] = await Promise.all([
    store.digests.buckets({ from: start, to: now, bucketMs, ...scopeBrands }),
    store.digests.buckets({ from: previousStart, to: start, bucketMs: length, ...scopeBrands }),
    store.digests.sources({ from: start, to: now, ...scopeBrands }),
    store.digests.negativeTexts({ from: previousStart, to: now, since: start, ...scopeBrands }),
    // Share of voice is shown only beside a configured competitor: without one, no scan for it.
    hasCompetitor ? store.digests.voice({ from: start, to: now }) : [],
    store.digests.assignments({ from: start, to: now, limit: DIGEST_LIST_LIMIT, ...scopeBrands }),
    store.digests.overdue({ from: now - Math.max(OVERDUE_LOOKBACK_MS, 2 * overdueMs), to: now - overdueMs + 1, now, limit: DIGEST_LIST_LIMIT, ...scopeBrands }),
    store.mentions.queuePage({ queue: 'unanswered', newSince: start, now, limit: DIGEST_LIST_LIMIT, countMore: true, ...scopeBrands }),
    responseStats(deps, { since: start, until: now, ...scopeBrands }),
    listSpikes(deps, { since: start, ...scopeBrands }),
    store.digests.runs(Math.min(start, now - HEALTH_LOOKBACK_MS), now + 1),
    store.cursors.all(),
  ])

  const sum = (k: 'total' | 'negative' | 'neutral' | 'positive' | 'unknown') => buckets.reduce((n, b) => n + b[k], 0)
  const total = sum('total')
  const previous = previousBuckets.reduce((n, b) => n + b.total, 0)
  const previousNegative = previousBuckets.reduce((n, b) => n + b.negative, 0)
  const found = new Map(buckets.map((b) => [b.start, b]))
  const series: Digest['series']['buckets'] = []
  for (let t = start - (start % bucketMs); t < now; t += bucketMs) {
    const b = found.get(t)
    series.push({ start: t, total: b?.total ?? 0, negative: b?.negative ?? 0 })
  }

  const exclude = [...new Set([...(config?.brands ?? []).flatMap((b) => [b.name, ...b.terms]), ...texts.terms])]
  const grown = themes(texts.current, texts.previous, { exclude })

  const assignedMentions = await store.mentions.getMany(assignments.items.map((a) => a.mentionId), now)
  const byId = new Map(assignments.items.map((a) => [a.mentionId, a]))
  const assigned = assignedMentions.map((m): DigestAssigned => {
    const a = byId.get(m.id)
    return { ...item(m), assignedAt: a?.at ?? m.fetchedAt, assignedBy: a?.actor ?? '' }
  })
  const overdueMentions = await store.mentions.getMany(overdue.ids, now)

  let voice: VoiceLine[] | null = null
  if (config && hasCompetitor) {
    const stored = new Map(voiceRows.map((r) => [r.brand.toLowerCase(), r.mentions]))
    const lines = config.brands.map((b) => ({ brand: b.name, competitor: b.competitor, mentions: stored.get(b.name.toLowerCase()) ?? 0 }))
    const all = lines.reduce((n, l) => n + l.mentions, 0)
    voice = lines.map((l) => ({ ...l, share: share(l.mentions, all) })).sort((a, b) => b.mentions - a.mentions || a.brand.localeCompare(b.brand))
  }

  const limits = new Map(deps.sources.flatMap((s) => (s.limits ? [[s.kind, s.limits] as const] : [])))
  const { coverage, problems } = coverageAndHealth({ runs, cursors, start, now, limits, ...scopeBrands })
  const responsesTotal = responses.rows.find((r) => r.total) as ResponseStatsLine
  const activeSpikes = spikes.rows.filter((s) => s.active)
  const unknown = sum('unknown')
  const digest: Digest = {
    name: digestName(q),
    brands,
    window: { start, end: now, previousStart, from },
    volume: { total, previous, change: previous === 0 ? null : Math.round(((total - previous) / previous) * 10_000) / 10_000 },
    sentiment: {
      negative: sum('negative'),
      neutral: sum('neutral'),
      positive: sum('positive'),
      negativeShare: share(sum('negative'), total),
      previousNegativeShare: share(previousNegative, previous),
    },
    series: { bucketMs, buckets: series },
    unanswered: { items: unanswered.mentions.map(item), more: unanswered.more },
    assigned: { items: assigned, more: Math.max(0, assignments.total - assigned.length) },
    overdue: { items: overdueMentions.map(item), more: Math.max(0, overdue.total - overdueMentions.length), afterMs: overdueMs },
    responses: responsesTotal,
    spikes: activeSpikes,
    themes: grown,
    voice,
    coverage: { counts, sources: coverage, unknown, unknownShare: share(unknown, total) },
    health: problems,
    broken: problems.some((p) => p.kind === 'failing'),
    empty: false,
  }
  digest.empty = total === 0 && assignments.total === 0 && activeSpikes.length === 0 && problems.length === 0
  return digest
}

/** Remembers the window's end for the next `--since last` of this name: the one write. */
export async function recordDigest(deps: Deps, d: Pick<Digest, 'name' | 'window'>): Promise<void> {
  await deps.store().digests.record({ name: d.name, start: d.window.start, end: d.window.end, recordedAt: deps.now() })
}
