// `npm run bench:lang`: language detection on tweet-length text, accuracy and speed, and what
// it costs the enricher. The sample is ours (bench/lang-samples.ts); no dataset is fetched.
// A second candidate is measured when installed: `npm i --no-save tinyld` (see the commit
// that added eld for the figures that chose it).
import os from 'node:os'
import { createEnricher } from '../src/app/records.js'
import { detectableText, eldDetector, type LanguageDetector } from '../src/match/lang.js'
import { compileMatcher } from '../src/match/matcher.js'
import type { Brand, MentionDraft } from '../src/model.js'
import { createScorer } from '../src/sentiment/index.js'
import { LANG_SAMPLES } from './lang-samples.js'

const N = Number(process.env.BENCH_N ?? 20_000)

interface Candidate {
  name: string
  loadMs: number
  /** With the project's gate (detectableText) and the library's own confidence. */
  gated: LanguageDetector
  /** The library's first answer, no gate: how often it guesses on scraps. */
  raw: (text: string) => string | undefined
}

async function timed<T>(load: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now()
  const value = await load()
  return [value, performance.now() - start]
}

async function candidates(): Promise<Candidate[]> {
  const out: Candidate[] = []
  const [eld, eldMs] = await timed(async () => (await import('eld/small')).eld)
  out.push({ name: 'eld/small', loadMs: eldMs, gated: eldDetector(eld), raw: (t) => eld.detect(t).language || undefined })
  try {
    // Optional: not a dependency. A string specifier keeps tsc from requiring its types.
    const spec = 'tinyld'
    const [tiny, ms] = await timed(() => import(spec) as Promise<{ detectAll(t: string): { lang: string; accuracy: number }[] }>)
    const gated: LanguageDetector = {
      detect(text) {
        const clean = detectableText(text)
        if (clean === null) return undefined
        const [first, second] = tiny.detectAll(clean)
        // tinyld has no reliability verdict: demand a clear lead over the runner-up.
        return first && (!second || first.accuracy > 1.2 * second.accuracy) ? first.lang : undefined
      },
    }
    out.push({ name: 'tinyld', loadMs: ms, gated, raw: (t) => tiny.detectAll(t)[0]?.lang })
  } catch {
    console.log('tinyld not installed; `npm i --no-save tinyld` to compare\n')
  }
  return out
}

function accuracy(detect: (t: string) => string | undefined) {
  const r = { right: 0, wrong: 0, unknown: 0, scrapsUnknown: 0, scrapsGuessed: 0, wrongs: [] as string[] }
  for (const [want, text] of LANG_SAMPLES) {
    const got = detect(text)
    if (want === null) {
      if (got === undefined) r.scrapsUnknown++
      else (r.scrapsGuessed++, r.wrongs.push(`${JSON.stringify(text)} → ${got}`))
    } else if (got === undefined) r.unknown++
    else if (got === want) r.right++
    else (r.wrong++, r.wrongs.push(`${JSON.stringify(text.slice(0, 32))} → ${got}, is ${want}`))
  }
  return r
}

function rate(items: number, fn: () => void): number {
  fn() // warm-up
  const start = performance.now()
  fn()
  return Math.round((items / (performance.now() - start)) * 1000)
}

const fmt = (n: number) => n.toLocaleString('en-US').padStart(10)

async function main() {
  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} ×${os.cpus().length}, N=${N}`)
  const labelled = LANG_SAMPLES.filter(([l]) => l !== null).length
  console.log(`${labelled} labelled texts in ${new Set(LANG_SAMPLES.map(([l]) => l).filter(Boolean)).size} languages, ${LANG_SAMPLES.length - labelled} scraps\n`)
  const texts = Array.from({ length: N }, (_, i) => LANG_SAMPLES[i % LANG_SAMPLES.length]?.[1] ?? '')
  for (const c of await candidates()) {
    for (const [mode, detect] of [['gated', (t: string) => c.gated.detect(t)], ['raw', c.raw]] as const) {
      const a = accuracy(detect)
      console.log(
        `${`${c.name} (${mode})`.padEnd(20)} right ${a.right}, wrong ${a.wrong}, unknown ${a.unknown}; scraps unknown ${a.scrapsUnknown}, guessed ${a.scrapsGuessed}`,
      )
      for (const w of a.wrongs) console.log(`    ${w}`)
    }
    console.log(`${c.name.padEnd(20)} load ${c.loadMs.toFixed(0)} ms, ${fmt(rate(N, () => texts.forEach((t) => c.gated.detect(t))))} items/s (gated)\n`)
  }

  // The enricher's cost: every draft names a brand (a brand-scoped search), no upstream lang.
  const brands: Brand[] = [
    { name: 'Acme', terms: ['acme', '"acme cloud"'], exclude: ['"acme brick"'], require: [], languages: [], competitor: false, handles: {} },
    { name: 'Globex', terms: ['globex'], exclude: [], require: [], languages: ['en'], competitor: true, handles: {} },
  ]
  const drafts: MentionDraft[] = texts.map((text, i) => ({ externalId: String(i), url: `https://x.test/${i}`, text: `${text} globex`, createdAt: i }))
  const given = drafts.map((d) => ({ ...d, lang: 'en' }))
  const { loadLanguageDetector } = await import('../src/match/lang.js')
  const detector = await loadLanguageDetector()
  const base = { source: 'bench', brands, matcher: compileMatcher(brands), scorer: createScorer(), now: 0 }
  const without = createEnricher(base)
  const withDetector = createEnricher({ ...base, detector })
  console.log(`enrich, no detector           ${fmt(rate(N, () => drafts.forEach((d) => without.enrich(d))))} items/s`)
  console.log(`enrich, detector              ${fmt(rate(N, () => drafts.forEach((d) => withDetector.enrich(d))))} items/s`)
  console.log(`enrich, detector, lang given  ${fmt(rate(N, () => given.forEach((d) => withDetector.enrich(d))))} items/s`)
}

await main()
