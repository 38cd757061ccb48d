// `mentions sources`: what is configured, what each needs, and how its last pull went.
import type { Deps } from './deps.js'
import { planTasks } from './pull.js'

export interface SourceStatus {
  source: string
  instance: string
  brand: string
  /** Environment variables the source reads, and whether each is set. */
  env: { name: string; set: boolean; optional: boolean; why: string }[]
  lastOkAt: string | null
  lastError: string | null
  lastErrorAt: string | null
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function listSources(deps: Deps): SourceStatus[] {
  const cursors = new Map(
    deps.store().cursors.all().map((c) => [`${c.source}\0${c.instance}\0${c.brand}`, c]),
  )
  return planTasks(deps).map((t) => {
    const c = cursors.get(`${t.key.source}\0${t.key.instance}\0${t.key.brand}`)
    return {
      ...t.key,
      env: t.source.requires.map((r) => ({ name: r.env, set: Boolean(deps.env[r.env]), optional: r.optional ?? false, why: r.why })),
      lastOkAt: iso(c?.lastOkAt ?? null),
      lastError: c?.lastError ?? null,
      lastErrorAt: iso(c?.lastErrorAt ?? null),
    }
  })
}
