import { describe, expect, it } from 'vitest'
import { configReadableWarning } from '../../src/config/env.js'

describe('configReadableWarning', () => {
  const plain = JSON.stringify({ brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews' }] }, null, 2)
  const keyed = JSON.stringify({ brands: [{ name: 'Acme' }], sources: [{ kind: 'devto', apiKey: 'abc123' }] }, null, 2)
  const url = JSON.stringify({ database: 'postgres://app:hunter2@db.example.com/mentions' })

  it('stays quiet for a config without secrets, whatever its mode', () => {
    expect(configReadableWarning('/c.json', 0o644, plain)).toBeUndefined()
  })

  it('warns about a readable config holding a key or a URL with a password, naming the fix', () => {
    expect(configReadableWarning('/c.json', 0o644, keyed)).toBe(
      '/c.json can be read by every user on this machine and looks like it holds a secret (better kept in the environment or a *_FILE); run chmod 600 /c.json',
    )
    expect(configReadableWarning('/c.json', 0o640, url)).toMatch(/can be read by its group/)
  })

  it('stays quiet when only the owner can read it', () => {
    expect(configReadableWarning('/c.json', 0o600, keyed)).toBeUndefined()
  })
})
