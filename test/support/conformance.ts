// Shared by the conformance tests: where the real recorded responses are, and what every draft
// parsed from them must look like. The folder is not shipped (../shared/fixtures/real beside
// the repo, or MENTIONS_REAL_FIXTURES); without it the suites skip, saying so.
import { existsSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect } from 'vitest'
import type { MentionDraft } from '../../src/model.js'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const realRoot = process.env.MENTIONS_REAL_FIXTURES ?? path.resolve(repoRoot, '../shared/fixtures/real')
export const realPresent = existsSync(realRoot)

/** describe when the recorded responses are there, describe.skip (named so) when not. */
export function realSuite(name: string, body: () => void): void {
  ;(realPresent ? describe : describe.skip)(`${name} (recorded responses in ${realPresent ? realRoot : 'absent: skipped'})`, body)
}

/** The recorded bodies of one source kind, without their .meta.json and notes. */
export function filesIn(dir: string): string[] {
  const full = path.join(realRoot, dir)
  return existsSync(full)
    ? readdirSync(full)
        .filter((f) => !f.endsWith('.meta.json') && !f.endsWith('.md'))
        .sort()
    : []
}

export const realPath = (dir: string, file: string) => path.join(realRoot, dir, file)

/** Every draft has an id, an absolute http(s) URL, a finite time, and plain text. */
export function expectClean(drafts: MentionDraft[]): void {
  expect(drafts.length).toBeGreaterThanOrEqual(1)
  for (const d of drafts) {
    expect(d.externalId.length).toBeGreaterThan(0)
    expect(new URL(d.url).protocol).toMatch(/^https?:$/)
    expect(Number.isFinite(d.createdAt)).toBe(true)
    for (const field of [d.text, d.title ?? '']) {
      expect(field).not.toMatch(/<\/?[a-z][a-z0-9]*(\s[^<>]*)?\/?>/i)
      expect(field).not.toMatch(/&(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i)
    }
  }
}
