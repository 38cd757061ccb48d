import { exportMentions } from '../../app/queues.js'
import { listQueryFlags } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat, writeMentions } from '../output.js'
import type { CommandContext } from '../context.js'

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.export.formats, COMMAND_FORMATS.export.fallback)
  await writeMentions(ctx, exportMentions(ctx.deps, listQueryFlags(opts, ctx.deps.now())), format)
  return 0
}
