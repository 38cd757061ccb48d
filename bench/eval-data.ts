// Loaders for the labelled sets `npm run eval` reads. The files stay where they are
// (/work/shared/datasets is reference material, never copied into the repo).
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { bucket } from './eval-metrics.js'

export type Label3 = 'negative' | 'neutral' | 'positive'
export type Label2 = 'negative' | 'positive'

export interface LabelledSet<C extends string> {
  name: string
  classes: readonly C[]
  texts: string[]
  gold: C[]
}

const LABELS3: readonly Label3[] = ['negative', 'neutral', 'positive']
const LABELS2: readonly Label2[] = ['negative', 'positive']

const isLabel3 = (s: string): s is Label3 => (LABELS3 as readonly string[]).includes(s)

/** Twitter US Airline Sentiment: real CSV (multi-line texts), first occurrence of each tweet_id. */
export function loadAirline(file: string): LabelledSet<Label3> {
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[]
  const seen = new Set<string>()
  const texts: string[] = []
  const gold: Label3[] = []
  for (const row of rows) {
    const id = row['tweet_id'] ?? ''
    const label = row['airline_sentiment'] ?? ''
    const text = row['text']
    if (seen.has(id) || text === undefined || !isLabel3(label)) continue
    seen.add(id)
    texts.push(text)
    gold.push(label)
  }
  return { name: 'airline (United, US Airways, American)', classes: LABELS3, texts, gold }
}

/** VADER tweet ratings: id, mean rating (−4…4), text; the mean is bucketed at ±0.05. */
export function loadVaderTweets(file: string): LabelledSet<Label3> {
  const texts: string[] = []
  const gold: Label3[] = []
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue
    const first = line.indexOf('\t')
    const second = line.indexOf('\t', first + 1)
    if (first < 0 || second < 0) continue
    const mean = Number(line.slice(first + 1, second))
    if (!Number.isFinite(mean)) continue
    texts.push(line.slice(second + 1))
    gold.push(bucket(mean))
  }
  return { name: 'VADER tweets (Hutto & Gilbert 2014)', classes: LABELS3, texts, gold }
}

/** The UCI sentences the `sentiment` package ships as test fixtures: [{text, class: 0|1}]. */
export function loadSentimentFixtures(dir: string): LabelledSet<Label2>[] {
  const sets: LabelledSet<Label2>[] = []
  for (const name of ['amazon', 'imdb', 'yelp']) {
    const file = join(dir, `${name}.json`)
    if (!existsSync(file)) continue
    const rows = JSON.parse(readFileSync(file, 'utf8')) as { text: string; class: number }[]
    sets.push({
      name: `${name} sentences (2-class)`,
      classes: LABELS2,
      texts: rows.map((r) => r.text),
      gold: rows.map((r) => (r.class === 1 ? 'positive' : 'negative')),
    })
  }
  return sets
}
