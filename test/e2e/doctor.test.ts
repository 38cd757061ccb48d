// End to end on the built binary: `mentions doctor` in a temp dir. Healthy: exit 0 after
// reaching the (loopback) host; each planted problem: exit 1 and one line naming its fix;
// --offline makes no request.
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir } from '../support/deps.js'
import { useReplayServers } from '../support/replay.js'
import { ROOT as root, runMentions, type CliResult } from '../support/cli.js'

const serve = useReplayServers()

let dir: string
let db: string
let cfg: string

function doctor(args: string[] = [], env: Record<string, string> = {}): Promise<CliResult> {
  return runMentions(['--config', cfg, '--db', db, 'doctor', ...args], { home: dir, env })
}

function writeConfig(sources: object[], extra: object = {}): void {
  const config = { brands: [{ name: 'Acme', terms: ['acme'] }], sources, ...extra }
  fs.writeFileSync(cfg, JSON.stringify(config, null, 2), { mode: 0o600 })
}

async function makeDb(): Promise<void> {
  const store = openStore(db)
  await store.mentions.upsertPage([record({ externalId: 'a' })])
  await store.close()
  for (const f of [db, `${db}-wal`]) if (fs.existsSync(f)) fs.chmodSync(f, 0o600)
}

const lines = (r: CliResult) => r.stdout.trim().split('\n').filter(Boolean)

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
})
beforeEach(async () => {
  // mkdtemp makes the folder 0700: what doctor asks of a database folder.
  dir = tempDir('mentions-e2e-doctor-')
  db = path.join(dir, 'm.db')
  cfg = path.join(dir, 'mentions.config.json')
  await makeDb()
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('mentions doctor', () => {
  it('exits 0 when all is well, having reached the source host; --offline makes no request', async () => {
    const server = await serve([{ path: '/', status: 404, body: 'nothing here' }])
    writeConfig([{ kind: 'hackernews', baseUrl: server.url }])
    const r = await doctor()
    // Off a terminal, all well is silent (cron mails only problems).
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' })
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /'])

    const offline = await doctor(['--offline', '--json'])
    expect(offline.code).toBe(0)
    expect(JSON.parse(offline.stdout)).toEqual({ ok: true, offline: true, problems: [] })
    expect(server.requests).toHaveLength(1)
  })

  it('a host that cannot be reached is a problem', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port
        s.close(() => resolve(p))
      })
    })
    writeConfig([{ kind: 'hackernews', baseUrl: `http://127.0.0.1:${port}` }])
    const r = await doctor()
    expect(r.code).toBe(1)
    expect(lines(r)).toEqual([expect.stringMatching(new RegExp(`network: 127\\.0\\.0\\.1:${port} could not be reached \\(ECONNREFUSED\\) — fix: check the network`))])
  })

  it('a world-readable database is one line naming chmod', async () => {
    writeConfig([{ kind: 'hackernews' }])
    fs.chmodSync(db, 0o644)
    const r = await doctor(['--offline'])
    expect(r.code).toBe(1)
    expect(lines(r)).toEqual([`✗ files: the database ${db} is readable by everyone (mode 0644) — fix: chmod 600 ${db}`])
  })

  it('a corrupt database file is one line naming the fix', async () => {
    writeConfig([{ kind: 'hackernews' }])
    const bytes = fs.readFileSync(db)
    // Keep the SQLite header, wreck the schema page and what follows.
    bytes.fill(0xa5, 100, Math.min(bytes.length, 3 * 4096))
    fs.writeFileSync(db, bytes)
    const r = await doctor(['--offline'])
    expect(r.code).toBe(1)
    expect(lines(r)).toHaveLength(1)
    expect(r.stdout).toMatch(/database: .*(corrupt|integrity|malformed).* — fix: move the file aside and restore a backup/)
  })

  it('an unknown config key is one line naming the key', async () => {
    writeConfig([{ kind: 'hackernews' }], { pul: { since: '7d' } })
    const r = await doctor(['--offline'])
    expect(r.code).toBe(1)
    expect(lines(r)).toEqual([expect.stringMatching(/config: .*mentions\.config\.json: \(top level\): unknown key "pul" .* — fix: edit the file/)])
  })

  it('a missing credential is named, never a value; a set one is fine', async () => {
    writeConfig([{ kind: 'youtube' }])
    const r = await doctor(['--offline'])
    expect(r.code).toBe(1)
    expect(lines(r)).toEqual([expect.stringMatching(/credentials: youtube needs YOUTUBE_API_KEY .*not set — fix: set YOUTUBE_API_KEY in the environment or \.env, or YOUTUBE_API_KEY_FILE/)])
    const ok = await doctor(['--offline'], { YOUTUBE_API_KEY: 'AIzaSyCANARYvalue' })
    expect(ok.code).toBe(0)
    expect(ok.stdout).not.toContain('CANARY')
  })

  it('a world-readable *_FILE secret is a problem', async () => {
    writeConfig([{ kind: 'youtube' }])
    const secret = path.join(dir, 'yt-key')
    fs.writeFileSync(secret, 'AIzaSyCANARYvalue\n')
    fs.chmodSync(secret, 0o644)
    const r = await doctor(['--offline', '--json'], { YOUTUBE_API_KEY_FILE: secret })
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).problems).toEqual([{ area: 'files', problem: `YOUTUBE_API_KEY_FILE: ${secret} is readable by everyone (mode 0644)`, fix: `chmod 600 ${secret}` }])
    expect(r.stdout + r.stderr).not.toContain('CANARY')
  })
})
