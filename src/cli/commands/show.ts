import { getMention } from '../../app/queues.js'
import { ownWords } from '../../app/records.js'
import { NotFoundError } from '../../errors.js'
import { toView } from '../../model.js'
import { renderShow } from '../../report/show.js'
import { DEFAULT_TABLE_WIDTH } from '../../report/table.js'
import { idArg } from '../flags.js'
import { resolveFormat, terminalWidth } from '../output.js'
import type { CommandContext } from '../run.js'

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const id = idArg(args[0])
  const format = resolveFormat(opts, true, ['table', 'json'], 'table')
  const m = await getMention(ctx.deps, id)
  if (!m) throw new NotFoundError(`no mention with id ${id}`)
  const scorer = ctx.deps.scorer()
  const explanation = scorer.explain(ownWords({ text: m.text, ...(m.title ? { title: m.title } : {}), ...(m.parentExternalId ? { parentExternalId: m.parentExternalId } : {}) }))
  const overridden = { sentiment: m.sentimentOverridden, intent: m.intentOverridden }
  if (format === 'json') {
    // A superset of the list contract: every list field, then what only show knows.
    const json = { ...toView(m), isOwn: m.isOwn, lang: m.lang, overridden, scorerVersion: m.scorerVersion, explanation }
    ctx.io.stdout.write(`${JSON.stringify(json, null, 2)}\n`)
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
    }),
  )
  return 0
}
