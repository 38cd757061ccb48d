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
