import { neutraliseFormula, oneLine } from './sanitize.js'
import type { Cell, Column, Out, RowWriter } from './types.js'

/**
 * A TSV field: full value on one line; tabs and newlines cannot break the layout. Spreadsheets
 * open TSV as readily as CSV, so a text cell they would run as a formula gets the CSV rule
 * (after flattening, which is what the spreadsheet sees); numbers stay numbers.
 */
export function tsvCell(cell: Cell): string {
  if (cell === null || cell === undefined) return ''
  if (typeof cell === 'string') return neutraliseFormula(oneLine(cell))
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell)
  return neutraliseFormula(cell.map(oneLine).join(','))
}

/**
 * Tab-separated values for pipes: a header of column keys, then one line per row. The header
 * comes with the first row: no rows, no output, so a cron line stays silent on a quiet day.
 */
export function createTsvWriter<T>(columns: readonly Column<T>[], out: Out): RowWriter<T> {
  let headerDone = false
  const header = (): string => {
    headerDone = true
    return columns.map((c) => c.key).join('\t') + '\n'
  }
  return {
    write(row) {
      let line = headerDone ? '' : header()
      for (let i = 0; i < columns.length; i++) {
        if (i > 0) line += '\t'
        line += tsvCell(columns[i]!.get(row))
      }
      out.write(line + '\n')
    },
    end() {},
  }
}
