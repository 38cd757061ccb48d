import { OWN_ACTIVITY_SUFFIX, pull, type PullProgress, type PullStatus } from '../../app/pull.js'
import { parseDuration } from '../../config/duration.js'
import type { SourceRunReport } from '../../store/index.js'
import { oneLine } from '../../report/sanitize.js'
import { UsageError } from '../../errors.js'
import { listFlag, timeFlag } from '../flags.js'
import { EXIT, type CommandContext } from '../context.js'

/** Exit code for a pull's outcome: 0 ok, 3 some sources failed, 1 all failed, 130 interrupted. */
export function pullExitCode(status: PullStatus): number {
  switch (status) {
    case 'ok':
      return EXIT.ok
    case 'partial':
      return EXIT.partial
    case 'failed':
      return EXIT.failure
    case 'interrupted':
      return EXIT.interrupted
  }
}

/** How a source run is named in summaries: its configured name when it has one. */
export function sourceLabel(r: Pick<SourceRunReport, 'source' | 'instance' | 'brand' | 'name'>): string {
  const own = r.instance.endsWith(OWN_ACTIVITY_SUFFIX)
  const where = r.name ? ` "${oneLine(r.name)}"` : r.source === 'rss' ? ` ${r.instance}` : ''
  return `${r.source}${where}${r.brand ? ` [${r.brand}]` : ''}${own ? ' (brand replies)' : ''}`
}

/**
 * Counts per brand the rows were stored under (a feed's item about Globex counts for Globex,
 * and a search for Acme that found a Globex post does not credit Acme).
 */
export function countsLine(r: SourceRunReport): string {
  const total = `${r.new} new, ${r.updated} updated`
  const brands = Object.entries(r.byBrand ?? {})
  if (brands.length === 0 || (brands.length === 1 && brands[0]?.[0] === r.brand)) return total
  return `${total} (${brands.map(([b, c]) => `${oneLine(b)}: ${c.new} new${c.updated ? `, ${c.updated} updated` : ''}`).join('; ')})`
}

/** A walk another host was pulling (a shared database): said, but not a failure. */
export function skippedLine(holder: NonNullable<SourceRunReport['skipped']>): string {
  return `skipped: being pulled by ${oneLine(holder.host)} pid ${holder.pid}`
}

/** A one-line progress indicator, redrawn in place; only ever on a terminal. */
function progressLine(ctx: CommandContext): ((e: PullProgress) => void) | undefined {
  if (!ctx.io.stderr.isTTY) return undefined
  let total = 0
  let done = 0
  let fetched = 0
  const perTask = new Map<string, number>()
  const draw = () =>
    void ctx.io.stderr.write(`\r\x1b[2K${ctx.stderrStyle.dim(`pulling: ${done}/${total} sources done, ${fetched} items fetched`)}`)
  return (e) => {
    if (e.type === 'start') total = e.total
    else if (e.type === 'begin') return
    else if (e.type === 'page') {
      const k = `${e.key.source}\0${e.key.instance}\0${e.key.brand}`
      fetched += e.fetched - (perTask.get(k) ?? 0)
      perTask.set(k, e.fetched)
    } else done++
    draw()
  }
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const config = ctx.deps.config()
  const now = ctx.deps.now()
  const since = timeFlag('--since', opts.since, now)
  const until = timeFlag('--until', opts.until, now)
  const sinceMs = parseDuration(config.pull.since)
  const progress = progressLine(ctx)
  const kinds = listFlag(opts.source)
  let deadlineMs: number | undefined
  if (typeof opts.deadline === 'string') {
    deadlineMs = parseDuration(opts.deadline)
    if (deadlineMs === undefined || deadlineMs <= 0) throw new UsageError(`--deadline: expected a duration like "90s", "5m" or "1h", got "${oneLine(opts.deadline)}"`)
  }
  let result
  try {
    result = await pull(ctx.deps, {
      ...(kinds ? { kinds } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      ...(deadlineMs !== undefined ? { deadlineMs } : {}),
      ...(progress ? { onProgress: progress } : {}),
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    })
  } finally {
    if (progress) ctx.io.stderr.write('\r\x1b[2K')
  }
  const s = ctx.stderrStyle
  if (result.status === 'interrupted') {
    // What finished is reported, so the user knows what the next pull still has to do.
    for (const r of result.sources) {
      if (r.skipped) ctx.note(`${s.dim('–')} ${sourceLabel(r)}: ${skippedLine(r.skipped)}`)
      else if (r.interrupted) ctx.note(`${s.warn('…')} ${sourceLabel(r)}: interrupted${r.new ? ` (${r.new} new stored)` : ''}`)
      else if (r.error) ctx.note(`${s.error('✗')} ${sourceLabel(r)}: ${oneLine(r.error)}`)
      else ctx.note(`${s.bold('✓')} ${sourceLabel(r)}: ${countsLine(r)}`)
    }
    ctx.note('Interrupted: every page stored so far is kept; the next pull resumes where each source stopped.')
    return pullExitCode(result.status)
  }
  // Quiet when there is nothing to say, so cron mails only what matters; --quiet also keeps
  // the good news to itself, so an hourly cron line mails only when a source broke.
  const quiet = opts.quiet === true
  let said = false
  for (const r of result.sources) {
    if (r.error) {
      ctx.note(`${s.error('✗')} ${sourceLabel(r)}: ${oneLine(r.error)}${r.new ? ` (${r.new} new stored before the failure)` : ''}`)
      said = true
    } else if (r.skipped && !quiet) {
      ctx.note(`${s.dim('–')} ${sourceLabel(r)}: ${skippedLine(r.skipped)}`)
      said = true
    } else if ((r.new || r.updated) && !quiet) {
      ctx.note(`${s.bold('✓')} ${sourceLabel(r)}: ${countsLine(r)}`)
      said = true
    }
  }
  // A person at a terminal gets an answer; cron (no terminal) gets silence.
  if (!said && !quiet && ctx.io.stderr.isTTY) ctx.note(`Nothing new from ${result.sources.length} source${result.sources.length === 1 ? '' : 's'}.`)
  return pullExitCode(result.status)
}
