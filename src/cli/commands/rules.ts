import { testRules, type RuleTrial } from '../../app/triage.js'
import { UsageError } from '../../errors.js'
import { createWriter, type Column } from '../../report/render.js'
import { oneLine } from '../../report/sanitize.js'
import type { CommandContext } from '../context.js'
import { listQueryFlags } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { listWriterContext, resolveFormat } from '../output.js'

const columns: Column<RuleTrial>[] = [
  { key: 'id', header: 'ID', get: (t) => t.mention.id },
  { key: 'source', header: 'SOURCE', get: (t) => t.mention.source },
  { key: 'rules', header: 'RULES', get: (t) => t.outcome.hits.map((h) => h.rule), tableWidth: 20 },
  { key: 'assign', header: 'ASSIGN', get: (t) => t.outcome.assignee ?? null, tableWidth: 16 },
  { key: 'wouldAssign', header: 'NEW ASSIGNEE', get: (t) => t.wouldAssign, tableDrop: 1 },
  { key: 'tags', header: 'TAGS', get: (t) => t.outcome.tags, tableWidth: 16 },
  { key: 'boost', header: 'BOOST', get: (t) => t.outcome.boost },
  { key: 'text', header: 'TEXT', get: (t) => oneLine(t.mention.title ?? t.mention.text), tableWidth: 'flex' },
]

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const action = args[0] ?? 'test'
  if (action !== 'test') throw new UsageError(`unknown rules action "${action}"; use: mentions rules test [--since 30d]`)
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.rules.formats)
  const now = ctx.deps.now()
  const flags = listQueryFlags({ ...opts, since: opts.since ?? '30d' }, now)
  const trials = await testRules(ctx.deps, flags)
  const writer = createWriter({ format, columns, ...listWriterContext(ctx, { emptyNote: 'No stored mention in the window matches a rule.' }) })
  for (const t of trials) writer.write(t)
  writer.end()
  if (ctx.io.stderr.isTTY) ctx.note(`Nothing was changed: rules act on mentions as they are first stored.`)
  return 0
}
