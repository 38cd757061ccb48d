// A PostgreSQL URL is a secret (it may carry the password). These helpers decide whether a
// database location is one, and say where it points without the secret in it.

/** postgres:// or postgresql://: the PostgreSQL engine; anything else is an SQLite file path. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(location)
}

/** host:port/database, for messages and `store.location`: never the user's password, never the query string. */
export function describePostgresUrl(location: string): string {
  try {
    const u = new URL(location)
    const db = decodeURIComponent(u.pathname.replace(/^\//, '')) || '(default database)'
    const user = u.username ? `${decodeURIComponent(u.username)}@` : ''
    const host = u.hostname || new URLSearchParams(u.search).get('host') || 'localhost'
    return `postgres://${user}${host}${u.port ? `:${u.port}` : ''}/${db}`
  } catch {
    return 'postgres://(unreadable URL)'
  }
}

/** Removes anything that looks like the URL's password from a driver message, in case one echoes it. */
export function scrubSecret(message: string, location: string): string {
  let out = message.split(location).join(describePostgresUrl(location))
  try {
    const pw = decodeURIComponent(new URL(location).password)
    if (pw) out = out.split(pw).join('***')
  } catch {
    // an unreadable URL has no password we could find
  }
  return out
}

/** Whether a postgres:// URL carries a password (a config file must not). */
export function hasUrlPassword(location: string): boolean {
  if (!isPostgresUrl(location)) return false
  try {
    const u = new URL(location)
    return u.password !== '' || new URLSearchParams(u.search).has('password')
  } catch {
    return false
  }
}
