// Builds the command tree and runs it. Exit codes are decided here and nowhere else:
// 0 ok, 1 failure, 2 usage or configuration error, 3 partial failure, 130 interrupted (Ctrl-C).
import { Command, CommanderError, Option } from 'commander'
import { INTENTS, QUEUE_NAMES, QUEUE_SORTS, SENTIMENT_LABELS, TRIAGE_STATES } from '../model.js'
import { BusyError, ConfigError, NotFoundError, StoreError, UsageError } from '../errors.js'
import { oneLine, stripTerminal } from '../report/sanitize.js'
import { createStyle } from '../report/style.js'
import { EXIT, type CommandContext, type ExitCode } from './context.js'
import { createDeps, type CliDeps, type GlobalFlags } from './deps.js'
import { colorLevel, type IO } from './io.js'
import { collect } from './flags.js'
import { COMMAND_FORMATS, formatHelp, type FormatSpec } from './formats.js'
import { VERSION } from './version.js'


type Action = (ctx: CommandContext, args: string[], opts: Record<string, unknown>) => Promise<number>

/** Commands load lazily so `--help` and `--version` stay instant. */
const commands: Record<string, () => Promise<{ run: Action }>> = {
  init: () => import('./commands/init.js'),
  pull: () => import('./commands/pull.js'),
  queue: () => import('./commands/queue.js'),
  export: () => import('./commands/export.js'),
  import: () => import('./commands/import.js'),
  show: () => import('./commands/show.js'),
  score: () => import('./commands/score.js'),
  match: () => import('./commands/match.js'),
  rematch: () => import('./commands/rematch.js'),
  label: () => import('./commands/label.js'),
  rescore: () => import('./commands/rescore.js'),
  sources: () => import('./commands/sources.js'),
  demo: () => import('./commands/demo.js'),
  search: () => import('./commands/search.js'),
  log: () => import('./commands/log.js'),
  rules: () => import('./commands/rules.js'),
  assign: () => import('./commands/triage.js').then((m) => ({ run: m.assign })),
  unassign: () => import('./commands/triage.js').then((m) => ({ run: m.unassign })),
  done: () => import('./commands/triage.js').then((m) => ({ run: m.done })),
  ignore: () => import('./commands/triage.js').then((m) => ({ run: m.ignore })),
  snooze: () => import('./commands/triage.js').then((m) => ({ run: m.snooze })),
  reopen: () => import('./commands/triage.js').then((m) => ({ run: m.reopen })),
  note: () => import('./commands/triage.js').then((m) => ({ run: m.note })),
  answered: () => import('./commands/triage.js').then((m) => ({ run: m.answered })),
  stats: () => import('./commands/stats.js'),
  spikes: () => import('./commands/spikes.js'),
  alert: () => import('./commands/alert.js'),
  doctor: () => import('./commands/doctor.js'),
  digest: () => import('./commands/digest.js'),
  'db copy': () => import('./commands/db.js').then((m) => ({ run: m.copy })),
}

function formatOptions(cmd: Command, spec: FormatSpec): Command {
  return cmd
    .addOption(new Option('--format <format>', formatHelp(spec)).choices([...spec.formats]))
    .option('--json', 'shorthand for --format json')
}

/** The filters every list command takes; --brand and --source repeat (or take a comma list). */
function filterOptions(cmd: Command): Command {
  return cmd
    .option('--brand <name>', 'only this brand (repeat for several)', collect)
    .option('--source <kind>', 'only this source kind (repeat for several)', collect)
    .option('--since <time>', 'created at or after: a duration back from now (24h, 7d) or a date/time (2026-11-21, ISO-8601)')
    .option('--until <time>', 'created at or before (same forms as --since)')
    .option('--new-since <time>', 'first seen by mentions at or after (same forms): what came in since then, however old')
    .option('--assignee <person>', 'assigned to this person ("none": nobody; repeat for several)', collect)
    .option('--state <state>', `in this triage state: ${TRIAGE_STATES.join('|')} (default for queues: open; repeat for several)`, collect)
    .option('--intent <intent>', `${INTENTS.join('|')} (repeat for several)`, collect)
    .option('--sentiment <label>', `${SENTIMENT_LABELS.join('|')} (repeat for several)`, collect)
    .option('--older-than <duration>', 'created more than this long ago (4h, 2d)')
    .option('--min-reach <n>', 'author reach (followers, karma) at least n')
    .option('--answered <yes|no|unknown>', 'whether the brand replied (unknown: the source cannot tell)', collect)
    .option('--tag <tag>', 'tagged so by a routing rule (repeat for several)', collect)
}

/** Who a change is recorded as, for the triage verbs. */
function byOption(cmd: Command): Command {
  return cmd.option('--by <person>', 'record the change as made by this person (default: $MENTIONS_USER, else the OS user)')
}

function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`)
}

/**
 * The top-level command argv names plainly: its first word after the global options. Undefined
 * when there is none, it is not a command (`help`, a typo) or an option comes first that is not
 * global (`--help`, `-V`): then the whole tree is built, for help and suggestions.
 */
export function invokedCommand(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string
    if (a === '--config' || a === '--db') i++
    else if (a === '--no-color' || a.startsWith('--config=') || a.startsWith('--db=')) continue
    else return a.startsWith('-') || !TOP_LEVEL.has(a) ? undefined : a
  }
  return undefined
}
const TOP_LEVEL: ReadonlySet<string> = new Set(Object.keys(commands).map((name) => name.split(' ')[0] as string))

/**
 * The command tree. With `only`, the tree holds that top-level command alone: it parses the
 * same argv the same way, and a start does not build some thirty commands and their options
 * (V8 compiling commander's option code for each is 3–5 ms in a fresh process).
 */
export function buildProgram(io: IO, dispatch: (name: string, args: string[], cmd: Command) => Promise<void>, only?: string): Command {
  const program = new Command('mentions')
    .description('Pull brand mentions into one SQLite file, score them, and work the queues.')
    .version(VERSION, '-V, --version')
    .option('--config <path>', 'config file (default: ./mentions.config.json, then $XDG_CONFIG_HOME/mentions/config.json)')
    .option('--db <path>', 'SQLite database (default: config "database", then $XDG_DATA_HOME/mentions/mentions.db)')
    .option('--no-color', 'never colour output (also NO_COLOR=1 or TERM=dumb)')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    })
    .exitOverride()
  examples(program, [
    'mentions init',
    'mentions pull',
    'mentions queue negative --since 24h',
    'mentions export --format csv > mentions.csv',
    'echo "support never answered" | mentions score',
  ])

  const add = (name: string, describe: (c: Command) => Command) => {
    if (only !== undefined && name !== only) return
    const cmd = describe(program.command(name)).action(async (...actionArgs: unknown[]) => {
      const self = actionArgs[actionArgs.length - 1] as Command
      await dispatch(name, self.args, self)
    })
    cmd.exitOverride()
    return cmd
  }

  add('init', (c) =>
    examples(
      c.description('write a starting mentions.config.json, its JSON Schema and a .env.example here')
        .option('--brand <name>', 'brand to monitor', 'Acme')
        .option('--force', 'overwrite existing files'),
      ['mentions init --brand "Acme Cloud"'],
    ),
  )
  add('pull', (c) =>
    examples(
      c.description('fetch new mentions from every configured source into the database')
        .option('--source <kind...>', 'only these source kinds')
        .option('--since <time>', 'the window to cover: a duration (30d) or a date (2026-09-01); older than what is stored means a backfill (default: config pull.since, 7d)')
        .option('--until <time>', 'the end of the window (default: now); same forms as --since')
        .option('--deadline <duration>', 'stop sources still running after this long, keeping what they stored (default: config pull.deadline, 10m)')
        .option('--quiet', 'print only failures and warnings (for cron: mail only when a source broke)'),
      ['mentions pull', 'mentions pull --quiet', 'mentions pull --source hackernews --since 30d', 'mentions pull --since 2026-09-01 --until 2026-10-01'],
    ),
  )
  add('queue', (c) =>
    examples(
      formatOptions(
        filterOptions(
          c.description('list open mentions in a queue: negative, unanswered and praise by priority, the others newest first')
            .argument('[queue]', QUEUE_NAMES.join(' | '), 'all'),
        )
          .option('--limit <n>', 'at most this many', '50')
          .option('--sort <order>', `${QUEUE_SORTS.join('|')} (default: priority for negative, unanswered and praise; newest otherwise)`)
          .option('--wide', 'keep every table column, the URL included, however narrow the terminal'),
        COMMAND_FORMATS.queue,
      ),
      [
        'mentions queue negative',
        'mentions queue unanswered --brand Acme --since 24h --json',
        'mentions queue assigned --assignee alice',
        'mentions queue negative --source x --format ids | mentions assign - alice',
      ],
    ),
  )
  add('export', (c) =>
    examples(
      formatOptions(filterOptions(c.description('write every stored mention, newest first, streamed')), COMMAND_FORMATS.export),
      ['mentions export --format csv > mentions.csv', 'mentions export --format ndjson --since 30d | jq .text'],
    ),
  )
  add('import', (c) =>
    examples(
      c.description('load mentions from a file (another tool\'s export, a backup, our own export): matched, scored, ruled and stored like pulled ones')
        .argument('<file>', 'NDJSON or CSV file, or - for stdin')
        .addOption(new Option('--format <format>', 'input format: ndjson|csv (default: from the extension, else ndjson)').choices(['ndjson', 'csv']))
        .option('--brand <name>', 'store rows that match no brand under this brand instead of skipping them')
        .option('--jobs <n>', 'worker threads that parse and score while the main thread stores: 0 (default) or 1')
        .option('--json', 'print the summary as JSON on stdout'),
      ['mentions import backup.ndjson', 'mentions export --format csv | mentions import --format csv - --db copy.db', 'mentions import reviews.csv --brand Acme'],
    ),
  )
  add('show', (c) =>
    examples(
      formatOptions(c.description('show one mention with the explanation of its score').argument('<id>', 'mention id'), COMMAND_FORMATS.show),
      ['mentions show 42', 'mentions show 42 --json'],
    ),
  )
  add('score', (c) =>
    examples(
      formatOptions(
        c.description('score text from stdin (one item per line) or --text; prints one result per line')
          .option('--text <text>', 'score this text instead of reading stdin')
          .option('--explain', 'add the tokens and rules that moved the score'),
        COMMAND_FORMATS.score,
      ),
      ['echo "flight cancelled, on hold for 2 hours" | mentions score', 'mentions score --text "love it" --explain'],
    ),
  )
  add('match', (c) =>
    examples(
      formatOptions(
        c.description('show which brands a text matches (stdin, one item per line, or --text) and why the others do not')
          .option('--brand <name>', 'only this brand')
          .option('--text <text>', 'match this text instead of reading stdin')
          .option('--lang <code>', 'treat the texts as in this language, as a source would say (default: detect)'),
        COMMAND_FORMATS.match,
      ),
      ['mentions match --text "NBA player hurt in crash" --format table', 'mentions match --brand Acme < posts.txt'],
    ),
  )
  add('rematch', (c) =>
    examples(
      formatOptions(
        c.description('apply the current brand queries to stored mentions; what no longer matches leaves the queues (ignored), nothing is deleted')
          .option('--dry-run', 'list what would change, change nothing'),
        COMMAND_FORMATS.rematch,
      ),
      ['mentions rematch --dry-run', 'mentions rematch'],
    ),
  )
  add('label', (c) =>
    examples(
      c.description('set a human label on a mention; rescoring never overrides it')
        .argument('<id>', 'mention id')
        .addOption(new Option('--sentiment <label>', 'negative|neutral|positive').choices(['negative', 'neutral', 'positive']))
        .addOption(new Option('--intent <intent>', 'complaint|question|praise|other').choices(['complaint', 'question', 'praise', 'other'])),
      ['mentions label 42 --sentiment negative --intent complaint'],
    ),
  )
  add('rescore', (c) =>
    examples(
      c.description('re-score stored mentions after the scorer or lexicon changed (human labels stay)')
        .option('--all', 'rescore every mention, not only those scored by another scorer version'),
      ['mentions rescore'],
    ),
  )
  add('sources', (c) =>
    examples(formatOptions(c.description('list configured sources, their cursors, last success and last error').option('--wide', 'keep every table column in full'), COMMAND_FORMATS.sources), [
      'mentions sources',
    ]),
  )
  add('search', (c) =>
    examples(
      formatOptions(
        filterOptions(
          c.description('full-text search over every stored mention: words, "phrases", prefix*, AND, OR, NOT; by relevance')
            .argument('<query...>', 'the search (quote it for the shell)'),
        )
          .option('--limit <n>', 'at most this many', '50')
          .option('--sort <order>', 'relevance|newest|oldest (default: relevance)')
          .option('--wide', 'keep every table column in full'),
        COMMAND_FORMATS.search,
      ),
      [`mentions search '"lost luggage"'`, `mentions search 'refund AND (late OR never)' --since 30d --json`, 'mentions search login* --state done'],
    ),
  )
  const verb = (name: string, description: string, args: [string, string][], more: (c: Command) => Command, lines: string[]) =>
    add(name, (c) => {
      let cmd = byOption(c.description(description)).option('--json', 'also print each outcome as JSON on stdout, with what someone else changed a moment ago')
      for (const [a, d] of args) cmd = cmd.argument(a, d)
      return examples(more(cmd), lines)
    })
  const ids: [string, string] = ['<ids...>', 'mention ids, or - to read them from stdin']
  verb('assign', 'assign mentions to a person', [['<ids-and-person...>', 'mention ids (or -), then the person']], (c) => c, ['mentions assign 42 43 alice', 'mentions queue negative --format ids | mentions assign - alice'])
  verb('unassign', 'take the assignee off mentions', [ids], (c) => c, ['mentions unassign 42'])
  verb('done', 'close mentions: they leave the queues', [ids], (c) => c, ['mentions done 42 43', 'mentions queue assigned --assignee alice --format ids | mentions done -'])
  verb('ignore', 'put mentions aside as not worth an answer: they leave the queues', [ids], (c) => c, ['mentions ignore 42'])
  verb('snooze', 'hide mentions until a time; they come back then, or when the author writes again', [ids], (c) => c.option('--until <time>', 'a duration from now (4h, 3d) or a date/time (2026-12-24, ISO-8601)'), ['mentions snooze 42 --until 2d'])
  verb('reopen', 'put mentions back in the queues', [ids], (c) => c, ['mentions reopen 42'])
  verb('note', 'add a note to a mention (kept in its event log)', [['<id>', 'mention id'], ['<text...>', 'the note']], (c) => c, ['mentions note 42 "called the customer, refund on its way"'])
  verb('answered', 'record that the brand replied where mentions cannot see it (by phone, by e-mail, in a DM)', [ids], (c) => c.option('--url <link>', 'the reply\'s permalink'), ['mentions answered 42 --url https://x.com/acme/status/123'])
  add('log', (c) =>
    examples(
      formatOptions(
        c.description('print the event log: every triage change, rule, label and rematch, oldest first')
          .option('--since <time>', 'events at or after (24h, 2026-11-21)')
          .option('--id <n>', 'only this mention\'s events')
          .option('--limit <n>', 'at most this many'),
        COMMAND_FORMATS.log,
      ),
      ['mentions log --since 24h', 'mentions log --id 42 --json'],
    ),
  )
  add('rules', (c) =>
    examples(
      formatOptions(
        c.description('show what the routing rules would do to stored mentions, changing nothing')
          .argument('[action]', 'test', 'test')
          .option('--since <time>', 'mentions created at or after (default 30d)')
          .option('--until <time>', 'created at or before')
          .option('--brand <name>', 'only this brand', collect)
          .option('--source <kind>', 'only this source kind', collect),
        COMMAND_FORMATS.rules,
      ),
      ['mentions rules test --since 30d'],
    ),
  )
  add('demo', (c) =>
    examples(
      c.description('run a pull against built-in recorded responses on 127.0.0.1 and print the queues (no keys, no network)')
        .option('--keep', 'keep the temporary database and print its path'),
      ['mentions demo', 'mentions demo --db demo.db && mentions queue all --db demo.db'],
    ),
  )
  add('stats', (c) =>
    examples(
      formatOptions(
        c.description('report on the mentions created in a window: counts, sentiment, share of voice and response times (overview, the default), or response metrics (responses)')
          .argument('[report]', 'overview (default) | responses')
          .option('--since <time>', 'created at or after: a duration back from now (7d) or a date/time (default: 30d)')
          .option('--until <time>', 'created at or before (same forms as --since; default: now)')
          .option('--by <group>', 'one row per group, then the total: overview day | week | source | brand | intent | sentiment; responses source | brand | assignee')
          .option('--brand <name>', 'only this brand (repeat for several)', collect)
          .option('--source <kind>', 'only this source kind (repeat for several)', collect),
        COMMAND_FORMATS.stats,
      ),
      [
        'mentions stats --by day --format csv > daily.csv',
        'mentions stats --by week --since 2026-01-01',
        'mentions stats --by brand --since 7d',
        'mentions stats responses --by assignee --since 7d',
      ],
    ),
  )
  add('spikes', (c) =>
    examples(
      formatOptions(
        c.description('volume and negative-share spikes, and slow climbs, per brand against its trailing baseline (settings: "spikes" in each brand)')
          .option('--since <time>', 'buckets from this time on: a duration back from now (7d) or a date/time (default: 7d; 90d with --backtest)')
          .option('--brand <name>', 'only this brand (repeat for several)', collect)
          .option('--backtest', 'replay the settings over stored history and list every firing, to tune them (a summary goes to stderr)'),
        COMMAND_FORMATS.spikes,
      ),
      ['mentions spikes', 'mentions spikes --since 24h --json', 'mentions spikes --backtest --since 90d --brand Acme'],
    ),
  )
  add('alert', (c) =>
    examples(
      c.description('post new spikes and new high-priority open mentions to the webhook in $MENTIONS_WEBHOOK_URL (Slack-compatible), each once; silent when there is nothing to send')
        .option('--since <time>', 'mentions first seen at or after, and spikes in buckets from then: a duration (2h) or a date/time (default: 24h; what was sent is skipped anyway)')
        .option('--min-priority <n>', 'send mentions with at least this priority (default: 30, a fresh negative complaint)')
        .option('--brand <name>', 'only this brand (repeat for several)', collect)
        .option('--per-item', 'one JSON object per mention or spike, each in its own POST (for ticket systems) instead of one Slack message')
        .option('--dry-run', 'print what would be sent; send and record nothing')
        .option('--webhook-url-env <name>', 'read the webhook URL from this variable instead (NAME_FILE works too)')
        .addOption(new Option('--format <format>', 'output: text|json (default: text; json: what was sent, and with --dry-run the exact bodies)').choices(['text', 'json']))
        .option('--json', 'shorthand for --format json'),
      ['mentions alert', 'mentions alert --dry-run', 'mentions alert --per-item --webhook-url-env TICKETS_WEBHOOK_URL --min-priority 50'],
    ),
  )
  add('doctor', (c) =>
    examples(
      c.description('check the config, credentials, file modes, the database, each source\'s last pull and its host; one line per problem with its fix, exit 0 only when all is well')
        .option('--offline', 'skip the reachability checks (no network)')
        .option('--json', 'every check and its outcome as JSON'),
      ['mentions doctor', 'mentions doctor --offline --json'],
    ),
  )
  // `db` groups the database's own verbs; each subcommand dispatches as "db <verb>".
  if (only === undefined || only === 'db') {
    const db = program.command('db').description('work on the database itself: copy a history between SQLite and PostgreSQL')
    db.exitOverride()
    examples(
      formatOptions(
        db.command('copy')
          .description('copy every mention, triage state, event, cursor and run from one database into an empty one (SQLite file or postgres:// URL, either way); one transaction, checked by counting each table on both sides')
          .option('--from <file-or-url>', 'the database to read (default: the configured one)')
          .option('--to <file-or-url>', 'the empty database to write, created and migrated as needed (default: the configured one)'),
        COMMAND_FORMATS['db copy'],
      ),
      ['mentions db copy --from ~/.local/share/mentions/mentions.db   # into $MENTIONS_DATABASE_URL', 'mentions db copy --to backup.db --json'],
    )
      .exitOverride()
      .action(async (...actionArgs: unknown[]) => {
        const self = actionArgs[actionArgs.length - 1] as Command
        await dispatch('db copy', self.args, self)
      })
  }
  add('digest', (c) =>
    examples(
      c.description('what is new to us in a window (first seen): volume, sentiment, what needs an answer, spikes, themes, share of voice, and the coverage and source health the numbers rest on')
        .option('--since <time>', 'the window\'s start: a duration (24h, 7d), a date/time, or "last": where the previous digest of this name ended (default: 24h)')
        .option('--name <name>', 'the digest\'s name for --since last (default: the one --brand, else "default")')
        .option('--brand <name>', 'only this brand (repeat for several)', collect)
        .addOption(new Option('--format <format>', 'output format: text|markdown|html|json|slack|email (default: text)').choices(['text', 'markdown', 'html', 'json', 'slack', 'email']))
        .option('--json', 'shorthand for --format json')
        .option('--to <address>', 'with --format email: a recipient (repeat for several)', collect)
        .option('--from <address>', 'with --format email: the sender (default: mentions <mentions@localhost>)')
        .option('--subject <text>', 'with --format email: the subject (default: a one-line summary)')
        .option('--overdue-after <duration>', 'an open, unanswered item older than this is overdue (default: 24h)')
        .option('--dry-run', 'print the digest but do not record it: the next --since last starts where it would have')
        .option('--quiet-if-empty', 'print nothing (exit 0) when nothing is new and nothing is wrong; a failing source still prints (exit 3)')
        .option('--post', 'post the digest as a Slack message to the webhook in $MENTIONS_WEBHOOK_URL instead of printing it (recorded only once posted)')
        .option('--webhook-url-env <name>', 'with --post: read the webhook URL from this variable instead (NAME_FILE works too)'),
      [
        'mentions digest',
        'mentions digest --since last --quiet-if-empty',
        'mentions digest --since last --format email --to team@example.com | sendmail -t',
        'mentions digest --brand Acme --format markdown --dry-run',
        'mentions digest --since last --quiet-if-empty --post',
      ],
    ),
  )
  return program
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help'
      ? EXIT.ok
      : EXIT.usage
  }
  if (err instanceof ConfigError || err instanceof UsageError) return EXIT.usage
  if (err instanceof StoreError) return err.kind === 'usage' ? EXIT.usage : EXIT.failure
  if (err instanceof NotFoundError || err instanceof BusyError) return EXIT.failure
  return EXIT.failure
}

export async function run(argv: readonly string[], io: IO): Promise<number> {
  let deps: CliDeps | undefined
  let code = 0
  let stderrStyle = createStyle(0)
  const note = (m: string) => void io.stderr.write(`${m}\n`)
  const program = buildProgram(io, async (name, args, cmd) => {
    const globals = cmd.optsWithGlobals() as GlobalFlags & { color?: boolean }
    const allowColor = globals.color !== false
    const stdoutStyle = createStyle(colorLevel(io.stdout, io.env, allowColor))
    stderrStyle = createStyle(colorLevel(io.stderr, io.env, allowColor))
    const warn = (m: string) => note(`${stderrStyle.warn('warning:')} ${oneLine(m)}`)
    const load = commands[name]
    if (!load) throw new UsageError(`unknown command ${name}`)
    // The command's modules load while the deps load theirs (the engine, the scorer): one
    // after the other, each import waited on its own file reads, 5 ms of a command's start.
    const loading = load()
    // Awaited below; until then a failure must not surface as an unhandled rejection.
    loading.catch(() => undefined)
    // Deps is loaded with this module (its own imports are light; it loads SQLite, undici or a
    // source only in prepare), so preparing starts at once.
    deps = createDeps(io, { ...(globals.config ? { config: globals.config } : {}), ...(globals.db ? { db: globals.db } : {}) }, warn)
    await deps.prepare(name)
    const { run: action } = await loading
    code = await action({ io, deps, stdoutStyle, stderrStyle, note }, args, cmd.opts())
  }, invokedCommand(argv))
  try {
    await program.parseAsync([...argv], { from: 'user' })
    return code
  } catch (err) {
    const exit = exitCodeFor(err)
    // Commander already printed its own usage errors.
    if (!(err instanceof CommanderError)) {
      const message = err instanceof Error ? err.message : String(err)
      // Messages can carry upstream text (a response snippet): strip escapes before the terminal.
      note(`${stderrStyle.error('error:')} ${stripTerminal(message)}`)
      if (io.env.MENTIONS_DEBUG && err instanceof Error && err.stack) note(err.stack)
    }
    return exit
  } finally {
    await deps?.close()
  }
}
