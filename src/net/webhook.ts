// Posting JSON to an incoming webhook (Slack-compatible, or a ticket system's). A webhook URL
// is itself the credential (Slack's path is the secret), so nothing here ever puts the URL,
// its path or its query into a message: failures name the host and the status only.
//
// The retry policy lives here, not in the Http client: a webhook POST is worth repeating on a
// 5xx, a 429 or a dropped connection (a duplicate chat message costs less than a lost alert),
// which the client's POST deliberately never does blindly. Give it an Http built with
// `retries: 0`, or the client's own Retry-After retries add to the tries counted here.
import { setTimeout as sleepTimer } from 'node:timers/promises'
import { backoffMs } from './client.js'
import { HttpError, NetworkError, RateLimitError, type Http } from './types.js'

export interface WebhookOptions {
  signal?: AbortSignal
  /** Extra attempts after the first. Default 3 (4 tries). */
  retries?: number
  /** Never wait past this much time in all (backoff and Retry-After); default 60 s. */
  maxTotalMs?: number
  headers?: Record<string, string>
  now?: () => number
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /** Jitter source in [0, 1). */
  random?: () => number
}

export interface WebhookDelivery {
  status: number
  tries: number
}

const DEFAULT_RETRIES = 3
const DEFAULT_MAX_TOTAL_MS = 60_000

/**
 * A webhook POST that failed for good. `status` is the last HTTP status (undefined when no
 * answer came); the message is one line with the host, never the path or query.
 */
export class WebhookError extends Error {
  override name = 'WebhookError'
  constructor(
    readonly host: string,
    readonly status: number | undefined,
    readonly tries: number,
    readonly reason: string,
  ) {
    super(`webhook ${host} ${reason} after ${tries} ${tries === 1 ? 'try' : 'tries'}`)
  }
}

/** The host (and port) of a webhook URL, the only part of it that may be shown. */
export function webhookHost(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.host
  } catch {
    // fall through: the text may hold the secret, so none of it is shown
  }
  return '(invalid URL)'
}

/** Slack answers a refusal with a bare error code ("invalid_blocks"): safe and useful to show. */
function safeDetail(snippet: string): string {
  const text = snippet.trim()
  return /^[a-z][a-z0-9_]{1,40}$/.test(text) ? ` (${text})` : ''
}

/** Why a connection failed, by error code only: undici's messages name the request's path. */
export function networkReason(err: NetworkError): string {
  if (/timed out/.test(err.message)) return 'timed out'
  let current: unknown = err.cause
  for (let depth = 0; depth < 8 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^[A-Z0-9_]+$/.test(code)) return `could not be reached (${code})`
    current = current instanceof AggregateError && current.errors.length > 0 ? current.errors[0] : current.cause
  }
  return 'could not be reached'
}

const retryableStatus = (status: number) => status === 429 || status >= 500

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepTimer(ms, undefined, signal ? { signal } : undefined)
}

/**
 * POSTs `body` as JSON to `url`. Retries 5xx, 429 and connection failures with exponential
 * backoff and jitter, waiting what Retry-After asks when the server says; gives up after
 * `retries` more tries or when the next wait would pass `maxTotalMs`. Any other 4xx fails at
 * once. Throws WebhookError (or the signal's reason when aborted).
 */
export async function postWebhook(http: Http, url: string, body: unknown, opts: WebhookOptions = {}): Promise<WebhookDelivery> {
  const host = webhookHost(url)
  if (host === '(invalid URL)') throw new WebhookError(host, undefined, 0, 'is not an http(s) URL; check the variable that holds it')
  const retries = Math.max(0, opts.retries ?? DEFAULT_RETRIES)
  const maxTotalMs = opts.maxTotalMs ?? DEFAULT_MAX_TOTAL_MS
  const now = opts.now ?? Date.now
  const sleep = opts.sleep ?? defaultSleep
  const random = opts.random ?? Math.random
  const started = now()
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted()
    const tries = attempt + 1
    let wait: number
    let failure: WebhookError
    try {
      const response = await http.post(url, { json: body, ...(opts.headers ? { headers: opts.headers } : {}), ...(opts.signal ? { signal: opts.signal } : {}) })
      return { status: response.status, tries }
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason
      if (err instanceof HttpError) {
        failure = new WebhookError(host, err.status, tries, `answered ${err.status}${safeDetail(err.bodySnippet)}`)
        if (!retryableStatus(err.status)) throw failure
        wait = err instanceof RateLimitError ? Math.max(0, err.retryAt.getTime() - now()) : backoffMs(attempt, random)
      } else if (err instanceof NetworkError) {
        failure = new WebhookError(host, undefined, tries, networkReason(err))
        wait = backoffMs(attempt, random)
      } else {
        // A bug or a bad URL: its message may quote the URL, so only its kind is told.
        throw new WebhookError(host, undefined, tries, `failed (${err instanceof Error ? err.name : 'error'})`)
      }
    }
    if (attempt >= retries || now() - started + wait > maxTotalMs) throw failure
    try {
      await sleep(wait, opts.signal)
    } catch (err) {
      if (opts.signal?.aborted) throw opts.signal.reason
      throw err
    }
  }
}
