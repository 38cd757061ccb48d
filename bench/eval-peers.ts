// The scorers we compare against, each mapped to 3 labels with its own conventional threshold
// (the same for every set). vader-sentiment and wink-sentiment ship no types: the shapes
// below are the parts of their APIs we call.
import { createRequire } from 'node:module'
import Sentiment from 'sentiment'
import { bucket } from './eval-metrics.js'
import type { Label3 } from './eval-data.js'

export interface NamedScorer {
  name: string
  label(text: string): Label3
}

interface VaderModule {
  SentimentIntensityAnalyzer: { polarity_scores(text: string): { compound: number } }
}
type WinkSentiment = (text: string) => { score: number; normalizedScore: number }

const sign = (x: number): Label3 => (x > 0 ? 'positive' : x < 0 ? 'negative' : 'neutral')

export function peerScorers(): NamedScorer[] {
  const require = createRequire(import.meta.url)
  const vader = require('vader-sentiment') as VaderModule
  const wink = require('wink-sentiment') as WinkSentiment
  // One instance, never given `extras`: analyze() merges extras into its shared lexicon for good.
  const afinn = new Sentiment()
  return [
    { name: 'sentiment (AFINN)', label: (t) => sign(afinn.analyze(t).comparative) },
    { name: 'vader-sentiment', label: (t) => bucket(vader.SentimentIntensityAnalyzer.polarity_scores(t).compound) },
    { name: 'wink-sentiment', label: (t) => sign(wink(t).normalizedScore) },
  ]
}

/** The `sentiment` package's bare analyze(), the throughput baseline. */
export function afinnAnalyze(): (text: string) => unknown {
  const afinn = new Sentiment()
  return (t) => afinn.analyze(t)
}
