// Parses every recorded YouTube Data API response in the shared real fixtures (not shipped with
// the repo); without them the suite skips, saying so.
import { readFileSync } from 'node:fs'
import { expect, it } from 'vitest'
import { YouTubeApiError, parseYouTube, parseYouTubeCommentThreads, parseYouTubeComments, parseYouTubeSearch } from '../../src/sources/youtube.js'
import { expectClean, filesIn, realPath, realSuite } from '../support/conformance.js'

realSuite('youtube conformance', () => {
  const files = filesIn('youtube')
  it('has recorded responses to check', () => expect(files.length).toBeGreaterThan(0))

  it.each(files)('%s', (file) => {
    const body = readFileSync(realPath('youtube', file), 'utf8')
    if (/"error"\s*:\s*\{/.test(body) && !/"items"\s*:/.test(body)) {
      // An error body must name its reason, not crash or read as "no news".
      expect(() => parseYouTube(body)).toThrow(YouTubeApiError)
      return
    }
    // comments.list replies do not name their video; the walk knows it from the thread.
    const drafts = parseYouTube(body, 'youtube', { videoId: 'someVideo01' })
    expectClean(drafts)
    for (const d of drafts) {
      expect(d.url).toMatch(/^https:\/\/www\.youtube\.com\/watch\?v=[\w-]+(&lc=[\w.-]+)?$/)
      expect(d.author?.handle).toMatch(/^UC[\w-]{22}$/)
      expect(d.author?.name?.length).toBeGreaterThan(0)
    }
  })

  it('reads search results as videos with decoded titles', () => {
    const file = files.find((f) => f.startsWith('search'))
    if (!file) return
    const page = parseYouTubeSearch(readFileSync(realPath('youtube', file), 'utf8'))
    expect(page.skipped).toBe(0)
    expect(page.nextPageToken).toBeTruthy()
    for (const d of page.drafts) {
      expect(d.url).toBe(`https://www.youtube.com/watch?v=${d.externalId}`)
      expect(d.title?.length).toBeGreaterThan(0)
      expect(d.title).not.toMatch(/&(amp|#39|quot);/)
    }
  })

  it('reads comment threads: the top comment is the thread, replies are <thread>.<reply>', () => {
    const file = files.find((f) => f.startsWith('comment_threads'))
    if (!file) return
    const page = parseYouTubeCommentThreads(readFileSync(realPath('youtube', file), 'utf8'))
    expect(page.skipped).toBe(0)
    expect(page.threads.length).toBe(page.itemCount)
    for (const t of page.threads) {
      const top = page.drafts.find((d) => d.externalId === t.threadId)
      expect(top).toMatchObject({ parentExternalId: t.videoId, threadExternalId: t.videoId, metrics: { replies: t.totalReplyCount } })
    }
    for (const d of page.drafts.filter((x) => x.externalId.includes('.'))) {
      expect(d.externalId.startsWith(`${d.parentExternalId}.`)).toBe(true)
    }
  })

  it('reads the replies of a thread, with the video id supplied by the caller', () => {
    const file = files.find((f) => f.startsWith('comments_by_parent'))
    if (!file) return
    const page = parseYouTubeComments(readFileSync(realPath('youtube', file), 'utf8'), 'youtube', { videoId: 'someVideo01' })
    expect(page.skipped).toBe(0)
    for (const d of page.drafts) {
      expect(d.externalId.startsWith(`${d.parentExternalId}.`)).toBe(true)
      expect(d.url).toContain('watch?v=someVideo01&lc=')
    }
  })
})
