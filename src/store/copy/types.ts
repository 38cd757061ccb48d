// What `mentions db copy` moves between engines: rows in an engine-neutral form, read from one
// engine in chunks and written into another inside one transaction.

/** How a column's value is represented in each engine, and so how it converts. */
export type ColumnKind =
  /** integer (SQLite INTEGER, PostgreSQL bigint/integer): epoch ms, counts, ids */
  | 'int'
  /** floating point (SQLite REAL or a fraction in an INTEGER column, PostgreSQL double precision) */
  | 'real'
  | 'text'
  /** a flag: SQLite 0/1, PostgreSQL boolean */
  | 'bool'
  /** a JSON document: SQLite text, PostgreSQL jsonb */
  | 'json'

export interface ColumnSpec {
  readonly name: string
  readonly kind: ColumnKind
}

export interface TableSpec {
  readonly name: string
  /** In the order rows are read and written. */
  readonly columns: readonly ColumnSpec[]
  /** The primary key: rows are paged and ordered by it. */
  readonly key: readonly string[]
  /** A column PostgreSQL fills from a sequence (identity): set past the copied ids afterwards. */
  readonly serial?: string
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue }

/** A value as both engines agree on it: flags as booleans, JSON parsed, absent as null. */
export type CellValue = JsonValue

/** One row, its values in the order of the table's columns. */
export type CopyRow = readonly CellValue[]

/** One side's rows, read in a consistent snapshot. */
export interface CopyReader {
  /** Where it reads, without any secret. */
  readonly location: string
  /** The rows of one table in primary-key order, `chunk` at a time. */
  rows(table: TableSpec, chunk: number): AsyncIterable<CopyRow[]>
  count(table: TableSpec): Promise<number>
  close(): Promise<void>
}

/** The other side: everything it writes stays in one transaction until `commit`. */
export interface CopyWriter {
  readonly location: string
  /** Opens the transaction; afterwards `count` sees what this writer wrote. */
  begin(): Promise<void>
  write(table: TableSpec, rows: readonly CopyRow[]): Promise<void>
  /** After every table: sequences past the copied ids, indexes that triggers do not fill. */
  finish(): Promise<void>
  count(table: TableSpec): Promise<number>
  commit(): Promise<void>
  rollback(): Promise<void>
  close(): Promise<void>
}

/** A copy round: how many rows each table had on each side. */
export interface TableCount {
  table: string
  source: number
  target: number
}
