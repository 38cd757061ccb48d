import { exportViews } from '../../app/queues.js'
import type { MentionView } from '../../model.js'
import { createMentionTableColumns, mentionColumns } from '../../report/mentions.js'
import { createWriter, type Format } from '../../report/render.js'
import { listQueryFlags } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import type { OutStream } from '../io.js'
import { listWriterContext, resolveFormat } from '../output.js'
import { ByteBatch } from '../byte-batch.js'
import type { CommandContext } from '../context.js'

/** Where an export goes: a write that may ask to wait, and the wait itself. */
export interface Sink {
  /** False: the reader is behind; wait for `drained()` before writing more. */
  write(bytes: Buffer): boolean
  /** Resolves when the reader caught up, or went away (then `gone` is true). */
  drained(): Promise<void>
  readonly gone: boolean
}

type Emitter = OutStream & {
  write(bytes: Uint8Array): boolean
  once(event: string, fn: () => void): unknown
  removeListener(event: string, fn: () => void): unknown
  writableNeedDrain?: boolean
}

const isEmitter = (s: OutStream): s is Emitter => typeof (s as Partial<Emitter>).once === 'function'

/**
 * A real stream as a Sink. Waiting for 'drain' keeps memory flat into a slow pipe, and gives the
 * event loop the turn on which a closed pipe's EPIPE is seen, so `| head -1` stops the export.
 */
export function streamSink(out: OutStream): Sink {
  let gone = false
  return {
    // A stream takes the bytes as they are; anything else (an in-memory capture) gets text.
    write: (bytes) => (isEmitter(out) ? out.write(bytes) : out.write(bytes.toString('utf8'))) !== false,
    get gone() {
      return gone
    },
    drained: () =>
      new Promise<void>((resolve) => {
        if (!isEmitter(out)) return resolve()
        const done = (closed: boolean) => () => {
          if (closed) gone = true
          out.removeListener('drain', onDrain)
          out.removeListener('close', onClose)
          out.removeListener('error', onClose)
          resolve()
        }
        const onDrain = done(false)
        const onClose = done(true)
        out.once('drain', onDrain)
        out.once('close', onClose)
        out.once('error', onClose)
      }),
  }
}

/**
 * Streams chunks of mentions through one writer into the sink: one write per chunk (the rows'
 * text as UTF-8), then a wait whenever the sink asks for one. Stops reading when the reader goes
 * away. Returns the rows written.
 */
export async function pumpMentions(
  chunks: AsyncIterable<MentionView[]>,
  sink: Sink,
  writerFor: (out: { write(s: string): void }) => { write(v: MentionView): void; end(): void },
): Promise<number> {
  const batch = new ByteBatch()
  const writer = writerFor({ write: (s) => batch.add(s) })
  let n = 0
  const flush = async (): Promise<boolean> => {
    if (batch.size === 0) return !sink.gone
    if (!sink.write(batch.take())) await sink.drained()
    return !sink.gone
  }
  for await (const chunk of chunks) {
    for (const v of chunk) writer.write(v)
    n += chunk.length
    if (!(await flush())) return n
  }
  writer.end()
  await flush()
  return n
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format: Format = resolveFormat(opts, ctx.io.stdout.isTTY, COMMAND_FORMATS.export.formats, COMMAND_FORMATS.export.fallback)
  const chunks = exportViews(ctx.deps, listQueryFlags(opts, ctx.deps.now()))
  await pumpMentions(chunks, streamSink(ctx.io.stdout), (out) =>
    createWriter({ format, columns: mentionColumns, tableColumns: createMentionTableColumns(ctx.deps.now()), ...listWriterContext(ctx), out }),
  )
  return 0
}
