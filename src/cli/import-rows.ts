// The input side of `mentions import`: a byte stream as rows, with the line each starts on.
// Used on the main thread for stdin and small files, and in the import worker for large ones.
import { Readable } from 'node:stream'
import { parse, type CsvError } from 'csv-parse'
import { readLines } from './lines.js'
import type { BadLine, InputRow } from '../app/import.js'

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
