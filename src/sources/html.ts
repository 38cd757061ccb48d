// HTML → plain text for storage. Every item from every source passes through here, so it
// streams over the input once with htmlparser2's tokenizer (which also decodes entities)
// and never builds a DOM.
import { Parser } from 'htmlparser2'

/** Elements whose start and end mark a paragraph break (blank line). */
const PARAGRAPH = new Set([
  'p', 'div', 'pre', 'blockquote', 'ul', 'ol', 'dl', 'table', 'section', 'article', 'aside',
  'header', 'footer', 'nav', 'main', 'figure', 'figcaption', 'details', 'summary', 'address',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'form', 'fieldset',
])
/** Elements that end a line but do not open a new paragraph. */
const LINE = new Set(['br', 'li', 'dt', 'dd', 'tr', 'caption'])
/** Elements whose content is never text a person wrote. */
const SKIP = new Set(['script', 'style', 'noscript', 'template', 'head', 'title', 'svg', 'math', 'iframe', 'object'])
const CELL = new Set(['td', 'th'])

// Private-use sentinels: they cannot come from decoded input we care about, and they let
// breaks survive the whitespace collapse below.
const PARA = '\uE000'
const NL = '\uE001'

/**
 * Plain text from an HTML fragment: tags removed, entities decoded, block elements as line
 * breaks (paragraphs separated by one blank line), script/style dropped, whitespace
 * normalised, trimmed. Link text is kept; hrefs are not.
 */
export function htmlToText(html: string): string {
  if (html === '') return ''
  // Most titles and many short bodies carry no markup at all.
  if (!html.includes('<') && !html.includes('&')) return normaliseWhitespace(html)

  const out: string[] = []
  let skipDepth = 0
  let preDepth = 0
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIP.has(name)) skipDepth++
        if (name === 'pre') preDepth++
        if (PARAGRAPH.has(name)) out.push(PARA)
        else if (LINE.has(name)) out.push(NL)
        else if (CELL.has(name)) out.push(' ')
      },
      onclosetag(name) {
        if (SKIP.has(name)) skipDepth = Math.max(0, skipDepth - 1)
        if (name === 'pre') preDepth = Math.max(0, preDepth - 1)
        if (PARAGRAPH.has(name)) out.push(PARA)
        else if (CELL.has(name)) out.push(' ')
      },
      ontext(text) {
        if (skipDepth > 0) return
        // Inside <pre> the line structure is the content (code, logs); keep it.
        out.push(preDepth > 0 ? text.replace(/\r\n?|\n/g, NL) : text)
      },
    },
    { decodeEntities: true, lowerCaseTags: true, recognizeSelfClosing: true },
  )
  parser.write(html)
  parser.end()
  return assemble(out.join(''))
}

/**
 * Decodes entities in text that is plain text once decoded (an RSS title such as
 * `AT&amp;T`). Markup characters are left as text, never interpreted.
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return normaliseWhitespace(s)
  // Escaping '<' makes the tokenizer see one text run, so nothing is taken for a tag.
  return htmlToText(s.replace(/</g, '&lt;'))
}

/** Plain text kept as lines: spaces collapsed per line, runs of blank lines collapsed, trimmed. */
export function normaliseText(s: string): string {
  return assemble(s.replace(/\r\n?|\n/g, NL))
}

/** Collapses runs of whitespace (including NBSP) to one space and trims. */
export function normaliseWhitespace(s: string): string {
  return s.replace(/\s+/g, ' ').trim()
}

function assemble(raw: string): string {
  // Whitespace in the source (including its newlines) is insignificant; only the sentinels
  // become breaks.
  const text = raw.replace(/\s+/g, ' ').replaceAll(PARA, '\n\n').replaceAll(NL, '\n')
  return text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}
