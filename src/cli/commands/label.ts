import { label } from '../../app/score.js'
import { UsageError } from '../../errors.js'
import type { Intent, SentimentLabel } from '../../model.js'
import { actorOf } from '../actor.js'
import { idArg } from '../flags.js'
import type { CommandContext } from '../context.js'

export async function run(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const id = idArg(args[0])
  const sentiment = opts.sentiment as SentimentLabel | undefined
  const intent = opts.intent as Intent | undefined
  if (!sentiment && !intent) throw new UsageError('give --sentiment and/or --intent')
  const actor = actorOf(ctx.deps.env)
  await label(ctx.deps, id, { ...(sentiment ? { sentiment } : {}), ...(intent ? { intent } : {}) }, actor)
  ctx.note(`Labelled #${id}:${sentiment ? ` sentiment ${sentiment}` : ''}${intent ? ` intent ${intent}` : ''}`)
  return 0
}
