// End to end: `mentions match`, the built binary, a real config file, no database.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../support/deps.js'
import { runMentions, type CliResult } from '../support/cli.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

function mentions(args: string[], input = ''): Promise<CliResult> {
  return runMentions(args, { home: dir, input })
}

let dir: string
const config = {
  brands: [
    { name: 'Acme', terms: ['acme', '"acme cloud"'], exclude: ['"acme brick"'] },
    { name: 'NBA', terms: ['nba'], exclude: ['crash'] },
    { name: 'Notion', terms: ['notion'], require: ['app', 'workspace'], languages: ['en'] },
    { name: 'Globex', terms: ['globex'], competitor: true },
  ],
  sources: [{ kind: 'hackernews' }],
}

beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build`')
  dir = tempDir('mentions-e2e-match-')
  fs.writeFileSync(path.join(dir, 'mentions.config.json'), JSON.stringify(config))
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

type Report = {
  text: string
  language: { value: string | null; origin: string }
  match: { brands: string[]; terms: string[] } | null
  competitor: boolean
  brands: { brand: string; verdict: string; reason?: string; excludedBy: { text: string } | null; required: { found: { text: string } | null } | null }[]
}

describe('mentions match (built binary)', () => {
  it('explains stdin line by line as ndjson, and opens no database', async () => {
    const input = ['Acme Cloud beats Acme Brick', 'NBA player hurt in crash', 'El soporte de Notion app no responde desde hace tres días', 'Globex is hiring again'].join('\n')
    const r = await mentions(['match'], input)
    expect(r.code).toBe(0)
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Report)
    expect(out.map((o) => o.text)).toEqual(input.split('\n'))
    expect(out[0]?.match).toEqual({ brands: ['Acme'], terms: ['acme cloud'] })
    expect(out[1]?.match).toBeNull()
    expect(out[1]?.brands[1]).toMatchObject({ brand: 'NBA', verdict: 'dropped', reason: 'excluded', excludedBy: { text: 'crash' } })
    expect(out[2]?.language).toEqual({ value: 'es', origin: 'detected' })
    expect(out[2]?.brands[2]).toMatchObject({ verdict: 'dropped', reason: 'language', required: { found: { text: 'app' } } })
    expect(out[3]).toMatchObject({ match: { brands: ['Globex'] }, competitor: true })
    expect(fs.existsSync(path.join(dir, 'xdg-data'))).toBe(false)
  })

  it('restricts to one brand, takes --text, --lang and --json', async () => {
    const r = await mentions(['match', '--brand', 'notion', '--text', 'Notion workspace', '--lang', 'en-GB', '--json'])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as Report[]
    expect(out).toHaveLength(1)
    expect(out[0]?.brands.map((b) => b.brand)).toEqual(['Notion'])
    expect(out[0]?.language).toEqual({ value: 'en', origin: 'given' })
    expect(out[0]?.match).toEqual({ brands: ['Notion'], terms: ['notion'] })
  })

  it('prints a table with one row per brand and the reason', async () => {
    const r = await mentions(['match', '--format', 'table', '--text', 'NBA player hurt in crash'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/NBA\s+dropped: excluded by "crash"/)
    expect(r.stdout.trim().split('\n')).toHaveLength(1 + config.brands.length)
  })

  it('exits 2 on an unknown brand, a bad format or a bad config', async () => {
    const unknown = await mentions(['match', '--brand', 'Hooli', '--text', 'x'])
    expect(unknown).toMatchObject({ code: 2, stdout: '' })
    expect(unknown.stderr).toContain('unknown brand "Hooli"')
    expect((await mentions(['match', '--format', 'csv', '--text', 'x'])).code).toBe(2)
    const bad = path.join(dir, 'bad.json')
    fs.writeFileSync(bad, JSON.stringify({ ...config, brands: [{ name: 'Acme', terms: ['"acme cloud'] }] }))
    const r = await mentions(['--config', bad, 'match', '--text', 'x'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('brands[0].terms[0]: unbalanced double quote in "\\"acme cloud"')
  })
})
