// The doctor's checks are pure functions over gathered facts: each problem is one finding with
// its fix, and a healthy set of facts gives none. Gathering is tested over a real SQLite file.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { diagnose, gatherDoctorFacts, WAL_WARN_BYTES, type DoctorFacts, type DoctorFs } from '../../src/app/doctor.js'
import type { SourceStatus } from '../../src/app/sources.js'
import { MIGRATIONS } from '../../src/store/sqlite/migrations.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'

const DB = '/data/mentions/m.db'
function healthy(): DoctorFacts {
  return {
    config: { file: '/etc/mentions.json', error: null, stat: { path: '/etc/mentions.json', mode: 0o100644, size: 10 }, holdsSecrets: false },
    sources: [],
    secretFiles: [],
    database: {
      path: DB,
      file: { path: DB, mode: 0o100600, size: 4096 },
      wal: { path: `${DB}-wal`, mode: 0o100600, size: 1000 },
      folder: { path: '/data/mentions', mode: 0o40700, size: 0 },
      health: { problems: [], schemaVersion: MIGRATIONS.length, knownVersion: MIGRATIONS.length, journalMode: 'wal' },
      error: null,
    },
    reachability: [{ host: 'hn.algolia.com', reachable: true, detail: 'answered 200' }],
  }
}

const status = (over: Partial<SourceStatus>): SourceStatus => ({
  source: 'hackernews', instance: 'https://hn.algolia.com', name: null, brand: 'Acme', env: [], replies: 'thread', limits: null, stream: 'search', quota: null, lastRun: null, lastOkAt: null, lastError: null, lastErrorAt: null, backoffUntil: null, emptyStreak: 0, status: null, ...over,
})

describe('diagnose', () => {
  it('finds nothing wrong with a healthy installation', () => {
    expect(diagnose(healthy())).toEqual([])
  })

  it('names a source backing off after Retry-After, and one answering empty pull after pull', () => {
    const found = diagnose({
      ...healthy(),
      sources: [
        status({ backoffUntil: '2026-12-02T10:00:00.000Z', status: 'waiting for hn.algolia.com until 10:00 UTC (Retry-After)' }),
        status({ source: 'rss', name: 'Blog', brand: '', emptyStreak: 6, status: 'empty 6 pulls running' }),
        status({ source: 'lobsters', emptyStreak: 2 }),
      ],
    })
    expect(found.map((f) => f.problem)).toEqual([
      'hackernews (Acme): waiting for hn.algolia.com until 10:00 UTC (Retry-After)',
      'rss "Blog" has answered empty 6 pulls running after having items',
    ])
    expect(found[0]?.fix).toContain('wait until 2026-12-02T10:00:00.000Z')
  })

  it('flags a source whose last pull failed, but not one that has succeeded since', () => {
    const facts = healthy()
    facts.sources = [
      status({ lastError: 'HTTP 503 from hn.algolia.com', lastErrorAt: '2026-12-02T01:00:00.000Z', lastOkAt: '2026-12-01T01:00:00.000Z' }),
      status({ brand: 'Globex', lastError: 'old failure', lastErrorAt: '2026-12-01T00:00:00.000Z', lastOkAt: '2026-12-02T00:00:00.000Z' }),
    ]
    expect(diagnose(facts)).toEqual([
      { area: 'sources', problem: 'hackernews (Acme) failed at 2026-12-02T01:00:00.000Z (last ok 2026-12-01T01:00:00.000Z): HTTP 503 from hn.algolia.com', fix: 'see `mentions sources`, then `mentions pull --source hackernews`' },
    ])
  })

  it('flags an old schema, a failed integrity check and a swollen WAL', () => {
    const facts = healthy()
    facts.database.health = { problems: ['*** in database main ***', 'Page 5: btreeInitPage() returns error code 11'], schemaVersion: MIGRATIONS.length - 1, knownVersion: MIGRATIONS.length, journalMode: 'wal' }
    facts.database.wal = { path: `${DB}-wal`, mode: 0o100600, size: WAL_WARN_BYTES + 1 }
    expect(diagnose(facts).map((f) => [f.area, f.fix])).toEqual([
      ['database', 'move the file aside and restore a backup, or pull into a new file with --db'],
      ['database', "run `mentions pull` as the file's owner (it upgrades the schema)"],
      ['database', 'stop long-running mentions processes and check free disk space; the next write checkpoints it'],
    ])
  })

  it('flags an open database folder and WAL, and a world-readable config only when it holds secrets', () => {
    const facts = healthy()
    facts.database.folder = { path: '/data/mentions', mode: 0o40755, size: 0 }
    facts.database.wal = { path: `${DB}-wal`, mode: 0o100644, size: 10 }
    expect(diagnose(facts).map((f) => f.fix)).toEqual([`chmod 600 ${DB}-wal`, 'chmod 700 /data/mentions'])
    facts.config.holdsSecrets = true
    expect(diagnose(facts)[0]?.fix).toMatch(/^chmod 600 \/etc\/mentions\.json/)
  })

  it('runs exactly the checks it is given (the extension point)', () => {
    const extra = () => [{ area: 'network' as const, problem: 'p', fix: 'f' }]
    expect(diagnose(healthy(), [extra])).toEqual([{ area: 'network', problem: 'p', fix: 'f' }])
  })
})

describe('gatherDoctorFacts', () => {
  let deps: TestDeps | undefined
  let dir: string | undefined
  afterEach(async () => {
    await deps?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('reads the database health and a secret-bearing feed URL from a real config and file', async () => {
    dir = tempDir('mentions-doctor-')
    const dbFile = path.join(dir, 'm.db')
    deps = testDeps({ dbFile, config: { brands: [], sources: [{ kind: 'rss', options: { url: 'https://feeds.example/f.xml?token=abc123' } }] } })
    await deps.store().close()
    await deps.close()
    const files: DoctorFs = { stat: (p) => (fs.existsSync(p) ? { path: p, mode: fs.statSync(p).mode, size: fs.statSync(p).size } : undefined), canRead: () => true }
    const facts = await gatherDoctorFacts(deps, { fs: files, databasePath: dbFile, http: null })
    expect(facts.database.health).toMatchObject({ problems: [], schemaVersion: MIGRATIONS.length, knownVersion: MIGRATIONS.length })
    expect(facts.config.holdsSecrets).toBe(true)
    expect(facts.reachability).toBeNull()
    expect(facts.sources.map((s) => s.source)).toEqual(['rss'])
  })
})
