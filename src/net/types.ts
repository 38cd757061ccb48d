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
  constructor(
    readonly status: number,
    readonly url: string,
    readonly bodySnippet: string,
  ) {
    const phrase = STATUS_CODES[status]
    super(`HTTP ${status}${phrase ? ` ${phrase}` : ''} from ${hostAndPath(url)}${bodySnippet ? `: ${bodySnippet}` : ''}`)
  }
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
  ) {
    super(status, url, bodySnippet)
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
