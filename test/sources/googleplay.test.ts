import { execFile } from 'node:child_process'
import { generateKeyPairSync, verify, type KeyObject } from 'node:crypto'
import fs, { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { pull } from '../../src/app/pull.js'
import { listQueue } from '../../src/app/queues.js'
import type { Brand, Cursor } from '../../src/model.js'
import { createHttp } from '../../src/net/client.js'
import { MalformedCredentialError, serviceAccount, signedAssertion, tokenSource } from '../../src/sources/googleplay/auth.js'
import { googlePlayOptions, googlePlaySource, languageOf, parseGooglePlay, parseGooglePlayPage, reviewsUrl, splitReviewText } from '../../src/sources/googleplay/index.js'
import { MissingCredentialError, SourceResponseError } from '../../src/sources/types.js'
import { tempDir, testDeps, type TestDeps } from '../support/deps.js'
import { jsonRoute, startReplayServer, type ReplayRoute, type ReplayServer } from '../support/replay.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/googleplay/${name}`, import.meta.url), 'utf8')
const PKG = 'com.acme.books'

// A throwaway key pair for this run: no private key is ever committed.
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const strangerKeys = generateKeyPairSync('rsa', { modulusLength: 2048 })
const EMAIL = 'mentions-reader@acme-play.iam.gserviceaccount.com'

function keyFile(tokenUri: string, privateKey: KeyObject = keys.privateKey): string {
  return JSON.stringify({
    type: 'service_account',
    project_id: 'acme-play',
    private_key_id: 'k-0001',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: EMAIL,
    client_id: '100000000000000000001',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
  })
}

describe('parseGooglePlay', () => {
  const page = parseGooglePlayPage(fixture('reviews_p1.json'), PKG)

  it('maps a review: reviewId, Play permalink, text without the leading tab, stars, language, thumbs up, the developer reply', () => {
    expect(page.drafts[0]).toEqual({
      externalId: 'gp:AOqpTOH1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      url: `https://play.google.com/store/apps/details?id=${PKG}&reviewId=gp%3AAOqpTOH1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa`,
      text: 'The app crashes every time I open the invoices tab since the last update.',
      author: { name: 'Dana K.' },
      createdAt: Date.parse('2026-12-01T18:00:00.250Z'),
      lang: 'en',
      rating: 1,
      metrics: { likes: 7 },
      ownerReply: { at: Date.parse('2026-12-01T19:05:00Z'), handle: 'developer' },
    })
  })

  it('splits "title<TAB>body", keeps an anonymous review, and reads a zero thumbs-up count', () => {
    expect(page.drafts[1]).toMatchObject({ title: 'Fast and simple', text: 'Exactly what I needed for expense tracking. Love the dark mode.', lang: 'de', rating: 5, metrics: { likes: 0 } })
    expect(page.drafts[1]?.author).toBeUndefined()
    expect(page.drafts[1]?.ownerReply).toBeUndefined()
  })

  it('skips a review without a user comment and reads the next page token', () => {
    expect(page).toMatchObject({ count: 3, skipped: 1, nextPageToken: 'CpgBCgwI4Lqx3QYQgKmv8wESiwFBT3FwVE9I' })
    expect(page.drafts).toHaveLength(2)
  })

  it('drops a field of the wrong type, not the review; a translated review has no reviewer language', () => {
    const last = parseGooglePlayPage(fixture('reviews_p2.json'), PKG)
    expect(last.nextPageToken).toBeUndefined()
    expect(last.drafts[0]).toMatchObject({ text: 'Sync is slow but it works.', rating: 3, createdAt: Date.parse('2026-11-30T09:15:00.999Z') })
    // thumbsUpCount arrived as a string; the text is Google's translation, not Portuguese.
    expect(last.drafts[0]?.metrics).toBeUndefined()
    expect(last.drafts[0]?.lang).toBeUndefined()
  })

  it('reads an empty page ({}) as no reviews', () => {
    expect(parseGooglePlayPage('{}', PKG)).toEqual({ drafts: [], count: 0, skipped: 0, nextPageToken: undefined })
  })

  it('names the problem for a body that is not JSON, an error body, or a changed shape', () => {
    expect(() => parseGooglePlay('<html><title>Error 502</title></html>', PKG)).toThrow(SourceResponseError)
    expect(() => parseGooglePlay(fixture('error_permission_denied.json'), PKG)).toThrow(/error instead of reviews: The current user has insufficient permissions/)
    expect(() => parseGooglePlay('{"reviews": {"reviewId": "x"}}', PKG)).toThrow(/reviews is not that/)
  })

  it('normalises device locales and splits text', () => {
    expect([languageOf('en_US'), languageOf('pt-BR'), languageOf('fil'), languageOf(''), languageOf('123')]).toEqual(['en', 'pt', 'fil', undefined, undefined])
    expect(splitReviewText('\tjust a body ')).toEqual({ text: 'just a body' })
    expect(splitReviewText('no tab')).toEqual({ text: 'no tab' })
  })
})

describe('googleplay options, URLs and contract', () => {
  it('takes one package name or several, with defaults', () => {
    expect(googlePlayOptions.parse({ packageNames: PKG })).toEqual({ packageNames: [PKG], baseUrl: 'https://androidpublisher.googleapis.com', maxPages: 10, overlapHours: 168 })
    expect(googlePlayOptions.parse({ packageNames: [PKG, 'com.acme.pay'], brand: 'Acme' }).packageNames).toEqual([PKG, 'com.acme.pay'])
    expect(googlePlayOptions.safeParse({ packageNames: ['not a package'] }).success).toBe(false)
    expect(googlePlayOptions.safeParse({ packageNames: [] }).success).toBe(false)
    expect(googlePlayOptions.safeParse({ packageNames: PKG, translationLanguage: 'english please' }).success).toBe(false)
  })

  it('builds reviews.list URLs with 100 per page, the page token and the translation language', () => {
    expect(reviewsUrl('https://androidpublisher.googleapis.com', PKG, { token: 'tok', translationLanguage: 'en' }).href).toBe(
      `https://androidpublisher.googleapis.com/androidpublisher/v3/applications/${PKG}/reviews?maxResults=100&token=tok&translationLanguage=en`,
    )
  })

  it('is a feed with owner responses, one required credential and the 7-day limit', () => {
    expect(googlePlaySource).toMatchObject({ kind: 'googleplay', scope: 'feed', replies: 'owner-response', limits: 'only reviews with text from the last 7 days' })
    expect(googlePlaySource.requires).toEqual([{ env: 'GOOGLE_PLAY_CREDENTIALS', why: 'service-account JSON key; set GOOGLE_PLAY_CREDENTIALS_FILE to its path' }])
    expect(googlePlaySource.instanceKey(googlePlayOptions.parse({ packageNames: ['com.b.app', 'com.a.app'] }))).toBe('https://androidpublisher.googleapis.com com.a.app+com.b.app')
  })
})

describe('googleplay service-account key', () => {
  it('reads the key and signs an RS256 JWT that the public key verifies', () => {
    const account = serviceAccount({ env: { GOOGLE_PLAY_CREDENTIALS: keyFile('https://oauth2.googleapis.com/token') } }, 'googleplay')
    const jwt = signedAssertion(account, Date.parse('2026-12-01T20:00:00Z'))
    const [h = '', c = '', s = ''] = jwt.split('.')
    expect(verify('RSA-SHA256', Buffer.from(`${h}.${c}`), keys.publicKey, Buffer.from(s, 'base64url'))).toBe(true)
    expect(JSON.parse(Buffer.from(h, 'base64url').toString())).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'k-0001' })
  })

  it('says which variable is missing, or malformed, without ever showing its value', () => {
    expect(() => serviceAccount({ env: {} }, 'googleplay')).toThrow(MissingCredentialError)
    const secretish = '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEsecret'
    const bad = [secretish, JSON.stringify({ private_key: '-----BEGIN PRIVATE KEY-----\nMIIEsecret\n-----END PRIVATE KEY-----\n', client_email: EMAIL })]
    const messages = bad.map((value) => {
      try {
        serviceAccount({ env: { GOOGLE_PLAY_CREDENTIALS: value } }, 'googleplay')
      } catch (err) {
        expect(err).toBeInstanceOf(MalformedCredentialError)
        return (err as Error).message
      }
      return ''
    })
    expect(messages[0]).toMatch(/^GOOGLE_PLAY_CREDENTIALS is not JSON .*GOOGLE_PLAY_CREDENTIALS_FILE/)
    expect(messages[1]).toMatch(/^GOOGLE_PLAY_CREDENTIALS: private_key is not a readable PEM private key/)
    expect(messages.join('\n')).not.toContain('MIIE')
    expect(() => serviceAccount({ env: { GOOGLE_PLAY_CREDENTIALS: JSON.stringify({ type: 'service_account', client_email: EMAIL }) } }, 'googleplay')).toThrow(/missing or invalid: private_key/)
    expect(() => serviceAccount({ env: { GOOGLE_PLAY_CREDENTIALS: JSON.stringify({ type: 'authorized_user', client_email: EMAIL, private_key: 'x PRIVATE KEY' }) } }, 'googleplay')).toThrow(
      /"authorized_user" credential, not a service-account key/,
    )
  })
})

// ---------------------------------------------------------------------------------------
// Against loopback servers, through pull()

const NOW = Date.parse('2026-12-01T20:00:00Z')
const HOUR = 3600_000
const DAY = 24 * HOUR
const acme: Brand = { name: 'Acme', terms: ['acme'], exclude: [], require: [], languages: [], competitor: false, handles: {} }
const REVIEWS = `/androidpublisher/v3/applications/${PKG}/reviews`
const ACCESS_TOKEN = JSON.parse(fixture('token.json')).access_token as string

let seq = 0
function review(text: string, at: number, more: { stars?: number; reply?: number; author?: string; id?: string } = {}): object {
  const comments: object[] = [
    { userComment: { text: `\t${text}`, lastModified: { seconds: String(Math.floor(at / 1000)), nanos: (at % 1000) * 1e6 }, starRating: more.stars ?? 4, reviewerLanguage: 'en_GB', thumbsUpCount: 0, thumbsDownCount: 0 } },
  ]
  if (more.reply !== undefined) comments.push({ developerComment: { text: 'Thanks, fixed in the next release.', lastModified: { seconds: String(Math.floor(more.reply / 1000)), nanos: 0 } } })
  return { reviewId: more.id ?? `gp:AOqpTO${(seq++).toString(36).padStart(6, '0')}`, ...(more.author ? { authorName: more.author } : {}), comments }
}
const idOf = (r: object): string => (r as { reviewId: string }).reviewId
function listPage(reviews: object[], next?: string): object {
  return next ? { reviews, tokenPagination: { nextPageToken: next } } : { reviews }
}

/**
 * Google's token endpoint as far as this adapter needs it: it answers a token only for a
 * jwt-bearer grant whose assertion verifies with the public key and whose claims are right.
 */
interface TokenServer {
  url: string
  uri: string
  requests: { body: URLSearchParams; verified: boolean; problems: string[] }[]
  close(): Promise<void>
}
async function startTokenServer(now: () => number, refuse?: { status: number; body: string }): Promise<TokenServer> {
  const requests: TokenServer['requests'] = []
  let uri = ''
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.once('end', () => {
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      const problems: string[] = []
      if (req.method !== 'POST') problems.push('not a POST')
      if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') problems.push('not a form')
      if (body.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') problems.push('grant_type')
      const [h = '', c = '', s = ''] = (body.get('assertion') ?? '').split('.')
      if (!verify('RSA-SHA256', Buffer.from(`${h}.${c}`), keys.publicKey, Buffer.from(s, 'base64url'))) problems.push('signature')
      try {
        const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>
        const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>
        if (header.alg !== 'RS256') problems.push('alg')
        if (claims.iss !== EMAIL) problems.push('iss')
        if (claims.scope !== 'https://www.googleapis.com/auth/androidpublisher') problems.push('scope')
        if (claims.aud !== uri) problems.push('aud')
        if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number' || claims.exp - claims.iat !== 3600) problems.push('exp')
        // A spawned binary keeps its own clock: a few seconds apart is the same moment.
        if (typeof claims.iat !== 'number' || Math.abs(claims.iat - now() / 1000) > 5) problems.push('iat')
      } catch {
        problems.push('not a JWT')
      }
      requests.push({ body, verified: problems.length === 0, problems })
      const [status, text] = refuse
        ? [refuse.status, refuse.body]
        : problems.length === 0
          ? [200, fixture('token.json')]
          : [400, fixture('token_invalid_grant.json')]
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
      res.end(text)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  uri = `${url}/token`
  return { url, uri, requests, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

let api: ReplayServer | undefined
let tokens: TokenServer | undefined
let deps: TestDeps | undefined
let dir: string | undefined

afterEach(async () => {
  await deps?.close()
  await api?.close()
  await tokens?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
  api = tokens = deps = dir = undefined
})

async function setup(
  routes: ReplayRoute[],
  opts: { env?: Record<string, string>; options?: Record<string, unknown>; now?: () => number; refuse?: { status: number; body: string }; signWith?: KeyObject } = {},
): Promise<{ api: ReplayServer; tokens: TokenServer; deps: TestDeps }> {
  api = await startReplayServer(routes)
  const now = opts.now ?? (() => NOW)
  tokens = await startTokenServer(now, opts.refuse)
  dir = tempDir()
  deps = testDeps({
    dbFile: path.join(dir, 'm.db'),
    env: opts.env ?? { GOOGLE_PLAY_CREDENTIALS: keyFile(tokens.uri, opts.signWith) },
    now,
    config: { brands: [acme], sources: [{ kind: 'googleplay', options: { baseUrl: api.url, packageNames: [PKG], ...opts.options } }] },
  })
  return { api, tokens, deps }
}

/** The same address with new routes: a replay server's routes are fixed when it starts. */
async function reroute(routes: ReplayRoute[]): Promise<ReplayServer> {
  const port = Number(new URL(api!.url).port)
  await api!.close()
  api = await startReplayServer(routes, { port })
  return api
}

async function cursorOf(d: TestDeps, s: ReplayServer): Promise<Cursor | undefined> {
  return d.store().cursors.get({ source: 'googleplay', instance: `${s.url} ${PKG}`, brand: '' })
}

function repliesIn(d: TestDeps): { replied_at: number; handle: string; kind: string }[] {
  const db = new Database(path.join(dir!, 'm.db'), { readonly: true })
  try {
    return db.prepare('SELECT replied_at, handle, kind FROM replies ORDER BY replied_at').all() as { replied_at: number; handle: string; kind: string }[]
  } finally {
    db.close()
    void d
  }
}

describe('googleplay pull: token, paging, storage', () => {
  it('exchanges a verified JWT for a token once, sends it as Bearer on every page, and stores every review under the brand', async () => {
    const p1 = [review('Crashes on start', NOW - HOUR, { stars: 1, author: 'Dana' }), review('Nice', NOW - 2 * DAY, { stars: 5 })]
    const p2 = [review('Slow sync', NOW - 4 * DAY, { stars: 3 })]
    const { api, tokens, deps } = await setup([
      jsonRoute(REVIEWS, listPage(p2), { query: { token: 'page-2' } }),
      jsonRoute(REVIEWS, listPage(p1, 'page-2')),
    ])
    const result = await pull(deps)
    expect(result.status).toBe('ok')
    expect(result.sources[0]).toMatchObject({ fetched: 3, new: 3 })

    expect(tokens.requests).toHaveLength(1)
    expect(tokens.requests[0]?.problems).toEqual([])
    expect(tokens.requests[0]?.verified).toBe(true)

    expect(api.requests.map((r) => r.query)).toEqual([{ maxResults: '100' }, { maxResults: '100', token: 'page-2' }])
    for (const r of api.requests) expect(r.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`)

    // None of them names Acme: they are the brand's because they review its app.
    const all = await listQueue(deps, { queue: 'all' })
    expect(all.map((m) => [m.text, m.brands, m.rating, m.answered])).toEqual([
      ['Crashes on start', ['Acme'], 1, false],
      ['Nice', ['Acme'], 5, false],
      ['Slow sync', ['Acme'], 3, false],
    ])
    expect(all[0]).toMatchObject({ authorName: 'Dana', lang: 'en', url: `https://play.google.com/store/apps/details?id=${PKG}&reviewId=${encodeURIComponent(idOf(p1[0]!))}` })
    expect((await cursorOf(deps, api))?.parts?.[PKG]).toEqual({ at: NOW - HOUR, oldest: NOW - 7 * DAY })
  })

  it('sends translationLanguage when configured', async () => {
    const { api, deps } = await setup([jsonRoute(REVIEWS, listPage([]))], { options: { translationLanguage: 'en' } })
    expect((await pull(deps)).status).toBe('ok')
    expect(api.requests[0]?.query).toEqual({ maxResults: '100', translationLanguage: 'en' })
  })
})

describe('googleplay pull: developer replies', () => {
  it('stores a developer reply as the brand’s answer, at its own time: the review leaves the unanswered queue', async () => {
    const answered = review('Lost my data', NOW - 5 * HOUR, { stars: 1, reply: NOW - 2 * HOUR })
    const open = review('Where is export?', NOW - 3 * HOUR, { stars: 2 })
    const { deps } = await setup([jsonRoute(REVIEWS, listPage([open, answered]))])
    expect((await pull(deps)).status).toBe('ok')
    expect((await listQueue(deps, { queue: 'unanswered' })).map((m) => m.externalId)).toEqual([idOf(open)])
    expect((await listQueue(deps, { queue: 'all' })).map((m) => [m.externalId, m.answered])).toEqual([
      [idOf(open), false],
      [idOf(answered), true],
    ])
    expect(repliesIn(deps)).toEqual([{ replied_at: NOW - 2 * HOUR, handle: 'developer', kind: 'owner' }])
  })

  it('records a reply that appears on a later pull, on a page below the resume point (the week is re-read by default)', async () => {
    const id = 'gp:AOqpTOlater'
    const top = [review('Love it', NOW - HOUR, { stars: 5 }), review('Meh', NOW - 2 * DAY, { stars: 3 })]
    let now = NOW
    const { deps } = await setup(
      [jsonRoute(REVIEWS, listPage([review('App froze', NOW - 3 * DAY, { id, stars: 2 })]), { query: { token: 'p2' } }), jsonRoute(REVIEWS, listPage(top, 'p2'))],
      { now: () => now },
    )
    await pull(deps)
    expect((await listQueue(deps, { queue: 'unanswered' })).map((m) => m.externalId)).toContain(id)

    now = NOW + DAY
    const server = await reroute([
      jsonRoute(REVIEWS, listPage([review('App froze', NOW - 3 * DAY, { id, stars: 2, reply: NOW + 12 * HOUR })]), { query: { token: 'p2' } }),
      jsonRoute(REVIEWS, listPage(top, 'p2')),
    ])
    expect((await pull(deps)).status).toBe('ok')
    expect(server.requests.map((r) => r.query.token ?? '')).toEqual(['', 'p2'])
    expect((await listQueue(deps, { queue: 'unanswered' })).map((m) => m.externalId)).not.toContain(id)
    expect((await listQueue(deps, { queue: 'all' })).find((m) => m.externalId === id)?.answered).toBe(true)
    expect(repliesIn(deps)).toEqual([{ replied_at: NOW + 12 * HOUR, handle: 'developer', kind: 'owner' }])
  })
})

describe('googleplay pull: cursors', () => {
  it('resumes: with a short overlap, the second pull stops at the page that reaches the cursor and stores only what is new', async () => {
    const older = [review('one', NOW - 2 * HOUR), review('two', NOW - 30 * HOUR)]
    const older2 = [review('three', NOW - 3 * DAY)]
    let now = NOW
    const { deps } = await setup(
      [jsonRoute(REVIEWS, listPage(older2), { query: { token: 'p2' } }), jsonRoute(REVIEWS, listPage(older, 'p2'))],
      { now: () => now, options: { overlapHours: 1 } },
    )
    expect((await pull(deps)).sources[0]).toMatchObject({ new: 3 })

    now = NOW + DAY
    const fresh = review('four', NOW + 10 * HOUR)
    const server = await reroute([jsonRoute(REVIEWS, listPage(older2), { query: { token: 'p2' } }), jsonRoute(REVIEWS, listPage([fresh, ...older], 'p2'))])
    const second = await pull(deps)
    expect(second.sources[0]).toMatchObject({ new: 1 })
    // The first page already holds a review older than the resume point less the overlap.
    expect(server.requests.map((r) => r.query.token ?? '')).toEqual([''])
    expect((await cursorOf(deps, server))?.parts?.[PKG]).toEqual({ at: NOW + 10 * HOUR, oldest: NOW - 7 * DAY })
  })

  it('backfills: a second pull with an older since reads further down; past seven days it warns', async () => {
    const top = [review('recent', NOW - HOUR), review('three days', NOW - 3 * DAY)]
    const deeper = [review('five days', NOW - 5 * DAY), review('six and a half', NOW - 6.5 * DAY)]
    const routes = [jsonRoute(REVIEWS, listPage(deeper), { query: { token: 'p2' } }), jsonRoute(REVIEWS, listPage(top, 'p2'))]
    const { api: first, deps } = await setup(routes)
    expect((await pull(deps, { sinceMs: 2 * DAY })).sources[0]).toMatchObject({ new: 1 })
    expect(first.requests).toHaveLength(1)
    expect((await cursorOf(deps, first))?.parts?.[PKG]?.oldest).toBe(NOW - 2 * DAY)

    const server = await reroute(routes)
    expect((await pull(deps, { sinceMs: 6 * DAY })).sources[0]).toMatchObject({ new: 2 })
    expect(server.requests.map((r) => r.query.token ?? '')).toEqual(['', 'p2'])
    expect((await listQueue(deps, { queue: 'all' })).map((m) => m.text)).toEqual(['recent', 'three days', 'five days'])
    expect((await cursorOf(deps, server))?.parts?.[PKG]?.oldest).toBe(NOW - 6 * DAY)
    expect(deps.warnings.join('\n')).not.toContain('last 7 days')

    await reroute(routes)
    expect((await pull(deps, { sinceMs: 30 * DAY })).sources[0]).toMatchObject({ new: 1 })
    expect(deps.warnings.join('\n')).toContain('Google Play serves only the last 7 days of reviews')
  })

  it('owes what maxPages left unread as a gap, and walks it next pull', async () => {
    const p1 = [review('a', NOW - HOUR), review('b', NOW - DAY)]
    const p2 = [review('c', NOW - 3 * DAY)]
    const routes = [jsonRoute(REVIEWS, listPage(p2), { query: { token: 'p2' } }), jsonRoute(REVIEWS, listPage(p1, 'p2'))]
    const { api: first, deps: d1 } = await setup(routes, { options: { maxPages: 1 } })
    await pull(d1)
    expect((await cursorOf(d1, first))?.parts?.[PKG]).toEqual({ at: NOW - HOUR, oldest: NOW - 7 * DAY, gap: { from: NOW - 7 * DAY, to: NOW - DAY } })
    expect(d1.warnings.join('\n')).toContain(`stopped reading ${PKG} after 1 page(s)`)

    // The same database, the entry's page bound raised: the walk reaches the owed stretch.
    const server = await reroute(routes)
    await d1.close()
    deps = testDeps({
      dbFile: path.join(dir!, 'm.db'),
      env: { GOOGLE_PLAY_CREDENTIALS: keyFile(tokens!.uri) },
      now: () => NOW,
      config: { brands: [acme], sources: [{ kind: 'googleplay', options: { baseUrl: server.url, packageNames: [PKG], maxPages: 2 } }] },
    })
    expect((await pull(deps)).sources[0]).toMatchObject({ new: 1 })
    expect(server.requests.map((r) => r.query.token ?? '')).toEqual(['', 'p2'])
    expect((await cursorOf(deps, server))?.parts?.[PKG]).toEqual({ at: NOW - HOUR, oldest: NOW - 7 * DAY })
  })
})

describe('googleplay token lifetime', () => {
  it('reuses the token within its lifetime and signs a new one a minute before it expires', async () => {
    let now = NOW
    tokens = await startTokenServer(() => now)
    const http = createHttp({ userAgent: 'mentions-test', sleep: async () => {}, timeoutMs: 5000 })
    try {
      const account = serviceAccount({ env: { GOOGLE_PLAY_CREDENTIALS: keyFile(tokens.uri) } }, 'googleplay')
      const token = tokenSource({ http, now: () => now }, account)
      expect(await token()).toBe(ACCESS_TOKEN)
      now += 58 * 60_000
      await token()
      expect(tokens.requests).toHaveLength(1)
      // token.json says 3599 s: within a minute of that, a fresh one is signed (at the new time).
      now += 60_000
      await token()
      expect(tokens.requests.map((r) => r.verified)).toEqual([true, true])
    } finally {
      await http.close()
    }
  })
})

describe('googleplay pull: failures', () => {
  it('fails clearly, naming the variable, when the credential is missing (and makes no request)', async () => {
    const { api, tokens, deps } = await setup([jsonRoute(REVIEWS, listPage([]))], { env: {} })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toContain('set GOOGLE_PLAY_CREDENTIALS (service-account JSON key; set GOOGLE_PLAY_CREDENTIALS_FILE to its path)')
    expect(api.requests).toHaveLength(0)
    expect(tokens.requests).toHaveLength(0)
  })

  it('fails in one line that names the variable, and never shows the key, when it is malformed', async () => {
    const { api, deps } = await setup([jsonRoute(REVIEWS, listPage([]))], { env: { GOOGLE_PLAY_CREDENTIALS: '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQsecret' } })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/GOOGLE_PLAY_CREDENTIALS is not JSON/)
    expect(result.sources[0]?.error).not.toMatch(/MIIE|secret/)
    expect(result.sources[0]?.error).not.toContain('\n')
    expect(api.requests).toHaveLength(0)
  })

  it('says the credentials were rejected when the token endpoint refuses the signature (400 invalid_grant)', async () => {
    const { api, tokens, deps } = await setup([jsonRoute(REVIEWS, listPage([]))], { signWith: strangerKeys.privateKey })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(tokens.requests[0]?.problems).toEqual(['signature'])
    expect(result.sources[0]?.error).toMatch(/^credentials rejected \(HTTP 400 Bad Request from .*invalid_grant.*\); check GOOGLE_PLAY_CREDENTIALS \(or the file GOOGLE_PLAY_CREDENTIALS_FILE names\)/)
    expect(result.sources[0]?.error).not.toContain(tokens.requests[0]?.body.get('assertion')?.slice(0, 40))
    expect(api.requests).toHaveLength(0)
  })

  it('says the credentials were rejected on a 401 from the token endpoint', async () => {
    const { deps } = await setup([jsonRoute(REVIEWS, listPage([]))], { refuse: { status: 401, body: '{"error":"unauthorized_client"}' } })
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/^credentials rejected \(HTTP 401 Unauthorized .*GOOGLE_PLAY_CREDENTIALS_FILE/)
  })

  it('asks for Play Console access on a 403 "insufficient permissions"', async () => {
    const { deps } = await setup([{ path: REVIEWS, status: 403, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: fixture('error_permission_denied.json') }])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toContain(`the service account ${EMAIL} may not read the reviews of ${PKG}: grant it access to that app in Play Console`)
  })

  it('names the package on a 404', async () => {
    const { deps } = await setup([{ path: REVIEWS, status: 404, headers: { 'content-type': 'application/json; charset=UTF-8' }, body: fixture('error_not_found.json') }])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toContain(`no app "${PKG}" in the Play Console account of ${EMAIL}: check packageNames`)
  })

  it('fetches a new token once when the API refuses the cached one mid-walk (401)', async () => {
    const { api, tokens, deps } = await setup([
      { path: REVIEWS, status: 401, times: 1, headers: { 'content-type': 'application/json' }, body: '{"error":{"code":401,"status":"UNAUTHENTICATED"}}' },
      jsonRoute(REVIEWS, listPage([review('ok', NOW - HOUR)])),
    ])
    expect((await pull(deps)).status).toBe('ok')
    expect(tokens.requests).toHaveLength(2)
    expect(api.requests).toHaveLength(2)
  })

  it('retries a 429 after its Retry-After, and reports when to come back once the wait is too long', async () => {
    const { api, deps } = await setup([
      { path: REVIEWS, status: 429, times: 1, headers: { 'retry-after': '2', 'content-type': 'application/json' }, body: '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}' },
      jsonRoute(REVIEWS, listPage([review('after the wait', NOW - HOUR)])),
    ])
    expect((await pull(deps)).sources[0]).toMatchObject({ new: 1 })
    expect(api.requests).toHaveLength(2)

    await reroute([{ path: REVIEWS, status: 429, headers: { 'retry-after': '7200', 'content-type': 'application/json' }, body: '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}' }])
    const result = await pull(deps)
    expect(result.status).toBe('failed')
    expect(result.sources[0]?.error).toMatch(/^HTTP 429 Too Many Requests from .*\(rate limited: retry after \d{4}-\d\d-\d\dT[\d:.]+Z, in 7200 s\)$/)
  })
})

describe('googleplay through the built binary', () => {
  it('reads the key from GOOGLE_PLAY_CREDENTIALS_FILE and pulls', async () => {
    tokens = await startTokenServer(() => Date.now())
    const now = Date.now()
    api = await startReplayServer([jsonRoute(REVIEWS, listPage([review('Crashes when I scan a receipt', now - HOUR, { stars: 1 }), review('Great', now - DAY, { reply: now - HOUR })]))])
    dir = tempDir()
    const keyPath = path.join(dir, 'play-key.json')
    fs.writeFileSync(keyPath, keyFile(tokens.uri), { mode: 0o600 })
    const config = path.join(dir, 'mentions.config.json')
    fs.writeFileSync(config, JSON.stringify({ brands: [{ name: 'Acme', terms: ['acme'] }], sources: [{ kind: 'googleplay', baseUrl: api.url, packageNames: [PKG] }] }))
    const bin = fileURLToPath(new URL('../../bin/mentions.js', import.meta.url))
    const env = { PATH: process.env.PATH ?? '', HOME: dir, XDG_CONFIG_HOME: path.join(dir, 'xdg-config'), XDG_DATA_HOME: path.join(dir, 'xdg-data'), GOOGLE_PLAY_CREDENTIALS_FILE: keyPath }
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [bin, ...args, '--config', config, '--db', path.join(dir!, 'm.db')], { env }, (err, stdout, stderr) => {
          resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr })
        })
      })
    const pulled = await run(['pull'])
    expect(pulled.stderr).not.toContain('PRIVATE KEY')
    expect(pulled.code).toBe(0)
    expect(tokens.requests.map((r) => r.verified)).toEqual([true])
    const queue = await run(['queue', 'unanswered', '--format', 'json'])
    expect((JSON.parse(queue.stdout) as { text: string; brand: string }[]).map((m) => [m.text, m.brand])).toEqual([['Crashes when I scan a receipt', 'Acme']])
  }, 60_000)
})
