// Every source adapter by kind. Adding a source = one import and one entry here.
//
// Typing: each adapter is declared with its precise options type (Source<HackerNewsOptions>,
// Source<RssOptions>) and stored here as the contract's own erased form, `Source` (its
// options seen as `{ baseUrl?: string }`). That is the shape callers need: they read
// `options` to validate a config entry and hand the parsed value back to the same adapter's
// `search`/`instanceKey`. A union of the precise types would refuse that call (TypeScript
// would demand options satisfying every member at once), and `Source` would refuse
// the assignment of `options` (a schema producing HackerNewsOptions is not one producing
// never). The erasure needs no cast: `search` and `instanceKey` are declared as methods in
// the contract, so TypeScript compares their parameters bivariantly. What keeps it sound at
// run time is that options only ever reach an adapter through that adapter's own schema.
import { appStoreSource } from './appstore.js'
import { blueskySource } from './bluesky.js'
import { devtoSource } from './devto.js'
import { discourseSource } from './discourse.js'
import { facebookSource } from './facebook.js'
import { foursquareSource } from './foursquare.js'
import { gitHubSource } from './github.js'
import { googlePlacesSource } from './googleplaces.js'
import { googlePlaySource } from './googleplay/index.js'
import { hackerNewsSource } from './hackernews.js'
import { lobstersSource } from './lobsters.js'
import { mastodonSource } from './mastodon.js'
import { redditSource } from './reddit.js'
import { rssSource } from './rss.js'
import { stackExchangeSource } from './stackexchange.js'
import { trustpilotSource } from './trustpilot.js'
import type { Source } from './types.js'
import { xSource } from './x.js'
import { yelpSource } from './yelp.js'
import { youTubeSource } from './youtube.js'

export const sources: Readonly<Record<string, Source>> = Object.freeze({
  [appStoreSource.kind]: appStoreSource,
  [blueskySource.kind]: blueskySource,
  [devtoSource.kind]: devtoSource,
  [discourseSource.kind]: discourseSource,
  [facebookSource.kind]: facebookSource,
  [foursquareSource.kind]: foursquareSource,
  [gitHubSource.kind]: gitHubSource,
  [googlePlacesSource.kind]: googlePlacesSource,
  [googlePlaySource.kind]: googlePlaySource,
  [hackerNewsSource.kind]: hackerNewsSource,
  [lobstersSource.kind]: lobstersSource,
  [mastodonSource.kind]: mastodonSource,
  [redditSource.kind]: redditSource,
  [rssSource.kind]: rssSource,
  [stackExchangeSource.kind]: stackExchangeSource,
  [trustpilotSource.kind]: trustpilotSource,
  [xSource.kind]: xSource,
  [yelpSource.kind]: yelpSource,
  [youTubeSource.kind]: youTubeSource,
})

/** The registered kinds, sorted (for help text and error messages). */
export function sourceKinds(): string[] {
  return Object.keys(sources).sort()
}

/** The adapter for `kind`; throws, naming the known kinds, when there is none. */
export function getSource(kind: string): Source {
  const source = Object.hasOwn(sources, kind) ? sources[kind] : undefined
  if (!source) throw new Error(`unknown source kind "${kind}" (known: ${sourceKinds().join(', ')})`)
  return source
}
