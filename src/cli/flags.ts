import { parseDuration } from '../config/duration.js'
import { UsageError } from '../errors.js'

export function durationFlag(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined
  const ms = parseDuration(String(value))
  if (ms === undefined) throw new UsageError(`${name} takes a duration like 30m, 24h or 7d (got "${String(value)}")`)
  return ms
}

export function idArg(value: string | undefined): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected a mention id (a positive number), got "${value ?? ''}"`)
  return n
}

export function limitFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--limit must be a positive whole number (got "${String(value)}")`)
  return n
}
