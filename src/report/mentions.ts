import { VIEW_FIELDS, type MentionView } from '../model.js'
import { formatAge } from './age.js'
import type { Column } from './types.js'

// One getter per field: `(v) => v[key]` with the key in a closure is one call site for 34
// property names, a megamorphic load that was the largest single cost of writing a CSV row.
// The mapped type makes the compiler hold this list to MentionView.
const GET: { readonly [K in keyof MentionView]: (v: MentionView) => MentionView[K] } = {
  id: (v) => v.id,
  source: (v) => v.source,
  sourceName: (v) => v.sourceName,
  externalId: (v) => v.externalId,
  url: (v) => v.url,
  title: (v) => v.title,
  text: (v) => v.text,
  author: (v) => v.author,
  authorName: (v) => v.authorName,
  createdAt: (v) => v.createdAt,
  fetchedAt: (v) => v.fetchedAt,
  lang: (v) => v.lang,
  isOwn: (v) => v.isOwn,
  competitor: (v) => v.competitor,
  brand: (v) => v.brand,
  brands: (v) => v.brands,
  terms: (v) => v.terms,
  sentiment: (v) => v.sentiment,
  sentimentScore: (v) => v.sentimentScore,
  intent: (v) => v.intent,
  state: (v) => v.state,
  assignee: (v) => v.assignee,
  answered: (v) => v.answered,
  priority: (v) => v.priority,
  likes: (v) => v.likes,
  reposts: (v) => v.reposts,
  replies: (v) => v.replies,
  inReplyTo: (v) => v.inReplyTo,
  rating: (v) => v.rating,
  tags: (v) => v.tags,
  snoozedUntil: (v) => v.snoozedUntil,
  authorReach: (v) => v.authorReach,
  points: (v) => v.points,
  threadId: (v) => v.threadId,
}

/** Every MentionView field, in VIEW_FIELDS order: the csv/tsv/json/ndjson contract. */
export const mentionColumns: readonly Column<MentionView>[] = VIEW_FIELDS.map((key): Column<MentionView> => ({ key, header: key, get: GET[key] }))

// Short names for the table only; every other format keeps the source kind as stored.
const SHORT_SOURCE: Readonly<Record<string, string>> = { hackernews: 'hn' }

export function shortSource(kind: string): string {
  return SHORT_SOURCE[kind] ?? kind
}

/**
 * The human table: what a triager scans. The text gets most of the line: on a narrow
 * terminal the permalink goes first, then the author is squeezed, then brand and intent
 * are left out (`wide` keeps them all). `now` is injected so ages are reproducible
 * (the CLI passes its clock).
 */
export function createMentionTableColumns(now: number): readonly Column<MentionView>[] {
  return [
    { key: 'id', header: 'ID', get: (v) => v.id },
    { key: 'age', header: 'AGE', get: (v) => formatAge(Date.parse(v.createdAt), now) },
    { key: 'source', header: 'SOURCE', get: (v) => shortSource(v.source), tableWidth: 8 },
    { key: 'brand', header: 'BRAND', get: (v) => v.brand, tableWidth: 16, tableMin: 6, tableDrop: 1 },
    {
      key: 'sentiment',
      header: 'SENTIMENT',
      get: (v) => v.sentiment,
      colour: (text, v, style) => style.sentiment(v.sentiment, text),
    },
    { key: 'intent', header: 'INTENT', get: (v) => v.intent, tableDrop: 2 },
    // '?' where the source cannot show the brand's replies: unknown, not "no".
    { key: 'answered', header: 'ANS', get: (v) => (v.answered === null ? '?' : v.answered ? 'yes' : 'no'), tableDrop: 3 },
    // What the queue is sorted by, and who has it: dropped before the text gives way.
    { key: 'priority', header: 'PRI', get: (v) => Math.round(v.priority), tableDrop: 2 },
    { key: 'assignee', header: 'WHO', get: (v) => v.assignee, tableWidth: 12, tableMin: 4, tableDrop: 1 },
    { key: 'author', header: 'AUTHOR', get: (v) => v.author ?? v.authorName, tableWidth: 20, tableMin: 8 },
    {
      key: 'text',
      header: 'TEXT',
      // A post's title says more per column than its body's first words; a reply's title is
      // its thread's, so a reply shows its own text.
      get: (v) => (v.inReplyTo === null && v.title !== null && v.title.trim() !== '' ? v.title : v.text),
      tableWidth: 'flex',
    },
    { key: 'url', header: 'URL', get: (v) => v.url, tableWhole: true, tableDrop: 0 },
  ]
}
