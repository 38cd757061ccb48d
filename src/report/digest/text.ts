// The digest as plain text: for a terminal (colour only when the CLI's style has it) and for
// cron mail. Every untrusted part went through clean() (sanitize.ts) in common.ts.
import type { Digest, DigestItem } from '../../app/digest.js'
import { createStyle, type Style } from '../style.js'
import {
  bucketName, coverageLine, excerpt, healthLine, itemFacts, moreLine, responsesLine, sentimentLine, sparkline, spikeLine,
  themeLine, title, unknownLine, volumeLine, voiceLine, when, windowLine, clean,
} from './common.js'

export function renderText(d: Digest, style: Style = createStyle(0)): string {
  const now = d.window.end
  const out: string[] = []
  const heading = (s: string) => {
    out.push('', style.bold(s))
  }
  const items = (list: readonly DigestItem[], extra?: (i: DigestItem) => string) =>
    list.forEach((i, n) => {
      out.push(`  ${n + 1}. ${excerpt(i)}`, `     ${itemFacts(i, now)}${extra ? ` · ${extra(i)}` : ''}`, `     ${clean(i.url, 300)}`)
    })

  out.push(style.bold(title(d)), windowLine(d))
  heading('Source health')
  if (d.health.length === 0) out.push('  Every source pulled cleanly.')
  for (const p of d.health) out.push(`  ${style.warn('!')} ${healthLine(p, now)}`)

  heading('Volume')
  out.push(`  ${volumeLine(d)}`, `  Sentiment: ${sentimentLine(d)}`)
  const totals = d.series.buckets.map((b) => b.total)
  out.push(`  Per ${bucketName(d)}: ${sparkline(totals)}  negative: ${sparkline(d.series.buckets.map((b) => b.negative))}`)

  heading('Top unanswered')
  if (d.unanswered.items.length === 0) out.push('  Nothing new is waiting for an answer.')
  items(d.unanswered.items)
  if (d.unanswered.more) out.push(`  ${moreLine(d.unanswered.more, `(mentions queue unanswered --new-since ${new Date(d.window.start).toISOString()})`)}`)

  heading('Newly assigned')
  if (d.assigned.items.length === 0) out.push('  Nothing was assigned in the window.')
  items(d.assigned.items, (i) => `to ${clean(i.assignee ?? '', 40)}`)
  if (d.assigned.more) out.push(`  ${moreLine(d.assigned.more, 'assigned')}`)

  heading(`Overdue (open, unanswered, older than ${Math.round(d.overdue.afterMs / 3600_000)}h)`)
  if (d.overdue.items.length === 0) out.push('  Nothing is overdue.')
  items(d.overdue.items)
  if (d.overdue.more) out.push(`  ${moreLine(d.overdue.more, 'overdue')}`)

  heading('Responses')
  out.push(`  ${responsesLine(d)}`)

  heading('Spikes')
  if (d.spikes.length === 0) out.push('  No spike is active.')
  for (const s of d.spikes) out.push(`  ${spikeLine(s)}`)

  heading('Themes growing among negative mentions')
  if (d.themes.length === 0) out.push('  No phrase grew.')
  for (const t of d.themes) out.push(`  ${themeLine(t)}`)

  if (d.voice) {
    heading('Share of voice')
    for (const v of d.voice) out.push(`  ${voiceLine(v)}`)
  }

  heading('Coverage')
  if (d.coverage.sources.length === 0) out.push('  No pull ran in the window.')
  for (const l of d.coverage.sources) out.push(`  ${coverageLine(l)}`)
  if (d.coverage.counts.length) out.push(`  New mentions by source: ${d.coverage.counts.map((c) => `${clean(c.sourceName ? `${c.source} ${c.sourceName}` : c.source, 60)} ${c.total}`).join(', ')}`)
  out.push(`  ${unknownLine(d)}`)
  out.push('', style.dim(`Generated ${when(now)} by mentions.`))
  return `${out.join('\n')}\n`
}
