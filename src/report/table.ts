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

/** Widths that make one line fit in `total` columns when the flex columns allow it. */
export function layoutWidths(
  natural: readonly number[],
  kinds: readonly (number | 'flex' | undefined)[],
  total: number,
): number[] {
  const widths = natural.map((w, i) => {
    const kind = kinds[i]
    return typeof kind === 'number' ? Math.min(w, Math.max(1, kind)) : w
  })
  const flex = kinds.flatMap((k, i) => (k === 'flex' ? [i] : []))
  if (flex.length === 0) return widths
  const fixed = widths.reduce((sum, w, i) => (kinds[i] === 'flex' ? sum : sum + w), 0)
  let remaining = total - fixed - GAP.length * (widths.length - 1)
  // Narrowest first, so a short flex column hands its unused share to the wider ones.
  const order = [...flex].sort((a, b) => (natural[a] ?? 0) - (natural[b] ?? 0))
  order.forEach((i, n) => {
    const want = natural[i] ?? 0
    const share = Math.floor(remaining / (order.length - n))
    const w = Math.min(want, Math.max(share, MIN_FLEX))
    widths[i] = w
    remaining -= w
  })
  return widths
}

/**
 * Aligned columns without borders, like the GitHub CLI. Rows are buffered because widths
 * depend on every row; everything is printed by end(). No rows prints nothing.
 */
export function createTableWriter<T>(
  columns: readonly Column<T>[],
  out: Out,
  style: Style,
  width: number,
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
      if (rows.length === 0) return
      const headers = columns.map((c) => oneLine(c.header))
      const natural = headers.map((h, i) =>
        rows.reduce((max, r) => Math.max(max, r.widths[i] ?? 0), displayWidth(h)),
      )
      const widths = layoutWidths(natural, columns.map((c) => c.tableWidth), width)
      const align = columns.map((_, i): 'left' | 'right' =>
        numeric[i] && seenValue[i] ? 'right' : 'left',
      )
      const last = columns.length - 1

      const line = (cells: readonly string[], paint: (text: string, i: number) => string): string =>
        cells
          .map((text, i) => {
            const w = widths[i] ?? 0
            const cut = fitToWidth(text, w)
            const a = align[i] ?? 'left'
            // Padding goes outside the colour codes so widths stay measurable; no trailing blanks.
            const gap = Math.max(0, w - cut.width)
            const padding = i === last && a === 'left' ? '' : ' '.repeat(gap)
            const painted = paint(cut.text, i)
            return a === 'right' ? padding + painted : painted + padding
          })
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
