// How the pull summary words a walk another host was pulling.
import { describe, expect, it } from 'vitest'
import { skippedLine } from '../../src/cli/commands/pull.js'

describe('skipped walks in the pull summary', () => {
  it('names the host and pid, without control characters', () => {
    expect(skippedLine({ host: 'cron-b', pid: 4242 })).toBe('skipped: being pulled by cron-b pid 4242')
    expect(skippedLine({ host: 'evil\x1b]0;x\x07host', pid: 1 })).not.toMatch(/[\x00-\x1f]/)
  })
})
