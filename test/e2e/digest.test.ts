// End to end on the built binary: `mentions digest` formats, exit codes, --quiet-if-empty on a
// quiet day and with a failing source, and --since last with --dry-run. The binary's own
// clock decides the window, so the seed is relative to now.
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore, type SourceRunReport } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir } from '../support/deps.js'
import { useReplayServers } from '../support/replay.js'
import { ROOT as root, runMentions, type CliResult } from '../support/cli.js'

const HOUR = 3600_000
const HOOK = '/services/T9/B9/tOpSeCrEt'
const serve = useReplayServers()

let dir: string

function mentions(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runMentions(args, { home: dir, env })
}

const ok: SourceRunReport = { source: 'rss', instance: 'https://example.com/feed', name: 'Blog', brand: '', fetched: 0, new: 0, updated: 0, dropped: 0 }

/** A database whose only mention is three days old, with a clean pull an hour ago. */
async function quietDb(file: string, report: SourceRunReport[] = [ok]): Promise<void> {
  const store = openStore(file)
  const t = Date.now()
  await store.mentions.upsertPage([record({ externalId: 'old', fetchedAt: t - 72 * HOUR, createdAt: t - 73 * HOUR, text: 'acme is broken' })])
  const id = await store.runs.start(t - HOUR)
  await store.runs.finish(id, report.some((r) => r.error) ? 'partial' : 'ok', report, t - HOUR + 1000)
  await store.close()
}

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
  }
  dir = tempDir('mentions-e2e-digest-')
})
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

describe('mentions digest', () => {
  it('--quiet-if-empty prints nothing and exits 0 on a quiet day; without it the digest prints', async () => {
    const db = path.join(dir, 'quiet.db')
    await quietDb(db)
    expect(await mentions(['digest', '--db', db, '--quiet-if-empty'])).toEqual({ code: 0, stdout: '', stderr: '' })
    const full = await mentions(['digest', '--db', db])
    expect(full.code).toBe(0)
    expect(full.stdout).toContain('0 new mentions')
    // Off a terminal: no colour.
    expect(full.stdout).not.toMatch(/\u001b/)
  })

  it('--quiet-if-empty still prints, and exits 3, when a source failed', async () => {
    const db = path.join(dir, 'broken.db')
    await quietDb(db, [{ ...ok, error: 'HTTP 500 from example.com' }])
    const r = await mentions(['digest', '--db', db, '--quiet-if-empty'])
    expect(r.code).toBe(3)
    expect(r.stdout).toContain('rss Blog: the last pull failed')
    expect(r.stdout).toContain('HTTP 500 from example.com')
  })

  it('--since last: --dry-run does not advance it; a recorded digest does, and the next starts at its end', async () => {
    const db = path.join(dir, 'last.db')
    await quietDb(db)
    const window = async (args: string[]) => {
      const r = await mentions(['digest', '--db', db, '--since', 'last', '--json', ...args])
      expect(r.code).toBe(0)
      return (JSON.parse(r.stdout) as { window: { start: string; end: string; from: string } }).window
    }
    expect((await window(['--dry-run'])).from).toBe('first')
    expect((await window(['--dry-run'])).from).toBe('first')
    const first = await window([])
    expect(first.from).toBe('first')
    const next = await window([])
    expect(next).toMatchObject({ from: 'last', start: first.end })
    // Per name: another name starts afresh.
    expect((await window(['--name', 'weekly'])).from).toBe('first')
    const side = new Database(db, { readonly: true })
    try {
      expect(side.prepare('SELECT name, count(*) AS n FROM digests GROUP BY name ORDER BY name').all()).toEqual([
        { name: 'default', n: 2 },
        { name: 'weekly', n: 1 },
      ])
    } finally {
      side.close()
    }
  })

  it('writes a MIME message for sendmail -t, and needs --to for it', async () => {
    const db = path.join(dir, 'mail.db')
    await quietDb(db)
    const r = await mentions(['digest', '--db', db, '--format', 'email', '--to', 'team@example.com', '--from', 'mentions@example.com', '--dry-run'])
    expect(r.code).toBe(0)
    const mail = await simpleParser(r.stdout)
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe('team@example.com')
    expect(mail.html).toContain('<!DOCTYPE html>')
    expect(mail.text).toContain('Mentions digest')
    const missing = await mentions(['digest', '--db', db, '--format', 'email'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--to')
    expect((await mentions(['digest', '--db', db, '--to', 'a@example.com'])).code).toBe(2)
  })

  it('renders html, markdown and slack', async () => {
    const db = path.join(dir, 'formats.db')
    await quietDb(db)
    const html = await mentions(['digest', '--db', db, '--format', 'html', '--dry-run'])
    expect(html.stdout.startsWith('<!DOCTYPE html>')).toBe(true)
    const md = await mentions(['digest', '--db', db, '--format', 'markdown', '--dry-run'])
    expect(md.stdout.startsWith('# Mentions digest')).toBe(true)
    const slack = JSON.parse((await mentions(['digest', '--db', db, '--format', 'slack', '--dry-run'])).stdout) as { text: string; blocks: unknown[] }
    expect(slack.blocks.length).toBeGreaterThan(3)
    expect((await mentions(['digest', '--db', db, '--format', 'csv'])).code).toBe(2)
  })

  it('--post sends the Slack message (a 500 is retried), prints nothing, and records the digest only once posted', async () => {
    const db = path.join(dir, 'post.db')
    await quietDb(db, [{ ...ok, error: 'HTTP 500 from example.com' }])
    const down = await serve([{ path: HOOK, method: 'POST', status: 503, body: 'down' }])
    const failed = await mentions(['digest', '--db', db, '--since', 'last', '--post'], { MENTIONS_WEBHOOK_URL: `${down.url}${HOOK}` })
    expect(failed.code).toBe(1)
    expect(failed.stdout).toBe('')
    expect(failed.stderr).toMatch(new RegExp(`^error: webhook ${new URL(down.url).host} answered 503.* after 4 tries\n$`))
    expect(failed.stderr).not.toContain('tOpSeCrEt')

    const server = await serve([{ path: HOOK, method: 'POST', status: 500, body: 'oops', times: 1 }, { path: HOOK, method: 'POST', body: 'ok' }])
    const posted = await mentions(['digest', '--db', db, '--since', 'last', '--post'], { MENTIONS_WEBHOOK_URL: `${server.url}${HOOK}` })
    // Posted; the failing source still makes it exit 3.
    expect(posted).toEqual({ code: 3, stdout: '', stderr: '' })
    expect(server.requests).toHaveLength(2)
    const message = JSON.parse(server.requests[1]!.body) as { text: string; blocks: unknown[] }
    expect(message.blocks.length).toBeGreaterThan(3)
    expect(JSON.stringify(message.blocks)).toContain('the last pull failed')
    // The failed post left no record, so the posted digest was the first of its name.
    const side = new Database(db, { readonly: true })
    try {
      expect(side.prepare('SELECT count(*) AS n FROM digests').get()).toEqual({ n: 1 })
    } finally {
      side.close()
    }
    const missing = await mentions(['digest', '--db', db, '--post'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('MENTIONS_WEBHOOK_URL is not set')
    expect((await mentions(['digest', '--db', db, '--post', '--format', 'text'])).code).toBe(2)
  })
})
