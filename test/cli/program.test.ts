// The command tree a start builds: the invoked command alone parses argv as the whole tree does.
import type { Command } from 'commander'
import { describe, expect, it } from 'vitest'
import type { IO } from '../../src/cli/io.js'
import { buildProgram, invokedCommand } from '../../src/cli/run.js'

function io(): IO & { out: string[] } {
  const out: string[] = []
  const sink = { isTTY: false, write: (s: string) => (out.push(s), true) }
  return { out, stdout: sink, stderr: sink, stdin: (async function* () {})(), env: {}, cwd: '/tmp', home: '/tmp' }
}

/** What the tree hands the command: its name, arguments and options, or what commander threw. */
async function parsed(argv: string[], only?: string): Promise<unknown> {
  const got: unknown[] = []
  const o = io()
  const program = buildProgram(o, async (name: string, args: string[], cmd: Command) => void got.push({ name, args, opts: cmd.opts(), globals: cmd.optsWithGlobals() }), only)
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (err) {
    got.push({ error: (err as { code?: string }).code })
  }
  return { got, printed: o.out.join('') }
}

describe('the invoked command', () => {
  it('is the first word after the global options', () => {
    expect(invokedCommand(['queue', 'negative', '--limit', '5'])).toBe('queue')
    expect(invokedCommand(['--db', 'x.db', '--no-color', 'export', '--format', 'csv'])).toBe('export')
    expect(invokedCommand(['--config=c.json', '--db=queue', 'digest'])).toBe('digest')
    expect(invokedCommand(['--db', 'x.db', 'db', 'copy', '--to', 'y.db'])).toBe('db')
  })

  it('is none for help, a typo, a leading option that is not global, or no command', () => {
    expect(invokedCommand([])).toBeUndefined()
    expect(invokedCommand(['help', 'queue'])).toBeUndefined()
    expect(invokedCommand(['qeueu'])).toBeUndefined()
    expect(invokedCommand(['--help'])).toBeUndefined()
    expect(invokedCommand(['-V'])).toBeUndefined()
    expect(invokedCommand(['--db'])).toBeUndefined()
  })

  it('parses alone exactly as in the whole tree: arguments, options, globals, errors and its help', async () => {
    const cases = [
      ['queue', 'negative', '--brand', 'Acme', '--brand', 'Globex', '--limit', '5', '--json'],
      ['--db', 'x.db', 'export', '--format', 'csv', '--since', '24h'],
      ['--no-color', 'digest', '--since', 'last', '--quiet-if-empty'],
      ['assign', '12', 'alice', '--by', 'bob'],
      ['db', 'copy', '--to', 'backup.db', '--json'],
      ['queue', '--limit'],
      ['queue', '--no-such-option'],
      ['queue', '--help'],
      ['db', 'copy', '--help'],
    ]
    for (const argv of cases) {
      const only = invokedCommand(argv)
      expect(only).toBeDefined()
      expect(await parsed(argv, only)).toEqual(await parsed(argv))
    }
  })

  it('leaves the whole tree for the program help, which lists every command', async () => {
    const whole = (await parsed(['--help'], invokedCommand(['--help']))) as { printed: string }
    for (const name of ['init', 'pull', 'queue', 'export', 'digest', 'db', 'assign']) expect(whole.printed).toMatch(new RegExp(`^  ${name}\\b`, 'm'))
  })
})
