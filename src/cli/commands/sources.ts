import { listSources, type SourceStatus } from '../../app/sources.js'
import { createWriter, type Column } from '../../report/render.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat } from '../output.js'
import type { CommandContext } from '../context.js'

const columns: Column<SourceStatus>[] = [
  { key: 'source', header: 'SOURCE', get: (s) => s.source },
  { key: 'instance', header: 'INSTANCE', get: (s) => s.instance },
  { key: 'brand', header: 'BRAND', get: (s) => s.brand },
  { key: 'env', header: 'NEEDS', get: (s) => s.env.map((e) => `${e.name}${e.set ? ' (set)' : e.optional ? ' (optional, unset)' : ' (MISSING)'}`) },
  { key: 'lastOkAt', header: 'LAST OK', get: (s) => s.lastOkAt },
  { key: 'lastError', header: 'LAST ERROR', get: (s) => s.lastError, tableWidth: 'flex' },
]

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.sources.formats)
  const rows = await listSources(ctx.deps)
  const out = ctx.io.stdout
  // JSON keeps the structured env list; the column getter flattens it for tables.
  if (format === 'json') {
    out.write(`${JSON.stringify(rows, null, 2)}\n`)
    return 0
  }
  const writer = createWriter({ format, columns, out: { write: (s: string) => void out.write(s) }, style: ctx.stdoutStyle, ...(out.columns ? { width: out.columns } : {}) })
  for (const r of rows) writer.write(r)
  writer.end()
  return 0
}
