// The import's worker thread: reads the input file, parses, matches, scores and routes its
// rows (prepareRows, as the main thread would), and posts them back in batches while the
// main thread stores the previous ones. Two cores then split the work: preparing a row costs
// about half of storing it. Credits bound what is in flight: a batch is posted only while
// the main thread has fewer than AHEAD unread, so memory stays flat whatever the file size.
import fs from 'node:fs'
import { parentPort, workerData } from 'node:worker_threads'
import { prepareRows } from '../app/import.js'
import { scorerFor } from '../app/score.js'
import { csvRows, ndjsonRows } from './import-rows.js'
import type { FromWorker, WorkerInput } from './import-parallel.js'

const port = parentPort
if (!port) throw new Error('import-worker runs as a worker thread')
const input = workerData as WorkerInput
let credits = input.ahead
let wake: (() => void) | undefined
port.on('message', (m: 'ack') => {
  if (m === 'ack') {
    credits++
    wake?.()
  }
})
const post = (m: FromWorker) => port.postMessage(m)

const bytes = fs.createReadStream(input.file)
const rows = input.setup.format === 'csv' ? csvRows(bytes) : ndjsonRows(bytes)
for await (const batch of prepareRows(input.setup, scorerFor(input.scoring), rows, input.batch)) {
  while (credits === 0) await new Promise<void>((resolve) => (wake = resolve))
  credits--
  // As JSON text: one string crosses the thread boundary as a copy of its bytes, where a
  // structured clone of a thousand nested records cost more than storing them took.
  post({ batch: JSON.stringify(batch) })
}
post({ done: true })
port.close()
