// Loader hooks run on their own thread; appending synchronously keeps every line even when the
// process exits straight after its last import.
import fs from 'node:fs'

export async function load(url, context, next) {
  const log = process.env.MENTIONS_MODULE_LOG
  if (log) fs.appendFileSync(log, `${url}\n`)
  return next(url, context)
}
