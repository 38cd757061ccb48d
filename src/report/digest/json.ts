// The digest as JSON for scripts: the Digest object (src/app/digest.ts documents every field)
// with every time as ISO-8601, and a schema version a script can check. Field names are a
// tested contract: add fields, never rename or remove them.
import type { Digest } from '../../app/digest.js'
import { stringifyJson } from '../json.js'

export const DIGEST_JSON_VERSION = 1

// Fields holding epoch ms, wherever they appear in the digest.
const TIME_KEYS = new Set(['start', 'end', 'previousStart', 'createdAt', 'fetchedAt', 'assignedAt', 'at', 'lastNewAt', 'coveredFrom', 'coveredTo', 'since', 'bucketStart', 'bucketEnd'])

function isoTimes(value: unknown, key?: string): unknown {
  if (typeof value === 'number' && key !== undefined && TIME_KEYS.has(key)) return new Date(value).toISOString()
  if (Array.isArray(value)) return value.map((v) => isoTimes(v))
  if (value && typeof value === 'object') {
    const gap = key === 'gap'
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, gap && typeof v === 'number' ? new Date(v).toISOString() : isoTimes(v, k)]),
    )
  }
  return value
}

export function digestJson(d: Digest): object {
  return { version: DIGEST_JSON_VERSION, ...(isoTimes(d) as object) }
}

export function renderJson(d: Digest): string {
  return `${stringifyJson(digestJson(d), 2)}\n`
}
