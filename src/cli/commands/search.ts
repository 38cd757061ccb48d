import { searchMentions } from '../../app/queues.js'
import { limitFlag, listQueryFlags } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat, writeMentions } from '../output.js'
import type { CommandContext } from '../context.js'
import { countFor, noteCut, sortFlag } from './queue.js'

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.search.formats)
  const limit = limitFlag(opts.limit)
  const sort = sortFlag(opts.sort, ['relevance', 'newest', 'oldest'] as const)
  const page = await searchMentions(ctx.deps, {
    query: args.join(' '),
    ...listQueryFlags(opts, ctx.deps.now()),
    ...(limit !== undefined ? { limit } : {}),
    ...(sort !== undefined ? { sort } : {}),
    ...countFor(format),
  })
  await writeMentions(ctx, page.mentions, format, { wide: opts.wide === true, emptyNote: 'No stored mention matches.' })
  noteCut(ctx, format, page, limit)
  return 0
}
