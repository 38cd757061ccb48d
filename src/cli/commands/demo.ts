import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runDemo } from '../../app/demo.js'
import { writeMentions } from '../output.js'
import type { CommandContext } from '../context.js'
import { pullExitCode, sourceLabel } from './pull.js'

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const given = ctx.deps.maybeDbFlag()
  const keep = opts.keep === true
  const tmp = given ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-demo-'))
  const database = given ?? path.join(tmp as string, 'demo.db')
  const s = ctx.stderrStyle
  try {
    const demo = await runDemo(ctx.deps, {
      database,
      onServer: (url) => ctx.note(s.dim(`Demo: replaying recorded Hacker News and Google Alerts responses from ${url}`)),
    })
    for (const r of demo.pull.sources) {
      ctx.note(r.error ? `${s.error('✗')} ${sourceLabel(r)}: ${r.error}` : `${s.bold('✓')} ${sourceLabel(r)}: ${r.new} new, ${r.dropped} dropped (did not really match)`)
    }
    for (const q of demo.queues) {
      ctx.note(`\n${s.bold(`${q.name === 'negative' ? 'Negative' : 'Unanswered'} queue`)} (${q.mentions.length})`)
      await writeMentions(ctx, q.mentions, ctx.io.stdout.isTTY ? 'table' : 'tsv', { emptyNote: `No mentions in the ${q.name} queue.` })
    }
    if (given || keep) {
      ctx.note(s.dim(`\nDatabase: ${database}  (try: mentions queue negative --since 24h --db ${database})`))
    }
    return pullExitCode(demo.pull.status)
  } finally {
    if (tmp && !keep) fs.rmSync(tmp, { recursive: true, force: true })
  }
}
