// Real Deps for integration tests: a real SQLite file in a temp dir, the real HTTP client
// (pointed at a loopback replay server by the config), the real scorer and sources.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { Deps } from '../../src/app/deps.js'
import type { Config } from '../../src/config/load.js'
import { createHttp } from '../../src/net/client.js'
import type { Http } from '../../src/net/types.js'
import { scorerFor } from '../../src/app/score.js'
import { sources } from '../../src/sources/registry.js'
import { openStore, type Store } from '../../src/store/index.js'

export function tempDir(prefix = 'mentions-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix))
}

export interface TestDeps extends Deps {
  warnings: string[]
  close(): Promise<void>
}

export function testDeps(opts: {
  config: Omit<Config, 'file' | 'sentiment' | 'pull' | 'rules'> & Partial<Pick<Config, 'sentiment' | 'pull' | 'rules'>>
  dbFile: string
  now?: () => number
  env?: Record<string, string | undefined>
}): TestDeps {
  const config: Config = {
    file: '(test config)',
    sentiment: { words: {} },
    pull: { since: '7d', concurrency: 4 },
    rules: [],
    ...opts.config,
  }
  let store: Store | undefined
  let reader: Store | undefined
  let http: (Http & { close(): Promise<void> }) | undefined
  const warnings: string[] = []
  return {
    env: opts.env ?? {},
    now: opts.now ?? (() => Date.now()),
    config: () => config,
    maybeConfig: () => config,
    store: () => (store ??= openStore(opts.dbFile)),
    readStore: () => store ?? (reader ??= openStore(opts.dbFile, { readOnly: true })),
    // Retries stay on (they are part of what is tested) but never wait.
    http: () => (http ??= createHttp({ userAgent: 'mentions-test', sleep: async () => {}, timeoutMs: 5000 })),
    scorer: () => scorerFor(config),
    sources: Object.values(sources),
    lock: { holder: { pid: 1, host: 'test' }, isAlive: () => false },
    warn: (m) => void warnings.push(m),
    warnings,
    async close() {
      // Idempotent: a test may close early to reopen the file, and afterEach closes again.
      const [s, r, h] = [store, reader, http]
      store = reader = http = undefined
      await s?.close()
      await r?.close()
      await h?.close()
    },
  }
}

/** Algolia search_by_date body with the given hits, in the 2023+ shape. */
export function hnPage(hits: object[], opts: { page?: number; nbPages?: number } = {}): object {
  return {
    exhaustive: { nbHits: true, typo: true },
    hits,
    hitsPerPage: 100,
    nbHits: hits.length,
    nbPages: opts.nbPages ?? 1,
    page: opts.page ?? 0,
    params: 'query=acme',
    processingTimeMS: 1,
    query: 'acme',
  }
}

let nextId = 40_000_000
export function hnComment(text: string, opts: { createdAt?: number; author?: string; id?: string; parentId?: number } = {}): object {
  const created = opts.createdAt ?? Date.now() - 3600_000
  const id = opts.id ?? String(nextId++)
  return {
    _highlightResult: {},
    _tags: ['comment', `author_${opts.author ?? 'someone'}`, 'story_39000000'],
    author: opts.author ?? 'someone',
    comment_text: text,
    created_at: new Date(created).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    created_at_i: Math.floor(created / 1000),
    objectID: id,
    parent_id: opts.parentId ?? 39000000,
    story_id: 39000000,
    story_title: 'Ask HN: Which cloud do you use?',
    story_url: null,
    updated_at: new Date(created).toISOString(),
  }
}
