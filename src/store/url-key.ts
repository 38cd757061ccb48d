// The key under which the same post found by two sources is recognised as one mention: its
// canonical URL, normalised. Pure; every engine stores it beside the row.

const TRACKING = /^(utm_[a-z]+|fbclid|gclid|mc_cid|mc_eid|ref_src|igshid|si)$/i

/**
 * "https://WWW.Example.com/a/b/?utm_source=x&id=1#top" → "example.com/a/b?id=1". Scheme,
 * "www.", a trailing slash, the fragment and tracking parameters do not make another post;
 * the rest of the query does (it often is the post: `item?id=…`). Undefined for anything that
 * is not an http(s) URL.
 */
export function urlKey(url: string | null | undefined): string | undefined {
  if (!url) return undefined
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return undefined
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined
  const host = u.hostname.toLowerCase().replace(/^www\./, '')
  const params = [...u.searchParams].filter(([k]) => !TRACKING.test(k)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : ''
  const path = u.pathname.replace(/\/+$/, '')
  return `${host}${u.port ? `:${u.port}` : ''}${path}${query}`
}
