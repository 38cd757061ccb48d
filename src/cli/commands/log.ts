import { eventLog } from '../../app/triage.js'
import { createWriter, type Column } from '../../report/render.js'
import type { MentionEvent } from '../../store/index.js'
import type { CommandContext } from '../context.js'
import { idArg, limitFlag, timeFlag } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { listWriterContext, resolveFormat } from '../output.js'
import { describeEvent } from '../../report/events.js'
import { stringifyJson } from '../../report/json.js'

const columns: Column<MentionEvent>[] = [
  { key: 'id', header: 'EVENT', get: (e) => e.id },
  { key: 'at', header: 'AT', get: (e) => new Date(e.at).toISOString() },
  { key: 'mentionId', header: 'MENTION', get: (e) => e.mentionId },
  { key: 'actor', header: 'BY', get: (e) => e.actor, tableWidth: 16 },
  { key: 'action', header: 'ACTION', get: (e) => e.action },
  { key: 'detail', header: 'WHAT', get: (e) => describeEvent(e), tableWidth: 'flex' },
]

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.log.formats)
  const since = timeFlag('--since', opts.since, ctx.deps.now())
  const limit = limitFlag(opts.limit)
  const events = await eventLog(ctx.deps, {
    ...(since !== undefined ? { since } : {}),
    ...(opts.id !== undefined ? { mentionId: idArg(String(opts.id)) } : {}),
    ...(limit !== undefined ? { limit } : {}),
  })
  if (format === 'json' || format === 'ndjson') {
    // The detail stays structured for scripts; the table's sentence is for people.
    const out = events.map((e) => ({ id: e.id, at: new Date(e.at).toISOString(), mentionId: e.mentionId, actor: e.actor, action: e.action, detail: e.detail }))
    ctx.io.stdout.write(format === 'json' ? `${stringifyJson(out, 2)}\n` : out.map((e) => `${stringifyJson(e)}\n`).join(''))
    return 0
  }
  const writer = createWriter({ format, columns, ...listWriterContext(ctx, { emptyNote: 'No events.' }) })
  for (const e of events) writer.write(e)
  writer.end()
  return 0
}
