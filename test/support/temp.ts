// Temporary folders that live for one test: the folder a test made is removed after it, pass or
// fail, so a file's tests never see each other's databases.
import fs from 'node:fs'
import { afterEach } from 'vitest'
import { tempDir } from './deps.js'

/** Call at a test file's top level; the maker it returns gives a new folder per call. */
export function tempDirsPerTest(prefix?: string): () => string {
  const dirs: string[] = []
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true })
  })
  return () => {
    const d = tempDir(prefix)
    dirs.push(d)
    return d
  }
}
