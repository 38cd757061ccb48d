// End to end on the built binary: `mentions alert` against a loopback webhook. Cron-shaped:
// silent when nothing is to be sent and when sending worked; exit 2 without a webhook; one
// stderr line naming host and status on a failure (never the secret path); exit 3 when some
// went and some did not; a dry run sends and records nothing.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openStore, type MentionRecord } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir } from '../support/deps.js'
import { useReplayServers, type ReplayServer } from '../support/replay.js'
import { ROOT as root, runMentions, type CliResult } from '../support/cli.js'

const serve = useReplayServers()
const HOOK = '/services/T9/B9/tOpSeCrEt'

let dir: string
let db: string

function mentions(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runMentions(['--db', db, ...args], { home: dir, env })
}

const hot = (id: string): MentionRecord =>
  record({ externalId: id, text: `acme ate my invoice (${id})`, createdAt: Date.now() - 2 * 3600_000, fetchedAt: Date.now() - 3600_000 })

async function seed(rows: MentionRecord[]): Promise<void> {
  const store = openStore(db)
  await store.mentions.upsertPage(rows)
  await store.close()
}

const hook = (server: ReplayServer) => ({ MENTIONS_WEBHOOK_URL: `${server.url}${HOOK}` })

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
})
beforeEach(() => {
  dir = tempDir('mentions-e2e-alert-')
  db = path.join(dir, 'm.db')
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('mentions alert', () => {
  it('without a webhook exits 2 naming the variable and the fix', async () => {
    await seed([hot('a')])
    const r = await mentions(['alert'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/MENTIONS_WEBHOOK_URL is not set.*MENTIONS_WEBHOOK_URL_FILE/)
    expect(r.stdout).toBe('')
  })

  it('is silent with nothing to send, sends once, and is silent again', async () => {
    await seed([])
    const server = await serve([{ path: HOOK, method: 'POST', body: 'ok' }])
    expect(await mentions(['alert'], hook(server))).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(server.requests).toHaveLength(0)

    await seed([hot('a'), hot('b')])
    expect(await mentions(['alert'], hook(server))).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(server.requests).toHaveLength(1)
    const message = JSON.parse(server.requests[0]!.body) as { text: string; blocks: unknown[] }
    expect(message.text).toContain('2 high-priority mentions')
    expect(JSON.stringify(message.blocks)).toContain('acme ate my invoice (a)')

    expect(await mentions(['alert'], hook(server))).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(server.requests).toHaveLength(1)
  })

  it('reads the URL from MENTIONS_WEBHOOK_URL_FILE', async () => {
    await seed([hot('a')])
    const server = await serve([{ path: HOOK, method: 'POST', body: 'ok' }])
    const file = path.join(dir, 'webhook')
    fs.writeFileSync(file, `${server.url}${HOOK}\n`, { mode: 0o600 })
    const r = await mentions(['alert'], { MENTIONS_WEBHOOK_URL_FILE: file })
    expect(r.code).toBe(0)
    expect(server.requests).toHaveLength(1)
  })

  it('a refused POST exits 1 with one line naming host and status, never the path; the next run sends it', async () => {
    await seed([hot('a')])
    const server = await serve([{ path: HOOK, method: 'POST', status: 404, body: 'no_service', times: 1 }, { path: HOOK, method: 'POST', body: 'ok' }])
    const r = await mentions(['alert'], hook(server))
    expect(r.code).toBe(1)
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe(`error: webhook ${new URL(server.url).host} answered 404 (no_service) after 1 try\n`)
    expect(r.stderr).not.toContain('tOpSeCrEt')
    expect((await mentions(['alert'], hook(server))).code).toBe(0)
    expect(server.requests).toHaveLength(2)
  })

  it('--per-item: one POST per item; exit 3 when some went and some failed', async () => {
    await seed([hot('a'), hot('b')])
    const server = await serve([{ path: HOOK, method: 'POST', body: 'ok', times: 1 }, { path: HOOK, method: 'POST', status: 422, body: 'bad', times: 1 }, { path: HOOK, method: 'POST', body: 'ok' }])
    const r = await mentions(['alert', '--per-item'], hook(server))
    expect(r.code).toBe(3)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('answered 422')
    const again = await mentions(['alert', '--per-item', '--json'], hook(server))
    expect(again.code).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ perItem: true, sent: [expect.stringMatching(/^mention:\d+$/)], alreadySent: 1, failures: [] })
    expect(server.requests.map((q) => (JSON.parse(q.body) as { type: string }).type)).toEqual(['mention', 'mention', 'mention'])
  })

  it('--dry-run prints what would be sent, and sends and records nothing', async () => {
    await seed([hot('a')])
    const server = await serve([{ path: HOOK, method: 'POST', body: 'ok' }])
    const dry = await mentions(['alert', '--dry-run'], hook(server))
    expect(dry.code).toBe(0)
    expect(dry.stdout).toMatch(/^mention  #\d+ Acme · hackernews .*acme ate my invoice \(a\)\n$/)
    const json = await mentions(['alert', '--dry-run', '--json'], hook(server))
    expect(JSON.parse(json.stdout).payloads[0].blocks.length).toBeGreaterThan(2)
    expect(server.requests).toHaveLength(0)
    await mentions(['alert'], hook(server))
    expect(server.requests).toHaveLength(1)
  })
})
