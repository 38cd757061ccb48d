import { describe, expect, it } from 'vitest'
import { VIEW_FIELDS, type MentionView } from '../../src/model.js'
import { formatAge } from '../../src/report/age.js'
import { createMentionTableColumns, mentionColumns } from '../../src/report/mentions.js'
import { createWriter, type Format } from '../../src/report/render.js'
import { createStyle } from '../../src/report/style.js'

const NOW = Date.parse('2024-05-10T12:00:00.000Z')

function view(over: Partial<MentionView> = {}): MentionView {
  return {
    id: 42,
    source: 'hackernews',
    sourceName: null,
    externalId: 'hn:1',
    url: 'https://news.ycombinator.com/item?id=1',
    title: null,
    text: 'Acme broke my build\nagain',
    author: 'alice',
    authorName: 'Alice',
    createdAt: '2024-05-10T09:00:00.000Z',
    fetchedAt: '2024-05-10T09:05:00.000Z',
    lang: 'en',
    isOwn: false,
    competitor: false,
    brand: 'Acme',
    brands: ['Acme'],
    terms: ['acme'],
    sentiment: 'negative',
    sentimentScore: -0.6,
    intent: 'complaint',
    state: 'open',
    assignee: null,
    answered: false,
    priority: 2,
    likes: 3,
    reposts: null,
    replies: 0,
    inReplyTo: null,
    rating: null,
    tags: [],
    snoozedUntil: null,
    authorReach: null,
    points: null,
    threadId: null,
    ...over,
  }
}

function render(format: Format, rows: MentionView[], level: 0 | 1 = 0, opts: { width?: number; wide?: boolean } = {}): string {
  let out = ''
  const w = createWriter({
    format,
    columns: mentionColumns,
    tableColumns: createMentionTableColumns(NOW),
    out: { write: (c) => (out += c) },
    style: createStyle(level),
    width: opts.width ?? 100,
    ...(opts.wide ? { wide: true } : {}),
  })
  for (const r of rows) w.write(r)
  w.end()
  return out
}

describe('mentionColumns', () => {
  it('are exactly VIEW_FIELDS, in order', () => {
    expect(mentionColumns.map((c) => c.key)).toEqual([...VIEW_FIELDS])
  })

  it('give JSON the MentionView unchanged', () => {
    const v = view()
    expect(JSON.parse(render('json', [v]))).toEqual([v])
    expect(JSON.parse(render('ndjson', [v]))).toEqual(v)
  })

  it('give CSV and TSV a header of VIEW_FIELDS', () => {
    expect(render('csv', [view()]).split('\r\n')[0]).toBe(VIEW_FIELDS.join(','))
    expect(render('tsv', [view()]).split('\n')[0]).toBe(VIEW_FIELDS.join('\t'))
  })
})

describe('createMentionTableColumns', () => {
  it("shows a post's title but a reply's own text (its title is the thread's)", () => {
    const text = createMentionTableColumns(NOW).find((c) => c.key === 'text')!
    expect(text.get(view({ title: 'Show HN: Acme 2.0', text: 'body' }))).toBe('Show HN: Acme 2.0')
    expect(text.get(view({ title: 'Show HN: Acme 2.0', text: 'my reply', inReplyTo: '123' }))).toBe('my reply')
  })

  it('shows id, age, source, brand, sentiment, intent, answered, priority, assignee, author, text and, with room, the url', () => {
    const cols = createMentionTableColumns(NOW)
    expect(cols.map((c) => c.key)).toEqual(['id', 'age', 'source', 'brand', 'sentiment', 'intent', 'answered', 'priority', 'assignee', 'author', 'text', 'url'])
    expect(cols.filter((c) => c.tableWidth === 'flex').map((c) => c.key)).toEqual(['text'])
  })

  it('computes the age from the injected now', () => {
    const out = render('table', [view(), view({ id: 43, createdAt: '2024-05-08T11:00:00.000Z' })])
    const [header, first, second] = out.split('\n')
    expect(header).toMatch(/^ID {2}AGE {2}SOURCE/)
    expect(first).toMatch(/^42 {2}3h /)
    expect(second).toMatch(/^43 {2}2d /)
  })

  it('prefers the title and falls back to the text, on one line', () => {
    const out = render('table', [view(), view({ id: 7, title: 'Show HN: Acme 2' })])
    expect(out).toContain('Acme broke my build again')
    expect(out).toContain('Show HN: Acme 2')
    expect(out).not.toContain('Acme broke my build\n')
  })

  it('falls back to the author name when there is no handle', () => {
    const out = render('table', [view({ author: null, authorName: 'Bob Builder' })])
    expect(out).toContain('Bob Builder')
  })

  const long = (id: number) =>
    view({
      id,
      author: 'a_rather_long_handle_indeed',
      text: 'Acme Cloud billing charged me twice this month and support has not answered in three days, what gives',
      url: `https://news.ycombinator.com/item?id=4730${id}`,
    })

  it('gives the text most of an 80-column line and keeps every line within it', () => {
    const lines = render('table', [long(11), long(12)], 0, { width: 80 }).trimEnd().split('\n')
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80)
    const start = lines[0]!.indexOf('TEXT')
    expect(80 - start).toBeGreaterThanOrEqual(40)
    expect(lines[1]!.slice(start)).toMatch(/^Acme Cloud billing charged me twice/)
    expect(lines[0]).not.toContain('URL')
  })

  it('abbreviates the source in the table only', () => {
    expect(render('table', [view()])).toMatch(/^42 {2}3h {3}hn /m)
    expect(render('tsv', [view()])).toContain('\thackernews\t')
  })

  it('adds the whole permalink on a wide terminal, or on any with wide', () => {
    expect(render('table', [long(11)], 0, { width: 220 })).toContain('https://news.ycombinator.com/item?id=473011')
    const wide = render('table', [long(11)], 0, { width: 80, wide: true })
    expect(wide.split('\n')[0]).toMatch(/URL$/)
    expect(wide).toContain('https://news.ycombinator.com/item?id=473011')
  })

  it('colours the sentiment only with colour on', () => {
    expect(render('table', [view()], 1)).toContain('\x1b[31mnegative\x1b[39m')
    expect(render('table', [view()], 0)).not.toContain('\x1b')
  })
})

describe('formatAge', () => {
  const t = Date.parse('2024-01-01T00:00:00Z')
  it.each([
    [0, '0s'],
    [59_000, '59s'],
    [60_000, '1m'],
    [3 * 3_600_000 + 59 * 60_000, '3h'],
    [2 * 86_400_000 + 1, '2d'],
    [364 * 86_400_000, '364d'],
    [800 * 86_400_000, '2y'],
  ])('%i ms ago is %s', (ago, label) => {
    expect(formatAge(t - ago, t)).toBe(label)
  })

  it('reads a future time (clock skew) as 0s and an invalid one as empty', () => {
    expect(formatAge(t + 5000, t)).toBe('0s')
    expect(formatAge(Number.NaN, t)).toBe('')
  })
})
