import { exportMentions } from '../../app/queues.js'
import { durationFlag } from '../flags.js'
import { resolveFormat, writeMentions } from '../output.js'
import type { CommandContext } from '../run.js'

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, ['csv', 'tsv', 'json', 'ndjson'], 'csv')
  const withinMs = durationFlag('--since', opts.since)
  const mentions = exportMentions(ctx.deps, {
    ...(typeof opts.brand === 'string' ? { brand: opts.brand } : {}),
    ...(typeof opts.source === 'string' ? { source: opts.source } : {}),
    ...(withinMs !== undefined ? { withinMs } : {}),
  })
  writeMentions(ctx, mentions, format)
  return 0
}
