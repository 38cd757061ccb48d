// `mentions export`: the same bytes as the row-by-row path, backpressure, and a reader that
// goes away (`| head -1`). The binary is spawned where the behaviour is the process's.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { Writable } from 'node:stream'
import Database from 'better-sqlite3'
import { stringify } from 'csv-stringify/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { pumpMentions, streamSink, type Sink } from '../../src/cli/commands/export.js'
import type { OutStream } from '../../src/cli/io.js'
import { toView, type Mention, type MentionView } from '../../src/model.js'
import { csvCell, csvRecord } from '../../src/report/csv.js'
import { mentionColumns } from '../../src/report/mentions.js'
import { createWriter, type Format } from '../../src/report/render.js'
import { createStyle } from '../../src/report/style.js'
import { openStore } from '../../src/store/index.js'
import { generateRows } from '../../bench/generate.js'
import { tempDir } from '../support/deps.js'
import { BIN as bin, cleanEnv, runMentions, type CliResult } from '../support/cli.js'


let dir: string

function mentions(args: string[], input = ''): Promise<CliResult> {
  return runMentions(args, { home: dir, input, maxBuffer: 1 << 28 })
}

let demo: string
let big: string
beforeAll(async () => {
  dir = tempDir('mentions-e2e-export-')
  demo = path.join(dir, 'demo.db')
  expect((await mentions(['demo', '--db', demo])).code).toBe(0)
  // A database large enough that an export fills any pipe buffer many times over.
  big = path.join(dir, 'big.db')
  fs.writeFileSync(path.join(dir, 'big.config.json'), JSON.stringify({ database: './big.db', brands: [{ name: 'Acme', terms: ['acme', 'globex', 'initech'] }], sources: [{ kind: 'x' }] }))
  fs.writeFileSync(path.join(dir, 'big.ndjson'), [...generateRows(6000, { seed: 3 })].map((r) => JSON.stringify(r)).join('\n'))
  expect((await mentions(['import', 'big.ndjson', '--config', 'big.config.json'])).code).toBe(0)
}, 120_000)
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** What the row-object read path (getMany → fromRow) and csv-stringify made of the same rows. */
async function reference(db: string, format: Format): Promise<string> {
  const raw = new Database(db, { readonly: true })
  const ids = (raw.prepare('SELECT id FROM mentions ORDER BY created_at DESC, id DESC').all() as { id: number }[]).map((r) => r.id)
  raw.close()
  const store = openStore(db, { readOnly: true })
  const views = (await store.mentions.getMany(ids, Date.now())).map(toView)
  await store.close()
  if (format === 'csv') {
    const opts = { record_delimiter: '\r\n', quote_record_delimiter: true, eof: true }
    const rows = views.map((v) => mentionColumns.map((c) => csvCell(c.get(v))))
    return stringify([mentionColumns.map((c) => c.key), ...rows], opts)
  }
  let out = ''
  const w = createWriter({ format, columns: mentionColumns, tableColumns: mentionColumns, out: { write: (s) => void (out += s) }, style: createStyle(0) })
  for (const v of views) w.write(v)
  w.end()
  return out
}

// Priority includes the mention's age at the moment of the export: seconds apart, the two
// sides may round a tenth apart, so it is compared with that tolerance and blanked otherwise.
const PRIORITY_AT = mentionColumns.findIndex((c) => c.key === 'priority')
function splitPriority(format: Format, text: string): { rest: string; priorities: number[] } {
  if (format === 'ndjson') {
    const objs = text.trim().split('\n').map((l) => JSON.parse(l) as MentionView)
    return { rest: objs.map((o) => JSON.stringify({ ...o, priority: 0 })).join('\n'), priorities: objs.map((o) => o.priority) }
  }
  // tsv and the demo's csv: one line per record once quoted newlines are out of the way.
  const lines = text.split(format === 'csv' ? '\r\n' : '\n')
  const sep = format === 'csv' ? ',' : '\t'
  const priorities: number[] = []
  const rest = lines.map((l, i) => {
    if (i === 0 || l === '') return l
    // Priority sits after every text column but before none: count fields from the end.
    const cells = l.split(sep)
    const at = cells.length - (mentionColumns.length - PRIORITY_AT)
    priorities.push(Number(cells[at]))
    cells[at] = ''
    return cells.join(sep)
  })
  return { rest: rest.join('\n'), priorities }
}

describe('mentions export', () => {
  it.each(['csv', 'ndjson', 'tsv'] as Format[])('writes the same %s as the row-object path and csv-stringify did', async (format) => {
    for (const db of [demo, big]) {
      const r = await mentions(['export', '--format', format, '--db', db])
      expect(r.code).toBe(0)
      expect(r.stderr).toBe('')
      const want = await reference(db, format)
      const got = splitPriority(format, r.stdout)
      const expected = splitPriority(format, want)
      expect(got.rest).toBe(expected.rest)
      got.priorities.forEach((p, i) => expect(Math.abs(p - (expected.priorities[i] as number))).toBeLessThanOrEqual(0.11))
    }
  }, 60_000)

  it('quotes CSV fields exactly as csv-stringify did', () => {
    const fields = ['plain', '', 'a,b', 'say "hi"', 'line\nbreak', 'cr\rhere', 'crlf\r\n', '"', ',', ' spaced ', "'=1+1", 'naïve ✓', 'tab\there']
    const opts = { record_delimiter: '\r\n', quote_record_delimiter: true, eof: true }
    expect(csvRecord(fields)).toBe(stringify([fields], opts))
    for (const f of fields) expect(csvRecord([f, f])).toBe(stringify([[f, f]], opts))
  })

  it('stops without a word when the reader goes away (| head -1): exit 0, nothing on stderr', async () => {
    const child = spawn(process.execPath, [bin, 'export', '--format', 'ndjson', '--db', big], { cwd: dir, env: cleanEnv(dir), stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const firstLine = await new Promise<string>((resolve) => {
      let buf = ''
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString()
        const nl = buf.indexOf('\n')
        if (nl !== -1) {
          child.stdout.destroy()
          resolve(buf.slice(0, nl))
        }
      })
    })
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)))
    expect(JSON.parse(firstLine)).toHaveProperty('id')
    expect(code).toBe(0)
    expect(stderr).toBe('')
  }, 60_000)
})

function mention(id: number): Mention {
  return {
    id, source: 'x', externalId: String(id), url: `https://x.example/${id}`, canonicalUrl: null, brands: ['Acme'], terms: ['acme'], authorHandle: 'a', authorName: null,
    authorReach: null, title: null, text: `acme ${'x'.repeat(200)}`, lang: 'en', createdAt: 1_700_000_000_000 - id, fetchedAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000,
    parentExternalId: null, threadExternalId: null, likes: null, reposts: null, replies: null, score: null, rating: null, isOwn: false, competitor: false,
    sourceName: null, sentimentLabel: 'neutral', sentimentScore: 0, intent: 'other', sentimentOverridden: false, intentOverridden: false, priority: 0, boost: 0,
    scorerVersion: 'v', state: 'open', snoozedUntil: null, assignee: null, tags: [], answered: null,
  }
}

/** 50 chunks of 100 mentions, counting how many the consumer has pulled. */
function counted(): { chunks: AsyncIterable<MentionView[]>; pulled: () => number } {
  let pulled = 0
  return {
    pulled: () => pulled,
    chunks: (async function* () {
      for (let c = 0; c < 50; c++) {
        pulled++
        yield Array.from({ length: 100 }, (_, i) => toView(mention(c * 100 + i + 1)))
      }
    })(),
  }
}

const ndjson = (out: { write(s: string): void }) => createWriter({ format: 'ndjson', columns: mentionColumns, tableColumns: mentionColumns, out, style: createStyle(0) })

describe('pumpMentions', () => {
  it('waits for drain: a reader that pauses holds the export at one chunk in flight', async () => {
    const held: (() => void)[] = []
    let bytes = 0
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length
        held.push(done)
      },
    })
    const { chunks, pulled } = counted()
    const done = pumpMentions(chunks, streamSink(slow as unknown as OutStream), ndjson)
    await new Promise((r) => setTimeout(r, 50))
    // The first chunk's write returned false; nothing more is read until the reader drains.
    expect(pulled()).toBe(1)
    expect(held).toHaveLength(1)
    const release = setInterval(() => held.shift()?.(), 1)
    expect(await done).toBe(5000)
    clearInterval(release)
    expect(pulled()).toBe(50)
    expect(bytes).toBeGreaterThan(5000 * 200)
  })

  it('stops reading when the reader has gone', async () => {
    let writes = 0
    const sink: Sink = { write: () => (writes++, false), drained: async () => {}, gone: true }
    const { chunks, pulled } = counted()
    expect(await pumpMentions(chunks, sink, ndjson)).toBe(100)
    expect(pulled()).toBe(1)
    expect(writes).toBe(1)
  })
})
