import { rematch, type RematchItem } from '../../app/rematch.js'
import { createWriter, type Column } from '../../report/render.js'
import { actorOf } from '../actor.js'
import type { CommandContext } from '../context.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat } from '../output.js'
import { stringifyJson } from '../../report/json.js'

const columns: Column<RematchItem>[] = [
  { key: 'id', header: 'ID', get: (r) => r.id },
  { key: 'before', header: 'WAS', get: (r) => r.before.brands },
  { key: 'after', header: 'NOW', get: (r) => (r.after ? r.after.brands : 'no brand: leaves the queues') },
  { key: 'reason', header: 'WHY', get: (r) => r.reason, tableWidth: 'flex' },
]

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.rematch.formats)
  const dryRun = opts.dryRun === true
  const result = await rematch(ctx.deps, { dryRun, actor: actorOf(ctx.deps.env) })
  const out = ctx.io.stdout
  if (format === 'json' || format === 'ndjson') {
    if (format === 'json') out.write(`${stringifyJson(result.changes, 2)}\n`)
    else for (const c of result.changes) out.write(`${stringifyJson(c)}\n`)
  } else if (result.changes.length > 0) {
    const writer = createWriter({ format, columns, out: { write: (s: string) => void out.write(s) }, style: ctx.stdoutStyle, ...(out.columns ? { width: out.columns } : {}) })
    for (const c of result.changes) writer.write(c)
    writer.end()
  }
  const left = result.changes.filter((c) => c.after === null).length
  if (result.changes.length > 0 || ctx.io.stderr.isTTY) {
    ctx.note(`${dryRun ? 'Would change' : 'Changed'} ${result.changes.length} of ${result.examined} stored mentions${left ? ` (${left} ${dryRun ? 'would leave' : 'left'} the queues)` : ''}.`)
  }
  return 0
}
