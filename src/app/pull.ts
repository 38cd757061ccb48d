// `mentions pull`: every configured source (and brand), concurrently, into the store.
import { AsyncLocalStorage } from 'node:async_hooks'
import pLimit, { type LimitFunction } from 'p-limit'
import { StoreError, UsageError } from '../errors.js'
import { parseDuration } from '../config/duration.js'
import { RateLimitError, type GetOptions, type Http, type PostOptions } from '../net/types.js'
import { redactText } from '../net/redact.js'
import { compileMatcher } from '../match/matcher.js'
import type { Brand, Cursor, SourceState } from '../model.js'
import type { SourceOptions } from '../config/schema.js'
import { BudgetExhaustedError, type Source, type UsageLedger } from '../sources/types.js'
import type { CursorKey, SourceRunReport } from '../store/index.js'
import type { Deps } from './deps.js'
import { loadLanguageDetector } from '../match/lang.js'
import { createEnricher, type Enricher } from './records.js'
import { compileRules } from '../rules/rules.js'

export interface PullOptions {
  /** Only these source kinds (from --source). */
  kinds?: readonly string[]
  /** How far back a first pull reaches, in ms. Default: config pull.since. */
  sinceMs?: number
  /** Epoch ms: the window's start (from an absolute --since); wins over sinceMs. */
  since?: number
  /** Epoch ms: the window's end (--until); undefined means now. */
  until?: number
  /** Default page bound for sources whose options do not set `maxPages`. */
  maxPages?: number
  /** Longest the whole pull may take, in ms (--deadline). Default: config pull.deadline, 10 min. */
  deadlineMs?: number
  signal?: AbortSignal
  onProgress?: (event: PullProgress) => void
}

export type PullProgress =
  | { type: 'start'; total: number }
  | { type: 'begin'; key: CursorKey }
  | { type: 'page'; key: CursorKey; fetched: number }
  | { type: 'done'; key: CursorKey; report: SourceRunReport }

export type PullStatus = 'ok' | 'partial' | 'failed' | 'interrupted'

export interface PullResult {
  runId: number
  status: PullStatus
  sources: SourceRunReport[]
}

interface Task {
  source: Source
  options: SourceOptions
  brand?: Brand
  /** 'own': the brand handles' own activity (replies), with a cursor of its own. */
  stream: 'search' | 'own'
  /** For 'own': the brand's handles for this kind. */
  handles?: string[]
  key: CursorKey
  /** Other hosts this entry may be redirected to (config `redirectHosts`). */
  redirectHosts: string[]
}

/** Defaults of the pull settings that are optional in the config. */
export const PULL_DEFAULTS = { deadlineMs: 10 * 60_000, sourceDeadlineMs: 120_000, emptyAfter: 5 } as const

/**
 * A source (or the whole pull) ran out of its time budget. It stops like a spent budget: the
 * pages it stored are kept and its last page's cursor saved, and it is reported as failed.
 */
export class DeadlineError extends Error {
  override name = 'DeadlineError'
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))}s`

/** "HH:MM UTC" of an epoch ms, for a one-line skip message. */
function clockTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`
}

/** The source-instance part of a cursor key (its own-activity walk shares the instance). */
function instanceOf(key: CursorKey): string {
  return key.instance.endsWith(OWN_ACTIVITY_SUFFIX) ? key.instance.slice(0, -OWN_ACTIVITY_SUFFIX.length) : key.instance
}

/** A RateLimitError anywhere in an error's cause chain (adapters may wrap it). */
function rateLimitIn(err: unknown): RateLimitError | undefined {
  let current: unknown = err
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    if (current instanceof RateLimitError) return current
    current = current.cause
  }
  return undefined
}

function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** The cursor instance of a brand's own-activity walk: beside its search cursor, never mixed. */
export const OWN_ACTIVITY_SUFFIX = '#own'

/**
 * A one-line reason for a source failure. The HTTP client already redacts URLs and blanks
 * any secret it sent out of response snippets, so messages are safe to store and print.
 */
export function describeFailure(err: unknown): string {
  // Adapters build messages of their own too; every URL in one is redacted once more here,
  // since this is what is printed and stored in the run.
  return redactText(err instanceof Error ? err.message : String(err))
}

export function planTasks(deps: Deps, kinds?: readonly string[]): Task[] {
  const config = deps.config()
  const byKind = new Map(deps.sources.map((s) => [s.kind, s]))
  if (kinds?.length) {
    const configured = new Set(config.sources.map((s) => s.kind))
    for (const k of kinds) {
      if (!configured.has(k)) {
        throw new UsageError(`no source of kind "${k}" in ${config.file} (configured: ${[...configured].join(', ')})`)
      }
    }
  }
  const tasks: Task[] = []
  for (const entry of config.sources) {
    if (kinds?.length && !kinds.includes(entry.kind)) continue
    const source = byKind.get(entry.kind)
    if (!source) continue // the config schema already rejects unknown kinds
    // Parsing is idempotent for options that came through the config file, and fills in the
    // defaults for configs built in code (the demo, tests).
    const { redirectHosts: listed, ...own } = entry.options
    const redirectHosts = Array.isArray(listed) ? listed.filter((h): h is string => typeof h === 'string') : []
    const options = source.options.parse(own) as SourceOptions
    const instance = source.instanceKey(options)
    const brands: (Brand | undefined)[] = source.scope === 'brand' ? config.brands : [undefined]
    for (const brand of brands) {
      tasks.push({ source, options, stream: 'search', ...(brand ? { brand } : {}), key: { source: source.kind, instance, brand: brand?.name ?? '' }, redirectHosts })
    }
    // The brand's own replies tell which mentions are answered; only where it has handles.
    if (source.ownActivity) {
      for (const brand of config.brands) {
        const handles = (brand.handles[source.kind] ?? []).map((h) => h.replace(/^@/, '')).filter(Boolean)
        if (handles.length === 0) continue
        tasks.push({ source, options, stream: 'own', brand, handles, key: { source: source.kind, instance: `${instance}${OWN_ACTIVITY_SUFFIX}`, brand: brand.name }, redirectHosts })
      }
    }
  }
  return tasks
}

export async function pull(deps: Deps, opts: PullOptions = {}): Promise<PullResult> {
  const config = deps.config()
  const tasks = planTasks(deps, opts.kinds)
  const store = deps.store()
  const holder = deps.lock.holder
  await store.runs.acquirePullLock(holder, deps.now(), deps.lock.isAlive)
  // A failing database is the store's failure, reported once: the sources stop, and nothing
  // (no run status, no per-source error) is written into a database that cannot take it.
  let storeFailed: StoreError | undefined
  const stopAll = new AbortController()
  const signal = opts.signal ? AbortSignal.any([opts.signal, stopAll.signal]) : stopAll.signal
  let runId: number | undefined
  try {
    runId = await store.runs.start(deps.now())
    const matcher = compileMatcher(config.brands)
    const rules = compileRules(config.rules ?? [])
    const scorer = deps.scorer()
    const http = deps.http()
    const until = opts.until
    const since = opts.since ?? (until ?? deps.now()) - (opts.sinceMs ?? 7 * 24 * 3600 * 1000)
    if (until !== undefined && until <= since) throw new UsageError('--until must be later than --since')
    const settings = config.pull
    const durationMs = (v: string | undefined) => (v === undefined ? undefined : parseDuration(v))
    const pullDeadlineMs = opts.deadlineMs ?? durationMs(settings.deadline) ?? PULL_DEFAULTS.deadlineMs
    const sourceDeadlineMs = durationMs(settings.sourceDeadline) ?? PULL_DEFAULTS.sourceDeadlineMs
    const emptyAfter = settings.emptyAfter ?? PULL_DEFAULTS.emptyAfter

    // Every walk starts at once: a global queue in config order made a slow source listed
    // last wait for the others (1.46x its own chain). Politeness is per host instead: at
    // most pull.concurrency requests in flight to one host, across all walks.
    const hostLimits = new Map<string, LimitFunction>()
    const limitFor = (url: string | URL): LimitFunction => {
      const host = hostOf(typeof url === 'string' ? url : url.href)
      let l = hostLimits.get(host)
      if (!l) hostLimits.set(host, (l = pLimit(config.pull.concurrency)))
      return l
    }

    // Time budgets: one for the pull, one per source instance (shared by its brands' walks,
    // started when the first of them starts). Timers are unref'd: they never hold the process.
    const timers: NodeJS.Timeout[] = []
    const deadline = (ms: number, message: string): AbortSignal => {
      const c = new AbortController()
      const t = setTimeout(() => c.abort(new DeadlineError(message)), ms)
      t.unref()
      timers.push(t)
      return c.signal
    }
    const pullDeadline = deadline(pullDeadlineMs, `pull deadline of ${seconds(pullDeadlineMs)} reached`)
    const instanceDeadlines = new Map<string, AbortSignal>()
    const instanceDeadline = (task: Task): AbortSignal => {
      const id = `${task.key.source}\u0000${instanceOf(task.key)}`
      let d = instanceDeadlines.get(id)
      if (!d) instanceDeadlines.set(id, (d = deadline(sourceDeadlineMs, `deadline of ${seconds(sourceDeadlineMs)} reached`)))
      return d
    }

    const pullHttp = walkAware(http)
    opts.onProgress?.({ type: 'start', total: tasks.length })

    // One ledger per source instance, shared by its brands' walks: each spend is counted in
    // memory at once (so concurrent walks see it) and written through to the store.
    const ledgers = new Map<string, UsageLedger>()
    const ledgerFor = (task: Task): UsageLedger => {
      const instance = task.key.instance.endsWith(OWN_ACTIVITY_SUFFIX) ? task.key.instance.slice(0, -OWN_ACTIVITY_SUFFIX.length) : task.key.instance
      const id = `${task.key.source}\u0000${instance}`
      let ledger = ledgers.get(id)
      if (!ledger) {
        const totals = new Map<string, Promise<number>>()
        const total = (key: string) => {
          let t = totals.get(key)
          if (!t) totals.set(key, (t = store.usage.get(task.key.source, instance, key)))
          return t
        }
        ledger = {
          used: (key) => total(key),
          spend: async (key, n) => {
            const before = total(key)
            totals.set(key, before.then((v) => v + n))
            await before
            await store.usage.add(task.key.source, instance, key, n, deps.now())
          },
        }
        ledgers.set(id, ledger)
      }
      return ledger
    }

    const runTask = async (task: Task, walk: Walk): Promise<SourceRunReport> => {
      const name = typeof task.options.name === 'string' && task.options.name ? task.options.name : undefined
      const report: SourceRunReport = { ...task.key, ...(name ? { name } : {}), fetched: 0, new: 0, updated: 0, dropped: 0 }
      const byBrand: Record<string, { new: number; updated: number }> = {}
      const startedAt = deps.now()
      opts.onProgress?.({ type: 'begin', key: task.key })
      const { signal: taskSignal, seen } = walk
      let claimed = false
      try {
        // Several hosts may pull into one database: the walk is claimed before its cursor is
        // read, so only one of them fetches and stores it. Skipping is neither a failure nor
        // an empty answer (no health is recorded): the holder's run says what it found.
        const busy = await store.runs.claimWalk(task.key, holder, startedAt)
        if (busy) {
          report.skipped = { host: busy.host, pid: busy.pid }
          opts.onProgress?.({ type: 'done', key: task.key, report })
          return report
        }
        claimed = true
        // A host that asked to be left alone longer than a pull can wait is not called before
        // then; the walk is reported as not ok, so nobody reads it as "no news".
        const backoff = await store.backoff.get(task.key.source, instanceOf(task.key), startedAt)
        if (backoff) {
          report.error = `skipped: ${backoff.host} asked to wait until ${clockTime(backoff.until)} (Retry-After)`
          report.backoffUntil = backoff.until
          opts.onProgress?.({ type: 'done', key: task.key, report })
          return report
        }
        const previous = await store.cursors.get(task.key)
        let last: Cursor | undefined
        try {
          const now = deps.now()
          // The language detector takes most of a second to load: only a page with items pays
          // for it, so a pull with nothing new stays quick.
          let enricher: Enricher | undefined
          const enricherFor = async () =>
            (enricher ??= createEnricher({ source: task.source.kind, sourceName: name, replies: task.source.replies, brands: config.brands, matcher, scorer, now, detector: await loadLanguageDetector(), rules }))
          // Upstream-state writes are chained in order and never left unhandled: a failure is
          // kept and thrown where the walk's own writes are checked.
          let upstream: Promise<void> = Promise.resolve()
          let upstreamFailure: unknown
          const ctx = {
            http: pullHttp,
            options: task.options,
            env: deps.env,
            now: deps.now,
            warn: (m: string) => deps.warn(`${task.source.kind}: ${redactText(m)}`),
            // Kept in order; awaited with the cursor, so a failed write surfaces here.
            report: (state: SourceState) =>
              void (upstream = upstream.then(() => store.cursors.recordUpstream(task.key, state)).catch((e: unknown) => void (upstreamFailure ??= e))),
            usage: ledgerFor(task),
            signal: taskSignal,
          }
          const maxPages = typeof task.options.maxPages === 'number' ? task.options.maxPages : (opts.maxPages ?? 10)
          const window = { ...(previous ? { cursor: previous } : {}), since, ...(until !== undefined ? { until } : {}), maxPages }
          const pages =
            task.stream === 'own' && task.source.ownActivity && task.brand
              ? task.source.ownActivity(ctx, { brand: task.brand, handles: task.handles ?? [], ...window })
              : task.source.search(ctx, { ...(task.brand ? { brand: task.brand } : { brands: config.brands }), ...window })
          for await (const page of pages) {
            // A page that arrives after the deadline is not stored: the walk stops where it was.
            taskSignal.throwIfAborted()
            report.fetched += page.mentions.length
            const records = []
            const enrich = page.mentions.length > 0 ? await enricherFor() : undefined
            for (const draft of page.mentions) {
              const record = enrich?.enrich(draft)
              if (!record) {
                report.dropped++
                continue
              }
              records.push(record)
            }
            // One transaction per page: a crash keeps whole pages only; re-fetching them is harmless.
            const counts = await store.mentions.upsertPage(records)
            report.new += counts.new
            report.updated += counts.updated
            for (const [b, c] of Object.entries(counts.byBrand)) {
              const into = (byBrand[b] ??= { new: 0, updated: 0 })
              into.new += c.new
              into.updated += c.updated
            }
            last = page.cursor
            opts.onProgress?.({ type: 'page', key: task.key, fetched: report.fetched })
          }
          // Only a finished walk moves the cursor (the adapter records any gap it still owes).
          await store.cursors.save(task.key, last ?? previous ?? {}, deps.now())
          await upstream
          if (upstreamFailure) throw upstreamFailure
          // Health counts answers only: a walk that was told "not modified" every time said
          // nothing about whether the source still works.
          if (!(report.fetched === 0 && seen.answers > 0 && seen.notModified === seen.answers)) {
            const streak = await store.runs.recordHealth(task.key, report.fetched, deps.now())
            if (streak > 0) report.emptyStreak = streak
            if (streak === emptyAfter) deps.warn(`${task.source.kind}: no items ${streak} pulls running from a source that used to have them; check it still works`)
          }
          await store.backoff.clear(task.key.source, instanceOf(task.key))
        } catch (err) {
          if (err instanceof StoreError) throw err
          const timedOut = taskSignal.reason instanceof DeadlineError && !signal.aborted ? taskSignal.reason : undefined
          // A spent budget or time budget stops cleanly: what was read is stored, so its
          // cursor holds (each page's cursor already records the gap it still owes).
          if ((err instanceof BudgetExhaustedError || timedOut) && last) await store.cursors.save(task.key, last, deps.now())
          report.error = timedOut ? timedOut.message : describeFailure(err)
          if (opts.signal?.aborted) report.interrupted = true
          const limited = rateLimitIn(err)
          if (limited && limited.retryAt.getTime() > deps.now()) {
            await store.backoff.set({ source: task.key.source, instance: instanceOf(task.key), host: hostOf(limited.url), until: limited.retryAt.getTime(), reason: report.error }, deps.now())
          }
          await store.cursors.recordError(task.key, report.error, deps.now())
        }
      } catch (err) {
        if (!(err instanceof StoreError)) throw err
        storeFailed ??= err
        stopAll.abort(err)
        report.error = err.message
      } finally {
        // After the cursor is saved (or the walk failed); the pull lock's release frees it anyway.
        if (claimed) await store.runs.releaseWalk(task.key).catch(() => undefined)
      }
      if (Object.keys(byBrand).length > 0) report.byBrand = byBrand
      report.durationMs = deps.now() - startedAt
      opts.onProgress?.({ type: 'done', key: task.key, report })
      return report
    }

    let reports: SourceRunReport[]
    try {
      reports = await Promise.all(
        tasks.map((t) => {
          if (storeFailed) return Promise.resolve(skipped(t))
          const walk: Walk = { redirectHosts: t.redirectHosts, signal: AbortSignal.any([signal, pullDeadline, instanceDeadline(t)]), seen: { answers: 0, notModified: 0 }, limitFor }
          return walks.run(walk, () => runTask(t, walk))
        }),
      )
    } finally {
      for (const t of timers) clearTimeout(t)
    }
    if (storeFailed) throw storeFailed
    const failed = reports.filter((r) => r.error).length
    const status: PullStatus = opts.signal?.aborted
      ? 'interrupted'
      : failed === 0 ? 'ok' : failed === reports.length ? 'failed' : 'partial'
    await store.runs.finish(runId, status, reports, deps.now())
    return { runId, status, sources: reports }
  } catch (err) {
    if (runId !== undefined && !(err instanceof StoreError)) await store.runs.finish(runId, 'failed', [], deps.now())
    throw err
  } finally {
    // Best effort: on a broken database the lock row may not be writable either; a lock left
    // behind by a process that is gone is taken over by the next pull.
    await store.runs.releasePullLock(holder).catch(() => undefined)
  }
}

/** What the client needs to know about the walk a request serves. */
interface Walk {
  redirectHosts: readonly string[]
  /** The walk's deadline, the pull's, and Ctrl-C. */
  signal: AbortSignal
  /** Answers received, and how many were "not modified". */
  seen: { answers: number; notModified: number }
  /** The pull's per-host request limit. */
  limitFor: (url: string | URL) => LimitFunction
}

const walks = new AsyncLocalStorage<Walk>()
const wrappedClients = new WeakMap<Http, Http>()

/**
 * The client as every walk sees it: one object per underlying client, across pulls, since
 * adapters cache tokens and sessions per client object; it finds the walk a request serves
 * through async context (deadline, redirect allow-list, answer counts, per-host limit).
 */
function walkAware(http: Http): Http {
  let wrapped = wrappedClients.get(http)
  if (wrapped) return wrapped
  const withSignal = (own: AbortSignal | undefined, walk: Walk | undefined): AbortSignal | undefined =>
    walk ? (own ? AbortSignal.any([own, walk.signal]) : walk.signal) : own
  const opts = <O extends { signal?: AbortSignal }>(o: O, walk: Walk | undefined): O => {
    const s = withSignal(o.signal, walk)
    return s ? { ...o, signal: s } : o
  }
  wrapped = {
    get: async (url, o: GetOptions = {}) => {
      const walk = walks.getStore()
      if (!walk) return http.get(url, o)
      const allowHosts = [...(o.redirects?.allowHosts ?? []), ...walk.redirectHosts]
      const res = await walk.limitFor(url)(() => http.get(url, { ...opts(o, walk), redirects: { ...o.redirects, allowHosts } }))
      walk.seen.answers++
      if (res.notModified) walk.seen.notModified++
      return res
    },
    post: (url, o: PostOptions) => {
      const walk = walks.getStore()
      return walk ? walk.limitFor(url)(() => http.post(url, opts(o, walk))) : http.post(url, o)
    },
  }
  wrappedClients.set(http, wrapped)
  return wrapped
}

function skipped(t: Task): SourceRunReport {
  return { ...t.key, fetched: 0, new: 0, updated: 0, dropped: 0, error: 'not pulled: the database failed' }
}
