// Where a webhook command sends: the URL from a variable (or its NAME_FILE), never printed,
// and an HTTP client that leaves retries to postWebhook (its own backoff and Retry-After).
// Shared by `mentions alert` and `mentions digest --post`.
import fs from 'node:fs'
import { expandFileSecrets } from '../config/env.js'
import { ConfigError, UsageError } from '../errors.js'
import { createHttp } from '../net/client.js'
import type { Http } from '../net/types.js'
import type { CommandContext } from './context.js'
import { USER_AGENT } from './version.js'

export const DEFAULT_WEBHOOK_ENV = 'MENTIONS_WEBHOOK_URL'

/** Connect, send and read the answer; a webhook that takes longer is retried as a timeout. */
const WEBHOOK_TIMEOUT_MS = 10_000

/** The variable --webhook-url-env names (default MENTIONS_WEBHOOK_URL), checked to be a name. */
export function webhookEnvName(value: unknown): string {
  const name = typeof value === 'string' ? value : DEFAULT_WEBHOOK_ENV
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--webhook-url-env takes a variable name like ${DEFAULT_WEBHOOK_ENV} (got "${name}")`)
  return name
}

/** The webhook URL from the variable named (a NAME_FILE variable works too), or undefined. */
export function webhookUrl(ctx: CommandContext, name: string): string | undefined {
  const { env, problems } = expandFileSecrets(ctx.deps.env, [name], (p) => fs.readFileSync(p, 'utf8'))
  if (problems.length) throw new ConfigError(problems.join('; '))
  const value = env[name]?.trim()
  return value ? value : undefined
}

/** The error for a webhook command run without one; `hint` says what to try instead. */
export function missingWebhook(name: string, hint: string): ConfigError {
  return new ConfigError(`${name} is not set: set it to the incoming webhook's URL (in the environment or .env), or set ${name}_FILE to a file holding it; ${hint}`)
}

export function webhookHttp(ctx: CommandContext): Http & { close(): Promise<void> } {
  return createHttp({ userAgent: USER_AGENT, env: ctx.deps.env, retries: 0, timeoutMs: WEBHOOK_TIMEOUT_MS })
}
