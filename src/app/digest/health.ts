// Coverage and source health for a digest, from the pulls (runs) and cursors: which source
// instances the numbers rest on, which failed, ran out of budget, owe a gap or are capped
// upstream, and which have gone quiet for longer than usual. Pure: records in, findings out.
import type { CursorStatus, RunRecord, SourceRunReport } from '../../store/index.js'

export interface CoverageLine {
  source: string
  instance: string
  /** The configured name of the instance, when it has one. */
  name: string | null
  /** The brand searched; '' for feed-scoped sources. */
  brand: string
  /** Pulls of this instance started in the window, and how they went. */
  runs: number
  failed: number
  /** Pulls stopped by a spent read budget (what was read is stored; the rest waits). */
  budgetStopped: number
  /** The part of the window the pulls covered: first start and last end; null when none ran. */
  coveredFrom: number | null
  coveredTo: number | null
  /** New mentions the pulls stored in the window. */
  new: number
  /** The latest error of a pull in the window, if the latest pull failed. */
  lastError: string | null
  /** A window the source still owes (its cursor's gap). */
  gap: { from: number; to: number } | null
  /** What the upstream caps, as the adapter says ("at most 5 reviews per place"). */
  limits: string | null
}

export type HealthProblem =
  | { kind: 'failing'; source: string; instance: string; name: string | null; brand: string; error: string; at: number }
  | { kind: 'silent'; source: string; instance: string; name: string | null; brand: string; lastNewAt: number; usualGapMs: number }
  | { kind: 'no-pulls'; since: number }

export interface HealthInput {
  /** Every pull over the look-back (longer than the window, for usual gaps), oldest first. */
  runs: readonly RunRecord[]
  cursors: readonly CursorStatus[]
  /** The digest's window. */
  start: number
  now: number
  /** Source kind → its upstream cap (Source.limits). */
  limits: ReadonlyMap<string, string>
  /** Only these brands' brand-scoped instances (feeds always count); all when absent. */
  brands?: readonly string[]
}

/** Gaps between pulls that found something needed before "silent" may be said. */
export const MIN_GAPS_FOR_SILENCE = 4
/** Silent: no new mention for longer than this many times the median gap between new ones. */
export const SILENCE_FACTOR = 3

// Spent-budget stops are recorded as the adapter's message (BudgetExhaustedError): every one
// says "budget" or "quota". A field of its own in the run report would be surer.
const BUDGET_RE = /\b(budget|quota)\b/i

const keyOf = (r: { source: string; instance: string; brand: string }) => `${r.source}\u0000${r.instance}\u0000${r.brand}`

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

export function isBudgetStop(r: SourceRunReport): boolean {
  return r.error !== undefined && BUDGET_RE.test(r.error)
}

export function coverageAndHealth(input: HealthInput): { coverage: CoverageLine[]; problems: HealthProblem[] } {
  const wanted = (brand: string) => brand === '' || !input.brands?.length || input.brands.some((b) => b.toLowerCase() === brand.toLowerCase())
  const lines = new Map<string, CoverageLine>()
  const history = new Map<string, { at: number; report: SourceRunReport }[]>()
  for (const run of input.runs) {
    const at = run.endedAt ?? run.startedAt
    for (const r of run.report) {
      // Another host's pull walked it at the same time (PostgreSQL): that run's own report counts it.
      if (r.skipped || !wanted(r.brand)) continue
      const key = keyOf(r)
      const list = history.get(key) ?? []
      list.push({ at, report: r })
      history.set(key, list)
      if (run.startedAt < input.start) continue
      let line = lines.get(key)
      if (!line) {
        line = { source: r.source, instance: r.instance, name: r.name ?? null, brand: r.brand, runs: 0, failed: 0, budgetStopped: 0, coveredFrom: null, coveredTo: null, new: 0, lastError: null, gap: null, limits: input.limits.get(r.source) ?? null }
        lines.set(key, line)
      }
      line.runs++
      line.new += r.new
      if (r.error && isBudgetStop(r)) line.budgetStopped++
      else if (r.error) line.failed++
      line.lastError = r.error && !isBudgetStop(r) ? r.error : null
      line.coveredFrom ??= run.startedAt
      line.coveredTo = at
    }
  }
  for (const c of input.cursors) {
    if (!c.cursor.gap || !wanted(c.brand)) continue
    const line = lines.get(keyOf(c))
    if (line) line.gap = c.cursor.gap
    else lines.set(keyOf(c), { source: c.source, instance: c.instance, name: null, brand: c.brand, runs: 0, failed: 0, budgetStopped: 0, coveredFrom: null, coveredTo: null, new: 0, lastError: null, gap: c.cursor.gap, limits: input.limits.get(c.source) ?? null })
  }

  const problems: HealthProblem[] = []
  if (input.runs.every((r) => r.startedAt < input.start)) problems.push({ kind: 'no-pulls', since: input.start })
  for (const [, list] of history) {
    const last = list[list.length - 1]
    if (!last) continue
    const r = last.report
    const name = r.name ?? null
    if (r.error && !isBudgetStop(r) && !r.interrupted) {
      problems.push({ kind: 'failing', source: r.source, instance: r.instance, name, brand: r.brand, error: r.error, at: last.at })
      continue
    }
    // Silence: the pulls that found something new, and the gaps between them.
    const found = list.filter((h) => h.report.new > 0).map((h) => h.at)
    if (found.length < MIN_GAPS_FOR_SILENCE + 1) continue
    const gaps = found.slice(1).map((t, i) => t - (found[i] as number))
    const usual = median(gaps)
    const lastNewAt = found[found.length - 1] as number
    if (usual > 0 && input.now - lastNewAt > SILENCE_FACTOR * usual) {
      problems.push({ kind: 'silent', source: r.source, instance: r.instance, name, brand: r.brand, lastNewAt, usualGapMs: usual })
    }
  }
  const order = (l: { source: string; instance: string; brand: string }) => `${l.source} ${l.instance} ${l.brand}`
  return {
    coverage: [...lines.values()].sort((a, b) => order(a).localeCompare(order(b))),
    problems: problems.sort((a, b) => (a.kind === 'no-pulls' ? -1 : b.kind === 'no-pulls' ? 1 : order(a).localeCompare(order(b)))),
  }
}
