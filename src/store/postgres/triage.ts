// Triage on PostgreSQL: the same changes and events as the SQLite engine, for several people
// working one queue at once. A command's changes are one transaction that first locks the
// mentions it touches (in id order, so two commands never deadlock), then reads their state:
// whoever comes second waits, sees the first one's change, and reports it as lastChange.
import type { TriageState } from '../../model.js'
import { lastChangeSince, toLastChange, type LastChangeRow } from '../last-change.js'
import type { LogFilter, MentionEvent, TriageChange, TriageRepo, TriageResult } from '../types.js'
import type { Pg, PgClient } from './open.js'

interface Current {
  id: number
  state: TriageState | null
  assignee: string | null
  snoozed_until: number | null
  replied: boolean
}

interface EventRow {
  id: number
  mention_id: number
  at: number
  actor: string
  action: string
  detail: Record<string, unknown>
}

const toEvent = (e: EventRow): MentionEvent => ({ id: e.id, mentionId: e.mention_id, at: e.at, actor: e.actor, action: e.action, detail: e.detail })

interface Next {
  state: TriageState
  assignee: string | null
  until: number | null
}

/** What one mention's change comes to, decided from its locked state. */
interface Plan {
  result: TriageResult
  write?: Next
  event?: { action: string; detail: Record<string, unknown> }
  /** `answered`: changed only if the manual reply row is new. */
  reply?: true
}

function plan(row: Current, change: TriageChange, now: number, lastChange: TriageResult['lastChange']): Plan {
  const id = row.id
  // A snooze that ran out is open: snoozing or reopening it again is a real change.
  const state: TriageState = row.state === 'snoozed' && (row.snoozed_until ?? 0) <= now ? 'open' : (row.state ?? 'open')
  const before = { state, assignee: row.assignee, snoozedUntil: state === 'snoozed' ? row.snoozed_until : null }
  const result = (changed: boolean): TriageResult => ({ id, found: true, changed, before, ...(lastChange ? { lastChange } : {}) })
  switch (change.kind) {
    case 'assign':
    case 'unassign': {
      const to = change.kind === 'assign' ? change.assignee : null
      if (row.assignee === to) return { result: result(false) }
      return { result: result(true), write: { state, assignee: to, until: before.snoozedUntil }, event: { action: 'assign', detail: { from: row.assignee, to } } }
    }
    case 'state':
      if (state === change.state) return { result: result(false) }
      return { result: result(true), write: { state: change.state, assignee: row.assignee, until: null }, event: { action: 'state', detail: { from: state, to: change.state } } }
    case 'snooze':
      if (state === 'snoozed' && before.snoozedUntil === change.until) return { result: result(false) }
      return {
        result: result(true),
        write: { state: 'snoozed', assignee: row.assignee, until: change.until },
        event: { action: 'state', detail: { from: state, to: 'snoozed', until: new Date(change.until).toISOString() } },
      }
    case 'note':
      return { result: result(true), event: { action: 'note', detail: { text: change.text } } }
    case 'answered':
      // Without a URL there is one manual reply per mention; each distinct URL is its own.
      if (change.url === undefined && row.replied) return { result: result(false) }
      return { result: result(true), reply: true, event: { action: 'answered', detail: { manual: true, ...(change.url ? { url: change.url } : {}) } } }
  }
}

async function applyAll(c: PgClient, ids: readonly number[], change: TriageChange, actor: string, now: number): Promise<TriageResult[]> {
  const wanted = [...new Set(ids)]
  await c.query(`SELECT id FROM mentions WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE`, [wanted])
  // A statement of its own after the lock: under READ COMMITTED it sees what the transaction
  // we waited for committed (the locking statement's own snapshot predates it).
  const rows = await c.query<Current>(
    `SELECT m.id, t.state, t.assignee, t.snoozed_until, EXISTS (SELECT 1 FROM replies r WHERE r.mention_id = m.id) AS replied
     FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id WHERE m.id = ANY($1::bigint[])`,
    [wanted],
  )
  const others = await c.query<LastChangeRow & { mention_id: number }>(
    `SELECT DISTINCT ON (mention_id) mention_id, actor, action, at, detail FROM events
     WHERE mention_id = ANY($1::bigint[]) AND actor <> $2 AND at >= $3 ORDER BY mention_id, at DESC, id DESC`,
    [wanted, actor, lastChangeSince(now)],
  )
  const current = new Map(rows.map((r) => [r.id, r]))
  const last = new Map(others.map((r) => [r.mention_id, toLastChange(r)]))
  const plans = wanted.map((id): Plan => {
    const row = current.get(id)
    return row ? plan(row, change, now, last.get(id)) : { result: { id, found: false, changed: false } }
  })

  const replying = plans.filter((p) => p.reply).map((p) => p.result.id)
  if (replying.length && change.kind === 'answered') {
    const added = new Set(
      (
        await c.query<{ mention_id: number }>(
          `INSERT INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle, kind, url)
           SELECT id, 'manual', $2, $3, $4, 'manual', $5 FROM unnest($1::bigint[]) AS id
           ON CONFLICT DO NOTHING RETURNING mention_id`,
          [replying, change.url ?? 'manual', now, actor, change.url ?? null],
        )
      ).map((r) => r.mention_id),
    )
    for (const p of plans) {
      if (!p.reply || added.has(p.result.id)) continue
      p.result.changed = false
      delete p.event
    }
  }

  const writes = plans.filter((p): p is Plan & { write: Next } => p.write !== undefined)
  if (writes.length) {
    await c.query(
      `INSERT INTO triage (mention_id, state, assignee, snoozed_until, state_reason, updated_at)
       SELECT w.id, w.state, w.assignee, w.until, NULL, $5 FROM unnest($1::bigint[], $2::text[], $3::text[], $4::bigint[]) AS w (id, state, assignee, until)
       ON CONFLICT (mention_id) DO UPDATE SET state = excluded.state, assignee = excluded.assignee,
         snoozed_until = excluded.snoozed_until, state_reason = NULL, updated_at = excluded.updated_at`,
      [writes.map((p) => p.result.id), writes.map((p) => p.write.state), writes.map((p) => p.write.assignee), writes.map((p) => p.write.until), now],
    )
  }
  const events = plans.filter((p): p is Plan & { event: NonNullable<Plan['event']> } => p.event !== undefined)
  if (events.length) {
    // In the order asked, as SQLite writes them one by one: event ids follow that order.
    await c.query(
      `INSERT INTO events (mention_id, at, actor, action, detail)
       SELECT e.id, $4, $5, e.action, e.detail::jsonb FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS e (id, action, detail, n) ORDER BY e.n`,
      [events.map((p) => p.result.id), events.map((p) => p.event.action), events.map((p) => JSON.stringify(p.event.detail)), now, actor],
    )
  }
  return plans.map((p) => p.result)
}

export function triageRepo(pg: Pg): TriageRepo {
  return {
    apply: (ids, change, actor, now) => pg.tx((c) => applyAll(c, ids, change, actor, now)),
    async log(f: LogFilter) {
      const where: string[] = []
      const args: unknown[] = []
      if (f.since !== undefined) {
        args.push(f.since)
        where.push(`at >= $${args.length}`)
      }
      if (f.mentionId !== undefined) {
        args.push(f.mentionId)
        where.push(`mention_id = $${args.length}`)
      }
      const limit = f.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(f.limit))}` : ''
      const rows = await pg.query<EventRow>(`SELECT id, mention_id, at, actor, action, detail FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id${limit}`, args)
      return rows.map(toEvent)
    },
  }
}
