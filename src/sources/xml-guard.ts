// A feed parser given deeply nested XML spends time far beyond linear in the depth (400k
// nested elements, 2.7 MB, held the CPU for 44 s; 1M never finished). No feed nests more than
// a dozen levels, so the depth is measured first, in one linear pass that allocates nothing,
// and a body nesting deeper than any feed is refused before the parser sees it.
import { SourceResponseError } from './types.js'

/** Deepest element nesting a feed may have; real feeds stay under 10. */
export const MAX_XML_DEPTH = 256

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f
const BANG = 0x21
const QUESTION = 0x3f
const DQUOTE = 0x22
const SQUOTE = 0x27
const LBRACKET = 0x5b

/** The index just past `end`, searched from `from`; the text's length when it never comes. */
function skipPast(text: string, end: string, from: number): number {
  const at = text.indexOf(end, from)
  return at === -1 ? text.length : at + end.length
}

/**
 * How deep the elements of an XML text nest, stopping as soon as it passes `limit` (so a
 * hostile body costs no more than reading up to that point). Comments, CDATA, processing
 * instructions and the DOCTYPE (with its internal subset) are skipped; quoted attribute
 * values may hold `>`. Malformed text is measured as far as it goes: the parser judges it.
 */
export function xmlDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0
  let max = 0
  let i = text.indexOf('<')
  const n = text.length
  while (i !== -1 && i < n) {
    const next = text.charCodeAt(i + 1)
    if (next === SLASH) {
      if (depth > 0) depth--
      i = skipPast(text, '>', i + 2)
    } else if (next === BANG) {
      if (text.startsWith('<!--', i)) i = skipPast(text, '-->', i + 4)
      else if (text.startsWith('<![CDATA[', i)) i = skipPast(text, ']]>', i + 9)
      else {
        // <!DOCTYPE …> may hold an internal subset in brackets, itself holding `>`.
        let j = i + 2
        while (j < n) {
          const c = text.charCodeAt(j)
          if (c === LBRACKET) j = skipPast(text, ']', j + 1)
          else if (c === GT) break
          else j++
        }
        i = j + 1
      }
    } else if (next === QUESTION) {
      i = skipPast(text, '?>', i + 2)
    } else {
      // A start tag: find its end outside quoted attribute values.
      let j = i + 1
      let quote = 0
      while (j < n) {
        const c = text.charCodeAt(j)
        if (quote !== 0) {
          if (c === quote) quote = 0
        } else if (c === DQUOTE || c === SQUOTE) quote = c
        else if (c === GT || c === LT) break
        j++
      }
      const selfClosing = j < n && text.charCodeAt(j) === GT && text.charCodeAt(j - 1) === SLASH
      if (!selfClosing) {
        depth++
        if (depth > max) {
          max = depth
          if (max > limit) return max
        }
      }
      i = j < n && text.charCodeAt(j) === GT ? j + 1 : j
    }
    if (i >= n) break
    i = text.indexOf('<', i)
  }
  return max
}

/** Throws SourceResponseError when the XML nests deeper than `limit`, naming the depth reached. */
export function assertXmlDepth(text: string, url: string, limit = MAX_XML_DEPTH): void {
  const depth = xmlDepth(text, limit)
  if (depth > limit) {
    throw new SourceResponseError(
      `the XML nests more than ${limit} elements deep (reached ${depth} before giving up); no feed does, so it is refused unparsed`,
      url,
    )
  }
}
