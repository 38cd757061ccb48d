import { listQueue } from '../../app/queues.js'
import { QUEUE_NAMES, type QueueName } from '../../model.js'
import { UsageError } from '../../errors.js'
import { durationFlag, limitFlag } from '../flags.js'
import { resolveFormat, writeMentions } from '../output.js'
import type { CommandContext } from '../run.js'

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const queue = (args[0] ?? 'all') as QueueName
  if (!QUEUE_NAMES.includes(queue)) throw new UsageError(`unknown queue "${queue}"; use one of ${QUEUE_NAMES.join(', ')}`)
  const format = resolveFormat(opts, ctx.io.stdout.isTTY)
  const withinMs = durationFlag('--since', opts.since)
  const limit = limitFlag(opts.limit)
  const mentions = listQueue(ctx.deps, {
    queue,
    ...(typeof opts.brand === 'string' ? { brand: opts.brand } : {}),
    ...(typeof opts.source === 'string' ? { source: opts.source } : {}),
    ...(withinMs !== undefined ? { withinMs } : {}),
    ...(limit !== undefined ? { limit } : {}),
  })
  // An empty human-readable queue says so on a terminal; machines get an empty document or nothing.
  if (mentions.length === 0 && format === 'table') {
    if (ctx.io.stderr.isTTY) ctx.note(`No open mentions in the ${queue} queue.`)
    return 0
  }
  writeMentions(ctx, mentions, format)
  return 0
}
