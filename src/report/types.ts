import type { Style } from './style.js'

export type Format = 'table' | 'tsv' | 'csv' | 'json' | 'ndjson'

export const FORMATS: readonly Format[] = ['table', 'tsv', 'csv', 'json', 'ndjson']

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
}

export interface RowWriter<T> {
  write(row: T): void
  end(): void
}
