// Spike detection (`mentions spikes`): a brand's mentions counted per bucket of created_at,
// each bucket judged against the trailing baseline of buckets before it. Pure: a series in,
// firings out; the store counts, the app decides the period, the clock and the brand.
//
// Three kinds, each with its own cooldown:
// - volume: the bucket's count is far above the baseline's median, as a robust z-score
//   (x − median) / (1.4826·MAD). The median and MAD ignore the odd earlier spike in the
//   baseline, where a mean and standard deviation would be dragged up by it.
// - negative-share: the share of negative mentions in the bucket is above the baseline's
//   pooled share by `shareMargin` (big enough to matter) and by `sensitivity` binomial
//   standard errors (big enough not to be chance at this bucket's count).
// - climb: a one-sided CUSUM of the buckets' robust z-scores, so a sustained rise that no
//   single bucket makes a volume spike still fires once it has added up.
import { parseDuration } from '../config/duration.js'
import type { SpikeSettings } from '../model.js'

export type SpikeKind = 'volume' | 'negative-share' | 'climb'
export const SPIKE_KINDS: readonly SpikeKind[] = ['volume', 'negative-share', 'climb']

/** One bucket of a brand's series: mentions created in [start, start + bucket). */
export interface SeriesBucket {
  start: number
  total: number
  negative: number
}

/** Settings resolved to numbers: what the detector runs on. */
export interface SpikeRule {
  bucketMs: number
  /** Buckets in the trailing baseline before the one judged. */
  baselineBuckets: number
  /** Buckets since the brand's first stored mention before anything may fire. */
  minHistory: number
  sensitivity: number
  /** A firing silences the same kind for this many buckets (itself included). */
  cooldownBuckets: number
  minCount: number
  shareMargin: number
}

export interface Spike {
  kind: SpikeKind
  bucketStart: number
  bucketEnd: number
  /** volume, climb: mentions in the bucket; negative-share: the bucket's share (0–1). */
  value: number
  /** volume: the baseline's median; climb: the median when the rise began; negative-share: the baseline's share. */
  baseline: number
  /** volume: robust z; negative-share: binomial z; climb: the CUSUM sum. */
  score: number
  why: string
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

/**
 * Defaults. A day bucket: counts per day carry no day/night cycle, so the median and MAD
 * describe an ordinary day and the climb's sum does not rise every afternoon (per hour, a
 * brand's daytime hours all sit above a median pulled down by the night); and a brand with a
 * few mentions a day has counts to compare, where per hour it would have mostly 0s and 1s. The
 * price is latency: today is judged on the day so far, which can only under-count, so it never
 * raises a false alarm and a real surge fires the same day once it passes the threshold.
 * Teams with hundreds of mentions a day can set "1h". Two weeks of baseline hold two of each
 * weekday, so a quiet weekend neither sets nor hides the normal level.
 */
export const SPIKE_DEFAULTS = {
  bucket: '1d',
  baseline: '14d',
  /** z 4: well outside what a steady brand's days do (a normal z that high is 1 in 30 000). */
  sensitivity: 4,
  /** Fewer than this in a bucket is read in the queue, not alerted on. */
  minCount: 10,
  /** 20 points above the usual negative share. */
  shareMargin: 0.2,
} as const

/** Default cooldown, in buckets: a surge usually lasts a few buckets; one alert covers it. */
export const DEFAULT_COOLDOWN_BUCKETS = 3

/** A firing within the cooldown needs its value to have grown by half again (42 → 63). */
export const REGROW = 1.5

/** The climb's CUSUM slack: a bucket half a spread above the median adds nothing. */
export const CLIMB_SLACK = 0.5

/**
 * The climb fires when its sum reaches this × sensitivity (5 at the default 4). With slack 0.5
 * and a threshold of 5, a one-sided CUSUM over steady normal noise fires roughly once in 900
 * buckets (years of days), while a rise of one spread per bucket fires in about ten. Each
 * bucket adds at most `sensitivity`, so one big bucket is a volume spike, never a climb by itself.
 */
export const CLIMB_FACTOR = 1.25

/** The most buckets a baseline may hold: it bounds the work per bucket judged. */
export const MAX_BASELINE_BUCKETS = 2000

/** The share the binomial test assumes is kept off 0 and 1, where its standard error vanishes. */
const SHARE_FLOOR = 0.02

export interface SettingsProblem {
  /** Key under the brand's `spikes`. */
  key: keyof SpikeSettings
  message: string
}

const ms = (text: string | undefined, fallback: string): number | undefined => parseDuration(text ?? fallback)

/** What is wrong with a brand's settings once the defaults fill in; empty when they can run. */
export function spikeSettingsProblems(s: SpikeSettings = {}): SettingsProblem[] {
  const problems: SettingsProblem[] = []
  const bucket = ms(s.bucket, SPIKE_DEFAULTS.bucket)
  const baseline = ms(s.baseline, SPIKE_DEFAULTS.baseline)
  if (bucket === undefined) problems.push({ key: 'bucket', message: 'expected a duration like "1h" or "1d"' })
  if (baseline === undefined) problems.push({ key: 'baseline', message: 'expected a duration like "14d"' })
  if (s.cooldown !== undefined && parseDuration(s.cooldown) === undefined) problems.push({ key: 'cooldown', message: 'expected a duration like "3d"' })
  if (bucket === undefined || baseline === undefined) return problems
  if (bucket < MINUTE || bucket % MINUTE !== 0) problems.push({ key: 'bucket', message: 'a bucket is a whole number of minutes, at least "1m"' })
  const buckets = Math.floor(baseline / bucket)
  if (buckets < 3) problems.push({ key: 'baseline', message: `the baseline must hold at least 3 buckets of ${formatSpan(bucket)} (it holds ${buckets})` })
  if (buckets > MAX_BASELINE_BUCKETS) {
    problems.push({ key: 'baseline', message: `the baseline holds ${buckets} buckets of ${formatSpan(bucket)}; at most ${MAX_BASELINE_BUCKETS} (use a wider bucket or a shorter baseline)` })
  }
  // The baseline is as far back as a bucket is compared: more history than that is never asked for.
  if (s.minHistory !== undefined && s.minHistory > buckets) {
    problems.push({ key: 'minHistory', message: `at most the baseline's ${buckets} buckets of ${formatSpan(bucket)}` })
  }
  return problems
}

/** Settings (validated by spikeSettingsProblems, as the config schema does) with the defaults filled in. */
export function resolveSpikeRule(s: SpikeSettings = {}): SpikeRule {
  const problems = spikeSettingsProblems(s)
  if (problems.length) throw new Error(`invalid spike settings: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`)
  const bucketMs = ms(s.bucket, SPIKE_DEFAULTS.bucket) as number
  const baselineBuckets = Math.floor((ms(s.baseline, SPIKE_DEFAULTS.baseline) as number) / bucketMs)
  const cooldown = s.cooldown !== undefined ? parseDuration(s.cooldown) : undefined
  return {
    bucketMs,
    baselineBuckets,
    // Half a baseline: a week of days by default, enough for a median that means something.
    minHistory: s.minHistory ?? Math.ceil(baselineBuckets / 2),
    sensitivity: s.sensitivity ?? SPIKE_DEFAULTS.sensitivity,
    // A cooldown shorter than a bucket still silences nothing but the bucket that fired.
    cooldownBuckets: cooldown !== undefined ? Math.max(1, Math.ceil(cooldown / bucketMs)) : DEFAULT_COOLDOWN_BUCKETS,
    minCount: s.minCount ?? SPIKE_DEFAULTS.minCount,
    shareMargin: s.shareMargin ?? SPIKE_DEFAULTS.shareMargin,
  }
}

/** "1d", "6h", "30m", "90s": a span as people write it in the config. */
export function formatSpan(msSpan: number): string {
  if (msSpan % DAY === 0) return `${msSpan / DAY}d`
  if (msSpan % HOUR === 0) return `${msSpan / HOUR}h`
  if (msSpan % MINUTE === 0) return `${msSpan / MINUTE}m`
  return `${Math.round(msSpan / 1000)}s`
}

/** The start of the bucket holding t. Buckets are whole multiples of their width since the epoch: a day bucket is a UTC day. */
export function bucketStart(t: number, bucketMs: number): number {
  return Math.floor(t / bucketMs) * bucketMs
}

/** A dense series over [from, to): the store's non-empty buckets, and zeros for the rest. */
export function fillBuckets(rows: readonly SeriesBucket[], from: number, to: number, bucketMs: number): SeriesBucket[] {
  const first = bucketStart(from, bucketMs)
  const byStart = new Map(rows.map((r) => [r.start, r]))
  const out: SeriesBucket[] = []
  for (let start = first; start < to; start += bucketMs) {
    const r = byStart.get(start)
    out.push({ start, total: r?.total ?? 0, negative: r?.negative ?? 0 })
  }
  return out
}

function median(sorted: readonly number[]): number {
  const n = sorted.length
  const mid = Math.floor(n / 2)
  return n % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

const byNumber = (a: number, b: number) => a - b
const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places
const fmt = (x: number) => String(round(x, 1))
const pct = (x: number) => `${Math.round(x * 100)}%`
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

export interface SpikeSeries {
  /** Consecutive buckets of the rule's width, oldest first, zeros included. */
  buckets: readonly SeriesBucket[]
  /**
   * The brand's first stored mention (epoch ms), which may lie before the series: history is
   * counted from it. Absent: from the series' first non-empty bucket.
   */
  firstAt?: number | null
}

/**
 * Every firing over the series, oldest first. A bucket is judged only when its whole baseline
 * is in the series (or the brand's history starts inside the series) and the brand has
 * `minHistory` buckets behind it; before the brand's first mention, zeros are not "quiet",
 * they are "not watched yet", so they are never part of a baseline.
 */
export function detectSpikes(series: SpikeSeries, rule: SpikeRule): Spike[] {
  const b = series.buckets
  const origin = b[0]?.start
  if (origin === undefined) return []
  let first: number
  if (series.firstAt !== undefined && series.firstAt !== null) first = Math.floor((bucketStart(series.firstAt, rule.bucketMs) - origin) / rule.bucketMs)
  else {
    first = b.findIndex((x) => x.total > 0)
    if (first < 0) return []
  }
  const span = formatSpan(rule.bucketMs)
  const baselineSpan = formatSpan(rule.baselineBuckets * rule.bucketMs)
  const climbAt = CLIMB_FACTOR * rule.sensitivity
  const out: Spike[] = []
  const last: Partial<Record<SpikeKind, { index: number; value: number }>> = {}
  const cooling = (kind: SpikeKind, i: number) => {
    const l = last[kind]
    return l && i - l.index < rule.cooldownBuckets ? l : undefined
  }
  // Within its cooldown a kind fires again only when it grew by half again.
  const allowed = (kind: SpikeKind, i: number, value: number) => {
    const l = cooling(kind, i)
    return !l || value >= REGROW * l.value
  }
  let cusum = 0
  let run = { start: 0, baseline: 0 }

  for (let i = 0; i < b.length; i++) {
    const x = b[i] as SeriesBucket
    const from = Math.max(i - rule.baselineBuckets, first)
    if (i - first < rule.minHistory || from < 0) {
      cusum = 0
      continue
    }
    const window = b.slice(from, i)
    const counts = window.map((w) => w.total).sort(byNumber)
    const med = median(counts)
    const mad = median(counts.map((c) => Math.abs(c - med)).sort(byNumber))
    // Counts vary at least as Poisson noise does (√median), and never by less than one
    // mention: a brand whose days are all 0 or all 3 has a MAD of 0, and 2 mentions must
    // not make it infinitely surprising.
    const spread = Math.max(1.4826 * mad, Math.sqrt(Math.max(med, 1)))
    const z = (x.total - med) / spread
    const at = { bucketStart: x.start, bucketEnd: x.start + rule.bucketMs }

    let volume = false
    if (x.total >= rule.minCount && z >= rule.sensitivity && allowed('volume', i, x.total)) {
      out.push({
        kind: 'volume',
        ...at,
        value: x.total,
        baseline: med,
        score: round(z, 2),
        why: `${plural(x.total, 'mention')} in ${span} vs a median of ${fmt(med)} (z ${fmt(z)})`,
      })
      last.volume = { index: i, value: x.total }
      volume = true
    }

    // While a volume spike cools down the surge is already reported: the climb starts afresh after it.
    if (volume || cooling('volume', i)) cusum = 0
    else {
      if (cusum === 0) run = { start: i, baseline: med }
      cusum = Math.max(0, cusum + Math.min(z, rule.sensitivity) - CLIMB_SLACK)
      if (cusum >= climbAt && x.total >= rule.minCount && allowed('climb', i, x.total)) {
        out.push({
          kind: 'climb',
          ...at,
          value: x.total,
          baseline: run.baseline,
          score: round(cusum, 2),
          why: `rising for ${formatSpan((i - run.start + 1) * rule.bucketMs)}: ${plural(x.total, 'mention')} in ${span} vs a median of ${fmt(run.baseline)} when it began (cusum ${fmt(cusum)})`,
        })
        last.climb = { index: i, value: x.total }
        cusum = 0
      }
    }

    // Pooled over the baseline, so a day of 2 mentions weighs less than a day of 200.
    const baseTotal = window.reduce((s, w) => s + w.total, 0)
    if (x.total >= rule.minCount && baseTotal > 0) {
      const p0 = window.reduce((s, w) => s + w.negative, 0) / baseTotal
      const share = x.negative / x.total
      const p = Math.min(Math.max(p0, SHARE_FLOOR), 1 - SHARE_FLOOR)
      const zs = (share - p0) / Math.sqrt((p * (1 - p)) / x.total)
      if (share - p0 >= rule.shareMargin && zs >= rule.sensitivity && allowed('negative-share', i, share)) {
        out.push({
          kind: 'negative-share',
          ...at,
          value: round(share, 4),
          baseline: round(p0, 4),
          score: round(zs, 2),
          why: `${x.negative} of ${plural(x.total, 'mention')} negative (${pct(share)}) in ${span} vs ${pct(p0)} over the previous ${baselineSpan} (z ${fmt(zs)})`,
        })
        last['negative-share'] = { index: i, value: share }
      }
    }
  }
  return out
}

/**
 * Marks the firings still current at `now`: the latest of its kind, with its cooldown (at
 * least its own bucket) not yet over. An earlier firing of the same kind is superseded.
 */
export function markActive(spikes: readonly Spike[], rule: SpikeRule, now: number): (Spike & { active: boolean })[] {
  const latest = new Map<SpikeKind, number>()
  for (const s of spikes) latest.set(s.kind, Math.max(latest.get(s.kind) ?? -Infinity, s.bucketStart))
  return spikes.map((s) => ({
    ...s,
    active: latest.get(s.kind) === s.bucketStart && now < s.bucketStart + rule.cooldownBuckets * rule.bucketMs,
  }))
}
