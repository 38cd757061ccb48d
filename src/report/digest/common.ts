// What every digest renderer shares: how figures read (percentages, changes, durations, the
// sparkline) and the plain-text wording of the lines whose only untrusted part is marked, so
// text, Markdown, HTML and Slack say the same things and each escapes in its own way.
import type { Digest, DigestItem } from '../../app/digest.js'
import type { CoverageLine, HealthProblem } from '../../app/digest/health.js'
import type { SpikeRow } from '../../app/spikes.js'
import { formatAge } from '../age.js'
import { oneLine } from '../sanitize.js'
import { truncateToWidth } from '../width.js'

const HOUR = 3600_000

/** "2026-12-02 08:00 UTC": minutes are enough for a digest, and the zone is always said. */
export function when(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** A length of time as a person says it: "45m", "24h", "36h", "3d" (hours up to three days, as windows are named). */
export function span(ms: number): string {
  if (ms >= HOUR && ms <= 72 * HOUR) return `${Math.floor(ms / HOUR)}h`
  return formatAge(0, ms)
}

export function pct(share: number | null): string {
  return share === null ? 'n/a' : `${Math.round(share * 100)}%`
}

/** A change against the previous window: "+31%", "-10%", "no change", "new" (from none). */
export function change(total: number, previous: number): string {
  if (previous === 0) return total === 0 ? 'no change' : 'new'
  const c = Math.round(((total - previous) / previous) * 100)
  return c === 0 ? 'no change' : `${c > 0 ? '+' : ''}${c}%`
}

const BARS = '▁▂▃▄▅▆▇█'

/** One character per value, scaled to the largest; a zero is the lowest bar, so gaps show. */
export function sparkline(values: readonly number[]): string {
  const max = Math.max(0, ...values)
  return values.map((v) => (max === 0 ? BARS[0] : BARS[Math.min(BARS.length - 1, Math.round((v / max) * (BARS.length - 1)))])).join('')
}

export const bucketName = (d: Digest): string => (d.series.bucketMs <= HOUR ? 'hour' : 'day')

export function title(d: Digest): string {
  const who = d.brands.length ? d.brands.join(', ') : d.name === 'default' ? '' : d.name
  return `Mentions digest${who ? ` for ${who}` : ''}`
}

export function windowLine(d: Digest): string {
  const w = d.window
  const base = `${when(w.start)} to ${when(w.end)} (${span(w.end - w.start)})`
  if (w.from === 'last') return `${base}, since the previous "${d.name}" digest`
  if (w.from === 'first') return `${base}: no earlier "${d.name}" digest, so the last 24h`
  return base
}

/** Untrusted text on one line, sanitised for any output, at most `max` columns. */
export function clean(s: string, max = 160): string {
  return truncateToWidth(oneLine(s), max)
}

/** What an item says, in a line: its title, else its text. */
export function excerpt(i: Pick<DigestItem, 'title' | 'text'>, max = 120): string {
  return clean(i.title?.trim() ? i.title : i.text, max)
}

/** The trusted facts about an item: "negative complaint · hackernews · 3h old". */
export function itemFacts(i: DigestItem, now: number): string {
  const intent = i.intent === 'other' ? '' : ` ${i.intent}`
  return `${i.sentiment}${intent} · ${i.source} · ${formatAge(i.createdAt, now)} old · priority ${Math.round(i.priority)}`
}

/** Only web links are made clickable; anything else (javascript:, data:) stays text. */
export function safeUrl(url: string): string | undefined {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : undefined
  } catch {
    return undefined
  }
}

/** A source instance as a person reads it: "rss Blog", "hackernews (Acme)". Untrusted: a configured name. */
export function instanceLabel(l: { source: string; name: string | null; brand: string; instance: string }): string {
  const name = l.name ? ` ${l.name}` : ''
  // The brand handles' own posts are a stream of their own (the adapters key it "#own").
  const own = l.instance.endsWith('#own') ? ' own activity' : ''
  const brand = l.brand ? ` (${l.brand})` : ''
  return clean(`${l.source}${name}${own}${brand}`, 60)
}

/** A health problem, as one sentence; the upstream error text is the untrusted part, cleaned. */
export function healthLine(p: HealthProblem, now: number): string {
  switch (p.kind) {
    case 'no-pulls':
      return `No pull ran since ${when(p.since)}: these numbers may be stale.`
    case 'failing':
      return `${instanceLabel(p)}: the last pull failed (${when(p.at)}): ${clean(p.error, 200)}`
    case 'silent':
      return `${instanceLabel(p)}: silent for ${span(now - p.lastNewAt)} (usually something new every ${span(p.usualGapMs)})`
  }
}

export function spikeLine(s: SpikeRow): string {
  const what = s.kind === 'volume' ? 'volume spike' : s.kind === 'negative-share' ? 'negative-share spike' : 'slow climb'
  return `${clean(s.brand, 40)}: ${what} from ${when(s.bucketStart)}: ${clean(s.why, 200)}`
}

/** Everything notable about an instance's coverage, or '' when it ran cleanly. */
export function coverageNotes(l: CoverageLine): string[] {
  const notes: string[] = []
  if (l.runs === 0) notes.push('no pull in the window')
  if (l.failed) notes.push(`${l.failed} of ${l.runs} pulls failed`)
  if (l.budgetStopped) notes.push(`stopped by its read budget ${l.budgetStopped}×`)
  if (l.gap) notes.push(`owes ${when(l.gap.from)} to ${when(l.gap.to)}`)
  if (l.limits) notes.push(`upstream cap: ${l.limits}`)
  return notes
}

export function coverageLine(l: CoverageLine): string {
  const covered = l.coveredFrom !== null && l.coveredTo !== null ? `, covering ${when(l.coveredFrom)} to ${when(l.coveredTo)}` : ''
  const head = `${instanceLabel(l)}: ${l.runs} pull${l.runs === 1 ? '' : 's'}, ${l.new} new${covered}`
  const notes = coverageNotes(l)
  return notes.length ? `${head}; ${notes.join('; ')}` : head
}

export function volumeLine(d: Digest): string {
  const v = d.volume
  return `${v.total} new mention${v.total === 1 ? '' : 's'} (${change(v.total, v.previous)} against ${v.previous} in the previous ${span(d.window.end - d.window.start)})`
}

export function sentimentLine(d: Digest): string {
  const s = d.sentiment
  const was = s.previousNegativeShare === null ? '' : `, was ${pct(s.previousNegativeShare)}`
  return `${s.negative} negative (${pct(s.negativeShare)}${was}), ${s.neutral} neutral, ${s.positive} positive`
}

export function responsesLine(d: Digest): string {
  const r = d.responses
  if (r.needed === 0) return 'Nothing said in the window needed an answer.'
  const median = r.medianFirstResponseSeconds === null ? '' : `, median first reply ${span(r.medianFirstResponseSeconds * 1000)}`
  const unknown = r.unknown ? `; ${r.unknown} cannot be known` : ''
  return `${r.answered} of ${r.needed - r.unknown} answered (${pct(r.answeredShare)})${median}${unknown}`
}

export function unknownLine(d: Digest): string {
  const c = d.coverage
  if (c.unknown === 0) return 'The answered state of every new mention is known.'
  return `${c.unknown} of ${d.volume.total} new mentions (${pct(c.unknownShare)}) come from sources that cannot see replies: their answered state is unknown.`
}

export function themeLine(t: { phrase: string; count: number; previous: number }): string {
  return `"${clean(t.phrase, 60)}": ${t.count} (was ${t.previous})`
}

export function voiceLine(v: { brand: string; competitor: boolean; mentions: number; share: number | null }): string {
  return `${clean(v.brand, 40)}${v.competitor ? ' (competitor)' : ''}: ${pct(v.share)} (${v.mentions})`
}

export const moreLine = (n: number, what: string): string => `and ${n} more ${what}`

/** The one-line summary: the mail subject, Slack's notification text. */
export function summaryLine(d: Digest): string {
  const parts = [`${d.volume.total} new`, `${d.unanswered.items.length + d.unanswered.more} unanswered`]
  if (d.overdue.items.length) parts.push(`${d.overdue.items.length + d.overdue.more} overdue`)
  if (d.spikes.length) parts.push(`${d.spikes.length} spike${d.spikes.length === 1 ? '' : 's'}`)
  if (d.broken) parts.push('a source is failing')
  return `${title(d)}, ${new Date(d.window.end).toISOString().slice(0, 10)}: ${parts.join(', ')}`
}
