// The SQLite engine: the store contract, and how the file is opened, created and refused.
import Database from 'better-sqlite3'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { NoDatabaseError, StoreError } from '../../src/errors.js'
import { openStore, type Store } from '../../src/store/index.js'
import { APPLICATION_ID, MIGRATIONS } from '../../src/store/sqlite/migrations.js'
import { tempDir } from '../support/deps.js'
import { record, storeContract } from './contract.js'

const dirs: string[] = []
const stores: Store[] = []
const fresh = () => {
  const d = tempDir()
  dirs.push(d)
  return path.join(d, 'm.db')
}
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close()
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
})
const keep = (s: Store) => (stores.push(s), s)

storeContract('sqlite', async () => keep(openStore(fresh())))

function refusal(fn: () => unknown): StoreError {
  try {
    fn()
  } catch (err) {
    if (err instanceof StoreError) return err
    throw err
  }
  throw new Error('expected a StoreError')
}

const bytes = (file: string) => fs.readFileSync(file)

describe('sqlite: opening the file', () => {
  it('creates missing folders, migrates to the latest version in WAL mode, marks the file as ours', async () => {
    const file = path.join(path.dirname(fresh()), 'a', 'b', 'm.db')
    await keep(openStore(file)).close()
    stores.pop()
    const db = new Database(file)
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length)
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
    expect(await keep(openStore(file)).mentions.count()).toBe(0)
  })

  it('upgrades a database from schema 1 and keeps its rows', async () => {
    const file = fresh()
    const db = new Database(file)
    db.exec(MIGRATIONS[0] as string)
    db.exec(`INSERT INTO mentions (source, external_id, url, brands, terms, text, created_at, fetched_at, updated_at, sentiment_score, sentiment_label, intent, scorer_version)
      VALUES ('hackernews', '1', 'u', '["Acme"]', '["acme"]', 'acme', 1, 1, 1, 0, 'neutral', 'other', 'v1')`)
    db.pragma('user_version = 1')
    db.close()
    const s = keep(openStore(file))
    expect(await s.mentions.count()).toBe(1)
    expect((await s.mentions.get(1))?.competitor).toBe(false)
  })

  it('refuses, unchanged, a file that is not a mentions database', () => {
    const dir = path.dirname(fresh())
    const other = path.join(dir, 'other.db')
    const db = new Database(other)
    db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)')
    db.close()
    const before = bytes(other)
    expect(refusal(() => openStore(other)).message).toBe(`${other} is not a mentions database (an SQLite file of another program); choose another path`)
    expect(bytes(other).equals(before)).toBe(true)
    expect(fs.existsSync(`${other}-wal`)).toBe(false)

    const empty = path.join(dir, 'empty.db')
    fs.writeFileSync(empty, '')
    expect(refusal(() => openStore(empty)).message).toMatch(/empty file, not a mentions database/)
    expect(fs.statSync(empty).size).toBe(0)

    const text = path.join(dir, 'notes.txt')
    fs.writeFileSync(text, 'hello, not a database\n')
    const e = refusal(() => openStore(text))
    expect(e.message).toBe(`${text} is not a mentions database (not an SQLite file)`)
    expect(e.kind).toBe('usage')
    expect(fs.readFileSync(text, 'utf8')).toBe('hello, not a database\n')
  })

  it('refuses a newer schema before switching anything', () => {
    const file = fresh()
    const db = new Database(file)
    db.exec(MIGRATIONS[0] as string)
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`)
    db.close()
    expect(refusal(() => openStore(file)).message).toMatch(/written by a newer mentions \(schema \d+; this one knows \d+\); upgrade mentions/)
    const check = new Database(file, { readonly: true })
    expect(check.pragma('journal_mode', { simple: true })).toBe('delete')
    check.close()
  })

  it('names the path and the fix for a directory, a file in the way, and an impossible folder', () => {
    const dir = path.dirname(fresh())
    expect(refusal(() => openStore(dir)).message).toBe(`${dir} is a directory, not a database file; give a file path (--db or MENTIONS_DB)`)
    const file = path.join(dir, 'plain')
    fs.writeFileSync(file, 'x')
    expect(refusal(() => openStore(path.join(file, 'm.db'))).message).toMatch(/plain.*(is a file, not a folder|not a folder)/)
    // A recursive mkdir spins here instead of failing; each level is created on its own.
    const e = refusal(() => openStore('/proc/nope/m.db'))
    expect(e.message).toMatch(/^cannot create the folder \/proc\/nope for the database/)
    expect(e.kind).toBe('usage')
  })

  it('opens read-only without creating, and never writes', async () => {
    const file = fresh()
    const e = refusal(() => openStore(file, { readOnly: true }))
    expect(e).toBeInstanceOf(NoDatabaseError)
    expect(e.message).toBe(`no database at ${file} (run mentions pull first, or check --db / MENTIONS_DB)`)
    expect(fs.existsSync(file)).toBe(false)
    const w = openStore(file)
    await w.mentions.upsertPage([record()])
    await w.close()
    const r = keep(openStore(file, { readOnly: true }))
    expect(await r.mentions.count()).toBe(1)
    expect(r.readOnly).toBe(true)
    await expect(r.mentions.upsertPage([record()])).rejects.toBeInstanceOf(StoreError)
  })

  it('reports a corrupt database as the store\'s failure, naming the file', async () => {
    const file = fresh()
    const w = openStore(file)
    await w.mentions.upsertPage(Array.from({ length: 200 }, () => record({ text: 'x'.repeat(500) })))
    await w.close()
    const buf = fs.readFileSync(file)
    buf.fill(0x5a, 4096 * 2, buf.length)
    fs.writeFileSync(file, buf)
    let err: unknown
    try {
      const s = keep(openStore(file))
      for await (const _ of s.mentions.iterate()) void _
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(StoreError)
    expect((err as Error).message).toMatch(new RegExp(`^the database ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is corrupt`))
  })

  it('lets several processes create and migrate one new file at once', async () => {
    const file = fresh()
    const storeModule = new URL('../../dist/store/index.js', import.meta.url).href
    const script = `
      const { openStore } = await import(${JSON.stringify(storeModule)});
      const s = openStore(${JSON.stringify(file)});
      const n = await s.mentions.count();
      await s.runs.start(Date.now());
      await s.close();
      console.log('ok', n);`
    const runs = Array.from({ length: 6 }, () =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const p = spawn(process.execPath, ['--input-type=module', '-e', script])
        let out = ''
        p.stdout.on('data', (d) => (out += d))
        p.stderr.on('data', (d) => (out += d))
        p.on('close', (code) => resolve({ code, out }))
      }),
    )
    const results = await Promise.all(runs)
    expect(results.map((r) => r.out.trim())).toEqual(Array(6).fill('ok 0'))
    const s = keep(openStore(file, { readOnly: true }))
    expect((await s.runs.last())?.id).toBe(6)
    expect(fs.readdirSync(path.dirname(file)).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
