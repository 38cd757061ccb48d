// The digest as Markdown, for chat and wikis. Untrusted text is cleaned (common.ts) and then
// Markdown-escaped, so a post cannot add links, emphasis, headings or HTML; only the mentions'
// own http(s) permalinks become links.
import type { Digest, DigestItem } from '../../app/digest.js'
import {
  bucketName, coverageLine, excerpt, healthLine, itemFacts, moreLine, responsesLine, safeUrl, sentimentLine, sparkline,
  spikeLine, themeLine, title, unknownLine, volumeLine, voiceLine, when, windowLine, clean,
} from './common.js'

// The characters that start inline markup in CommonMark and the common chat dialects (GitHub,
// Mattermost, Discord: ~ strikes through, | makes tables, < starts autolinks and HTML, &
// entities). Parentheses and ! only act after a bracket, which is escaped. A backslash
// before any ASCII punctuation shows the character itself.
const SPECIAL = /[\\`*_[\]<>|~&]/g

export function escapeMarkdown(s: string): string {
  return s.replace(SPECIAL, '\\$&')
}

/** A link to a permalink, or the escaped text alone when the URL is not http(s). */
function link(text: string, url: string): string {
  const href = safeUrl(url)
  return href ? `[${escapeMarkdown(text)}](<${href}>)` : escapeMarkdown(text)
}

export function renderMarkdown(d: Digest): string {
  const now = d.window.end
  const out: string[] = []
  const md = escapeMarkdown
  const section = (s: string) => out.push('', `## ${md(s)}`, '')
  const items = (list: readonly DigestItem[], extra?: (i: DigestItem) => string) =>
    list.forEach((i, n) => out.push(`${n + 1}. ${link(excerpt(i), i.url)}  `, `   ${md(itemFacts(i, now))}${extra ? ` · ${md(extra(i))}` : ''}`))

  out.push(`# ${md(title(d))}`, '', md(windowLine(d)))
  section('Source health')
  if (d.health.length === 0) out.push('Every source pulled cleanly.')
  for (const p of d.health) out.push(`- ⚠️ ${md(healthLine(p, now))}`)

  section('Volume')
  out.push(`- ${md(volumeLine(d))}`, `- Sentiment: ${md(sentimentLine(d))}`)
  out.push(`- Per ${bucketName(d)}: \`${sparkline(d.series.buckets.map((b) => b.total))}\` negative: \`${sparkline(d.series.buckets.map((b) => b.negative))}\``)

  section('Top unanswered')
  if (d.unanswered.items.length === 0) out.push('Nothing new is waiting for an answer.')
  items(d.unanswered.items)
  if (d.unanswered.more) out.push('', md(moreLine(d.unanswered.more, 'unanswered')))

  section('Newly assigned')
  if (d.assigned.items.length === 0) out.push('Nothing was assigned in the window.')
  items(d.assigned.items, (i) => `to ${clean(i.assignee ?? '', 40)}`)
  if (d.assigned.more) out.push('', md(moreLine(d.assigned.more, 'assigned')))

  section(`Overdue (open, unanswered, older than ${Math.round(d.overdue.afterMs / 3600_000)}h)`)
  if (d.overdue.items.length === 0) out.push('Nothing is overdue.')
  items(d.overdue.items)
  if (d.overdue.more) out.push('', md(moreLine(d.overdue.more, 'overdue')))

  section('Responses')
  out.push(md(responsesLine(d)))

  section('Spikes')
  if (d.spikes.length === 0) out.push('No spike is active.')
  for (const s of d.spikes) out.push(`- ${md(spikeLine(s))}`)

  section('Themes growing among negative mentions')
  if (d.themes.length === 0) out.push('No phrase grew.')
  for (const t of d.themes) out.push(`- ${md(themeLine(t))}`)

  if (d.voice) {
    section('Share of voice')
    for (const v of d.voice) out.push(`- ${md(voiceLine(v))}`)
  }

  section('Coverage')
  if (d.coverage.sources.length === 0) out.push('No pull ran in the window.')
  for (const l of d.coverage.sources) out.push(`- ${md(coverageLine(l))}`)
  out.push('', md(unknownLine(d)), '', `_${md(`Generated ${when(now)} by mentions.`)}_`)
  return `${out.join('\n')}\n`
}
