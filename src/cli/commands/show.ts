import { getMention } from '../../app/queues.js'
import { ownWords } from '../../app/records.js'
import { NotFoundError } from '../../errors.js'
import { toView } from '../../model.js'
import { formatAge } from '../../report/age.js'
import { oneLine, stripTerminal } from '../../report/sanitize.js'
import { idArg } from '../flags.js'
import { COMMAND_FORMATS } from '../formats.js'
import { resolveFormat } from '../output.js'
import type { CommandContext } from '../context.js'

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const id = idArg(args[0])
  const format = resolveFormat(opts, true, COMMAND_FORMATS.show.formats, COMMAND_FORMATS.show.fallback)
  const detail = await getMention(ctx.deps, id)
  if (!detail) throw new NotFoundError(`no mention with id ${id}`)
  const m = detail.mention
  const scorer = ctx.deps.scorer()
  const explanation = scorer.explain(ownWords({ text: m.text, ...(m.title ? { title: m.title } : {}), ...(m.parentExternalId ? { parentExternalId: m.parentExternalId } : {}) }))
  const overridden = { sentiment: m.sentimentOverridden, intent: m.intentOverridden }
  if (format === 'json') {
    ctx.io.stdout.write(`${JSON.stringify({ ...toView(m), overridden, scorerVersion: m.scorerVersion, explanation }, null, 2)}\n`)
    return 0
  }
  const s = ctx.stdoutStyle
  const v = toView(m)
  const lines = [
    `${s.bold(`#${v.id}`)}  ${v.source}  ${s.sentiment(v.sentiment, `${v.sentiment} (${v.sentimentScore.toFixed(2)})`)}${overridden.sentiment ? ' [human]' : ''}  ${v.intent}${overridden.intent ? ' [human]' : ''}  ${v.state}${v.answered ? '  answered' : ''}`,
    s.dim(`${oneLine(v.brands.join(', '))} · terms: ${oneLine(v.terms.join(', '))} · ${oneLine(v.author ?? 'unknown author')} · ${v.createdAt} (${formatAge(m.createdAt, ctx.deps.now())} ago)`),
    oneLine(v.url),
    '',
    ...(v.title ? [s.bold(oneLine(v.title))] : []),
    stripTerminal(v.text),
    '',
    s.bold(`Why ${explanation.label} (${explanation.score.toFixed(2)}), intent ${explanation.intent}`) +
      s.dim(` — scorer ${scorer.version}${m.scorerVersion !== scorer.version ? `, stored by ${m.scorerVersion}` : ''}`),
    ...explanation.tokens.map(
      (t) => `  ${oneLine(t.token).padEnd(18)} ${(t.weight >= 0 ? '+' : '') + t.weight.toFixed(2)}${t.rules.length ? s.dim(`  ${oneLine(t.rules.join('; '))}`) : ''}`,
    ),
    ...(explanation.rules.length ? [`  ${s.dim(`rules: ${oneLine(explanation.rules.join('; '))}`)}`] : []),
  ]
  ctx.io.stdout.write(`${lines.join('\n')}\n`)
  return 0
}
