// Test-side entry to the loopback replay server, plus builders for the common route shapes.
import { readFileSync } from 'node:fs'
import { afterEach } from 'vitest'
import { startReplayServer, type ReplayRoute, type ReplayServer } from '../../src/net/replay.js'

export { startReplayServer }
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

/**
 * For a test file: returns `serve(routes)`, which starts a replay server that is closed
 * after each test. Call once at the top level of the file.
 */
export function useReplayServers(): (routes: ReplayRoute[]) => Promise<ReplayServer> {
  const open: ReplayServer[] = []
  afterEach(async () => {
    while (open.length > 0) await open.pop()?.close()
  })
  return async (routes) => {
    const server = await startReplayServer(routes)
    open.push(server)
    return server
  }
}
