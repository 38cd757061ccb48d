// `mentions pull`: every configured source (and brand), concurrently, into the store.
import pLimit from 'p-limit'
import { StoreError, UsageError } from '../errors.js'
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
  signal?: AbortSignal
  onProgress?: (event: PullProgress) => void
}

export type PullProgress =
  | { type: 'start'; total: number }
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
}

/** The cursor instance of a brand's own-activity walk: beside its search cursor, never mixed. */
export const OWN_ACTIVITY_SUFFIX = '#own'

/**
 * A one-line reason for a source failure. The HTTP client already redacts URLs and blanks
 * any secret it sent out of response snippets, so messages are safe to store and print.
 */
export function describeFailure(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
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
    const options = source.options.parse(entry.options) as SourceOptions
    const instance = source.instanceKey(options)
    const brands: (Brand | undefined)[] = source.scope === 'brand' ? config.brands : [undefined]
    for (const brand of brands) {
      tasks.push({ source, options, stream: 'search', ...(brand ? { brand } : {}), key: { source: source.kind, instance, brand: brand?.name ?? '' } })
    }
    // The brand's own replies tell which mentions are answered; only where it has handles.
    if (source.ownActivity) {
      for (const brand of config.brands) {
        const handles = (brand.handles[source.kind] ?? []).map((h) => h.replace(/^@/, '')).filter(Boolean)
        if (handles.length === 0) continue
        tasks.push({ source, options, stream: 'own', brand, handles, key: { source: source.kind, instance: `${instance}${OWN_ACTIVITY_SUFFIX}`, brand: brand.name } })
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
    const limit = pLimit(config.pull.concurrency)
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

    const runTask = async (task: Task): Promise<SourceRunReport> => {
      const name = typeof task.options.name === 'string' && task.options.name ? task.options.name : undefined
      const report: SourceRunReport = { ...task.key, ...(name ? { name } : {}), fetched: 0, new: 0, updated: 0, dropped: 0 }
      const byBrand: Record<string, { new: number; updated: number }> = {}
      try {
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
            http,
            options: task.options,
            env: deps.env,
            now: deps.now,
            warn: (m: string) => deps.warn(`${task.source.kind}: ${m}`),
            // Kept in order; awaited with the cursor, so a failed write surfaces here.
            report: (state: SourceState) =>
              void (upstream = upstream.then(() => store.cursors.recordUpstream(task.key, state)).catch((e: unknown) => void (upstreamFailure ??= e))),
            usage: ledgerFor(task),
            signal,
          }
          const maxPages = typeof task.options.maxPages === 'number' ? task.options.maxPages : (opts.maxPages ?? 10)
          const window = { ...(previous ? { cursor: previous } : {}), since, ...(until !== undefined ? { until } : {}), maxPages }
          const pages =
            task.stream === 'own' && task.source.ownActivity && task.brand
              ? task.source.ownActivity(ctx, { brand: task.brand, handles: task.handles ?? [], ...window })
              : task.source.search(ctx, { ...(task.brand ? { brand: task.brand } : { brands: config.brands }), ...window })
          for await (const page of pages) {
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
        } catch (err) {
          if (err instanceof StoreError) throw err
          // A spent budget stops cleanly: what was read is stored, so its cursor holds.
          if (err instanceof BudgetExhaustedError && last) await store.cursors.save(task.key, last, deps.now())
          report.error = describeFailure(err)
          if (opts.signal?.aborted) report.interrupted = true
          await store.cursors.recordError(task.key, report.error, deps.now())
        }
      } catch (err) {
        if (!(err instanceof StoreError)) throw err
        storeFailed ??= err
        stopAll.abort(err)
        report.error = err.message
      }
      if (Object.keys(byBrand).length > 0) report.byBrand = byBrand
      opts.onProgress?.({ type: 'done', key: task.key, report })
      return report
    }

    const reports = await Promise.all(tasks.map((t) => limit(() => (storeFailed ? Promise.resolve(skipped(t)) : runTask(t)))))
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

function skipped(t: Task): SourceRunReport {
  return { ...t.key, fetched: 0, new: 0, updated: 0, dropped: 0, error: 'not pulled: the database failed' }
}
