// The HTTP surface the rest of the code sees. One implementation (client.ts, on undici);
// tests use it against a real loopback server rather than a mock.
import { STATUS_CODES } from 'node:http'
import { hostAndPath } from './redact.js'

export interface GetOptions {
  headers?: Record<string, string>
  /** Validators from the last fetch: sent as If-None-Match / If-Modified-Since. */
  etag?: string
  lastModified?: string
  signal?: AbortSignal
  redirects?: RedirectPolicy
}

export interface HttpResponse {
  status: number
  /** Final URL after redirects. */
  url: string
  /** Lower-cased header names. */
  headers: Record<string, string>
  /** Empty on 304. */
  body: string
  notModified: boolean
}

export interface PostOptions {
  headers?: Record<string, string>
  /** Sent as application/json. */
  json?: unknown
  /** Sent as application/x-www-form-urlencoded (when json is absent). */
  form?: Record<string, string>
  /**
   * Sending it twice is harmless (a token or session request): a connection that failed
   * (a kept-alive socket the server had closed) is retried like a GET.
   */
  idempotent?: boolean
  signal?: AbortSignal
}

export interface Http {
  /** Resolves for 2xx and 304; throws HttpError for other statuses once retries are spent. */
  get(url: string | URL, opts?: GetOptions): Promise<HttpResponse>
  /**
   * For token and session endpoints. Resolves for 2xx; retried only on 429/503 with a
   * Retry-After; every value in the body is kept out of error messages like a secret.
   */
  post(url: string | URL, opts: PostOptions): Promise<HttpResponse>
}

/**
 * A non-success HTTP status, after retries. `url` is redacted; the message names only host and
 * path ("HTTP 503 Service Unavailable from example.com/feed.xml"). `bodySnippet` is short (an
 * HTML page's title at most) and never holds secrets we sent.
 */
export class HttpError extends Error {
  override name = 'HttpError'
  /**
   * The start of the error body (at most ERROR_BODY_KEEP characters), secrets we sent blanked
   * and URLs redacted, as sent otherwise (not one-lined): for adapters to read a reason from
   * (an error code in a JSON body). Never printed whole; the message carries `bodySnippet`.
   */
  readonly body: string
  /** Headers that explain a refusal (content-type, retry-after, rate-limit, www-authenticate). */
  readonly headers: Readonly<Record<string, string>>
  constructor(
    readonly status: number,
    readonly url: string,
    readonly bodySnippet: string,
    detail: { body?: string; headers?: Readonly<Record<string, string>> } = {},
  ) {
    const phrase = STATUS_CODES[status]
    super(`HTTP ${status}${phrase ? ` ${phrase}` : ''} from ${hostAndPath(url)}${bodySnippet ? `: ${bodySnippet}` : ''}`)
    this.body = detail.body ?? ''
    this.headers = detail.headers ?? {}
  }
}

/** How much of an error body an HttpError keeps for adapters. */
export const ERROR_BODY_KEEP = 2048

/** The response headers an HttpError keeps: the ones that say why, never cookies. */
export function explainingHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (/^(content-type|retry-after|www-authenticate|x-error[\w-]*|(x-)?rate-?limit[\w-]*)$/.test(name)) out[name] = value
  }
  return out
}

/**
 * A redirect the client would not follow: to another host (not in the source's
 * `redirectHosts`), to a private, link-local, loopback or metadata address, or one hop too
 * many. Names both hosts; the target was never requested, so nothing of its body exists.
 */
export class RedirectRefusedError extends Error {
  override name = 'RedirectRefusedError'
  constructor(
    readonly fromHost: string,
    readonly toHost: string,
    readonly reason: string,
  ) {
    super(`redirect from ${fromHost} to ${toHost} refused: ${reason}`)
  }
}

/**
 * Where a GET may be redirected: always within the same scheme and host; to other hosts only
 * when listed (host or host:port), and never to a private, link-local or metadata address
 * (nor loopback, unless the request itself went to loopback).
 */
export interface RedirectPolicy {
  allowHosts?: readonly string[]
  /** Most hops followed; default 5. */
  maxHops?: number
}

/**
 * An HttpError whose server said when to come back (Retry-After or an exhausted rate-limit
 * window). Thrown at once when that wait is over `maxRetryAfterMs`, or when retries are spent.
 */
export class RateLimitError extends HttpError {
  override name = 'RateLimitError'
  constructor(
    status: number,
    url: string,
    bodySnippet: string,
    readonly retryAt: Date,
    nowMs: number,
    detail: { body?: string; headers?: Readonly<Record<string, string>> } = {},
  ) {
    super(status, url, bodySnippet, detail)
    const seconds = Math.max(0, Math.ceil((retryAt.getTime() - nowMs) / 1000))
    this.message = `${this.message} (rate limited: retry after ${retryAt.toISOString()}, in ${seconds} s)`
  }
}

/** Connection refused, reset, DNS failure, timeout, or a body over the size cap. */
export class NetworkError extends Error {
  override name = 'NetworkError'
  constructor(message: string, readonly url: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}
