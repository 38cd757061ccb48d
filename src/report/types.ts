import type { Style } from './style.js'

/** 'ids': one id per line, to feed another command (`… --format ids | mentions assign - alice`). */
export type Format = 'table' | 'tsv' | 'csv' | 'json' | 'ndjson' | 'ids'

export const FORMATS: readonly Format[] = ['table', 'tsv', 'csv', 'json', 'ndjson', 'ids']

/** Where rendered text goes; the CLI passes stdout, tests pass a string collector. */
export interface Out {
  write(chunk: string): void
}

export type Cell = string | number | boolean | null | undefined | readonly string[]

export interface Column<T> {
  /** Field name in JSON/NDJSON and the CSV/TSV header. A tested contract for mention views. */
  key: string
  /** Table heading. */
  header: string
  get(row: T): Cell
  /** Table only: a number caps the column's width; 'flex' takes what is left of the line. */
  tableWidth?: number | 'flex'
  /**
   * Table only: the narrowest a capped or natural-width column may be squeezed to before
   * columns are dropped, so the flex column keeps most of a narrow terminal.
   */
  tableMin?: number
  /**
   * Table only: the column may be left out when the line is too narrow for it; columns with
   * the lower rank go first. Absent: always shown. `wide` keeps every column.
   */
  tableDrop?: number
  /** Table only: never truncated (a cut URL is no link): shown whole or, when droppable, dropped. */
  tableWhole?: boolean
  /** Table only: colours the (already truncated) cell text. Must not change its visible width. */
  colour?(text: string, row: T, style: Style): string
}

export interface WriterOptions<T> {
  format: Format
  columns: readonly Column<T>[]
  /** Columns for the table format; `columns` when absent. */
  tableColumns?: readonly Column<T>[]
  out: Out
  style: Style
  /** Terminal columns, table only; 100 when absent. */
  width?: number
  /** Table only: keep every column (e.g. the permalink), even when the line gets long. */
  wide?: boolean
  /**
   * Table only: called at end() when there were no rows. A table is for a person, so the
   * CLI passes a one-line note to stderr here when stderr is a terminal; stdout stays empty.
   */
  onEmpty?: () => void
}

export interface RowWriter<T> {
  write(row: T): void
  end(): void
}
