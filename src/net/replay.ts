// A loopback HTTP server that answers from a list of recorded responses. Tests point sources at
// it instead of the internet, and `mentions demo` uses it to run a real pull offline, so it
// lives in src/ and depends on nothing but Node.

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'

export interface ReplayRoute {
  /** Exact pathname, e.g. "/api/v1/search_by_date". */
  path: string
  /** Only requests with this method (absent = any). */
  method?: string
  /** Subset match on query params (absent = any). */
  query?: Record<string, string | RegExp>
  /** Default 200. */
  status?: number
  headers?: Record<string, string>
  body?: string | Buffer
  /** Serve this route at most N times, then fall through to the next match. */
  times?: number
  delayMs?: number
}

export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>
  /** The request body as text ('' for a GET). */
  body: string
}

export interface ReplayServer {
  /** http://127.0.0.1:PORT */
  url: string
  /** Every request received, in arrival order. */
  requests: RecordedRequest[]
  /** Requests being handled right now (including those waiting out a delay). */
  readonly inFlight: number
  /** The most requests ever handled at once: lets tests check client concurrency server-side. */
  readonly peakInFlight: number
  close(): Promise<void>
}

/** Bodies at or below this size are sent as they are, like most real servers do. */
const GZIP_MIN_BYTES = 1024

function headerValue(headers: Readonly<Record<string, string>> | undefined, name: string): string | undefined {
  if (!headers) return undefined
  const wanted = name.toLowerCase()
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value
  return undefined
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function queryMatches(wanted: ReplayRoute['query'], actual: URLSearchParams): boolean {
  if (!wanted) return true
  return Object.entries(wanted).every(([name, expected]) => {
    const value = actual.get(name)
    if (value === null) return false
    if (typeof expected === 'string') return value === expected
    expected.lastIndex = 0
    return expected.test(value)
  })
}

/** Strong or weak comparison against a list of entity tags, as If-None-Match allows. */
function etagMatches(ifNoneMatch: string, etag: string): boolean {
  const bare = (tag: string): string => tag.trim().replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag))
}

function notModified(route: ReplayRoute, request: IncomingMessage): boolean {
  const ifNoneMatch = request.headers['if-none-match']
  // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
  if (ifNoneMatch !== undefined) {
    const etag = headerValue(route.headers, 'etag')
    return etag !== undefined && etagMatches(ifNoneMatch, etag)
  }
  const lastModified = headerValue(route.headers, 'last-modified')
  const ifModifiedSince = request.headers['if-modified-since']
  if (lastModified === undefined || ifModifiedSince === undefined) return false
  if (ifModifiedSince === lastModified) return true
  const since = Date.parse(ifModifiedSince)
  const modified = Date.parse(lastModified)
  return !Number.isNaN(since) && !Number.isNaN(modified) && since >= modified
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false
  return acceptEncoding.split(',').some((entry) => {
    const [coding = '', ...params] = entry.split(';').map((part) => part.trim().toLowerCase())
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') return false
    const q = params.find((p) => p.startsWith('q='))
    return q === undefined || Number(q.slice(2)) > 0
  })
}

function defaultContentType(body: Buffer): string {
  const start = body.subarray(0, 64).toString('utf8').trimStart()
  return start.startsWith('{') || start.startsWith('[')
    ? 'application/json; charset=utf-8'
    : 'text/plain; charset=utf-8'
}

/** Route headers minus the ones this server computes itself. */
function baseHeaders(route: ReplayRoute): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(route.headers ?? {})) {
    if (name.toLowerCase() !== 'content-length') out[name] = value
  }
  return out
}

function sendRoute(route: ReplayRoute, request: IncomingMessage, response: ServerResponse): void {
  const status = route.status ?? 200
  const headers = baseHeaders(route)
  if (status >= 200 && status < 300 && notModified(route, request)) {
    for (const name of Object.keys(headers)) {
      if (/^content-(type|encoding)$/i.test(name)) delete headers[name]
    }
    response.writeHead(304, headers)
    response.end()
    return
  }
  let body = typeof route.body === 'string' ? Buffer.from(route.body, 'utf8') : (route.body ?? Buffer.alloc(0))
  if (headerValue(headers, 'content-type') === undefined && body.length > 0) {
    headers['content-type'] = defaultContentType(body)
  }
  if (
    body.length > GZIP_MIN_BYTES &&
    headerValue(headers, 'content-encoding') === undefined &&
    acceptsGzip(request.headers['accept-encoding'])
  ) {
    body = gzipSync(body)
    headers['content-encoding'] = 'gzip'
    headers['vary'] = 'Accept-Encoding'
  }
  headers['content-length'] = String(body.length)
  response.writeHead(status, headers)
  response.end(request.method === 'HEAD' ? undefined : body)
}

function sendNoRoute(request: RecordedRequest, response: ServerResponse): void {
  const body = JSON.stringify({
    error: 'no replay route matches this request',
    method: request.method,
    path: request.path,
    query: request.query,
  })
  response.writeHead(404, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
  })
  response.end(body)
}

/** Starts the server on 127.0.0.1 (port 0 = any free port). Routes are tried in order. */
export async function startReplayServer(
  routes: ReplayRoute[],
  opts: { port?: number } = {},
): Promise<ReplayServer> {
  const usesLeft = routes.map((route) => route.times ?? Number.POSITIVE_INFINITY)
  const requests: RecordedRequest[] = []
  const pendingDelays = new Set<NodeJS.Timeout>()
  let inFlight = 0
  let peakInFlight = 0

  const server = createServer((request, response) => {
    inFlight++
    peakInFlight = Math.max(peakInFlight, inFlight)
    response.once('close', () => inFlight--)

    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(request.headers),
      body: '',
    }
    requests.push(recorded)
    const chunks: Buffer[] = []
    request.on('data', (c: Buffer) => chunks.push(c))
    request.once('end', () => {
      recorded.body = Buffer.concat(chunks).toString('utf8')
      answer(recorded, url, request, response)
    })
  })

  function answer(recorded: RecordedRequest, url: URL, request: IncomingMessage, response: ServerResponse): void {
    const index = routes.findIndex(
      (route, i) =>
        (usesLeft[i] ?? 0) > 0 &&
        route.path === url.pathname &&
        (route.method === undefined || route.method.toUpperCase() === recorded.method) &&
        queryMatches(route.query, url.searchParams),
    )
    const route = routes[index]
    if (route === undefined) {
      sendNoRoute(recorded, response)
      return
    }
    usesLeft[index] = (usesLeft[index] ?? 0) - 1

    if (!route.delayMs) {
      sendRoute(route, request, response)
      return
    }
    const timer = setTimeout(() => {
      pendingDelays.delete(timer)
      if (!response.destroyed) sendRoute(route, request, response)
    }, route.delayMs)
    pendingDelays.add(timer)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo

  let closing: Promise<void> | undefined
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get inFlight() {
      return inFlight
    },
    get peakInFlight() {
      return peakInFlight
    },
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const timer of pendingDelays) clearTimeout(timer)
        pendingDelays.clear()
        server.close((err) => (err ? reject(err) : resolve()))
        // Idle keep-alive sockets would otherwise hold close() open for seconds.
        server.closeAllConnections()
      })
      return closing
    },
  }
}
