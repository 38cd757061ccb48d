// Schema changes, applied in order by PRAGMA user_version. Never edit a shipped migration;
// append a new one.
import type { Database } from 'better-sqlite3'
import { contentPrioritySql } from '../../rules/priority.js'

/** Written into the file header (PRAGMA application_id): "mnt1". Marks a file as ours. */
export const APPLICATION_ID = 0x6d6e7431

/** created_at floored to its hour, in SQL: the key of mention_hours. */
const HOUR_OF = (at: string) => `${at} - ${at} % 3600000`

/**
 * What keeps mention_hours equal to counting mention_brands joined to mentions (not own posts)
 * by brand and hour: a brand row in or out, and a mention whose hour, ownership or negative
 * label changes. A mention deleted takes its brands' counts with it before the cascade removes
 * the brand rows (whose own trigger then finds no mention and does nothing). Dropped during a
 * bulk load into an empty table and the table rebuilt at its end (mentions.ts, emptyLoad,
 * which recreates them from the schema's own text). Migration 7 ran this text: a change to
 * the triggers is a migration of its own.
 */
export const MENTION_HOURS_TRIGGERS = `
  CREATE TRIGGER mention_hours_brand_insert AFTER INSERT ON mention_brands BEGIN
    INSERT INTO mention_hours (brand, hour, total, negative)
      SELECT new.brand, ${HOUR_OF('m.created_at')}, 1, m.sentiment_label = 'negative' FROM mentions m WHERE m.id = new.mention_id AND m.is_own = 0
      ON CONFLICT (brand, hour) DO UPDATE SET total = total + 1, negative = negative + excluded.negative;
  END;
  CREATE TRIGGER mention_hours_brand_delete AFTER DELETE ON mention_brands BEGIN
    UPDATE mention_hours SET total = total - 1, negative = negative - (m.sentiment_label = 'negative')
      FROM (SELECT created_at, sentiment_label FROM mentions WHERE id = old.mention_id AND is_own = 0) AS m
      WHERE mention_hours.brand = old.brand AND mention_hours.hour = ${HOUR_OF('m.created_at')};
  END;
  CREATE TRIGGER mention_hours_brand_update AFTER UPDATE OF brand, mention_id ON mention_brands BEGIN
    UPDATE mention_hours SET total = total - 1, negative = negative - (m.sentiment_label = 'negative')
      FROM (SELECT created_at, sentiment_label FROM mentions WHERE id = old.mention_id AND is_own = 0) AS m
      WHERE mention_hours.brand = old.brand AND mention_hours.hour = ${HOUR_OF('m.created_at')};
    INSERT INTO mention_hours (brand, hour, total, negative)
      SELECT new.brand, ${HOUR_OF('m.created_at')}, 1, m.sentiment_label = 'negative' FROM mentions m WHERE m.id = new.mention_id AND m.is_own = 0
      ON CONFLICT (brand, hour) DO UPDATE SET total = total + 1, negative = negative + excluded.negative;
  END;
  CREATE TRIGGER mention_hours_mention_update AFTER UPDATE OF created_at, is_own, sentiment_label ON mentions
  WHEN old.created_at IS NOT new.created_at OR old.is_own IS NOT new.is_own
    OR (old.sentiment_label = 'negative') IS NOT (new.sentiment_label = 'negative')
  BEGIN
    UPDATE mention_hours SET total = total - 1, negative = negative - (old.sentiment_label = 'negative')
      WHERE old.is_own = 0 AND hour = ${HOUR_OF('old.created_at')} AND brand IN (SELECT brand FROM mention_brands WHERE mention_id = old.id);
    INSERT INTO mention_hours (brand, hour, total, negative)
      SELECT b.brand, ${HOUR_OF('new.created_at')}, 1, new.sentiment_label = 'negative' FROM mention_brands b WHERE b.mention_id = new.id AND new.is_own = 0
      ON CONFLICT (brand, hour) DO UPDATE SET total = total + 1, negative = negative + excluded.negative;
  END;
  CREATE TRIGGER mention_hours_mention_delete BEFORE DELETE ON mentions WHEN old.is_own = 0 BEGIN
    UPDATE mention_hours SET total = total - 1, negative = negative - (old.sentiment_label = 'negative')
      WHERE hour = ${HOUR_OF('old.created_at')} AND brand IN (SELECT brand FROM mention_brands WHERE mention_id = old.id);
  END;
`

/** mention_hours counted again from the rows: the migration's first fill and a bulk load's end. */
export const MENTION_HOURS_REBUILD = `
  DELETE FROM mention_hours;
  INSERT INTO mention_hours (brand, hour, total, negative)
    SELECT b.brand, ${HOUR_OF('m.created_at')} AS h, count(*), sum(m.sentiment_label = 'negative')
    FROM mention_brands b JOIN mentions m ON m.id = b.mention_id WHERE m.is_own = 0
    GROUP BY b.brand, h;
`

/** SQL to run, or a change SQL cannot make by itself. */
export type Migration = string | ((db: Database) => void)

// `x IN ('a','b','c')` in a CHECK costs SQLite a temporary B-tree of the list on every insert
// or update that checks it (two lists of three or more per mentions row: a fifth of a bulk
// insert, measured); the same test as comparisons costs a few. A CHECK can only be changed
// by rebuilding the table, or, as SQLite's ALTER TABLE page allows for a change that leaves
// the stored rows valid and as they are, by editing the schema's text.
const CHECK_IN_LIST = /CHECK \((\w+) IN \(((?:'[a-z_]+',\s*)*'[a-z_]+')\)\)/g

export function checksAsComparisons(sql: string): string {
  return sql.replace(CHECK_IN_LIST, (_, column: string, list: string) =>
    `CHECK (${list.split(',').map((value) => `${column} = ${value.trim()}`).join(' OR ')})`)
}

function rewriteChecks(db: Database): void {
  const tables = db.prepare<[], { name: string; sql: string }>(`SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql IS NOT NULL`).all()
  const changed: { name: string; sql: string }[] = []
  for (const t of tables) {
    const sql = checksAsComparisons(t.sql)
    if (sql !== t.sql) changed.push({ name: t.name, sql })
  }
  if (changed.length === 0) return
  // better-sqlite3 opens in SQLite's defensive mode, which refuses writable_schema.
  db.unsafeMode(true)
  try {
    db.pragma('writable_schema = ON')
    const set = db.prepare(`UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?`)
    for (const t of changed) set.run(t.sql, t.name)
    // The new version number makes every connection, this one too, read the schema again.
    const version = db.pragma('schema_version', { simple: true }) as number
    db.pragma(`schema_version = ${version + 1}`)
  } finally {
    db.pragma('writable_schema = OFF')
    db.unsafeMode(false)
  }
}

export const MIGRATIONS: readonly Migration[] = [
  // 1: mentions, brands per mention, replies, triage + events, cursors, runs, the pull lock.
  `
  CREATE TABLE mentions (
    id                 INTEGER PRIMARY KEY,
    source             TEXT    NOT NULL,
    external_id        TEXT    NOT NULL,
    url                TEXT    NOT NULL,
    canonical_url      TEXT,
    brands             TEXT    NOT NULL,            -- JSON array, first = primary
    terms              TEXT    NOT NULL,            -- JSON array of matched config terms
    author_handle      TEXT,
    author_name        TEXT,
    author_reach       INTEGER,
    title              TEXT,
    text               TEXT    NOT NULL,
    lang               TEXT,
    created_at         INTEGER NOT NULL,
    fetched_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    parent_external_id TEXT,
    thread_external_id TEXT,
    likes              INTEGER,
    reposts            INTEGER,
    replies            INTEGER,
    score              INTEGER,
    is_own             INTEGER NOT NULL DEFAULT 0,
    sentiment_score    REAL    NOT NULL,
    sentiment_label    TEXT    NOT NULL CHECK (sentiment_label IN ('negative','neutral','positive')),
    intent             TEXT    NOT NULL CHECK (intent IN ('complaint','question','praise','other')),
    -- 'human' once someone ran \`mentions label\`: rescoring leaves that field alone.
    sentiment_source   TEXT    NOT NULL DEFAULT 'scorer' CHECK (sentiment_source IN ('scorer','human')),
    intent_source      TEXT    NOT NULL DEFAULT 'scorer' CHECK (intent_source IN ('scorer','human')),
    priority           INTEGER NOT NULL DEFAULT 0,
    scorer_version     TEXT    NOT NULL,
    UNIQUE (source, external_id)
  );
  -- Lists are ordered (created_at DESC, id DESC); naming id in the index lets SQLite walk it
  -- in that order and stop at LIMIT instead of sorting. The queues read the partial ones.
  CREATE INDEX mentions_created ON mentions (created_at DESC, id DESC);
  CREATE INDEX mentions_negative ON mentions (created_at DESC, id DESC)
    WHERE sentiment_label = 'negative' AND is_own = 0;
  -- No partial index for is_own = 0 alone: the brand's own posts are few, mentions_created
  -- serves the other queues, and a second candidate would lure the planner off the
  -- selective negative index.
  CREATE INDEX mentions_scorer ON mentions (scorer_version);
  -- Reply detection looks up a mention's children by the upstream parent id.
  CREATE INDEX mentions_parent ON mentions (source, parent_external_id) WHERE parent_external_id IS NOT NULL;

  CREATE TABLE mention_brands (
    brand      TEXT    NOT NULL,
    mention_id INTEGER NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    PRIMARY KEY (brand, mention_id)
  ) WITHOUT ROWID;

  CREATE TABLE replies (
    mention_id        INTEGER NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    reply_source      TEXT    NOT NULL,
    reply_external_id TEXT    NOT NULL,
    replied_at        INTEGER NOT NULL,
    handle            TEXT    NOT NULL,
    PRIMARY KEY (mention_id, reply_source, reply_external_id)
  );

  CREATE TABLE triage (
    mention_id    INTEGER PRIMARY KEY REFERENCES mentions (id) ON DELETE CASCADE,
    state         TEXT    NOT NULL CHECK (state IN ('open','done','ignored','snoozed')),
    assignee      TEXT,
    snoozed_until INTEGER,
    updated_at    INTEGER NOT NULL
  );
  CREATE INDEX triage_assignee ON triage (assignee) WHERE assignee IS NOT NULL;

  CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    mention_id INTEGER NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    actor      TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    detail     TEXT    NOT NULL               -- JSON
  );
  CREATE INDEX events_mention ON events (mention_id, at);

  CREATE TABLE cursors (
    source        TEXT    NOT NULL,
    instance      TEXT    NOT NULL,
    brand         TEXT    NOT NULL,          -- '' for feed-scoped sources
    cursor        TEXT    NOT NULL DEFAULT '{}',
    etag          TEXT,
    last_modified TEXT,
    last_ok_at    INTEGER,
    last_error    TEXT,
    last_error_at INTEGER,
    PRIMARY KEY (source, instance, brand)
  );

  CREATE TABLE runs (
    id         INTEGER PRIMARY KEY,
    started_at INTEGER NOT NULL,
    ended_at   INTEGER,
    status     TEXT    NOT NULL CHECK (status IN ('running','ok','partial','failed','interrupted')),
    report     TEXT    NOT NULL DEFAULT '[]'   -- JSON: per source counts and errors
  );

  CREATE TABLE locks (
    name       TEXT PRIMARY KEY,
    pid        INTEGER NOT NULL,
    host       TEXT    NOT NULL,
    started_at INTEGER NOT NULL
  );
  `,
  // 2: competitor-only mentions (stored, never queued), the source instance's name, and an
  // index for "first seen since" (--new-since, digests).
  `
  ALTER TABLE mentions ADD COLUMN competitor INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE mentions ADD COLUMN source_name TEXT;
  -- Why the state was set, when a command rather than a person set it ('rematch').
  ALTER TABLE triage ADD COLUMN state_reason TEXT;
  -- What the upstream last said about its quota or rate limit (JSON), for mentions sources.
  ALTER TABLE cursors ADD COLUMN upstream_state TEXT;
  DROP INDEX mentions_negative;
  CREATE INDEX mentions_negative ON mentions (created_at DESC, id DESC)
    WHERE sentiment_label = 'negative' AND is_own = 0 AND competitor = 0;
  CREATE INDEX mentions_fetched ON mentions (fetched_at DESC, id DESC);

  -- Whether the brand's reply could be seen where this was found: 0 makes answered unknown
  -- (null), never a silent "no". Feeds carry no replies.
  ALTER TABLE mentions ADD COLUMN answerable INTEGER NOT NULL DEFAULT 1;
  UPDATE mentions SET answerable = 0 WHERE source = 'rss';
  -- The normalised canonical URL: the same post found by two sources is one mention.
  ALTER TABLE mentions ADD COLUMN url_key TEXT;
  CREATE INDEX mentions_url_key ON mentions (url_key) WHERE url_key IS NOT NULL;

  -- Every other (source, external id) under which a stored mention was seen: its own is the
  -- mentions row itself, so a plain insert costs no extra write.
  CREATE TABLE sightings (
    source      TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    mention_id  INTEGER NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    url         TEXT    NOT NULL,
    seen_at     INTEGER NOT NULL,
    PRIMARY KEY (source, external_id)
  ) WITHOUT ROWID;
  CREATE INDEX sightings_mention ON sightings (mention_id);
  `,
  // 3: reviews' star ratings, how each reply was known, paid-read ledgers, rule tags and
  // boosts, the event log by time, and full-text search.
  `
  ALTER TABLE mentions ADD COLUMN rating REAL;
  -- Priority points a routing rule added ("priority": "high"); the rest is computed.
  ALTER TABLE mentions ADD COLUMN boost INTEGER NOT NULL DEFAULT 0;
  -- 'reply': the brand's own post answering it; 'owner': a review's owner response;
  -- 'manual': a person said it was answered where the tool cannot see (mentions answered).
  ALTER TABLE replies ADD COLUMN kind TEXT NOT NULL DEFAULT 'reply';
  ALTER TABLE replies ADD COLUMN url TEXT;

  -- What a source instance has spent of a budget the upstream bills or caps (X reads per
  -- day, YouTube searches per day), by a key the adapter names ("reads:2026-12-01").
  CREATE TABLE usage (
    source     TEXT    NOT NULL,
    instance   TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    used       INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (source, instance, key)
  ) WITHOUT ROWID;

  CREATE TABLE mention_tags (
    tag        TEXT    NOT NULL,
    mention_id INTEGER NOT NULL REFERENCES mentions (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, mention_id)
  ) WITHOUT ROWID;
  CREATE INDEX mention_tags_mention ON mention_tags (mention_id);

  CREATE INDEX events_at ON events (at, id);
  -- mentions.priority holds the part of the priority that depends on the row alone (see
  -- src/rules/priority.ts): the queues walk this index in its order and stop early.
  -- A change of the weights needs a migration that recomputes the column, as this one does.
  UPDATE mentions AS m SET priority = ${contentPrioritySql()};
  CREATE INDEX mentions_priority ON mentions (priority DESC, id DESC) WHERE is_own = 0 AND competitor = 0;
  -- The brands of one mention (stats by brand, rematch): the key leads with the brand.
  CREATE INDEX mention_brands_mention ON mention_brands (mention_id);
  -- Snoozed items are few; a new post by the same author in the same thread looks them up.
  CREATE INDEX triage_snoozed ON triage (snoozed_until) WHERE state = 'snoozed';

  -- External-content FTS5 over title and text, kept in step by triggers, so every writer
  -- (pull, import, merge, edit) updates it in the same transaction.
  CREATE VIRTUAL TABLE mentions_fts USING fts5(title, text, content = 'mentions', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2');
  INSERT INTO mentions_fts (mentions_fts) VALUES ('rebuild');
  CREATE TRIGGER mentions_fts_insert AFTER INSERT ON mentions BEGIN
    INSERT INTO mentions_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
  END;
  CREATE TRIGGER mentions_fts_delete AFTER DELETE ON mentions BEGIN
    INSERT INTO mentions_fts (mentions_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
  END;
  CREATE TRIGGER mentions_fts_update AFTER UPDATE OF title, text ON mentions
    WHEN old.text IS NOT new.text OR old.title IS NOT new.title BEGIN
    INSERT INTO mentions_fts (mentions_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO mentions_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
  END;
  `,
  // 4: what `mentions alert` sent, digests per name, indexes that match the queries, remembered
  // back-off and source health.
  `
  -- channel is a hash of the webhook's host and path, never the URL (the path is its secret);
  -- key is a mention id, or brand + spike kind + bucket for a spike.
  CREATE TABLE sent (
    channel TEXT    NOT NULL,
    kind    TEXT    NOT NULL CHECK (kind IN ('mention','spike')),
    key     TEXT    NOT NULL,
    sent_at INTEGER NOT NULL,
    PRIMARY KEY (channel, kind, key)
  ) WITHOUT ROWID;

  -- Digests sent, per name, so \`digest --since last\` starts where the previous one ended.
  CREATE TABLE digests (
    id           INTEGER PRIMARY KEY,
    name         TEXT    NOT NULL,
    window_start INTEGER NOT NULL,
    window_end   INTEGER NOT NULL,
    recorded_at  INTEGER NOT NULL
  );
  CREATE INDEX digests_name ON digests (name, window_end DESC);
  -- The digest's coverage and source health read the pulls of the last weeks by time.
  CREATE INDEX runs_started ON runs (started_at);

  -- A source's list (--source) reads its newest rows in order instead of every row of the
  -- source and then sorting; the scorer-version index goes, as no query used it (rescore walks
  -- by id) and every insert paid for it.
  CREATE INDEX mentions_source_created ON mentions (source, created_at DESC, id DESC);
  DROP INDEX mentions_scorer;

  -- Remembered back-off: a host that asked (Retry-After) to be left alone longer than a run
  -- can wait is not called again before then. Source health: how many pulls running a source
  -- that has had items answered with none (a silent break looks like a quiet day).
  CREATE TABLE backoff (
    source TEXT NOT NULL,
    instance TEXT NOT NULL,
    host TEXT NOT NULL,
    until INTEGER NOT NULL,
    reason TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (source, instance)
  );
  CREATE TABLE source_health (
    source TEXT NOT NULL,
    instance TEXT NOT NULL,
    brand TEXT NOT NULL,
    empty_streak INTEGER NOT NULL DEFAULT 0,
    had_items INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (source, instance, brand)
  );

  -- New rows enter the full-text index once per page, in one statement (mentions.ts,
  -- upsertPage), the only place rows are inserted: FTS5 writes its pending terms out at every
  -- statement that runs a trigger into it, so the per-row trigger wrote one tiny segment per
  -- mention and then merged them. Updates and deletes keep their triggers.
  DROP TRIGGER mentions_fts_insert;

  -- Ascending, walked backwards where a list wants the newest first: rows arrive in fetched_at
  -- order, and a descending key put every insert at the left edge, where SQLite's page splits
  -- leave the pages half full (twice the index's size).
  DROP INDEX mentions_fetched;
  CREATE INDEX mentions_fetched ON mentions (fetched_at, id);
  `,
  // 5: indexes the read paths can answer from alone (issue #13).
  `
  -- The queues walk this index in priority order and filter as they go: with the columns they
  -- filter on (--since/--until/--older-than on created_at, the digest's first-seen bound on
  -- fetched_at, the negative queue's label, --source) in the key, a row that fails a filter
  -- costs no read of the mentions row, so a selective filter no longer means a table read per
  -- candidate or a sort of the whole source.
  DROP INDEX mentions_priority;
  CREATE INDEX mentions_priority ON mentions (priority DESC, id DESC, created_at, fetched_at, sentiment_label, source)
    WHERE is_own = 0 AND competitor = 0;
  -- The digest counts what was first seen in its window (volume per bucket, by label, by
  -- source, unknown-answered): every row of the window, so the counted columns ride along in
  -- the key and the count never reads a mentions row. Same leading key, same order as before.
  DROP INDEX mentions_fetched;
  CREATE INDEX mentions_fetched ON mentions (fetched_at, id, is_own, competitor, sentiment_label, answerable, source, source_name);
  `,
  // 6: the created_at index carries what the windows by "when it was said" count (issue #13).
  `
  -- Spikes count a brand's volume and negatives per bucket over weeks of baseline, the digest
  -- counts what is overdue, stats count by source, intent and label: each read every row of
  -- its window, a row of mentions per row of the index (80k rows for the digest's spikes at a
  -- million mentions). With those columns in the key the counts never read a mentions row.
  DROP INDEX mentions_created;
  CREATE INDEX mentions_created ON mentions (created_at DESC, id DESC, is_own, competitor, sentiment_label, intent, answerable, source);
  `,
  // 7: hourly counts per brand, kept by triggers, for spikes and the digest (issue #13).
  `
  -- Spikes judge today against weeks of baseline: counted from the rows, that is every row of
  -- four weeks (80k at a million mentions, 60 ms) on every digest, and a year's spikes read a
  -- year of rows. Counted per hour as rows are written, a window of any whole number of hours
  -- is a few hundred rows of this table, with only its partial first and last hours read from
  -- mentions. Same rows as the series counts: not the brand's own posts.
  CREATE TABLE mention_hours (
    brand    TEXT    NOT NULL,
    hour     INTEGER NOT NULL,
    total    INTEGER NOT NULL,
    negative INTEGER NOT NULL,
    PRIMARY KEY (brand, hour)
  ) WITHOUT ROWID;
  ${MENTION_HOURS_TRIGGERS}
  ${MENTION_HOURS_REBUILD}
  `,
  // 8: the rows that can go overdue, with their stored priority (issue #13).
  `
  -- The digest's overdue list counts and ranks, by priority, the open and unanswered items that
  -- needed an answer and were said between seven days and a day ago. On mentions_created that
  -- is every row of six days (120k at a million mentions) and then a mentions row per candidate
  -- for its priority: the largest part of a digest. Only a fifth of the rows can ever need an
  -- answer, and this index holds just those. Its WHERE is digests.ts's (NEEDS_ANSWER and
  -- answerable), term for term, which is what lets SQLite choose it. SQLite counts a column of
  -- that WHERE as read from the row, so they are in the key too: the count and the ranking
  -- read the index alone.
  CREATE INDEX mentions_overdue ON mentions (created_at, priority, is_own, competitor, answerable, intent, sentiment_label)
    WHERE is_own = 0 AND competitor = 0 AND answerable = 1 AND (intent IN ('complaint', 'question') OR sentiment_label = 'negative');
  `,
  // 9: the CHECK constraints' value lists as comparisons (issue #13), the same rules.
  rewriteChecks,
]

export function applyMigration(db: Database, m: Migration): void {
  if (typeof m === 'string') db.exec(m)
  else m(db)
}

/**
 * Brings the schema up to date under a write lock (BEGIN IMMEDIATE, which waits on the busy
 * timeout): the version is read again inside the lock, so two processes upgrading at once run
 * each migration exactly once.
 */
export function migrate(db: Database): void {
  const known = MIGRATIONS.length
  if ((db.pragma('user_version', { simple: true }) as number) === known) return
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number
    if (current > known) {
      throw new Error(`database schema version ${current} is newer than this mentions (knows ${known}); upgrade mentions`)
    }
    for (let v = current; v < known; v++) applyMigration(db, MIGRATIONS[v] as Migration)
    db.pragma(`application_id = ${APPLICATION_ID}`)
    db.pragma(`user_version = ${known}`)
  }).immediate()
}
