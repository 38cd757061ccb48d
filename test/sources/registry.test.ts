import { z } from 'zod'
import { describe, expect, it } from 'vitest'
import { getSource, sourceKinds, sources } from '../../src/sources/registry.js'

describe('source registry', () => {
  it('registers each adapter under its own kind', () => {
    // Sorted, and the first two adapters are always there.
    expect(sourceKinds()).toEqual([...sourceKinds()].sort())
    expect(sourceKinds()).toEqual(expect.arrayContaining(['hackernews', 'rss']))
    for (const [kind, source] of Object.entries(sources)) expect(source.kind).toBe(kind)
  })

  it('exposes options as a z.object without `kind` (the config schema adds it)', () => {
    for (const source of Object.values(sources)) {
      expect(source.options).toBeInstanceOf(z.ZodObject)
      expect(Object.keys((source.options as z.ZodObject).shape)).not.toContain('kind')
      expect(Object.keys((source.options as z.ZodObject).shape)).toContain('baseUrl')
    }
  })

  it('looks sources up by kind and names the known kinds for an unknown one', () => {
    expect(getSource('rss').scope).toBe('feed')
    expect(getSource('hackernews').scope).toBe('brand')
    expect(() => getSource('myspace')).toThrow(`unknown source kind "myspace" (known: ${sourceKinds().join(', ')})`)
    expect(() => getSource('toString')).toThrow(/unknown source kind/)
  })
})
