import { oneLine } from './sanitize.js'
import type { Cell, Column, Out, RowWriter } from './types.js'

/** A TSV field: full value on one line; tabs and newlines cannot break the layout. */
export function tsvCell(cell: Cell): string {
  if (cell === null || cell === undefined) return ''
  if (typeof cell === 'string') return oneLine(cell)
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell)
  return cell.map(oneLine).join(',')
}

/**
 * Tab-separated values for pipes: a header of column keys, then one line per row.
 * No rows means no output at all (not even the header), so cron stays silent.
 */
export function createTsvWriter<T>(columns: readonly Column<T>[], out: Out): RowWriter<T> {
  let headerDone = false
  return {
    write(row) {
      let line = ''
      if (!headerDone) {
        line = columns.map((c) => c.key).join('\t') + '\n'
        headerDone = true
      }
      for (let i = 0; i < columns.length; i++) {
        if (i > 0) line += '\t'
        line += tsvCell(columns[i]!.get(row))
      }
      out.write(line + '\n')
    },
    end() {},
  }
}
