import { createCsvWriter } from './csv.js'
import { createJsonWriter, createNdjsonWriter } from './json.js'
import { createTableWriter, DEFAULT_TABLE_WIDTH } from './table.js'
import { createTsvWriter } from './tsv.js'
import type { RowWriter, WriterOptions } from './types.js'

export { FORMATS } from './types.js'
export type { Cell, Column, Format, Out, RowWriter, WriterOptions } from './types.js'

/**
 * A streaming writer for one list in one format. No rows follows one rule, as the GitHub CLI
 * does: a document format stays a valid document (`[]` for json); every line format (csv,
 * tsv, ndjson, table) writes nothing, so cron mails nothing on a quiet day, and `onEmpty`
 * lets the table tell a person on a terminal. json/ndjson/csv/tsv write each row as it
 * arrives; table buffers until end() because column widths depend on every row.
 */
export function createWriter<T>(opts: WriterOptions<T>): RowWriter<T> {
  switch (opts.format) {
    case 'json':
      return createJsonWriter(opts.columns, opts.out)
    case 'ndjson':
      return createNdjsonWriter(opts.columns, opts.out)
    case 'csv':
      return createCsvWriter(opts.columns, opts.out)
    case 'tsv':
      return createTsvWriter(opts.columns, opts.out)
    case 'ids': {
      const id = opts.columns.find((c) => c.key === 'id')
      if (!id) throw new Error('the ids format needs an "id" column')
      return { write: (row) => opts.out.write(`${String(id.get(row))}\n`), end: () => {} }
    }
    case 'table': {
      const width = opts.width !== undefined && opts.width > 0 ? Math.floor(opts.width) : DEFAULT_TABLE_WIDTH
      return createTableWriter(opts.tableColumns ?? opts.columns, opts.out, opts.style, width, {
        ...(opts.wide !== undefined ? { wide: opts.wide } : {}),
        ...(opts.onEmpty ? { onEmpty: opts.onEmpty } : {}),
      })
    }
  }
}
