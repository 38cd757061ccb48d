// How a triage verb words what someone else did to a mention a moment ago.
import { describe, expect, it } from 'vitest'
import { ago, describeLastChange, triageJson } from '../../src/cli/commands/triage.js'

const now = Date.UTC(2026, 11, 1, 12)

describe('lastChange in words', () => {
  it('says who did what, how long ago', () => {
    expect(describeLastChange({ actor: 'alice', action: 'state', at: now - 40_000, detail: { from: 'open', to: 'done' } }, now)).toBe('alice set it done 40s ago')
    expect(describeLastChange({ actor: 'bob', action: 'assign', at: now - 3 * 60_000, detail: { from: null, to: 'carol' } }, now)).toBe('bob assigned it to carol 3m ago')
    expect(describeLastChange({ actor: 'bob', action: 'assign', at: now, detail: { from: 'carol', to: null } }, now)).toBe('bob unassigned it just now')
    expect(describeLastChange({ actor: 'erin', action: 'state', at: now - 1000, detail: { from: 'done', to: 'open' } }, now)).toBe('erin reopened it 1s ago')
    expect(describeLastChange({ actor: 'rules', action: 'rule', at: now - 5000, detail: { rule: 'billing' } }, now)).toBe('rules routed it 5s ago')
    expect(describeLastChange({ actor: 'x', action: 'note', at: now - 9 * 60_000, detail: { text: 'hi' } }, now)).toBe('x added a note 9m ago')
  })

  it('never lets an actor or an action write control characters to the terminal', () => {
    const said = describeLastChange({ actor: 'eve\x1b[31m', action: 'weird\nthing', at: now - 2000, detail: {} }, now)
    expect(said).not.toMatch(/[\x00-\x1f]/)
  })

  it('treats a time ahead of ours as just now, and counts hours', () => {
    expect(ago(now + 5000, now)).toBe('just now')
    expect(ago(now - 2 * 3600_000, now)).toBe('2h ago')
  })

  it('gives --json times as ISO-8601 and lastChange null when nobody else changed it', () => {
    expect(triageJson({ id: 4, found: true, changed: true, before: { state: 'snoozed', assignee: null, snoozedUntil: now } })).toEqual({
      id: 4, found: true, changed: true, before: { state: 'snoozed', assignee: null, snoozedUntil: '2026-12-01T12:00:00.000Z' }, lastChange: null,
    })
    expect(triageJson({ id: 5, found: true, changed: false, lastChange: { actor: 'a', action: 'state', at: now, detail: { to: 'done' } } }).lastChange).toEqual({ actor: 'a', action: 'state', at: '2026-12-01T12:00:00.000Z', detail: { to: 'done' } })
  })
})
