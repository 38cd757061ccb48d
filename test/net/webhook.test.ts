// postWebhook against a real loopback server: what is retried, how long it waits, and that a
// failure names the host and status but never the URL's secret path or query.
import net from 'node:net'
import { describe, expect, it } from 'vitest'
import { createHttp } from '../../src/net/client.js'
import { postWebhook, WebhookError } from '../../src/net/webhook.js'
import { useReplayServers } from '../support/replay.js'

const serve = useReplayServers()
const SECRET = '/services/T000/B000/XXXXsecretXXXX'

function client() {
  const sleeps: number[] = []
  let clock = Date.parse('2026-12-02T08:00:00Z')
  const now = () => clock
  const sleep = async (ms: number) => void (sleeps.push(ms), (clock += ms))
  // retries: 0 so the webhook's own policy is the only one, as the CLI builds it.
  const http = createHttp({ userAgent: 'mentions-test', timeoutMs: 2000, retries: 0, now })
  return { http, sleeps, opts: { now, sleep, random: () => 0.5 } }
}

describe('postWebhook', () => {
  it('retries a 500 and delivers once', async () => {
    const server = await serve([
      { path: SECRET, method: 'POST', status: 500, body: 'oops', times: 1 },
      { path: SECRET, method: 'POST', status: 200, body: 'ok' },
    ])
    const { http, sleeps, opts } = client()
    const result = await postWebhook(http, `${server.url}${SECRET}`, { text: 'hello' }, opts)
    expect(result).toEqual({ status: 200, tries: 2 })
    expect(server.requests).toHaveLength(2)
    expect(JSON.parse(server.requests[1]!.body)).toEqual({ text: 'hello' })
    expect(server.requests[1]!.headers['content-type']).toBe('application/json')
    expect(sleeps).toHaveLength(1)
    await http.close()
  })

  it('waits what Retry-After asks on a 429', async () => {
    const server = await serve([
      { path: '/hook', method: 'POST', status: 429, headers: { 'retry-after': '7' }, body: '', times: 1 },
      { path: '/hook', method: 'POST', status: 200, body: 'ok' },
    ])
    const { http, sleeps, opts } = client()
    await postWebhook(http, `${server.url}/hook`, { text: 'x' }, opts)
    expect(sleeps).toEqual([7000])
    await http.close()
  })

  it('gives up at once when Retry-After is longer than the total time allowed', async () => {
    const server = await serve([{ path: '/hook', method: 'POST', status: 429, headers: { 'retry-after': '30' }, body: '' }])
    const { http, sleeps, opts } = client()
    const err = await postWebhook(http, `${server.url}/hook`, {}, { ...opts, maxTotalMs: 10_000 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WebhookError)
    expect((err as WebhookError).status).toBe(429)
    expect(sleeps).toEqual([])
    expect(server.requests).toHaveLength(1)
    await http.close()
  })

  it('does not retry a 400', async () => {
    const server = await serve([{ path: '/hook', method: 'POST', status: 400, headers: { 'content-type': 'text/plain' }, body: 'invalid_blocks' }])
    const { http, sleeps, opts } = client()
    const err = await postWebhook(http, `${server.url}/hook`, {}, opts).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WebhookError)
    expect((err as Error).message).toBe(`webhook ${new URL(server.url).host} answered 400 (invalid_blocks) after 1 try`)
    expect(server.requests).toHaveLength(1)
    expect(sleeps).toEqual([])
    await http.close()
  })

  it('names the host and status after the last try, never the path or query', async () => {
    // Express-style servers echo the path in their error body; it must not come through.
    const server = await serve([{ path: SECRET, method: 'POST', status: 503, headers: { 'content-type': 'text/plain' }, body: `Cannot POST ${SECRET}` }])
    const { http, sleeps, opts } = client()
    const url = `${server.url}${SECRET}?token=qqqSECRETqqq`
    const err = await postWebhook(http, url, {}, { ...opts, retries: 3 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WebhookError)
    const message = (err as Error).message
    expect(message).toBe(`webhook ${new URL(server.url).host} answered 503 after 4 tries`)
    expect(message).not.toMatch(/services|secret|token/i)
    expect(`${(err as Error).stack}`).not.toMatch(/XXXXsecret|qqqSECRET/)
    expect(server.requests).toHaveLength(4)
    // Exponential backoff: each wait at least as long as the one before.
    expect(sleeps).toHaveLength(3)
    expect(sleeps[1]!).toBeGreaterThan(sleeps[0]!)
    expect(sleeps[2]!).toBeGreaterThan(sleeps[1]!)
    await http.close()
  })

  it('retries a refused connection and names it by code, not by path', async () => {
    // A port that was just free: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port
        s.close(() => resolve(p))
      })
    })
    const { http, sleeps, opts } = client()
    const err = await postWebhook(http, `http://127.0.0.1:${port}${SECRET}`, {}, { ...opts, retries: 2 }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WebhookError)
    expect((err as Error).message).toBe(`webhook 127.0.0.1:${port} could not be reached (ECONNREFUSED) after 3 tries`)
    expect(sleeps).toHaveLength(2)
    await http.close()
  })

  it('refuses a URL that is not http(s) without quoting it', async () => {
    const { http, opts } = client()
    const err = await postWebhook(http, 'hooks.slack.com/services/T/B/secretpart', {}, opts).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(WebhookError)
    expect((err as Error).message).not.toContain('secretpart')
    await http.close()
  })
})
