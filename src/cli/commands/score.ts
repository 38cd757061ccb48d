import { StringDecoder } from 'node:string_decoder'
import { scoreLine } from '../../app/score.js'
import { createWriter, type Column, type RowWriter } from '../../report/render.js'
import type { Explanation, SentimentResult } from '../../sentiment/index.js'
import { COMMAND_FORMATS } from '../formats.js'
import type { OutStream } from '../io.js'
import { resolveFormat } from '../output.js'
import type { CommandContext } from '../context.js'
import { stringifyJson } from '../../report/json.js'

type Scored = { text: string; result: SentimentResult | Explanation }

const columns: Column<Scored>[] = [
  { key: 'text', header: 'TEXT', get: (r) => r.text, tableWidth: 'flex' },
  { key: 'label', header: 'LABEL', get: (r) => r.result.label, colour: (text, r, style) => style.sentiment(r.result.label, text) },
  { key: 'score', header: 'SCORE', get: (r) => Math.round(r.result.score * 1000) / 1000 },
  { key: 'intent', header: 'INTENT', get: (r) => r.result.intent },
]

/**
 * A plain result as JSON: the text stringifyJson gives it (the label and intent are plain
 * words, the score a number), written directly. The generic walk and the escape check were
 * a tenth of scoring a stream of short texts.
 */
export function resultJson(r: SentimentResult): string {
  return `{"label":"${r.label}","score":${Number.isFinite(r.score) ? String(r.score) : 'null'},"intent":"${r.intent}"}`
}

/**
 * json/ndjson print the scorer's own objects: an explanation nests token objects, which the
 * column writers (flat cells) cannot carry. The table is for eyes and stays flat.
 */
function jsonWriter(format: 'json' | 'ndjson', write: (s: string) => void): RowWriter<Scored> {
  let first = true
  return {
    write(r) {
      const json = 'tokens' in r.result ? stringifyJson(r.result) : resultJson(r.result)
      write(format === 'ndjson' ? `${json}\n` : `${first ? '[\n' : ',\n'}${json}`)
      first = false
    },
    end() {
      if (format === 'json') write(first ? '[]\n' : '\n]\n')
    },
  }
}

/**
 * The lines of each chunk of a byte stream, as one array per chunk: the same lines as
 * readLines (UTF-8 across chunk boundaries, \r\n or \n, a last line without a newline), but a
 * whole chunk is scored synchronously instead of one await per line, which cost more than
 * scoring a short text.
 */
export async function* lineBatches(input: AsyncIterable<string | Buffer>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  for await (const chunk of input) {
    const text = pending + (typeof chunk === 'string' ? chunk : decoder.write(chunk))
    const lines: string[] = []
    let from = 0
    let nl: number
    while ((nl = text.indexOf('\n', from)) !== -1) {
      lines.push(text.charCodeAt(nl - 1) === 13 && nl > from ? text.slice(from, nl - 1) : text.slice(from, nl))
      from = nl + 1
    }
    pending = text.slice(from)
    if (lines.length > 0) yield lines
  }
  pending += decoder.end()
  if (pending) yield [pending.endsWith('\r') ? pending.slice(0, -1) : pending]
}

/**
 * Output gathered into large writes (one write per line was a fifth of the run), waiting for
 * `drain` whenever the stream says it is full, so a slow reader never makes it buffer unbounded.
 */
export function batchedOut(out: OutStream, limit = 1 << 16): { write(s: string): void; flush(force?: boolean): Promise<void> } {
  let buf = ''
  const stream = out as OutStream & { once?: (event: 'drain', listener: () => void) => unknown }
  return {
    write(s) {
      buf += s
    },
    async flush(force = false) {
      if (buf === '' || (!force && buf.length < limit)) return
      const full = out.write(buf) === false
      buf = ''
      if (full && typeof stream.once === 'function') await new Promise<void>((resolve) => void stream.once?.('drain', resolve))
    },
  }
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const explain = opts.explain === true
  const format = resolveFormat(opts, false, COMMAND_FORMATS.score.formats, COMMAND_FORMATS.score.fallback)
  const scorer = ctx.deps.scorer()
  const out = ctx.io.stdout
  const batched = batchedOut(out)
  const write = (s: string) => batched.write(s)
  const writer =
    format === 'table'
      ? createWriter<Scored>({ format, columns, out: { write }, style: ctx.stdoutStyle, ...(out.columns ? { width: out.columns } : {}) })
      : jsonWriter(format === 'json' ? 'json' : 'ndjson', write)

  if (typeof opts.text === 'string') {
    writer.write({ text: opts.text, result: scoreLine(scorer, opts.text, explain) })
  } else {
    if (ctx.io.stdin.isTTY) ctx.note('Reading lines from standard input (Ctrl-D to finish)…')
    // Someone typing at a terminal sees each result as they finish a line.
    const interactive = ctx.io.stdin.isTTY === true
    for await (const lines of lineBatches(ctx.io.stdin)) {
      for (const text of lines) writer.write({ text, result: scoreLine(scorer, text, explain) })
      await batched.flush(interactive)
    }
  }
  writer.end()
  await batched.flush(true)
  return 0
}
