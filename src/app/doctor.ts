// `mentions doctor`: is this installation able to run unattended? The facts are gathered
// once (gatherDoctorFacts: files, environment, database, last pulls, hosts); every check is a
// pure function over them (DOCTOR_CHECKS), each returning one finding per problem, with its
// fix. A new check is one more function in that list, over a new fact if it needs one.
import { ConfigError, NoDatabaseError, StoreError } from '../errors.js'
import { HttpError, NetworkError, type Http } from '../net/types.js'
import { isSecretParamName } from '../net/redact.js'
import { networkReason } from '../net/webhook.js'
import type { DatabaseHealth } from '../store/index.js'
import type { PgServerFacts } from '../store/postgres/server.js'
import { describePostgresUrl, isPostgresUrl } from '../store/postgres/url.js'
import type { Deps } from './deps.js'
import { planTasks } from './pull.js'
import { listSources, type SourceStatus } from './sources.js'

export type DoctorArea = 'config' | 'credentials' | 'files' | 'database' | 'sources' | 'network'

export interface Finding {
  area: DoctorArea
  /** What is wrong, in one line (no secrets: names of variables, never their values). */
  problem: string
  /** What to do about it. */
  fix: string
}

/** What the file system says of one path: permission bits, size; undefined when it is absent. */
export interface FileFacts {
  path: string
  mode: number
  size: number
}

export interface DoctorFacts {
  /** The loaded config's file, or the error that stopped it loading. */
  config: { file: string | null; error: string | null; stat: FileFacts | undefined; holdsSecrets: boolean }
  /** Every configured source task, with the variables it reads and how its last pull went. */
  sources: SourceStatus[]
  /** `NAME_FILE` secrets: where they point and whether they could be read. */
  secretFiles: { variable: string; path: string; readable: boolean; stat: FileFacts | undefined }[]
  database: {
    path: string | null
    file: FileFacts | undefined
    wal: FileFacts | undefined
    folder: FileFacts | undefined
    health: DatabaseHealth | undefined
    /** Why it could not be opened or checked. */
    error: string | null
  }
  /** A PostgreSQL database (null for an SQLite file): what its server said, or why it would not. */
  postgres?: { server: PgServerFacts | undefined; error: string | null } | null
  /** Null when skipped (--offline). */
  reachability: { host: string; reachable: boolean; detail: string }[] | null
}

export type DoctorCheck = (facts: DoctorFacts) => Finding[]

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, '0')}`
const worldReadable = (f: FileFacts | undefined) => f !== undefined && (f.mode & 0o004) !== 0
/** A folder others may list or enter: its files' names and any file they may read are exposed. */
const folderOpen = (f: FileFacts | undefined) => f !== undefined && (f.mode & 0o005) !== 0

/** A WAL this large means checkpoints are not keeping up (a reader left open, a full disk). */
export const WAL_WARN_BYTES = 64 * 1024 * 1024

export const checkConfig: DoctorCheck = ({ config }) => {
  if (config.error) {
    // A config error lists each bad key on its own line; a finding is one line per key.
    const [head, ...keys] = config.error.split('\n').map((l) => l.trim()).filter(Boolean)
    const lines = keys.length ? keys.map((k) => `${head?.replace(/: invalid configuration$/, '')}: ${k}`) : [head ?? config.error]
    return lines.map((problem) => ({ area: 'config', problem, fix: 'edit the file (mentions init writes a full example and its JSON Schema)' }))
  }
  if (!config.file) return [{ area: 'config', problem: 'no configuration found', fix: 'run `mentions init`, or pass --config PATH (or set MENTIONS_CONFIG)' }]
  return []
}

export const checkCredentials: DoctorCheck = ({ sources }) => {
  const out: Finding[] = []
  const seen = new Set<string>()
  for (const s of sources) {
    for (const e of s.env) {
      const key = `${s.source}\0${e.name}`
      if (e.set || e.optional || seen.has(key)) continue
      seen.add(key)
      out.push({ area: 'credentials', problem: `${s.source} needs ${e.name} (${e.why}), which is not set`, fix: `set ${e.name} in the environment or .env, or ${e.name}_FILE to a file holding it` })
    }
  }
  return out
}

export const checkSecretFiles: DoctorCheck = ({ secretFiles }) =>
  secretFiles.flatMap((f): Finding[] => {
    if (!f.readable) return [{ area: 'credentials', problem: `${f.variable} points at ${f.path}, which cannot be read`, fix: `check the path and its permissions (the file must be readable by this user)` }]
    if (worldReadable(f.stat)) return [{ area: 'files', problem: `${f.variable}: ${f.path} is readable by everyone (mode ${octal(f.stat!.mode)})`, fix: `chmod 600 ${f.path}` }]
    return []
  })

export const checkFileModes: DoctorCheck = ({ config, database }) => {
  const out: Finding[] = []
  if (config.holdsSecrets && worldReadable(config.stat)) {
    out.push({ area: 'files', problem: `${config.stat!.path} holds secret-looking URL parameters and is readable by everyone (mode ${octal(config.stat!.mode)})`, fix: `chmod 600 ${config.stat!.path} (better: move the secrets to the environment or .env)` })
  }
  for (const [what, f] of [['database', database.file], ['database WAL', database.wal]] as const) {
    if (worldReadable(f)) out.push({ area: 'files', problem: `the ${what} ${f!.path} is readable by everyone (mode ${octal(f!.mode)})`, fix: `chmod 600 ${f!.path}` })
  }
  if (folderOpen(database.folder)) {
    out.push({ area: 'files', problem: `the database folder ${database.folder!.path} is open to everyone (mode ${octal(database.folder!.mode)})`, fix: `chmod 700 ${database.folder!.path}` })
  }
  return out
}

export const checkDatabase: DoctorCheck = ({ database, postgres }) => {
  // A server has no file to find, stat or integrity-check: checkPostgres speaks for it.
  if (postgres) return []
  if (database.error) return [{ area: 'database', problem: database.error, fix: 'move the file aside and restore a backup, or pull into a new file with --db' }]
  if (!database.path) return []
  if (!database.file) return [{ area: 'database', problem: `no database at ${database.path} yet`, fix: 'run `mentions pull` (or check --db / MENTIONS_DB)' }]
  const h = database.health
  if (!h) return []
  const out: Finding[] = []
  if (h.problems.length) {
    out.push({ area: 'database', problem: `${database.path} failed its integrity check: ${h.problems.slice(0, 3).join('; ')}${h.problems.length > 3 ? ` (and ${h.problems.length - 3} more)` : ''}`, fix: 'move the file aside and restore a backup, or pull into a new file with --db' })
  }
  if (h.schemaVersion !== h.knownVersion) {
    out.push({ area: 'database', problem: `${database.path} has schema version ${h.schemaVersion}; this mentions knows ${h.knownVersion}`, fix: h.schemaVersion < h.knownVersion ? 'run `mentions pull` as the file\'s owner (it upgrades the schema)' : 'upgrade mentions' })
  }
  if (database.wal && database.wal.size > WAL_WARN_BYTES) {
    out.push({ area: 'database', problem: `the WAL ${database.wal.path} is ${Math.round(database.wal.size / 1048576)} MiB: checkpoints are not keeping up`, fix: 'stop long-running mentions processes and check free disk space; the next write checkpoints it' })
  }
  return out
}

/** Round trips slower than this make every queue and every page of a pull wait visibly. */
export const PG_LATENCY_WARN_MS = 50
const MIN_PG_VERSION = 13

export const checkPostgres: DoctorCheck = ({ postgres }) => {
  if (!postgres) return []
  if (postgres.error) return [{ area: 'database', problem: postgres.error, fix: 'check MENTIONS_DATABASE_URL (host, port, database, user, sslmode), that the server runs, and that it accepts this role' }]
  const s = postgres.server
  if (!s) return []
  const out: Finding[] = []
  if (s.versionNum < MIN_PG_VERSION * 10000) {
    out.push({ area: 'database', problem: `${s.location} runs PostgreSQL ${s.version}; mentions needs ${MIN_PG_VERSION} or newer`, fix: `upgrade the server to PostgreSQL ${MIN_PG_VERSION} or newer` })
  }
  const grantCreate = `GRANT CREATE ON SCHEMA ${s.schemaName} TO ${s.role}`
  if (s.schema.version < s.schema.known) {
    const what = s.schema.version === 0 ? 'has no mentions schema yet' : `has schema version ${s.schema.version}; this mentions knows ${s.schema.known}`
    out.push({
      area: 'database',
      problem: `${s.location} ${what}${s.canCreate ? '' : ` and ${s.role} may not create tables in schema ${s.schemaName}`}`,
      fix: s.canCreate ? 'run `mentions pull` (or `mentions db copy --to` this database): it migrates the schema' : `${grantCreate}, or run \`mentions pull\` once as the schema's owner (it migrates the schema)`,
    })
  } else if (s.schema.version > s.schema.known) {
    out.push({ area: 'database', problem: `${s.location} has schema version ${s.schema.version}; this mentions knows ${s.schema.known}`, fix: 'upgrade mentions' })
  }
  if (s.latencyMs > PG_LATENCY_WARN_MS) {
    out.push({ area: 'database', problem: `a round trip to ${s.location} takes ${Math.round(s.latencyMs)} ms (median of 5)`, fix: 'run mentions close to the database (same region or network), or check the network between them' })
  }
  if (s.missing.length) {
    const gaps = s.missing.map((g) => `${g.privileges.join(', ')} on ${g.kind === 'table' ? '' : `${g.kind} `}${g.name}`)
    const fixes = new Set<string>()
    for (const g of s.missing) {
      if (g.kind === 'table') fixes.add(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s.schemaName} TO ${s.role}`)
      if (g.kind === 'sequence') fixes.add(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${s.schemaName} TO ${s.role}`)
      if (g.kind === 'schema') fixes.add(`GRANT USAGE ON SCHEMA ${s.schemaName} TO ${s.role}`)
    }
    out.push({
      area: 'database',
      problem: `${s.role} lacks ${gaps.slice(0, 4).join('; ')}${gaps.length > 4 ? ` (and ${gaps.length - 4} more)` : ''} in ${s.location}`,
      fix: `as the owner: ${[...fixes].join('; ')}`,
    })
  }
  return out
}

const sourceName = (s: SourceStatus): string => `${s.source}${s.name ? ` "${s.name}"` : ''}${s.brand ? ` (${s.brand}${s.stream === 'own' ? ', own posts' : ''})` : ''}`

export const checkSourceHealth: DoctorCheck = ({ sources }) =>
  sources.flatMap((s): Finding[] => {
    if (!s.lastError || (s.lastOkAt !== null && s.lastErrorAt !== null && s.lastOkAt > s.lastErrorAt)) return []
    const since = s.lastOkAt ? `last ok ${s.lastOkAt}` : 'never ok'
    return [{ area: 'sources', problem: `${sourceName(s)} failed at ${s.lastErrorAt ?? '?'} (${since}): ${s.lastError}`, fix: `see \`mentions sources\`, then \`mentions pull --source ${s.source}\`` }]
  })

/** A host that asked to be left alone (Retry-After): pulls skip the source until then. */
export const checkBackoff: DoctorCheck = ({ sources }) =>
  sources.flatMap((s): Finding[] =>
    s.backoffUntil ? [{ area: 'sources', problem: `${sourceName(s)}: ${s.status ?? `backing off until ${s.backoffUntil}`}`, fix: `wait until ${s.backoffUntil}; pulls skip it until then (see \`mentions sources\`)` }] : [],
  )

/** A source that has had items and now answers empty pull after pull: a silent break, not a quiet day. */
export const checkEmptyAnswers: DoctorCheck = ({ sources }) =>
  sources.flatMap((s): Finding[] =>
    !s.backoffUntil && s.status?.startsWith('empty ')
      ? [{ area: 'sources', problem: `${sourceName(s)} has answered ${s.status} after having items`, fix: `check its query and credentials (\`mentions pull --source ${s.source}\`); an upstream change can look like a quiet day` }]
      : [],
  )

export const checkReachability: DoctorCheck = ({ reachability }) =>
  (reachability ?? []).filter((r) => !r.reachable).map((r) => ({ area: 'network', problem: `${r.host} ${r.detail}`, fix: 'check the network, the proxy (HTTPS_PROXY, NO_PROXY) and the source\'s baseUrl' }))

/**
 * The checks, in the order their findings are printed. The extension point: add a function
 * here (and the fact it reads to DoctorFacts and gatherDoctorFacts).
 */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [checkConfig, checkCredentials, checkSecretFiles, checkFileModes, checkDatabase, checkPostgres, checkSourceHealth, checkBackoff, checkEmptyAnswers, checkReachability]

export function diagnose(facts: DoctorFacts, checks: readonly DoctorCheck[] = DOCTOR_CHECKS): Finding[] {
  return checks.flatMap((check) => check(facts))
}

// ---------------------------------------------------------------------------------------------
// Gathering (I/O)

/** The file system as doctor needs it; the CLI passes node:fs, tests may pass their own. */
export interface DoctorFs {
  stat(path: string): FileFacts | undefined
  canRead(path: string): boolean
}

export interface GatherOptions {
  fs: DoctorFs
  /** The database path, or null when it cannot be known (a config that does not load). */
  databasePath: string | null
  /** Null: skip reachability (--offline). Build it with a short timeout and no retries. */
  http: Http | null
  /** Secrets that may come from `NAME_FILE` besides the sources' own (the webhook URL). */
  extraSecrets?: readonly string[]
}

/** A string option that is an http(s) URL with a secret in it (a `?token=`, a user:password). */
function holdsSecret(value: unknown): boolean {
  if (typeof value === 'string') {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return false
    try {
      const url = new URL(value)
      return Boolean(url.username || url.password) || [...url.searchParams.keys()].some(isSecretParamName)
    } catch {
      return false
    }
  }
  if (Array.isArray(value)) return value.some(holdsSecret)
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsSecret)
  return false
}

function hostsToProbe(deps: Deps): string[] {
  const origins = new Set<string>()
  for (const t of planTasks(deps)) {
    const base = [t.options.baseUrl, t.options.url].find((u): u is string => typeof u === 'string' && /^https?:\/\//i.test(u))
    if (!base) continue
    try {
      origins.add(new URL(base).origin)
    } catch {
      // the schema validated it; an unparsable one is the config check's business
    }
  }
  return [...origins]
}

/**
 * The root of the host, not the configured path: the path may carry a secret (a feed token)
 * and any answer at all, even a 404, shows the host is there.
 */
async function probe(http: Http, origin: string): Promise<{ host: string; reachable: boolean; detail: string }> {
  const host = new URL(origin).host
  try {
    const r = await http.get(`${origin}/`)
    return { host, reachable: true, detail: `answered ${r.status}` }
  } catch (err) {
    if (err instanceof HttpError) return { host, reachable: true, detail: `answered ${err.status}` }
    if (err instanceof NetworkError) return { host, reachable: false, detail: networkReason(err) }
    throw err
  }
}

export async function gatherDoctorFacts(deps: Deps, opts: GatherOptions): Promise<DoctorFacts> {
  let configError: string | null = null
  let config: ReturnType<Deps['maybeConfig']>
  try {
    config = deps.maybeConfig()
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    configError = err.message
  }
  const facts: DoctorFacts = {
    config: {
      file: config?.file ?? null,
      error: configError,
      stat: config ? opts.fs.stat(config.file) : undefined,
      holdsSecrets: config ? holdsSecret(config.sources.map((s) => s.options)) || holdsSecret(config.database) : false,
    },
    sources: [],
    secretFiles: [],
    database: { path: opts.databasePath, file: undefined, wal: undefined, folder: undefined, health: undefined, error: null },
    postgres: null,
    reachability: null,
  }

  const rawPath = opts.databasePath
  // A URL is a secret: from here on only its description (no password) is kept or printed.
  const server = rawPath !== null && isPostgresUrl(rawPath)
  const dbPath = server ? describePostgresUrl(rawPath) : rawPath
  facts.database.path = dbPath
  if (server) {
    const pg: NonNullable<DoctorFacts['postgres']> = { server: undefined, error: null }
    facts.postgres = pg
    try {
      // Straight to the server, not the store: the checks must run before the schema exists.
      const { inspectPgServer } = await import('../store/postgres/server.js')
      pg.server = await inspectPgServer(rawPath)
    } catch (err) {
      if (!(err instanceof StoreError)) throw err
      pg.error = err.message
    }
  } else if (dbPath) {
    facts.database.file = opts.fs.stat(dbPath)
    facts.database.wal = opts.fs.stat(`${dbPath}-wal`)
    facts.database.folder = opts.fs.stat(dbPath.replace(/[/\\][^/\\]*$/, '') || '/')
  }
  if (dbPath && facts.database.file) {
    try {
      facts.database.health = await deps.readStore().health.check()
    } catch (err) {
      if (!(err instanceof StoreError)) throw err
      facts.database.error = err.message
    }
  }

  if (config) {
    try {
      facts.sources = await listSources(deps)
    } catch (err) {
      // A database that cannot be read is the database check's finding already.
      if (!(err instanceof StoreError)) throw err
      // Still list the sources and their credentials, as before a first pull.
      const noHistory = (): never => {
        throw new NoDatabaseError(dbPath ?? '')
      }
      facts.sources = await listSources({ ...deps, readStore: noHistory })
    }
  }
  const names = new Set([...facts.sources.flatMap((s) => s.env.map((e) => e.name)), ...(opts.extraSecrets ?? [])])
  for (const variable of [...names].map((n) => `${n}_FILE`)) {
    const path = deps.env[variable]
    if (!path) continue
    facts.secretFiles.push({ variable, path, readable: opts.fs.canRead(path), stat: opts.fs.stat(path) })
  }
  if (config && opts.http) {
    const http = opts.http
    facts.reachability = await Promise.all(hostsToProbe(deps).map((o) => probe(http, o)))
  }
  return facts
}
