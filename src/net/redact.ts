// Secret-free URLs for messages, logs and the store. Pure; no HTTP here.

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
