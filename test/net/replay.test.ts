import { gunzipSync } from 'node:zlib'
import { Agent, request } from 'undici'
import { afterEach, describe, expect, it } from 'vitest'
import { startReplayServer, type ReplayRoute, type ReplayServer } from '../../src/net/replay.js'
import { fileRoute, jsonRoute, useReplayServers } from '../support/replay.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})
const serve = useReplayServers()

/** Raw undici `request`: no decompression, no default headers, so we see exactly what was sent. */
async function raw(url: string, headers: Record<string, string> = {}) {
  const res = await request(url, { headers })
  const body = Buffer.from(await res.body.arrayBuffer())
  return { status: res.statusCode, headers: res.headers, body }
}

describe('startReplayServer', () => {
  it('binds 127.0.0.1 on a free port', async () => {
    const server = await serve([])
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.url).not.toMatch(/:0$/)
  })

  it('serves the first route whose path and query subset match', async () => {
    const server = await serve([
      { path: '/search', query: { q: 'acme', page: /^[2-9]$/ }, body: 'later page' },
      { path: '/search', query: { q: 'acme' }, body: 'first page' },
      { path: '/search', body: 'any query' },
    ])
    expect((await raw(`${server.url}/search?q=acme&page=3&extra=1`)).body.toString()).toBe('later page')
    expect((await raw(`${server.url}/search?q=acme&page=1`)).body.toString()).toBe('first page')
    expect((await raw(`${server.url}/search?q=other`)).body.toString()).toBe('any query')
  })

  it('falls through once a route has been served `times` times', async () => {
    const server = await serve([
      { path: '/x', status: 500, body: 'broken', times: 2 },
      { path: '/x', body: 'fixed' },
    ])
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await raw(`${server.url}/x`)).status)
    expect(statuses).toEqual([500, 500, 200])
  })

  it('answers 404 with JSON naming the path when nothing matches', async () => {
    const server = await serve([{ path: '/known', times: 1 }])
    await raw(`${server.url}/known`)
    const res = await raw(`${server.url}/known?a=1`)
    expect(res.status).toBe(404)
    expect(JSON.parse(res.body.toString())).toMatchObject({ path: '/known', query: { a: '1' } })
  })

  it('sends the route status, headers and body, with a computed Content-Length', async () => {
    const server = await serve([
      jsonRoute('/j', { a: 1 }, { status: 201, headers: { 'X-RateLimit-Remaining': '7' } }),
    ])
    const res = await raw(`${server.url}/j`)
    expect(res.status).toBe(201)
    expect(res.headers['x-ratelimit-remaining']).toBe('7')
    expect(res.headers['content-type']).toContain('application/json')
    expect(res.headers['content-length']).toBe(String(res.body.length))
    expect(JSON.parse(res.body.toString())).toEqual({ a: 1 })
  })

  it('serves a file route byte for byte', async () => {
    const server = await serve([fileRoute('/pkg', new URL('../../package.json', import.meta.url))])
    const res = await raw(`${server.url}/pkg`)
    expect(JSON.parse(res.body.toString()).name).toBe('mentions')
  })

  it('records every request in order with method, path, query and headers', async () => {
    const server = await serve([{ path: '/a' }])
    await raw(`${server.url}/a?x=1&y=two`, { 'X-Custom': 'v' })
    await raw(`${server.url}/b`)
    expect(server.requests.map((r) => r.path)).toEqual(['/a', '/b'])
    expect(server.requests[0]).toMatchObject({ method: 'GET', query: { x: '1', y: 'two' } })
    expect(server.requests[0]?.headers['x-custom']).toBe('v')
  })

  it('answers 304 when If-None-Match matches the ETag (weak or strong, in a list)', async () => {
    const server = await serve([{ path: '/e', headers: { ETag: 'W/"v2"' }, body: 'content' }])
    const hit = await raw(`${server.url}/e`, { 'If-None-Match': '"v1", "v2"' })
    expect(hit.status).toBe(304)
    expect(hit.body.length).toBe(0)
    expect(hit.headers['etag']).toBe('W/"v2"')
    const miss = await raw(`${server.url}/e`, { 'If-None-Match': '"v1"' })
    expect(miss.status).toBe(200)
    expect(miss.body.toString()).toBe('content')
  })

  it('answers 304 when If-Modified-Since is the same or later than Last-Modified', async () => {
    const lastModified = 'Sun, 01 Jun 2025 10:00:00 GMT'
    const server = await serve([{ path: '/m', headers: { 'Last-Modified': lastModified }, body: 'feed' }])
    expect((await raw(`${server.url}/m`, { 'If-Modified-Since': lastModified })).status).toBe(304)
    expect((await raw(`${server.url}/m`, { 'If-Modified-Since': 'Mon, 02 Jun 2025 00:00:00 GMT' })).status).toBe(304)
    expect((await raw(`${server.url}/m`, { 'If-Modified-Since': 'Sat, 31 May 2025 00:00:00 GMT' })).status).toBe(200)
    expect((await raw(`${server.url}/m`)).status).toBe(200)
  })

  it('gzips bodies over 1 KiB only for clients that accept gzip', async () => {
    const big = 'mention '.repeat(500)
    const server = await serve([
      { path: '/big', body: big },
      { path: '/small', body: 'tiny' },
    ])
    const zipped = await raw(`${server.url}/big`, { 'Accept-Encoding': 'br, gzip' })
    expect(zipped.headers['content-encoding']).toBe('gzip')
    expect(zipped.body.length).toBeLessThan(big.length)
    expect(gunzipSync(zipped.body).toString()).toBe(big)

    const plain = await raw(`${server.url}/big`)
    expect(plain.headers['content-encoding']).toBeUndefined()
    expect(plain.body.toString()).toBe(big)

    const refused = await raw(`${server.url}/big`, { 'Accept-Encoding': 'gzip;q=0, identity' })
    expect(refused.headers['content-encoding']).toBeUndefined()

    const small = await raw(`${server.url}/small`, { 'Accept-Encoding': 'gzip' })
    expect(small.headers['content-encoding']).toBeUndefined()
    expect(small.body.toString()).toBe('tiny')
  })

  it('waits delayMs before answering, counting the request as in flight', async () => {
    const server = await serve([{ path: '/slow', body: 'done', delayMs: 100 }])
    const pending = raw(`${server.url}/slow`)
    await expect.poll(() => server.inFlight, { interval: 5 }).toBe(1)
    expect((await pending).body.toString()).toBe('done')
    expect(server.inFlight).toBe(0)
    expect(server.peakInFlight).toBe(1)
  })

  it('close() ends kept-alive connections and pending delays promptly', async () => {
    const server = await startReplayServer([
      { path: '/ok', body: 'ok' },
      { path: '/hang', body: 'late', delayMs: 60_000 },
    ])
    const agent = new Agent({ keepAliveTimeout: 60_000 })
    try {
      const res = await request(`${server.url}/ok`, { dispatcher: agent })
      await res.body.text()
      const hanging = request(`${server.url}/hang`, { dispatcher: agent }).then(
        () => 'answered',
        () => 'dropped',
      )
      await expect.poll(() => server.inFlight, { interval: 5 }).toBe(1)
      // Without closeAllConnections this would wait for the 60 s keep-alive / delay.
      await server.close()
      expect(await hanging).toBe('dropped')
      await server.close()
    } finally {
      await agent.destroy()
    }
  }, 5_000)
})
