// Builds the command tree and runs it. Exit codes are decided here and nowhere else:
// 0 ok, 1 failure, 2 usage or configuration error, 3 partial failure, 130 interrupted (Ctrl-C).
import { Command, CommanderError, Option } from 'commander'
import { BusyError, ConfigError, NotFoundError, UsageError } from '../errors.js'
import { oneLine, stripTerminal } from '../report/sanitize.js'
import { createStyle, type Style } from '../report/style.js'
import type { CliDeps, GlobalFlags } from './deps.js'
import { colorLevel, type IO } from './io.js'
import { VERSION } from './version.js'

export const EXIT = { ok: 0, failure: 1, usage: 2, partial: 3, interrupted: 130 } as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

export interface CommandContext {
  io: IO
  deps: CliDeps
  stdoutStyle: Style
  stderrStyle: Style
  /** Writes one line to stderr. */
  note(message: string): void
}

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
  label: () => import('./commands/label.js'),
  rescore: () => import('./commands/rescore.js'),
  sources: () => import('./commands/sources.js'),
  demo: () => import('./commands/demo.js'),
}

const FORMAT_HELP = 'output format: table|tsv|csv|json|ndjson (default: table on a terminal, tsv on a pipe)'

function listOptions(cmd: Command, formats = 'table|tsv|csv|json|ndjson'): Command {
  return cmd
    .addOption(new Option('--format <format>', FORMAT_HELP.replace('table|tsv|csv|json|ndjson', formats)))
    .option('--json', 'shorthand for --format json')
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
        .option('--since <duration>', 'how far back a first pull reaches (default: config pull.since, 7d)'),
      ['mentions pull', 'mentions pull --source hackernews --since 30d'],
    ),
  )
  add('queue', (c) =>
    examples(
      listOptions(
        c.description('list open mentions in a queue, newest first')
          .argument('[queue]', 'negative | unanswered | all', 'all')
          .option('--brand <name>', 'only this brand')
          .option('--source <kind>', 'only this source kind')
          .option('--since <duration>', 'only mentions newer than this (e.g. 24h, 7d)')
          .option('--limit <n>', 'at most this many', '50'),
      ),
      ['mentions queue negative', 'mentions queue unanswered --brand Acme --since 24h --json', 'mentions queue all --format csv'],
    ),
  )
  add('export', (c) =>
    examples(
      listOptions(
        c.description('write every stored mention, streamed (default csv)')
          .option('--brand <name>', 'only this brand')
          .option('--source <kind>', 'only this source kind')
          .option('--since <duration>', 'only mentions newer than this'),
        'csv|tsv|json|ndjson',
      ),
      ['mentions export --format csv > mentions.csv', 'mentions export --format ndjson --since 30d | jq .text'],
    ),
  )
  add('show', (c) =>
    examples(
      listOptions(c.description('show one mention with the explanation of its score').argument('<id>', 'mention id'), 'table|json'),
      ['mentions show 42', 'mentions show 42 --json'],
    ),
  )
  add('score', (c) =>
    examples(
      c.description('score text from stdin (one item per line) or --text; prints one result per line')
        .option('--text <text>', 'score this text instead of reading stdin')
        .option('--explain', 'add the tokens and rules that moved the score')
        .addOption(new Option('--format <format>', 'ndjson|json|table (default ndjson)'))
        .option('--json', 'shorthand for --format json'),
      ['echo "flight cancelled, on hold for 2 hours" | mentions score', 'mentions score --text "love it" --explain'],
    ),
  )
  add('match', (c) =>
    examples(
      c.description('show which brands a text matches (stdin, one item per line, or --text) and why the others do not')
        .option('--brand <name>', 'only this brand')
        .option('--text <text>', 'match this text instead of reading stdin')
        .option('--lang <code>', 'treat the texts as in this language, as a source would say (default: detect)')
        .addOption(new Option('--format <format>', 'ndjson|json|table (default ndjson)'))
        .option('--json', 'shorthand for --format json'),
      ['mentions match --text "NBA player hurt in crash" --format table', 'mentions match --brand Acme < posts.txt'],
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
    examples(listOptions(c.description('list configured sources, their cursors, last success and last error'), 'table|tsv|json'), [
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
  return program
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof CommanderError) {
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help'
      ? EXIT.ok
      : EXIT.usage
  }
  if (err instanceof ConfigError || err instanceof UsageError) return EXIT.usage
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
