// `mentions digest`: build the digest (app/digest.ts), render it in one format, print it (or
// with --post send the Slack message to the webhook), and remember its end for the next
// `--since last` unless --dry-run or the post failed. Exit 3 when a source's last pull failed
// (the digest is printed all the same), else 0.
import { buildDigest, recordDigest, type Digest, type DigestQuery } from '../../app/digest.js'
import { UsageError } from '../../errors.js'
import { renderHtml } from '../../report/digest/html.js'
import { renderJson } from '../../report/digest/json.js'
import { renderMarkdown } from '../../report/digest/markdown.js'
import { renderSlack, slackPayload } from '../../report/digest/slack.js'
import { renderText } from '../../report/digest/text.js'
import { EXIT, type CommandContext } from '../context.js'
import { durationFlag, listFlag, timeFlag } from '../flags.js'

export const DIGEST_FORMATS = ['text', 'markdown', 'html', 'json', 'slack', 'email'] as const
export type DigestFormat = (typeof DIGEST_FORMATS)[number]

/** Where mail comes from when --from is not given; most MTAs rewrite it to the local user. */
export const DEFAULT_FROM = 'mentions <mentions@localhost>'

function formatFlag(opts: Record<string, unknown>): DigestFormat {
  if (opts.json) return 'json'
  const f = opts.format === undefined ? 'text' : String(opts.format)
  if (!(DIGEST_FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format must be one of ${DIGEST_FORMATS.join(', ')} (got "${f}")`)
  return f as DigestFormat
}

/**
 * The MIME message, its composer (nodemailer's, most of this command's code) loaded only for
 * --format email: every other digest, a cron job's every morning, starts without it.
 */
async function renderMail(digest: Digest, to: string[], opts: Record<string, unknown>): Promise<string> {
  const { renderEmail } = await import('../../report/digest/email.js')
  return renderEmail(digest, { to, from: typeof opts.from === 'string' ? opts.from : DEFAULT_FROM, ...(typeof opts.subject === 'string' ? { subject: opts.subject } : {}) })
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const format = formatFlag(opts)
  const to = listFlag(opts.to)
  if (format === 'email' && !to) throw new UsageError('--format email needs --to ADDRESS (repeat it, or give a comma list, for several)')
  if (format !== 'email' && (to || opts.from !== undefined || opts.subject !== undefined)) {
    throw new UsageError('--to, --from and --subject go with --format email')
  }
  const post = opts.post === true
  if (post && (opts.format !== undefined || opts.json)) throw new UsageError('--post sends the Slack message; leave out --format (or print it with --format slack instead of posting)')
  const brands = listFlag(opts.brand)
  const since = opts.since === undefined ? undefined : String(opts.since) === 'last' ? ('last' as const) : timeFlag('--since', opts.since, ctx.deps.now())
  const overdueMs = durationFlag('--overdue-after', opts.overdueAfter)
  const q: DigestQuery = {
    ...(since !== undefined ? { since } : {}),
    ...(typeof opts.name === 'string' ? { name: opts.name } : {}),
    ...(brands ? { brands } : {}),
    ...(overdueMs !== undefined ? { overdueMs } : {}),
  }
  // Checked before the digest is built, so a missing webhook costs nothing and records nothing.
  // Loaded only to post: a printed digest never loads the HTTP client.
  const hook = post ? await import('../webhook.js') : undefined
  const envName = hook?.webhookEnvName(opts.webhookUrlEnv)
  const url = hook && envName ? hook.webhookUrl(ctx, envName) : undefined
  if (hook && envName && !url) throw hook.missingWebhook(envName, 'or print the digest instead of posting it')
  const digest = await buildDigest(ctx.deps, q)
  const code = digest.broken ? EXIT.partial : EXIT.ok
  // Quiet: nothing new and nothing wrong. A failing source is never quiet (it is not "empty").
  const quiet = opts.quietIfEmpty === true && digest.empty
  if (hook && url && !quiet) {
    // A failed post throws (one line: host and status) before the digest is recorded, so the
    // next --since last covers this window again.
    const { postWebhook } = await import('../../net/webhook.js')
    const http = hook.webhookHttp(ctx)
    try {
      await postWebhook(http, url, slackPayload(digest), ctx.io.signal ? { signal: ctx.io.signal } : {})
    } finally {
      await http.close()
    }
  } else if (!url && !quiet) {
    const out =
      format === 'text' ? renderText(digest, ctx.stdoutStyle)
      : format === 'markdown' ? renderMarkdown(digest)
      : format === 'html' ? renderHtml(digest)
      : format === 'json' ? renderJson(digest)
      : format === 'slack' ? renderSlack(digest)
      : await renderMail(digest, to ?? [], opts)
    ctx.io.stdout.write(out)
  }
  // The digest was delivered (printed, or rightly silent): the next --since last starts at its end,
  // with a failing source too, since its window was reported. --dry-run changes nothing.
  if (!opts.dryRun) await recordDigest(ctx.deps, digest)
  return code
}
