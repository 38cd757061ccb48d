// `mentions show`: one mention in full, as text. Pure: the CLI passes the mention, the
// current scorer's explanation, the clock, the width and the style.
import type { Intent, Mention, SentimentLabel } from '../model.js'
import type { Priority } from '../rules/priority.js'
import type { BrandReply, MentionEvent, Sighting } from '../store/index.js'
import { formatAge } from './age.js'
import { describeEvent } from './events.js'
import { oneLine, stripTerminal } from './sanitize.js'
import type { Style } from './style.js'
import { wrapText } from './wrap.js'

/** What the scorer says about the text today (structurally the sentiment Explanation). */
export interface ShowExplanation {
  label: SentimentLabel
  score: number
  intent: Intent
  tokens: readonly { token: string; weight: number; rules: readonly string[] }[]
  rules: readonly string[]
}

export interface ShowInput {
  mention: Mention
  explanation: ShowExplanation
  /** The scorer that produced `explanation`. */
  scorerVersion: string
  /** Who set the human label, and when (from the event log), when known. */
  labelledBy?: { actor: string; at: number }
  now: number
  /** Terminal columns; text is wrapped at word boundaries to fit. */
  width: number
  style: Style
  /** The priority breakdown, the thread the store has, the brand's replies, sightings, events. */
  priority?: Priority
  thread?: { parent: Mention | null; replies: readonly Mention[] }
  brandReplies?: readonly BrandReply[]
  sightings?: readonly Sighting[]
  events?: readonly MentionEvent[]
}

const signed = (n: number) => (n >= 0 ? '+' : '') + n.toFixed(2)
const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The mention with its explanation. A label set by a person is printed as such, and the
 * explanation is then headed as what the scorer reads, so a pinned label and a scorer that
 * disagrees with it never read as one claim. The same holds when the stored label came from
 * another scorer version than the one explaining now.
 */
export function renderShow(input: ShowInput): string {
  const { mention: m, explanation: e, style: s, width } = input
  const humanLabel = m.sentimentOverridden
  const humanIntent = m.intentOverridden
  const sentiment = humanLabel
    ? s.sentiment(m.sentimentLabel, `${m.sentimentLabel} (set by a person)`)
    : s.sentiment(m.sentimentLabel, `${m.sentimentLabel} (${m.sentimentScore.toFixed(2)})`)
  const intent = humanIntent ? `${m.intent} (set by a person)` : m.intent
  const head = [
    s.bold(`#${m.id}`),
    oneLine(m.source),
    sentiment,
    intent,
    m.state,
  ].join('  ')

  const facts = [
    m.answered === null ? 'answered: unknown here' : m.answered ? 'answered' : 'unanswered',
    oneLine(m.brands.join(', ')),
    `terms: ${oneLine(m.terms.join(', ')) || 'none'}`,
    oneLine(m.authorHandle ?? m.authorName ?? 'unknown author'),
    `${iso(m.createdAt)} (${formatAge(m.createdAt, input.now)} ago)`,
    ...(m.lang ? [`language: ${oneLine(m.lang)}`] : []),
    ...(m.rating !== null ? [`${m.rating}★`] : []),
    ...(m.tags.length ? [`tags: ${oneLine(m.tags.join(', '))}`] : []),
    ...(m.assignee ? [`assigned to ${oneLine(m.assignee)}`] : []),
    ...(m.state === 'snoozed' && m.snoozedUntil !== null ? [`snoozed until ${iso(m.snoozedUntil)}`] : []),
  ]
  const lines: string[] = [head, ...wrapText(facts.join(' · '), width).map((l) => s.dim(l))]
  if (m.isOwn) lines.push(s.warn('Posted by the brand: never queued.'))
  if (input.labelledBy && (humanLabel || humanIntent)) {
    const by = input.labelledBy
    lines.push(s.dim(`Label set by ${oneLine(by.actor)}, ${iso(by.at)} (${formatAge(by.at, input.now)} ago)`))
  }
  // A URL stays on one line, whole, so the terminal can still open it.
  lines.push(oneLine(m.url), '')
  // A reply's title is its thread's: shown as context, not as the reply's own heading.
  if (m.title && m.parentExternalId) lines.push(...wrapText(`in reply to: ${oneLine(m.title)}`, width).map((l) => s.dim(l)))
  else if (m.title) lines.push(...wrapText(oneLine(m.title), width).map((l) => s.bold(l)))
  lines.push(...wrapText(stripTerminal(m.text), width), '')

  const stale = m.scorerVersion !== input.scorerVersion
  const agrees = !humanLabel && !humanIntent && !stale && e.label === m.sentimentLabel && e.intent === m.intent
  const verdict = `${e.label} (${e.score.toFixed(2)}), intent ${e.intent}`
  const why = agrees ? `Why ${verdict}` : `Scorer reads: ${verdict}`
  const because = [
    `scorer ${input.scorerVersion}`,
    ...(stale ? [`stored by ${m.scorerVersion}; mentions rescore updates it`] : []),
    ...(humanLabel || humanIntent ? ['the label set by a person stands'] : []),
  ]
  const [whyFirst = '', ...whyRest] = wrapText(`${why} — ${because.join('; ')}`, width)
  const cut = whyFirst.startsWith(why) ? why.length : whyFirst.length
  lines.push(s.bold(whyFirst.slice(0, cut)) + s.dim(whyFirst.slice(cut)), ...whyRest.map((l) => s.dim(l)))
  for (const t of e.tokens) {
    const token = `  ${oneLine(t.token).padEnd(18)} ${signed(t.weight)}`
    if (t.rules.length === 0) {
      lines.push(token)
      continue
    }
    const [first = '', ...rest] = wrapText(oneLine(t.rules.join('; ')), width - token.length - 2)
    lines.push(`${token}  ${s.dim(first)}`, ...rest.map((r) => `${' '.repeat(token.length + 2)}${s.dim(r)}`))
  }
  if (e.rules.length) lines.push(...wrapText(`rules: ${oneLine(e.rules.join('; '))}`, width, '  ').map((l) => s.dim(l)))
  lines.push(...extras(input))
  return `${lines.join('\n')}\n`
}

/** What the inbox knows about it: why it ranks where it does, its thread, who did what. */
function extras(input: ShowInput): string[] {
  const { style: s, width, now } = input
  const out: string[] = []
  const section = (title: string) => out.push('', s.bold(title))
  const item = (text: string) => out.push(...wrapText(text, width, '  ').map((l, i) => (i === 0 ? `  ${l.trimStart()}` : l)))
  if (input.priority) {
    section(`Priority ${input.priority.score}`)
    // Points right-aligned in their own column; the lines are short, so they are not wrapped.
    for (const p of input.priority.parts) out.push(`  ${`${p.points > 0 ? '+' : ''}${p.points}`.padStart(6)}  ${p.factor}: ${oneLine(p.why)}`)
  }
  const t = input.thread
  if (t && (t.parent || t.replies.length)) {
    section('Thread')
    const line = (m: Mention, role: string) =>
      item(`${role} #${m.id} ${oneLine(m.authorHandle ?? m.authorName ?? '?')}${m.isOwn ? ' (the brand)' : ''}, ${formatAge(m.createdAt, now)} ago: ${oneLine(m.text).slice(0, 160)}`)
    if (t.parent) line(t.parent, 'in reply to')
    for (const r of t.replies) line(r, 'reply')
  }
  if (input.brandReplies?.length) {
    section('Brand replies')
    for (const r of input.brandReplies) {
      const how = r.kind === 'owner' ? 'owner response' : r.kind === 'manual' ? 'recorded by hand' : 'reply'
      const after = r.at - input.mention.createdAt
      item(`${how} by ${oneLine(r.handle)}, ${iso(r.at)}${after >= 0 ? ` (${formatAge(input.mention.createdAt, r.at)} after)` : ''}${r.url ? ` ${oneLine(r.url)}` : ''}`)
    }
  }
  if (input.sightings && input.sightings.length > 1) {
    section('Seen as')
    for (const x of input.sightings) item(`${oneLine(x.source)} ${oneLine(x.externalId)} ${oneLine(x.url)}`)
  }
  if (input.events?.length) {
    section('Events')
    for (const ev of input.events) item(`${iso(ev.at)}  ${oneLine(ev.actor)}  ${describeEvent(ev)}`)
  }
  return out
}
