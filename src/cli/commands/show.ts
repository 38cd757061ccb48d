import { getMention } from '../../app/queues.js'
import { ownWords } from '../../app/records.js'
import { NotFoundError } from '../../errors.js'
import { toView } from '../../model.js'
import { renderShow } from '../../report/show.js'
import { DEFAULT_TABLE_WIDTH } from '../../report/table.js'
import type { CommandContext } from '../context.js'
import { idArg } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat, terminalWidth } from '../output.js'
import { stringifyJson } from '../../report/json.js'

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const id = idArg(args[0])
  const format = resolveFormat(opts, true, COMMAND_FORMATS.show.formats, COMMAND_FORMATS.show.fallback)
  const detail = await getMention(ctx.deps, id)
  if (!detail) throw new NotFoundError(`no mention with id ${id}`)
  const m = detail.mention
  const scorer = ctx.deps.scorer()
  const explanation = scorer.explain(ownWords({ text: m.text, ...(m.title ? { title: m.title } : {}), ...(m.parentExternalId ? { parentExternalId: m.parentExternalId } : {}) }), { rating: m.rating })
  const overridden = { sentiment: m.sentimentOverridden, intent: m.intentOverridden }
  if (format === 'json') {
    // A superset of the list contract: every list field, then what only show knows.
    const json = {
      ...toView(m),
      overridden,
      labelledBy: detail.labelledBy ?? null,
      scorerVersion: m.scorerVersion,
      explanation,
      priorityBreakdown: detail.priority.parts,
      thread: { parent: detail.thread.parent ? toView(detail.thread.parent) : null, replies: detail.thread.replies.map(toView) },
      brandReplies: detail.brandReplies.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
      sightings: detail.sightings.map((x) => ({ ...x, seenAt: new Date(x.seenAt).toISOString() })),
      events: detail.events.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    }
    ctx.io.stdout.write(`${stringifyJson(json, 2)}\n`)
    return 0
  }
  ctx.io.stdout.write(
    renderShow({
      mention: m,
      explanation,
      scorerVersion: scorer.version,
      now: ctx.deps.now(),
      width: terminalWidth(ctx) ?? DEFAULT_TABLE_WIDTH,
      style: ctx.stdoutStyle,
      ...(detail.labelledBy ? { labelledBy: detail.labelledBy } : {}),
      priority: detail.priority,
      thread: detail.thread,
      brandReplies: detail.brandReplies,
      sightings: detail.sightings,
      events: detail.events,
    }),
  )
  return 0
}
