import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { importMentions, parseTime, rowToDraft, type BadLine, type InputRow } from '../../src/app/import.js'
import { pull } from '../../src/app/pull.js'
import { exportMentions, getMention } from '../../src/app/queues.js'
import type { Config } from '../../src/config/load.js'
import { UsageError } from '../../src/errors.js'
import { toView, type Brand, type Mention } from '../../src/model.js'
import { hnComment, hnPage, tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayServer } from '../support/replay.js'

const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: ['acme brick'], require: [], languages: [], competitor: false, handles: { hackernews: ['acme_support'] } }
const rules: Config['rules'] = [{ name: 'billing', when: { intent: ['complaint'], terms: ['billing', 'charged'] }, assign: 'billing-desk', priority: 'high', tag: ['billing'] }]

let dir: string
let server: ReplayServer | undefined
const opened: TestDeps[] = []
afterEach(async () => {
  for (const d of opened.splice(0)) await d.close()
  await server?.close()
  server = undefined
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

function deps(name: string, baseUrl = 'http://127.0.0.1:9'): TestDeps {
  dir ??= tempDir()
  const d = testDeps({ dbFile: path.join(dir, name), config: { brands: [acme], sources: [{ kind: 'hackernews', options: { baseUrl, threadLookups: 0 } }], rules } })
  opened.push(d)
  return d
}

async function* rows(items: (Record<string, unknown> | BadLine)[]): AsyncGenerator<InputRow | BadLine> {
  let line = 0
  for (const it of items) {
    line++
    yield 'reason' in it && typeof it.line === 'number' ? (it as BadLine) : { line, fields: it as Record<string, unknown> }
  }
}

async function all(d: TestDeps): Promise<Mention[]> {
  const out: Mention[] = []
  for await (const chunk of exportMentions(d)) out.push(...chunk)
  return out
}

const hour = 3600_000
const base = Date.parse('2026-11-30T12:00:00Z')
const comments = [
  { id: '101', text: 'Acme billing charged me twice, furious', createdAt: base - 1 * hour, author: 'dana' },
  { id: '102', text: 'Love the new Acme dashboard, thank you', createdAt: base - 2 * hour, author: 'eli' },
  { id: '103', text: 'How do I rotate keys in Acme?', createdAt: base - 3 * hour, author: 'fay' },
  { id: '104', text: 'Acme Brick is hiring masons', createdAt: base - 4 * hour, author: 'gus' },
  { id: '105', text: 'We fixed it, sorry about that', createdAt: base - 0.5 * hour, author: 'acme_support', parentId: 101 },
]

describe('importMentions', () => {
  it('stores rows exactly as a pull stores the same items: matched, scored, answered, routed', async () => {
    server = await startReplayServer([jsonRoute('/api/v1/search_by_date', hnPage(comments.map((c) => hnComment(c.text, c))))])
    const pulled = deps('pulled.db', server.url)
    await pull(pulled, { sinceMs: 3650 * 24 * hour })
    const fromPull = await all(pulled)
    expect(fromPull).toHaveLength(4) // the Acme Brick post does not match

    const imported = deps('imported.db')
    const result = await importMentions(imported, {
      format: 'ndjson',
      batchSize: 2,
      rows: rows(
        comments.map((c) => ({
          source: 'hackernews', externalId: c.id, url: `https://news.ycombinator.com/item?id=${c.id}`, text: c.text,
          createdAt: new Date(c.createdAt).toISOString(), author: c.author, title: 'Ask HN: Which cloud do you use?',
          inReplyTo: String(c.parentId ?? 39000000), threadExternalId: '39000000',
        })),
      ),
    })
    expect(result).toEqual({ new: 4, updated: 0, unchanged: 0, bad: 0, unmatched: 1, rows: 5 })
    const fromImport = await all(imported)
    const comparable = (m: Mention) => ({ ...toView(m), id: 0, fetchedAt: '' })
    expect(fromImport.map(comparable)).toEqual(fromPull.map(comparable))
    // The brand's reply answers the complaint; the rule routed it, as the rules' actor.
    const complaint = fromImport.find((m) => m.externalId === '101') as Mention
    expect(complaint).toMatchObject({ answered: true, assignee: 'billing-desk', tags: ['billing'], boost: 25 })
    const detail = await getMention(imported, complaint.id)
    expect(detail?.events.map((e) => [e.actor, e.action])).toEqual([['rules', 'rule']])
  })

  it('reports bad rows with their line and reason, and counts rows that match no brand', async () => {
    const d = deps('bad.db')
    const bad: BadLine[] = []
    const unmatched: number[] = []
    const ok = { source: 'hackernews', externalId: '1', url: 'https://news.ycombinator.com/item?id=1', text: 'acme is great', createdAt: '2026-11-01T00:00:00Z' }
    const r = await importMentions(d, {
      format: 'ndjson',
      onBad: (b) => bad.push(b),
      onUnmatched: (l) => unmatched.push(l),
      rows: rows([
        ok,
        { line: 2, reason: 'not JSON' },
        { ...ok, externalId: '3', source: 'myspace' },
        { ...ok, externalId: undefined, url: undefined },
        { ...ok, externalId: '5', createdAt: 'yesterday-ish' },
        { ...ok, externalId: '6', text: 'nothing about the brand' },
        { ...ok, externalId: '7', likes: 'many' },
        { ...ok, externalId: '8', rating: 9 },
      ]),
    })
    expect(r).toEqual({ new: 1, updated: 0, unchanged: 0, bad: 6, unmatched: 1, rows: 8 })
    expect(bad.map((b) => b.line)).toEqual([2, 3, 4, 5, 7, 8])
    expect(bad[1]?.reason).toMatch(/unknown source "myspace"/)
    expect(bad[2]?.reason).toBe('no externalId and no url')
    expect(bad[3]?.reason).toMatch(/createdAt is not a time/)
    expect(bad[4]?.reason).toMatch(/likes is not a number/)
    expect(bad[5]?.reason).toMatch(/rating must be 1–5/)
    expect(unmatched).toEqual([6])
    expect(await all(d)).toHaveLength(1)
  })

  it('stores rows that match no brand under --brand, and refuses an unknown brand', async () => {
    const d = deps('brand.db')
    const row = { source: 'hackernews', externalId: '9', url: 'https://news.ycombinator.com/item?id=9', text: 'cold coffee, rude staff', createdAt: '2026-11-01T00:00:00Z' }
    expect(await importMentions(d, { format: 'ndjson', brand: 'acme', rows: rows([row]) })).toMatchObject({ new: 1, unmatched: 0 })
    expect((await all(d))[0]?.brands).toEqual(['Acme'])
    await expect(importMentions(d, { format: 'ndjson', brand: 'Globex', rows: rows([row]) })).rejects.toThrow(UsageError)
  })

  it('is idempotent, and an updated row updates the stored one', async () => {
    const d = deps('again.db')
    const row = { source: 'hackernews', externalId: '11', url: 'https://news.ycombinator.com/item?id=11', text: 'acme is fine', createdAt: '2026-11-01T00:00:00Z', likes: 1 }
    expect(await importMentions(d, { format: 'ndjson', rows: rows([row]) })).toMatchObject({ new: 1 })
    expect(await importMentions(d, { format: 'ndjson', rows: rows([row]) })).toMatchObject({ new: 0, unchanged: 1 })
    expect(await importMentions(d, { format: 'ndjson', rows: rows([{ ...row, likes: 5 }]) })).toMatchObject({ new: 0, updated: 1 })
    expect((await all(d)).map((m) => m.likes)).toEqual([5])
  })

  it('keeps when a backup first saw a row, and does not restore labels or triage state', async () => {
    const d = deps('restore.db')
    const fetchedAt = '2026-11-02T08:00:00.000Z'
    await importMentions(d, {
      format: 'ndjson',
      rows: rows([{
        source: 'hackernews', externalId: '21', url: 'https://news.ycombinator.com/item?id=21', text: 'acme support never replied, awful',
        createdAt: '2026-11-02T07:00:00Z', fetchedAt, sentiment: 'positive', state: 'done', assignee: 'alice', tags: ['vip'],
      }]),
    })
    const [m] = await all(d)
    expect(m).toMatchObject({ sentimentLabel: 'negative', sentimentOverridden: false, state: 'open', assignee: null, tags: [] })
    expect(new Date(m?.fetchedAt ?? 0).toISOString()).toBe(fetchedAt)
  })
})

describe('rowToDraft', () => {
  const kinds = new Set(['hackernews', 'rss'])
  it('reads other tools\' field names, epoch times and CSV\'s neutralised cells', () => {
    const r = rowToDraft({ platform: 'rss', permalink: 'https://e.example/p', content: "'=acme rocks", created_at: '1764547200', followers: '120', points: '3' }, { csv: true, kinds })
    expect(r.source).toBe('rss')
    expect(r.draft).toEqual({ externalId: 'https://e.example/p', url: 'https://e.example/p', text: '=acme rocks', createdAt: 1764547200_000, author: { reach: 120 }, metrics: { score: 3 } })
    // The same cell in NDJSON is the text as written.
    expect(rowToDraft({ source: 'rss', url: 'u', text: "'=x", createdAt: 0 }, { csv: false, kinds }).draft.text).toBe("'=x")
  })
  it('reads times as ISO-8601, epoch seconds or epoch ms', () => {
    expect(parseTime('2026-11-01T00:00:00Z')).toBe(Date.parse('2026-11-01T00:00:00Z'))
    expect(parseTime(1764547200)).toBe(1764547200_000)
    expect(parseTime(1764547200_000)).toBe(1764547200_000)
    expect(parseTime('soon')).toBeUndefined()
  })
})
