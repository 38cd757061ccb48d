// `mentions sources`: what is configured, what each needs, and how its last pull went.
import { NoDatabaseError } from '../errors.js'
import type { ReplyDetection } from '../sources/types.js'
import type { CursorStatus, RunRecord } from '../store/index.js'
import type { Deps } from './deps.js'
import { planTasks } from './pull.js'

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
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/**
 * Works before the first pull too: with no database yet, every source is listed as never
 * pulled (and no database is created).
 */
export async function listSources(deps: Deps): Promise<SourceStatus[]> {
  let statuses: CursorStatus[] = []
  let last: RunRecord | undefined
  try {
    const store = deps.readStore()
    statuses = await store.cursors.all()
    last = await store.runs.last()
  } catch (err) {
    if (!(err instanceof NoDatabaseError)) throw err
  }
  const keyOf = (k: { source: string; instance: string; brand: string }) => `${k.source}\0${k.instance}\0${k.brand}`
  const cursors = new Map(statuses.map((c) => [keyOf(c), c]))
  const runs = new Map((last?.report ?? []).map((r) => [keyOf(r), r]))
  return planTasks(deps).map((t) => {
    const c = cursors.get(keyOf(t.key))
    const r = runs.get(keyOf(t.key))
    const u = c?.upstream ?? null
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
    }
  })
}
