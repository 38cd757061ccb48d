// Intent from what the scoring pass saw. Order matters: a question about a failure is a
// complaint, and a warm text that also reports a failure is still praise when it ends warm.
import type { Intent, SentimentLabel } from '../model.js'
import type { Features } from './rules.js'

/** Scores at or above this are praise even without a thank-you. */
export const PRAISE_SCORE = 0.5

type Why = 'failure' | 'grievance' | 'asks' | 'praise' | 'negative' | 'none'

function decide(f: Features, label: SentimentLabel, score: number): Why {
  if (f.failures > 0 && label !== 'positive') return 'failure'
  if (label === 'negative' && f.grievances > 0) return 'grievance'
  if (f.questionMarks > 0 || f.requests > 0 || (f.questionOpeners > 0 && label !== 'positive')) return 'asks'
  if (label === 'positive' && (f.praise > 0 || score >= PRAISE_SCORE)) return 'praise'
  if (label === 'negative') return 'negative'
  return 'none'
}

const INTENT: Record<Why, Intent> = {
  failure: 'complaint',
  grievance: 'complaint',
  asks: 'question',
  praise: 'praise',
  negative: 'complaint',
  none: 'other',
}

/** The intent alone: no strings built, for score(). */
export function intentOf(f: Features, label: SentimentLabel, score: number): Intent {
  return INTENT[decide(f, label, score)]
}

/** The intent with why, in words a person reads in `--explain`. */
export function explainIntent(f: Features, label: SentimentLabel, score: number): { intent: Intent; reason: string } {
  const why = decide(f, label, score)
  const intent = INTENT[why]
  switch (why) {
    case 'failure':
      return { intent, reason: `complaint: service failure '${f.firstFailure}'` }
    case 'grievance':
      return { intent, reason: 'complaint: a negative "why …?" question' }
    case 'asks': {
      const how = f.questionMarks > 0 ? "'?'" : f.requests > 0 ? 'asks the brand to act' : 'opens like one'
      return { intent, reason: `question: ${how}` }
    }
    case 'praise':
      return { intent, reason: f.praise > 0 ? 'praise: thanks/praise words' : 'praise: strongly positive' }
    case 'negative':
      return { intent, reason: 'complaint: negative' }
    default:
      return { intent, reason: 'other: no complaint, question or praise' }
  }
}
