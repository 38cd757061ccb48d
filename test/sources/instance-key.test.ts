import { describe, expect, it } from 'vitest'
import { rssSource } from '../../src/sources/rss.js'

describe('rss instanceKey', () => {
  it('never carries a secret from a private feed URL into the store or output', () => {
    const options = rssSource.options.parse({ url: 'https://feeds.example.com/private.xml?user=ana&token=s3cr3t-value' })
    const key = rssSource.instanceKey(options)
    expect(key).toBe('https://feeds.example.com/private.xml?user=ana&token=***')
    expect(key).not.toContain('s3cr3t')
  })
})
