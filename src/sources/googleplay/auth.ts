// Google's OAuth 2.0 service-account flow, for the Play Developer API: the JSON key's private
// key signs a short JWT (RS256) naming the account, the scope and the token endpoint, and the
// endpoint trades it for an access token (grant type jwt-bearer). No library: node:crypto signs,
// the project's HTTP client posts, so its proxy, timeouts and redaction apply.
import { createPrivateKey, createSign, type KeyObject } from 'node:crypto'
import { z } from 'zod'
import { errorSnippet } from '../../net/redact.js'
import { HttpError, RateLimitError } from '../../net/types.js'
import { credential } from '../common.js'
import { CredentialsRejectedError, SourceResponseError, type SourceContext } from '../types.js'

export const GOOGLE_PLAY_CREDENTIALS = 'GOOGLE_PLAY_CREDENTIALS'
export const CREDENTIALS_WHY = `service-account JSON key; set ${GOOGLE_PLAY_CREDENTIALS}_FILE to its path`
export const ANDROIDPUBLISHER_SCOPE = 'https://www.googleapis.com/auth/androidpublisher'
/** Where Google's own key files point; used when a key file leaves token_uri out. */
export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token'

/** A credential that is present but cannot be used as it stands (not JSON, no private key). */
export class MalformedCredentialError extends Error {
  override name = 'MalformedCredentialError'
}

export interface ServiceAccount {
  clientEmail: string
  privateKey: KeyObject
  tokenUri: string
  /** The key's id, sent as the JWT's `kid` so Google need not try every key of the account. */
  keyId?: string
}

const keySchema = z.object({
  type: z.string().optional().catch(undefined),
  client_email: z.string().min(3).includes('@'),
  private_key: z.string().includes('PRIVATE KEY'),
  private_key_id: z.string().min(1).optional().catch(undefined),
  token_uri: z.url({ protocol: /^https?$/ }).optional(),
})

const FIX = `download a JSON key for the service account (Google Cloud console, IAM, Service accounts, Keys) and set ${GOOGLE_PLAY_CREDENTIALS}_FILE to its path`

/**
 * The service account in GOOGLE_PLAY_CREDENTIALS (the config layer has already read
 * GOOGLE_PLAY_CREDENTIALS_FILE into it). Every failure is one line that names the variable and
 * the fields at fault, never a value: the text is a private key.
 */
export function serviceAccount(ctx: Pick<SourceContext<unknown>, 'env'>, kind: string): ServiceAccount {
  const raw = credential(ctx, kind, GOOGLE_PLAY_CREDENTIALS, CREDENTIALS_WHY)
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    // JSON.parse's message quotes the text it choked on: not shown.
    throw new MalformedCredentialError(`${GOOGLE_PLAY_CREDENTIALS} is not JSON (expected a service-account key file's contents); ${FIX}`)
  }
  const parsed = keySchema.safeParse(value)
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? 'the key')))].join(', ')
    throw new MalformedCredentialError(`${GOOGLE_PLAY_CREDENTIALS} is not a service-account key (missing or invalid: ${fields}); ${FIX}`)
  }
  if (parsed.data.type !== undefined && parsed.data.type !== 'service_account') {
    const type = parsed.data.type.replace(/[^\w-]/g, '').slice(0, 30)
    throw new MalformedCredentialError(`${GOOGLE_PLAY_CREDENTIALS} holds a "${type}" credential, not a service-account key; ${FIX}`)
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(parsed.data.private_key)
  } catch {
    throw new MalformedCredentialError(`${GOOGLE_PLAY_CREDENTIALS}: private_key is not a readable PEM private key; ${FIX}`)
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new MalformedCredentialError(`${GOOGLE_PLAY_CREDENTIALS}: private_key is not an RSA key (Google signs with RS256); ${FIX}`)
  }
  const account: ServiceAccount = { clientEmail: parsed.data.client_email, privateKey, tokenUri: parsed.data.token_uri ?? GOOGLE_TOKEN_URI }
  if (parsed.data.private_key_id) account.keyId = parsed.data.private_key_id
  return account
}

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')

/** The token request's assertion: RS256 over header.claims, valid for an hour (Google's maximum). */
export function signedAssertion(account: ServiceAccount, nowMs: number, scope = ANDROIDPUBLISHER_SCOPE): string {
  const iat = Math.floor(nowMs / 1000)
  const header = { alg: 'RS256', typ: 'JWT', ...(account.keyId ? { kid: account.keyId } : {}) }
  const claims = { iss: account.clientEmail, scope, aud: account.tokenUri, iat, exp: iat + 3600 }
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`
  const signature = createSign('RSA-SHA256').update(signingInput).sign(account.privateKey)
  return `${signingInput}.${base64url(signature)}`
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional().catch(undefined),
})

export interface AccessToken {
  value: string
  expiresAt: number
}

/** The token endpoint's refusals that mean "this key is no good" (RFC 6749 §5.2). */
const REJECTED = /"error"\s*:\s*"(invalid_grant|invalid_client|unauthorized_client)"/

const CHECK = `check ${GOOGLE_PLAY_CREDENTIALS} (or the file ${GOOGLE_PLAY_CREDENTIALS}_FILE names): a deleted or disabled key, or a clock minutes off, is refused`

/** POSTs the signed assertion to the key's token_uri and reads the access token. */
export async function fetchAccessToken(ctx: Pick<SourceContext<unknown>, 'http' | 'signal' | 'now'>, account: ServiceAccount): Promise<AccessToken> {
  const assertion = signedAssertion(account, ctx.now())
  let text: string
  try {
    const res = await ctx.http.post(account.tokenUri, {
      form: { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion },
      headers: { accept: 'application/json' },
      // A second token request is harmless.
      idempotent: true,
      ...(ctx.signal ? { signal: ctx.signal } : {}),
    })
    text = res.body
  } catch (err) {
    const refused = err instanceof HttpError && !(err instanceof RateLimitError) && (err.status === 401 || err.status === 403 || (err.status === 400 && REJECTED.test(err.bodySnippet)))
    if (refused) throw new CredentialsRejectedError(`credentials rejected (${err.message}); ${CHECK}`, { cause: err })
    throw err
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch (cause) {
    throw new SourceResponseError(`token response is not JSON (${errorSnippet(text, [assertion], 60) || 'empty body'})`, account.tokenUri, { cause })
  }
  const parsed = tokenSchema.safeParse(body)
  if (!parsed.success) throw new SourceResponseError('token response has no "access_token"', account.tokenUri, { cause: parsed.error })
  // Google's tokens last an hour; assume that when it does not say.
  return { value: parsed.data.access_token, expiresAt: ctx.now() + (parsed.data.expires_in ?? 3600) * 1000 }
}

/** Refetched this long before expiry, so a token never dies mid-request. */
const TOKEN_MARGIN_MS = 60_000

/**
 * One walk's token source: the first call signs and exchanges, later calls reuse the token
 * until a minute before it expires; `fresh` forces a new one (a 401 mid-walk).
 */
export function tokenSource(ctx: Pick<SourceContext<unknown>, 'http' | 'signal' | 'now'>, account: ServiceAccount): (fresh?: boolean) => Promise<string> {
  let cached: AccessToken | undefined
  return async (fresh = false) => {
    if (!fresh && cached && cached.expiresAt - TOKEN_MARGIN_MS > ctx.now()) return cached.value
    cached = await fetchAccessToken(ctx, account)
    return cached.value
  }
}
