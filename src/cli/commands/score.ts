import { scoreLine } from '../../app/score.js'
import { createWriter, type Column, type RowWriter } from '../../report/render.js'
import type { Explanation, SentimentResult } from '../../sentiment/index.js'
import { readLines } from '../lines.js'
import { COMMAND_FORMATS } from '../formats.js'
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
 * json/ndjson print the scorer's own objects: an explanation nests token objects, which the
 * column writers (flat cells) cannot carry. The table is for eyes and stays flat.
 */
function jsonWriter(format: 'json' | 'ndjson', write: (s: string) => void): RowWriter<Scored> {
  let first = true
  return {
    write(r) {
      const json = stringifyJson(r.result)
      write(format === 'ndjson' ? `${json}\n` : `${first ? '[\n' : ',\n'}${json}`)
      first = false
    },
    end() {
      if (format === 'json') write(first ? '[]\n' : '\n]\n')
    },
  }
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const explain = opts.explain === true
  const format = resolveFormat(opts, false, COMMAND_FORMATS.score.formats, COMMAND_FORMATS.score.fallback)
  const scorer = ctx.deps.scorer()
  const out = ctx.io.stdout
  const write = (s: string) => void out.write(s)
  const writer =
    format === 'table'
      ? createWriter<Scored>({ format, columns, out: { write }, style: ctx.stdoutStyle, ...(out.columns ? { width: out.columns } : {}) })
      : jsonWriter(format === 'json' ? 'json' : 'ndjson', write)

  const texts: AsyncIterable<string> | string[] = typeof opts.text === 'string' ? [opts.text] : readLines(ctx.io.stdin)
  if (typeof opts.text !== 'string' && ctx.io.stdin.isTTY) ctx.note('Reading lines from standard input (Ctrl-D to finish)…')
  for await (const text of texts) writer.write({ text, result: scoreLine(scorer, text, explain) })
  writer.end()
  return 0
}
