// `mentions alert`: new spikes and new high-priority open mentions, posted to a webhook once
// each. What was sent is remembered per channel (a hash of the webhook's host and path, so
// the URL itself is never stored) and recorded only after its POST succeeded: a failed item
// goes out with the next run, and a missed cron run leaves no hole.
import { createHash } from 'node:crypto'
import type { Http } from '../net/types.js'
import { postWebhook, WebhookError, webhookHost, type WebhookOptions } from '../net/webhook.js'
import { itemPayload, SLACK_MAX_ENTRIES, slackMessage, type AlertEntry } from '../report/alert/payload.js'
import { WEIGHTS } from '../rules/priority.js'
import type { SentKind } from '../store/index.js'
import type { Deps } from './deps.js'
import { queuePage } from './queues.js'
import { listSpikes } from './spikes.js'

const HOUR = 3600_000

/**
 * New to us (first seen) in the last day. Longer than any cron interval on purpose: what was
 * already sent is skipped anyway, so the window only has to outlast a few missed runs.
 */
export const DEFAULT_ALERT_WINDOW_MS = 24 * HOUR

/**
 * A fresh negative complaint from nobody in particular: the least a person must see at once.
 * Reach, engagement, low ratings and rule boosts lift others over it; age and a reply drop them.
 */
export const DEFAULT_ALERT_MIN_PRIORITY = WEIGHTS.negativeBase + WEIGHTS.intent.complaint

/** More new high-priority items than this in one window is an incident, not a queue. */
const MAX_MENTIONS = 1000

export interface AlertWebhook {
  url: string
  /** Built with `retries: 0` so postWebhook's policy is the only one (default: deps.http()). */
  http?: Http
  options?: WebhookOptions
}

export interface AlertQuery {
  /** First seen at or after (epoch ms); default DEFAULT_ALERT_WINDOW_MS back from now. */
  since?: number
  minPriority?: number
  brands?: readonly string[]
  /** One generic JSON object per entry, each in its own POST, instead of one Slack message. */
  perItem?: boolean
  /** Build what would be sent and send nothing, record nothing. */
  dryRun?: boolean
  /** Required unless dryRun; without it a dry run treats nothing as sent before. */
  webhook?: AlertWebhook
}

export interface AlertFailure {
  /** The entries that POST carried. */
  keys: string[]
  message: string
  status: number | undefined
}

export interface AlertResult {
  since: number
  minPriority: number
  dryRun: boolean
  perItem: boolean
  /** The webhook's host (never its path), or null for a dry run without one. */
  host: string | null
  /** Sent now, or for a dry run what would be. Spikes first, then mentions by priority. */
  sent: AlertEntry[]
  /** Bodies as POSTed (or, for a dry run, as they would be), in order. */
  payloads: unknown[]
  /** Skipped: already sent to this channel by an earlier run. */
  alreadySent: number
  /** Over Slack's block limit: left for the next run, still unsent. */
  deferred: number
  failures: AlertFailure[]
  /** Entries a failure left unsent (they go next run). */
  unsent: number
}

/** The send-once channel of a webhook: its host and path, hashed, so the secret never reaches the store. */
export function alertChannel(url: string): string {
  const parsed = new URL(url)
  return createHash('sha256').update(`${parsed.host.toLowerCase()}${parsed.pathname}`).digest('hex').slice(0, 32)
}

const kindOf = (e: AlertEntry): SentKind => (e.type === 'spike' ? 'spike' : 'mention')

/** The candidates, before send-once filtering: active spikes, then open mentions over the threshold. */
async function candidates(deps: Deps, since: number, minPriority: number, brands: readonly string[] | undefined): Promise<AlertEntry[]> {
  const spikes = await listSpikes(deps, { since, ...(brands?.length ? { brands } : {}) })
  const out: AlertEntry[] = spikes.rows
    .filter((r) => r.active)
    .map((r) => ({ type: 'spike', key: `${r.brand}|${r.kind}|${new Date(r.bucketStart).toISOString()}|${new Date(r.bucketEnd).toISOString()}`, spike: r }))
  const page = await queuePage(deps, {
    queue: 'all',
    newSince: since,
    states: ['open'],
    sort: 'priority',
    limit: MAX_MENTIONS,
    ...(brands?.length ? { brands } : {}),
  })
  for (const m of page.mentions) {
    if (m.priority < minPriority) break // sorted by priority: the rest are lower
    out.push({ type: 'mention', key: String(m.id), mention: m })
  }
  return out
}

async function unsentOnly(deps: Deps, channel: string | undefined, entries: AlertEntry[]): Promise<AlertEntry[]> {
  if (!channel) return entries
  const store = deps.readStore()
  const seen = new Map<SentKind, Set<string>>()
  for (const kind of ['spike', 'mention'] as const) {
    const keys = entries.filter((e) => kindOf(e) === kind).map((e) => e.key)
    seen.set(kind, keys.length ? await store.sent.wasSent(channel, kind, keys) : new Set())
  }
  return entries.filter((e) => !seen.get(kindOf(e))?.has(e.key))
}

async function remember(deps: Deps, channel: string, entries: readonly AlertEntry[]): Promise<void> {
  const store = deps.store()
  const now = deps.now()
  for (const kind of ['spike', 'mention'] as const) {
    const keys = entries.filter((e) => kindOf(e) === kind).map((e) => e.key)
    if (keys.length) await store.sent.record(channel, kind, keys, now)
  }
}

function failureOf(err: unknown, entries: readonly AlertEntry[]): AlertFailure {
  if (!(err instanceof WebhookError)) throw err
  return { keys: entries.map((e) => `${e.type}:${e.key}`), message: err.message, status: err.status }
}

/** A refusal of this one body (a 4xx other than 429): the next item may still go through. */
const refusedOnlyThis = (f: AlertFailure) => f.status !== undefined && f.status >= 400 && f.status < 500 && f.status !== 429

export async function sendAlerts(deps: Deps, q: AlertQuery): Promise<AlertResult> {
  const since = q.since ?? deps.now() - DEFAULT_ALERT_WINDOW_MS
  const minPriority = q.minPriority ?? DEFAULT_ALERT_MIN_PRIORITY
  const perItem = q.perItem === true
  const dryRun = q.dryRun === true
  const url = q.webhook?.url
  if (!url && !dryRun) throw new TypeError('sendAlerts needs a webhook unless it is a dry run')
  const host = url ? webhookHost(url) : null
  let channel: string | undefined
  if (url) {
    try {
      channel = alertChannel(url)
    } catch {
      throw new WebhookError(host ?? '(invalid URL)', undefined, 0, 'is not an http(s) URL; check the variable that holds it')
    }
  }

  const all = await candidates(deps, since, minPriority, q.brands)
  const fresh = await unsentOnly(deps, channel, all)
  const result: AlertResult = { since, minPriority, dryRun, perItem, host, sent: [], payloads: [], alreadySent: all.length - fresh.length, deferred: 0, failures: [], unsent: 0 }
  if (fresh.length === 0) return result

  const post = async (body: unknown) => {
    const webhook = q.webhook as AlertWebhook
    await postWebhook(webhook.http ?? deps.http(), webhook.url, body, webhook.options)
  }

  if (!perItem) {
    const batch = fresh.slice(0, SLACK_MAX_ENTRIES)
    result.deferred = fresh.length - batch.length
    const message = slackMessage(batch, result.deferred)
    result.payloads.push(message)
    if (dryRun) return { ...result, sent: batch }
    try {
      await post(message)
    } catch (err) {
      result.failures.push(failureOf(err, batch))
      result.unsent = batch.length
      return result
    }
    await remember(deps, channel as string, batch)
    return { ...result, sent: batch }
  }

  for (const [i, entry] of fresh.entries()) {
    const body = itemPayload(entry)
    result.payloads.push(body)
    if (dryRun) {
      result.sent.push(entry)
      continue
    }
    try {
      await post(body)
    } catch (err) {
      const failure = failureOf(err, [entry])
      result.failures.push(failure)
      result.unsent++
      // A host that is down or throttling would fail every other item too, after its own
      // retries: stop, and leave the rest for the next run.
      if (!refusedOnlyThis(failure)) {
        result.unsent += fresh.length - i - 1
        break
      }
      continue
    }
    // At once, so a crash or a later failure never sends this one again.
    await remember(deps, channel as string, [entry])
    result.sent.push(entry)
  }
  return result
}
