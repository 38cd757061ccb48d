import fs from 'node:fs'
import path from 'node:path'
import { initFiles } from '../../app/init.js'
import { UsageError } from '../../errors.js'
import type { CommandContext } from '../context.js'

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const brand = typeof opts.brand === 'string' && opts.brand.trim() ? opts.brand.trim() : 'Acme'
  const files = initFiles(brand, ctx.deps.sources).map((f) => ({ ...f, path: path.join(ctx.io.cwd, f.name) }))
  const existing = files.filter((f) => fs.existsSync(f.path))
  if (existing.length && opts.force !== true) {
    throw new UsageError(`${existing.map((f) => f.name).join(', ')} already exist${existing.length === 1 ? 's' : ''}; pass --force to overwrite`)
  }
  for (const f of files) fs.writeFileSync(f.path, f.content)
  ctx.note(`Wrote ${files.map((f) => f.name).join(', ')}. Edit mentions.config.json, then run: mentions pull`)
  return 0
}
