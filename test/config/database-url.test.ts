// A PostgreSQL URL as the database: kept as written (not resolved as a path), refused in the
// config when it carries a password, and described for messages without the password.
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../src/config/load.js'
import { expandFileSecrets } from '../../src/config/env.js'
import { ConfigError } from '../../src/errors.js'
import { sources } from '../../src/sources/registry.js'
import { describePostgresUrl, hasUrlPassword, isPostgresUrl, scrubSecret } from '../../src/store/postgres/url.js'

const registry = Object.values(sources)
const base = { brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'hackernews' }] }

describe('the database as a PostgreSQL URL', () => {
  it('keeps a URL without a password as written', () => {
    const c = parseConfig(JSON.stringify({ ...base, database: 'postgres://app@db.internal:5433/mentions?sslmode=require' }), '/etc/m/config.json', registry)
    expect(c.database).toBe('postgres://app@db.internal:5433/mentions?sslmode=require')
  })

  it('refuses a URL with a password in the config, naming the key and where the URL belongs, without echoing it', () => {
    let err: unknown
    try {
      parseConfig(JSON.stringify({ ...base, database: 'postgresql://app:hunter2@db.internal/mentions' }), '/etc/m/config.json', registry)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigError)
    expect((err as Error).message).toMatch(/database: .*MENTIONS_DATABASE_URL/)
    expect((err as Error).message).not.toContain('hunter2')
  })

  it('reads MENTIONS_DATABASE_URL from a _FILE', () => {
    const { env } = expandFileSecrets({ MENTIONS_DATABASE_URL_FILE: '/run/secrets/db' }, ['MENTIONS_DATABASE_URL'], () => 'postgres://a:b@h/d\n')
    expect(env.MENTIONS_DATABASE_URL).toBe('postgres://a:b@h/d')
  })

  it('describes a URL without its password or query, and scrubs the password from any message', () => {
    const url = 'postgres://app:p%40ss%3Aword@db.example.com:6543/team?sslmode=verify-full&password=x'
    expect(isPostgresUrl(url)).toBe(true)
    expect(isPostgresUrl('/var/lib/mentions.db')).toBe(false)
    expect(hasUrlPassword(url)).toBe(true)
    expect(hasUrlPassword('postgres://app@db/team')).toBe(false)
    expect(describePostgresUrl(url)).toBe('postgres://app@db.example.com:6543/team')
    expect(scrubSecret(`failed for ${url}: p@ss:word rejected`, url)).toBe('failed for postgres://app@db.example.com:6543/team: *** rejected')
  })
})
