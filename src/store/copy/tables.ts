// Every data table of the schema, with its columns in one order for both engines. The column
// names are shared by src/store/sqlite/migrations.ts and src/store/postgres/migrations.ts; a
// test holds this list against both schemas, so a new column cannot be left behind silently.
// Not copied: `locks` (a running process's claim, meaningless elsewhere), the SQLite FTS
// tables (rebuilt from mentions) and PostgreSQL's generated `fts` column, the hourly counts
// `mention_hours` (on either engine, its triggers count the copied brand rows as they
// arrive), the schema records.
import type { ColumnKind, ColumnSpec, TableSpec } from './types.js'

const cols = (spec: string): ColumnSpec[] =>
  spec
    .trim()
    .split(/\s+/)
    .map((pair) => {
      const [name, kind] = pair.split(':') as [string, ColumnKind]
      return { name, kind }
    })

/** In an order that satisfies the foreign keys: mentions before every table that points at it. */
export const COPY_TABLES: readonly TableSpec[] = [
  {
    name: 'mentions',
    key: ['id'],
    serial: 'id',
    columns: cols(`
      id:int source:text external_id:text url:text canonical_url:text brands:json terms:json
      author_handle:text author_name:text author_reach:int title:text text:text lang:text
      created_at:int fetched_at:int updated_at:int parent_external_id:text thread_external_id:text
      likes:int reposts:int replies:int score:int is_own:bool sentiment_score:real
      sentiment_label:text intent:text sentiment_source:text intent_source:text priority:real
      scorer_version:text competitor:bool source_name:text answerable:bool url_key:text
      rating:real boost:int`),
  },
  { name: 'mention_brands', key: ['brand', 'mention_id'], columns: cols('brand:text mention_id:int') },
  { name: 'sightings', key: ['source', 'external_id'], columns: cols('source:text external_id:text mention_id:int url:text seen_at:int') },
  {
    name: 'replies',
    key: ['mention_id', 'reply_source', 'reply_external_id'],
    columns: cols('mention_id:int reply_source:text reply_external_id:text replied_at:int handle:text kind:text url:text'),
  },
  { name: 'triage', key: ['mention_id'], columns: cols('mention_id:int state:text assignee:text snoozed_until:int updated_at:int state_reason:text') },
  { name: 'events', key: ['id'], serial: 'id', columns: cols('id:int mention_id:int at:int actor:text action:text detail:json') },
  { name: 'mention_tags', key: ['tag', 'mention_id'], columns: cols('tag:text mention_id:int') },
  {
    name: 'cursors',
    key: ['source', 'instance', 'brand'],
    columns: cols('source:text instance:text brand:text cursor:json etag:text last_modified:text last_ok_at:int last_error:text last_error_at:int upstream_state:json'),
  },
  { name: 'runs', key: ['id'], serial: 'id', columns: cols('id:int started_at:int ended_at:int status:text report:json') },
  { name: 'usage', key: ['source', 'instance', 'key'], columns: cols('source:text instance:text key:text used:int updated_at:int') },
  { name: 'sent', key: ['channel', 'kind', 'key'], columns: cols('channel:text kind:text key:text sent_at:int') },
  { name: 'digests', key: ['id'], serial: 'id', columns: cols('id:int name:text window_start:int window_end:int recorded_at:int') },
  { name: 'backoff', key: ['source', 'instance'], columns: cols('source:text instance:text host:text until:int reason:text recorded_at:int') },
  {
    name: 'source_health',
    key: ['source', 'instance', 'brand'],
    columns: cols('source:text instance:text brand:text empty_streak:int had_items:bool updated_at:int'),
  },
]

/** Where each key column sits in a row of the table. */
export function keyIndexes(table: TableSpec): number[] {
  return table.key.map((k) => {
    const i = table.columns.findIndex((c) => c.name === k)
    if (i < 0) throw new Error(`internal: ${table.name}'s key ${k} is not one of its columns`)
    return i
  })
}

/** A name quoted for SQL in both engines (some, like "key" and "text", are keywords). */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`
