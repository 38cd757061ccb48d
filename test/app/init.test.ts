import fs from 'node:fs'
import { describe, expect, it } from 'vitest'
import { brandName, envExample, initFiles, planInit, TOOL_ENV } from '../../src/app/init.js'
import { UsageError } from '../../src/errors.js'
import { parseConfig } from '../../src/config/load.js'
import { sources } from '../../src/sources/registry.js'

const registry = Object.values(sources)

describe('init', () => {
  it('writes a starter config that our own loader accepts, for one-word and multi-word brands', () => {
    for (const brand of ['Acme', 'Acme Cloud']) {
      const config = initFiles(brand, registry).find((f) => f.name === 'mentions.config.json')!
      const parsed = parseConfig(config.content, 'mentions.config.json', registry)
      expect(parsed.brands[0]?.name).toBe(brand)
      expect(parsed.sources.map((s) => s.kind)).toEqual(['hackernews', 'rss'])
    }
    expect(JSON.parse(initFiles('Acme Cloud', registry)[0]!.content).brands[0].terms).toEqual(['"acme cloud"'])
  })

  it('generates a JSON Schema that knows every source kind and its options', () => {
    const schema = initFiles('Acme', registry).find((f) => f.name === 'mentions.schema.json')!.content
    const text = JSON.stringify(JSON.parse(schema))
    for (const kind of Object.keys(sources)) expect(text).toContain(`"const":"${kind}"`)
    expect(text).toContain('"maxPages"')
    expect(text).toContain('"additionalProperties":false')
  })

  it('keeps the committed .env.example equal to what the code reads', () => {
    const committed = fs.readFileSync(new URL('../../.env.example', import.meta.url), 'utf8')
    expect(committed).toBe(envExample(registry))
    for (const v of TOOL_ENV) expect(committed).toContain(`${v.name}=`)
  })

  it('refuses an empty or blank brand instead of writing one nobody asked for', () => {
    for (const bad of ['', '   ', '\t']) expect(() => brandName(bad)).toThrow(UsageError)
    expect(() => brandName('')).toThrow(/--brand needs a name/)
    expect(brandName('  Acme Cloud ')).toBe('Acme Cloud')
    expect(brandName(undefined)).toBe('Acme')
  })

  it('writes every brand key with its default', () => {
    const config = JSON.parse(initFiles('Acme', registry)[0]!.content) as { brands: Record<string, unknown>[] }
    expect(config.brands[0]).toMatchObject({ exclude: [], require: [], languages: [], competitor: false })
    const parsed = parseConfig(JSON.stringify(config), 'mentions.config.json', registry)
    expect(parsed.brands[0]).toMatchObject({ require: [], languages: [], competitor: false })
  })

  it('plans to write only the missing files, and all of them with force', () => {
    const files = initFiles('Acme', registry)
    const exists = (name: string) => name === '.env.example'
    const plan = planInit(files, exists, false)
    expect(plan.write.map((f) => f.name)).toEqual(['mentions.config.json', 'mentions.schema.json'])
    expect(plan.keep).toEqual(['.env.example'])
    const forced = planInit(files, exists, true)
    expect(forced.write).toHaveLength(3)
    expect(forced.keep).toEqual([])
  })
})
