import { createServer as createHttpServer, type Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createHttp, RateLimitError, type HttpOptions } from '../../src/net/client.js'
import { redactUrl } from '../../src/net/redact.js'
import { HttpError, NetworkError } from '../../src/net/types.js'
import { jsonRoute, startReplayServer, useReplayServers, type ReplayRoute, type ReplayServer } from '../support/replay.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})
const serve = useReplayServers()

/** A client whose waits are recorded instead of slept, on a fake clock the waits advance. */
function client(overrides: Partial<HttpOptions> = {}) {
  const sleeps: number[] = []
  let clock = Date.parse('2025-06-01T12:00:00Z')
  const http = createHttp({
    userAgent: 'mentions-test/0.0 (+https://example.invalid)',
    timeoutMs: 2000,
    retries: 2,
    random: () => 0.5,
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms)
      clock += ms
    },
    ...overrides,
  })
  cleanups.push(() => http.close())
  return { http, sleeps, now: () => clock }
}

async function closedPort(): Promise<number> {
  const server = createHttpServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

describe('createHttp: success, headers and decoding', () => {
  it('sends the User-Agent and Accept-Encoding and returns lower-cased headers', async () => {
    const server = await serve([jsonRoute('/hello', { ok: true }, { headers: { 'X-Thing': 'yes' } })])
    const { http } = client()
    const res = await http.get(`${server.url}/hello?q=a`)
    expect(res.status).toBe(200)
    expect(res.notModified).toBe(false)
    expect(JSON.parse(res.body)).toEqual({ ok: true })
    expect(res.headers['x-thing']).toBe('yes')
    expect(res.url).toBe(`${server.url}/hello?q=a`)
    const seen = server.requests[0]
    expect(seen?.headers['user-agent']).toBe('mentions-test/0.0 (+https://example.invalid)')
    expect(seen?.headers['accept-encoding']).toBe('gzip, deflate, br')
    expect(seen?.query).toEqual({ q: 'a' })
  })

  it('lets caller headers through, one copy each, whatever their case', async () => {
    const server = await serve([jsonRoute('/h', {})])
    const { http } = client()
    await http.get(`${server.url}/h`, { headers: { Accept: 'application/json', 'USER-AGENT': 'custom/1' } })
    expect(server.requests[0]?.headers['accept']).toBe('application/json')
    expect(server.requests[0]?.headers['user-agent']).toBe('custom/1')
  })

  it('decodes a gzip body the server really compressed', async () => {
    const items = Array.from({ length: 200 }, (_, i) => ({ id: i, text: `mention number ${i} — café ✓` }))
    const server = await serve([jsonRoute('/big', { items })])
    const { http } = client()
    const res = await http.get(`${server.url}/big`)
    expect(res.headers['content-encoding']).toBe('gzip')
    expect(JSON.parse(res.body)).toEqual({ items })
  })

  it('reports the final URL after a redirect', async () => {
    const server = await serve([
      { path: '/old', status: 301, headers: { Location: '/new' } },
      jsonRoute('/new', { moved: true }),
    ])
    const { http } = client()
    const res = await http.get(`${server.url}/old`)
    expect(res.url).toBe(`${server.url}/new`)
    expect(JSON.parse(res.body)).toEqual({ moved: true })
  })
})

describe('createHttp: conditional GET', () => {
  it('sends If-None-Match and resolves a 304 as notModified with an empty body', async () => {
    const server = await serve([jsonRoute('/feed', { v: 1 }, { headers: { ETag: '"abc"' } })])
    const { http } = client()
    const first = await http.get(`${server.url}/feed`)
    expect(first.headers['etag']).toBe('"abc"')
    const second = await http.get(`${server.url}/feed`, { etag: first.headers['etag'] })
    expect(server.requests[1]?.headers['if-none-match']).toBe('"abc"')
    expect(second).toMatchObject({ status: 304, notModified: true, body: '' })
    const changed = await http.get(`${server.url}/feed`, { etag: '"older"' })
    expect(changed.status).toBe(200)
  })

  it('sends If-Modified-Since and resolves a 304 as notModified', async () => {
    const lastModified = 'Sun, 01 Jun 2025 10:00:00 GMT'
    const server = await serve([{ path: '/rss', headers: { 'Last-Modified': lastModified }, body: '<rss/>' }])
    const { http } = client()
    const res = await http.get(`${server.url}/rss`, { lastModified })
    expect(server.requests[0]?.headers['if-modified-since']).toBe(lastModified)
    expect(res).toMatchObject({ status: 304, notModified: true, body: '' })
  })
})

describe('createHttp: retries', () => {
  it('retries a 500 and then succeeds', async () => {
    const server = await serve([
      { path: '/flaky', status: 500, body: 'oops', times: 1 },
      jsonRoute('/flaky', { ok: 1 }),
    ])
    const { http, sleeps } = client()
    const res = await http.get(`${server.url}/flaky`)
    expect(res.status).toBe(200)
    expect(server.requests).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
  })

  it('backs off exponentially and gives up with HttpError after the retries', async () => {
    const server = await serve([{ path: '/down', status: 503, body: 'maintenance' }])
    const { http, sleeps } = client({ retries: 3, random: () => 0 })
    const err = await http.get(`${server.url}/down`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HttpError)
    expect((err as HttpError).status).toBe(503)
    expect((err as HttpError).bodySnippet).toBe('maintenance')
    expect(server.requests).toHaveLength(4)
    expect(sleeps).toEqual([250, 500, 1000])
  })

  it('does not retry a 404', async () => {
    const server = await serve([{ path: '/missing', status: 404, body: '{"error":"not found"}' }])
    const { http, sleeps } = client()
    const err = await http.get(`${server.url}/missing`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HttpError)
    expect(err).not.toBeInstanceOf(RateLimitError)
    expect((err as HttpError).status).toBe(404)
    expect((err as HttpError).bodySnippet).toBe('{"error":"not found"}')
    expect(server.requests).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it('waits out Retry-After on a 429, then succeeds', async () => {
    const server = await serve([
      { path: '/limited', status: 429, headers: { 'Retry-After': '2' }, times: 1 },
      jsonRoute('/limited', { ok: true }),
    ])
    const { http, sleeps } = client()
    const res = await http.get(`${server.url}/limited`)
    expect(res.status).toBe(200)
    expect(sleeps).toEqual([2000])
    expect(server.requests).toHaveLength(2)
  })

  it('honours an HTTP-date Retry-After on a 503', async () => {
    const { http, sleeps, now } = client()
    const retryAt = new Date(now() + 5000).toUTCString()
    const server = await serve([
      { path: '/busy', status: 503, headers: { 'Retry-After': retryAt }, times: 1 },
      jsonRoute('/busy', {}),
    ])
    await http.get(`${server.url}/busy`)
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThan(4000)
    expect(sleeps[0]).toBeLessThanOrEqual(5000)
  })

  it('uses an exhausted X-RateLimit window when Retry-After is absent', async () => {
    const { http, sleeps, now } = client()
    const resetEpochSeconds = Math.floor(now() / 1000) + 30
    const server = await serve([
      {
        path: '/search',
        status: 429,
        headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(resetEpochSeconds) },
        times: 1,
      },
      jsonRoute('/search', {}),
    ])
    await http.get(`${server.url}/search`)
    expect(sleeps).toHaveLength(1)
    expect(sleeps[0]).toBeGreaterThan(29_000)
    expect(sleeps[0]).toBeLessThanOrEqual(30_000)
  })

  it('fails at once, saying when to retry, when Retry-After is over the cap', async () => {
    const server = await serve([{ path: '/slow-down', status: 429, headers: { 'Retry-After': '3600' } }])
    const { http, sleeps, now } = client({ maxRetryAfterMs: 60_000 })
    const err = await http.get(`${server.url}/slow-down`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RateLimitError)
    expect(err).toBeInstanceOf(HttpError)
    const limited = err as RateLimitError
    expect(limited.status).toBe(429)
    expect(limited.retryAt.getTime()).toBe(now() + 3_600_000)
    expect(limited.message).toContain(limited.retryAt.toISOString())
    expect(sleeps).toEqual([])
    expect(server.requests).toHaveLength(1)
  })

  it('does not retry a 403 from an exhausted window, but says when it reopens', async () => {
    const { http, sleeps, now } = client()
    const reset = Math.floor(now() / 1000) + 120
    const server = await serve([
      {
        path: '/search/issues',
        status: 403,
        headers: { 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': String(reset) },
        body: '{"message":"API rate limit exceeded"}',
      },
    ])
    const err = await http.get(`${server.url}/search/issues`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RateLimitError)
    expect((err as RateLimitError).retryAt.getTime()).toBe(reset * 1000)
    expect(server.requests).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it('makes other requests to the same host wait out a rate-limit pause', async () => {
    const server = await serve([
      { path: '/a', status: 429, headers: { 'Retry-After': '10' }, times: 1 },
      jsonRoute('/a', {}),
      jsonRoute('/b', {}, { delayMs: 50 }),
    ])
    let resolveFirstSleep: () => void = () => undefined
    const firstSleep = new Promise<void>((resolve) => (resolveFirstSleep = resolve))
    const sleeps: number[] = []
    const http = createHttp({
      userAgent: 'test',
      now: () => 1_000_000,
      sleep: async (ms) => {
        sleeps.push(ms)
        resolveFirstSleep()
      },
    })
    cleanups.push(() => http.close())
    const a = http.get(`${server.url}/a`)
    await firstSleep
    await http.get(`${server.url}/b`)
    await a
    // /a slept its own 10 s once; /b, started during that pause, waited for it too.
    expect(sleeps).toEqual([10_000, 10_000])
  })
})

describe('createHttp: network failures', () => {
  it('turns a refused connection into NetworkError after the retries', async () => {
    const port = await closedPort()
    const { http, sleeps } = client({ retries: 2 })
    const err = await http.get(`http://127.0.0.1:${port}/x`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as NetworkError).message).toContain('ECONNREFUSED')
    expect(sleeps).toHaveLength(2)
  })

  it('times out a slow response and retries it', async () => {
    const server = await serve([jsonRoute('/slow', {}, { delayMs: 1000 })])
    const { http, sleeps } = client({ timeoutMs: 100, retries: 1 })
    const err = await http.get(`${server.url}/slow`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as NetworkError).message).toContain('timed out')
    expect(server.requests).toHaveLength(2)
    expect(sleeps).toHaveLength(1)
  })

  it('refuses a body whose Content-Length is over the cap, without retrying', async () => {
    const server = await serve([{ path: '/huge', body: 'x'.repeat(5000), headers: { 'Content-Encoding': 'identity' } }])
    const { http, sleeps } = client({ maxBodyBytes: 1000 })
    const err = await http.get(`${server.url}/huge`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as NetworkError).message).toContain('response body of 5000 bytes is over the 1000-byte limit')
    expect(server.requests).toHaveLength(1)
    expect(sleeps).toEqual([])
  })

  it('stops reading a small compressed body that expands past the cap', async () => {
    const server = await serve([{ path: '/bomb', body: 'a'.repeat(200_000) }])
    const { http } = client({ maxBodyBytes: 10_000 })
    const err = await http.get(`${server.url}/bomb`).catch((e: unknown) => e)
    expect(server.requests[0]?.headers['accept-encoding']).toContain('gzip')
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as NetworkError).message).toMatch(/over the 10000-byte limit/)
  })
})

describe('createHttp: cancellation', () => {
  it('an aborted signal cancels a request in flight', async () => {
    const server = await serve([jsonRoute('/slow', {}, { delayMs: 1000 })])
    const { http } = client()
    const controller = new AbortController()
    const pending = http.get(`${server.url}/slow`, { signal: controller.signal })
    setTimeout(() => controller.abort(new Error('user cancelled')), 30)
    await expect(pending).rejects.toThrow('user cancelled')
  })

  it('an aborted signal cancels a retry wait', async () => {
    const server = await serve([{ path: '/down', status: 500 }])
    const controller = new AbortController()
    const http = createHttp({
      userAgent: 'test',
      sleep: (_ms, signal) =>
        new Promise<void>((_resolve, reject) => {
          signal?.addEventListener('abort', () => reject(new Error('sleep aborted')))
          controller.abort(new Error('stop now'))
        }),
    })
    cleanups.push(() => http.close())
    await expect(http.get(`${server.url}/down`, { signal: controller.signal })).rejects.toThrow('stop now')
    expect(server.requests).toHaveLength(1)
  })
})

describe('createHttp: per-host concurrency', () => {
  it('never has more than perHostConcurrency requests in flight to one host', async () => {
    const server = await serve([jsonRoute('/slow', {}, { delayMs: 100 })])
    const { http } = client({ perHostConcurrency: 2 })
    await Promise.all(Array.from({ length: 8 }, (_, i) => http.get(`${server.url}/slow?i=${i}`)))
    expect(server.requests).toHaveLength(8)
    expect(server.peakInFlight).toBe(2)
  })

  it('gives each host its own limit', async () => {
    // Two servers on two ports are two hosts (the key is host:port).
    const first = await serve([jsonRoute('/slow', {}, { delayMs: 150 })])
    const second = await serve([jsonRoute('/slow', {}, { delayMs: 150 })])
    const { http } = client({ perHostConcurrency: 1 })
    const all = Promise.all([
      ...Array.from({ length: 3 }, () => http.get(`${first.url}/slow`)),
      ...Array.from({ length: 3 }, () => http.get(`${second.url}/slow`)),
    ])
    // One shared limiter would never have both servers busy at the same moment.
    await vi.waitFor(() => expect(first.inFlight + second.inFlight).toBe(2), { timeout: 2000, interval: 5 })
    await all
    expect(first.peakInFlight).toBe(1)
    expect(second.peakInFlight).toBe(1)
  })
})

describe('createHttp: secrets stay out of errors', () => {
  it('redacts secret query params in HttpError and NetworkError', async () => {
    const server = await serve([{ path: '/denied', status: 403, body: 'bad key abcd1234secret for you' }])
    const { http } = client()
    const err = (await http
      .get(`${server.url}/denied?q=brand&api_key=abcd1234secret`)
      .catch((e: unknown) => e)) as HttpError
    expect(err).toBeInstanceOf(HttpError)
    expect(err.url).toBe(`${server.url}/denied?q=brand&api_key=***`)
    expect(err.message).not.toContain('abcd1234secret')
    expect(err.bodySnippet).toBe('bad key *** for you')

    const port = await closedPort()
    const netErr = (await http
      .get(`http://127.0.0.1:${port}/x?access_token=tok-998877`)
      .catch((e: unknown) => e)) as NetworkError
    expect(netErr).toBeInstanceOf(NetworkError)
    expect(netErr.message).not.toContain('tok-998877')
    expect(netErr.url).toContain('access_token=***')
  })

  it('keeps a bearer token echoed by the server out of the snippet', async () => {
    const server = await serve([{ path: '/me', status: 401, body: 'invalid token: sk-live-0123456789' }])
    const { http } = client()
    const err = (await http
      .get(`${server.url}/me`, { headers: { Authorization: 'Bearer sk-live-0123456789' } })
      .catch((e: unknown) => e)) as HttpError
    expect(err.bodySnippet).toBe('invalid token: ***')
  })

  it('cuts the snippet to about 200 characters with control characters removed', async () => {
    const server = await serve([{ path: '/err', status: 400, body: `\u001b[31mred\u0007\r\n${'y'.repeat(500)}` }])
    const { http } = client()
    const err = (await http.get(`${server.url}/err`).catch((e: unknown) => e)) as HttpError
    expect(err.bodySnippet.startsWith(' ')).toBe(false)
    expect(err.bodySnippet).not.toMatch(/\p{Cc}/u)
    expect(err.bodySnippet.startsWith('[31mred y')).toBe(true)
    expect(Array.from(err.bodySnippet).length).toBeLessThanOrEqual(201)
  })
})

describe('createHttp: the failure line', () => {
  it('names status, reason, host and path, and only the <title> of an HTML error page', async () => {
    const page = `<!doctype html><html><head><title>Service Unavailable &ndash; Maintenance</title>
      <style>body{color:red}</style></head><body><nav>Home | Blog | About</nav><h1>Down</h1>${'<p>lorem</p>'.repeat(50)}</body></html>`
    const server = await serve([{ path: '/feed.xml', status: 503, headers: { 'content-type': 'text/html; charset=utf-8' }, body: page }])
    const { http } = client({ retries: 0 })
    const err = (await http.get(`${server.url}/feed.xml?token=abc123xyz&q=a%20b`).catch((e: unknown) => e)) as HttpError
    const host = server.url.replace('http://', '')
    expect(err.message).toBe(`HTTP 503 Service Unavailable from ${host}/feed.xml: Service Unavailable – Maintenance`)
    expect(err.url).toBe(`${server.url}/feed.xml?token=***&q=a%20b`)
  })

  it('says nothing of an HTML page without a title, and decodes a percent-encoded path', async () => {
    const server = await serve([{ path: '/caf%C3%A9/feed', status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><p>gone</p></body></html>' }])
    const { http } = client({ retries: 0 })
    const err = (await http.get(`${server.url}/caf%C3%A9/feed?x=1`).catch((e: unknown) => e)) as HttpError
    expect(err.message).toBe(`HTTP 404 Not Found from ${server.url.replace('http://', '')}/café/feed`)
  })

  it('keeps a short snippet of a JSON body and none of a binary one', async () => {
    const server = await serve([
      jsonRoute('/api', { error: 'quota exceeded' }, { status: 402 }),
      { path: '/img', status: 410, headers: { 'content-type': 'image/png' }, body: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
    ])
    const { http } = client({ retries: 0 })
    const api = (await http.get(`${server.url}/api`).catch((e: unknown) => e)) as HttpError
    expect(api.message).toBe(`HTTP 402 Payment Required from ${server.url.replace('http://', '')}/api: {"error":"quota exceeded"}`)
    const img = (await http.get(`${server.url}/img`).catch((e: unknown) => e)) as HttpError
    expect(img.message).toBe(`HTTP 410 Gone from ${server.url.replace('http://', '')}/img`)
  })

  it('names host and path, not the query, when the connection fails', async () => {
    const port = await closedPort()
    const { http } = client({ retries: 0 })
    const err = (await http.get(`http://127.0.0.1:${port}/feed.xml?q=a%20b`).catch((e: unknown) => e)) as NetworkError
    expect(err.message).toMatch(new RegExp(`^GET 127\\.0\\.0\\.1:${port}/feed\\.xml failed: `))
  })
})

/** A CONNECT proxy on loopback that records what it was asked for. */
async function startProxy(opts: { requireAuth?: string } = {}) {
  const connects: { target: string; auth: string | undefined }[] = []
  const sockets = new Set<Socket>()
  const proxy: Server = createHttpServer((_req, res) => {
    res.writeHead(405).end()
  })
  proxy.on('connect', (req, clientSocket: Socket, head: Buffer) => {
    sockets.add(clientSocket)
    const auth = req.headers['proxy-authorization']
    connects.push({ target: req.url ?? '', auth })
    if (opts.requireAuth !== undefined && auth !== opts.requireAuth) {
      clientSocket.end('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n')
      return
    }
    const [host = '', port = '0'] = (req.url ?? '').split(':')
    const upstream = connect(Number(port), host, () => {
      clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(clientSocket)
      clientSocket.pipe(upstream)
    })
    sockets.add(upstream)
    upstream.on('error', () => clientSocket.destroy())
    clientSocket.on('error', () => upstream.destroy())
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  const { port } = proxy.address() as AddressInfo
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy()
    proxy.closeAllConnections()
    await new Promise<void>((resolve) => proxy.close(() => resolve()))
  })
  return { port, connects }
}

describe('createHttp: proxy from env', () => {
  it('tunnels through HTTP_PROXY when it is set', async () => {
    const server = await serve([jsonRoute('/via-proxy', { proxied: true })])
    const proxy = await startProxy()
    const { http } = client({ env: { HTTP_PROXY: `http://127.0.0.1:${proxy.port}` } })
    const res = await http.get(`${server.url}/via-proxy`)
    expect(JSON.parse(res.body)).toEqual({ proxied: true })
    expect(proxy.connects.map((c) => c.target)).toEqual([server.url.replace('http://', '')])
  })

  it('goes direct for hosts in NO_PROXY (lower case works too)', async () => {
    const server = await serve([jsonRoute('/direct', {})])
    const proxy = await startProxy()
    const { http } = client({ env: { http_proxy: `http://127.0.0.1:${proxy.port}`, no_proxy: 'example.com,127.0.0.1' } })
    await http.get(`${server.url}/direct`)
    expect(server.requests).toHaveLength(1)
    expect(proxy.connects).toEqual([])
  })

  it('never shows the proxy password in an error', async () => {
    const server = await serve([jsonRoute('/x', {})])
    const proxy = await startProxy({ requireAuth: 'Basic never-matches' })
    const { http } = client({ env: { HTTP_PROXY: `http://alice:pa55w0rd-xyz@127.0.0.1:${proxy.port}` } })
    const err = await http.get(`${server.url}/x`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect(proxy.connects[0]?.auth).toBe(`Basic ${Buffer.from('alice:pa55w0rd-xyz').toString('base64')}`)
    expect(String((err as Error).message)).not.toContain('pa55w0rd-xyz')
    expect(server.requests).toHaveLength(0)
  })
})

describe('redactUrl', () => {
  it('hides every secret-looking query param and keeps the rest as written', () => {
    expect(
      redactUrl(
        'https://api.example.com/v1/search?q=acme%20corp&key=K1&token=T&access_token=A&api_key=B&apikey=C&sig=D&signature=E&password=F&client_secret=G&page=2',
      ),
    ).toBe(
      'https://api.example.com/v1/search?q=acme%20corp&key=***&token=***&access_token=***&api_key=***&apikey=***&sig=***&signature=***&password=***&client_secret=***&page=2',
    )
  })

  it('matches names case-insensitively and catches common variants', () => {
    expect(redactUrl('https://x.test/?API_KEY=1&refresh_token=2&apiKey=3&x-api-key=4&sort=new')).toBe(
      'https://x.test/?API_KEY=***&refresh_token=***&apiKey=***&x-api-key=***&sort=new',
    )
  })

  it('removes user:password and redacts the fragment too', () => {
    expect(redactUrl(new URL('https://bob:hunter2@x.test/cb#access_token=abc&state=s'))).toBe(
      'https://***@x.test/cb#access_token=***&state=s',
    )
  })

  it('leaves an ordinary URL unchanged', () => {
    const url = 'https://hn.algolia.com/api/v1/search_by_date?query=acme&tags=(story,comment)'
    expect(redactUrl(url)).toBe(url)
  })

  it('still redacts a string that is not a valid URL', () => {
    expect(redactUrl('not a url?token=abc&x=1')).toBe('not a url?token=***&x=1')
  })
})
