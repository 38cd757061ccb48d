import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore, type MentionRecord, type Store } from '../../src/store/index.js'
import { MIGRATIONS } from '../../src/store/migrations.js'
import { tempDir } from '../support/deps.js'

let dir: string | undefined
let store: Store | undefined
afterEach(() => {
  store?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  store = dir = undefined
})

const open = () => {
  dir = tempDir()
  store = openStore(path.join(dir, 'nested', 'm.db'))
  return store
}

let n = 0
function record(over: Partial<MentionRecord> = {}): MentionRecord {
  n++
  return {
    source: 'hackernews',
    externalId: `x${n}`,
    url: `https://news.ycombinator.com/item?id=${n}`,
    text: 'acme is broken',
    createdAt: Date.UTC(2026, 10, 20, 10, n),
    fetchedAt: Date.UTC(2026, 10, 21),
    brands: ['Acme'],
    terms: ['acme'],
    isOwn: false,
    competitor: false,
    sentimentLabel: 'negative',
    sentimentScore: -0.5,
    intent: 'complaint',
    priority: 0,
    scorerVersion: 'v1',
    ...over,
  }
}

describe('store', () => {
  it('migrates a new file to the latest version, in WAL mode, and reopens without re-running', () => {
    const s = open()
    s.close()
    store = undefined
    const db = new Database(path.join(dir as string, 'nested', 'm.db'))
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
    store = openStore(path.join(dir as string, 'nested', 'm.db'))
    expect(store.mentions.count()).toBe(0)
  })

  it('inserts, detects changes and merges brands on upsert', () => {
    const s = open()
    const a = record()
    expect(s.mentions.upsertPage([a])).toEqual({ new: 1, updated: 0, unchanged: 0 })
    expect(s.mentions.upsertPage([a])).toEqual({ new: 0, updated: 0, unchanged: 1 })
    expect(s.mentions.upsertPage([{ ...a, brands: ['Globex'], terms: ['globex'] }])).toEqual({ new: 0, updated: 1, unchanged: 0 })
    const [m] = s.mentions.queue({ queue: 'all', now: Date.now() })
    expect(m?.brands).toEqual(['Acme', 'Globex'])
    expect(s.mentions.queue({ queue: 'all', brand: 'globex', now: Date.now() })).toHaveLength(1)
  })

  it('filters queues by label, source, time and limit, newest first, without the brand\'s own posts', () => {
    const s = open()
    s.mentions.upsertPage([
      record({ sentimentLabel: 'positive', intent: 'praise' }),
      record({ source: 'rss' }),
      record(),
      record({ isOwn: true }),
    ])
    const now = Date.now()
    const neg = s.mentions.queue({ queue: 'negative', now })
    expect(neg.map((m) => m.sentimentLabel)).toEqual(['negative', 'negative'])
    expect(neg[0]!.createdAt).toBeGreaterThan(neg[1]!.createdAt)
    expect(s.mentions.queue({ queue: 'all', now })).toHaveLength(3)
    expect(s.mentions.queue({ queue: 'all', source: 'rss', now })).toHaveLength(1)
    expect(s.mentions.queue({ queue: 'all', limit: 1, now })).toHaveLength(1)
    expect(s.mentions.queue({ queue: 'all', since: Date.UTC(2030, 0, 1), now })).toHaveLength(0)
  })

  it('keeps a human label through rescoring and content updates, and logs it', () => {
    const s = open()
    const a = record()
    s.mentions.upsertPage([a])
    const id = s.mentions.queue({ queue: 'all', now: Date.now() })[0]!.id
    expect(s.mentions.setLabel(id, { sentiment: 'positive' }, 'ana', 1)).toBe(true)
    s.mentions.applyScores('v2', [{ id, label: 'negative', score: -0.9, intent: 'question' }])
    s.mentions.upsertPage([{ ...a, text: 'acme is broken again', sentimentLabel: 'negative', scorerVersion: 'v2' }])
    const m = s.mentions.get(id)!
    expect(m.sentimentLabel).toBe('positive')
    expect(m.sentimentOverridden).toBe(true)
    // The intent was not overridden, so the scorer's newest intent applies.
    expect(m.intent).toBe('complaint')
    expect(m.scorerVersion).toBe('v2')
    expect(s.mentions.setLabel(9999, { sentiment: 'positive' }, 'ana', 1)).toBe(false)
  })

  it('moves cursors only when saved and keeps them through errors', () => {
    const s = open()
    const key = { source: 'rss', instance: 'https://x.test/feed', brand: '' }
    expect(s.cursors.get(key)).toBeUndefined()
    s.cursors.save(key, { at: 5, etag: '"e1"', lastModified: 'Tue, 01 Jan 2026 00:00:00 GMT' }, 10)
    s.cursors.recordError(key, 'HTTP 500', 20)
    expect(s.cursors.get(key)).toEqual({ at: 5, etag: '"e1"', lastModified: 'Tue, 01 Jan 2026 00:00:00 GMT' })
    expect(s.cursors.all()[0]).toMatchObject({ lastOkAt: 10, lastError: 'HTTP 500', lastErrorAt: 20 })
  })
})
