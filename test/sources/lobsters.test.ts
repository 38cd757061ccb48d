import fs, { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand } from '../../src/model.js'
import { lobstersOptions, lobstersSource, newestUrl, parseLobsters, readLobsters, storyUrl } from '../../src/sources/lobsters.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/lobsters/${name}`, import.meta.url), 'utf8')

describe('parseLobsters (story lists)', () => {
  const read = readLobsters(fixture('newest.json'))

  it('maps a link story: story:<short_id>, lobste.rs permalink, the link as canonicalUrl, score and comments', () => {
    expect(read.stories[0]?.draft).toEqual({
      externalId: 'story:ab12cd',
      url: 'https://lobste.rs/s/ab12cd',
      canonicalUrl: 'https://blog.example.com/acme-queue',
      title: "Acme Cloud's new queue & what it costs",
      text: '',
      author: { handle: 'alice' },
      createdAt: Date.parse('2026-11-20T10:00:00Z'),
      metrics: { score: 17, replies: 3 },
    })
    expect(read.stories[0]).toMatchObject({ thread: 'ab12cd', commentCount: 3 })
  })

  it('maps a text story: the description as plain text, no canonicalUrl, karma as reach when given', () => {
    expect(read.stories[1]?.draft).toMatchObject({
      externalId: 'story:ef34gh',
      text: 'Looking for something boring & reliable.',
      author: { handle: 'bob', reach: 321 },
    })
    expect(read.stories[1]?.draft.canonicalUrl).toBeUndefined()
  })

  it('skips a story without a date', () => {
    expect(read.skipped).toBe(1)
    expect(parseLobsters(fixture('newest.json'))).toHaveLength(2)
  })

  it('names the problem for a body that is not JSON or not a Lobsters response', () => {
    expect(() => parseLobsters('<!DOCTYPE html><title>Throttled</title>')).toThrow(SourceResponseError)
    expect(() => parseLobsters('{"error":"not found"}')).toThrow(/expected a story list .*: not found/)
  })
})

describe('parseLobsters (a story with its comments)', () => {
  const drafts = parseLobsters(fixture('story_ab12cd.json'))

  it('gives the story, then its comments linked by parent_comment, deleted ones left out', () => {
    expect(drafts.map((d) => [d.externalId, d.parentExternalId])).toEqual([
      ['story:ab12cd', undefined],
      ['comment:c1aaaa', 'story:ab12cd'],
      ['comment:c2bbbb', 'comment:c1aaaa'],
    ])
  })

  it('maps a comment: its permalink, plain text, the story title as context, score', () => {
    expect(drafts[1]).toEqual({
      externalId: 'comment:c1aaaa',
      url: 'https://lobste.rs/s/ab12cd/acme_cloud_s_new_queue_what_it_costs#c_c1aaaa',
      title: "Acme Cloud's new queue & what it costs",
      text: "Acme's docs say the queue is at least once. Has anyone seen duplicates?",
      author: { handle: 'carol' },
      createdAt: Date.parse('2026-11-20T11:00:00Z'),
      parentExternalId: 'story:ab12cd',
      threadExternalId: 'story:ab12cd',
      metrics: { score: 4 },
    })
  })
})

describe('lobsters URLs and options', () => {
  it('builds newest pages and story URLs under baseUrl', () => {
    expect(newestUrl('https://lobste.rs', 1).href).toBe('https://lobste.rs/newest.json')
    expect(newestUrl('https://lobste.rs/', 3).href).toBe('https://lobste.rs/newest/page/3.json')
    expect(storyUrl('http://127.0.0.1:9/mirror', 'ab12cd').href).toBe('http://127.0.0.1:9/mirror/s/ab12cd.json')
  })

  it('has defaults, needs no credential, feed scope and thread replies', () => {
    expect(lobstersOptions.parse({})).toEqual({ baseUrl: 'https://lobste.rs', maxPages: 4, overlapHours: 24 })
    expect(lobstersSource).toMatchObject({ kind: 'lobsters', scope: 'feed', replies: 'thread', requires: [] })
  })
})

// ---------------------------------------------------------------------------------------
// A loopback Lobsters: /newest.json and /newest/page/<n>.json newest first, /s/<id>.json.

const NOW = Date.parse('2026-11-21T00:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR
const PER_PAGE = 2

interface FakeStory {
  id: string
  t: number
  title: string
  comments?: { id: string; t: number; text: string; user: string; parent?: string }[]
}

interface FakeLobsters {
  url: string
  stories: FakeStory[]
  paths: string[]
  answers: { status: number; headers?: Record<string, string>; body: string }[]
  headers: Record<string, string>
  close(): Promise<void>
}

const iso = (t: number) => new Date(t).toISOString().replace('Z', '+00:00')

const storyJson = (s: FakeStory) => ({
  short_id: s.id,
  short_id_url: `https://lobste.rs/s/${s.id}`,
  comments_url: `https://lobste.rs/s/${s.id}/slug`,
  created_at: iso(s.t),
  title: s.title,
  url: '',
  score: 1,
  flags: 0,
  comment_count: s.comments?.length ?? 0,
  description: '',
  description_plain: '',
  submitter_user: 'poster',
  user_is_author: false,
  tags: ['programming'],
})

const open: FakeLobsters[] = []
let deps: TestDeps | undefined
let dir: string | undefined
afterEach(async () => {
  await deps?.close()
  while (open.length > 0) await open.pop()?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  deps = dir = undefined
})

async function startLobsters(stories: FakeStory[]): Promise<FakeLobsters> {
  const fake: FakeLobsters = { url: '', stories, paths: [], answers: [], headers: {}, close: async () => {} }
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    fake.paths.push(u.pathname)
    const answer = fake.answers.shift()
    if (answer) {
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
      res.end(answer.body)
      return
    }
    const send = (value: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json', ...fake.headers })
      res.end(JSON.stringify(value))
    }
    const newest = /^\/newest(?:\/page\/(\d+))?\.json$/.exec(u.pathname)
    if (newest) {
      const page = Number(newest[1] ?? '1')
      return send([...fake.stories].sort((a, b) => b.t - a.t).slice((page - 1) * PER_PAGE, page * PER_PAGE).map(storyJson))
    }
    const story = /^\/s\/(\w+)\.json$/.exec(u.pathname)
    const s = story ? fake.stories.find((x) => x.id === story[1]) : undefined
    if (s) {
      return send({
        ...storyJson(s),
        comments: (s.comments ?? []).map((c) => ({
          short_id: c.id,
          short_id_url: `https://lobste.rs/c/${c.id}`,
          url: `https://lobste.rs/s/${s.id}/slug#c_${c.id}`,
          created_at: iso(c.t),
          is_deleted: false,
          is_moderated: false,
          score: 1,
          flags: 0,
          parent_comment: c.parent ?? null,
          comment: `<p>${c.text}</p>`,
          comment_plain: c.text,
          depth: c.parent ? 1 : 0,
          commenting_user: c.user,
        })),
      })
    }
    res.writeHead(404)
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  fake.close = () => new Promise<void>((resolve) => server.close(() => resolve()))
  open.push(fake)
  return fake
}

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: { lobsters: ['acme_dev'] } }


function setup(fake: FakeLobsters, options: Record<string, unknown> = {}): TestDeps {
  dir = tempDir()
  const base = testDeps({
    dbFile: path.join(dir, 'm.db'),
    now: () => NOW,
    config: { brands: [acme], sources: [{ kind: 'lobsters', options: { baseUrl: fake.url, overlapHours: 1, ...options } }] },
  })
  deps = base
  return deps
}

const newestPaths = (f: FakeLobsters) => f.paths.filter((p) => p.startsWith('/newest'))
const stored = async (d: TestDeps) => (await listQueue(d, { queue: 'all' })).map((m) => m.externalId).sort()

describe('lobsters search() through pull', () => {
  it('pages /newest until it passes since and reads comments of matching stories only', async () => {
    const fake = await startLobsters([
      { id: 's5', t: NOW - HOUR, title: 'Acme is down', comments: [{ id: 'c1', t: NOW - 0.5 * HOUR, text: 'acme status page says fine', user: 'u1' }] },
      { id: 's4', t: NOW - 2 * HOUR, title: 'Zig release', comments: [{ id: 'c2', t: NOW - HOUR, text: 'acme uses zig', user: 'u2' }] },
      { id: 's3', t: NOW - 3 * DAY, title: 'Acme postmortem' },
      { id: 's2', t: NOW - 4 * DAY, title: 'Lisp' },
      { id: 's1', t: NOW - 9 * DAY, title: 'Old acme' },
    ])
    const d = setup(fake)
    expect((await pull(d)).status).toBe('ok')
    expect(newestPaths(fake)).toEqual(['/newest.json', '/newest/page/2.json', '/newest/page/3.json'])
    expect(fake.paths.filter((p) => p.startsWith('/s/'))).toEqual(['/s/s5.json'])
    expect(await stored(d)).toEqual(['comment:c1', 'story:s3', 'story:s5'])
  })

  it('resumes from the cursor and backfills an older since', async () => {
    const fake = await startLobsters([
      { id: 'a3', t: NOW - 5 * HOUR, title: 'acme one' },
      { id: 'a2', t: NOW - 3 * DAY, title: 'acme two' },
      { id: 'a1', t: NOW - 6 * DAY, title: 'acme three' },
    ])
    const d = setup(fake)
    await pull(d, { since: NOW - DAY })
    expect(await stored(d)).toEqual(['story:a3'])

    fake.stories.push({ id: 'a4', t: NOW - HOUR, title: 'acme four' })
    fake.paths.length = 0
    const second = await pull(d, { since: NOW - DAY })
    // Page 2 reaches below the resume point less the hour of overlap: the walk stops there.
    expect(newestPaths(fake)).toEqual(['/newest.json', '/newest/page/2.json'])
    expect(second.sources[0]).toMatchObject({ new: 1 })
    expect(await stored(d)).toEqual(['story:a3', 'story:a4'])

    await pull(d, { since: NOW - 7 * DAY })
    expect(await stored(d)).toEqual(['story:a1', 'story:a2', 'story:a3', 'story:a4'])
  })

  it('gives up, with a warning, on stories beyond maxPages (the newest pages are all there is)', async () => {
    const fake = await startLobsters(Array.from({ length: 7 }, (_, i) => ({ id: `p${i}`, t: NOW - (i + 1) * HOUR, title: `acme ${i}` })))
    const d = setup(fake, { maxPages: 2 })
    await pull(d)
    expect(newestPaths(fake)).toHaveLength(2)
    expect(d.warnings.some((w) => /^lobsters: stopped newest after 2 page\(s\): stories older than \S+ are beyond the pages read/.test(w))).toBe(true)
    expect((await d.store().cursors.all())[0]?.cursor.gap).toBeUndefined()
  })

  it("marks a comment answered when the brand's handle replied under it", async () => {
    const fake = await startLobsters([
      {
        id: 'q1',
        t: NOW - 3 * HOUR,
        title: 'Acme queue semantics',
        comments: [
          { id: 'k1', t: NOW - 2 * HOUR, text: 'Does acme deliver twice?', user: 'carol' },
          { id: 'k2', t: NOW - HOUR, text: 'By design; use the idempotency key.', user: 'acme_dev', parent: 'k1' },
        ],
      },
    ])
    const d = setup(fake)
    await pull(d)
    expect((await listQueue(d, { queue: 'unanswered' })).map((m) => m.externalId)).toEqual(['story:q1'])
    expect((await listQueue(d, { queue: 'all' })).find((m) => m.externalId === 'comment:k1')).toMatchObject({ answered: true })
  })

  it('retries a 429 after Retry-After, fails with the retry time when it persists, and reports RateLimit-*', async () => {
    const fake = await startLobsters([{ id: 'r1', t: NOW - HOUR, title: 'acme' }])
    fake.headers = { 'ratelimit-limit': '30', 'ratelimit-remaining': '12', 'ratelimit-reset': '40' }
    fake.answers.push({ status: 429, headers: { 'retry-after': '1' }, body: 'Throttled' })
    const d = setup(fake)
    expect((await pull(d)).status).toBe('ok')
    expect(await stored(d)).toEqual(['story:r1'])
    expect((await d.store().cursors.all())[0]?.upstream).toMatchObject({ limit: 30, remaining: 12, resetAt: NOW + 40_000 })

    for (let i = 0; i < 10; i++) fake.answers.push({ status: 429, headers: { 'retry-after': '3600' }, body: 'Throttled' })
    const limited = await pull(d)
    expect(limited.status).toBe('failed')
    expect(limited.sources[0]?.error).toMatch(/HTTP 429 .*rate limited: retry after /)
  })

  it('reads a story deleted between the poll and its comments as gone, not as a failure', async () => {
    const fake = await startLobsters([{ id: 'g1', t: NOW - HOUR, title: 'acme', comments: [{ id: 'x', t: NOW - 0.5 * HOUR, text: 'hm', user: 'u' }] }])
    const d = setup(fake)
    fake.answers.push({ status: 200, body: JSON.stringify([storyJson(fake.stories[0] as FakeStory)]) })
    fake.answers.push({ status: 404, body: 'not found' })
    const result = await pull(d)
    expect(result.status).toBe('ok')
    expect(await stored(d)).toEqual(['story:g1'])
    expect(d.warnings.some((w) => w.startsWith('lobsters: comments of https://lobste.rs/s/g1 are gone'))).toBe(true)
  })
})
