// The digest as a Slack Block Kit payload `{ text, blocks }` (also what Slack-compatible
// incoming webhooks take). Within Slack's limits: at most 50 blocks, 3000 characters per
// section text, 150 per header. Untrusted text is cleaned (common.ts) and &, < and > escaped
// as Slack asks, so a post cannot mention @channel or forge a link.
import type { Digest, DigestItem } from '../../app/digest.js'
import { stringifyJson } from '../json.js'
import {
  bucketName, coverageLine, excerpt, healthLine, itemFacts, moreLine, responsesLine, safeUrl, sentimentLine, sparkline,
  spikeLine, themeLine, title, unknownLine, volumeLine, voiceLine, windowLine, clean, summaryLine,
} from './common.js'

export const SLACK_MAX_BLOCKS = 50
export const SLACK_MAX_TEXT = 3000
export const SLACK_MAX_HEADER = 150

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] }
  | { type: 'divider' }

export interface SlackPayload {
  text: string
  blocks: SlackBlock[]
}

export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`)

function link(text: string, url: string): string {
  const href = safeUrl(url)
  // A | ends the link target in Slack's syntax.
  return href ? `<${href.replace(/\|/g, '%7C')}|${escapeSlack(text)}>` : escapeSlack(text)
}

/** The digest as a Slack message; the lead's `digest --post` sends exactly this. */
export function slackPayload(d: Digest): SlackPayload {
  const now = d.window.end
  const blocks: SlackBlock[] = []
  const s = escapeSlack
  const section = (heading: string, lines: string[]) => {
    // Whole lines only, so a cut never splits an escape or a link.
    let text = `*${s(heading)}*`
    for (const l of lines) {
      if (text.length + 1 + l.length > SLACK_MAX_TEXT - 2) {
        text += '\n…'
        break
      }
      text += `\n${l}`
    }
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text } })
  }
  const items = (list: readonly DigestItem[], extra?: (i: DigestItem) => string) =>
    list.map((i, n) => `${n + 1}. ${link(excerpt(i, 100), i.url)}\n      _${s(itemFacts(i, now))}${extra ? ` · ${s(extra(i))}` : ''}_`)

  blocks.push({ type: 'header', text: { type: 'plain_text', text: cut(title(d), SLACK_MAX_HEADER) } })
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: s(windowLine(d)) }] })
  section('Source health', d.health.length ? d.health.map((p) => `:warning: ${s(healthLine(p, now))}`) : ['Every source pulled cleanly.'])
  section('Volume', [
    s(volumeLine(d)),
    `Sentiment: ${s(sentimentLine(d))}`,
    `Per ${bucketName(d)}: \`${sparkline(d.series.buckets.map((b) => b.total))}\``,
  ])
  const list = (heading: string, l: { items: readonly DigestItem[]; more: number }, none: string, what: string, extra?: (i: DigestItem) => string) =>
    section(heading, l.items.length ? [...items(l.items, extra), ...(l.more ? [s(moreLine(l.more, what))] : [])] : [none])
  list('Top unanswered', d.unanswered, 'Nothing new is waiting for an answer.', 'unanswered')
  list('Newly assigned', d.assigned, 'Nothing was assigned in the window.', 'assigned', (i) => `to ${clean(i.assignee ?? '', 40)}`)
  list(`Overdue (older than ${Math.round(d.overdue.afterMs / 3600_000)}h)`, d.overdue, 'Nothing is overdue.', 'overdue')
  section('Responses', [s(responsesLine(d))])
  if (d.spikes.length) section('Spikes', d.spikes.map((x) => s(spikeLine(x))))
  if (d.themes.length) section('Themes growing among negative mentions', d.themes.map((t) => s(themeLine(t))))
  if (d.voice) section('Share of voice', d.voice.map((v) => s(voiceLine(v))))
  section('Coverage', [...d.coverage.sources.map((l) => s(coverageLine(l))), s(unknownLine(d))])
  return { text: cut(s(summaryLine(d)), SLACK_MAX_TEXT), blocks: blocks.slice(0, SLACK_MAX_BLOCKS) }
}

export function renderSlack(d: Digest): string {
  return `${stringifyJson(slackPayload(d), 2)}\n`
}
