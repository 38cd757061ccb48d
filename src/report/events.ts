// One event of the log as a short sentence ("state open → done", "assigned alice").
import type { MentionEvent } from '../store/index.js'
import { oneLine } from './sanitize.js'

const str = (v: unknown): string => (v === null || v === undefined ? 'nobody' : oneLine(String(v)))

export function describeEvent(e: MentionEvent): string {
  const d = e.detail
  switch (e.action) {
    case 'assign':
      return d.to === null ? `unassigned (was ${str(d.from)})` : `assigned ${str(d.to)}${d.from ? ` (was ${str(d.from)})` : ''}`
    case 'state':
      return `${str(d.from)} → ${str(d.to)}${d.until ? ` until ${str(d.until)}` : ''}${d.reason ? ` (${str(d.reason)})` : ''}`
    case 'note':
      return `note: ${str(d.text)}`
    case 'answered':
      return `answered (recorded by hand)${d.url ? ` ${str(d.url)}` : ''}`
    case 'rule': {
      const parts = [d.assign ? `assign ${str(d.assign)}` : '', d.priority ? `priority ${str(d.priority)}` : '', Array.isArray(d.tags) && d.tags.length ? `tag ${d.tags.map(str).join(', ')}` : '']
      return `rule "${str(d.rule)}": ${parts.filter(Boolean).join('; ') || 'matched'}`
    }
    case 'label': {
      const parts = Object.entries(d).map(([k, v]) => (v && typeof v === 'object' ? `${k} ${str((v as { from?: unknown }).from)} → ${str((v as { to?: unknown }).to)}` : k))
      return `label: ${parts.join(', ')}`
    }
    case 'rematch':
      return d.to === null ? `no longer matches (${str(d.reason)})` : `matches again: ${str((d.to as { brands?: unknown[] }).brands?.join(', '))}`
    default:
      return oneLine(JSON.stringify(d))
  }
}
