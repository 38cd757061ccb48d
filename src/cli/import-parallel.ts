// `mentions import` of a large file: the rows are prepared in a worker thread (see
// import-worker.ts) and arrive here in input order, for the main thread to store. Only the
// built CLI runs it (the worker is a compiled file next to this one).
import { Worker } from 'node:worker_threads'
import type { Prepared, PrepareSetup } from '../app/import.js'
import type { Config } from '../config/load.js'

export interface WorkerInput {
  file: string
  setup: PrepareSetup
  /** What the scorer is built from (the brands' words and the sentiment overrides). */
  scoring: Pick<Config, 'brands' | 'sentiment'>
  /** Rows per posted batch. */
  batch: number
  /**
   * Batches the worker may post before the main thread has read them: more than one of the
   * store's transactions takes (5,000 rows), or the worker stops while the main thread writes
   * and the main thread then waits for the worker.
   */
  ahead: number
}

/** A batch is Prepared[] as JSON: every value in it is plain data (see import-worker.ts). */
export type FromWorker = { batch: string } | { done: true }

// Not the default (--jobs 1 asks for it): measured on a 2-vCPU machine at 1M rows, the worker
// took 6% off the wall time for 28% more CPU and 337 MB peak RSS instead of 263 (two V8
// heaps), because the main thread's store work, the bound, slowed down beside it.

/** Prepared rows of `file`, from a worker thread, in input order; its errors are thrown here. */
export function preparedInWorker(file: string, scoring: WorkerInput['scoring']): (setup: PrepareSetup) => AsyncIterable<Prepared[]> {
  return (setup) => ({
    async *[Symbol.asyncIterator]() {
      const input: WorkerInput = { file, setup, scoring, batch: 1000, ahead: 8 }
      const worker = new Worker(new URL('./import-worker.js', import.meta.url), { workerData: input })
      const queue: FromWorker[] = []
      let failed: Error | undefined
      let exited = false
      let wake: (() => void) | undefined
      const ping = () => {
        wake?.()
        wake = undefined
      }
      worker.on('message', (m: FromWorker) => {
        queue.push(m)
        ping()
      })
      worker.on('error', (err) => {
        failed = err
        ping()
      })
      worker.on('exit', (code) => {
        exited = true
        if (code !== 0 && !failed) failed = new Error(`the import worker stopped (exit code ${code})`)
        ping()
      })
      try {
        for (;;) {
          const m = queue.shift()
          if (m === undefined) {
            if (failed) throw failed
            if (exited) throw new Error('the import worker stopped before the end of the file')
            await new Promise<void>((resolve) => (wake = resolve))
            continue
          }
          if ('done' in m) return
          worker.postMessage('ack')
          yield JSON.parse(m.batch) as Prepared[]
        }
      } finally {
        // Also when the reader stops early (an interrupt): the worker must not outlive it.
        if (!exited) await worker.terminate()
      }
    },
  })
}
