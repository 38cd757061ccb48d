// The daily triage loop on the demo database, through the built binary: ids piped from a
// queue into a verb, the log, show on a pipe and as JSON, search, and exit codes.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/deps.js'
import { runMentions, type CliResult } from '../support/cli.js'


function mentions(args: string[], input = ''): Promise<CliResult> {
  return runMentions([...args, '--db', db], { home: dir, input, env: { MENTIONS_USER: 'lead' } })
}

let dir: string
let db: string
beforeAll(async () => {
  dir = tempDir('mentions-triage-')
  db = path.join(dir, 'demo.db')
  const r = await mentions(['demo'])
  expect(r.code).toBe(0)
}, 60_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('triage (built binary)', () => {
  it('assigns what a queue lists, from stdin, and logs who did it', async () => {
    const negative = await mentions(['queue', 'negative', '--format', 'ids'])
    const ids = negative.stdout.trim().split('\n')
    expect(ids.length).toBeGreaterThan(1)
    const assigned = await mentions(['assign', '-', 'alice'], negative.stdout)
    expect(assigned).toMatchObject({ code: 0, stdout: '' })
    expect(assigned.stderr).toContain('Assigned to alice')
    const mine = await mentions(['queue', 'assigned', '--assignee', 'alice', '--format', 'ids', '--sort', 'newest'])
    expect(mine.stdout.trim().split('\n').sort()).toEqual([...ids].sort())
    const log = JSON.parse((await mentions(['log', '--json'])).stdout) as { mentionId: number; actor: string; action: string }[]
    expect(log.filter((e) => e.action === 'assign' && e.actor === 'lead').map((e) => String(e.mentionId)).sort()).toEqual([...ids].sort())
    // Again: nothing changes, nothing is logged.
    expect((await mentions(['assign', ...ids, 'alice'])).stderr).toContain('Unchanged')
    expect(JSON.parse((await mentions(['log', '--json'])).stdout)).toHaveLength(log.length)
  }, 60_000)

  it('closes items, says which ids do not exist (exit 1), and they leave the queue', async () => {
    const [first] = (await mentions(['queue', 'unanswered', '--format', 'ids'])).stdout.trim().split('\n')
    const r = await mentions(['done', first as string, '99999'])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(`Done: #${first}`)
    expect(r.stderr).toContain('No such mention: #99999')
    expect((await mentions(['queue', 'unanswered', '--format', 'ids'])).stdout.split('\n')).not.toContain(first)
    expect((await mentions(['done', 'abc'])).code).toBe(2)
  }, 60_000)

  it('says what someone else did a moment ago, in words and in --json', async () => {
    const [id] = (await mentions(['queue', 'negative', '--format', 'ids'])).stdout.trim().split('\n')
    expect((await mentions(['done', id as string, '--by', 'alice'])).code).toBe(0)
    const r = await mentions(['done', id as string, '--json'])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(new RegExp(`Unchanged \\(already so\\): #${id} \\(alice set it done (just now|\\d+s ago)\\)`))
    const [out] = JSON.parse(r.stdout) as { id: number; changed: boolean; lastChange: { actor: string; action: string; at: string; detail: unknown } }[]
    expect(out).toMatchObject({ id: Number(id), changed: false, lastChange: { actor: 'alice', action: 'state', detail: { from: 'open', to: 'done' } } })
    expect(out?.lastChange.at).toMatch(/^\d{4}-\d\d-\d\dT/)
    // Alice's own change is not a crossing: what she finds is the latest by someone else
    // (lead's assignment in an earlier test, or nothing).
    const mine = await mentions(['reopen', id as string, '--by', 'alice', '--json'])
    const [again] = JSON.parse(mine.stdout) as { changed: boolean; lastChange: { actor: string } | null }[]
    expect(again?.changed).toBe(true)
    expect(again?.lastChange?.actor).not.toBe('alice')
  }, 60_000)

  it('shows priority, events and thread on a pipe without colour, and as JSON', async () => {
    const [id] = (await mentions(['queue', 'negative', '--format', 'ids'])).stdout.trim().split('\n')
    await mentions(['note', id as string, 'called', 'them'])
    const text = await mentions(['show', id as string])
    expect(text.code).toBe(0)
    expect(text.stdout).not.toContain('\x1b')
    expect(text.stdout).toMatch(/Priority \d/)
    expect(text.stdout).toContain('note: called them')
    const json = JSON.parse((await mentions(['show', id as string, '--json'])).stdout) as Record<string, unknown>
    expect(json).toHaveProperty('priorityBreakdown')
    expect(json).toHaveProperty('thread')
    expect((json.events as { action: string }[]).map((e) => e.action)).toContain('note')
  }, 60_000)

  it('searches every stored mention, and refuses a query it cannot read (exit 2)', async () => {
    const r = await mentions(['search', 'acme', '--json'])
    expect(r.code).toBe(0)
    expect((JSON.parse(r.stdout) as unknown[]).length).toBeGreaterThan(0)
    const bad = await mentions(['search', '"unbalanced'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('cannot read the search query')
  }, 60_000)
})
