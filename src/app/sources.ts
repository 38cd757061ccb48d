// `mentions sources`: what is configured, what each needs, and how its last pull went.
import { NoDatabaseError } from '../errors.js'
import type { CursorStatus } from '../store/index.js'
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
  try {
    statuses = await deps.readStore().cursors.all()
  } catch (err) {
    if (!(err instanceof NoDatabaseError)) throw err
  }
  const cursors = new Map(statuses.map((c) => [`${c.source}\0${c.instance}\0${c.brand}`, c]))
  return planTasks(deps).map((t) => {
    const c = cursors.get(`${t.key.source}\0${t.key.instance}\0${t.key.brand}`)
    return {
      ...t.key,
      name: typeof t.options.name === 'string' && t.options.name ? t.options.name : null,
      env: t.source.requires.map((r) => ({ name: r.env, set: Boolean(deps.env[r.env]), optional: r.optional ?? false, why: r.why })),
      lastOkAt: iso(c?.lastOkAt ?? null),
      lastError: c?.lastError ?? null,
      lastErrorAt: iso(c?.lastErrorAt ?? null),
    }
  })
}
