// `mentions sources`: what is configured, what each needs, and how its last pull went.
import { NoDatabaseError } from '../errors.js'
import type { ReplyDetection } from '../sources/types.js'
import type { Backoff, CursorStatus, RunRecord, SourceHealth } from '../store/index.js'
import type { Deps } from './deps.js'
import { OWN_ACTIVITY_SUFFIX, PULL_DEFAULTS, planTasks } from './pull.js'

export interface SourceStatus {
  source: string
  instance: string
  /** The configured name of the instance (an rss feed's `name`), or null. */
  name: string | null
  brand: string
  /** Environment variables the source reads, and whether each is set. */
  env: { name: string; set: boolean; optional: boolean; why: string }[]
  /** How it tells the brand answered ('own-activity' rows are the brand-reply walks themselves). */
  replies: ReplyDetection
  /** What the upstream caps whatever the configuration ("at most 5 reviews per place"), or null. */
  limits: string | null
  /** 'search', or 'own' for the walk of the brand handles' own posts. */
  stream: 'search' | 'own'
  /** What the upstream last said about its quota or rate limit (resetAt as ISO-8601). */
  quota: { remaining?: number; limit?: number; resetAt?: string; note?: string } | null
  /** Items in the last pull that reached this source: fetched, new, updated. */
  lastRun: { fetched: number; new: number; updated: number } | null
  lastOkAt: string | null
  lastError: string | null
  lastErrorAt: string | null
  /** The host asked (Retry-After) not to be called before this (ISO-8601); pulls skip it until then. */
  backoffUntil: string | null
  /** Pulls running that answered with no items, after it had items before (0: it answers). */
  emptyStreak: number
  /**
   * What needs a look, in words, or null: "waiting for api.x.com until 14:05 UTC (Retry-After)",
   * "empty 6 pulls running" (once the streak reaches pull.emptyAfter).
   */
  status: string | null
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/**
 * Works before the first pull too: with no database yet, every source is listed as never
 * pulled (and no database is created).
 */
export async function listSources(deps: Deps): Promise<SourceStatus[]> {
  let statuses: CursorStatus[] = []
  let last: RunRecord | undefined
  let health: SourceHealth[] = []
  let backoffs: Backoff[] = []
  const now = deps.now()
  try {
    const store = deps.readStore()
    statuses = await store.cursors.all()
    last = await store.runs.last()
    health = await store.runs.health()
    backoffs = await store.backoff.active(now)
  } catch (err) {
    if (!(err instanceof NoDatabaseError)) throw err
  }
  const keyOf = (k: { source: string; instance: string; brand: string }) => `${k.source}\0${k.instance}\0${k.brand}`
  const cursors = new Map(statuses.map((c) => [keyOf(c), c]))
  // A walk the last pull skipped (another host had it) says nothing about what it fetched.
  const runs = new Map((last?.report ?? []).filter((r) => !r.skipped).map((r) => [keyOf(r), r]))
  const healthOf = new Map(health.map((h) => [keyOf(h), h]))
  const backoffOf = new Map(backoffs.map((b) => [`${b.source}\0${b.instance}`, b]))
  const emptyAfter = deps.config().pull.emptyAfter ?? PULL_DEFAULTS.emptyAfter
  return planTasks(deps).map((t) => {
    const c = cursors.get(keyOf(t.key))
    const r = runs.get(keyOf(t.key))
    const u = c?.upstream ?? null
    const instance = t.key.instance.endsWith(OWN_ACTIVITY_SUFFIX) ? t.key.instance.slice(0, -OWN_ACTIVITY_SUFFIX.length) : t.key.instance
    const b = backoffOf.get(`${t.key.source}\0${instance}`)
    const emptyStreak = healthOf.get(keyOf(t.key))?.emptyStreak ?? 0
    const status = b
      ? `waiting for ${b.host} until ${new Date(b.until).toISOString().slice(11, 16)} UTC (Retry-After)`
      : emptyStreak >= emptyAfter ? `empty ${emptyStreak} pulls running` : null
    return {
      ...t.key,
      name: typeof t.options.name === 'string' && t.options.name ? t.options.name : null,
      env: t.source.requires.map((req) => ({ name: req.env, set: Boolean(deps.env[req.env]), optional: req.optional ?? false, why: req.why })),
      replies: t.source.replies,
      limits: t.source.limits ?? null,
      stream: t.stream,
      quota: u && {
        ...(u.remaining !== undefined ? { remaining: u.remaining } : {}),
        ...(u.limit !== undefined ? { limit: u.limit } : {}),
        ...(u.resetAt !== undefined ? { resetAt: new Date(u.resetAt).toISOString() } : {}),
        ...(u.note !== undefined ? { note: u.note } : {}),
      },
      lastRun: r ? { fetched: r.fetched, new: r.new, updated: r.updated } : null,
      lastOkAt: iso(c?.lastOkAt ?? null),
      lastError: c?.lastError ?? null,
      lastErrorAt: iso(c?.lastErrorAt ?? null),
      backoffUntil: b ? new Date(b.until).toISOString() : null,
      emptyStreak,
      status,
    }
  })
}
