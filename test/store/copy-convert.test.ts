// Values on their way into PostgreSQL during `mentions db copy`.
import { describe, expect, it } from 'vitest'
import { toPostgres } from '../../src/store/copy/convert.js'

describe('toPostgres', () => {
  it('makes text PostgreSQL cannot hold storable, in text and in JSON, and leaves the rest alone', () => {
    expect(toPostgres('a\u0000b', { name: 'text', kind: 'text' })).toBe('a\ufffdb')
    expect(toPostgres('lone \ud800 half', { name: 'text', kind: 'text' })).toBe('lone \ufffd half')
    expect(toPostgres({ 'k\u0000': ['v\u0000'] }, { name: 'detail', kind: 'json' })).toBe('{"k\ufffd":["v\ufffd"]}')
    expect(toPostgres('plain', { name: 'text', kind: 'text' })).toBe('plain')
    expect(toPostgres(true, { name: 'is_own', kind: 'bool' })).toBe(true)
    expect(toPostgres(null, { name: 'title', kind: 'text' })).toBeNull()
  })
})
