// Shared output plumbing for list commands: pick the format, stream mentions through a writer.
import { toView, type Mention } from '../model.js'
import { createMentionTableColumns, mentionColumns } from '../report/mentions.js'
import { createWriter, FORMATS, type Format, type Out, type RowWriter } from '../report/render.js'
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

/**
 * Columns a table may use: $COLUMNS when set (as ls and most GNU tools do, so
 * `--format table | less` can be sized), else the terminal's width, else undefined (the
 * renderer's default). Only stdout's own width counts: stderr may be another terminal.
 */
export function terminalWidth(ctx: Pick<CommandContext, 'io'>): number | undefined {
  const fromEnv = Number(ctx.io.env.COLUMNS)
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv
  const out = ctx.io.stdout
  return out.isTTY && out.columns && out.columns > 0 ? out.columns : undefined
}

/** Table-only options every list command passes the same way. */
export interface ListOutputOptions {
  /** Keep every table column (the URL among them) however narrow the terminal. */
  wide?: boolean
  /** The one line a person sees on stderr (a terminal only) when a table has no rows. */
  emptyNote?: string
}

/** The writer options that come from the command context: stdout, style, width, empty note. */
export function listWriterContext(
  ctx: CommandContext,
  opts: ListOutputOptions = {},
): { out: Out; style: CommandContext['stdoutStyle']; width?: number; wide?: boolean; onEmpty?: () => void } {
  const out = ctx.io.stdout
  const width = terminalWidth(ctx)
  const note = opts.emptyNote ?? 'No mentions.'
  return {
    out: { write: (s: string) => void out.write(s) },
    style: ctx.stdoutStyle,
    ...(width !== undefined ? { width } : {}),
    ...(opts.wide !== undefined ? { wide: opts.wide } : {}),
    // Data never goes to stderr; this is a courtesy for a person, so pipes and cron stay silent.
    ...(ctx.io.stderr.isTTY ? { onEmpty: () => ctx.note(note) } : {}),
  }
}

/** Writes a list, or the chunks of a streamed export, through one writer; returns the row count. */
export async function writeMentions(
  ctx: CommandContext,
  mentions: Iterable<Mention> | AsyncIterable<Mention[]>,
  format: Format,
  opts: ListOutputOptions = {},
): Promise<number> {
  const context = listWriterContext(ctx, opts)
  // A list already in memory goes out in a few large writes, not one per row: each write to a
  // pipe is a system call and a pass through the stream machinery.
  const buffered = Symbol.asyncIterator in mentions ? undefined : bufferedOut(context.out)
  const writer: RowWriter<ReturnType<typeof toView>> = createWriter({
    format,
    columns: mentionColumns,
    tableColumns: createMentionTableColumns(ctx.deps.now()),
    ...context,
    ...(buffered ? { out: buffered } : {}),
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
  buffered?.flush()
  return n
}

const FLUSH_AT = 64 * 1024

/** Collects what is written and passes it on in pieces of about FLUSH_AT characters. */
function bufferedOut(out: Out): Out & { flush(): void } {
  let pending = ''
  const flush = () => {
    if (pending) out.write(pending)
    pending = ''
  }
  return {
    write: (s: string) => {
      pending += s
      if (pending.length >= FLUSH_AT) flush()
    },
    flush,
  }
}
