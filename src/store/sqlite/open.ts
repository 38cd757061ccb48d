// Opening the SQLite file. Nothing is written until the file is known to be ours: a path that
// is a directory, a file that is not SQLite, an SQLite file of another program or of a newer
// mentions is refused, naming the path, before any pragma could change it. A new database is
// built under a temporary name and linked into place, so two commands creating it at once
// never see a half-made file; migrations of an existing one run under a write lock.
import Database, { type Statement } from 'better-sqlite3'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { NoDatabaseError, StoreError } from '../../errors.js'
import { APPLICATION_ID, MIGRATIONS, migrate } from './migrations.js'

export type Db = Database.Database

type Params<P> = P extends unknown[] ? P : [P]

/** The part of a statement the repositories run, with better-sqlite3's parameter types. */
export interface Runnable<P extends unknown[] | object = unknown[], R = unknown> {
  run(...params: Params<P>): Database.RunResult
  get(...params: Params<P>): R | undefined
  all(...params: Params<P>): R[]
  iterate(...params: Params<P>): IterableIterator<R>
}

/**
 * A statement prepared the first time it runs. Every command opens all the repositories and
 * runs few of their statements; preparing each one up front (SQLite parses and plans it) was
 * 2–3 ms of the start of every command that opens the database. `shape` is applied once, to
 * the prepared statement (pluck, raw).
 */
export function lazyPrepare<P extends unknown[] | object = unknown[], R = unknown>(db: Db, sql: string, shape?: (s: Statement<P, R>) => Statement<P, R>): Runnable<P, R> {
  let stmt: Runnable<P, R> | undefined
  // Statement<P, R> is a conditional type over P, which TypeScript cannot match to Params<P>.
  const ready = (): Runnable<P, R> => (stmt ??= (shape ? shape(db.prepare<P, R>(sql)) : db.prepare<P, R>(sql)) as unknown as Runnable<P, R>)
  return {
    run: (...params) => ready().run(...params),
    get: (...params) => ready().get(...params),
    all: (...params) => ready().all(...params),
    iterate: (...params) => ready().iterate(...params),
  }
}

export interface OpenOptions {
  /** Read commands: never create, never write (a pending migration is the one exception, when the file is writable). */
  readOnly?: boolean
  busyTimeoutMs?: number
}

const HEADER = Buffer.from('SQLite format 3\0', 'latin1')
// The database holds what people wrote and who handles it: only its owner may read it. A
// folder we create is private too; an existing folder is the user's choice and left alone.
const PRIVATE_FILE = 0o600
const PRIVATE_DIR = 0o700
const DEFAULT_BUSY_MS = 5000

let addon: { nativeBinding?: string | object } | undefined

/**
 * better-sqlite3's addon, for its nativeBinding option. Left to itself the package finds the
 * addon through `bindings`, which makes a stack trace and tries path after path in every
 * process (2–3 ms of each command that opens the database) and, bundled (scripts/bundle.mjs),
 * would look beside the bundle instead of the package. The install puts the addon in the
 * package's build/Release/; elsewhere `bindings` searches from the package's own directory, as
 * it would unbundled.
 */
function nativeBinding(): { nativeBinding?: string | object } {
  if (addon === undefined) {
    addon = {}
    try {
      const lib = fileURLToPath(import.meta.resolve('better-sqlite3'))
      const root = path.join(path.dirname(lib), '..')
      const found = path.join(root, 'build', 'Release', 'better_sqlite3.node')
      if (fs.existsSync(found)) addon = { nativeBinding: found }
      else {
        const bindings = createRequire(lib)('bindings') as (o: { bindings: string; module_root: string }) => object
        addon = { nativeBinding: bindings({ bindings: 'better_sqlite3.node', module_root: root }) }
      }
    } catch {
      // Not installed where Node resolves it: better-sqlite3's own search reports what it tried.
    }
  }
  return addon
}

/** A better-sqlite3 connection, its addon found once. */
function connect(file: string, options: Database.Options = {}): Db {
  // The package takes the loaded addon as well as its path (lib/database.js); its types name
  // only the path.
  return new Database(file, { ...options, ...nativeBinding() } as Database.Options)
}

const usage = (message: string, cause?: unknown) => new StoreError(message, 'usage', cause ? { cause } : undefined)

/** A better-sqlite3 error as a StoreError naming the file and what to do. */
/**
 * Runs synchronous SQLite work behind the asynchronous Store interface: a settled Promise,
 * and any SQLite error as a StoreError naming the file. Every repository uses it.
 */
export function storeRunner(file: string): <T>(work: () => T) => Promise<T> {
  return async (work) => {
    try {
      return work()
    } catch (err) {
      throw storeFailure(err, file)
    }
  }
}

export function storeFailure(err: unknown, file: string): unknown {
  if (err instanceof StoreError) return err
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return err
  const detail = err instanceof Error ? err.message : String(err)
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new StoreError(`the database ${file} is corrupt (${detail}); move it aside and restore a backup, or pull into a new file with --db`, 'failure', { cause: err })
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new StoreError(`the database ${file} stayed locked by another mentions process; try again when it has finished`, 'failure', { cause: err })
  }
  if (code === 'SQLITE_FULL') return new StoreError(`the disk holding ${file} is full; free some space and run again`, 'failure', { cause: err })
  if (code.startsWith('SQLITE_READONLY')) {
    return new StoreError(`cannot write ${file} (${detail}); check the file's and its folder's permissions`, 'usage', { cause: err })
  }
  if (code.startsWith('SQLITE_CANTOPEN')) {
    return new StoreError(`cannot open ${file} (${detail}); check the path and its permissions`, 'usage', { cause: err })
  }
  return new StoreError(`database error in ${file}: ${detail}`, 'failure', { cause: err })
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    if (code === 'ENOTDIR') throw usage(`${p}: a part of this path is a file, not a folder; check --db / MENTIONS_DB`, err)
    if (code === 'EACCES' || code === 'EPERM') throw usage(`cannot read ${p}: permission denied`, err)
    throw usage(`cannot read ${p}: ${(err as Error).message}`, err)
  }
}

/**
 * Creates the missing folders above `file` one level at a time. Never recursive mkdir: on a
 * path like /proc/nope it spins instead of failing. Each failure names the folder.
 */
function ensureFolder(file: string): void {
  const missing: string[] = []
  let dir = path.dirname(path.resolve(file))
  for (;;) {
    const st = statOrUndefined(dir)
    if (st) {
      if (!st.isDirectory()) throw usage(`${dir} is a file, not a folder; choose another path for the database (--db or MENTIONS_DB)`)
      break
    }
    missing.unshift(dir)
    const parent = path.dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode: PRIVATE_DIR })
      // mkdir's mode passes through the umask; set it outright for a folder that is ours.
      fs.chmodSync(d, PRIVATE_DIR)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') continue
      const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'permission denied' : (err as Error).message
      throw usage(`cannot create the folder ${d} for the database: ${why}; choose a folder you can write (--db or MENTIONS_DB)`, err)
    }
  }
}

interface Identity {
  version: number
}

/** The first bytes say whether this is an SQLite file at all; nothing is opened yet. */
function checkHeader(file: string, size: number): void {
  if (size === 0) throw usage(`${file} is an empty file, not a mentions database; remove it or choose another path`)
  const head = Buffer.alloc(HEADER.length)
  const fd = fs.openSync(file, 'r')
  try {
    fs.readSync(fd, head, 0, HEADER.length, 0)
  } finally {
    fs.closeSync(fd)
  }
  if (!head.equals(HEADER)) throw usage(`${file} is not a mentions database (not an SQLite file)`)
}

/** What the file is, read over a read-only connection. Throws StoreError when it is not ours. */
function identify(db: Db, file: string): Identity {
  try {
    const appId = db.pragma('application_id', { simple: true }) as number
    const version = db.pragma('user_version', { simple: true }) as number
    const tables = new Set(
      (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name),
    )
    // Databases from before the application id was set are recognised by their tables.
    const ours = appId === APPLICATION_ID || (appId === 0 && version >= 1 && tables.has('mentions') && tables.has('cursors') && tables.has('runs'))
    if (!ours) throw usage(`${file} is not a mentions database (an SQLite file of another program); choose another path`)
    if (version > MIGRATIONS.length) {
      throw usage(`${file} was written by a newer mentions (schema ${version}; this one knows ${MIGRATIONS.length}); upgrade mentions`)
    }
    return { version }
  } catch (err) {
    throw storeFailure(err, file)
  }
}

function configure(db: Db, busyMs: number): void {
  // First, so every later statement waits for another process instead of failing at once.
  db.pragma(`busy_timeout = ${busyMs}`)
  db.pragma('foreign_keys = ON')
}

/** A new database, built aside and linked into place: whoever links first wins, the rest open it. */
function create(file: string, busyMs: number): void {
  ensureFolder(file)
  const tmp = `${file}.${process.pid}.${Date.now().toString(36)}.tmp`
  try {
    // The file exists, private, before SQLite opens it: SQLite gives its -journal, -wal and
    // -shm files the database file's own mode, so they are private from birth too, whatever
    // the umask. (SQLite takes an empty file for a new database.)
    fs.closeSync(fs.openSync(tmp, 'wx', PRIVATE_FILE))
    fs.chmodSync(tmp, PRIVATE_FILE)
    const db = connect(tmp)
    try {
      configure(db, busyMs)
      migrate(db)
      // WAL is recorded in the file itself; set here, while nobody else can see the file,
      // because switching a shared file needs it to itself and does not wait for that.
      db.pragma('journal_mode = WAL')
    } finally {
      db.close()
    }
    try {
      fs.linkSync(tmp, file)
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'EEXIST') return
      // Filesystems without hard links: an exclusive copy is just as atomic for our readers.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') {
        fs.copyFileSync(tmp, file, fs.constants.COPYFILE_EXCL)
        fs.chmodSync(file, PRIVATE_FILE)
      } else throw err
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
      throw usage(`cannot create ${file}: permission denied; choose a folder you can write (--db or MENTIONS_DB)`, err)
    }
    throw storeFailure(err, file)
  } finally {
    fs.rmSync(tmp, { force: true })
  }
}

/** Files from elsewhere in rollback mode: the switch fails at once while others read, so retry. */
function switchToWal(db: Db, busyMs: number): void {
  const deadline = Date.now() + busyMs
  for (;;) {
    try {
      db.pragma('journal_mode = WAL')
      return
    } catch (err) {
      if (!String((err as { code?: unknown }).code).startsWith('SQLITE_BUSY') || Date.now() > deadline) throw err
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50)
    }
  }
}

function openWritable(file: string, busyMs: number): Db {
  const db = connect(file, { fileMustExist: true })
  try {
    configure(db, busyMs)
    migrate(db)
    if (String(db.pragma('journal_mode', { simple: true })).toLowerCase() !== 'wal') switchToWal(db, busyMs)
    // WAL + NORMAL is durable across application crashes; only an OS crash may lose the last commit.
    db.pragma('synchronous = NORMAL')
    return db
  } catch (err) {
    db.close()
    throw storeFailure(err, file)
  }
}

/** A connection and how to let it go (a snapshot copy is removed with it). */
export interface Opened {
  db: Db
  close(): void
}

/**
 * A read-only connection. A read on a WAL database needs its -shm file; when neither that nor
 * a folder this user may write is there (a file the user may only read), SQLite refuses the
 * first read, and the file is read from a private snapshot copy instead: all such a user can
 * have, and the original is never touched. Errors are thrown raw; callers name the file.
 */
function readConnection(file: string, busyMs: number): Opened {
  const db = connect(file, { readonly: true, fileMustExist: true })
  try {
    configure(db, busyMs)
    db.prepare('SELECT count(*) FROM sqlite_master').get()
    return { db, close: () => db.close() }
  } catch (err) {
    db.close()
    const code = (err as { code?: string }).code ?? ''
    if (!code.startsWith('SQLITE_CANTOPEN') && !code.startsWith('SQLITE_READONLY')) throw err
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-read-'))
    const copy = path.join(dir, path.basename(file))
    try {
      fs.copyFileSync(file, copy)
      for (const side of ['-wal']) if (fs.existsSync(file + side)) fs.copyFileSync(file + side, copy + side)
      const snapshot = connect(copy, { readonly: true, fileMustExist: true })
      configure(snapshot, busyMs)
      return {
        db: snapshot,
        close: () => {
          snapshot.close()
          fs.rmSync(dir, { recursive: true, force: true })
        },
      }
    } catch (err2) {
      fs.rmSync(dir, { recursive: true, force: true })
      throw err2
    }
  }
}

function canWrite(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK)
    fs.accessSync(path.dirname(path.resolve(file)), fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}

/**
 * Opens the database: writable (created and migrated as needed) or read-only (never created;
 * a missing file is an error naming the path). Nothing is written before the file is known
 * to be ours.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Opened {
  const busyMs = opts.busyTimeoutMs ?? DEFAULT_BUSY_MS
  if (file === ':memory:') {
    const db = connect(file)
    configure(db, busyMs)
    migrate(db)
    return { db, close: () => db.close() }
  }
  let st = statOrUndefined(file)
  if (st?.isDirectory()) throw usage(`${file} is a directory, not a database file; give a file path (--db or MENTIONS_DB)`)
  if (!st) {
    if (opts.readOnly) throw new NoDatabaseError(file)
    create(file, busyMs)
    st = statOrUndefined(file)
    if (!st) throw usage(`cannot create ${file}`)
  }
  checkHeader(file, st.size)
  let reader: Opened
  try {
    reader = readConnection(file, busyMs)
  } catch (err) {
    throw storeFailure(err, file)
  }
  let version: number
  try {
    version = identify(reader.db, file).version
  } catch (err) {
    reader.close()
    throw err
  }
  if (!opts.readOnly) {
    reader.close()
    const db = openWritable(file, busyMs)
    return { db, close: () => db.close() }
  }
  if (version < MIGRATIONS.length) {
    reader.close()
    // A read after an upgrade of mentions: bring the schema up once, if this user may.
    if (!canWrite(file)) {
      throw usage(`${file} needs a schema upgrade (version ${version} → ${MIGRATIONS.length}) that this user cannot write; run mentions pull as its owner`)
    }
    openWritable(file, busyMs).close()
    try {
      return readConnection(file, busyMs)
    } catch (err) {
      throw storeFailure(err, file)
    }
  }
  return reader
}
