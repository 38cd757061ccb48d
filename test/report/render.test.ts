import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import type { SentimentLabel } from '../../src/model.js'
import { createWriter, FORMATS, type Column, type Format } from '../../src/report/render.js'
import { createStyle } from '../../src/report/style.js'
import { planLayout, type LayoutSpec } from '../../src/report/table.js'
import { displayWidth } from '../../src/report/width.js'

interface Row {
  id: number
  text: string
  tags: string[]
  score: number
  ok: boolean
  note: string | null
  sentiment: SentimentLabel
}

const columns: Column<Row>[] = [
  { key: 'id', header: 'ID', get: (r) => r.id },
  { key: 'text', header: 'TEXT', get: (r) => r.text, tableWidth: 'flex' },
  { key: 'tags', header: 'TAGS', get: (r) => r.tags },
  { key: 'score', header: 'SCORE', get: (r) => r.score },
  { key: 'ok', header: 'OK', get: (r) => r.ok },
  { key: 'note', header: 'NOTE', get: (r) => r.note },
  {
    key: 'sentiment',
    header: 'SENTIMENT',
    get: (r) => r.sentiment,
    colour: (text, r, style) => style.sentiment(r.sentiment, text),
  },
]

const base: Row = { id: 1, text: '', tags: [], score: 0, ok: true, note: null, sentiment: 'neutral' }
const texts = [
  'plain ascii',
  'unicode: Café 世界 🎉 👨‍👩‍👧',
  'red \x1b[31malert\x1b[0m here',
  'link \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 end',
  'carriage\rreturn and crlf\r\nline',
  "=cmd|' /C calc'!A0",
  '+1+2',
  '-3+4',
  '@SUM(A1:A2)',
  'say "hi", then, go\nsecond line',
]
const rows: Row[] = texts.map((text, i) => ({
  ...base,
  id: i + 1,
  text,
  tags: i % 2 === 0 ? ['a', 'b,c'] : [],
  score: i === 2 ? -3.5 : i * 10,
  ok: i % 3 !== 0,
  note: i === 4 ? 'a note' : null,
  sentiment: (['negative', 'neutral', 'positive'] as const)[i % 3] ?? 'neutral',
}))

function render(format: Format, data: readonly Row[], opts: { level?: 0 | 1; width?: number } = {}): string {
  let out = ''
  const writer = createWriter<Row>({
    format,
    columns,
    out: { write: (chunk) => (out += chunk) },
    style: createStyle(opts.level ?? 0),
    ...(opts.width === undefined ? {} : { width: opts.width }),
  })
  for (const r of data) writer.write(r)
  writer.end()
  return out
}

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/

describe('FORMATS', () => {
  it('lists every format', () => {
    expect([...FORMATS].sort()).toEqual(['csv', 'ids', 'json', 'ndjson', 'table', 'tsv'])
  })
})

describe('json', () => {
  it('is one array of objects with native types and every key', () => {
    const out = render('json', rows)
    const parsed = JSON.parse(out) as unknown[]
    expect(parsed).toHaveLength(rows.length)
    expect(parsed[0]).toEqual({
      id: 1, text: 'plain ascii', tags: ['a', 'b,c'], score: 0, ok: false, note: null, sentiment: 'negative',
    })
    expect(parsed[2]).toMatchObject({ score: -3.5, text: 'red \x1b[31malert\x1b[0m here' })
    expect(Object.keys(parsed[1] as object)).toEqual(columns.map((c) => c.key))
  })

  it('streams: starts with [ and puts one object per line', () => {
    const lines = render('json', rows).trimEnd().split('\n')
    expect(lines[0]).toBe('[')
    expect(lines.at(-1)).toBe(']')
    expect(lines).toHaveLength(rows.length + 2)
  })

  it('prints [] for no rows', () => {
    expect(render('json', [])).toBe('[]\n')
  })

  it('escapes raw control, C1 and bidi characters but keeps the value', () => {
    const tricky = { ...base, text: 'a\x1b[2Jb\x9b31m\u202Ec\u2028d' }
    const out = render('json', [tricky])
    expect(out).not.toMatch(CONTROL)
    expect(out).not.toMatch(/[\u202e\u2028]/)
    expect((JSON.parse(out) as Row[])[0]?.text).toBe(tricky.text)
  })

  it('turns undefined cells into null so every key is present', () => {
    const cols: Column<Row>[] = [{ key: 'missing', header: 'M', get: () => undefined }]
    let out = ''
    const w = createWriter({ format: 'json', columns: cols, out: { write: (c) => (out += c) }, style: createStyle(0) })
    w.write(base)
    w.end()
    expect(JSON.parse(out)).toEqual([{ missing: null }])
  })
})

describe('ndjson', () => {
  it('writes one parseable object per line', () => {
    const lines = render('ndjson', rows).split('\n')
    expect(lines.pop()).toBe('')
    expect(lines).toHaveLength(rows.length)
    const parsed = lines.map((l) => JSON.parse(l) as Row)
    expect(parsed.map((r) => r.text)).toEqual(texts)
    expect(parsed[2]?.score).toBe(-3.5)
  })

  it('writes nothing for no rows', () => {
    expect(render('ndjson', [])).toBe('')
  })
})

describe('csv', () => {
  const out = render('csv', rows)
  const records = parse(out, { relax_column_count: false }) as string[][]
  const body = records.slice(1)
  const textOf = (i: number): string | undefined => body[i]?.[1]

  it('has a header row of keys and one record per row, CRLF-terminated', () => {
    expect(records[0]).toEqual(columns.map((c) => c.key))
    expect(body).toHaveLength(rows.length)
    expect(out.startsWith('id,text,tags,score,ok,note,sentiment\r\n')).toBe(true)
    expect(out.endsWith('\r\n')).toBe(true)
  })

  it('neutralises formula-looking text cells', () => {
    expect(textOf(5)).toBe("'=cmd|' /C calc'!A0")
    expect(textOf(6)).toBe("'+1+2")
    expect(textOf(7)).toBe("'-3+4")
    expect(textOf(8)).toBe("'@SUM(A1:A2)")
  })

  it('keeps numbers as numbers, negative ones included', () => {
    expect(body[2]?.[3]).toBe('-3.5')
    expect(body[3]?.[3]).toBe('30')
  })

  it('round-trips quotes, commas and newlines', () => {
    expect(textOf(9)).toBe('say "hi", then, go\nsecond line')
  })

  it('strips escape sequences and CRs but keeps unicode', () => {
    expect(textOf(1)).toBe('unicode: Café 世界 🎉 👨‍👩‍👧')
    expect(textOf(2)).toBe('red alert here')
    expect(textOf(3)).toBe('link click end')
    expect(textOf(4)).toBe('carriage\nreturn and crlf\nline')
    expect(out).not.toMatch(/\x1b/)
  })

  it('joins arrays with "; ", booleans as true/false, null as empty', () => {
    expect(body[0]?.[2]).toBe('a; b,c')
    expect(body[1]?.[2]).toBe('')
    expect(body[0]?.[4]).toBe('false')
    expect(body[1]?.[4]).toBe('true')
    expect(body[0]?.[5]).toBe('')
    expect(body[4]?.[5]).toBe('a note')
  })

  it('neutralises a formula that only appears once control characters are gone', () => {
    const r = render('csv', [{ ...base, text: '\x1b[0m=1+1', tags: ['=x'] }])
    const [, rec] = parse(r) as string[][]
    expect(rec?.[1]).toBe("'=1+1")
    expect(rec?.[2]).toBe("'=x")
  })

  it('writes nothing for no rows: the header comes with the first row', () => {
    expect(render('csv', [])).toBe('')
  })
})

describe('tsv', () => {
  const out = render('tsv', rows)
  const lines = out.split('\n')

  it('has a header of keys and exactly one line per row', () => {
    expect(lines.pop()).toBe('')
    expect(lines[0]).toBe(columns.map((c) => c.key).join('\t'))
    expect(lines).toHaveLength(rows.length + 1)
    for (const line of lines) expect(line.split('\t')).toHaveLength(columns.length)
  })

  it('writes full values on one line with no control characters', () => {
    const cells = lines.slice(1).map((l) => l.split('\t'))
    expect(cells[2]?.[1]).toBe('red alert here')
    expect(cells[3]?.[1]).toBe('link click end')
    expect(cells[4]?.[1]).toBe('carriage return and crlf line')
    expect(cells[9]?.[1]).toBe('say "hi", then, go second line')
    expect(cells[5]?.[1]).toBe("'=cmd|' /C calc'!A0") // neutralised as in CSV
    expect(out).not.toMatch(CONTROL)
  })

  it('keeps long values whole', () => {
    const long = 'word '.repeat(200).trim()
    const r = render('tsv', [{ ...base, text: long }])
    expect(r.split('\n')[1]?.split('\t')[1]).toBe(long)
  })

  it('joins arrays with commas, null as empty, numbers as written', () => {
    const cells = lines[1]?.split('\t')
    expect(cells).toEqual(['1', 'plain ascii', 'a,b,c', '0', 'false', '', 'negative'])
    expect(lines[3]?.split('\t')[3]).toBe('-3.5')
  })

  it('writes nothing for no rows, as csv does', () => {
    expect(render('tsv', [])).toBe('')
  })
})

describe('table', () => {
  it('fits every line into the width, truncating the flex column with …', () => {
    const long = { ...base, id: 99, text: 'lorem ipsum dolor sit amet '.repeat(10) }
    const out = render('table', [...rows, long], { width: 60 })
    const lines = out.trimEnd().split('\n')
    expect(lines).toHaveLength(rows.length + 2)
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(60)
    expect(lines.at(-1)).toMatch(/…/)
  })

  it('defaults to 100 columns', () => {
    const long = { ...base, text: 'x'.repeat(500) }
    const lines = render('table', [long]).trimEnd().split('\n')
    expect(Math.max(...lines.map(displayWidth))).toBe(100)
  })

  it('does not truncate when everything fits', () => {
    const out = render('table', [{ ...base, text: 'short' }], { width: 200 })
    expect(out).toContain('short')
    expect(out).not.toContain('…')
  })

  it('aligns columns by display width, CJK, emoji and combining marks included', () => {
    const narrow: Column<Row>[] = [
      { key: 'id', header: 'ID', get: (r) => r.id },
      { key: 'text', header: 'TEXT', get: (r) => r.text, tableWidth: 'flex' },
      { key: 'tags', header: 'TAGS', get: (r) => r.tags },
    ]
    let out = ''
    const w = createWriter<Row>({ format: 'table', columns: narrow, out: { write: (c) => (out += c) }, style: createStyle(0), width: 20 })
    w.write({ ...base, id: 1, text: '世界世界世界世界世界', tags: ['x'] })
    w.write({ ...base, id: 2, text: 'ab', tags: ['y'] })
    w.write({ ...base, id: 3, text: '🎉🎉x', tags: ['z'] })
    w.write({ ...base, id: 4, text: 'e\u0301'.repeat(20), tags: ['w'] })
    w.end()
    const lines = out.trimEnd().split('\n').slice(1)
    expect(lines).toEqual([
      ' 1  世界世界…   x',
      ' 2  ab          y',
      ' 3  🎉🎉x       z',
      ` 4  ${'e\u0301'.repeat(9)}…  w`,
    ])
    // Every tag starts at the same display column.
    expect(new Set(lines.map((l) => displayWidth(l))).size).toBe(1)
  })

  it('strips escape sequences and puts each row on one line', () => {
    const out = render('table', rows, { width: 200 })
    expect(out).not.toMatch(CONTROL)
    expect(out).toContain('red alert here')
    expect(out).toContain('say "hi", then, go second line')
    expect(out.trimEnd().split('\n')).toHaveLength(rows.length + 1)
  })

  it('has no colour at level 0', () => {
    expect(render('table', rows, { level: 0 })).not.toContain('\x1b')
  })

  it('colours the sentiment column by label when level > 0', () => {
    const out = render('table', rows, { level: 1, width: 200 })
    const lines = out.split('\n')
    expect(lines[1]).toContain('\x1b[31mnegative\x1b[39m')
    expect(lines[3]).toContain('\x1b[32mpositive\x1b[39m')
    // Untrusted text never brings its own colour: the only escapes are ours.
    expect(lines[3]).not.toContain('\x1b[31m')
    expect(displayWidth(lines[1]!.replace(/\x1b\[\d+m/g, ''))).toBeLessThanOrEqual(200)
  })

  it('right-aligns numeric columns', () => {
    const lines = render('table', [{ ...base, id: 7 }, { ...base, id: 1234 }]).split('\n')
    expect(lines[1]?.startsWith('   7')).toBe(true)
    expect(lines[2]?.startsWith('1234')).toBe(true)
  })

  it('uses tableColumns when given', () => {
    let out = ''
    const w = createWriter<Row>({
      format: 'table',
      columns,
      tableColumns: [{ key: 'id', header: 'NUMBER', get: (r) => r.id }],
      out: { write: (c) => (out += c) },
      style: createStyle(0),
    })
    w.write(base)
    w.end()
    expect(out).toBe('NUMBER\n     1\n')
  })

  it('caps a column with a numeric tableWidth', () => {
    let out = ''
    const w = createWriter<Row>({
      format: 'table',
      columns: [{ key: 'text', header: 'T', get: (r) => r.text, tableWidth: 5 }],
      out: { write: (c) => (out += c) },
      style: createStyle(0),
    })
    w.write({ ...base, text: 'abcdefgh' })
    w.end()
    expect(out).toBe('T\nabcd…\n')
  })

  it('prints nothing for no rows', () => {
    expect(render('table', [])).toBe('')
  })
})

describe('no rows', () => {
  // One rule for every format: json stays a valid document, line formats print nothing.
  const empty = (format: Format): { out: string; notes: number } => {
    let out = ''
    let notes = 0
    const w = createWriter<Row>({ format, columns, out: { write: (c) => (out += c) }, style: createStyle(0), onEmpty: () => notes++ })
    w.end()
    return { out, notes }
  }

  it('is each format’s own empty document', () => {
    expect(JSON.parse(empty('json').out)).toEqual([])
    expect(empty('ndjson').out).toBe('')
    expect(empty('csv').out).toBe('')
    expect(empty('tsv').out).toBe('')
    expect(empty('table').out).toBe('')
  })

  it('tells a person only for a table, and never for rows', () => {
    for (const format of FORMATS) expect(empty(format).notes).toBe(format === 'table' ? 1 : 0)
    let notes = 0
    const w = createWriter<Row>({ format: 'table', columns, out: { write: () => {} }, style: createStyle(0), onEmpty: () => notes++ })
    w.write(base)
    w.end()
    expect(notes).toBe(0)
  })
})

describe('planLayout', () => {
  // id, age, source, brand, sentiment, intent, author, text, url — the queue's shape.
  const natural = [3, 3, 6, 4, 9, 9, 14, 140, 60]
  const specs: LayoutSpec[] = [
    {}, {}, { kind: 8 }, { kind: 16, min: 6, drop: 1 }, {}, { drop: 2 }, { kind: 20, min: 8 }, { kind: 'flex' }, { whole: true, drop: 0 },
  ]
  const used = (l: { widths: number[]; shown: boolean[] }) =>
    l.widths.reduce((sum, w, i) => (l.shown[i] ? sum + w + 2 : sum), -2)

  it('gives the text at least half of 80 columns and still fits the line', () => {
    const l = planLayout(natural, specs, 80)
    expect(l.widths[7]).toBeGreaterThanOrEqual(40)
    expect(used(l)).toBeLessThanOrEqual(80)
    expect(l.shown[8]).toBe(false)
  })

  it('drops the permalink first, squeezes next, then drops by rank', () => {
    expect(planLayout(natural, specs, 120).shown).toEqual([true, true, true, true, true, true, true, true, false])
    const l = planLayout(natural, specs, 80)
    expect(l.shown).toEqual([true, true, true, false, true, false, true, true, false])
    expect(l.widths[6]).toBe(8)
  })

  it('shows a whole URL when there is room, and always with wide', () => {
    const roomy = planLayout(natural, specs, 200)
    expect(roomy.shown.every(Boolean)).toBe(true)
    expect(roomy.widths[8]).toBe(60)
    const wide = planLayout(natural, specs, 80, true)
    expect(wide.shown.every(Boolean)).toBe(true)
    expect(wide.widths[8]).toBe(60)
  })
})
