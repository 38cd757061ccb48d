// The light side of the registry: every kind, the secrets it reads, and how to load its
// adapter on demand. Read commands (queue, show, search …) start from this alone, so they never
// load an HTTP client, a feed or HTML parser, or the option schemas of sources they do not use.
// registry.ts stays the eager table; a test keeps the two in step.
import type { Source } from './types.js'

export interface SourceMeta {
  kind: string
  /** The environment variables it reads (for `NAME_FILE` secrets), as its `requires` lists them. */
  env: readonly string[]
  load(): Promise<Source>
}

export const SOURCE_CATALOG: readonly SourceMeta[] = Object.freeze([
  { kind: 'appstore', env: [], load: async () => (await import('./appstore.js')).appStoreSource },
  { kind: 'bluesky', env: ['BLUESKY_HANDLE', 'BLUESKY_APP_PASSWORD'], load: async () => (await import('./bluesky.js')).blueskySource },
  { kind: 'devto', env: ['DEVTO_API_KEY'], load: async () => (await import('./devto.js')).devtoSource },
  { kind: 'discourse', env: ['DISCOURSE_API_KEY', 'DISCOURSE_API_USERNAME'], load: async () => (await import('./discourse.js')).discourseSource },
  { kind: 'facebook', env: ['FACEBOOK_PAGE_TOKEN'], load: async () => (await import('./facebook.js')).facebookSource },
  { kind: 'foursquare', env: ['FOURSQUARE_API_KEY'], load: async () => (await import('./foursquare.js')).foursquareSource },
  { kind: 'github', env: ['GITHUB_TOKEN'], load: async () => (await import('./github.js')).gitHubSource },
  { kind: 'googleplaces', env: ['GOOGLE_PLACES_API_KEY'], load: async () => (await import('./googleplaces.js')).googlePlacesSource },
  { kind: 'googleplay', env: ['GOOGLE_PLAY_CREDENTIALS'], load: async () => (await import('./googleplay/index.js')).googlePlaySource },
  { kind: 'hackernews', env: [], load: async () => (await import('./hackernews.js')).hackerNewsSource },
  { kind: 'lobsters', env: [], load: async () => (await import('./lobsters.js')).lobstersSource },
  { kind: 'mastodon', env: ['MASTODON_TOKEN'], load: async () => (await import('./mastodon.js')).mastodonSource },
  { kind: 'reddit', env: ['REDDIT_CLIENT_ID', 'REDDIT_CLIENT_SECRET', 'REDDIT_USERNAME', 'REDDIT_PASSWORD'], load: async () => (await import('./reddit.js')).redditSource },
  { kind: 'rss', env: [], load: async () => (await import('./rss.js')).rssSource },
  { kind: 'stackexchange', env: ['STACKEXCHANGE_KEY'], load: async () => (await import('./stackexchange.js')).stackExchangeSource },
  { kind: 'trustpilot', env: ['TRUSTPILOT_API_KEY'], load: async () => (await import('./trustpilot.js')).trustpilotSource },
  { kind: 'x', env: ['X_BEARER_TOKEN'], load: async () => (await import('./x.js')).xSource },
  { kind: 'yelp', env: ['YELP_API_KEY'], load: async () => (await import('./yelp.js')).yelpSource },
  { kind: 'youtube', env: ['YOUTUBE_API_KEY'], load: async () => (await import('./youtube.js')).youTubeSource },
])

const byKind = new Map(SOURCE_CATALOG.map((m) => [m.kind, m]))

/** Every kind's secret names, without loading any adapter. */
export function catalogSecretNames(): string[] {
  return SOURCE_CATALOG.flatMap((m) => m.env)
}

/** The adapters for those of `kinds` that exist (unknown kinds are the config check's to report). */
export async function loadSources(kinds: Iterable<string>): Promise<Source[]> {
  const metas = [...new Set(kinds)].flatMap((k) => byKind.get(k) ?? [])
  return Promise.all(metas.map((m) => m.load()))
}

/**
 * Every kind, in catalog order: the adapter itself where `loaded` holds it, otherwise a
 * stand-in that knows only its kind. A read command only asks for the kind (to check
 * `--source`); reaching further into an adapter nobody loaded is a bug in the caller, so the
 * stand-in throws naming the kind rather than answering with something made up.
 */
export function deferredSources(loaded: ReadonlyMap<string, Source>): Source[] {
  return SOURCE_CATALOG.map(({ kind }) => loaded.get(kind) ?? notLoaded(kind))
}

function notLoaded(kind: string): Source {
  const fail = (): never => {
    throw new Error(`internal: source adapter "${kind}" used before it was loaded`)
  }
  return {
    kind,
    get scope() { return fail() },
    get options() { return fail() },
    get requires() { return fail() },
    get replies() { return fail() },
    instanceKey: fail,
    search: fail,
  }
}
