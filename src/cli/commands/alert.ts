// `mentions alert`: made for cron. Silent when there is nothing to send and when sending
// worked (off a terminal); one line per failure on stderr, naming the webhook's host and
// status, never its URL. Exit 0 sent (or nothing to send), 1 nothing could be sent, 3 some
// entries were sent and some failed (they go with the next run), 2 no webhook configured.
import { sendAlerts, type AlertResult } from '../../app/alert.js'
import { UsageError } from '../../errors.js'
import { entryLine } from '../../report/alert/payload.js'
import { oneLine } from '../../report/sanitize.js'
import { EXIT, type CommandContext } from '../context.js'
import { listFlag, timeFlag } from '../flags.js'
import { missingWebhook, webhookEnvName, webhookHttp, webhookUrl } from '../webhook.js'
import { stringifyJson } from '../../report/json.js'

export const ALERT_FORMATS = ['text', 'json'] as const

function minPriorityFlag(value: unknown): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--min-priority takes a number from 0 up (got "${String(value)}")`)
  return n
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

function summary(r: AlertResult): string {
  const spikes = r.sent.filter((e) => e.type === 'spike').length
  const parts = [spikes ? plural(spikes, 'spike') : '', r.sent.length - spikes ? plural(r.sent.length - spikes, 'mention') : ''].filter(Boolean)
  const what = parts.length ? parts.join(' and ') : 'nothing'
  const extra = [r.alreadySent ? `${r.alreadySent} already sent` : '', r.deferred ? `${r.deferred} left for the next run` : '', r.unsent ? `${r.unsent} unsent` : ''].filter(Boolean)
  return `${r.dryRun ? 'would send' : 'sent'} ${what}${r.host ? ` to ${r.host}` : ''}${r.perItem ? ' (one POST each)' : ''}${extra.length ? ` (${extra.join(', ')})` : ''}`
}

function toJson(r: AlertResult): object {
  return {
    dryRun: r.dryRun,
    perItem: r.perItem,
    host: r.host,
    since: new Date(r.since).toISOString(),
    minPriority: r.minPriority,
    sent: r.sent.map((e) => `${e.type}:${e.key}`),
    alreadySent: r.alreadySent,
    deferred: r.deferred,
    unsent: r.unsent,
    failures: r.failures,
    // What a dry run would POST, exactly; after a real run the receiver has it already.
    ...(r.dryRun ? { payloads: r.payloads } : {}),
  }
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = opts.json === true ? 'json' : ((opts.format as string | undefined) ?? 'text')
  if (!(ALERT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${ALERT_FORMATS.join(', ')} (got "${format}")`)
  const envName = webhookEnvName(opts.webhookUrlEnv)
  const dryRun = opts.dryRun === true
  const url = webhookUrl(ctx, envName)
  if (!url && !dryRun) {
    throw missingWebhook(envName, 'try --dry-run to see what would be sent')
  }
  const now = ctx.deps.now()
  const since = timeFlag('--since', opts.since, now)
  const minPriority = minPriorityFlag(opts.minPriority)
  const brands = listFlag(opts.brand)
  const http = url ? webhookHttp(ctx) : undefined
  let result: AlertResult
  try {
    result = await sendAlerts(ctx.deps, {
      ...(since !== undefined ? { since } : {}),
      ...(minPriority !== undefined ? { minPriority } : {}),
      ...(brands ? { brands } : {}),
      perItem: opts.perItem === true,
      dryRun,
      ...(url && http ? { webhook: { url, http, options: ctx.io.signal ? { signal: ctx.io.signal } : {} } } : {}),
    })
  } finally {
    await http?.close()
  }

  if (format === 'json') {
    ctx.io.stdout.write(`${stringifyJson(toJson(result), 2)}\n`)
  } else if (dryRun) {
    for (const e of result.sent) ctx.io.stdout.write(`${oneLine(entryLine(e))}\n`)
  }
  for (const f of result.failures) ctx.note(`${ctx.stderrStyle.error('error:')} ${f.message}`)
  // Cron mails whatever is printed: a summary only for a person at a terminal, or a dry run.
  if ((dryRun || ctx.io.stderr.isTTY) && format === 'text' && (result.sent.length || result.failures.length || dryRun)) ctx.note(summary(result))
  if (result.failures.length === 0) return EXIT.ok
  return result.sent.length > 0 ? EXIT.partial : EXIT.failure
}
