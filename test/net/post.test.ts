// POST for token and session endpoints, against a real loopback server.
import { describe, expect, it } from 'vitest'
import { createHttp } from '../../src/net/client.js'
import { HttpError, RateLimitError } from '../../src/net/types.js'
import { jsonRoute, useReplayServers } from '../support/replay.js'

const serve = useReplayServers()

function client() {
  const sleeps: number[] = []
  let clock = Date.parse('2026-06-01T12:00:00Z')
  const http = createHttp({ userAgent: 'mentions-test', timeoutMs: 2000, retries: 2, now: () => clock, sleep: async (ms) => void (sleeps.push(ms), (clock += ms)) })
  return { http, sleeps }
}

describe('Http.post', () => {
  it('sends a JSON body or a form, with its content type, and reads the answer', async () => {
    const server = await serve([
      jsonRoute('/session', { accessJwt: 'a', refreshJwt: 'r' }, { method: 'POST' }),
      jsonRoute('/token', { access_token: 't', expires_in: 3600 }, { method: 'POST' }),
    ])
    const { http } = client()
    const a = await http.post(`${server.url}/session`, { json: { identifier: 'me.bsky.social', password: 'app-pass-1234' } })
    expect(JSON.parse(a.body)).toEqual({ accessJwt: 'a', refreshJwt: 'r' })
    const b = await http.post(`${server.url}/token`, { form: { grant_type: 'client_credentials' }, headers: { Authorization: 'Basic eDp5' } })
    expect(b.status).toBe(200)
    const [first, second] = server.requests
    expect(first).toMatchObject({ method: 'POST', headers: { 'content-type': 'application/json' } })
    expect(JSON.parse(first!.body)).toEqual({ identifier: 'me.bsky.social', password: 'app-pass-1234' })
    expect(second).toMatchObject({ body: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic eDp5' } })
    await http.close()
  })

  it('keeps what the body carried out of error messages', async () => {
    const server = await serve([
      { path: '/session', method: 'POST', status: 401, headers: { 'content-type': 'application/json' }, body: '{"error":"AuthenticationRequired","message":"Invalid identifier or password: app-pass-1234"}' },
    ])
    const { http } = client()
    const err = await http.post(`${server.url}/session`, { json: { password: 'app-pass-1234' } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HttpError)
    expect((err as HttpError).status).toBe(401)
    expect((err as Error).message).not.toContain('app-pass-1234')
    await http.close()
  })

  it('is retried only when the server says when to come back, and never blindly', async () => {
    const server = await serve([
      { path: '/t', method: 'POST', status: 429, headers: { 'retry-after': '2' }, body: '', times: 1 },
      jsonRoute('/t', { ok: true }, { method: 'POST' }),
      { path: '/u', method: 'POST', status: 500, body: 'boom' },
    ])
    const { http, sleeps } = client()
    expect(JSON.parse((await http.post(`${server.url}/t`, { form: {} })).body)).toEqual({ ok: true })
    expect(sleeps).toEqual([2000])
    await expect(http.post(`${server.url}/u`, { form: {} })).rejects.toMatchObject({ status: 500 })
    expect(server.requests.filter((r) => r.path === '/u')).toHaveLength(1)
    await http.close()
  })

  it('reports a rate limit it may not wait out as a RateLimitError', async () => {
    const server = await serve([{ path: '/t', method: 'POST', status: 429, headers: { 'retry-after': '3600' }, body: '' }])
    const { http } = client()
    await expect(http.post(`${server.url}/t`, { form: {} })).rejects.toBeInstanceOf(RateLimitError)
    await http.close()
  })
})
