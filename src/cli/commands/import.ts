import fs from 'node:fs'
import { Readable } from 'node:stream'
import { parse, type CsvError } from 'csv-parse'
import { IMPORT_FORMATS, importMentions, type BadLine, type ImportFormat, type InputRow } from '../../app/import.js'
import { UsageError } from '../../errors.js'
import { oneLine } from '../../report/sanitize.js'
import { readLines } from '../lines.js'
import type { CommandContext } from '../context.js'
import { EXIT } from '../context.js'
import { stringifyJson } from '../../report/json.js'

/** The format from --format, else the file's extension, else NDJSON (stdin has none). */
export function importFormat(flag: unknown, file: string): ImportFormat {
  if (typeof flag === 'string') {
    if (!(IMPORT_FORMATS as readonly string[]).includes(flag)) throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')} (got "${flag}")`)
    return flag as ImportFormat
  }
  return /\.csv$/i.test(file) ? 'csv' : 'ndjson'
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** One JSON object per line; blank lines are skipped, anything else unreadable is a bad line. */
export async function* ndjsonRows(input: AsyncIterable<string | Buffer>): AsyncGenerator<InputRow | BadLine> {
  let line = 0
  for await (const text of readLines(input)) {
    line++
    if (text.trim() === '') continue
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch (err) {
      yield { line, reason: `not JSON (${err instanceof Error ? err.message : String(err)})` }
      continue
    }
    if (!isRecord(value)) yield { line, reason: 'not a JSON object' }
    else yield { line, fields: value }
  }
}

/**
 * RFC 4180 CSV with a header row, streamed. A record that cannot be read (a stray quote, the
 * wrong number of cells) is a bad line; the parser carries on with the next record.
 */
export async function* csvRows(input: AsyncIterable<string | Buffer>): AsyncGenerator<InputRow | BadLine> {
  const skipped: BadLine[] = []
  const parser = Readable.from(input).pipe(
    parse({
      columns: true,
      bom: true,
      info: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      on_skip: (err: CsvError | undefined) => {
        const lines = (err as (CsvError & { lines?: number }) | undefined)?.lines
        skipped.push({ line: typeof lines === 'number' ? lines : 0, reason: err?.message ?? 'unreadable CSV record' })
        return undefined
      },
    }),
  )
  // The parser runs ahead of this loop, so skips are queued with their line numbers and
  // yielded in line order: a record starts on the line after the previous record or skip.
  let ended = 1
  for await (const item of parser as AsyncIterable<{ info: { lines: number }; record: Record<string, string> }>) {
    const end = item.info.lines
    while (skipped.length && (skipped[0] as BadLine).line < end) {
      const b = skipped.shift() as BadLine
      ended = Math.max(ended, b.line)
      yield b
    }
    yield { line: ended + 1, fields: item.record }
    ended = end
  }
  yield* skipped
}

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const file = args[0]
  if (file === undefined) throw new UsageError('give a file to import, or - for stdin')
  const format = importFormat(opts.format, file)
  let input: AsyncIterable<string | Buffer>
  if (file === '-') input = ctx.io.stdin
  else {
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`)
    input = fs.createReadStream(file)
  }
  const unmatchedShown = 20
  let unmatchedLines = 0
  const result = await importMentions(ctx.deps, {
    format,
    rows: format === 'csv' ? csvRows(input) : ndjsonRows(input),
    ...(typeof opts.brand === 'string' ? { brand: opts.brand } : {}),
    ...(ctx.io.signal ? { signal: ctx.io.signal } : {}),
    onBad: (b) => ctx.note(`line ${b.line}: ${oneLine(b.reason)}; skipped`),
    // Every bad line is listed; unmatched rows are ordinary in a wide export, so a few do.
    onUnmatched: (line) => {
      if (++unmatchedLines <= unmatchedShown) ctx.note(`line ${line}: matched no brand; not stored (--brand B keeps such rows)`)
    },
  })
  if (unmatchedLines > unmatchedShown) ctx.note(`… and ${unmatchedLines - unmatchedShown} more rows that matched no brand`)
  const summary = `imported ${result.new} new, ${result.updated} updated, ${result.unchanged} unchanged; ${result.bad} bad line${result.bad === 1 ? '' : 's'}; ${result.unmatched} matched no brand`
  if (opts.json === true) ctx.io.stdout.write(`${stringifyJson(result)}\n`)
  ctx.note(summary)
  if (ctx.io.signal?.aborted) return EXIT.interrupted
  return result.bad > 0 ? EXIT.partial : EXIT.ok
}
