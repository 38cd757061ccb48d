import { oneLine } from './sanitize.js'
import type { Style } from './style.js'
import type { Cell, Column, Out, RowWriter } from './types.js'
import { displayWidth, fitToWidth } from './width.js'

export const DEFAULT_TABLE_WIDTH = 100
const GAP = '  '
// A flex column never shrinks below this (or its content, if shorter), even when the fixed
// columns already fill the line: a few readable characters beat an empty column.
const MIN_FLEX = 10

/** A table cell as one line of text: arrays as "a, b", null as empty. */
export function tableCell(cell: Cell): string {
  if (cell === null || cell === undefined) return ''
  if (typeof cell === 'string') return oneLine(cell)
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell)
  return cell.map(oneLine).filter((s) => s !== '').join(', ')
}

interface Buffered<T> {
  row: T
  texts: string[]
  widths: number[]
}

// The flex column's fair share before other columns give way: half the line, up to 50
// columns (a readable line of text), so a wide terminal has room left for a permalink.
const FLEX_TARGET_MAX = 50

export interface LayoutSpec {
  kind?: number | 'flex' | undefined
  min?: number | undefined
  drop?: number | undefined
  whole?: boolean | undefined
}

export interface Layout {
  widths: number[]
  shown: boolean[]
}

/**
 * Which columns to show and how wide, so one line fits in `total` columns while the flex
 * column keeps most of the line. When it does not fit, in this order: droppable whole
 * columns (extras such as a URL) go; squeezable columns shrink toward their `min`; other
 * droppable columns go, lowest rank first. `wide` keeps every column at its natural width.
 */
export function planLayout(natural: readonly number[], specs: readonly LayoutSpec[], total: number, wide = false): Layout {
  const widths = natural.map((w, i) => {
    const { kind, whole } = specs[i] ?? {}
    return typeof kind === 'number' && !whole ? Math.min(w, Math.max(1, kind)) : w
  })
  const shown = natural.map(() => true)
  const isFlex = (i: number) => specs[i]?.kind === 'flex'
  const target = (i: number) =>
    Math.min(natural[i] ?? 0, Math.max(MIN_FLEX, Math.min(FLEX_TARGET_MAX, Math.floor(total / 2))))
  const need = () => {
    let sum = 0
    let count = 0
    widths.forEach((w, i) => {
      if (!shown[i]) return
      sum += isFlex(i) ? target(i) : w
      count++
    })
    return sum + GAP.length * Math.max(0, count - 1)
  }
  const dropFirst = (pick: (spec: LayoutSpec) => boolean): boolean => {
    let best = -1
    specs.forEach((spec, i) => {
      if (!shown[i] || spec.drop === undefined || !pick(spec)) return
      if (best < 0 || spec.drop < (specs[best]?.drop ?? 0)) best = i
    })
    if (best < 0) return false
    shown[best] = false
    return true
  }
  if (!wide) {
    while (need() > total && dropFirst((spec) => spec.whole === true)) {}
    for (let i = 0; i < widths.length && need() > total; i++) {
      const min = specs[i]?.min
      if (!shown[i] || isFlex(i) || min === undefined) continue
      const w = widths[i] ?? 0
      widths[i] = Math.max(Math.min(min, w), w - (need() - total))
    }
    while (need() > total && dropFirst(() => true)) {}
  }

  const flex = widths.flatMap((_, i) => (isFlex(i) && shown[i] ? [i] : []))
  if (flex.length === 0) return { widths, shown }
  const visible = shown.filter(Boolean).length
  const fixed = widths.reduce((sum, w, i) => (isFlex(i) || !shown[i] ? sum : sum + w), 0)
  let remaining = total - fixed - GAP.length * Math.max(0, visible - 1)
  // Narrowest first, so a short flex column hands its unused share to the wider ones.
  const order = [...flex].sort((a, b) => (natural[a] ?? 0) - (natural[b] ?? 0))
  order.forEach((i, n) => {
    const want = natural[i] ?? 0
    const share = Math.floor(remaining / (order.length - n))
    const w = Math.min(want, Math.max(share, MIN_FLEX))
    widths[i] = w
    remaining -= w
  })
  return { widths, shown }
}

/**
 * Aligned columns without borders, like the GitHub CLI. Rows are buffered because widths
 * depend on every row; everything is printed by end(). No rows prints nothing (see onEmpty).
 */
export function createTableWriter<T>(
  columns: readonly Column<T>[],
  out: Out,
  style: Style,
  width: number,
  opts: { wide?: boolean; onEmpty?: () => void } = {},
): RowWriter<T> {
  const rows: Buffered<T>[] = []
  // A column is right-aligned when every non-empty value in it is a number.
  const numeric = columns.map(() => true)
  const seenValue = columns.map(() => false)

  return {
    write(row) {
      const texts = columns.map((col, i) => {
        const cell = col.get(row)
        if (cell !== null && cell !== undefined && cell !== '') {
          seenValue[i] = true
          if (typeof cell !== 'number') numeric[i] = false
        }
        return tableCell(cell)
      })
      rows.push({ row, texts, widths: texts.map(displayWidth) })
    },
    end() {
      if (rows.length === 0) {
        opts.onEmpty?.()
        return
      }
      const headers = columns.map((c) => oneLine(c.header))
      const natural = headers.map((h, i) =>
        rows.reduce((max, r) => Math.max(max, r.widths[i] ?? 0), displayWidth(h)),
      )
      const { widths, shown } = planLayout(
        natural,
        columns.map((c) => ({ kind: c.tableWidth, min: c.tableMin, drop: c.tableDrop, whole: c.tableWhole })),
        width,
        opts.wide === true,
      )
      const align = columns.map((_, i): 'left' | 'right' =>
        numeric[i] && seenValue[i] ? 'right' : 'left',
      )
      const last = shown.lastIndexOf(true)

      const line = (cells: readonly string[], paint: (text: string, i: number) => string): string =>
        cells
          .map((text, i) => {
            if (!shown[i]) return undefined
            const w = widths[i] ?? 0
            const cut = fitToWidth(text, w)
            const a = align[i] ?? 'left'
            // Padding goes outside the colour codes so widths stay measurable; no trailing blanks.
            const gap = Math.max(0, w - cut.width)
            const padding = i === last && a === 'left' ? '' : ' '.repeat(gap)
            const painted = paint(cut.text, i)
            return a === 'right' ? padding + painted : painted + padding
          })
          .filter((cell) => cell !== undefined)
          .join(GAP)
          .trimEnd() + '\n'

      let text = line(headers, (h) => style.bold(h))
      for (const r of rows) {
        text += line(r.texts, (cut, i) => {
          const col = columns[i]
          return col?.colour && cut !== '' ? col.colour(cut, r.row, style) : cut
        })
      }
      out.write(text)
    },
  }
}
