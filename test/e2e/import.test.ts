// `mentions import` on the built binary: the round trip of our own export, bad lines with their
// numbers, stdin, exit codes and the summary.
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BENCH_BRANDS, generateRows } from '../../bench/generate.js'
import { tempDir } from '../support/deps.js'
import { runMentions, type CliResult } from '../support/cli.js'


let dir: string
function mentions(args: string[], input = ''): Promise<CliResult> {
  return runMentions(args, { home: dir, input })
}

// The demo's own configuration (src/app/demo.ts), as a file: same brands, handles and rule.
const demoConfig = (db: string) => ({
  database: db,
  brands: [{ name: 'Acme', terms: ['acme', '"acme cloud"'], exclude: ['acme brick'], handles: { hackernews: ['acme_support'] } }],
  sources: [{ kind: 'hackernews', threadLookups: 0 }, { kind: 'rss', url: 'http://127.0.0.1:9/alerts', name: 'Google Alerts: Acme' }],
  rules: [{ name: 'billing', when: { intent: ['complaint'], terms: ['billing', 'invoice', 'charged', 'refund'] }, assign: 'billing-desk', priority: 'high', tag: ['billing'] }],
})

let demo: string
beforeAll(async () => {
  dir = tempDir('mentions-e2e-import-')
  demo = path.join(dir, 'demo.db')
  expect((await mentions(['demo', '--db', demo])).code).toBe(0)
  for (const name of ['nd', 'csv', 'bad']) fs.writeFileSync(path.join(dir, `${name}.config.json`), JSON.stringify(demoConfig(`./${name}.db`)))
}, 60_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/**
 * The export without `priority`: it is judged at the moment of each export (age takes points
 * off continuously), so two exports seconds apart may differ in it; every other field,
 * ids included, must come back the same.
 */
function comparable(ndjson: string): string {
  return ndjson.trim().split('\n').map((l) => JSON.stringify({ ...(JSON.parse(l) as Record<string, unknown>), priority: 0 })).join('\n')
}

/** An import's export, without what the moment of the import sets (first seen, priority). */
function comparableImported(ndjson: string): string {
  return ndjson.trim().split('\n').map((l) => JSON.stringify({ ...(JSON.parse(l) as Record<string, unknown>), priority: 0, fetchedAt: '' })).join('\n')
}

describe('mentions import', () => {
  it('round-trips the demo database through NDJSON and CSV: export → import → export', async () => {
    const before = await mentions(['export', '--format', 'ndjson', '--db', demo])
    const rows = before.stdout.trim().split('\n').length
    expect(rows).toBeGreaterThan(10)
    fs.writeFileSync(path.join(dir, 'backup.ndjson'), before.stdout)
    const nd = await mentions(['import', 'backup.ndjson', '--config', 'nd.config.json'])
    expect(nd).toMatchObject({ code: 0, stdout: '' })
    expect(nd.stderr).toBe(`imported ${rows} new, 0 updated, 0 unchanged; 0 bad lines; 0 matched no brand\n`)
    const afterNd = await mentions(['export', '--format', 'ndjson', '--config', 'nd.config.json'])
    expect(comparable(afterNd.stdout)).toBe(comparable(before.stdout))

    // CSV, from stdin, format given: the neutralised cells and joined lists read back.
    const csv = await mentions(['export', '--format', 'csv', '--db', demo])
    const viaCsv = await mentions(['import', '--format', 'csv', '-', '--config', 'csv.config.json', '--json'], csv.stdout)
    expect(viaCsv.code).toBe(0)
    expect(JSON.parse(viaCsv.stdout)).toEqual({ new: rows, updated: 0, unchanged: 0, bad: 0, unmatched: 0, rows })
    const afterCsv = await mentions(['export', '--format', 'ndjson', '--config', 'csv.config.json'])
    expect(comparable(afterCsv.stdout)).toBe(comparable(before.stdout))

    // Idempotent: the same file again changes nothing.
    const again = await mentions(['import', 'backup.ndjson', '--config', 'nd.config.json'])
    expect(again.stderr).toBe(`imported 0 new, 0 updated, ${rows} unchanged; 0 bad lines; 0 matched no brand\n`)
  }, 60_000)

  it('reports bad lines with their numbers and reasons, skips them, exits 3', async () => {
    const ok = (id: string, text = 'acme support is slow') => JSON.stringify({ source: 'hackernews', externalId: id, url: `https://news.ycombinator.com/item?id=${id}`, text, createdAt: '2026-11-30T10:00:00Z' })
    const input = [ok('1'), '{"source": "hackernews", broken', '', ok('3', 'nothing to see'), JSON.stringify({ source: 'hackernews', text: 'acme' }), ok('5')].join('\n')
    fs.writeFileSync(path.join(dir, 'bad.ndjson'), input)
    const r = await mentions(['import', 'bad.ndjson', '--config', 'bad.config.json'])
    expect(r.code).toBe(3)
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(/^line 2: not JSON \(.+\); skipped$/),
      'line 4: matched no brand; not stored (--brand B keeps such rows)',
      'line 5: no externalId and no url; skipped',
      'imported 2 new, 0 updated, 0 unchanged; 2 bad lines; 1 matched no brand',
      '',
    ])
    const csv = 'source,externalId,url,text,createdAt\r\nhackernews,7,https://h.example/7,acme up,2026-11-30T10:00:00Z\r\nhackernews,8,https://h.example/8\r\nhackernews,9,https://h.example/9,acme down,not a date\r\n'
    fs.writeFileSync(path.join(dir, 'bad.csv'), csv)
    const c = await mentions(['import', 'bad.csv', '--config', 'bad.config.json'])
    expect(c.code).toBe(3)
    expect(c.stderr.split('\n')).toEqual([
      expect.stringMatching(/^line 3: Invalid Record Length: .+; skipped$/),
      expect.stringMatching(/^line 4: createdAt is not a time \("not a date"\); skipped$/),
      'imported 1 new, 0 updated, 0 unchanged; 2 bad lines; 0 matched no brand',
      '',
    ])
  }, 60_000)

  it('prepares rows in a worker thread (--jobs 1) exactly as on the main thread: rows, bad lines, unmatched, the database', async () => {
    const generated = [...generateRows(2500, { seed: 11 })].map((r) => JSON.stringify(r))
    // Bad and blank lines among the good ones, across the worker's batch boundaries.
    for (const at of [3, 999, 1000, 1001, 2400]) generated.splice(at, 0, at % 2 ? '{"broken' : JSON.stringify({ source: 'hackernews', text: 'acme' }))
    generated.splice(1500, 0, '')
    fs.writeFileSync(path.join(dir, 'many.ndjson'), generated.join('\n'))
    fs.writeFileSync(path.join(dir, 'jobs.config.json'), JSON.stringify({ ...demoConfig('./unused.db'), brands: BENCH_BRANDS, sources: [{ kind: 'hackernews' }] }))
    const run = async (jobs: string, db: string, file: string, extra: string[] = []) => {
      const r = await mentions(['import', file, '--jobs', jobs, '--db', db, '--config', 'jobs.config.json', '--json', ...extra])
      const out = await mentions(['export', '--format', 'ndjson', '--db', db])
      return { code: r.code, stdout: r.stdout, stderr: r.stderr, rows: comparableImported(out.stdout) }
    }
    const main = await run('0', 'j0.db', 'many.ndjson')
    const worker = await run('1', 'j1.db', 'many.ndjson')
    expect(main.code).toBe(3)
    expect(JSON.parse(main.stdout)).toMatchObject({ bad: 5, rows: 2505 })
    expect(worker).toEqual(main)
    // CSV through the worker too, with --brand keeping the rows that match none.
    fs.writeFileSync(path.join(dir, 'many.csv'), (await mentions(['export', '--format', 'csv', '--db', 'j0.db'])).stdout)
    const csvMain = await run('0', 'c0.db', 'many.csv', ['--brand', 'Acme'])
    const csvWorker = await run('1', 'c1.db', 'many.csv', ['--brand', 'Acme'])
    expect(csvMain.code).toBe(0)
    expect(csvWorker).toEqual(csvMain)
    expect(csvMain.rows).toBe(main.rows)
  }, 120_000)

  it('is a usage error without a file, with a missing one, or with an unknown --brand', async () => {
    fs.writeFileSync(path.join(dir, 'empty.ndjson'), '')
    expect((await mentions(['import', 'empty.ndjson', '--jobs', '2', '--config', 'bad.config.json'])).stderr).toMatch(/--jobs must be 0 \(no worker\) or 1/)
    expect((await mentions(['import', '-', '--jobs', '1', '--config', 'bad.config.json'], '')).stderr).toMatch(/give a file, not - \(stdin\)/)
    expect((await mentions(['import', '--config', 'bad.config.json'])).code).toBe(2)
    expect(await mentions(['import', 'nope.ndjson', '--config', 'bad.config.json'])).toMatchObject({ code: 2, stderr: 'error: no such file: nope.ndjson\n' })
    const r = await mentions(['import', '-', '--brand', 'Globex', '--config', 'bad.config.json'], '')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown brand "Globex"/)
  })
})
