import fs from 'node:fs'
import path from 'node:path'
import { brandName, initFiles, planInit } from '../../app/init.js'
import { UsageError } from '../../errors.js'
import type { CommandContext } from '../context.js'

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const brand = brandName(opts.brand)
  const force = opts.force === true
  const at = (name: string) => path.join(ctx.io.cwd, name)
  const plan = planInit(initFiles(brand, ctx.deps.sources), (name) => fs.existsSync(at(name)), force)
  if (plan.write.length === 0) {
    throw new UsageError(`${plan.keep.join(', ')} already exist; nothing written (pass --force to overwrite)`)
  }
  const kept = [...plan.keep]
  const written: string[] = []
  for (const f of plan.write) {
    try {
      // 'wx' without --force: a file that appeared since the check is still not overwritten.
      fs.writeFileSync(at(f.name), f.content, { flag: force ? 'w' : 'wx' })
      written.push(f.name)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      kept.push(f.name)
    }
  }
  ctx.note(`Wrote ${written.join(', ')}.`)
  if (kept.length) ctx.note(`Left alone (already exist${kept.length === 1 ? 's' : ''}): ${kept.join(', ')}; pass --force to overwrite.`)
  ctx.note(written.includes('mentions.config.json') ? 'Edit mentions.config.json, then run: mentions pull' : 'Next: mentions pull')
  return 0
}
