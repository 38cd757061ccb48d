import { afterEach, describe, expect, it } from 'vitest'
import { classifyHostname, classifyIp } from '../../src/net/address.js'
import { createHttp, guardedLookup, redirectRefusal } from '../../src/net/client.js'
import { RedirectRefusedError } from '../../src/net/types.js'
import { useReplayServers } from '../support/replay.js'

const serve = useReplayServers()
const clients: { close(): Promise<void> }[] = []
afterEach(async () => {
  while (clients.length > 0) await clients.pop()?.close()
})
function client() {
  const http = createHttp({ userAgent: 'mentions-test', timeoutMs: 2000, retries: 0, sleep: async () => {} })
  clients.push(http)
  return http
}

describe('redirects', () => {
  it('follows a redirect within the same host and reports the final URL', async () => {
    const s = await serve([
      { path: '/old', status: 301, headers: { location: '/new' } },
      { path: '/new', body: 'moved here' },
    ])
    const res = await client().get(`${s.url}/old`)
    expect(res.body).toBe('moved here')
    expect(res.url).toBe(`${s.url}/new`)
  })

  it('refuses a redirect to another host:port, names both hosts, and never asks the target', async () => {
    const target = await serve([{ path: '/secret', body: 'INTERNAL-ADMIN-PAGE' }])
    const feed = await serve([{ path: '/feed', status: 302, headers: { location: `${target.url}/secret` } }])
    const err = await client().get(`${feed.url}/feed`, { headers: { authorization: 'Bearer abc' } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RedirectRefusedError)
    const refused = err as RedirectRefusedError
    expect(refused.fromHost).toBe(new URL(feed.url).host)
    expect(refused.toHost).toBe(new URL(target.url).host)
    expect(refused.message).toContain(`redirect from ${new URL(feed.url).host} to ${new URL(target.url).host} refused`)
    expect(refused.message).not.toContain('INTERNAL')
    expect(target.requests).toHaveLength(0)
  })

  it('follows a redirect to a host on the allow-list, without the credentials of the first host', async () => {
    const target = await serve([{ path: '/feed.xml', body: 'the feed' }])
    const feed = await serve([{ path: '/feed', status: 307, headers: { location: `${target.url}/feed.xml` } }])
    const res = await client().get(`${feed.url}/feed`, {
      headers: { authorization: 'Bearer abc' },
      redirects: { allowHosts: [new URL(target.url).host] },
    })
    expect(res.body).toBe('the feed')
    expect(target.requests[0]?.headers.authorization).toBeUndefined()
  })

  it('caps the hops of a redirect loop', async () => {
    const s = await serve([
      { path: '/a', status: 302, headers: { location: '/b' } },
      { path: '/b', status: 302, headers: { location: '/a' } },
    ])
    const err = await client().get(`${s.url}/a`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RedirectRefusedError)
    expect((err as Error).message).toContain('more than 5 redirects')
    expect(s.requests.length).toBe(6)
  })
})

describe('redirectRefusal', () => {
  const u = (s: string) => new URL(s)
  it('refuses private, link-local and metadata targets even when listed', () => {
    const from = u('https://feeds.example.com/x')
    for (const to of ['https://10.0.0.5/', 'https://192.168.1.1/', 'https://169.254.169.254/latest', 'https://[fd00:ec2::254]/', 'https://metadata.google.internal/', 'https://[fe80::1]/', 'https://127.0.0.1/']) {
      const t = u(to)
      expect(redirectRefusal(from, from, t, { allowHosts: [t.host, t.hostname] }, 1), to).toMatch(/address/)
    }
  })
  it('allows loopback targets only when the source itself is on loopback', () => {
    const local = u('http://127.0.0.1:8080/feed')
    expect(redirectRefusal(local, local, u('http://localhost:9090/'), { allowHosts: ['localhost:9090'] }, 1)).toBeUndefined()
  })
  it('allows an upgrade to https on the same host, refuses a downgrade to another', () => {
    const from = u('http://example.com/feed')
    expect(redirectRefusal(from, from, u('https://example.com/feed'), undefined, 1)).toBeUndefined()
    const secure = u('https://example.com/feed')
    expect(redirectRefusal(secure, secure, u('http://cdn.example.net/feed'), { allowHosts: ['cdn.example.net'] }, 1)).toMatch(/downgrade/)
  })
})

describe('address classifier', () => {
  it.each([
    ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['172.32.0.1', 'public'],
    ['192.168.0.1', 'private'], ['100.64.0.1', 'private'], ['169.254.169.254', 'metadata'], ['169.254.1.1', 'link-local'],
    ['127.0.0.1', 'loopback'], ['127.9.9.9', 'loopback'], ['0.0.0.0', 'unspecified'], ['8.8.8.8', 'public'],
    ['::1', 'loopback'], ['[::1]', 'loopback'], ['fd00:ec2::254', 'metadata'], ['fc00::1', 'private'], ['fdff::1', 'private'],
    ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['::ffff:10.0.0.1', 'private'], ['::ffff:169.254.169.254', 'metadata'],
    ['::', 'unspecified'], ['2001:4860:4860::8888', 'public'],
  ])('%s is %s', (ip, cls) => {
    expect(classifyIp(ip)).toBe(cls)
  })
  it('names: metadata and localhost by name, others public until resolved', () => {
    expect(classifyHostname('metadata.google.internal')).toBe('metadata')
    expect(classifyHostname('LOCALHOST.')).toBe('loopback')
    expect(classifyHostname('feeds.example.net')).toBe('public')
    expect(classifyIp('example.com')).toBeUndefined()
  })
  it('judges the resolved address: a name resolving to loopback is refused from a public source', async () => {
    const refused = await new Promise<unknown>((resolve) => guardedLookup(false)('localhost', {}, (err) => resolve(err)))
    expect(refused).toBeInstanceOf(RedirectRefusedError)
    const allowed = await new Promise<unknown>((resolve) => guardedLookup(true)('localhost', {}, (err) => resolve(err)))
    expect(allowed).toBeNull()
  })
})
