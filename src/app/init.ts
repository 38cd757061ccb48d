// `mentions init`: the starting files, as data. The CLI decides where they go.
import { configJsonSchema } from '../config/schema.js'
import { UsageError } from '../errors.js'
import type { Source } from '../sources/types.js'

export const SCHEMA_FILE_NAME = 'mentions.schema.json'

/** Every environment variable mentions reads, besides those the sources declare. */
export const TOOL_ENV: readonly { name: string; why: string }[] = [
  { name: 'MENTIONS_CONFIG', why: 'config file path (instead of ./mentions.config.json)' },
  { name: 'MENTIONS_DB', why: 'SQLite database path (instead of the config "database")' },
  { name: 'MENTIONS_DATABASE_URL', why: 'PostgreSQL URL with its password, for a team (instead of the config "database")' },
  { name: 'MENTIONS_USER', why: 'who you are in the triage log (default: $USER)' },
  { name: 'MENTIONS_DEBUG', why: 'set to print stack traces with errors' },
  { name: 'XDG_CONFIG_HOME', why: 'where the config is looked for (default ~/.config)' },
  { name: 'XDG_DATA_HOME', why: 'where the default database lives (default ~/.local/share)' },
  { name: 'HTTPS_PROXY', why: 'proxy for https requests (also HTTP_PROXY, NO_PROXY)' },
  { name: 'HTTP_PROXY', why: 'proxy for http requests' },
  { name: 'NO_PROXY', why: 'hosts that bypass the proxy' },
  { name: 'NO_COLOR', why: 'set to turn colour off' },
  { name: 'FORCE_COLOR', why: 'set to 1-3 to force colour off a terminal (NO_COLOR still wins)' },
]

/** The brand name init writes, trimmed; an empty or blank one is a usage error, not "Acme". */
export function brandName(given: unknown): string {
  if (given === undefined) return 'Acme'
  const name = typeof given === 'string' ? given.trim() : ''
  if (name === '') throw new UsageError('--brand needs a name (e.g. --brand "Acme Cloud")')
  return name
}

export function starterConfig(brand: string): object {
  const term = brand.toLowerCase()
  return {
    $schema: `./${SCHEMA_FILE_NAME}`,
    database: './mentions.db',
    brands: [
      {
        name: brand,
        terms: term.includes(' ') ? [`"${term}"`] : [term],
        // Every brand key, at its default, so the file shows what can be set.
        exclude: [],
        require: [],
        languages: [],
        competitor: false,
        handles: { hackernews: [] },
      },
    ],
    sources: [
      { kind: 'hackernews' },
      { kind: 'rss', url: `https://hnrss.org/newest?q=${encodeURIComponent(brand)}&search_attrs=default` },
    ],
    sentiment: { words: {} },
    pull: { since: '7d', concurrency: 4 },
  }
}

export function envExample(sources: readonly Source[]): string {
  const lines = [
    '# Environment variables mentions reads. Copy to .env (never commit it) and fill in what you use.',
    '# Any secret can also be given as NAME_FILE=/path/to/file holding the value.',
    '',
    ...TOOL_ENV.map((v) => `# ${v.why}\n# ${v.name}=`),
  ]
  const seen = new Set<string>()
  for (const s of sources) {
    for (const r of s.requires) {
      if (seen.has(r.env)) continue
      seen.add(r.env)
      lines.push(`# ${s.kind}: ${r.why}${r.optional ? ' (optional)' : ''}\n${r.optional ? '# ' : ''}${r.env}=`)
    }
  }
  return `${lines.join('\n')}\n`
}

export function initFiles(brand: string, sources: readonly Source[]): { name: string; content: string }[] {
  return [
    { name: 'mentions.config.json', content: `${JSON.stringify(starterConfig(brand), null, 2)}\n` },
    { name: SCHEMA_FILE_NAME, content: `${JSON.stringify(configJsonSchema(sources), null, 2)}\n` },
    { name: '.env.example', content: envExample(sources) },
  ]
}

export interface InitPlan {
  /** Files to write: missing ones, or every one with --force. */
  write: { name: string; content: string }[]
  /** Files that exist and are left alone. */
  keep: string[]
}

/** Writes what is missing and leaves the rest alone, unless forced. */
export function planInit(
  files: readonly { name: string; content: string }[],
  exists: (name: string) => boolean,
  force: boolean,
): InitPlan {
  const plan: InitPlan = { write: [], keep: [] }
  for (const f of files) {
    if (!force && exists(f.name)) plan.keep.push(f.name)
    else plan.write.push(f)
  }
  return plan
}
