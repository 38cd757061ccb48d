// Test-side entry to the loopback replay server, plus builders for the common route shapes.
import { readFileSync } from 'node:fs'
import type { ReplayRoute } from '../../src/net/replay.js'

export { startReplayServer } from '../../src/net/replay.js'
export type { RecordedRequest, ReplayRoute, ReplayServer } from '../../src/net/replay.js'

type RouteExtras = Omit<ReplayRoute, 'path' | 'body'>

/** A route answering with `value` as JSON. */
export function jsonRoute(path: string, value: unknown, extras: RouteExtras = {}): ReplayRoute {
  return {
    ...extras,
    path,
    headers: { 'content-type': 'application/json; charset=utf-8', ...extras.headers },
    body: JSON.stringify(value),
  }
}

/** A route answering with the bytes of a file on disk (a recorded response). */
export function fileRoute(path: string, file: string | URL, extras: RouteExtras = {}): ReplayRoute {
  return { ...extras, path, body: readFileSync(file) }
}
