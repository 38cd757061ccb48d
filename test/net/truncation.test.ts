// A body cut short in transit is a failed fetch, never a smaller good one: a cut feed that
// still parses would be stored with the full feed's ETag, and later 304s would never repair it.
import { createServer, type AddressInfo, type Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { createHttp } from '../../src/net/client.js'
import { NetworkError } from '../../src/net/types.js'

const cleanups: (() => Promise<void>)[] = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

const FULL = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><guid>a</guid></item></channel></rss>'

/**
 * A raw HTTP/1.1 server (node:http would refuse to send fewer bytes than it declared): each
 * answer in turn, the last one repeated. `cut` sends that many body bytes, then closes.
 */
async function rawServer(answers: { cut?: number }[]): Promise<{ url: string; hits: () => number }> {
  let hits = 0
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.once('data', () => {
      const answer = answers[Math.min(hits, answers.length - 1)] ?? {}
      hits++
      const body = Buffer.from(FULL)
      const sent = answer.cut === undefined ? body : body.subarray(0, answer.cut)
      socket.write(
        `HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
      )
      socket.end(sent)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(async () => {
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits }
}

function client(retries: number) {
  const sleeps: number[] = []
  const http = createHttp({
    userAgent: 'mentions-test',
    retries,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms)
    },
  })
  cleanups.push(() => http.close())
  return { http, sleeps }
}

describe('createHttp: a body shorter than its Content-Length', () => {
  it('fails with NetworkError instead of resolving with the part that arrived', async () => {
    const server = await rawServer([{ cut: 60 }])
    const { http } = client(0)
    const err = await http.get(`${server.url}/feed.xml?key=s3cr3t-value`).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NetworkError)
    expect((err as NetworkError).message).toMatch(/content-length|ended after/i)
    expect((err as NetworkError).message).toContain('127.0.0.1')
    expect((err as NetworkError).message).not.toContain('s3cr3t-value')
  })

  it('is retried, since the next transfer may finish', async () => {
    const server = await rawServer([{ cut: 60 }, {}])
    const { http, sleeps } = client(2)
    const res = await http.get(`${server.url}/feed.xml`)
    expect(res.body).toBe(FULL)
    expect(server.hits()).toBe(2)
    expect(sleeps).toHaveLength(1)
  })

  it('still reads a complete body from the same server', async () => {
    const server = await rawServer([{}])
    const { http } = client(0)
    expect((await http.get(`${server.url}/feed.xml`)).body).toBe(FULL)
  })
})
