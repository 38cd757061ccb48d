// Shared output plumbing for list commands: pick the format, stream mentions through a writer.
import { toView, type Mention } from '../model.js'
import { createMentionTableColumns, mentionColumns } from '../report/mentions.js'
import { createWriter, FORMATS, type Format } from '../report/render.js'
import { UsageError } from '../errors.js'
import type { CommandContext } from './context.js'

/** --json wins; then --format; then table on a terminal and tsv on a pipe (like gh). */
export function resolveFormat(
  opts: { format?: unknown; json?: unknown },
  isTTY: boolean,
  allowed: readonly Format[] = FORMATS,
  fallback?: Format,
): Format {
  const asked = opts.json ? 'json' : typeof opts.format === 'string' ? opts.format : undefined
  if (asked !== undefined) {
    if (!(allowed as readonly string[]).includes(asked)) {
      throw new UsageError(`--format must be one of ${allowed.join(', ')} (got "${asked}")`)
    }
    return asked as Format
  }
  return fallback ?? (isTTY ? 'table' : 'tsv')
}

/** Writes a list (or the chunks of a streamed export) in the format; returns the row count. */
export async function writeMentions(ctx: CommandContext, mentions: Iterable<Mention> | AsyncIterable<Mention[]>, format: Format): Promise<number> {
  const out = ctx.io.stdout
  const writer = createWriter({
    format,
    columns: mentionColumns,
    tableColumns: createMentionTableColumns(ctx.deps.now()),
    out: { write: (s: string) => void out.write(s) },
    style: ctx.stdoutStyle,
    ...(out.columns ? { width: out.columns } : {}),
  })
  let n = 0
  if (Symbol.asyncIterator in mentions) {
    for await (const chunk of mentions) {
      for (const m of chunk) writer.write(toView(m))
      n += chunk.length
    }
  } else {
    for (const m of mentions) {
      writer.write(toView(m))
      n++
    }
  }
  writer.end()
  return n
}
