// Pure classification metrics for `npm run eval`. No I/O, so they are unit-tested on their own.

export interface ClassStats {
  precision: number
  recall: number
  f1: number
  /** How many gold items carry this class. */
  support: number
}

export interface Metrics<C extends string> {
  perClass: Record<C, ClassStats>
  /** Mean F1 over the gold classes given. */
  macroF1: number
  accuracy: number
  n: number
}

// Undefined ratios (no predictions, no gold items) count as 0, as scikit-learn does by default.
const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den)

/**
 * Precision/recall/F1 per class, macro-F1 over `classes`, and accuracy.
 * A prediction outside `classes` (e.g. "neutral" on a 2-class set) is simply wrong.
 */
export function computeMetrics<C extends string>(
  gold: readonly C[],
  predicted: readonly string[],
  classes: readonly C[],
): Metrics<C> {
  if (gold.length !== predicted.length) {
    throw new Error(`gold has ${gold.length} items but predicted has ${predicted.length}`)
  }
  const tp = new Map<string, number>()
  const goldCount = new Map<string, number>()
  const predCount = new Map<string, number>()
  let correct = 0
  for (let i = 0; i < gold.length; i++) {
    const g = gold[i] as C
    const p = predicted[i] as string
    goldCount.set(g, (goldCount.get(g) ?? 0) + 1)
    predCount.set(p, (predCount.get(p) ?? 0) + 1)
    if (g === p) {
      correct++
      tp.set(g, (tp.get(g) ?? 0) + 1)
    }
  }
  const perClass = {} as Record<C, ClassStats>
  let f1Sum = 0
  for (const c of classes) {
    const t = tp.get(c) ?? 0
    const precision = ratio(t, predCount.get(c) ?? 0)
    const recall = ratio(t, goldCount.get(c) ?? 0)
    const f1 = ratio(2 * precision * recall, precision + recall)
    perClass[c] = { precision, recall, f1, support: goldCount.get(c) ?? 0 }
    f1Sum += f1
  }
  return {
    perClass,
    macroF1: ratio(f1Sum, classes.length),
    accuracy: ratio(correct, gold.length),
    n: gold.length,
  }
}

/** VADER's convention for its ratings and compound score: within ±threshold is neutral. */
export function bucket(value: number, threshold = 0.05): 'negative' | 'neutral' | 'positive' {
  return value >= threshold ? 'positive' : value <= -threshold ? 'negative' : 'neutral'
}

/** Median of a non-empty list (for timing passes). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list')
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}
