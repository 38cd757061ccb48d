// File modes on the built binary, run under the common umask 022 (which would leave new
// files readable by every user): the database, its WAL and the folders mentions creates are
// private; secret files others may read are warned about.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expandFileSecrets, readableByOthersWarning } from '../../src/config/env.js'
import { hnComment, hnPage, tempDir } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const bin = fileURLToPath(new URL('../../bin/mentions.js', import.meta.url))

interface Result {
  code: number
  stdout: string
  stderr: string
}

let dir: string
let server: ReplayServer
let cfg: string

/** The binary under `umask 022`, set by the shell as cron or a login shell would. */
function mentions(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', `umask 022 && exec ${quoted}`],
      { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_DATA_HOME: path.join(dir, 'xdg-data'), XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), ...env }, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

const mode = (p: string) => fs.statSync(p).mode & 0o777

beforeAll(async () => {
  dir = tempDir('mentions-modes-')
  server = await startReplayServer([jsonRoute('/api/v1/search_by_date', hnPage([hnComment('acme is down again', { createdAt: Date.now() - 60_000 })]))])
  cfg = path.join(dir, 'mentions.config.json')
  fs.writeFileSync(cfg, JSON.stringify({ brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews', baseUrl: server.url }] }), { mode: 0o600 })
})
afterAll(async () => {
  await server.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('the database under umask 022', () => {
  it('creates the database 0600 and every folder it makes 0700', async () => {
    const db = path.join(dir, 'made', 'by', 'us', 'm.db')
    const r = await mentions(['pull', '--db', db])
    expect(r.stderr).not.toContain('error')
    expect(r.code).toBe(0)
    expect(mode(db)).toBe(0o600)
    for (const folder of ['made', 'made/by', 'made/by/us']) expect(mode(path.join(dir, folder))).toBe(0o700)
    for (const side of ['-wal', '-shm']) if (fs.existsSync(db + side)) expect(mode(db + side)).toBe(0o600)
    expect(fs.readdirSync(path.dirname(db)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })

  it('gives the WAL and shared-memory files the database file\'s private mode', async () => {
    const db = path.join(dir, 'wal', 'm.db')
    expect((await mentions(['pull', '--db', db])).code).toBe(0)
    // Held open and written to, the side files exist; SQLite creates them with the db file's
    // mode, here from a process whose own umask is 022.
    const conn = new Database(db)
    try {
      conn.prepare(`UPDATE cursors SET last_ok_at = last_ok_at`).run()
      expect(fs.existsSync(`${db}-wal`)).toBe(true)
      expect(mode(`${db}-wal`)).toBe(0o600)
      expect(mode(`${db}-shm`)).toBe(0o600)
    } finally {
      conn.close()
    }
  })

  it('leaves the mode of an existing folder alone', async () => {
    const folder = path.join(dir, 'shared-folder')
    fs.mkdirSync(folder)
    fs.chmodSync(folder, 0o755)
    const db = path.join(folder, 'm.db')
    expect((await mentions(['pull', '--db', db])).code).toBe(0)
    expect(mode(folder)).toBe(0o755)
    expect(mode(db)).toBe(0o600)
  })
})

describe('secret files other users can read', () => {
  it('warns once on stderr, naming the file and the chmod that fixes it', async () => {
    const secret = path.join(dir, 'gh-token')
    fs.writeFileSync(secret, 'ghp_canary_value\n')
    fs.chmodSync(secret, 0o644)
    const db = path.join(dir, 'secrets.db')
    const r = await mentions(['pull', '--db', db], { GITHUB_TOKEN_FILE: secret })
    const lines = r.stderr.split('\n').filter((l) => l.includes(secret))
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('GITHUB_TOKEN_FILE')
    expect(lines[0]).toContain(`chmod 600 ${secret}`)
    expect(r.stderr).not.toContain('ghp_canary_value')

    fs.chmodSync(secret, 0o600)
    const quiet = await mentions(['pull', '--db', db], { GITHUB_TOKEN_FILE: secret })
    expect(quiet.stderr).not.toContain(secret)
  })

  it('says who can read it, and nothing for an owner-only file', () => {
    expect(readableByOthersWarning('/s', 0o644)).toContain('every user')
    expect(readableByOthersWarning('/s', 0o640)).toContain('its group')
    expect(readableByOthersWarning('/s', 0o600)).toBeUndefined()
    expect(readableByOthersWarning('/s', 0o700)).toBeUndefined()
    expect(readableByOthersWarning('/s', undefined)).toBeUndefined()
  })

  it('reports a file named by two variables once', () => {
    const { problems } = expandFileSecrets({ A_FILE: '/run/s', B_FILE: '/run/s' }, ['A', 'B'], () => 'v', () => 0o604)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toContain('chmod 600 /run/s')
  })
})
