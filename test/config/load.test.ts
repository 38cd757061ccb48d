import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { findConfig, parseConfig } from '../../src/config/load.js'
import { parseDuration } from '../../src/config/duration.js'
import { expandFileSecrets } from '../../src/config/env.js'
import { defaultDatabasePath } from '../../src/config/paths.js'
import { ConfigError } from '../../src/errors.js'
import { sourceKinds, sources } from '../../src/sources/registry.js'

const registry = Object.values(sources)
const known = sourceKinds().map((k) => `"${k}"`).join(', ')
const good = {
  database: './data/m.db',
  brands: [{ name: 'Acme', terms: ['acme', '"acme cloud"'], exclude: ['acme brick'], require: [], languages: [], competitor: false, handles: { hackernews: ['acme_hq'] } }],
  sources: [{ kind: 'hackernews' }, { kind: 'rss', url: 'https://www.google.com/alerts/feeds/123/456' }],
}

const errorOf = (fn: () => unknown): ConfigError => {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('parseConfig', () => {
  it('asks which brand an owned channel (a place, a Page, an app) belongs to when it is not clear', async () => {
    const { z } = await import('zod')
    const owned = { ...sources.hackernews!, kind: 'reviews', options: z.object({ baseUrl: z.string().optional(), brand: z.string().optional() }) }
    const withOwned = [...registry, owned]
    const two = { ...good, brands: [...good.brands, { name: 'Globex', terms: ['globex'] }] }
    expect(errorOf(() => parseConfig(JSON.stringify({ ...two, sources: [{ kind: 'reviews' }] }), '/c.json', withOwned)).message).toMatch(
      /sources\[0\]\.brand.*add "brand": one of "Acme", "Globex"/s,
    )
    expect(errorOf(() => parseConfig(JSON.stringify({ ...two, sources: [{ kind: 'reviews', brand: 'Initech' }] }), '/c.json', withOwned)).message).toMatch(
      /sources\[0\]\.brand.*"Initech" is not a configured brand/s,
    )
    expect(() => parseConfig(JSON.stringify({ ...two, sources: [{ kind: 'reviews', brand: 'globex' }] }), '/c.json', withOwned)).not.toThrow()
    // One brand of our own: it is that one.
    expect(() => parseConfig(JSON.stringify({ ...good, sources: [{ kind: 'reviews' }] }), '/c.json', withOwned)).not.toThrow()
  })


  it('accepts the documented shape, fills defaults and resolves the database next to the file', () => {
    const c = parseConfig(JSON.stringify(good), '/etc/mentions/config.json', registry)
    expect(c.database).toBe(path.resolve('/etc/mentions/data/m.db'))
    expect(c.sources.map((s) => s.kind)).toEqual(['hackernews', 'rss'])
    expect(c.sources[0]?.options).toMatchObject({ baseUrl: 'https://hn.algolia.com' })
    expect(c.pull).toEqual({ since: '7d', concurrency: 4 })
    expect(c.brands[0]?.handles).toEqual({ hackernews: ['acme_hq'] })
  })

  it('names the file and the path of every problem', () => {
    const bad = { ...good, sources: [{ kind: 'hackernews' }, { kind: 'rss', url: 'not a url' }] }
    const err = errorOf(() => parseConfig(JSON.stringify(bad), 'mentions.config.json', registry))
    expect(err.message).toMatch(/^mentions\.config\.json: invalid configuration/)
    expect(err.message).toContain('sources[1].url: Invalid URL')
  })

  it('explains an unknown source kind and a misspelt key', () => {
    const bad = { ...good, sources: [{ kind: 'hackernewz' }, { kind: 'rss', url: 'https://x.test/f', maxItem: 3 }] }
    const msg = errorOf(() => parseConfig(JSON.stringify(bad), 'c.json', registry)).message
    expect(msg).toContain(`sources[0].kind: unknown source kind; use one of ${known}`)
    expect(msg).toMatch(/sources\[1\]: unknown key "maxItem"/)
  })

  it('rejects bad JSON, missing brands and bad durations with the key named', () => {
    expect(errorOf(() => parseConfig('{ nope', 'c.json', registry)).message).toMatch(/c\.json: not valid JSON/)
    expect(errorOf(() => parseConfig(JSON.stringify({ ...good, brands: [] }), 'c.json', registry)).message).toMatch(/brands: add at least one brand/)
    expect(errorOf(() => parseConfig(JSON.stringify({ ...good, pull: { since: 'soon' } }), 'c.json', registry)).message).toMatch(/pull\.since: expected a duration/)
    expect(errorOf(() => parseConfig(JSON.stringify({ ...good, sentiment: { words: { glitchy: -9 } } }), 'c.json', registry)).message).toMatch(/sentiment\.words\.glitchy/)
  })
})

describe('parseConfig: brands', () => {
  const withBrands = (brands: object[]) => JSON.stringify({ ...good, brands })
  const acme = good.brands[0] as (typeof good.brands)[number]
  const msg = (brands: object[]) => errorOf(() => parseConfig(withBrands(brands), 'c.json', registry)).message

  it('rejects a term with an unbalanced quote, naming the key', () => {
    expect(msg([{ ...acme, terms: ['acme', '"acme cloud'] }])).toContain('brands[0].terms[1]: unbalanced double quote in "\\"acme cloud"')
    expect(msg([{ ...acme, exclude: ['brick"'] }])).toContain('brands[0].exclude[0]: unbalanced double quote')
    expect(msg([{ ...acme, require: ['"app" "notes"'] }])).toContain('brands[0].require[0]: double quotes go around the whole term')
  })

  it('rejects empty terms, exclusions and required words', () => {
    expect(msg([{ ...acme, terms: ['acme', '""'] }])).toContain('brands[0].terms[1]: empty term')
    expect(msg([{ ...acme, exclude: ['   '] }])).toContain('brands[0].exclude[0]: empty term')
    expect(msg([{ ...acme, require: ['" "'] }])).toContain('brands[0].require[0]: empty term')
  })

  it('rejects two brands with the same name, ignoring case', () => {
    expect(msg([acme, { ...acme, name: 'ACME ' }])).toContain('brands[1].name: duplicate brand name "ACME" (brands[0].name')
  })

  it('rejects handles for a source kind that is not registered', () => {
    expect(msg([{ ...acme, handles: { hackernews: ['a'], twitter: ['acme'] } }])).toContain(`brands[0].handles.twitter: unknown source kind "twitter"; use one of ${known}`)
  })

  it('accepts exclude, require, languages and competitor', () => {
    const c = parseConfig(withBrands([acme, { name: 'Globex', terms: ['globex'], exclude: ['crash'], require: ['app'], languages: ['en'], competitor: true }]), 'c.json', registry)
    expect(c.brands[1]).toEqual({ name: 'Globex', terms: ['globex'], exclude: ['crash'], require: ['app'], languages: ['en'], competitor: true, handles: {} })
  })
})

describe('findConfig', () => {
  const files = new Set(['/work/mentions.config.json', '/home/u/.config/mentions/config.json', '/x/explicit.json'])
  const fs = { exists: (p: string) => files.has(p), read: () => '' }
  it('uses --config, then MENTIONS_CONFIG, then ./mentions.config.json, then XDG_CONFIG_HOME', () => {
    expect(findConfig(fs, {}, '/work', '/home/u', '/x/explicit.json')).toBe('/x/explicit.json')
    expect(findConfig(fs, { MENTIONS_CONFIG: '/x/explicit.json' }, '/work', '/home/u')).toBe('/x/explicit.json')
    expect(findConfig(fs, {}, '/work', '/home/u')).toBe('/work/mentions.config.json')
    expect(findConfig(fs, {}, '/elsewhere', '/home/u')).toBe('/home/u/.config/mentions/config.json')
    expect(findConfig(fs, { XDG_CONFIG_HOME: '/nowhere' }, '/elsewhere', '/home/u')).toBeUndefined()
  })
  it('fails when an explicitly named file does not exist', () => {
    expect(() => findConfig(fs, {}, '/work', '/home/u', 'missing.json')).toThrow(/missing\.json: no such file \(from --config\)/)
  })
  it('puts the default database under XDG_DATA_HOME', () => {
    expect(defaultDatabasePath({}, '/home/u')).toBe('/home/u/.local/share/mentions/mentions.db')
    expect(defaultDatabasePath({ XDG_DATA_HOME: '/data' }, '/home/u')).toBe('/data/mentions/mentions.db')
    expect(defaultDatabasePath({ XDG_DATA_HOME: 'relative' }, '/home/u')).toBe('/home/u/.local/share/mentions/mentions.db')
  })
})

describe('durations and secrets', () => {
  it('parses durations with units only', () => {
    expect(parseDuration('24h')).toBe(86_400_000)
    expect(parseDuration('7d')).toBe(604_800_000)
    expect(parseDuration('7')).toBeUndefined()
    expect(parseDuration('-1d')).toBeUndefined()
    expect(parseDuration('soon')).toBeUndefined()
  })
  it('reads NAME_FILE only for declared names and never overrides a set value', () => {
    const read = (p: string) => (p === '/run/secrets/token' ? 'sekret\n' : (() => { throw Object.assign(new Error('x'), { code: 'ENOENT' }) })())
    const { env, problems } = expandFileSecrets(
      { TOKEN_FILE: '/run/secrets/token', SET: 'given', SET_FILE: '/run/secrets/token', OTHER_FILE: '/nope', BAD_FILE: '/nope' },
      ['TOKEN', 'SET', 'BAD'],
      read,
    )
    expect(env.TOKEN).toBe('sekret')
    expect(env.SET).toBe('given')
    expect(env.OTHER).toBeUndefined()
    expect(problems).toEqual(['BAD_FILE: cannot read /nope (ENOENT)'])
  })
})
