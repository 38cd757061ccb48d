import { describe, expect, it } from 'vitest'
import { urlKey } from '../../src/store/url-key.js'

describe('urlKey', () => {
  it('ignores scheme, www, case of the host, a trailing slash, the fragment and tracking parameters', () => {
    const key = 'github.com/acme/cloud/issues/12'
    for (const u of [
      'https://github.com/acme/cloud/issues/12',
      'http://www.GitHub.com/acme/cloud/issues/12/',
      'https://github.com/acme/cloud/issues/12#issuecomment-1',
      'https://github.com/acme/cloud/issues/12?utm_source=hn&utm_medium=x',
    ]) expect(urlKey(u)).toBe(key)
  })

  it('keeps the query that names the post, in a stable order, and the path case', () => {
    expect(urlKey('https://news.ycombinator.com/item?id=1')).toBe('news.ycombinator.com/item?id=1')
    expect(urlKey('https://news.ycombinator.com/item?id=2')).not.toBe(urlKey('https://news.ycombinator.com/item?id=1'))
    expect(urlKey('https://x.example/a?b=2&a=1')).toBe(urlKey('https://x.example/a?a=1&b=2'))
    expect(urlKey('https://x.example/Post')).not.toBe(urlKey('https://x.example/post'))
  })

  it('has no key for what is not an http(s) URL', () => {
    for (const u of [undefined, null, '', 'not a url', 'mailto:a@b.example', 'at://did:plc:x/app.bsky.feed.post/1']) expect(urlKey(u)).toBeUndefined()
  })
})
