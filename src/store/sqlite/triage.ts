// Triage on SQLite: states, assignees, notes and manual replies, each change one event in the
// append-only log, all of one command in one transaction.
import type { TriageState } from '../../model.js'
import type { LogFilter, MentionEvent, TriageChange, TriageRepo, TriageResult } from '../types.js'
import { lastChangeSince, toLastChange, type LastChangeRow } from '../last-change.js'
import { lazyPrepare, storeRunner, type Db } from './open.js'

interface Current {
  id: number
  state: TriageState | null
  assignee: string | null
  snoozed_until: number | null
}

interface EventRow {
  id: number
  mention_id: number
  at: number
  actor: string
  action: string
  detail: string
}

export const toEvent = (e: EventRow): MentionEvent => ({
  id: e.id,
  mentionId: e.mention_id,
  at: e.at,
  actor: e.actor,
  action: e.action,
  detail: JSON.parse(e.detail) as Record<string, unknown>,
})

export function triageRepo(db: Db, file: string): TriageRepo {
  const run = storeRunner(file)
  const current = lazyPrepare<[number], Current>(db, `
    SELECT m.id, t.state, t.assignee, t.snoozed_until FROM mentions m LEFT JOIN triage t ON t.mention_id = m.id WHERE m.id = ?`)
  const upsert = lazyPrepare(db, `
    INSERT INTO triage (mention_id, state, assignee, snoozed_until, state_reason, updated_at)
    VALUES (@id, @state, @assignee, @until, NULL, @now)
    ON CONFLICT (mention_id) DO UPDATE SET state = excluded.state, assignee = excluded.assignee,
      snoozed_until = excluded.snoozed_until, state_reason = NULL, updated_at = excluded.updated_at`)
  const event = lazyPrepare(db, `INSERT INTO events (mention_id, at, actor, action, detail) VALUES (?, ?, ?, ?, ?)`)
  const manualReply = lazyPrepare(db, `
    INSERT OR IGNORE INTO replies (mention_id, reply_source, reply_external_id, replied_at, handle, kind, url)
    VALUES (@id, 'manual', @key, @now, @actor, 'manual', @url)`)
  const anyReply = lazyPrepare<[number], { n: number }>(db, `SELECT count(*) AS n FROM replies WHERE mention_id = ?`)
  const lastOther = lazyPrepare<[number, string, number], LastChangeRow>(db, `
    SELECT actor, action, at, detail FROM events WHERE mention_id = ? AND actor <> ? AND at >= ? ORDER BY at DESC, id DESC LIMIT 1`)

  function one(id: number, change: TriageChange, actor: string, now: number): TriageResult {
    const row = current.get(id)
    if (!row) return { id, found: false, changed: false }
    // A snooze that ran out is open: snoozing or reopening it again is a real change.
    const state: TriageState = row.state === 'snoozed' && (row.snoozed_until ?? 0) <= now ? 'open' : (row.state ?? 'open')
    const before = { state, assignee: row.assignee, snoozedUntil: state === 'snoozed' ? row.snoozed_until : null }
    // Read before this change writes its own event, inside the same write transaction.
    const other = lastOther.get(id, actor, lastChangeSince(now))
    const lastChange = other && toLastChange(other)
    const result = (changed: boolean): TriageResult => ({ id, found: true, changed, before, ...(lastChange ? { lastChange } : {}) })
    const write = (next: { state: TriageState; assignee: string | null; until: number | null }) =>
      upsert.run({ id, state: next.state, assignee: next.assignee, until: next.until, now })
    const log = (action: string, detail: Record<string, unknown>) => event.run(id, now, actor, action, JSON.stringify(detail))
    switch (change.kind) {
      case 'assign':
      case 'unassign': {
        const to = change.kind === 'assign' ? change.assignee : null
        if (row.assignee === to) return result(false)
        write({ state, assignee: to, until: before.snoozedUntil })
        log('assign', { from: row.assignee, to })
        return result(true)
      }
      case 'state': {
        if (state === change.state) return result(false)
        write({ state: change.state, assignee: row.assignee, until: null })
        log('state', { from: state, to: change.state })
        return result(true)
      }
      case 'snooze': {
        if (state === 'snoozed' && before.snoozedUntil === change.until) return result(false)
        write({ state: 'snoozed', assignee: row.assignee, until: change.until })
        log('state', { from: state, to: 'snoozed', until: new Date(change.until).toISOString() })
        return result(true)
      }
      case 'note':
        log('note', { text: change.text })
        return result(true)
      case 'answered': {
        // Without a URL there is one manual reply per mention; each distinct URL is its own.
        // Already answered, and no new link to record: nothing to say.
        if (change.url === undefined && (anyReply.get(id)?.n ?? 0) > 0) return result(false)
        const added = manualReply.run({ id, key: change.url ?? 'manual', now, actor, url: change.url ?? null }).changes > 0
        if (!added) return result(false)
        log('answered', { manual: true, ...(change.url ? { url: change.url } : {}) })
        return result(true)
      }
    }
  }

  const apply = db.transaction((ids: readonly number[], change: TriageChange, actor: string, now: number) =>
    [...new Set(ids)].map((id) => one(id, change, actor, now)),
  )

  return {
    apply: (ids, change, actor, now) => run(() => apply.immediate(ids, change, actor, now)),
    log: (f: LogFilter) =>
      run(() => {
        const where: string[] = []
        const args: Record<string, unknown> = {}
        if (f.since !== undefined) {
          where.push('at >= @since')
          args.since = f.since
        }
        if (f.mentionId !== undefined) {
          where.push('mention_id = @id')
          args.id = f.mentionId
        }
        const limit = f.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(f.limit))}` : ''
        const sql = `SELECT id, mention_id, at, actor, action, detail FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at, id${limit}`
        return (db.prepare(sql).all(args) as EventRow[]).map(toEvent)
      }),
  }
}
