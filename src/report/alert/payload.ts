// What `mentions alert` POSTs: a Slack Block Kit message (one per run) or one JSON object per
// item for a generic webhook (`--per-item`). Pure. The per-item field names are a documented,
// tested contract for ticket systems: add fields, never rename or remove them.
import type { Mention } from '../../model.js'
import { oneLine } from '../sanitize.js'

/** A spike as the alert knows it (the shape of src/app/spikes.ts rows, without the app import). */
export interface AlertSpike {
  brand: string
  kind: string
  bucketStart: number
  bucketEnd: number
  value: number
  baseline: number
  score: number
  why: string
}

export type AlertEntry =
  | { type: 'spike'; key: string; spike: AlertSpike }
  | { type: 'mention'; key: string; mention: Mention }

/** Slack's documented limits: 50 blocks per message, 3000 characters per section text. */
export const SLACK_MAX_BLOCKS = 50
export const SLACK_MAX_TEXT = 3000
/** Header, divider and the "N more" footer leave this many blocks for entries. */
export const SLACK_MAX_ENTRIES = SLACK_MAX_BLOCKS - 3
/** A quote of the post: enough to judge it in chat, short enough to scan a list. */
const QUOTE_CHARS = 280
/** The plain-text fallback (notifications, old clients). */
const FALLBACK_CHARS = 500

const iso = (t: number) => new Date(t).toISOString()

/** Slack's mrkdwn escapes exactly these three; everything else is shown as written. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Untrusted text for chat: one line, no control or bidi characters, at most `max` characters. */
function clip(text: string, max: number): string {
  const chars = Array.from(oneLine(text))
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('')
}

/** A link Slack will not misread: only http(s), with the characters that end a <url|label> encoded. */
function slackLink(url: string, label: string): string {
  if (!/^https?:\/\//i.test(url)) return slackEscape(label)
  const safe = url.replace(/[|<>\s]/g, (c) => encodeURIComponent(c)).replace(/&/g, '&amp;')
  return `<${safe}|${slackEscape(label)}>`
}

const pct = (x: number) => `${Math.round(x * 100)}%`
function spikeLine(s: AlertSpike): string {
  const share = s.kind === 'negative-share'
  const value = share ? pct(s.value) : String(s.value)
  const baseline = share ? pct(s.baseline) : String(Math.round(s.baseline * 10) / 10)
  return `${s.brand}: ${s.kind} ${value} against ${baseline} (${iso(s.bucketStart).slice(0, 16)}Z–${iso(s.bucketEnd).slice(0, 16)}Z): ${s.why}`
}

function mentionHeadline(m: Mention): string {
  const who = m.authorHandle ?? m.authorName ?? 'someone'
  return `${m.brands[0] ?? ''} · ${m.source} · ${who} · priority ${Math.round(m.priority)} · ${m.sentimentLabel} ${m.intent}`
}

function sectionText(e: AlertEntry): string {
  if (e.type === 'spike') return `:chart_with_upwards_trend: *Spike* ${slackEscape(clip(spikeLine(e.spike), SLACK_MAX_TEXT - 100))}`
  const m = e.mention
  const head = slackEscape(clip(mentionHeadline(m), 300))
  const title = m.title ? `*${slackEscape(clip(m.title, 200))}*\n` : ''
  const quote = slackEscape(clip(m.text, QUOTE_CHARS))
  const link = slackLink(m.url, `#${m.id} open`)
  return `${head}\n${title}>${quote}\n${link}`
}

export interface SlackMessage {
  text: string
  blocks: object[]
}

/**
 * One message for every entry that fits (SLACK_MAX_ENTRIES); the caller sends the rest next
 * time. `more` is how many were left out, said in a footer so nobody thinks that was all.
 */
export function slackMessage(entries: readonly AlertEntry[], more: number): SlackMessage {
  const spikes = entries.filter((e) => e.type === 'spike').length
  const items = entries.length - spikes
  const parts = [spikes ? `${spikes} spike${spikes === 1 ? '' : 's'}` : '', items ? `${items} high-priority mention${items === 1 ? '' : 's'}` : ''].filter(Boolean)
  const summary = `mentions: ${parts.join(' and ')}`
  const blocks: object[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(summary, 150), emoji: true } },
    { type: 'divider' },
    ...entries.map((e) => ({ type: 'section', text: { type: 'mrkdwn', text: sectionText(e).slice(0, SLACK_MAX_TEXT) } })),
  ]
  if (more > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${more} more, sent next run (or see \`mentions queue all\`)` }] })
  const lines = entries.map((e) => (e.type === 'spike' ? `spike: ${spikeLine(e.spike)}` : `#${e.mention.id} ${mentionHeadline(e.mention)}`))
  const text = slackEscape(clip([summary, ...lines].join('; '), FALLBACK_CHARS))
  return { text, blocks }
}

/** The `--per-item` JSON object: one flat, stable shape per mention or spike. */
export type ItemPayload =
  | {
      type: 'mention'
      key: string
      id: number
      brand: string
      brands: string[]
      source: string
      url: string
      author: string | null
      title: string | null
      text: string
      createdAt: string
      firstSeenAt: string
      sentiment: string
      sentimentScore: number
      intent: string
      priority: number
      assignee: string | null
      tags: string[]
      answered: boolean | null
    }
  | {
      type: 'spike'
      key: string
      brand: string
      kind: string
      bucketStart: string
      bucketEnd: string
      value: number
      baseline: number
      score: number
      why: string
    }

/**
 * Exact text (JSON carries it safely; the receiver decides how to show it), ISO times.
 * `key` ("mention:42", "spike:Acme|volume|<start>|<end>") is stable across runs: a receiver
 * can deduplicate by it.
 */
export function itemPayload(e: AlertEntry): ItemPayload {
  if (e.type === 'spike') {
    const s = e.spike
    return { type: 'spike', key: `spike:${e.key}`, brand: s.brand, kind: s.kind, bucketStart: iso(s.bucketStart), bucketEnd: iso(s.bucketEnd), value: s.value, baseline: s.baseline, score: s.score, why: s.why }
  }
  const m = e.mention
  return {
    type: 'mention',
    key: `mention:${e.key}`,
    id: m.id,
    brand: m.brands[0] ?? '',
    brands: m.brands,
    source: m.source,
    url: m.url,
    author: m.authorHandle ?? m.authorName,
    title: m.title,
    text: m.text,
    createdAt: iso(m.createdAt),
    firstSeenAt: iso(m.fetchedAt),
    sentiment: m.sentimentLabel,
    sentimentScore: m.sentimentScore,
    intent: m.intent,
    priority: m.priority,
    assignee: m.assignee,
    tags: m.tags,
    answered: m.answered,
  }
}

/** One line per entry for `--dry-run` and summaries on a terminal (the caller strips it for the terminal). */
export function entryLine(e: AlertEntry): string {
  if (e.type === 'spike') return `spike    ${spikeLine(e.spike)}`
  return `mention  #${e.mention.id} ${mentionHeadline(e.mention)}: ${clip(e.mention.text, 120)}`
}
