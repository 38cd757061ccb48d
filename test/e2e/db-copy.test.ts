// End to end on the built binary: `mentions db copy` from an SQLite file into PostgreSQL and
// back. The counts go to stdout (tsv on a pipe, JSON with --json), the summary to stderr, a
// non-empty target is a usage error (exit 2), and the password never appears anywhere.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openStore } from '../../src/store/index.js'
import { record } from '../store/contract.js'
import { tempDir } from '../support/deps.js'
import { ROOT as root, runMentions, type CliResult } from '../support/cli.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../support/pg.js'

let dir: string
const run = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runMentions(args, { home: dir, env })

function expectNoPassword(r: CliResult, url: string): void {
  const pw = decodeURIComponent(new URL(url).password)
  expect(pw.length).toBeGreaterThan(3)
  expect(r.stdout).not.toContain(pw)
  expect(r.stderr).not.toContain(pw)
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm test` (it builds first) or `npm run build`')
  dir = tempDir('mentions-e2e-db-copy-')
  const store = openStore(path.join(dir, 'from.db'))
  await store.mentions.upsertPage([record({ externalId: 'e1', text: 'acme one' }), record({ externalId: 'e2', text: 'acme two' }), record({ externalId: 'e3', text: 'acme three' })])
  await store.close()
})
afterAll(async () => {
  fs.rmSync(dir, { recursive: true, force: true })
  if (!pgSkip) await dropPgDatabases()
})

describe('mentions db copy', () => {
  it('copies one SQLite file into another, tsv on a pipe', async () => {
    const r = await run(['db', 'copy', '--from', 'from.db', '--to', 'plain.db'])
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toBe('table\tsource\ttarget\tfrom\tto')
    expect(lines).toContain('mentions\t3\t3\tfrom.db\tplain.db')
    expect(lines).toHaveLength(15)
    expect(r.stderr).toBe('copied 3 mentions (6 rows in 14 tables) from from.db to plain.db\n')
  })

  it('asks for at least one side', async () => {
    const r = await run(['db', 'copy'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('give --from, --to, or both')
  })
})

describe.skipIf(pgSkip)('mentions db copy with PostgreSQL', () => {
  it('moves a file into PostgreSQL and back, never printing the password; refuses a target with rows', async () => {
    const url = await freshPgUrl()
    const there = await run(['db', 'copy', '--from', 'from.db', '--to', url, '--json'])
    expect(there.code).toBe(0)
    const rows = JSON.parse(there.stdout) as { table: string; source: number; target: number; from: string; to: string }[]
    expect(rows.find((t) => t.table === 'mentions')).toMatchObject({ source: 3, target: 3, from: 'from.db' })
    expect(rows[0]!.to).toMatch(/^postgres:\/\/\w+@127\.0\.0\.1:\d+\/t_\w+$/)
    // A password on the command line is allowed, with a warning that `ps` shows it.
    expect(there.stderr).toContain('warning: --to carries a password')
    expectNoPassword(there, url)

    // The URL from the environment: --from left out is the configured database.
    const back = await run(['db', 'copy', '--to', 'back.db'], { MENTIONS_DATABASE_URL: url })
    expect(back.code).toBe(0)
    expect(back.stdout).toMatch(/^mentions\t3\t3\tpostgres:\/\/\w+@127\.0\.0\.1:\d+\/t_\w+\tback\.db$/m)
    expect(back.stderr).not.toContain('warning')
    expectNoPassword(back, url)
    const copy = openStore(path.join(dir, 'back.db'), { readOnly: true })
    try {
      expect(await copy.mentions.count()).toBe(3)
    } finally {
      await copy.close()
    }

    const again = await run(['db', 'copy', '--from', 'from.db'], { MENTIONS_DATABASE_URL: url })
    expect(again.code).toBe(2)
    expect(again.stdout).toBe('')
    expect(again.stderr).toMatch(/error: the target postgres:\/\/\S+ is not empty \(it holds rows in mentions \(3\), mention_brands \(3\)\)/)
    expectNoPassword(again, url)
  })
})
