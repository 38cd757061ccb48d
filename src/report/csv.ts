import { stringify, type Options } from 'csv-stringify/sync'
import { neutraliseFormula, stripTerminal } from './sanitize.js'
import type { Cell, Column, Out, RowWriter } from './types.js'

// RFC 4180: CRLF between records, fields quoted when they hold a comma, quote, CR or LF.
// quote_record_delimiter must be set explicitly: csv-stringify turns it off whenever
// record_delimiter is given, which would leave a bare LF inside a cell unquoted.
const CSV_OPTIONS: Options = {
  record_delimiter: '\r\n',
  quote_record_delimiter: true,
  eof: true,
}

/** CSV text keeps its line breaks (as LF, inside a quoted cell) but no other control characters. */
function csvText(s: string): string {
  return stripTerminal(s.includes('\r') ? s.replace(/\r\n?/g, '\n') : s)
}

/** A CSV field as text; formula neutralising applies to text cells only, so numbers stay numbers. */
export function csvCell(cell: Cell): string {
  if (cell === null || cell === undefined) return ''
  if (typeof cell === 'number') return String(cell)
  if (typeof cell === 'boolean') return cell ? 'true' : 'false'
  if (typeof cell === 'string') return neutraliseFormula(csvText(cell))
  return neutraliseFormula(cell.map(csvText).join('; '))
}

/**
 * RFC 4180 CSV with a header of column keys, CRLF line endings and no BOM. The header comes
 * with the first row: no rows, no output, as for every line format (see createWriter).
 */
export function createCsvWriter<T>(columns: readonly Column<T>[], out: Out): RowWriter<T> {
  let headerDone = false
  const header = (): string => {
    headerDone = true
    return stringify([columns.map((c) => c.key)], CSV_OPTIONS)
  }
  return {
    write(row) {
      const record = columns.map((c) => csvCell(c.get(row)))
      out.write((headerDone ? '' : header()) + stringify([record], CSV_OPTIONS))
    },
    end() {},
  }
}
