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
  await writeMentions(ctx, mentions, format, { wide: opts.wide === true, emptyNote: `No open mentions in the ${queue} queue.` })
  return 0
}
