import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { demoConfig, demoRoutes } from '../../app/demo.js'
import type { Deps } from '../../app/deps.js'
import { pull } from '../../app/pull.js'
import { listQueue } from '../../app/queues.js'
import { parseDuration } from '../../config/duration.js'
import { startReplayServer } from '../../net/replay.js'
import { createScorer } from '../../sentiment/index.js'
import { openStore, type Store } from '../../store/index.js'
import { writeMentions } from '../output.js'
import type { CommandContext } from '../context.js'
import { pullExitCode, sourceLabel } from './pull.js'

const fixturesDir = new URL('../../../fixtures/demo/', import.meta.url)

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  const given = ctx.deps.maybeDbFlag()
  const tmp = given ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-demo-'))
  const database = given ?? path.join(tmp as string, 'demo.db')
  const server = await startReplayServer(
    demoRoutes({
      hackernews: fs.readFileSync(new URL('hackernews-acme.json', fixturesDir), 'utf8'),
      alerts: fs.readFileSync(new URL('google-alerts-acme.xml', fixturesDir), 'utf8'),
    }),
  )
  let store: Store | undefined
  try {
    const config = demoConfig(server.url, database)
    const deps: Deps = {
      ...ctx.deps,
      config: () => config,
      store: () => (store ??= openStore(database)),
      readStore: () => (store ??= openStore(database)),
      scorer: () => createScorer({ words: config.sentiment.words }),
    }
    const s = ctx.stderrStyle
    ctx.note(s.dim(`Demo: replaying recorded Hacker News and Google Alerts responses from ${server.url}`))
    const result = await pull(deps, { sinceMs: parseDuration(config.pull.since) as number })
    for (const r of result.sources) {
      ctx.note(r.error ? `${s.error('✗')} ${sourceLabel(r)}: ${r.error}` : `${s.bold('✓')} ${sourceLabel(r)}: ${r.new} new, ${r.dropped} dropped (did not really match)`)
    }
    for (const queue of ['negative', 'unanswered'] as const) {
      const mentions = await listQueue(deps, { queue, limit: 20 })
      ctx.note(`\n${s.bold(`${queue === 'negative' ? 'Negative' : 'Unanswered'} queue`)} (${mentions.length})`)
      await writeMentions(ctx, mentions, ctx.io.stdout.isTTY ? 'table' : 'tsv')
    }
    if (given || opts.keep === true) ctx.note(s.dim(`\nDatabase: ${database}  (try: mentions queue all --db ${database})`))
    return pullExitCode(result.status)
  } finally {
    await store?.close()
    await server.close()
    if (tmp && opts.keep !== true) fs.rmSync(tmp, { recursive: true, force: true })
  }
}
