import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { prepareMatch, selectBrands } from '../../src/app/match.js'
import { UsageError } from '../../src/errors.js'
import type { Brand } from '../../src/model.js'
import { tempDir, testDeps } from '../support/deps.js'

const brand = (name: string, more: Partial<Brand> = {}): Brand => ({
  name, terms: [name.toLowerCase()], exclude: [], require: [], languages: [], competitor: false, handles: {}, ...more,
})
const brands = [brand('Acme', { exclude: ['"acme brick"', 'hiring'] }), brand('NBA', { exclude: ['crash'] }), brand('Notion', { require: ['app'], languages: ['en'] })]
const dir = tempDir()
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))
const dbFile = path.join(dir, 'never.db')
const deps = () => testDeps({ config: { brands, sources: [{ kind: 'hackernews', options: {} }] }, dbFile })

describe('prepareMatch', () => {
  it('explains every brand for a text and never opens the database', async () => {
    const explain = await prepareMatch(deps())
    const r = explain('NBA player hurt in crash; Acme Brick and Acme are hiring')
    expect(r.match).toBeNull()
    expect(r.brands.map((b) => [b.brand, b.verdict, b.reason])).toEqual([
      ['Acme', 'dropped', 'excluded'],
      ['NBA', 'dropped', 'excluded'],
      ['Notion', 'dropped', 'no-term'],
    ])
    expect(r.brands[0]?.discounted.map((d) => d.text)).toEqual(['Acme Brick'])
    expect(r.language).toEqual({ value: 'en', origin: 'detected' })
    expect(fs.existsSync(dbFile)).toBe(false)
  })

  it('says unknown for a scrap, and keeps a language-restricted brand then', async () => {
    const r = (await prepareMatch(deps()))('notion app')
    expect(r.language).toEqual({ value: null, origin: 'unknown' })
    expect(r.match).toEqual({ brands: ['Notion'], terms: ['notion'] })
  })

  it('takes a given language, as a source would pass it', async () => {
    const r = (await prepareMatch(deps(), { lang: 'de-DE' }))('notion app is great for writing my notes every day')
    expect(r.language).toEqual({ value: 'de', origin: 'given' })
    expect(r.brands[2]).toMatchObject({ verdict: 'dropped', reason: 'language' })
    await expect(prepareMatch(deps(), { lang: 'german' })).rejects.toBeInstanceOf(UsageError)
  })

  it('restricts to one brand by name, ignoring case; an unknown one is a usage error', async () => {
    const r = (await prepareMatch(deps(), { brand: 'nba' }))('NBA finals tonight')
    expect(r.brands.map((b) => b.brand)).toEqual(['NBA'])
    expect(r.match).toEqual({ brands: ['NBA'], terms: ['nba'] })
    expect(() => selectBrands(brands, 'Globex')).toThrow(/unknown brand "Globex"; configured: "Acme", "NBA", "Notion"/)
    await expect(prepareMatch(deps(), { brand: 'Globex' })).rejects.toBeInstanceOf(UsageError)
  })
})
