import { displayWidth } from './width.js'

/** `word` in pieces of at most `width` columns (a URL or a run without spaces). */
function breakWord(word: string, width: number): string[] {
  const pieces: string[] = []
  let piece = ''
  let w = 0
  for (const ch of word) {
    const cw = displayWidth(ch)
    if (w + cw > width && piece !== '') {
      pieces.push(piece)
      piece = ''
      w = 0
    }
    piece += ch
    w += cw
  }
  if (piece !== '') pieces.push(piece)
  return pieces
}

/**
 * Text wrapped at word boundaries so no line is wider than `width` display columns; a word
 * longer than a line is broken. Line breaks in the text are kept (paragraphs stay apart);
 * runs of blanks inside a line collapse to one space. Expects sanitised text.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  const room = Math.max(1, width - displayWidth(indent))
  const out: string[] = []
  for (const paragraph of text.replace(/\r\n?/g, '\n').split('\n')) {
    const words = paragraph.split(/[ \t]+/).filter((w) => w !== '')
    if (words.length === 0) {
      out.push('')
      continue
    }
    let line = ''
    let lineWidth = 0
    for (const word of words) {
      const ww = displayWidth(word)
      if (line !== '' && lineWidth + 1 + ww <= room) {
        line += ` ${word}`
        lineWidth += 1 + ww
        continue
      }
      if (line !== '') out.push(indent + line)
      if (ww <= room) {
        line = word
        lineWidth = ww
      } else {
        const pieces = breakWord(word, room)
        const last = pieces.pop() ?? ''
        for (const p of pieces) out.push(indent + p)
        line = last
        lineWidth = displayWidth(last)
      }
    }
    out.push(indent + line)
  }
  return out
}
