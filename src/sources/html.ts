// HTML → plain text for storage. Every item from every source passes through here, so it
// streams over the input once with htmlparser2's tokenizer (which also decodes entities and
// knows the raw-text elements such as <script>) and never builds a DOM. Its Parser is not
// used: it keeps open elements at the front of an array (unshift/shift, indexOf), so deeply
// nested markup costs time quadratic in the depth; 40k nested <div>s took seconds.
import { Tokenizer } from 'htmlparser2'

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
/** Elements that never have content or a closing tag (HTML's void elements). */
const VOID = new Set([
  'area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'image', 'img',
  'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr',
])

/**
 * Open elements tracked for matching closing tags. Deeper elements still break lines as
 * usual but are not tracked (their closing tags just close "one of them"): no text a person
 * wrote nests this deep, and it keeps every tag O(1) work, whatever the depth.
 */
export const MAX_HTML_DEPTH = 256

// Private-use sentinels: they cannot come from decoded input we care about, and they let
// breaks survive the whitespace collapse below.
const PARA = '\uE000'
const NL = '\uE001'

/** The text and how many stack steps it took: the steps are linear in the input's length. */
export function htmlToTextCounted(html: string): { text: string; steps: number } {
  if (html === '') return { text: '', steps: 0 }
  // Most titles and many short bodies carry no markup at all.
  if (!html.includes('<') && !html.includes('&')) return { text: normaliseWhitespace(html), steps: 0 }

  const out: string[] = []
  const stack: string[] = []
  let untracked = 0
  let skipDepth = 0
  let preDepth = 0
  let steps = 0
  let current = ''

  const opened = (name: string) => {
    if (PARAGRAPH.has(name)) out.push(PARA)
    else if (LINE.has(name)) out.push(NL)
    else if (CELL.has(name)) out.push(' ')
  }
  const closed = (name: string) => {
    if (SKIP.has(name)) skipDepth = Math.max(0, skipDepth - 1)
    if (name === 'pre') preDepth = Math.max(0, preDepth - 1)
    if (PARAGRAPH.has(name)) out.push(PARA)
    else if (CELL.has(name)) out.push(' ')
  }
  const closeTag = (name: string) => {
    if (VOID.has(name)) {
      if (name === 'br') out.push(NL) // `</br>` is a <br> in every browser
      return
    }
    if (untracked > 0) {
      untracked--
      steps++
      closed(name)
      return
    }
    // Like a browser, a closing tag closes everything opened inside the element it names.
    const pos = stack.lastIndexOf(name)
    steps += pos === -1 ? stack.length : stack.length - pos
    if (pos === -1) {
      if (name === 'p') out.push(PARA, PARA) // `</p>` alone is an empty paragraph
      return
    }
    while (stack.length > pos) closed(stack.pop()!)
  }

  const tokenizer = new Tokenizer(
    { xmlMode: false, decodeEntities: true },
    {
      onopentagname(start, end) {
        const name = html.slice(start, end).toLowerCase()
        current = name
        steps++
        opened(name)
        if (VOID.has(name)) {
          if (PARAGRAPH.has(name)) out.push(PARA) // <hr> both opens and closes a paragraph
          return
        }
        if (SKIP.has(name)) skipDepth++
        if (name === 'pre') preDepth++
        if (stack.length >= MAX_HTML_DEPTH) untracked++
        else stack.push(name)
      },
      onselfclosingtag() {
        // `<div/>`: closed as soon as it is opened (the element we just pushed, if any).
        if (VOID.has(current)) return
        if (untracked > 0) {
          untracked--
          closed(current)
        } else if (stack[stack.length - 1] === current) {
          closed(stack.pop()!)
        }
      },
      onclosetag(start, end) {
        steps++
        closeTag(html.slice(start, end).toLowerCase())
      },
      ontext(start, end) {
        if (skipDepth > 0) return
        const text = html.slice(start, end)
        // Inside <pre> the line structure is the content (code, logs); keep it.
        out.push(preDepth > 0 ? text.replace(/\r\n?|\n/g, NL) : text)
      },
      ontextentity(codepoint) {
        if (skipDepth > 0) return
        out.push(String.fromCodePoint(codepoint))
      },
      onopentagend() {},
      onattribdata() {},
      onattribentity() {},
      onattribend() {},
      onattribname() {},
      oncdata() {},
      oncomment() {},
      ondeclaration() {},
      onprocessinginstruction() {},
      onend() {},
    },
  )
  tokenizer.write(html)
  tokenizer.end()
  return { text: assemble(out.join('')), steps }
}

/**
 * Plain text from an HTML fragment: tags removed, entities decoded, block elements as line
 * breaks (paragraphs separated by one blank line), script/style dropped, whitespace
 * normalised, trimmed. Link text is kept; hrefs are not. Linear in the input's length.
 */
export function htmlToText(html: string): string {
  return htmlToTextCounted(html).text
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
