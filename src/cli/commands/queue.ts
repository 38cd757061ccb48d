import { queuePage } from '../../app/queues.js'
import { QUEUE_NAMES, QUEUE_SORTS, type QueueName, type QueueSort } from '../../model.js'
import type { QueuePage } from '../../store/index.js'
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

/**
 * How far a table counts what its limit left out. Counting is a second pass over the queue,
 * so past this a person reads "1000+": the exact figure would cost time in proportion to the
 * queue (a second at a million mentions) for a number nobody acts on.
 */
export const MORE_CAP = 1000

/** A table is for a person: say what the limit left out (a pipe gets exactly what it asked for). */
export function noteCut(ctx: CommandContext, format: string, page: Pick<QueuePage, 'more' | 'moreCapped'>, limit: number | undefined): void {
  if (format === 'table' && page.more > 0) ctx.note(`… and ${page.more}${page.moreCapped ? '+' : ''} more (showing ${limit ?? 0}; use --limit to see more)`)
}

/** What a list command asks the store to count: only a table says what the limit left out. */
export function countFor(format: string): { countMore?: true; moreCap?: number } {
  return format === 'table' ? { countMore: true, moreCap: MORE_CAP } : {}
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
    ...countFor(format),
  })
  await writeMentions(ctx, page.mentions, format, { wide: opts.wide === true, emptyNote: `No open mentions in the ${queue} queue.` })
  noteCut(ctx, format, page, limit)
  return 0
}
