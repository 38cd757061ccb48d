// Finding, reading and validating the config file. Every problem names the file and the key.
import path from 'node:path'
import type { z } from 'zod'
import type { Brand } from '../model.js'
import type { Rule } from '../rules/rules.js'
import { ConfigError } from '../errors.js'
import type { Source } from '../sources/types.js'
import { buildConfigSchema, type PullSettings, type RawConfig, type SourceEntry, type SourceOptions } from './schema.js'
import type { ConfigFs } from './find.js'
import { isPostgresUrl } from '../store/postgres/url.js'

export interface Config {
  /** Absolute path of the file it came from. */
  file: string
  database?: string
  brands: Brand[]
  sources: SourceEntry[]
  sentiment: { words: Record<string, number> }
  pull: PullSettings
  /** Routing rules, in order (see src/rules/rules.ts). */
  rules: Rule[]
}

export { findConfig, type ConfigFs } from './find.js'

export function formatIssuePath(p: readonly PropertyKey[]): string {
  let out = ''
  for (const part of p) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`
  return out || '(top level)'
}

function describeIssue(issue: z.core.$ZodIssue, kinds: readonly string[]): string {
  if (issue.code === 'unrecognized_keys') {
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling; see \`mentions init\` for a full example)`
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator === 'kind') {
    // Every known kind, not just the union's: the schema holds only the kinds the file uses.
    return `unknown source kind; use one of ${kinds.map((k) => `"${k}"`).join(', ')}`
  }
  return issue.message
}

export function parseConfig(text: string, file: string, sources: readonly Source[]): Config {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`)
  }
  const kinds = sources.map((s) => s.kind)
  const result = buildConfigSchema(sources, kindsIn(json)).safeParse(json)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${formatIssuePath(i.path)}: ${describeIssue(i, kinds)}`)
    throw new ConfigError(`${file}: invalid configuration\n${lines.join('\n')}`)
  }
  return toConfig(result.data, file)
}

/** The source kinds a parsed config file names (whatever else is wrong with it). */
export function kindsIn(json: unknown): Set<string> {
  const entries = typeof json === 'object' && json !== null ? (json as { sources?: unknown }).sources : undefined
  const kinds = new Set<string>()
  if (Array.isArray(entries)) {
    for (const e of entries) {
      const kind = typeof e === 'object' && e !== null ? (e as { kind?: unknown }).kind : undefined
      if (typeof kind === 'string') kinds.add(kind)
    }
  }
  return kinds
}

function toConfig(raw: RawConfig, file: string): Config {
  const sources: SourceEntry[] = raw.sources.map((entry) => {
    const { kind, ...options } = entry as { kind: string } & SourceOptions
    return { kind, options }
  })
  return {
    file,
    ...(raw.database !== undefined ? { database: isPostgresUrl(raw.database) ? raw.database : path.resolve(path.dirname(file), raw.database) } : {}),
    brands: raw.brands,
    sources,
    sentiment: raw.sentiment,
    pull: raw.pull,
    rules: raw.rules.map((r) => ({
      name: r.name,
      when: Object.fromEntries(Object.entries(r.when).filter(([, v]) => v !== undefined)) as Rule['when'],
      ...(r.assign !== undefined ? { assign: r.assign } : {}),
      ...(r.priority !== undefined ? { priority: r.priority } : {}),
      ...(r.tag !== undefined ? { tag: r.tag } : {}),
      ...(r.stop !== undefined ? { stop: r.stop } : {}),
    })),
  }
}

export function loadConfig(fs: ConfigFs, file: string, sources: readonly Source[]): Config {
  let text: string
  try {
    text = fs.read(file)
  } catch (err) {
    throw new ConfigError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`)
  }
  return parseConfig(text, file, sources)
}
