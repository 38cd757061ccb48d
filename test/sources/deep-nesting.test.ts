import { describe, expect, it } from 'vitest'
import { htmlToText, htmlToTextCounted, MAX_HTML_DEPTH } from '../../src/sources/html.js'
import { parseFeed } from '../../src/sources/rss.js'
import { SourceResponseError } from '../../src/sources/types.js'
import { assertXmlDepth, MAX_XML_ATTRIBUTES, MAX_XML_DEPTH, MAX_XML_ELEMENTS, xmlDepth, xmlShape } from '../../src/sources/xml-guard.js'

const FEED = 'https://feeds.example/acme.xml'
const NOW = Date.UTC(2026, 11, 1)

function nestedFeed(depth: number): string {
  // 400k levels of <x> inside one item's description: 2.8 MB, under the body cap.
  return (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><item><title>deep</title><description>' +
    '<x>'.repeat(depth) +
    'acme' +
    '</x>'.repeat(depth) +
    '</description></item></channel></rss>'
  )
}

describe('xmlDepth', () => {
  it.each([
    ['<a/>', 0],
    ['<a></a>', 1],
    ['<a><b><c/></b><b></b></a>', 2],
    ['<?xml version="1.0"?><!-- <x><y><z> --><a x="1>2" y=\'<b>\'><![CDATA[<c><d>]]></a>', 1],
    ['<!DOCTYPE rss [ <!ENTITY e "<x>"> ]><rss><channel></channel></rss>', 2],
    ['<a><b>', 2],
    ['no markup at all', 0],
  ])('measures %j as %i', (xml, depth) => {
    expect(xmlDepth(xml)).toBe(depth)
  })

  it('stops counting once past the limit', () => {
    expect(xmlDepth('<x>'.repeat(1000), 10)).toBe(11)
  })
})

describe('deeply nested XML', () => {
  it('refuses a 400k-deep feed with a typed error naming the depth, before parsing it', () => {
    const body = nestedFeed(400_000)
    expect(body.length).toBeGreaterThan(2_000_000)
    let err: unknown
    try {
      parseFeed(body, FEED, NOW)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(SourceResponseError)
    expect((err as Error).message).toContain(`more than ${MAX_XML_DEPTH} elements deep`)
    expect((err as SourceResponseError).url).toBe(FEED)
  })

  it('refuses a million levels the same way', () => {
    expect(() => assertXmlDepth('<x>'.repeat(1_000_000) + '</x>'.repeat(1_000_000), FEED)).toThrow(SourceResponseError)
  })

  it('still reads an ordinary feed, and one nested up to the limit', () => {
    expect(parseFeed(nestedFeed(3), FEED, NOW).map((d) => d.title)).toEqual(['deep'])
    const atLimit = MAX_XML_DEPTH - 5 // rss, channel, item, description around the nesting
    expect(() => parseFeed(nestedFeed(atLimit), FEED, NOW)).not.toThrow()
  })
})

describe('XML too wide for any feed', () => {
  const refusal = (body: string): unknown => {
    try {
      parseFeed(body, FEED, NOW)
    } catch (e) {
      return e
    }
    return undefined
  }

  it('refuses more elements than any feed has (300k tiny ones held the parser for seconds)', () => {
    const body = '<rss version="2.0"><channel><title>t</title><item><title>t</title>' + '<category>c</category>'.repeat(MAX_XML_ELEMENTS) + '</item></channel></rss>'
    const err = refusal(body)
    expect(err).toBeInstanceOf(SourceResponseError)
    expect((err as Error).message).toContain(`more than ${MAX_XML_ELEMENTS} elements`)
  })

  it('refuses an element with more attributes than any feed uses', () => {
    const attrs = Array.from({ length: MAX_XML_ATTRIBUTES + 1 }, (_, i) => `a${i}="x"`).join(' ')
    const err = refusal(`<rss version="2.0"><channel><title>t</title><item ${attrs}><title>t</title></item></channel></rss>`)
    expect(err).toBeInstanceOf(SourceResponseError)
    expect((err as Error).message).toContain(`more than ${MAX_XML_ATTRIBUTES} attributes`)
  })

  it('counts elements and attributes, not "=" inside quoted values', () => {
    expect(xmlShape('<a x="1=2" y=\'=\'><b/><c z="q"></c></a>')).toEqual({ depth: 2, elements: 3, attributes: 2 })
  })
})

describe('deeply nested HTML in an item', () => {
  const nested = (tag: string, depth: number) => `<${tag}>x`.repeat(depth) + `</${tag}>`.repeat(depth)

  it('converts 20k nested elements correctly', () => {
    expect(htmlToText(nested('span', 20_000))).toBe('x'.repeat(20_000))
    expect(htmlToText(nested('div', 20_000))).toBe(Array(20_000).fill('x').join('\n\n'))
  })

  it.each(['span', 'div', 'b', 'table', 'font'])('does work linear in the depth of <%s>', (tag) => {
    const small = htmlToTextCounted(nested(tag, 10_000)).steps
    const big = htmlToTextCounted(nested(tag, 20_000)).steps
    // Twice the input, at most a little over twice the work; quadratic would be four times.
    expect(big).toBeLessThanOrEqual(small * 2.1)
    expect(big).toBeLessThan(20_000 * 4)
  })

  it('stays linear when closing tags name nothing that is open', () => {
    const html = '<span>'.repeat(20_000) + 'x' + '</div>'.repeat(20_000)
    const r = htmlToTextCounted(html)
    expect(r.text).toBe('x')
    expect(r.steps).toBeLessThanOrEqual(20_000 * (MAX_HTML_DEPTH + 2))
    expect(htmlToTextCounted('<span>'.repeat(40_000) + 'x' + '</div>'.repeat(40_000)).steps).toBeLessThanOrEqual(r.steps * 2.1)
  })

  it('keeps skipping script content at any depth, and text after it', () => {
    const html = '<div>'.repeat(1000) + '<script>alert(1)</script>after' + '</div>'.repeat(1000)
    expect(htmlToText(html)).toBe('after')
    expect(htmlToText('<div><svg><g>drawing</div>text')).toBe('text')
  })
})
