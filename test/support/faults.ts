// A loopback server that answers from recorded routes, or (seeded, at a set rate) with a fault:
// 5xx, a reset connection, a hang, a truncated or malformed body, the wrong content type,
// invalid UTF-8, 429 with and without Retry-After, an oversized body, a gzip bomb, a redirect
// loop. Tests run pulls against it and check the store against a fault-free run.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { seededRandom } from './random.js'

export const FAULT_KINDS = [
  'status-500',
  'status-503',
  'reset',
  'hang',
  'truncated',
  'malformed',
  'wrong-type',
  'invalid-utf8',
  '429-retry-after',
  '429-bare',
  '429-long',
  'oversized',
  'gzip-bomb',
  'redirect-loop',
] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface FaultRoute {
  path: string
  /** Subset match on query parameters. */
  query?: Record<string, string>
  status?: number
  headers?: Record<string, string>
  body: string | Buffer
}

export interface FaultServer {
  url: string
  /** Every fault served, in order (cleared by takeFaults). */
  faults: FaultKind[]
  /** The faults served since the last call, and forgets them. */
  takeFaults(): FaultKind[]
  /** Probability in [0, 1] that a request gets a fault instead of its route. */
  setRate(rate: number): void
  /** Which faults may be drawn from now on. */
  setKinds(kinds: readonly FaultKind[]): void
  readonly requests: number
  close(): Promise<void>
}


// One compressed bomb for every server: 16 MiB of zeros is about 16 KiB of gzip.
let bomb: Buffer | undefined
const gzipBomb = () => (bomb ??= gzipSync(Buffer.alloc(16 * 1024 * 1024)))

export async function startFaultServer(opts: {
  routes: readonly FaultRoute[]
  seed: number
  rate?: number
  kinds?: readonly FaultKind[]
  /** Bytes of the oversized body; above the client's cap. */
  oversizedBytes?: number
}): Promise<FaultServer> {
  const random = seededRandom(opts.seed)
  let kinds: readonly FaultKind[] = opts.kinds ?? FAULT_KINDS
  let rate = opts.rate ?? 0
  const faults: FaultKind[] = []
  const sockets = new Set<Socket>()
  let requests = 0

  const match = (url: URL) =>
    opts.routes.find((r) => r.path === url.pathname && Object.entries(r.query ?? {}).every(([k, v]) => url.searchParams.get(k) === v))

  const serve = (route: FaultRoute | undefined, res: ServerResponse) => {
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no route"}')
      return
    }
    const body = Buffer.from(route.body)
    res.writeHead(route.status ?? 200, { 'content-length': String(body.length), ...route.headers }).end(body)
  }

  const fault = (kind: FaultKind, req: IncomingMessage, res: ServerResponse, route: FaultRoute | undefined, url: URL) => {
    const body = Buffer.from(route?.body ?? '{}')
    const type = route?.headers?.['content-type'] ?? 'application/json'
    switch (kind) {
      case 'status-500':
      case 'status-503':
        res.writeHead(kind === 'status-500' ? 500 : 503, { 'content-type': 'text/plain' }).end('upstream trouble')
        return
      case 'reset':
        req.socket.destroy()
        return
      case 'hang':
        return // never answered; the socket is destroyed on close
      case 'truncated':
        res.writeHead(200, { 'content-type': type, 'content-length': String(body.length) })
        res.write(body.subarray(0, Math.floor(body.length / 2)))
        setTimeout(() => req.socket.destroy(), 5)
        return
      case 'malformed': {
        const cut = body.subarray(0, Math.floor(body.length / 2))
        res.writeHead(200, { 'content-type': type, 'content-length': String(cut.length) }).end(cut)
        return
      }
      case 'wrong-type':
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><html><head><title>Wi-Fi login</title></head><body>Please sign in</body></html>')
        return
      case 'invalid-utf8': {
        const bad = Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), body])
        res.writeHead(200, { 'content-type': `${type.split(';')[0]}; charset=utf-8`, 'content-length': String(bad.length) }).end(bad)
        return
      }
      case '429-retry-after':
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('slow down')
        return
      case '429-long':
        res.writeHead(429, { 'retry-after': '3600', 'content-type': 'text/plain' }).end('come back in an hour')
        return
      case '429-bare':
        res.writeHead(429, { 'content-type': 'text/plain' }).end('too many')
        return
      case 'oversized': {
        const big = Buffer.alloc(opts.oversizedBytes ?? 2 * 1024 * 1024, 0x20)
        res.writeHead(200, { 'content-type': type }).end(big)
        return
      }
      case 'gzip-bomb':
        res.writeHead(200, { 'content-type': type, 'content-encoding': 'gzip' }).end(gzipBomb())
        return
      case 'redirect-loop': {
        const n = Number(url.searchParams.get('loop') ?? '0') + 1
        url.searchParams.set('loop', String(n))
        res.writeHead(302, { location: `${url.pathname}${url.search}` }).end()
        return
      }
    }
  }

  const server = createServer((req, res) => {
    requests++
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    req.resume()
    req.once('end', () => {
      const route = match(url)
      // A redirect loop keeps looping for as long as the client follows it.
      if (url.searchParams.has('loop')) return fault('redirect-loop', req, res, route, url)
      if (rate > 0 && random() < rate) {
        const kind = kinds[Math.floor(random() * kinds.length)] as FaultKind
        faults.push(kind)
        return fault(kind, req, res, route, url)
      }
      serve(route, res)
    })
  })
  server.on('connection', (s) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    takeFaults: () => faults.splice(0),
    setRate: (r) => void (rate = r),
    setKinds: (k) => void (kinds = k),
    get requests() {
      return requests
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}
