// The process edge: real argv, streams and exit code. Everything else is in run.ts.
import os from 'node:os'
import { run } from './run.js'

// A reader that went away (`mentions export | head`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw err
})

try {
  // .env in the working directory; variables already set win (Node's loadEnvFile never overrides).
  process.loadEnvFile('.env')
} catch (err) {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
    process.stderr.write(`warning: .env: ${(err as Error).message}\n`)
  }
}

// First Ctrl-C: stop cleanly (stored pages stay, the lock is released). Second: stop now.
const interrupt = new AbortController()
process.once('SIGINT', () => {
  interrupt.abort(new Error('interrupted'))
  process.once('SIGINT', () => process.exit(130))
})

process.exitCode = await run(process.argv.slice(2), {
  signal: interrupt.signal,
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  home: os.homedir(),
})
