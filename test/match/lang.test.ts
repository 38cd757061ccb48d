import { describe, expect, it } from 'vitest'
import { detectableText, eldDetector, loadLanguageDetector, normaliseLang, resolveLanguage } from '../../src/match/lang.js'

describe('normaliseLang', () => {
  it.each([
    ['en-US', 'en'],
    ['EN', 'en'],
    ['pt_BR', 'pt'],
    [' fr ', 'fr'],
    ['und', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
    ['english', undefined],
  ])('%j → %j', (tag, want) => expect(normaliseLang(tag)).toBe(want))
})

describe('detectableText', () => {
  it('refuses text with too few letters once links, handles and hashtags are gone', () => {
    expect(detectableText('ok thx')).toBeNull()
    expect(detectableText('#acme #cloud #devops https://acme.example/status @acme')).toBeNull()
    expect(detectableText('support never answered my ticket')).not.toBeNull()
  })
})

describe('eldDetector', () => {
  it('passes on what eld is not sure of', () => {
    const unsure = eldDetector({ detect: () => ({ language: 'en', isReliable: () => false }) })
    const sure = eldDetector({ detect: () => ({ language: 'en', isReliable: () => true }) })
    const empty = eldDetector({ detect: () => ({ language: '', isReliable: () => true }) })
    const text = 'a long enough sentence to be looked at'
    expect(unsure.detect(text)).toBeUndefined()
    expect(sure.detect(text)).toBe('en')
    expect(empty.detect(text)).toBeUndefined()
    expect(sure.detect('short')).toBeUndefined()
  })
})

describe('the real detector', () => {
  it('detects tweet-length text and says unknown on scraps', async () => {
    const d = await loadLanguageDetector()
    expect(d.detect('Acme support has been ignoring my ticket for three days now')).toBe('en')
    expect(d.detect('El soporte de Acme no responde desde hace tres días')).toBe('es')
    expect(d.detect('Der Acme Support antwortet seit drei Tagen nicht')).toBe('de')
    expect(d.detect('Acme Cloud 2.0')).toBeUndefined()
    expect(d.detect('lol')).toBeUndefined()
    expect(await loadLanguageDetector()).toBe(d)
  })

  it('prefers the upstream language and says where the language came from', async () => {
    const d = await loadLanguageDetector()
    expect(resolveLanguage('es-MX', 'this is plainly written in English, is it not', d)).toEqual({ value: 'es', origin: 'given' })
    expect(resolveLanguage(undefined, 'this is plainly written in English, is it not', d)).toEqual({ value: 'en', origin: 'detected' })
    expect(resolveLanguage('und', 'ok', d)).toEqual({ value: undefined, origin: 'unknown' })
    expect(resolveLanguage(undefined, 'this is plainly written in English, is it not')).toEqual({ value: undefined, origin: 'unknown' })
  })
})
