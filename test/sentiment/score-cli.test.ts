// `mentions score` reads stdin a chunk at a time and writes in large batches: the same lines
// and the same results as one line at a time, and never more buffered than the reader takes.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readLines } from '../../src/cli/lines.js'
import { batchedOut, lineBatches, resultJson } from '../../src/cli/commands/score.js'
import { stringifyJson } from '../../src/report/json.js'
import { createScorer } from '../../src/sentiment/index.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

async function* chunks(buf: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  let at = 0
  for (let i = 0; at < buf.length; i++) {
    const n = sizes[i % sizes.length] as number
    yield buf.subarray(at, at + n)
    at += n
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('lineBatches', () => {
  it('yields the lines readLines yields, however the bytes are chunked', async () => {
    const text = 'plain\r\ncrlf ok\n\n😍 split emoji é\r\n\r\nlast line without newline\r'
    const buf = Buffer.from(text, 'utf8')
    for (const sizes of [[1], [2, 3], [5, 1, 7], [buf.length], [64 * 1024]]) {
      const expected = await collect(readLines(chunks(buf, sizes)))
      const batches = await collect(lineBatches(chunks(buf, sizes)))
      expect(batches.flat(), String(sizes)).toEqual(expected)
      expect(batches.every((b) => b.length > 0)).toBe(true)
    }
    expect((await collect(lineBatches(chunks(Buffer.from('a\nb\n'), [4])))).flat()).toEqual(['a', 'b'])
  })
})

describe('batchedOut', () => {
  it('writes in batches and waits for drain when the stream is full', async () => {
    const written: string[] = []
    let release: (() => void) | undefined
    const sink = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _enc, done) {
        written.push(chunk.toString())
        release = done
      },
    })
    const out = Object.assign(sink, { isTTY: false as const })
    const b = batchedOut(out, 8)
    b.write('abc')
    await b.flush()
    expect(written).toEqual([]) // under the limit: kept
    b.write('defghij')
    let flushed = false
    const p = b.flush().then(() => (flushed = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(written).toEqual(['abcdefghij'])
    expect(flushed).toBe(false) // the sink has not taken it yet
    release?.()
    await p
    expect(flushed).toBe(true)
    b.write('k')
    await b.flush(true)
    release?.()
    expect(written).toEqual(['abcdefghij', 'k'])
  })
})

describe('resultJson', () => {
  it('writes what stringifyJson writes for every label, intent and kind of score', () => {
    const scorer = createScorer({ words: {}, names: [] })
    const texts = ['awful, never again', 'love it', 'ok', 'is it down?', 'please refund me', 'thanks team!', '']
    const results = [
      ...texts.map((t) => scorer.score(t)),
      { label: 'neutral', score: -0, intent: 'other' },
      { label: 'positive', score: 1e-7, intent: 'praise' },
      { label: 'negative', score: -1, intent: 'complaint' },
    ] as const
    for (const r of results) expect(resultJson(r)).toBe(stringifyJson(r))
    expect(new Set(results.map((r) => r.label)).size).toBe(3)
  })
})

describe('mentions score on stdin (built binary)', () => {
  it('prints, in order, exactly what scoring each line alone gives', () => {
    const base = ['Support never answered :( #neveragain', 'love it, pretty good!!! 😍', '', "can't say I'm not disappointed", 'Why is it so slow? Please DM me.']
    const lines = Array.from({ length: 30_000 }, (_, i) => `${base[i % base.length]}${i % 3 === 0 ? ` and more ${i}` : ''}`)
    const run = spawnSync(process.execPath, [path.join(root, 'bin', 'mentions.js'), 'score', '--format', 'ndjson'], {
      input: `${lines.join('\r\n')}\n`, encoding: 'utf8', maxBuffer: 1 << 28,
      env: { ...process.env, NO_COLOR: '1', XDG_CONFIG_HOME: os.tmpdir(), MENTIONS_CONFIG: '', HOME: os.tmpdir() },
      cwd: os.tmpdir(),
    })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    const scorer = createScorer({ words: {}, names: [] })
    expect(run.stdout).toBe(lines.map((l) => `${JSON.stringify(scorer.score(l))}\n`).join(''))
  })
})

describe('mentions score start-up', () => {
  it('loads neither the matcher nor the record builder (rescore uses them, score does not)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mentions-score-modules-'))
    try {
      const log = path.join(dir, 'modules.log')
      const hook = pathToFileURL(path.join(root, 'test', 'support', 'module-log', 'register.mjs')).href
      const run = spawnSync(process.execPath, ['--import', hook, path.join(root, 'bin', 'mentions.js'), 'score', '--format', 'ndjson'], {
        input: 'great support\n', encoding: 'utf8', cwd: dir,
        env: { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, MENTIONS_MODULE_LOG: log },
      })
      expect(run.status, run.stderr).toBe(0)
      const modules = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)
      expect(modules.some((m) => m.endsWith('/dist/sentiment/scorer.js'))).toBe(true)
      expect(modules.filter((m) => /\/dist\/(app\/records|match\/matcher|match\/lang)\.js$/.test(m))).toEqual([])
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
