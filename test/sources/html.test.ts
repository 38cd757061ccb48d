import { describe, expect, it } from 'vitest'
import { decodeEntities, htmlToText, normaliseText, normaliseWhitespace } from '../../src/sources/html.js'

describe('htmlToText', () => {
  it('turns HN paragraphs (<p> never closed) into blank-line separated paragraphs', () => {
    expect(htmlToText('First.<p>Second.<p>Third.')).toBe('First.\n\nSecond.\n\nThird.')
  })

  it('decodes HN escaping (&#x27; &#x2F; &quot; &amp;)', () => {
    expect(htmlToText('I don&#x27;t use and&#x2F;or &quot;quotes&quot; &amp; such')).toBe(
      `I don't use and/or "quotes" & such`,
    )
  })

  it('keeps link text and drops the href', () => {
    const html = 'See <a href="https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2" rel="nofollow">the docs</a> first'
    expect(htmlToText(html)).toBe('See the docs first')
  })

  it('keeps a linkified URL readable', () => {
    const html = '<a href="https:&#x2F;&#x2F;docs.example&#x2F;x" rel="nofollow">https:&#x2F;&#x2F;docs.example&#x2F;x</a>'
    expect(htmlToText(html)).toBe('https://docs.example/x')
  })

  it('breaks lines at <br> and list items, paragraphs at block elements', () => {
    expect(htmlToText('one<br>two<br/>three')).toBe('one\ntwo\nthree')
    expect(htmlToText('<ul><li>a</li><li>b</li></ul>after')).toBe('a\nb\n\nafter')
    expect(htmlToText('<h2>Title</h2><div>body</div>')).toBe('Title\n\nbody')
  })

  it('collapses runs of blank lines and whitespace, and trims', () => {
    expect(htmlToText('  <p>a</p>\n\n\n<p></p><p></p><br><br><br>  b   c  ')).toBe('a\n\nb c')
    expect(htmlToText('a\n   b\t\tc')).toBe('a b c')
  })

  it('keeps the lines of <pre> blocks', () => {
    expect(htmlToText('run:<pre><code>npm ci\nnpm test\n</code></pre>done')).toBe('run:\n\nnpm ci\nnpm test\n\ndone')
  })

  it('drops script and style content entirely', () => {
    expect(htmlToText('a<script>alert("x")</script>b<style>p{color:red}</style>c')).toBe('abc')
  })

  it('removes inline markup such as Google Alerts <b>', () => {
    expect(htmlToText('<b>Acme</b> Cloud&nbsp;...')).toBe('Acme Cloud ...')
  })

  it('leaves a lone "<" that starts no tag as text', () => {
    expect(htmlToText('5 < 6 &amp; 7 > 3')).toBe('5 < 6 & 7 > 3')
  })

  it('returns plain text unchanged except for whitespace', () => {
    expect(htmlToText('')).toBe('')
    expect(htmlToText('  plain   words ')).toBe('plain words')
  })
})

describe('decodeEntities', () => {
  it('decodes entities and never treats markup characters as tags', () => {
    expect(decodeEntities('AT&amp;T &lt;b&gt;bold&lt;/b&gt;')).toBe('AT&T <b>bold</b>')
    expect(decodeEntities('a <b> c')).toBe('a <b> c')
  })
})

describe('normaliseText / normaliseWhitespace', () => {
  it('keeps line structure in plain text', () => {
    expect(normaliseText('line  one\r\n\n\n\nline two  ')).toBe('line one\n\nline two')
  })

  it('flattens to one line', () => {
    expect(normaliseWhitespace(' a\n b\u00a0c ')).toBe('a b c')
  })
})
