// `mentions doctor`: one line per problem with its fix, on stdout; exit 0 only when all is well.
import fs from 'node:fs'
import { DOCTOR_CHECKS, diagnose, gatherDoctorFacts, type DoctorFs, type FileFacts } from '../../app/doctor.js'
import { createHttp } from '../../net/client.js'
import { oneLine } from '../../report/sanitize.js'
import { EXIT, type CommandContext } from '../context.js'
import { USER_AGENT } from '../version.js'
import { DEFAULT_WEBHOOK_ENV } from '../webhook.js'
import { stringifyJson } from '../../report/json.js'

/** A host that takes longer than this to answer its root is as good as down for a pull. */
const PROBE_TIMEOUT_MS = 5000

const nodeFs: DoctorFs = {
  stat(path): FileFacts | undefined {
    try {
      const st = fs.statSync(path)
      return { path, mode: st.mode, size: st.size }
    } catch {
      return undefined
    }
  },
  canRead(path) {
    try {
      fs.accessSync(path, fs.constants.R_OK)
      return fs.statSync(path).isFile()
    } catch {
      return false
    }
  },
}

export async function run(ctx: CommandContext, _args: string[], opts: Record<string, unknown>): Promise<number> {
  let databasePath: string | null
  try {
    databasePath = ctx.deps.databasePath()
  } catch {
    // The config names the database and does not load: only --db / MENTIONS_DB can say.
    databasePath = ctx.deps.maybeDbFlag() ?? null
  }
  const http = opts.offline === true ? null : createHttp({ userAgent: USER_AGENT, env: ctx.deps.env, retries: 0, timeoutMs: PROBE_TIMEOUT_MS, maxBodyBytes: 1024 * 1024 })
  let facts
  try {
    facts = await gatherDoctorFacts(ctx.deps, { fs: nodeFs, databasePath, http, extraSecrets: [DEFAULT_WEBHOOK_ENV] })
  } finally {
    await http?.close()
  }
  const findings = diagnose(facts, DOCTOR_CHECKS)
  if (opts.json === true) {
    ctx.io.stdout.write(`${stringifyJson({ ok: findings.length === 0, offline: facts.reachability === null, problems: findings }, 2)}\n`)
  } else if (findings.length === 0) {
    // Silent off a terminal, like every "nothing to report": a cron line mails only problems.
    if (!ctx.io.stdout.isTTY) return EXIT.ok
    ctx.io.stdout.write(`all is well: config, credentials, file modes, database, sources${facts.reachability ? `, ${facts.reachability.length} host${facts.reachability.length === 1 ? '' : 's'} reached` : ' (hosts not checked: --offline)'}\n`)
  } else {
    // Messages can quote upstream text (a source's last error): one line, no escapes.
    for (const f of findings) ctx.io.stdout.write(`${ctx.stdoutStyle.error('✗')} ${oneLine(`${f.area}: ${f.problem}`)} — fix: ${oneLine(f.fix)}\n`)
  }
  return findings.length === 0 ? EXIT.ok : EXIT.failure
}
