// The enricher's use of the matcher: language, competitor flag, and the rematch helper.
import { describe, expect, it } from 'vitest'
import { createEnricher, createRematcher } from '../../src/app/records.js'
import { loadLanguageDetector } from '../../src/match/lang.js'
import { compileMatcher } from '../../src/match/matcher.js'
import type { Brand, MentionDraft } from '../../src/model.js'
import { createScorer } from '../../src/sentiment/index.js'

function brand(name: string, more: Partial<Brand> = {}): Brand {
  return { name, terms: [name.toLowerCase()], exclude: [], require: [], languages: [], competitor: false, handles: {}, ...more }
}
const draft = (text: string, more: Partial<MentionDraft> = {}): MentionDraft => ({ externalId: text, url: 'https://x.test/1', text, createdAt: 0, ...more })

const brands = [brand('Acme', { languages: ['en'], handles: { hackernews: ['acme_hq'] } }), brand('Globex', { competitor: true }), brand('Initech', { competitor: true })]
const scorer = createScorer()

async function enricher(withDetector = true) {
  const detector = withDetector ? await loadLanguageDetector() : undefined
  return createEnricher({ source: 'hackernews', brands, matcher: compileMatcher(brands), scorer, now: 1, ...(detector ? { detector } : {}) })
}

describe('createEnricher', () => {
  it('stores the upstream language, normalised, over a detected one', async () => {
    const e = await enricher()
    expect(e.enrich(draft('Globex support has been ignoring my ticket for three days now', { lang: 'de-AT' }))?.lang).toBe('de')
  })

  it('detects the language when the upstream gives none, and leaves it unknown on scraps', async () => {
    const e = await enricher()
    expect(e.enrich(draft('Globex support has been ignoring my ticket for three days now'))?.lang).toBe('en')
    expect(e.enrich(draft('Globex 2.0'))?.lang).toBeUndefined()
    expect((await enricher(false)).enrich(draft('Globex support has been ignoring my ticket for three days now'))?.lang).toBeUndefined()
  })

  it("drops a brand whose languages exclude the mention's, keeps it when unknown", async () => {
    const e = await enricher()
    expect(e.enrich(draft('El soporte de Acme no responde desde hace tres días'))).toBeNull()
    expect(e.enrich(draft('Acme', { lang: 'es' }))).toBeNull()
    expect(e.enrich(draft('Acme support has been ignoring my ticket for three days'))?.brands).toEqual(['Acme'])
    expect(e.enrich(draft('Acme 2.0'))?.brands).toEqual(['Acme'])
  })

  it('marks a record competitor only when every matched brand is one', async () => {
    const e = await enricher()
    expect(e.enrich(draft('Globex beats Initech'))?.competitor).toBe(true)
    expect(e.enrich(draft('Globex beats Acme'))?.competitor).toBe(false)
    expect(e.enrich(draft('fixed now, sorry', { author: { handle: 'acme_hq' } }))?.competitor).toBe(false)
  })
})

describe('createRematcher', () => {
  it('matches stored title and text again, with the stored language', async () => {
    const rematch = createRematcher(brands, await loadLanguageDetector())
    expect(rematch({ title: 'Globex news', text: 'nothing here', lang: null })).toEqual({ brands: ['Globex'], terms: ['globex'], competitor: true })
    // A reply's title is its thread's: not its own words.
    expect(rematch({ title: 'Globex news', text: 'nothing here', parentExternalId: '9', lang: null })).toBeNull()
    expect(rematch({ text: 'Acme is great', lang: 'fr' })).toBeNull()
    expect(rematch({ text: 'Acme is great', lang: 'en' })).toEqual({ brands: ['Acme'], terms: ['acme'], competitor: false })
    expect(rematch({ text: 'El soporte de Acme no responde desde hace tres días', lang: null })).toBeNull()
  })
})

describe('an item found on a brand\'s own channel (about)', () => {
  it('is stored under that brand without naming it, first among what it also matched', async () => {
    const e = await enricher(false)
    const review = e.enrich(draft('Cold coffee and rude staff', { about: 'acme', rating: 1 }))
    expect(review?.brands).toEqual(['Acme'])
    expect(review?.terms).toEqual([])
    expect(review?.sentimentLabel).toBe('negative')
    expect(review?.rating).toBe(1)
    expect(e.enrich(draft('Better than Globex', { about: 'Acme' }))?.brands).toEqual(['Acme', 'Globex'])
    // Not a configured brand: matched on its words like anything else.
    expect(e.enrich(draft('Cold coffee', { about: 'Umbrella' }))).toBeNull()
  })
})

describe('a reply by the owner of the channel (byOwner)', () => {
  it('is the brand\'s own post without handles in the config, and its channel can show replies', async () => {
    const e = createEnricher({ source: 'facebook', brands, matcher: compileMatcher(brands), scorer, now: 1 })
    const reply = e.enrich(draft('Sorry about that, DM us', { about: 'Acme', byOwner: true, author: { handle: '12345' }, parentExternalId: 'c1' }))
    expect(reply?.isOwn).toBe(true)
    const comment = e.enrich(draft('Still waiting for my refund', { about: 'Acme', author: { handle: '999' } }))
    expect(comment?.isOwn).toBe(false)
    expect(comment?.answerable).toBe(true)
    // Found by search, not on the channel: answered is knowable only through handles.
    expect(e.enrich(draft('Acme still has not refunded me'))?.answerable).toBe(false)
  })
})
