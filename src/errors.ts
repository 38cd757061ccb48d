// Errors a user can act on. The CLI maps each class to an exit code in one place (cli/run.ts);
// anything else is a bug and exits 1 with its message.

/** Bad configuration: names the file, the key and the fix. Exit 2. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Bad flags or arguments. Exit 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** A mention, source or file that does not exist. Exit 1. */
export class NotFoundError extends Error {
  override name = 'NotFoundError'
}

/** Another process holds the pull lock. Exit 1. */
export class BusyError extends Error {
  override name = 'BusyError'
}

/**
 * The database could not be used: a missing file for a read command, a directory, a file that
 * is not a mentions database, a folder that cannot be written (exit 2: the path is wrong), or
 * a corrupt, busy or full database (exit 1). The message names the path and the fix.
 */
export class StoreError extends Error {
  override name = 'StoreError'
  constructor(
    message: string,
    readonly kind: 'usage' | 'failure',
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** A read command found no database at the path: nothing has been pulled there yet. Exit 2. */
export class NoDatabaseError extends StoreError {
  override name = 'NoDatabaseError'
  constructor(readonly path: string) {
    super(`no database at ${path} (run mentions pull first, or check --db / MENTIONS_DB)`, 'usage')
  }
}
