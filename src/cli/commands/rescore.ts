import { rescore } from '../../app/score.js'
import type { CommandContext } from '../context.js'

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const r = await rescore(ctx.deps, { all: opts.all === true })
  if (r.examined > 0 || ctx.io.stderr.isTTY) {
    ctx.note(`Rescored ${r.examined} mention${r.examined === 1 ? '' : 's'} with scorer ${r.version}; human labels kept.`)
  }
  return 0
}
