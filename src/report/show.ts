// `mentions show`: one mention in full, as text. Pure: the CLI passes the mention, the
// current scorer's explanation, the clock, the width and the style.
import type { Intent, Mention, SentimentLabel } from '../model.js'
import { formatAge } from './age.js'
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
  return `${lines.join('\n')}\n`
}
