import { listQueue } from '../../app/queues.js'
import { QUEUE_NAMES, type QueueName } from '../../model.js'
import { UsageError } from '../../errors.js'
import { limitFlag, listQueryFlags } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat, writeMentions } from '../output.js'
import type { CommandContext } from '../context.js'

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const queue = (args[0] ?? 'all') as QueueName
  if (!QUEUE_NAMES.includes(queue)) throw new UsageError(`unknown queue "${queue}"; use one of ${QUEUE_NAMES.join(', ')}`)
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.queue.formats)
  const limit = limitFlag(opts.limit)
  const mentions = await listQueue(ctx.deps, {
    queue,
    ...listQueryFlags(opts, ctx.deps.now()),
    ...(limit !== undefined ? { limit } : {}),
  })
  // An empty human-readable queue says so on a terminal; machines get an empty document or nothing.
  if (mentions.length === 0 && format === 'table') {
    if (ctx.io.stderr.isTTY) ctx.note(`No open mentions in the ${queue} queue.`)
    return 0
  }
  await writeMentions(ctx, mentions, format)
  return 0
}
