// Builds the real Deps for one CLI invocation. Nothing is opened until a command asks.
import fs from 'node:fs'
import os from 'node:os'
import type { Deps } from '../app/deps.js'
import { configReadableWarning, expandFileSecrets, fileMode } from '../config/env.js'
import { findConfig } from '../config/find.js'
import type { Config } from '../config/load.js'
import { defaultDatabasePath } from '../config/paths.js'
import { ConfigError } from '../errors.js'
import type { Http } from '../net/types.js'
import type { Scorer } from '../sentiment/index.js'
import { catalogSecretNames, deferredSources, loadSources } from '../sources/catalog.js'
import type { Source } from '../sources/types.js'
import type { OpenStoreOptions, Store } from '../store/index.js'
import { isPostgresUrl } from '../store/postgres/url.js'
import type { IO } from './io.js'
import { USER_AGENT } from './version.js'

// Commands that never fetch and use no source adapter beyond its kind (and the adapters of
// the kinds the config names, to validate it). Everything else, including commands added
// later, gets the whole registry and the HTTP client, as before: being light is opt-in.
const LIGHT_COMMANDS: ReadonlySet<string> = new Set([
  'queue', 'export', 'show', 'search', 'stats', 'spikes', 'digest', 'alert', 'log', 'label', 'rescore', 'score', 'match', 'rematch',
  'rules', 'assign', 'unassign', 'done', 'ignore', 'snooze', 'reopen', 'note', 'answered', 'db copy',
])

// Of the light commands, those that score text: only they load the scorer's modules.
const SCORING_COMMANDS: ReadonlySet<string> = new Set(['show', 'score', 'rescore'])

// Commands that never open the database: they load neither engine's modules.
const STORELESS_COMMANDS: ReadonlySet<string> = new Set(['score', 'match', 'init', 'demo'])

type ConfigModule = typeof import('../config/load.js')
type OpenEngine = (location: string, opts?: OpenStoreOptions) => Store
type ScoreModule = typeof import('../app/score.js')
type NetModule = typeof import('../net/client.js')

export interface GlobalFlags {
  config?: string
  db?: string
}

const fsForConfig = {
  exists: (p: string) => fs.existsSync(p),
  read: (p: string) => fs.readFileSync(p, 'utf8'),
}

function lazy<T>(make: () => T): () => T {
  let value: { v: T } | undefined
  return () => (value ??= { v: make() }).v
}

export interface CliDeps extends Deps {
  /** The config if one exists (no error when none does). */
  maybeConfig(): Config | undefined
  /** Where the database is. */
  databasePath(): string
  /** The database path given by --db or MENTIONS_DB, if any. */
  maybeDbFlag(): string | undefined
  close(): Promise<void>
  /**
   * Loads what `command` may reach synchronously: the config validator and the adapters of
   * the kinds the config names, and for all but the light commands the whole registry and the
   * HTTP client. Problems with the config are left for the first use to report, as before.
   */
  prepare(command: string): Promise<void>
}

export function createDeps(io: IO, flags: GlobalFlags, warn: (m: string) => void): CliDeps {
  const secretNames = [...catalogSecretNames(), 'MENTIONS_WEBHOOK_URL', 'MENTIONS_DATABASE_URL']
  const { env, problems } = expandFileSecrets(io.env, secretNames, (p) => fs.readFileSync(p, 'utf8'))
  for (const p of problems) warn(p)

  const loaded = new Map<string, Source>()
  let registry: Source[] | undefined
  let configModule: ConfigModule | undefined
  let netModule: NetModule | undefined
  let scoreModule: ScoreModule | undefined
  const sources = (): readonly Source[] => registry ?? deferredSources(loaded)
  const notPrepared = (what: string): never => {
    throw new Error(`internal: ${what} used before prepare() loaded it`)
  }
  const findFile = () => findConfig(fsForConfig, env, io.cwd, io.home, flags.config)

  const maybeConfig = lazy(() => {
    const file = findFile()
    if (!file) return undefined
    const cfg = (configModule ?? notPrepared('the config loader')).loadConfig(fsForConfig, file, sources())
    const w = configReadableWarning(file, fileMode(file), fsForConfig.read(file))
    if (w) warn(w)
    return cfg
  })
  const config = (): Config => {
    const c = maybeConfig()
    if (!c) {
      throw new ConfigError(
        'no configuration found: run `mentions init` to write mentions.config.json here, or pass --config PATH (or set MENTIONS_CONFIG)',
      )
    }
    return c
  }
  // --db, then MENTIONS_DB, then MENTIONS_DATABASE_URL (PostgreSQL; a secret, so never
  // printed: the store's location is the URL without its password), then the config's
  // "database", then the XDG data directory. A variable set to nothing (`MENTIONS_DB=` in a
  // crontab or a wrapper) is unset, as the shell's ${VAR:-default} reads it, not a path ''.
  const databasePath = lazy(
    () => flags.db ?? (env.MENTIONS_DB || undefined) ?? (env.MENTIONS_DATABASE_URL || undefined) ?? maybeConfig()?.database ?? defaultDatabasePath(env, io.home),
  )

  let opened: Store | undefined
  let reader: Store | undefined
  let client: (Http & { close(): Promise<void> }) | undefined
  // The engine behind the database's location, loaded by prepare(): a SQLite user never loads
  // the PostgreSQL store's modules, nor a PostgreSQL user better-sqlite3.
  let openEngine: OpenEngine | undefined
  const openStore: OpenEngine = (location, opts) => (openEngine ?? notPrepared('the store'))(location, opts)
  const store = () => (opened ??= openStore(databasePath()))
  const readStore = () => opened ?? (reader ??= openStore(databasePath(), { readOnly: true }))
  const http = () => (client ??= (netModule ?? notPrepared('the HTTP client')).createHttp({ userAgent: USER_AGENT, env }))
  const scorer = lazy((): Scorer => (scoreModule ?? notPrepared('the scorer')).scorerFor(maybeConfig()))

  return {
    env,
    now: () => Date.now(),
    config,
    maybeConfig,
    databasePath,
    maybeDbFlag: () => flags.db ?? env.MENTIONS_DB ?? env.MENTIONS_DATABASE_URL,
    store,
    readStore,
    http,
    scorer,
    get sources() {
      return sources()
    },
    lock: {
      holder: { pid: process.pid, host: os.hostname() },
      isAlive(h) {
        if (h.host !== os.hostname()) return true // cannot see other machines' processes: assume alive
        try {
          process.kill(h.pid, 0)
          return true
        } catch (err) {
          return (err as NodeJS.ErrnoException).code === 'EPERM'
        }
      },
    },
    warn,
    async prepare(command) {
      await prepareConfig(command)
      if (STORELESS_COMMANDS.has(command)) return
      let location: string | undefined
      try {
        location = databasePath()
      } catch {
        // A config problem: the first use reports it. Load what any location would need.
      }
      if (location === undefined) openEngine = (await import('../store/index.js')).openStore
      else if (isPostgresUrl(location)) openEngine = (await import('../store/postgres/index.js')).openPostgresStore
      else openEngine = (await import('../store/sqlite/index.js')).openSqliteStore
    },
    async close() {
      await opened?.close()
      await reader?.close()
      await client?.close()
    },
  }

  async function prepareConfig(command: string): Promise<void> {
    if (!LIGHT_COMMANDS.has(command)) {
      const [reg, net] = await Promise.all([import('../sources/registry.js'), import('../net/client.js')])
      registry = Object.values(reg.sources)
      netModule = net
    }
    if (!LIGHT_COMMANDS.has(command) || SCORING_COMMANDS.has(command)) scoreModule = await import('../app/score.js')
    let text: string | undefined
    try {
      const file = findFile()
      text = file === undefined ? undefined : fsForConfig.read(file)
    } catch {
      return // maybeConfig() reports it, if the command asks
    }
    if (text === undefined) return
    configModule = await import('../config/load.js')
    if (registry) return
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return
    }
    for (const s of await loadSources(configModule.kindsIn(json))) loaded.set(s.kind, s)
  }
}
