// Values between the engine-neutral row and each engine's own representation. SQLite keeps
// flags as 0/1 and JSON as text; PostgreSQL has boolean and jsonb (which node-postgres parses).
import { StoreError } from '../../errors.js'
import { pgJson, pgText } from '../postgres/text.js'
import type { CellValue, ColumnSpec, JsonValue, TableSpec } from './types.js'

/** An SQLite value as the neutral form; a JSON column that does not parse names its row. */
export function fromSqlite(value: unknown, column: ColumnSpec, table: TableSpec, location: string): CellValue {
  if (value === null || value === undefined) return null
  switch (column.kind) {
    case 'bool':
      return value !== 0 && value !== 0n
    case 'json':
      try {
        return JSON.parse(String(value)) as JsonValue
      } catch (err) {
        throw new StoreError(`${location}: ${table.name}.${column.name} holds text that is not JSON (${(err as Error).message}); the row cannot be copied`, 'failure', { cause: err })
      }
    case 'int':
    case 'real':
      return typeof value === 'bigint' ? Number(value) : (value as number)
    case 'text':
      return typeof value === 'string' ? value : String(value)
  }
}

/** The neutral form as an SQLite parameter. */
export function toSqlite(value: CellValue, column: ColumnSpec): string | number | null {
  if (value === null) return null
  switch (column.kind) {
    case 'bool':
      return value ? 1 : 0
    case 'json':
      return JSON.stringify(value)
    default:
      return value as string | number
  }
}

/** A PostgreSQL value (already parsed by the driver: int8 as Number, jsonb as JSON) as the neutral form. */
export function fromPostgres(value: unknown, column: ColumnSpec): CellValue {
  if (value === null || value === undefined) return null
  if (column.kind === 'int' || column.kind === 'real') return typeof value === 'string' ? Number(value) : (value as number)
  return value as CellValue
}

/**
 * The neutral form as a PostgreSQL parameter: JSON goes as its text, cast to jsonb in the
 * statement. Text PostgreSQL cannot hold (NUL, a lone surrogate) becomes U+FFFD, as when a
 * pull stores it there, rather than failing the whole copy.
 */
export function toPostgres(value: CellValue, column: ColumnSpec): string | number | boolean | null {
  if (value === null) return null
  if (column.kind === 'json') return JSON.stringify(pgJson(value))
  if (typeof value === 'string') return pgText(value)
  return value as string | number | boolean
}
