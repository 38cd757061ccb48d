import { queuePage } from '../../app/queues.js'
import { QUEUE_NAMES, QUEUE_SORTS, type QueueName, type QueueSort } from '../../model.js'
import { UsageError } from '../../errors.js'
import { limitFlag, listQueryFlags } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat, writeMentions } from '../output.js'
import type { CommandContext } from '../context.js'

export function sortFlag<T extends string>(value: unknown, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined
  if (!(choices as readonly string[]).includes(String(value))) throw new UsageError(`--sort takes ${choices.join(', ')} (got "${String(value)}")`)
  return value as T
}

/** A table is for a person: say what the limit left out (a pipe gets exactly what it asked for). */
export function noteCut(ctx: CommandContext, format: string, more: number, limit: number | undefined): void {
  if (format === 'table' && more > 0) ctx.note(`… and ${more} more (showing ${limit ?? 0}; use --limit to see more)`)
}

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const queue = (args[0] ?? 'all') as QueueName
  if (!QUEUE_NAMES.includes(queue)) throw new UsageError(`unknown queue "${queue}"; use one of ${QUEUE_NAMES.join(', ')}`)
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.queue.formats)
  const limit = limitFlag(opts.limit)
  const sort = sortFlag<QueueSort>(opts.sort, QUEUE_SORTS)
  const page = await queuePage(ctx.deps, {
    queue,
    ...listQueryFlags(opts, ctx.deps.now()),
    ...(limit !== undefined ? { limit } : {}),
    ...(sort !== undefined ? { sort } : {}),
    // Only a table says what the limit left out.
    ...(format === 'table' ? { countMore: true } : {}),
  })
  await writeMentions(ctx, page.mentions, format, { wide: opts.wide === true, emptyNote: `No open mentions in the ${queue} queue.` })
  noteCut(ctx, format, page.more, limit)
  return 0
}
