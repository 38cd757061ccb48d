import { neutraliseFormula, stripTerminal } from './sanitize.js'
import type { Cell, Column, Out, RowWriter } from './types.js'

// RFC 4180: CRLF after every record, fields quoted when they hold a comma, quote, CR or LF,
// quotes doubled. Written by hand: csv-stringify's per-record set-up was most of the time of
// a large export, and a test holds this to the bytes csv-stringify wrote.
const NEEDS_QUOTES = /[",\r\n]/
const QUOTES = /"/g

function quoted(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replace(QUOTES, '""')}"` : field
}

/** One record, CRLF-terminated, from cells already turned into text. */
export function csvRecord(fields: readonly string[]): string {
  let line = ''
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) line += ','
    line += quoted(fields[i] as string)
  }
  return line + '\r\n'
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

// A text cell that none of the above touches: no control, bidi or invisible character (what
// stripTerminal removes), no CR (csvText), no formula start, nothing that needs quotes. Most
// cells of an export are plain, and one test replaces four passes over them.
// eslint-disable-next-line no-control-regex
const PLAIN = /^(?![=+\-@\uff1d\uff0b\uff0d\uff20])[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u061c",]*$/

// Text the sanitising passes leave as it is (nothing stripTerminal removes, no CR) and no
// formula start: it needs quoting at most. Most cells that are not plain are such text with a
// comma, and one scan replaces the four of csvCell.
// eslint-disable-next-line no-control-regex
const NEEDS_SANITISING = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2060\ufeff\u061c]|^[=+\-@\t\uff1d\uff0b\uff0d\uff20]/

/** A cell as it goes into the record: csvCell, then quoted, without the work for plain text and numbers. */
export function csvField(cell: Cell): string {
  if (typeof cell === 'string') return PLAIN.test(cell) ? cell : NEEDS_SANITISING.test(cell) ? quoted(csvCell(cell)) : quoted(cell)
  if (typeof cell === 'number') return String(cell)
  if (cell === null || cell === undefined) return ''
  if (typeof cell === 'boolean') return cell ? 'true' : 'false'
  return quoted(csvCell(cell))
}

/**
 * RFC 4180 CSV with a header of column keys, CRLF line endings and no BOM. The header comes
 * with the first row: no rows, no output, as for every line format (see createWriter).
 */
export function createCsvWriter<T>(columns: readonly Column<T>[], out: Out): RowWriter<T> {
  let headerDone = false
  const header = (): string => {
    headerDone = true
    return csvRecord(columns.map((c) => c.key))
  }
  return {
    write(row) {
      let line = headerDone ? '' : header()
      for (let i = 0; i < columns.length; i++) {
        if (i > 0) line += ','
        line += csvField((columns[i] as Column<T>).get(row))
      }
      out.write(line + '\r\n')
    },
    end() {},
  }
}
