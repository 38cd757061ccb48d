import fs from 'node:fs'
import { IMPORT_FORMATS, importMentions, type ImportFormat } from '../../app/import.js'
import { preparedInWorker } from '../import-parallel.js'
import { csvRows, ndjsonRows } from '../import-rows.js'
import { UsageError } from '../../errors.js'
import { oneLine } from '../../report/sanitize.js'
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

/** --jobs: 0 (the default) prepares rows on the main thread, 1 in a worker thread. */
function jobsFlag(v: unknown): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 1) throw new UsageError(`--jobs must be 0 (no worker) or 1 (one worker thread) (got "${String(v)}")`)
  return n
}

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const file = args[0]
  if (file === undefined) throw new UsageError('give a file to import, or - for stdin')
  const format = importFormat(opts.format, file)
  let input: AsyncIterable<string | Buffer> | undefined
  let parallel = false
  if (file === '-') {
    if (jobsFlag(opts.jobs)) throw new UsageError('--jobs 1 reads the file in a worker thread: give a file, not - (stdin)')
    input = ctx.io.stdin
  } else {
    if (!fs.existsSync(file)) throw new UsageError(`no such file: ${file}`)
    const jobs = jobsFlag(opts.jobs)
    parallel = jobs === 1
    if (!parallel) input = fs.createReadStream(file)
  }
  const unmatchedShown = 20
  let unmatchedLines = 0
  const result = await importMentions(ctx.deps, {
    format,
    ...(input ? { rows: format === 'csv' ? csvRows(input) : ndjsonRows(input) } : { prepared: preparedInWorker(file, ctx.deps.config()) }),
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
