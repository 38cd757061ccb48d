// The compiled base lexicon as plain JSON, written by `npm run build` (scripts/scorer-table.mjs)
// next to the built scorer and restored in a few milliseconds instead of compiled (tens of ms):
// every entry and every table slot as compiled, so lookups, phrase tries and the order the
// hashtag pass walks them are the compiled ones exactly (test/sentiment/table.test.ts).
import type { Entry, EntrySource } from './compile.js'
import { hashOf, WordTable } from './table.js'

// Columnar, because JSON.parse is most of the cost: numbers parse far faster than objects.
// An entry's own key is its path of table keys, and a slot's hash is the hash of its key, so
// neither is stored.
const FIELDS = 8 // valence, negated, hasNegated, factor, modValence, roles, source, terminal | next << 1

export interface BaseSnapshot {
  /** The scorer version it was built for; another version's snapshot is never used. */
  version: string
  sources: EntrySource[]
  /** Each entry's key in the table holding it. */
  keys: string[]
  /** FIELDS numbers per entry. */
  fields: number[]
  /** Per table, depth first from the top one: capacity, slot count, then slot, entry pairs. */
  tables: number[]
}

export function snapshotBase(words: WordTable<Entry>, version: string): BaseSnapshot {
  const snap: BaseSnapshot = { version, sources: [], keys: [], fields: [], tables: [] }
  let tableCount = 0
  const visit = (table: WordTable<Entry>): number => {
    const index = tableCount++
    const row: number[] = [table.capacity, table.size]
    const nested: [number, WordTable<Entry>][] = []
    for (const [slot, key, , e] of table.slots()) {
      let source = snap.sources.indexOf(e.source)
      if (source < 0) source = snap.sources.push(e.source) - 1
      const at = snap.keys.length
      snap.keys.push(key)
      snap.fields.push(e.valence, e.negated, e.hasNegated ? 1 : 0, e.factor, e.modValence, e.roles, source, e.terminal ? 1 : 0)
      if (e.next !== null) nested.push([at, e.next])
      row.push(slot, at)
    }
    snap.tables.push(...row)
    // Child tables follow their parent, in slot order; each entry's field 7 gains its table.
    for (const [at, next] of nested) {
      const child = visit(next)
      snap.fields[at * FIELDS + 7] = (snap.fields[at * FIELDS + 7] as number) | ((child + 1) << 1)
    }
    return index
  }
  visit(words)
  return snap
}

/** A fresh base (its entries are the caller's to change) from a snapshot. */
export function restoreBase(snap: BaseSnapshot): WordTable<Entry> {
  const { keys, fields, tables, sources } = snap
  // Where each table starts in `tables`, found in one pass (they are laid out depth first).
  const starts: number[] = []
  for (let p = 0; p < tables.length; p += 2 + 2 * (tables[p + 1] as number)) starts.push(p)
  const build = (index: number, prefix: string | null): WordTable<Entry> => {
    const p = starts[index] as number
    const count = tables[p + 1] as number
    const table = WordTable.ofCapacity<Entry>(tables[p] as number)
    for (let i = 0; i < count; i++) {
      const at = tables[p + 3 + 2 * i] as number
      const key = keys[at] as string
      const f = at * FIELDS
      const last = fields[f + 7] as number
      const path = prefix === null ? key : `${prefix} ${key}`
      const next = last >> 1
      table.place(tables[p + 2 + 2 * i] as number, key, hashOf(key), {
        key: path, valence: fields[f] as number, negated: fields[f + 1] as number, hasNegated: fields[f + 2] === 1,
        factor: fields[f + 3] as number, modValence: fields[f + 4] as number, roles: fields[f + 5] as number,
        source: sources[fields[f + 6] as number] as EntrySource, terminal: (last & 1) === 1,
        next: next === 0 ? null : build(next - 1, path),
      })
    }
    return table
  }
  return build(0, null)
}
