// `mentions spikes`: per brand, the buckets whose volume or negative share stood out from the
// trailing baseline, and the slow climbs. Read-only; the detector (src/rules/spikes.ts) is pure,
// this decides the period, the brands and their settings, and asks the store for counts.
import type { Brand } from '../model.js'
import { bucketStart, detectSpikes, fillBuckets, markActive, resolveSpikeRule, SPIKE_KINDS, type Spike, type SpikeKind, type SpikeRule } from '../rules/spikes.js'
import { checkListQuery } from './queues.js'
import type { Deps } from './deps.js'

const DAY = 24 * 3600_000

/** The period when no --since is given: the last week, or a quarter for a backtest. */
export const DEFAULT_SPIKES_WINDOW_MS = 7 * DAY
export const DEFAULT_BACKTEST_WINDOW_MS = 90 * DAY

export interface SpikesQuery {
  /** Buckets that hold or follow this time (epoch ms) are listed. */
  since?: number
  brands?: readonly string[]
  /** Replaying stored history to tune the settings: the default period is 90 days, not 7. */
  backtest?: boolean
}

/** A spike the detector found, with the brand it is about. */
export interface SpikeRow extends Spike {
  brand: string
  /** The latest firing of its kind for the brand, its cooldown not over yet: what is going on now. */
  active: boolean
}

export interface SpikesReport {
  since: number
  until: number
  backtest: boolean
  /** Every brand judged, with the settings it was judged by. */
  brands: { name: string; rule: SpikeRule }[]
  /** Oldest first; within a bucket, by brand, then volume, negative share, climb. */
  rows: SpikeRow[]
}

interface Target {
  name: string
  rule: SpikeRule
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/**
 * How far before the period's first bucket the counts reach: one baseline for the first
 * bucket's comparison, then as much again (or a cooldown, if longer) replayed before it, so a
 * firing just before the period still cools down inside it and a climb under way has its sum.
 * A live run and a backtest over the same days thus judge them alike.
 */
function reachBack(rule: SpikeRule): number {
  return (rule.baselineBuckets + Math.max(rule.baselineBuckets, rule.cooldownBuckets)) * rule.bucketMs
}

export async function listSpikes(deps: Deps, q: SpikesQuery = {}): Promise<SpikesReport> {
  checkListQuery(deps, q.brands?.length ? { brands: q.brands } : {})
  const now = deps.now()
  const backtest = q.backtest === true
  const since = q.since ?? now - (backtest ? DEFAULT_BACKTEST_WINDOW_MS : DEFAULT_SPIKES_WINDOW_MS)
  const config = deps.maybeConfig()
  const asked = (name: string) => !q.brands?.length || q.brands.some((b) => sameName(b, name))
  // With a config, its brands and their settings; on a database alone, every stored brand by the defaults.
  const configured: Target[] | undefined = config?.brands.filter((b: Brand) => asked(b.name)).map((b) => ({ name: b.name, rule: resolveSpikeRule(b.spikes) }))
  const defaults = resolveSpikeRule()
  const groups = new Map<number, Target[]>()
  for (const t of configured ?? []) groups.set(t.rule.bucketMs, [...(groups.get(t.rule.bucketMs) ?? []), t])
  if (!configured) groups.set(defaults.bucketMs, [])

  const store = deps.readStore()
  const rows: SpikeRow[] = []
  const judged: Target[] = [...(configured ?? [])]
  for (const [bucketMs, targets] of groups) {
    const rules = targets.length ? targets.map((t) => t.rule) : [defaults]
    const from = Math.min(...rules.map((r) => bucketStart(since, bucketMs) - reachBack(r)))
    const series = await store.series.counts({
      from,
      to: now,
      bucketMs,
      ...(configured ? { brands: targets.map((t) => t.name) } : q.brands?.length ? { brands: q.brands } : {}),
    })
    for (const s of series) {
      let target = targets.find((t) => sameName(t.name, s.brand))
      if (!configured) judged.push((target = { name: s.brand, rule: defaults }))
      if (!target) continue
      const { rule } = target
      const firings = detectSpikes({ buckets: fillBuckets(s.buckets, from, now, bucketMs), firstAt: s.firstAt }, rule)
      const first = bucketStart(since, bucketMs)
      for (const f of markActive(firings, rule, now)) {
        if (f.bucketStart >= first) rows.push({ brand: target.name, ...f })
      }
    }
  }
  const kindOrder = (k: SpikeKind) => SPIKE_KINDS.indexOf(k)
  rows.sort((a, b) => a.bucketStart - b.bucketStart || a.brand.localeCompare(b.brand) || kindOrder(a.kind) - kindOrder(b.kind))
  return { since, until: now, backtest, brands: judged, rows }
}
