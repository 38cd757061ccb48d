// Part of `npm run build`: bundles the compiled CLI into dist/bin/, which bin/mentions.js runs.
// Node resolves, reads and links every ES module file on its own; at 60 files for a read
// command that was over a third of start-up. esbuild joins them into a few chunks while each
// lazy `import()` (a command, a source adapter, the PostgreSQL engine) stays its own chunk,
// loaded only when reached, so what a command loads is what it loaded before, in fewer files.
//
// dist/bin/ sits two levels under the root as dist/<module>/ does, so the URLs the code builds
// from import.meta.url (../../package.json, ../../fixtures/demo/, ./import-worker.js, the
// scorer's snapshot beside it) resolve the same from a chunk as from the unbundled file.
// meta.json maps each chunk to the modules in it, for the tests that check what is loaded.
import { build } from 'esbuild'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../', import.meta.url))
const out = path.join(root, 'dist', 'bin')
fs.rmSync(out, { recursive: true, force: true })

// Three packages load Node modules at start that mentions never uses. Two of them load
// child_process and tty, and behind them net and dgram: 2–3 ms of every command whose output is
// a file (cron's `> digest.txt`, the bench's `> /dev/null`; a pipe or a terminal loads net
// anyway). Commander's child_process runs
// executable subcommands, which mentions has none of: it gets a stand-in that loads the module
// on first use. Chalk's colour detection (tty.isatty) is never consulted: the CLI decides the
// level (src/cli/io.ts) and passes it to `new Chalk({ level })`; it gets the package's own
// build without the tty module, whose answer (level 0) goes unused. The third, pg, tells Node
// from Cloudflare Workers as its lib/stream.js loads by constructing a fetch Response, which
// loads Node's whole fetch stack (20–27 ms of every command on PostgreSQL): it gets that
// module's Node half (scripts/pg-node-stream.cjs).
const startupShims = {
  name: 'startup-shims',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`) ? { path: path.join(root, 'scripts', 'lazy-child-process.cjs') } : undefined,
    )
    b.onResolve({ filter: /^\.\/stream(\.js)?$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}pg${path.sep}lib${path.sep}`) ? { path: path.join(root, 'scripts', 'pg-node-stream.cjs') } : undefined,
    )
    b.onResolve({ filter: /^#supports-color$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}chalk${path.sep}`)
        ? { path: path.join(path.dirname(args.importer), 'vendor', 'supports-color', 'browser.js') }
        : undefined,
    )
  },
}

const result = await build({
  absWorkingDir: root,
  entryPoints: { main: 'dist/cli/main.js', 'import-worker': 'dist/cli/import-worker.js' },
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // better-sqlite3's and pg's JavaScript is bundled, each with its engine, in a chunk loaded
  // only for that engine: loaded from node_modules, an ES module importing their CommonJS
  // files cost 6–12 ms of every command that opens a database (Node's CommonJS translation,
  // a dozen files resolved and read). better-sqlite3's addon is still loaded from the package
  // (nativeBinding in src/store/sqlite/open.ts). What pg loads only on request stays out:
  // pg-native (pg.native) and pg-cloudflare (Workers only).
  external: ['pg-native', 'pg-cloudflare'],
  // CommonJS packages inside an ES module chunk call require() for Node's built-ins.
  banner: { js: "import { createRequire as __mentionsRequire } from 'node:module'; const require = __mentionsRequire(import.meta.url);" },
  plugins: [startupShims],
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
})

const chunks = Object.fromEntries(
  Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, o]) => [path.basename(file), Object.keys(o.inputs)]),
)
fs.writeFileSync(path.join(out, 'meta.json'), JSON.stringify(chunks) + '\n')
// The scorer reads its snapshot beside its own module: beside the chunk that holds it.
const snapshots = fs.readdirSync(path.join(root, 'dist', 'sentiment')).filter((f) => f.endsWith('.bin'))
for (const f of snapshots) fs.copyFileSync(path.join(root, 'dist', 'sentiment', f), path.join(out, f))
