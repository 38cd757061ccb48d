// The triage verbs: assign, unassign, done, ignore, snooze, reopen, note, answered.
// Ids come as arguments or, with "-", from stdin (`mentions queue … --format ids | mentions done -`).
import { triage } from '../../app/triage.js'
import { parseDuration } from '../../config/duration.js'
import { UsageError } from '../../errors.js'
import { stringifyJson } from '../../report/json.js'
import { oneLine } from '../../report/sanitize.js'
import type { LastChange, TriageChange, TriageResult } from '../../store/index.js'
import { actorOf } from '../actor.js'
import { EXIT, type CommandContext } from '../context.js'
import { timeFlag } from '../flags.js'
import { readLines } from '../lines.js'

/** Ids from the arguments; "-" reads whitespace- or comma-separated ids from stdin. */
export async function readIds(ctx: CommandContext, args: readonly string[]): Promise<number[]> {
  const tokens: string[] = []
  for (const a of args) {
    if (a !== '-') {
      tokens.push(a)
      continue
    }
    for await (const line of readLines(ctx.io.stdin)) tokens.push(...line.split(/[\s,]+/).filter(Boolean))
  }
  return tokens.map((t) => {
    const n = Number(t.replace(/^#/, ''))
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`expected mention ids (positive numbers), got "${oneLine(t).slice(0, 40)}"`)
    return n
  })
}

const actor = (ctx: CommandContext, opts: Record<string, unknown>): string =>
  typeof opts.by === 'string' && opts.by.trim() ? opts.by.trim() : actorOf(ctx.deps.env)

/** "40s ago", "3m ago", "2h ago"; a time ahead of ours (another host's clock) is "just now". */
export function ago(at: number, now: number): string {
  const s = Math.floor((now - at) / 1000)
  if (s < 1) return 'just now'
  if (s < 60) return `${s}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  return `${Math.floor(s / 3600)}h ago`
}

const text = (v: unknown): string => oneLine(typeof v === 'string' ? v : String(v))

/** What someone else did to a mention a moment ago, in words: "alice set it done 40s ago". */
export function describeLastChange(c: LastChange, now: number): string {
  const d = c.detail
  let what: string
  switch (c.action) {
    case 'state':
      what = d.to === 'open' ? 'reopened it' : d.to === 'ignored' ? 'ignored it' : d.to === 'snoozed' ? 'snoozed it' : `set it ${text(d.to)}`
      break
    case 'assign':
      what = d.to === null || d.to === undefined ? 'unassigned it' : `assigned it to ${text(d.to)}`
      break
    case 'note':
      what = 'added a note'
      break
    case 'answered':
      what = 'marked it answered'
      break
    case 'label':
      what = 'labelled it'
      break
    case 'rule':
      what = 'routed it'
      break
    case 'rematch':
      what = 're-matched it'
      break
    default:
      what = `changed it (${text(c.action)})`
  }
  return `${oneLine(c.actor)} ${what} ${ago(c.at, now)}`
}

const list = (results: readonly TriageResult[], now: number) =>
  results.map((r) => `#${r.id}${r.lastChange ? ` (${describeLastChange(r.lastChange, now)})` : ''}`).join(', ')

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** The --json shape: times as ISO-8601, as in every output. */
export function triageJson(r: TriageResult): Record<string, unknown> {
  return {
    id: r.id,
    found: r.found,
    changed: r.changed,
    ...(r.before ? { before: { state: r.before.state, assignee: r.before.assignee, snoozedUntil: iso(r.before.snoozedUntil) } } : {}),
    lastChange: r.lastChange ? { actor: r.lastChange.actor, action: r.lastChange.action, at: iso(r.lastChange.at), detail: r.lastChange.detail } : null,
  }
}

/**
 * One summary line per outcome, each id with what someone else did to it a moment ago (two
 * people on one queue see that they crossed), and exit 1 when an id was not found.
 */
function report(ctx: CommandContext, results: readonly TriageResult[], done: string, json: boolean): number {
  const now = ctx.deps.now()
  const changed = results.filter((r) => r.changed)
  const same = results.filter((r) => r.found && !r.changed)
  const missing = results.filter((r) => !r.found)
  if (json) ctx.io.stdout.write(`${stringifyJson(results.map(triageJson), 2)}\n`)
  if (changed.length) ctx.note(`${done}: ${list(changed, now)}`)
  if (same.length) ctx.note(`Unchanged (already so): ${list(same, now)}`)
  if (missing.length) ctx.note(`No such mention: ${list(missing, now)}`)
  return missing.length ? EXIT.failure : EXIT.ok
}

async function change(ctx: CommandContext, ids: readonly number[], c: TriageChange, opts: Record<string, unknown>, done: string): Promise<number> {
  return report(ctx, await triage(ctx.deps, ids, c, actor(ctx, opts)), done, opts.json === true)
}

export async function assign(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const person = args[args.length - 1]
  if (args.length < 2 || person === undefined || person === '-' || /^#?\d+$/.test(person)) {
    throw new UsageError('usage: mentions assign <id…|-> <person>')
  }
  return change(ctx, await readIds(ctx, args.slice(0, -1)), { kind: 'assign', assignee: person.trim() }, opts, `Assigned to ${oneLine(person)}`)
}

export async function unassign(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  return change(ctx, await readIds(ctx, args), { kind: 'unassign' }, opts, 'Unassigned')
}

export async function done(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  return change(ctx, await readIds(ctx, args), { kind: 'state', state: 'done' }, opts, 'Done')
}

export async function ignore(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  return change(ctx, await readIds(ctx, args), { kind: 'state', state: 'ignored' }, opts, 'Ignored')
}

export async function reopen(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  return change(ctx, await readIds(ctx, args), { kind: 'state', state: 'open' }, opts, 'Reopened')
}

export async function snooze(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  if (opts.until === undefined) throw new UsageError('snooze needs --until <time|duration> (e.g. --until 3d or --until 2026-12-24)')
  const now = ctx.deps.now()
  // A duration means "for that long" here, not "that long ago" as in the list filters.
  const raw = String(opts.until)
  const ahead = parseDuration(raw.trim())
  const until = ahead !== undefined ? now + ahead : (timeFlag('--until', raw, now) as number)
  return change(ctx, await readIds(ctx, args), { kind: 'snooze', until }, opts, `Snoozed until ${new Date(until).toISOString()}`)
}

export async function note(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const [id, ...words] = args
  if (id === undefined || words.length === 0) throw new UsageError('usage: mentions note <id> "text"')
  return change(ctx, await readIds(ctx, [id]), { kind: 'note', text: words.join(' ') }, opts, 'Noted')
}

export async function answered(ctx: CommandContext, args: string[], opts: Record<string, unknown>): Promise<number> {
  const url = typeof opts.url === 'string' ? opts.url : undefined
  if (url !== undefined && !/^https?:\/\//i.test(url)) throw new UsageError(`--url must be an http(s) link to the reply (got "${oneLine(url).slice(0, 60)}")`)
  return change(ctx, await readIds(ctx, args), { kind: 'answered', ...(url ? { url } : {}) }, opts, 'Marked answered')
}
