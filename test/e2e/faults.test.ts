// End to end on the built binary: a hanging host is cut off by --deadline (exit 3, what the
// others found stored), a long Retry-After is remembered and the next pull skips that host
// saying until when, and `mentions sources --json` shows the back-off.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = path.join(root, 'bin', 'mentions.js')

let dir: string
const servers: ReplayServer[] = []

function mentions(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [bin, ...args],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_DATA_HOME: path.join(dir, 'xdg') }, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0, stdout, stderr }),
    )
    child.stdin?.end()
  })
}

function writeConfig(sources: object[]): void {
  fs.writeFileSync(path.join(dir, 'mentions.config.json'), JSON.stringify({ database: './m.db', brands: [{ name: 'Acme', terms: ['acme'] }], sources }))
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build`')
  dir = tempDir('mentions-e2e-faults-')
})
afterAll(async () => {
  for (const s of servers) await s.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('network faults through the binary', () => {
  it('--deadline stops a hanging source: exit 3, the other source stored', async () => {
    const hang = await startReplayServer([jsonRoute('/api/v1/search_by_date', hnPage([hnComment('acme late')]), { delayMs: 30_000 })])
    const ok = await startReplayServer([jsonRoute('/api/v1/search_by_date', hnPage([hnComment('acme on time', { createdAt: Date.now() - 3600_000 })]))])
    servers.push(hang, ok)
    writeConfig([{ kind: 'hackernews', baseUrl: hang.url }, { kind: 'hackernews', baseUrl: ok.url }])
    const r = await mentions(['pull', '--deadline', '8s'])
    expect(r.code).toBe(3)
    expect(r.stderr).toContain('pull deadline of 8s reached')
    expect(r.stderr).toMatch(/✓ hackernews \[Acme\]: 1 new/)
    expect((await mentions(['pull', '--deadline', 'soon'])).code).toBe(2)
  }, 30_000)

  it('remembers a long Retry-After and skips the host on the next pull, shown by sources', async () => {
    const limited = await startReplayServer([{ path: '/api/v1/search_by_date', status: 429, headers: { 'retry-after': '7200' }, body: 'slow down' }])
    servers.push(limited)
    writeConfig([{ kind: 'hackernews', baseUrl: limited.url }])
    const first = await mentions(['pull'])
    expect(first.code).toBe(1)
    const asked = limited.requests.length
    const second = await mentions(['pull'])
    expect(second.code).not.toBe(0)
    expect(second.stderr).toMatch(new RegExp(`skipped: 127\\.0\\.0\\.1:${new URL(limited.url).port} asked to wait until \\d\\d:\\d\\d UTC \\(Retry-After\\)`))
    expect(limited.requests.length).toBe(asked)
    const listed = JSON.parse((await mentions(['sources', '--json'])).stdout) as { backoffUntil: string | null; status: string | null }[]
    expect(Date.parse(listed[0]?.backoffUntil ?? '')).toBeGreaterThan(Date.now() + 7000_000)
    expect(listed[0]?.status).toContain('Retry-After')
  }, 30_000)
})
