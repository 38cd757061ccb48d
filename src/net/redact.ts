// Secret-free URLs for messages, logs and the store. Pure; no HTTP here.
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

/** Works on the raw text so the parts we keep stay byte-for-byte as the caller wrote them. */
function redactParams(raw: string): string {
  return raw
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=')
      if (eq < 0) return part
      const rawName = part.slice(0, eq)
      return isSecretParamName(decodeParamName(rawName)) ? `${rawName}=***` : part
    })
    .join('&')
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
  return `${origin}${parsed.pathname}${search}${hash}`
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
  let path = parsed.pathname
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
