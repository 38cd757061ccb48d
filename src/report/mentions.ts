import { VIEW_FIELDS, type MentionView } from '../model.js'
import { formatAge } from './age.js'
import type { Column } from './types.js'

/** Every MentionView field, in VIEW_FIELDS order: the csv/tsv/json/ndjson contract. */
export const mentionColumns: readonly Column<MentionView>[] = VIEW_FIELDS.map(
  (key): Column<MentionView> => ({ key, header: key, get: (v) => v[key] }),
)

/**
 * The human table: what a triager scans. `now` is injected so ages are reproducible
 * (the CLI passes its clock).
 */
export function createMentionTableColumns(now: number): readonly Column<MentionView>[] {
  return [
    { key: 'id', header: 'ID', get: (v) => v.id },
    { key: 'age', header: 'AGE', get: (v) => formatAge(Date.parse(v.createdAt), now) },
    { key: 'source', header: 'SOURCE', get: (v) => v.source, tableWidth: 12 },
    { key: 'brand', header: 'BRAND', get: (v) => v.brand, tableWidth: 16 },
    {
      key: 'sentiment',
      header: 'SENTIMENT',
      get: (v) => v.sentiment,
      colour: (text, v, style) => style.sentiment(v.sentiment, text),
    },
    { key: 'intent', header: 'INTENT', get: (v) => v.intent },
    { key: 'author', header: 'AUTHOR', get: (v) => v.author ?? v.authorName, tableWidth: 20 },
    {
      key: 'text',
      header: 'TEXT',
      // A post's title says more per column than its body's first words; a reply's title is
      // its thread's, so a reply shows its own text.
      get: (v) => (v.inReplyTo === null && v.title !== null && v.title.trim() !== '' ? v.title : v.text),
      tableWidth: 'flex',
    },
  ]
}
