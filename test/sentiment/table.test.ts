// The build's snapshot of the base lexicon must score exactly as compiling it does.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { finishLexicon, type Entry } from '../../src/sentiment/compile.js'
import { baseWords, createScorer, SCORER_VERSION, SNAPSHOT_FILE } from '../../src/sentiment/scorer.js'
import { decodeSnapshot, encodeSnapshot, restoreBase, snapshotBase, type BaseSnapshot } from '../../src/sentiment/snapshot.js'
import type { WordTable } from '../../src/sentiment/table.js'
import type { Scorer } from '../../src/sentiment/index.js'

const root = fileURLToPath(new URL('../../', import.meta.url))

/** Every slot, depth first, with every field: equal dumps mean equal lookups and walk order. */
function dump(table: WordTable<Entry>, out: unknown[] = []): unknown[] {
  out.push(['table', table.capacity, table.size])
  for (const [slot, key, hash, e] of table.slots()) {
    const { next, ...fields } = e
    out.push([slot, key, hash, fields])
    if (next) dump(next, out)
  }
  return out
}

/** Texts in every shape the fixtures hold: titles, bodies, reviews, in several languages. */
function sampleTexts(): string[] {
  const texts = new Set<string>()
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.length >= 12 && /\s/.test(v)) texts.add(v)
    } else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  const files = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : [path.join(dir, d.name)]))
  for (const f of files(path.join(root, 'fixtures'))) {
    const body = fs.readFileSync(f, 'utf8')
    try {
      walk(JSON.parse(body))
    } catch {
      for (const line of body.split(/<[^>]+>|\n/)) walk(line.trim())
    }
  }
  for (const t of [
    "Support never answered. Third time this quarter :( #neveragain",
    "not bad at all, honestly pretty good!!! 😍",
    "I can't say I'm not disappointed, but the new release is great",
    "Why is it so hard to get a refund? Please DM me.",
    "love how the app crashes every time I open it 🙄",
    "Acme Cloud beats Acme Brick — would've been nice if it had worked",
    'xD 10/10 would buy again #customerservicefail',
  ]) texts.add(t)
  return [...texts]
}

/** The build's snapshot (scripts/scorer-table.mjs), through its file format. */
function builtSnapshot(): BaseSnapshot {
  const words = baseWords({ compiled: true })
  const snap = decodeSnapshot(encodeSnapshot(snapshotBase(words, finishLexicon(words, {}, []).hashtags, SCORER_VERSION)))
  if (snap === null) throw new Error('the encoded snapshot did not decode')
  return snap
}

describe('scorer snapshot', () => {
  it('restores a base identical to the compiled one, slot for slot', () => {
    const compiled = baseWords({ compiled: true })
    const snap = builtSnapshot()
    expect(snap.version).toBe(SCORER_VERSION)
    expect(dump(restoreBase(snap))).toEqual(dump(compiled))
  })

  it('gives identical lexicons once the config layers (user words, names) are laid over', () => {
    const snap = builtSnapshot()
    // Names alone (the build's hashtag table holds), names that unglue a phrase, user words
    // that add phrases and change words (both make finishLexicon walk the tables again).
    for (const [user, names] of [
      [{}, ['Acme', 'Best Buy', 'United']],
      [{}, ['Never Again', 'Acme']],
      [{ outage: -4, 'status page': -2, brilliant: 1, not: 2 }, ['Acme', 'Best Buy', 'United']],
      [{ 'never again': 0, 'so great': 3 }, []],
    ] as const) {
      const a = finishLexicon(restoreBase(snap), user, names)
      const b = finishLexicon(baseWords({ compiled: true }), user, names)
      // Hashtags first: dumping the words makes every entry, which would hide a lazy one's flaw.
      expect(dump(a.hashtags), JSON.stringify([user, names])).toEqual(dump(b.hashtags))
      expect(dump(a.words)).toEqual(dump(b.words))
      expect(a.hashtagSuffixes).toEqual(b.hashtagSuffixes)
      expect(a.hashtagPrefixes).toEqual(b.hashtagPrefixes)
    }
  })

  it('makes each restored entry once: a phrase reached as a hashtag and as words is one entry', () => {
    const lex = finishLexicon(restoreBase(builtSnapshot()), {}, ['Acme'])
    const viaHashtag = lex.hashtags.get('neveragain')
    expect(viaHashtag?.key).toBe('never again')
    expect(lex.words.get('never')?.next?.get('again')).toBe(viaHashtag)
    const compiled = finishLexicon(baseWords({ compiled: true }), {}, ['Acme'])
    expect(compiled.words.get('never')?.next?.get('again')).toBe(compiled.hashtags.get('neveragain'))
  })

  it('refuses a file that is not a snapshot, or a cut-off one', () => {
    const buf = encodeSnapshot(builtSnapshot())
    expect(decodeSnapshot(buf.subarray(0, buf.length - 4))).toBeNull()
    expect(decodeSnapshot(Buffer.from('{"version":"cs-5"}'))).toBeNull()
  })

  it('the built scorer (which reads the snapshot) scores a varied sample as the compiled one does', async () => {
    const built = path.join(root, 'dist', 'sentiment', SNAPSHOT_FILE)
    if (!fs.existsSync(built)) throw new Error('dist/ has no scorer snapshot: run `npm run build`')
    const dist = (await import(pathToFileURL(path.join(root, 'dist', 'sentiment', 'index.js')).href)) as { createScorer: typeof createScorer }
    const texts = sampleTexts()
    expect(texts.length).toBeGreaterThan(200)
    for (const opts of [{}, { names: ['Acme', 'Acme Cloud'], words: { outage: -4 } }]) {
      const fromSnapshot: Scorer = dist.createScorer(opts)
      const fromCompile: Scorer = createScorer(opts)
      expect(fromSnapshot.version).toBe(fromCompile.version)
      for (const t of texts) {
        expect(fromSnapshot.score(t, { rating: 2 }), t).toEqual(fromCompile.score(t, { rating: 2 }))
        expect(fromSnapshot.explain(t), t).toEqual(fromCompile.explain(t))
      }
    }
  })

  it('running from source, with no snapshot beside the scorer, compiles the same base', () => {
    expect(fs.existsSync(fileURLToPath(new URL(`../../src/sentiment/${SNAPSHOT_FILE}`, import.meta.url)))).toBe(false)
    expect(dump(baseWords())).toEqual(dump(baseWords({ compiled: true })))
  })
})
