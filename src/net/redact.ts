// Secret-free URLs for messages, logs and the store. Pure; no HTTP here.
import { createHash } from 'node:crypto'
import { Parser } from 'htmlparser2'

const SECRET_PARAM_NAMES: ReadonlySet<string> = new Set([
  'key',
  'token',
  'access_token',
  'api_key',
  'apikey',
  'sig',
  'signature',
  'password',
  'passwd',
  'client_secret',
  'secret',
  'auth',
])

/** Exact names above, plus `*_token`, `x-api-key`, `apiKey`, `refreshToken` and the like. */
export function isSecretParamName(name: string): boolean {
  const lower = name.trim().toLowerCase()
  return (
    SECRET_PARAM_NAMES.has(lower) ||
    /[_.-](key|token|secret|password|signature|sig)$/.test(lower) ||
    /(apikey|accesstoken|authtoken|refreshtoken|clientsecret)$/.test(lower)
  )
}

export function decodeParamName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return raw
  }
}

/** Shannon entropy of a string, in bits per character. */
function entropyBits(s: string): number {
  const counts = new Map<string, number>()
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1)
  let bits = 0
  for (const n of counts.values()) {
    const p = n / s.length
    bits -= p * Math.log2(p)
  }
  return bits
}

/**
 * A parameter value that reads like a credential whatever its name (`?feed=4f9c…`, `?u=eyJ…`):
 * long, one token of URL-safe characters, letters mixed with digits, and varied (a random
 * token has far more distinct characters than a slug, a date or a word). Words joined by
 * dashes and plain numbers are kept, so search queries stay readable.
 */
export function looksLikeSecretValue(raw: string): boolean {
  const value = decodeParamName(raw)
  if (value.length < 20 || !/^[A-Za-z0-9_\-.~+/=]+$/.test(value)) return false
  if (!/[0-9]/.test(value) || !/[A-Za-z]/.test(value)) return false
  // Dash- or dot-joined words ("acme-cloud-2026-outage") are slugs, not tokens.
  if (/^(?:[A-Za-z]+|\d+)(?:[-_.](?:[A-Za-z]+|\d+))+$/.test(value)) return false
  return entropyBits(value) >= 3.5
}

/** Works on the raw text so the parts we keep stay byte-for-byte as the caller wrote them. */
function redactParams(raw: string): string {
  return raw
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=')
      if (eq < 0) return part
      const rawName = part.slice(0, eq)
      return isSecretParamName(decodeParamName(rawName)) || looksLikeSecretValue(part.slice(eq + 1)) ? `${rawName}=***` : part
    })
    .join('&')
}

/**
 * Paths that are themselves credentials: whoever knows a Google Alerts feed path can read
 * the feed (`/alerts/feeds/<user id>/<alert id>`).
 */
const SECRET_PATHS: readonly { host: RegExp; path: RegExp; keep: string }[] = [
  { host: /(^|\.)google\.[a-z.]+$/i, path: /^\/alerts\/feeds\/[^/]+\/[^/?#]+/, keep: '/alerts/feeds/***/***' },
]

function redactPath(hostname: string, pathname: string): string {
  for (const rule of SECRET_PATHS) {
    if (rule.host.test(hostname) && rule.path.test(pathname)) return pathname.replace(rule.path, rule.keep)
  }
  return pathname
}

/**
 * True when the URL carries something that must not become an item's permalink or be shown:
 * user:password, a secret-named or credential-looking parameter, or a secret path.
 */
export function hasSecret(url: string): boolean {
  try {
    return redactUrl(url) !== new URL(url).href
  } catch {
    return false
  }
}

/**
 * The URL with secret-looking query (and fragment) parameters replaced by `***` and any
 * user:password removed, for messages and logs. Never use the result to make a request.
 */
export function redactUrl(url: string | URL): string {
  const text = typeof url === 'string' ? url : url.href
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    return redactUnparsed(text)
  }
  const userinfo = parsed.username || parsed.password ? '***@' : ''
  const search = parsed.search ? `?${redactParams(parsed.search.slice(1))}` : ''
  const hash = parsed.hash ? `#${redactParams(parsed.hash.slice(1))}` : ''
  const origin = parsed.host ? `${parsed.protocol}//${userinfo}${parsed.host}` : parsed.protocol
  return `${origin}${redactPath(parsed.hostname, parsed.pathname)}${search}${hash}`
}

/**
 * A URL fit to link to: secret parameters dropped (not masked: a link with `***` in it is
 * broken anyway), no user:password, and a secret path cut back to the site's root.
 */
export function withoutSecrets(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return redactUnparsed(url)
  }
  parsed.username = ''
  parsed.password = ''
  if (redactPath(parsed.hostname, parsed.pathname) !== parsed.pathname) parsed.pathname = '/'
  for (const [name, value] of [...parsed.searchParams]) {
    if (isSecretParamName(name) || looksLikeSecretValue(encodeURIComponent(value))) parsed.searchParams.delete(name)
  }
  if (parsed.hash && redactParams(parsed.hash.slice(1)) !== parsed.hash.slice(1)) parsed.hash = ''
  return parsed.href
}

/**
 * A redacted URL that still tells two instances apart: when redaction hid more than a
 * secret-named parameter (a credential-looking value, a secret path), two feeds could
 * redact alike, so a short digest of the full URL is appended. 8 hex characters of SHA-256
 * say nothing usable about the secret.
 */
export function instanceKeyOf(url: string): string {
  const shown = redactUrl(url)
  const byName = redactUrlByName(url)
  return shown === byName ? shown : `${shown}#${createHash('sha256').update(url).digest('hex').slice(0, 8)}`
}

/** The redaction instance keys were built with before value and path redaction existed. */
function redactUrlByName(text: string): string {
  try {
    const parsed = new URL(text)
    const userinfo = parsed.username || parsed.password ? '***@' : ''
    const byName = (raw: string) =>
      raw.split('&').map((part) => {
        const eq = part.indexOf('=')
        return eq >= 0 && isSecretParamName(decodeParamName(part.slice(0, eq))) ? `${part.slice(0, eq)}=***` : part
      }).join('&')
    const search = parsed.search ? `?${byName(parsed.search.slice(1))}` : ''
    const hash = parsed.hash ? `#${byName(parsed.hash.slice(1))}` : ''
    const origin = parsed.host ? `${parsed.protocol}//${userinfo}${parsed.host}` : parsed.protocol
    return `${origin}${parsed.pathname}${search}${hash}`
  } catch {
    return redactUnparsed(text)
  }
}

function redactUnparsed(text: string): string {
  const withoutUserinfo = scrubCredentials(text)
  const hashAt = withoutUserinfo.indexOf('#')
  const beforeHash = hashAt < 0 ? withoutUserinfo : withoutUserinfo.slice(0, hashAt)
  const hash = hashAt < 0 ? '' : `#${redactParams(withoutUserinfo.slice(hashAt + 1))}`
  const queryAt = beforeHash.indexOf('?')
  if (queryAt < 0) return beforeHash + hash
  return `${beforeHash.slice(0, queryAt)}?${redactParams(beforeHash.slice(queryAt + 1))}${hash}`
}

/**
 * Free text (an error, a warning, a run message) with every URL in it redacted: secret
 * parameters, credential-looking values, secret paths and user:password.
 */
export function redactText(text: string): string {
  return scrubCredentials(text).replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (url) => redactUrl(url))
}

/** Removes `user:pass@` from any URL inside free text (undici messages can name a proxy). */
export function scrubCredentials(text: string): string {
  return text.replace(/(\/\/)[^/\s@]+@/g, '$1***@')
}

/**
 * The start of an untrusted body for an error message: one line, no control or bidi
 * characters, `secrets` blanked out, at most `max` characters.
 */
export function errorSnippet(body: string, secrets: readonly string[] = [], max = 200): string {
  // Only the head can be shown; bodies may be megabytes. The margin leaves room for secrets
  // that straddle the cut and for whitespace that collapses.
  let text = body.length > max * 4 + 256 ? body.slice(0, max * 4 + 256) : body
  for (const secret of secrets) text = text.split(secret).join('***')
  const oneLine = text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
  const chars = Array.from(oneLine)
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : oneLine
}

/**
 * Where a request went, for a one-line failure: host and path, percent-escapes decoded where
 * that gives readable text. No query string or fragment (they may hold secrets, and a
 * percent-encoded search is noise in a failure line), no user:password.
 */
export function hostAndPath(url: string | URL): string {
  let parsed: URL
  try {
    parsed = new URL(typeof url === 'string' ? url : url.href)
  } catch {
    const text = scrubCredentials(typeof url === 'string' ? url : url.href)
    return text.replace(/[?#].*$/s, '')
  }
  let path = redactPath(parsed.hostname, parsed.pathname)
  try {
    const decoded = decodeURIComponent(path)
    if (!/[\p{Cc}\s]/u.test(decoded)) path = decoded
  } catch {
    // Not valid percent-encoding: keep it as sent.
  }
  return `${parsed.host}${path === '/' ? '' : path}`
}

/** The text of an HTML page's <title>, entities decoded, or '' when it has none. */
function htmlTitle(html: string): string {
  let depth = 0
  let title = ''
  let done = false
  const parser = new Parser(
    {
      onopentag(name) {
        if (name === 'title' && !done) depth++
      },
      ontext(text) {
        if (depth > 0) title += text
      },
      onclosetag(name) {
        if (name === 'title' && depth > 0) {
          depth = 0
          done = true
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  )
  parser.write(html)
  parser.end()
  return title
}

const HTML_TYPE = /^\s*(?:text\/html|application\/xhtml\+xml)\b/i
const TEXT_TYPE = /^\s*(?:text\/|application\/(?:[\w.+-]+\+)?(?:json|xml)\b|application\/problem\+json)/i

/**
 * What an error response may add to a failure line: an HTML page says at most its <title>
 * (the rest is navigation and scripts), a text, JSON or XML body a short snippet, anything
 * else nothing. Secrets we sent are blanked out either way.
 */
export function responseSnippet(
  body: string,
  secrets: readonly string[] = [],
  opts: { contentType?: string | undefined; max?: number } = {},
): string {
  const max = opts.max ?? 120
  const type = opts.contentType ?? ''
  const head = body.trimStart().slice(0, 512).toLowerCase()
  const looksHtml = head.startsWith('<!doctype html') || head.startsWith('<html') || /<(head|body)[\s>]/.test(head)
  if (HTML_TYPE.test(type) || (looksHtml && !/json/i.test(type))) return errorSnippet(htmlTitle(body), secrets, max)
  if (type && !TEXT_TYPE.test(type)) return ''
  return errorSnippet(body, secrets, max)
}
