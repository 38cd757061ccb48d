// A feed parser given deeply nested XML spends time far beyond linear in the depth (400k
// nested elements, 2.7 MB, held the CPU for 44 s; 1M never finished). No feed nests more than
// a dozen levels, so the depth is measured first, in one linear pass that allocates nothing,
// and a body nesting deeper than any feed is refused before the parser sees it.
import { SourceResponseError } from './types.js'

/** Deepest element nesting a feed may have; real feeds stay under 10. */
export const MAX_XML_DEPTH = 256
/**
 * Most elements a feed may have. A 10 MiB feed of real items (each a few hundred bytes and a
 * handful of elements) has well under this; 300k tiny elements held the parser for seconds.
 */
export const MAX_XML_ELEMENTS = 200_000
/** Most attributes on one element; feeds use a few. 100k on one element (1 MB) took seconds. */
export const MAX_XML_ATTRIBUTES = 256

export interface XmlShape {
  depth: number
  elements: number
  /** The most attributes seen on one start tag. */
  attributes: number
}

export interface XmlLimits {
  depth: number
  elements: number
  attributes: number
}

const DEFAULT_LIMITS: XmlLimits = { depth: MAX_XML_DEPTH, elements: MAX_XML_ELEMENTS, attributes: MAX_XML_ATTRIBUTES }
const NO_LIMITS: XmlLimits = { depth: Infinity, elements: Infinity, attributes: Infinity }

const LT = 0x3c
const GT = 0x3e
const SLASH = 0x2f
const BANG = 0x21
const QUESTION = 0x3f
const DQUOTE = 0x22
const SQUOTE = 0x27
const LBRACKET = 0x5b
const EQUALS = 0x3d

/** The index just past `end`, searched from `from`; the text's length when it never comes. */
function skipPast(text: string, end: string, from: number): number {
  const at = text.indexOf(end, from)
  return at === -1 ? text.length : at + end.length
}

/**
 * How deep the elements of an XML text nest, how many there are and the most attributes on
 * one, stopping as soon as one passes its limit (so a hostile body costs no more than reading
 * up to that point). Comments, CDATA, processing instructions and the DOCTYPE (with its
 * internal subset) are skipped; quoted attribute values may hold `>`. Malformed text is
 * measured as far as it goes: the parser judges it.
 */
export function xmlShape(text: string, limits: XmlLimits = NO_LIMITS): XmlShape {
  let depth = 0
  const shape: XmlShape = { depth: 0, elements: 0, attributes: 0 }
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
      // A start tag: find its end outside quoted attribute values, counting `name=` pairs.
      let j = i + 1
      let quote = 0
      let attributes = 0
      while (j < n) {
        const c = text.charCodeAt(j)
        if (quote !== 0) {
          if (c === quote) quote = 0
        } else if (c === DQUOTE || c === SQUOTE) quote = c
        else if (c === EQUALS) attributes++
        else if (c === GT || c === LT) break
        j++
      }
      if (attributes > shape.attributes) {
        shape.attributes = attributes
        if (attributes > limits.attributes) return shape
      }
      if (++shape.elements > limits.elements) return shape
      const selfClosing = j < n && text.charCodeAt(j) === GT && text.charCodeAt(j - 1) === SLASH
      if (!selfClosing) {
        depth++
        if (depth > shape.depth) {
          shape.depth = depth
          if (depth > limits.depth) return shape
        }
      }
      i = j < n && text.charCodeAt(j) === GT ? j + 1 : j
    }
    if (i >= n) break
    i = text.indexOf('<', i)
  }
  return shape
}

/** The deepest nesting, stopping once past `limit`. */
export function xmlDepth(text: string, limit = Infinity): number {
  return xmlShape(text, { ...NO_LIMITS, depth: limit }).depth
}

/**
 * Throws SourceResponseError when the XML nests deeper, has more elements, or more
 * attributes on one element than any feed does, naming what it reached: such a body would
 * hold the parser's CPU for seconds to minutes, and is refused before the parser sees it.
 */
export function assertXmlBounds(text: string, url: string, limits: XmlLimits = DEFAULT_LIMITS): void {
  const shape = xmlShape(text, limits)
  const refuse = (what: string) => {
    throw new SourceResponseError(`the XML ${what}; no feed does, so it is refused unparsed`, url)
  }
  if (shape.depth > limits.depth) refuse(`nests more than ${limits.depth} elements deep (reached ${shape.depth} before giving up)`)
  if (shape.elements > limits.elements) refuse(`has more than ${limits.elements} elements`)
  if (shape.attributes > limits.attributes) refuse(`has an element with more than ${limits.attributes} attributes`)
}

/** assertXmlBounds for the depth alone. */
export function assertXmlDepth(text: string, url: string, limit = MAX_XML_DEPTH): void {
  assertXmlBounds(text, url, { ...NO_LIMITS, depth: limit })
}
