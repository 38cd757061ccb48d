// What a command loads before it does anything: read commands must not pay for the HTTP
// client, the feed and HTML parsers, or the option schemas of sources they do not use.
import { execFile } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SOURCE_CATALOG } from '../../src/sources/catalog.js'
import { sources } from '../../src/sources/registry.js'
import { openStore } from '../../src/store/index.js'
import { tempDir } from '../support/deps.js'

const root = fileURLToPath(new URL('../../', import.meta.url))
const bin = path.join(root, 'bin', 'mentions.js')
const hook = pathToFileURL(path.join(root, 'test', 'support', 'module-log', 'register.mjs')).href

interface Run {
  code: number
  stdout: string
  stderr: string
  modules: string[]
}

let dir: string
let db: string
let runs = 0

function mentions(args: string[], cwd: string, input = ''): Promise<Run> {
  const log = path.join(dir, `modules-${++runs}.log`)
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', hook, bin, ...args],
      { cwd, env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg'), XDG_DATA_HOME: path.join(dir, 'xdg'), MENTIONS_MODULE_LOG: log }, encoding: 'utf8' },
      (err, stdout, stderr) => {
        const code = err && typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 0
        const modules = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
        resolve({ code, stdout, stderr, modules })
      },
    )
    child.stdin?.end(input)
  })
}

const pkg = (name: string) => new RegExp(`/node_modules/${name}/`)
const dist = (p: string) => new RegExp(`/dist/${p}$`)
const HEAVY = [pkg('undici'), pkg('feedsmith'), pkg('htmlparser2'), pkg('zod'), dist('net/client\\.js'), dist('sources/registry\\.js')]
const loadedAny = (modules: string[], patterns: RegExp[]) => modules.filter((m) => patterns.some((p) => p.test(m)))
const adapter = (kind: string) => dist(`sources/${kind}\\.js`)

beforeAll(async () => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build`')
  dir = tempDir('mentions-startup-')
  db = path.join(dir, 'm.db')
  await openStore(db).close()
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

describe('start-up of read commands', () => {
  it('the light catalog names every registered kind and its secrets', () => {
    expect(SOURCE_CATALOG.map((m) => m.kind)).toEqual(Object.keys(sources))
    for (const m of SOURCE_CATALOG) expect(m.env).toEqual(sources[m.kind]?.requires.map((r) => r.env))
  })

  it('loads each adapter on demand, the same object the registry holds', async () => {
    for (const m of SOURCE_CATALOG) expect(await m.load()).toBe(sources[m.kind])
  })

  it('queue, search, stats and log over a database never load the HTTP client, parsers, zod or the registry', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'noconfig-'))
    for (const args of [['queue', 'all'], ['search', 'outage'], ['stats'], ['log'], ['queue', 'negative', '--source', 'rss'], ['digest'], ['digest', '--format', 'html']]) {
      const r = await mentions([...args, '--db', db], cwd)
      expect(r.stderr).toBe('')
      expect(r.code).toBe(0)
      expect(r.modules.length).toBeGreaterThan(10) // the hook saw the command's own modules
      // From the bundle (scripts/bundle.mjs): fewer files than the modules they hold.
      const files = r.modules.filter((m) => /\/dist\/bin\/[^/]+\.js$/.test(m))
      expect(files.some((m) => m.endsWith('/dist/bin/main.js'))).toBe(true)
      expect(files.length).toBeLessThan(r.modules.filter((m) => /\/dist\/(?!bin\/)/.test(m)).length / 1.5)
      expect(loadedAny(r.modules, HEAVY)).toEqual([])
      expect(loadedAny(r.modules, SOURCE_CATALOG.map((m) => adapter(m.kind)))).toEqual([])
      // Listing never scores: the lexicon and its rules stay unloaded.
      expect(loadedAny(r.modules, [dist('sentiment/scorer\\.js'), dist('sentiment/lexicon\\.js')])).toEqual([])
      // A SQLite file loads its engine alone, not the PostgreSQL store's.
      expect(loadedAny(r.modules, [dist('store/sqlite/mentions\\.js')])).toHaveLength(1)
      expect(loadedAny(r.modules, [/\/dist\/store\/postgres\/(?!url\.js)/, pkg('pg')])).toEqual([])
    }
  })

  it("bundles better-sqlite3's JavaScript with the SQLite engine: its files are not loaded one by one", () => {
    // Loaded from node_modules, an ES module importing its CommonJS files cost 6–12 ms of each
    // start (scripts/bundle.mjs); the addon itself still comes from the package.
    const meta = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'bin', 'meta.json'), 'utf8')) as Record<string, string[]>
    const holders = Object.entries(meta).filter(([, inputs]) => inputs.includes('node_modules/better-sqlite3/lib/database.js'))
    expect(holders).toHaveLength(1)
    expect(holders[0]?.[1]).toContain('dist/store/sqlite/open.js')
  })

  it('loads neither child_process nor tty, whose only users in the bundle never need them', async () => {
    // scripts/bundle.mjs: commander's child_process loads on first use, and chalk's colour
    // detection (the tty module) is left out: the CLI decides the colour level itself.
    const log = path.join(dir, 'builtins.log')
    const preload = `data:text/javascript,${encodeURIComponent(`import fs from 'node:fs'; process.on('exit', () => fs.writeFileSync(${JSON.stringify(log)}, process.moduleLoadList.join('\\n')))`)}`
    for (const args of [['queue', 'negative'], ['export', '--format', 'csv'], ['digest']]) {
      const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(process.execPath, ['--import', preload, bin, ...args, '--db', db], { cwd: dir, env: { PATH: process.env.PATH ?? '', HOME: dir, NO_COLOR: '1' }, encoding: 'utf8' }, (err, _stdout, stderr) =>
          resolve({ code: err ? 1 : 0, stderr }),
        )
      })
      expect(r).toEqual({ code: 0, stderr: '' })
      const builtins = fs.readFileSync(log, 'utf8').split('\n')
      expect(builtins).toContain('NativeModule fs')
      expect(builtins.filter((m) => /^NativeModule (child_process|tty)$/.test(m))).toEqual([])
    }
  })

  it('score loads the scorer (and nothing of the network) and works', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'score-'))
    const r = await mentions(['score', '--db', db], cwd, 'support never answered\n')
    expect(r.code).toBe(0)
    expect(loadedAny(r.modules, [dist('sentiment/scorer\\.js')])).toHaveLength(1)
    expect(loadedAny(r.modules, HEAVY)).toEqual([])
    // Scoring text opens no database: neither engine, nor better-sqlite3, is loaded.
    expect(loadedAny(r.modules, [dist('store/sqlite/index\\.js'), dist('store/postgres/index\\.js'), pkg('better-sqlite3')])).toEqual([])
    expect(r.stdout).toMatch(/negative/)
  })

  it('with a config, loads the adapters of the configured kinds only, and validates it as before', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'config-'))
    const config = { database: db, brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews' }] }
    fs.writeFileSync(path.join(cwd, 'mentions.config.json'), JSON.stringify(config))
    const r = await mentions(['queue', 'all', '--brand', 'Acme'], cwd)
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(loadedAny(r.modules, [adapter('hackernews')])).toHaveLength(1)
    // (its comment HTML parser comes with it; feedsmith belongs to rss alone)
    expect(loadedAny(r.modules, [adapter('rss'), adapter('reddit'), pkg('feedsmith'), dist('sources/registry\\.js')])).toEqual([])

    const wrongBrand = await mentions(['queue', 'all', '--brand', 'Nope'], cwd)
    expect(wrongBrand).toMatchObject({ code: 2 })
    expect(wrongBrand.stderr).toContain('unknown brand "Nope" (configured: Acme)')
  })

  it('an unknown kind in the config is still reported with every known kind', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'badkind-'))
    const config = { database: db, brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews' }, { kind: 'myspace' }] }
    fs.writeFileSync(path.join(cwd, 'mentions.config.json'), JSON.stringify(config))
    const r = await mentions(['queue', 'all', '--brand', 'Acme'], cwd)
    expect(r.code).toBe(2)
    const all = SOURCE_CATALOG.map((m) => `"${m.kind}"`).join(', ')
    expect(r.stderr).toContain(`sources[1].kind: unknown source kind; use one of ${all}`)
  })

  it('pull and sources still load the whole registry', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'sources-'))
    const config = { database: db, brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews' }] }
    fs.writeFileSync(path.join(cwd, 'mentions.config.json'), JSON.stringify(config))
    const r = await mentions(['sources'], cwd)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('hackernews')
    expect(loadedAny(r.modules, [dist('sources/registry\\.js')])).toHaveLength(1)
  })
})
