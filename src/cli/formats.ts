// Which output formats each command takes, and its default: the one list that both `--help`
// and the validation read, so help can never describe a format or default a command lacks.
import type { Format } from '../report/render.js'

export interface FormatSpec {
  formats: readonly Format[]
  /** The default when neither --format nor --json is given; undefined: table on a terminal, tsv on a pipe. */
  fallback?: Format
}

export const COMMAND_FORMATS = {
  queue: { formats: ['table', 'tsv', 'csv', 'json', 'ndjson', 'ids'] },
  search: { formats: ['table', 'tsv', 'csv', 'json', 'ndjson', 'ids'] },
  export: { formats: ['csv', 'tsv', 'json', 'ndjson', 'ids'], fallback: 'csv' },
  log: { formats: ['table', 'tsv', 'json', 'ndjson'] },
  rules: { formats: ['table', 'tsv', 'json', 'ndjson'] },
  show: { formats: ['table', 'json'], fallback: 'table' },
  sources: { formats: ['table', 'tsv', 'json'] },
  score: { formats: ['ndjson', 'json', 'table'], fallback: 'ndjson' },
  match: { formats: ['ndjson', 'json', 'table'], fallback: 'ndjson' },
  rematch: { formats: ['table', 'tsv', 'json', 'ndjson'] },
  stats: { formats: ['table', 'tsv', 'csv', 'json'] },
  spikes: { formats: ['table', 'tsv', 'json'] },
  'db copy': { formats: ['table', 'tsv', 'json'] },
} as const satisfies Record<string, FormatSpec>

export function formatHelp(spec: FormatSpec): string {
  const fallback = spec.fallback ?? 'table on a terminal, tsv on a pipe'
  return `output format: ${spec.formats.join('|')} (default: ${fallback})`
}
