// Builds the command tree and runs it. Exit codes are decided here and nowhere else:
// 0 ok, 1 failure, 2 usage or configuration error, 3 partial failure, 130 interrupted (Ctrl-C).
import { Command, CommanderError, Option } from 'commander'
import { QUEUE_NAMES } from '../model.js'
import { BusyError, ConfigError, NotFoundError, StoreError, UsageError } from '../errors.js'
import { oneLine, stripTerminal } from '../report/sanitize.js'
import { createStyle } from '../report/style.js'
import { EXIT, type CommandContext, type ExitCode } from './context.js'
import type { CliDeps, GlobalFlags } from './deps.js'
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
  show: () => import('./commands/show.js'),
  score: () => import('./commands/score.js'),
  match: () => import('./commands/match.js'),
  rematch: () => import('./commands/rematch.js'),
  label: () => import('./commands/label.js'),
  rescore: () => import('./commands/rescore.js'),
  sources: () => import('./commands/sources.js'),
  demo: () => import('./commands/demo.js'),
  stats: () => import('./commands/stats.js'),
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
}

function examples(cmd: Command, lines: string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`)
}

export function buildProgram(io: IO, dispatch: (name: string, args: string[], cmd: Command) => Promise<void>): Command {
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
        .option('--until <time>', 'the end of the window (default: now); same forms as --since'),
      ['mentions pull', 'mentions pull --source hackernews --since 30d', 'mentions pull --since 2026-09-01 --until 2026-10-01'],
    ),
  )
  add('queue', (c) =>
    examples(
      formatOptions(
        filterOptions(
          c.description('list open mentions in a queue, newest first')
            .argument('[queue]', QUEUE_NAMES.join(' | '), 'all'),
        )
          .option('--limit <n>', 'at most this many', '50')
          .option('--wide', 'keep every table column, the URL included, however narrow the terminal'),
        COMMAND_FORMATS.queue,
      ),
      ['mentions queue negative', 'mentions queue unanswered --brand Acme --since 24h --json', 'mentions queue all --new-since 24h --format csv'],
    ),
  )
  add('export', (c) =>
    examples(
      formatOptions(filterOptions(c.description('write every stored mention, newest first, streamed')), COMMAND_FORMATS.export),
      ['mentions export --format csv > mentions.csv', 'mentions export --format ndjson --since 30d | jq .text'],
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
        c.description('response metrics: of the mentions created in the window that needed an answer, how many got one and how fast')
          .argument('<report>', 'responses')
          .option('--since <time>', 'created at or after: a duration back from now (7d) or a date/time (default: 30d)')
          .option('--until <time>', 'created at or before (same forms as --since)')
          .option('--by <group>', 'one row per source | brand | assignee, then the total')
          .option('--brand <name>', 'only this brand (repeat for several)', collect)
          .option('--source <kind>', 'only this source kind (repeat for several)', collect),
        COMMAND_FORMATS.stats,
      ),
      ['mentions stats responses', 'mentions stats responses --by assignee --since 7d', 'mentions stats responses --by brand --format csv > responses.csv'],
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
    // Loaded here, not at the top: it pulls in SQLite, undici and every source, which
    // --help and --version never need.
    const { createDeps } = await import('./deps.js')
    deps = createDeps(io, { ...(globals.config ? { config: globals.config } : {}), ...(globals.db ? { db: globals.db } : {}) }, warn)
    const load = commands[name]
    if (!load) throw new UsageError(`unknown command ${name}`)
    const { run: action } = await load()
    code = await action({ io, deps, stdoutStyle, stderrStyle, note }, args, cmd.opts())
  })
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
