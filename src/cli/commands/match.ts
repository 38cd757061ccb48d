import { type MatchReport, prepareMatch } from '../../app/match.js'
import type { BrandExplanation } from '../../match/explain.js'
import { createWriter, type Column, type RowWriter } from '../../report/render.js'
import { readLines } from '../lines.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat } from '../output.js'
import type { CommandContext } from '../context.js'
import { stringifyJson } from '../../report/json.js'

/** The table has one row per text and brand: a verdict is per brand. */
type Row = { report: MatchReport; brand: BrandExplanation }

const quoted = (s: string) => JSON.stringify(s)

export function why(b: BrandExplanation, report: MatchReport): string {
  switch (b.reason) {
    case undefined:
      return 'matched'
    case 'no-term':
      return 'dropped: no term'
    case 'excluded':
      return `dropped: excluded by ${quoted(b.excludedBy?.text ?? '')}`
    case 'no-required-context':
      return 'dropped: no required context word'
    case 'language':
      return `dropped: language ${report.language.value ?? 'unknown'} not in ${b.languages.accepted.join(', ')}`
  }
}

export function detail(b: BrandExplanation): string {
  const parts = [...new Set(b.terms.map((t) => t.term))]
  if (b.discounted.length > 0) parts.push(`discounted: ${[...new Set(b.discounted.map((d) => d.text))].map(quoted).join(', ')}`)
  if (b.required?.found) parts.push(`context: ${b.required.found.text}`)
  return parts.join('; ')
}

const columns: Column<Row>[] = [
  { key: 'text', header: 'TEXT', get: (r) => r.report.text, tableWidth: 'flex' },
  { key: 'brand', header: 'BRAND', get: (r) => r.brand.brand },
  {
    key: 'verdict',
    header: 'VERDICT',
    get: (r) => why(r.brand, r.report),
    colour: (text, r, style) => (r.brand.verdict === 'matched' ? style.sentiment('positive', text) : style.dim(text)),
  },
  { key: 'terms', header: 'TERMS', get: (r) => detail(r.brand) },
  { key: 'lang', header: 'LANG', get: (r) => `${r.report.language.value ?? '?'} (${r.report.language.origin})` },
]

/** json/ndjson print the nested report; the column writers only carry flat cells. */
function jsonWriter(format: 'json' | 'ndjson', write: (s: string) => void): RowWriter<MatchReport> {
  let first = true
  return {
    write(r) {
      const json = stringifyJson(r)
      write(format === 'ndjson' ? `${json}\n` : `${first ? '[\n' : ',\n'}${json}`)
      first = false
    },
    end() {
      if (format === 'json') write(first ? '[]\n' : '\n]\n')
    },
  }
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = resolveFormat(opts, false, COMMAND_FORMATS.match.formats, COMMAND_FORMATS.match.fallback)
  const explain = await prepareMatch(ctx.deps, {
    ...(typeof opts.brand === 'string' ? { brand: opts.brand } : {}),
    ...(typeof opts.lang === 'string' ? { lang: opts.lang } : {}),
  })
  const out = ctx.io.stdout
  const write = (s: string) => void out.write(s)
  let writer: RowWriter<MatchReport>
  if (format === 'table') {
    const table = createWriter<Row>({ format, columns, out: { write }, style: ctx.stdoutStyle, ...(out.columns ? { width: out.columns } : {}) })
    writer = { write: (report) => report.brands.forEach((brand) => table.write({ report, brand })), end: () => table.end() }
  } else {
    writer = jsonWriter(format === 'json' ? 'json' : 'ndjson', write)
  }

  const texts: AsyncIterable<string> | string[] = typeof opts.text === 'string' ? [opts.text] : readLines(ctx.io.stdin)
  if (typeof opts.text !== 'string' && ctx.io.stdin.isTTY) ctx.note('Reading lines from standard input (Ctrl-D to finish)…')
  for await (const text of texts) writer.write(explain(text))
  writer.end()
  return 0
}
