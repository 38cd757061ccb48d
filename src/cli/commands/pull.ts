import { pull, type PullProgress, type PullStatus } from '../../app/pull.js'
import { parseDuration } from '../../config/duration.js'
import type { SourceRunReport } from '../../store/index.js'
import { oneLine } from '../../report/sanitize.js'
import { durationFlag } from '../flags.js'
import { EXIT, type CommandContext } from '../run.js'

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

export function sourceLabel(r: Pick<SourceRunReport, 'source' | 'instance' | 'brand'>): string {
  const where = r.source === 'rss' ? ` ${r.instance}` : ''
  return `${r.source}${where}${r.brand ? ` [${r.brand}]` : ''}`
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
  const sinceMs = durationFlag('--since', opts.since) ?? parseDuration(config.pull.since)
  const progress = progressLine(ctx)
  const kinds = Array.isArray(opts.source) ? (opts.source as string[]) : undefined
  let result
  try {
    result = await pull(ctx.deps, {
      ...(kinds ? { kinds } : {}),
      ...(sinceMs !== undefined ? { sinceMs } : {}),
      ...(progress ? { onProgress: progress } : {}),
      ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    })
  } finally {
    if (progress) ctx.io.stderr.write('\r\x1b[2K')
  }
  if (result.status === 'interrupted') {
    ctx.note('Interrupted: every page stored so far is kept; the next pull resumes where each source stopped.')
    return pullExitCode(result.status)
  }
  // Quiet when there is nothing to say, so cron mails only what matters.
  for (const r of result.sources) {
    if (r.error) {
      ctx.note(`${ctx.stderrStyle.error('✗')} ${sourceLabel(r)}: ${oneLine(r.error)}${r.new ? ` (${r.new} new stored before the failure)` : ''}`)
    } else if (r.new || r.updated) {
      ctx.note(`${ctx.stderrStyle.bold('✓')} ${sourceLabel(r)}: ${r.new} new, ${r.updated} updated`)
    }
  }
  return pullExitCode(result.status)
}
