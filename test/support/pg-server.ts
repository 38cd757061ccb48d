// A throwaway PostgreSQL server for the tests: initdb into a temporary folder, started on a
// free port of 127.0.0.1 with password login, removed afterwards. Uses the server binaries of
// Debian's postgresql package (or any on PATH); as root it runs them as the postgres user,
// since the server refuses to run as root.
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

export interface PgServer {
  /** Superuser URL with its password: the tests' own server, never a real one. */
  url: string
  port: number
  stop(): void
}

export const TEST_PG_USER = 'mentions_test'
export const TEST_PG_PASSWORD = 'pw-s3cret-Zq9'

function binDir(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim()
  if (onPath) return path.dirname(fs.realpathSync(onPath))
  const base = '/usr/lib/postgresql'
  if (!fs.existsSync(base)) return undefined
  const versions = fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
  return versions[0] ? path.join(base, versions[0], 'bin') : undefined
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

/** Why no server could be started, or the server. */
export async function startPgServer(): Promise<PgServer | string> {
  const bin = binDir()
  if (!bin) return 'no PostgreSQL server binaries (initdb) found: install Debian\'s postgresql package'
  const asRoot = process.getuid?.() === 0
  const run = (cmd: string, args: string[]) => {
    const full = path.join(bin, cmd)
    return asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', full, ...args], { stdio: 'pipe' }) : execFileSync(full, args, { stdio: 'pipe' })
  }
  if (asRoot && spawnSync('id', ['postgres']).status !== 0) return 'running as root and there is no postgres user to run the server as'
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-pg-'))
  const data = path.join(dir, 'data')
  const pwfile = path.join(dir, 'pw')
  fs.writeFileSync(pwfile, TEST_PG_PASSWORD)
  if (asRoot) {
    fs.chmodSync(dir, 0o755)
    execFileSync('chown', ['-R', 'postgres', dir])
  }
  const port = await freePort()
  try {
    run('initdb', ['-D', data, '-U', TEST_PG_USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync'])
    // Speed over durability: a test server is thrown away.
    const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`
    run('pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start'])
  } catch (err) {
    const log = fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8').slice(-2000) : ''
    fs.rmSync(dir, { recursive: true, force: true })
    return `could not start PostgreSQL: ${(err as { stderr?: Buffer }).stderr?.toString() ?? (err as Error).message}${log}`
  }
  let stopped = false
  return {
    url: `postgres://${TEST_PG_USER}:${TEST_PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    stop() {
      if (stopped) return
      stopped = true
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'])
      } catch {
        // already gone
      }
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
