import type { Column, Out, RowWriter } from './types.js'

// JSON.stringify escapes C0 controls (ESC becomes \u001b) but emits DEL, C1 controls, bidi
// overrides, invisible format characters and line separators raw. Escaping them too keeps the
// value byte-for-byte after parsing while making `--json` safe to print on a terminal.
// Inside a JSON text these characters can only occur within strings, so a global replace
// never touches the structure.
const UNSAFE_IN_JSON = /[\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g
const HAS_UNSAFE = /[\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/

function escapeUnsafe(ch: string): string {
  return '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0')
}

/**
 * JSON.stringify for every `--json` output: the same text, with the characters above
 * escaped as \uXXXX so the output is safe on a terminal and parses back to the same value.
 */
export function stringifyJson(value: unknown, space?: number): string {
  const json = JSON.stringify(value, null, space)
  return json !== undefined && HAS_UNSAFE.test(json) ? json.replace(UNSAFE_IN_JSON, escapeUnsafe) : json
}

/** One row as a single-line JSON object holding every column key with its native value. */
export function rowToJson<T>(columns: readonly Column<T>[], row: T): string {
  const obj: Record<string, unknown> = {}
  for (const col of columns) obj[col.key] = col.get(row) ?? null
  return stringifyJson(obj)
}

/** A single JSON array, streamed one object per line; `[]` when there are no rows. */
export function createJsonWriter<T>(columns: readonly Column<T>[], out: Out): RowWriter<T> {
  let count = 0
  return {
    write(row) {
      out.write((count === 0 ? '[\n' : ',\n') + rowToJson(columns, row))
      count++
    },
    end() {
      out.write(count === 0 ? '[]\n' : '\n]\n')
    },
  }
}

/** Newline-delimited JSON: one object per line, nothing at all for no rows. */
export function createNdjsonWriter<T>(columns: readonly Column<T>[], out: Out): RowWriter<T> {
  return {
    write(row) {
      out.write(rowToJson(columns, row) + '\n')
    },
    end() {},
  }
}
