// Loader hooks run on their own thread; appending synchronously keeps every line even when the
// process exits straight after its last import.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

// The CLI runs from a bundle (scripts/bundle.mjs): a chunk of dist/bin/ is logged as the
// modules it holds, by the map the build writes beside it, so a test names modules either way.
const maps = new Map()
function bundled(url) {
  if (!url.startsWith('file:') || !/\/dist\/bin\/[^/]+\.js$/.test(url)) return []
  const file = fileURLToPath(url)
  const dir = path.dirname(file)
  if (!maps.has(dir)) {
    const meta = path.join(dir, 'meta.json')
    maps.set(dir, fs.existsSync(meta) ? JSON.parse(fs.readFileSync(meta, 'utf8')) : {})
  }
  const root = path.resolve(dir, '..', '..')
  return (maps.get(dir)[path.basename(file)] ?? []).map((input) => pathToFileURL(path.join(root, input)).href)
}

export async function load(url, context, next) {
  const log = process.env.MENTIONS_MODULE_LOG
  if (log) fs.appendFileSync(log, [url, ...bundled(url)].map((u) => `${u}\n`).join(''))
  return next(url, context)
}
