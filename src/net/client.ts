// The one HTTP client. Every source fetches through it, so politeness (User-Agent, per-host
// concurrency, honouring rate limits) and safety (timeouts, size cap, secret redaction) live here
// once.
//
// Why undici's `fetch` and not `request`: `request` hands back the raw bytes, so gzip/deflate/br
// would need our own zlib plumbing, and it follows no redirects (the redirect interceptor does
// not report the final URL that HttpResponse.url promises). `fetch` decodes all three encodings
// with stable code (undici's decompress interceptor is flagged experimental and prints a warning
// to stderr), follows redirects, reports `response.url`, and drops Authorization on cross-origin
// redirects. Its one cost is that failures arrive as `TypeError('fetch failed')` with the real
// error in `cause`; `describeFailure` unwraps that.

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { setTimeout as sleepTimer } from 'node:timers/promises'
import { TextDecoder } from 'node:util'
import pLimit, { type LimitFunction } from 'p-limit'
import { Agent, EnvHttpProxyAgent, fetch, type Dispatcher, type Response } from 'undici'
import { ERROR_BODY_KEEP, HttpError, NetworkError, RateLimitError, RedirectRefusedError, explainingHeaders, type GetOptions, type Http, type HttpResponse, type PostOptions, type RedirectPolicy } from './types.js'

export { RateLimitError, RedirectRefusedError } from './types.js'
import { decodeParamName, hostAndPath, isSecretParamName, redactText, redactUrl, responseSnippet, scrubCredentials } from './redact.js'
import { classifyHostname, classifyIp, refusedAddress } from './address.js'
import { exhaustedWindowWaitMs, rateLimitWaitMs } from './ratelimit.js'

export interface HttpOptions {
  /** e.g. "mentions/0.1.0 (+https://github.com/…)" */
  userAgent: string
  /** Per attempt: connect + headers + body. Default 15000. */
  timeoutMs?: number
  /** Default 10 MiB; a bigger body fails with NetworkError and the connection is dropped. */
  maxBodyBytes?: number
  /** Extra attempts after the first. Default 3. */
  retries?: number
  /** Requests in flight at once per host (host:port). Default 4. */
  perHostConcurrency?: number
  /** Cap on a rate-limit wait. Default 60000; a longer one fails at once with RateLimitError. */
  maxRetryAfterMs?: number
  /** Source of HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case). The client never reads process.env. */
  env?: Readonly<Record<string, string | undefined>>
  /** Injected so tests don't wait. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Jitter source in [0, 1). */
  random?: () => number
  /** Clock for HTTP-date and epoch rate-limit hints. Default Date.now. */
  now?: () => number
}

const DEFAULT_TIMEOUT_MS = 15_000
const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
const DEFAULT_RETRIES = 3
const DEFAULT_PER_HOST = 4
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000
const BACKOFF_BASE_MS = 500
const BACKOFF_MAX_MS = 30_000
/** Enough of an error body for a useful message; the rest is thrown away unread. */
const ERROR_BODY_READ_BYTES = 8 * 1024

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504])
const RETRY_AFTER_STATUSES: ReadonlySet<number> = new Set([429, 503])

/** Transient failures worth another attempt. DNS "not found", TLS and protocol errors are not. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  // The connection closed before Content-Length bytes arrived: the next attempt may finish.
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
])

const SECRET_HEADER = /authorization|cookie|token|secret|api-?key|password/i

/** Values we sent that must not come back to us inside an error message (servers echo them). */
/** Every string value in a JSON body, however nested. */
function jsonStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const v of value) jsonStrings(v, out)
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) jsonStrings(v, out)
  return out
}

function secretsSent(url: URL, headers: Readonly<Record<string, string>>, bodyValues: readonly string[] = []): string[] {
  // Everything a POST body carries is treated as secret: it is where passwords and client
  // secrets travel (token and session endpoints).
  const found: string[] = [...bodyValues]
  for (const [name, value] of url.searchParams) if (isSecretParamName(name)) found.push(value)
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADER.test(name)) continue
    found.push(value)
    const credential = /^\s*\S+\s+(\S+)\s*$/.exec(value)?.[1]
    if (credential) found.push(credential)
  }
  if (url.password) found.push(decodeParamName(url.password))
  // Short values would blank out ordinary words; longest first so a token inside a header wins.
  return found.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)
}

// Rate-limit hints live in ratelimit.ts (pure, and light enough for the adapters to import).
export { exhaustedWindowWaitMs, parseResetTime, parseRetryAfter, rateLimitWaitMs } from './ratelimit.js'

/** Exponential backoff with "equal jitter": half fixed, half random, so retries spread out. */
export function backoffMs(attempt: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt)
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}

// ---------------------------------------------------------------------------------------------
// Failures

interface FailureInfo {
  code: string | undefined
  message: string
}

/** The innermost error's code and message, through `cause` chains and AggregateErrors. */
function describeFailure(err: unknown): FailureInfo {
  let code: string | undefined
  let message = err instanceof Error ? err.message : String(err)
  let current: unknown = err
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const own = (current as { code?: unknown }).code
    if (typeof own === 'string') code = own
    if (current.message) message = current.message
    const next: unknown =
      current instanceof AggregateError && current.errors.length > 0
        ? current.errors[0]
        : current.cause
    current = next
  }
  return { code, message: scrubCredentials(message) }
}

class BodyTooLargeError extends Error {}

/** A RedirectRefusedError our guarded lookup raised, somewhere in fetch's cause chain. */
function refusedInside(err: unknown): RedirectRefusedError | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    if (current instanceof RedirectRefusedError) return current
    current = current instanceof AggregateError && current.errors.length > 0 ? current.errors[0] : current.cause
  }
  return undefined
}

type Attempt =
  | { kind: 'done'; response: HttpResponse }
  | { kind: 'status'; status: number; headers: Record<string, string>; snippet: string; body: string }
  | { kind: 'network'; error: NetworkError; retryable: boolean }

function headersToRecord(headers: Response['headers']): Record<string, string> {
  const out: Record<string, string> = {}
  headers.forEach((value, name) => {
    out[name] = value
  })
  return out
}

/**
 * Reads the raw body, counting decoded (decompressed) bytes as they arrive so a small
 * compressed body cannot expand past the cap in memory. `truncate` stops quietly at the limit
 * (error bodies); otherwise going over throws BodyTooLargeError.
 */
async function readBytes(response: Response, limit: number, truncate: boolean): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      const room = limit - size
      if (value.byteLength > room) {
        if (!truncate) throw new BodyTooLargeError(`response body is over the ${limit}-byte limit`)
        chunks.push(value.subarray(0, room))
        size += room
        await reader.cancel().catch(() => undefined)
        break
      }
      size += value.byteLength
      chunks.push(value)
    }
  } finally {
    reader.releaseLock()
  }
  return Buffer.concat(chunks, size)
}

// ---------------------------------------------------------------------------------------------
// Charset (pure)

/** The `charset` parameter of a Content-Type value, unquoted, or undefined. */
export function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType)
  const label = (m?.[1] ?? m?.[2] ?? '').trim()
  return label || undefined
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8'
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le'
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be'
  return undefined
}

/**
 * The encoding an XML declaration names (XML 1.0 appendix F): read as single bytes, since the
 * declaration itself is ASCII. UTF-16 without a BOM shows itself by its zero bytes.
 */
function xmlDeclaredEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) return 'utf-16le'
  if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) return 'utf-16be'
  const head = Buffer.from(bytes.subarray(0, 256)).toString('latin1')
  const m = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]*)["']/.exec(head)
  const label = m?.[1]
  // A document we could read as single bytes is not UTF-16, whatever it claims.
  return label && !/^utf-?16/i.test(label) ? label : undefined
}

function decoderFor(label: string | undefined): TextDecoder | undefined {
  if (!label) return undefined
  try {
    return new TextDecoder(label)
  } catch {
    return undefined // an unknown label: try the next clue
  }
}

/**
 * Text from a body's bytes: the Content-Type charset, else the BOM, else an XML declaration's
 * encoding, else UTF-8. A header that says only "utf-16" leaves the byte order to the BOM.
 * Undecodable bytes become U+FFFD rather than failing the fetch.
 */
export function decodeBody(bytes: Uint8Array, contentType?: string): string {
  const bom = bomEncoding(bytes)
  let declared = charsetOf(contentType)
  if (declared && bom && /^utf-?16$/i.test(declared) && bom !== 'utf-8') declared = bom
  const decoder =
    decoderFor(declared) ?? decoderFor(bom) ?? decoderFor(xmlDeclaredEncoding(bytes)) ?? new TextDecoder('utf-8')
  const text = decoder.decode(bytes)
  return decoder.encoding === 'windows-1252' ? fixWindows1252(text) : text
}

/**
 * WHATWG index-windows-1252 for bytes 0x80–0x9F (0x81, 0x8D, 0x8F, 0x90 and 0x9D stay C1).
 * Node since 20.18.3 / 22.13.0 decodes windows-1252 (and so "iso-8859-1" and "latin1", its
 * labels) as plain Latin-1, turning curly quotes and "€" into control characters
 * (nodejs/node#56542, #60888). Once Node is fixed no C1 character is left and this is a no-op.
 */
const WINDOWS_1252_C1 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'
function fixWindows1252(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1.charAt(c.charCodeAt(0) - 0x80))
}

function makeDispatcher(env: Readonly<Record<string, string | undefined>>, timeoutMs: number): Dispatcher {
  const agentOptions = {
    connect: { timeout: timeoutMs },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  }
  const pick = (name: string): string => env[name.toLowerCase()] || env[name.toUpperCase()] || ''
  const httpProxy = pick('http_proxy')
  const httpsProxy = pick('https_proxy')
  if (!httpProxy && !httpsProxy) return new Agent(agentOptions)
  // Every value is passed explicitly (empty string = none) so undici never falls back to
  // process.env, which only the CLI layer may read.
  return new EnvHttpProxyAgent({ ...agentOptions, httpProxy, httpsProxy, noProxy: pick('no_proxy') })
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
const DEFAULT_MAX_HOPS = 5

/**
 * A DNS lookup for connections to a redirect target: every address the name resolves to is
 * judged, so a public-looking name pointing at 169.254.169.254 or 10.x is refused at connect
 * time, after the same resolution the socket uses (no second lookup to race).
 */
export function guardedLookup(fromLoopback: boolean) {
  return (
    hostname: string,
    options: LookupOptions,
    callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
  ): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '')
      for (const a of addresses) {
        const why = refusedAddress(classifyIp(a.address) ?? 'private', fromLoopback)
        if (why) {
          const refused = new RedirectRefusedError('', hostname, `${hostname} resolves to ${a.address}: ${why}`) as RedirectRefusedError & { code: string }
          refused.code = 'ERR_REDIRECT_ADDRESS'
          return callback(refused, '')
        }
      }
      if (options.all) return callback(null, addresses)
      const first = addresses[0]
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '')
      callback(null, first.address, first.family)
    })
  }
}

/** Why this hop may not be followed, or undefined. Pure, on the URLs alone. */
export function redirectRefusal(from: URL, origin: URL, to: URL, policy: RedirectPolicy | undefined, hop: number): string | undefined {
  const maxHops = policy?.maxHops ?? DEFAULT_MAX_HOPS
  if (hop > maxHops) return `more than ${maxHops} redirects`
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return `${to.protocol} is not http or https`
  const fromLoopback = classifyHostname(origin.hostname) === 'loopback'
  // Same host and scheme (or an upgrade to https) is the site moving a page.
  if (to.host === origin.host && (to.protocol === origin.protocol || to.protocol === 'https:')) return undefined
  const listed = (policy?.allowHosts ?? []).some((h) => {
    const want = h.trim().toLowerCase()
    return want === to.host.toLowerCase() || want === to.hostname.toLowerCase()
  })
  if (!listed) return `not the same host as ${from.host} (add "${to.hostname}" to the source's redirectHosts to allow it)`
  if (origin.protocol === 'https:' && to.protocol === 'http:') return 'a downgrade from https to http'
  return refusedAddress(classifyHostname(to.hostname), fromLoopback)
}

function toHttpUrl(input: string | URL): URL {
  let url: URL
  try {
    url = new URL(typeof input === 'string' ? input : input.href)
  } catch {
    throw new TypeError(`Not a valid URL: ${redactUrl(String(input))}`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`Only http and https URLs can be fetched: ${redactUrl(url)}`)
  }
  return url
}

function lowerCaseKeys(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) out[name.toLowerCase()] = value
  return out
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepTimer(ms, undefined, signal ? { signal } : undefined)
}

// ---------------------------------------------------------------------------------------------
// The client

export function createHttp(opts: HttpOptions): Http & { close(): Promise<void> } {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const retries = Math.max(0, opts.retries ?? DEFAULT_RETRIES)
  const perHost = Math.max(1, opts.perHostConcurrency ?? DEFAULT_PER_HOST)
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS
  const sleep = opts.sleep ?? defaultSleep
  const random = opts.random ?? Math.random
  const now = opts.now ?? Date.now
  const env = opts.env ?? {}
  const dispatcher = makeDispatcher(env, timeoutMs)
  const proxied = Boolean(env.http_proxy || env.HTTP_PROXY || env.https_proxy || env.HTTPS_PROXY)
  // A cross-host redirect hop connects through one of these: the same timeouts, plus the
  // resolved-address check. Behind a proxy the proxy resolves names, so only literals are judged.
  const guarded = new Map<boolean, Dispatcher>()
  const hopDispatcher = (fromLoopback: boolean): Dispatcher => {
    if (proxied) return dispatcher
    let d = guarded.get(fromLoopback)
    if (!d) {
      d = new Agent({ connect: { timeout: timeoutMs, lookup: guardedLookup(fromLoopback) }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs })
      guarded.set(fromLoopback, d)
    }
    return d
  }

  const limiters = new Map<string, LimitFunction>()
  /** When a host told one request to back off, the others to that host wait too. */
  const hostResumeAt = new Map<string, number>()

  function limiterFor(host: string): LimitFunction {
    let limit = limiters.get(host)
    if (!limit) {
      limit = pLimit(perHost)
      limiters.set(host, limit)
    }
    return limit
  }

  async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (ms <= 0) return
    try {
      await sleep(ms, signal)
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      throw err
    }
    signal?.throwIfAborted()
  }

  async function attemptOnce(
    url: URL,
    shownUrl: string,
    headers: Record<string, string>,
    secrets: readonly string[],
    signal: AbortSignal | undefined,
    request: { method: 'GET' | 'POST'; body?: string; redirects?: RedirectPolicy } = { method: 'GET' },
  ): Promise<Attempt> {
    signal?.throwIfAborted()
    const controller = new AbortController()
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort(new Error(`timed out after ${timeoutMs} ms`))
    }, timeoutMs)
    const onAbort = (): void => controller.abort(signal?.reason)
    signal?.addEventListener('abort', onAbort, { once: true })
    const network = (message: string, retryable: boolean, cause?: unknown): Attempt => ({
      kind: 'network',
      retryable,
      error: new NetworkError(`${request.method} ${hostAndPath(url)} failed: ${message}`, shownUrl, { cause }),
    })

    try {
      // Redirects are followed here, hop by hop, so each target is judged before it is asked
      // anything (fetch's own following would already have read the target's body).
      let current = url
      let hopHeaders = headers
      let via = dispatcher
      let response: Response
      for (let hop = 0; ; hop++) {
        response = await fetch(current, {
          method: request.method,
          headers: hopHeaders,
          ...(request.body !== undefined ? { body: request.body } : {}),
          redirect: 'manual',
          signal: controller.signal,
          dispatcher: via,
        })
        const location = response.headers.get('location')
        // A POST is never replayed to another address: a redirect is an answer of its own.
        if (request.method !== 'GET' || !REDIRECT_STATUSES.has(response.status) || !location) break
        await response.body?.cancel().catch(() => undefined)
        let target: URL
        try {
          target = new URL(location, current)
        } catch {
          throw new RedirectRefusedError(current.host, '(unreadable Location)', 'the Location header is not a URL')
        }
        const why = redirectRefusal(current, url, target, request.redirects, hop + 1)
        if (why) throw new RedirectRefusedError(current.host, target.host, why)
        if (target.host !== url.host) {
          // Credentials meant for the first host never travel to another one.
          hopHeaders = Object.fromEntries(Object.entries(headers).filter(([name]) => !SECRET_HEADER.test(name)))
          via = hopDispatcher(classifyHostname(url.hostname) === 'loopback')
        } else {
          hopHeaders = headers
          via = dispatcher
        }
        current = target
      }
      const responseHeaders = headersToRecord(response.headers)
      const finalUrl = current.href

      if (response.status === 304) {
        await response.body?.cancel().catch(() => undefined)
        return {
          kind: 'done',
          response: { status: 304, url: finalUrl, headers: responseHeaders, body: '', notModified: true },
        }
      }
      if (response.status >= 200 && response.status < 300) {
        const declared = Number(responseHeaders['content-length'])
        if (Number.isFinite(declared) && declared > maxBodyBytes) {
          controller.abort(new BodyTooLargeError('declared length over the cap'))
          return network(`response body of ${declared} bytes is over the ${maxBodyBytes}-byte limit`, false)
        }
        const bytes = await readBytes(response, maxBodyBytes, false)
        // undici refuses a short body itself today; this holds whatever the transport does,
        // because a cut feed that still parses would be stored as a good pull. Only an
        // unencoded body can be compared: Content-Length counts the bytes on the wire.
        const encoding = (responseHeaders['content-encoding'] ?? 'identity').trim().toLowerCase()
        if (Number.isFinite(declared) && (encoding === '' || encoding === 'identity') && bytes.byteLength < declared) {
          controller.abort(new Error('truncated body'))
          return network(`response body ended after ${bytes.byteLength} of ${declared} bytes`, true)
        }
        const body = decodeBody(bytes, responseHeaders['content-type'])
        return {
          kind: 'done',
          response: { status: response.status, url: finalUrl, headers: responseHeaders, body, notModified: false },
        }
      }
      const errorBytes = await readBytes(response, ERROR_BODY_READ_BYTES, true)
      const contentType = responseHeaders['content-type']
      const errorText = decodeBody(errorBytes, contentType)
      let kept = errorText.slice(0, ERROR_BODY_KEEP + 256)
      for (const secret of secrets) kept = kept.split(secret).join('***')
      return {
        kind: 'status',
        status: response.status,
        headers: responseHeaders,
        snippet: responseSnippet(errorText, secrets, { contentType }),
        body: redactText(kept).slice(0, ERROR_BODY_KEEP),
      }
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      if (err instanceof RedirectRefusedError) throw err
      const inner = refusedInside(err)
      if (inner) throw new RedirectRefusedError(url.host, inner.toHost, inner.reason)
      if (err instanceof BodyTooLargeError) {
        // Aborting destroys the socket, so the rest of the body is never downloaded.
        controller.abort(err)
        return network(err.message, false, err)
      }
      if (timedOut) return network(`timed out after ${timeoutMs} ms`, true, err)
      const failure = describeFailure(err)
      const retryable = failure.code !== undefined && RETRYABLE_CODES.has(failure.code)
      const detail = failure.code && !failure.message.includes(failure.code)
        ? `${failure.message} (${failure.code})`
        : failure.message
      return network(detail, retryable, err)
    } finally {
      clearTimeout(timer)
      signal?.removeEventListener('abort', onAbort)
    }
  }

  function statusError(attempt: Extract<Attempt, { kind: 'status' }>, shownUrl: string): HttpError {
    // GitHub answers an exhausted window with 403 rather than 429: not retried (it is a 4xx),
    // but the caller still learns when the window reopens.
    const detail = { body: attempt.body, headers: explainingHeaders(attempt.headers) }
    const wait = RETRY_AFTER_STATUSES.has(attempt.status)
      ? rateLimitWaitMs(attempt.headers, now())
      : attempt.status === 403
        ? exhaustedWindowWaitMs(attempt.headers, now())
        : undefined
    if (wait === undefined) return new HttpError(attempt.status, shownUrl, attempt.snippet, detail)
    const at = now()
    return new RateLimitError(attempt.status, shownUrl, attempt.snippet, new Date(at + wait), at, detail)
  }

  async function get(input: string | URL, getOpts: GetOptions = {}): Promise<HttpResponse> {
    const url = toHttpUrl(input)
    const shownUrl = redactUrl(url)
    const { signal } = getOpts
    const headers: Record<string, string> = {
      'user-agent': opts.userAgent,
      'accept-encoding': 'gzip, deflate, br',
      ...lowerCaseKeys(getOpts.headers),
    }
    if (getOpts.etag) headers['if-none-match'] = getOpts.etag
    if (getOpts.lastModified) headers['if-modified-since'] = getOpts.lastModified
    const secrets = secretsSent(url, headers)
    const limit = limiterFor(url.host)

    // The cooldown this request already slept through, so it does not wait for it twice.
    let waitedUntil = 0
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted()
      const resumeAt = hostResumeAt.get(url.host) ?? 0
      if (resumeAt > waitedUntil) {
        await pause(resumeAt - now(), signal)
        waitedUntil = resumeAt
      }
      const outcome = await limit(() => attemptOnce(url, shownUrl, headers, secrets, signal, { method: 'GET', ...(getOpts.redirects ? { redirects: getOpts.redirects } : {}) }))
      if (outcome.kind === 'done') return outcome.response
      const attemptsLeft = retries - attempt

      if (outcome.kind === 'network') {
        if (!outcome.retryable || attemptsLeft <= 0) throw outcome.error
        await pause(backoffMs(attempt, random), signal)
        continue
      }

      if (!RETRYABLE_STATUSES.has(outcome.status)) throw statusError(outcome, shownUrl)
      const hinted = RETRY_AFTER_STATUSES.has(outcome.status)
        ? rateLimitWaitMs(outcome.headers, now())
        : undefined
      // Waiting longer than the cap would stall the whole pull; the caller records the error
      // (with retryAt) and the next run picks up from there.
      if (hinted !== undefined && hinted > maxRetryAfterMs) throw statusError(outcome, shownUrl)
      if (attemptsLeft <= 0) throw statusError(outcome, shownUrl)
      if (hinted !== undefined) {
        waitedUntil = now() + hinted
        hostResumeAt.set(url.host, Math.max(waitedUntil, hostResumeAt.get(url.host) ?? 0))
      }
      await pause(hinted ?? backoffMs(attempt, random), signal)
    }
  }

  /**
   * A POST with a JSON or form body (token and session endpoints). Retried only when the
   * server said when to come back (429/503 with Retry-After): a POST that may have been
   * handled is never sent twice blindly.
   */
  async function post(input: string | URL, postOpts: PostOptions): Promise<HttpResponse> {
    const url = toHttpUrl(input)
    const shownUrl = redactUrl(url)
    const { signal } = postOpts
    const body = postOpts.json !== undefined ? JSON.stringify(postOpts.json) : new URLSearchParams(postOpts.form ?? {}).toString()
    const headers: Record<string, string> = {
      'user-agent': opts.userAgent,
      'accept-encoding': 'gzip, deflate, br',
      'content-type': postOpts.json !== undefined ? 'application/json' : 'application/x-www-form-urlencoded',
      ...lowerCaseKeys(postOpts.headers),
    }
    const bodyValues = postOpts.json !== undefined ? jsonStrings(postOpts.json) : Object.values(postOpts.form ?? {})
    const secrets = secretsSent(url, headers, bodyValues)
    const limit = limiterFor(url.host)
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted()
      const outcome = await limit(() => attemptOnce(url, shownUrl, headers, secrets, signal, { method: 'POST', body }))
      if (outcome.kind === 'done') return outcome.response
      if (outcome.kind === 'network') {
        if (!postOpts.idempotent || !outcome.retryable || attempt >= retries) throw outcome.error
        await pause(backoffMs(attempt, random), signal)
        continue
      }
      const hinted = RETRY_AFTER_STATUSES.has(outcome.status) ? rateLimitWaitMs(outcome.headers, now()) : undefined
      if (hinted === undefined || hinted > maxRetryAfterMs || attempt >= retries) throw statusError(outcome, shownUrl)
      await pause(hinted, signal)
    }
  }

  return {
    get,
    post,
    async close() {
      await Promise.all([dispatcher.close(), ...[...guarded.values()].map((d) => d.close())])
    },
  }
}
