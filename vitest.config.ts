import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // better-sqlite3 is a native addon: separate processes keep each file's handles apart.
    pool: 'forks',
    // One throwaway PostgreSQL server for the run (skipped, and said, when none can start).
    globalSetup: ['test/support/pg-global.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // CI also writes a machine-readable report so .ci/run can print a plain closing line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default'],
  },
})
