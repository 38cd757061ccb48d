import { scoreLine } from '../../app/score.js'
import { createWriter, type Column } from '../../report/render.js'
import type { Explanation, SentimentResult } from '../../sentiment/index.js'
import { readLines } from '../lines.js'
import { resolveFormat } from '../output.js'
import type { CommandContext } from '../run.js'

type Scored = { text: string; result: SentimentResult | Explanation }

const fields = (explain: boolean): Column<Scored>[] => [
  { key: 'label', header: 'LABEL', get: (r) => r.result.label, colour: (text, r, style) => style.sentiment(r.result.label, text) },
  { key: 'score', header: 'SCORE', get: (r) => Math.round(r.result.score * 1000) / 1000 },
  { key: 'intent', header: 'INTENT', get: (r) => r.result.intent },
  ...(explain
    ? [
        { key: 'tokens', header: 'TOKENS', get: (r: Scored) => ('tokens' in r.result ? r.result.tokens.map((t) => `${t.token}${t.weight >= 0 ? '+' : ''}${round(t.weight)}${t.rules.length ? ` (${t.rules.join('; ')})` : ''}`) : []) },
        { key: 'rules', header: 'RULES', get: (r: Scored) => ('rules' in r.result ? r.result.rules : []) },
      ]
    : []),
]

const round = (n: number) => Math.round(n * 100) / 100

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const explain = opts.explain === true
  const format = resolveFormat(opts, false, ['ndjson', 'json', 'table'], 'ndjson')
  const scorer = ctx.deps.scorer()
  const out = ctx.io.stdout
  const write = (s: string) => void out.write(s)

  // ndjson and json keep the scorer's own objects (explanations nest); table flattens.
  const columns = fields(explain)
  const tableColumns: Column<Scored>[] = [{ key: 'text', header: 'TEXT', get: (r) => r.text, tableWidth: 'flex' }, ...columns.slice(0, 3)]
  let first = true
  const writer =
    format === 'table'
      ? createWriter<Scored>({ format, columns, tableColumns, out: { write }, style: ctx.stdoutStyle, ...(out.columns ? { width: out.columns } : {}) })
      : {
          write: (r: Scored) => {
            const json = JSON.stringify(r.result)
            if (format === 'ndjson') write(`${json}\n`)
            else write(`${first ? '[\n' : ',\n'}${json}`)
            first = false
          },
          end: () => {
            if (format === 'json') write(first ? '[]\n' : '\n]\n')
          },
        }

  const texts: AsyncIterable<string> | string[] =
    typeof opts.text === 'string' ? [opts.text] : readLines(ctx.io.stdin)
  if (typeof opts.text !== 'string' && ctx.io.stdin.isTTY) ctx.note('Reading lines from standard input (Ctrl-D to finish)…')
  for await (const text of texts) writer.write({ text, result: scoreLine(scorer, text, explain) })
  writer.end()
  return 0
}
