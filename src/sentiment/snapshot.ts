// The compiled base lexicon as a small binary file, written by `npm run build`
// (scripts/scorer-table.mjs) next to the built scorer. Restoring it builds no object graph:
// the tables get their keys and hashes from flat arrays, and each Entry (with the table of the
// phrases it starts) is made the first time a lookup lands on it. Every slot is where the
// compiled table put it, so lookups and walk order are the compiled ones exactly
// (test/sentiment/table.test.ts).
import type { Entry, EntrySource } from './compile.js'
import { WordTable, type Loader } from './table.js'

// Per entry: valence, negated, hasNegated, factor, modValence, roles, source, flags.
const FIELDS = 8
// flags: bit 0 terminal, bit 1 "goes into the hashtag table" (compile.ts finishLexicon) as
// compiled, bits 2+ its child table's index + 1.
const F_TERMINAL = 1
const F_HASHTAG = 2
const CHILD_SHIFT = 2

export interface BaseSnapshot {
  /** The scorer version it was built for; another version's snapshot is never used. */
  version: string
  sources: EntrySource[]
  /** Each entry's path (its Entry.key): a nested table's key is the path after its parent's. */
  paths: string[]
  /** FIELDS numbers per entry. */
  fields: Float64Array
  /** Per table, depth first from the top one: capacity, slot count, then slot, hash, entry triples. */
  tables: Int32Array
  /** The top table, every slot given, so restoring it runs no loop per entry. */
  top: DenseTable
  /** The hashtag table finishLexicon makes from the base alone. */
  hashtags: DenseTable
}

/** A table slot by slot: keys NUL-joined ('' for an empty slot), each slot's hash and entry (-1: none). */
export interface DenseTable {
  keys: string
  hashes: Int32Array
  refs: Int32Array
}

/** Whether finishLexicon puts an entry in the hashtag table ("never again" → #neveragain). */
export const gluesIntoHashtag = (e: Entry): boolean => e.terminal && e.valence !== 0 && e.key.includes(' ')

/** `hashtags` is finishLexicon's hashtag table for `words` with no config layers. */
export function snapshotBase(words: WordTable<Entry>, hashtags: WordTable<Entry>, version: string): BaseSnapshot {
  const sources: EntrySource[] = []
  const paths: string[] = []
  const fields: number[] = []
  const tables: number[] = []
  const indexOf = new Map<Entry, number>()
  let tableCount = 0
  const visit = (table: WordTable<Entry>): number => {
    const index = tableCount++
    const row: number[] = [table.capacity, table.size]
    const nested: [number, WordTable<Entry>][] = []
    for (const [slot, , hash, e] of table.slots()) {
      let source = sources.indexOf(e.source)
      if (source < 0) source = sources.push(e.source) - 1
      const at = paths.length
      indexOf.set(e, at)
      paths.push(e.key)
      fields.push(e.valence, e.negated, e.hasNegated ? 1 : 0, e.factor, e.modValence, e.roles, source,
        (e.terminal ? F_TERMINAL : 0) | (gluesIntoHashtag(e) ? F_HASHTAG : 0))
      if (e.next !== null) nested.push([at, e.next])
      row.push(slot, hash, at)
    }
    tables.push(...row)
    // Child tables follow their parent, in slot order.
    for (const [at, next] of nested) {
      const child = visit(next)
      fields[at * FIELDS + 7] = (fields[at * FIELDS + 7] as number) + (child + 1) * (1 << CHILD_SHIFT)
    }
    return index
  }
  visit(words)
  const dense = (table: WordTable<Entry>): DenseTable => {
    const keys = new Array<string>(table.capacity).fill('')
    const hashes = new Int32Array(table.capacity)
    const refs = new Int32Array(table.capacity).fill(-1)
    for (const [slot, key, hash, e] of table.slots()) {
      const at = indexOf.get(e)
      if (at === undefined) throw new Error(`internal: ${key} is no entry of the base`)
      keys[slot] = key
      hashes[slot] = hash
      refs[slot] = at
    }
    return { keys: keys.join('\0'), hashes, refs }
  }
  return {
    version, sources, paths, fields: Float64Array.from(fields), tables: Int32Array.from(tables),
    // The top table's keys are its entries' paths (RestoredBase.top), so they are not stored.
    top: { ...dense(words), keys: '' }, hashtags: dense(hashtags),
  }
}

// File layout: "MSB2", u32 header length, the header (JSON: version, sources, counts), three
// UTF-8 strings (entry paths, top keys by slot, hashtag keys by slot, each NUL-joined),
// padding to 8, the fields (f64), then the nested tables, the top table's hashes and entries,
// the hashtag table's hashes and entries (i32), all little-endian.
const MAGIC = 0x3242534d

export function encodeSnapshot(snap: BaseSnapshot): Buffer {
  if (snap.paths.some((p) => p.includes('\0') || p === '')) throw new Error('a lexicon key is empty or contains NUL')
  const strings = [snap.paths.join('\0'), snap.top.keys, snap.hashtags.keys].map((x) => Buffer.from(x, 'utf8'))
  const ints = [snap.tables, snap.top.hashes, snap.top.refs, snap.hashtags.hashes, snap.hashtags.refs]
  const header = Buffer.from(JSON.stringify({
    version: snap.version, sources: snap.sources, entries: snap.paths.length,
    strings: strings.map((b) => b.length), fields: snap.fields.length, ints: ints.map((a) => a.length),
  }))
  const before = 8 + header.length + strings.reduce((n, b) => n + b.length, 0)
  const head = Buffer.alloc(8)
  head.writeUInt32LE(MAGIC, 0)
  head.writeUInt32LE(header.length, 4)
  const bytes = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  return Buffer.concat([head, header, ...strings, Buffer.alloc((8 - (before % 8)) % 8), bytes(snap.fields), ...ints.map(bytes)])
}

/** The snapshot in `buf`, or null when it is not one (a damaged or foreign file). */
export function decodeSnapshot(buf: Buffer): BaseSnapshot | null {
  if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) return null
  const headerLength = buf.readUInt32LE(4)
  const h = JSON.parse(buf.toString('utf8', 8, 8 + headerLength)) as {
    version: string; sources: EntrySource[]; entries: number; strings: [number, number, number]; fields: number; ints: [number, number, number, number, number]
  }
  let at = 8 + headerLength
  const [paths, topKeys, tagKeys] = h.strings.map((n) => {
    const s = buf.toString('utf8', at, at + n)
    at += n
    return s
  }) as [string, string, string]
  at += (8 - (at % 8)) % 8
  if (buf.length !== at + h.fields * 8 + h.ints.reduce((n, x) => n + x, 0) * 4) return null
  // A file read whole has its own aligned memory, so the arrays are views of it; bytes at an
  // odd offset (a pooled buffer) are copied once. Either way the data is little-endian, as written.
  const view = <T>(bytes: number, View: new (b: ArrayBuffer, offset: number, length: number) => T, size: number): T => {
    const from = buf.byteOffset + at
    const own = from % size === 0 ? buf.buffer : buf.buffer.slice(from, from + bytes)
    const v = new View(own as ArrayBuffer, own === buf.buffer ? from : 0, bytes / size)
    at += bytes
    return v
  }
  const fields = view(h.fields * 8, Float64Array, 8)
  const [tables, topHashes, topRefs, tagHashes, tagRefs] = h.ints.map((n) => view(n * 4, Int32Array, 4)) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array]
  const entryPaths = paths.split('\0')
  if (entryPaths.length !== h.entries) return null
  return {
    version: h.version, sources: h.sources, paths: entryPaths, fields, tables,
    top: { keys: topKeys, hashes: topHashes, refs: topRefs }, hashtags: { keys: tagKeys, hashes: tagHashes, refs: tagRefs },
  }
}

/** Makes the entries of one restored base on first use; each entry once, so identity holds. */
export class RestoredBase implements Loader<Entry> {
  private readonly entries: (Entry | undefined)[]
  private readonly starts: Int32Array
  /** Entries made so far: the only ones anything can have changed. */
  private readonly made: Entry[] = []

  constructor(private readonly snap: BaseSnapshot) {
    this.entries = new Array<Entry | undefined>(snap.paths.length)
    const { tables } = snap
    // Where each table starts in `tables`, found in one pass (they are laid out depth first).
    const starts: number[] = []
    for (let p = 0; p < tables.length; p += 2 + 3 * (tables[p + 1] as number)) starts.push(p)
    this.starts = Int32Array.from(starts)
  }

  /** Table `index`, its keys being its entries' paths after `prefixLength` chars. */
  table(index: number, prefixLength: number): WordTable<Entry> {
    const { tables, paths } = this.snap
    const p = this.starts[index] as number
    const count = tables[p + 1] as number
    const table = WordTable.ofCapacity<Entry>(tables[p] as number)
    for (let i = 0, q = p + 2; i < count; i++, q += 3) {
      const at = tables[q + 2] as number
      const path = paths[at] as string
      table.placeLazy(tables[q] as number, prefixLength === 0 ? path : path.slice(prefixLength), tables[q + 1] as number, at, this)
    }
    return table
  }

  dense(d: DenseTable): WordTable<Entry> {
    return WordTable.fromSlots(d.keys.split('\0'), d.hashes, d.refs, this)
  }

  /** The top table: its keys are its entries' paths, so they are not stored twice. */
  top(): WordTable<Entry> {
    const { paths, top } = this.snap
    return WordTable.fromSlots((at) => paths[at] as string, top.hashes, top.refs, this)
  }

  load(at: number): Entry {
    const made = this.entries[at]
    if (made !== undefined) return made
    const { fields, paths, sources } = this.snap
    const f = at * FIELDS
    const flags = fields[f + 7] as number
    const key = paths[at] as string
    const child = Math.floor(flags / (1 << CHILD_SHIFT))
    const e: Entry = {
      key, valence: fields[f] as number, negated: fields[f + 1] as number, hasNegated: fields[f + 2] === 1,
      factor: fields[f + 3] as number, modValence: fields[f + 4] as number, roles: fields[f + 5] as number,
      source: sources[fields[f + 6] as number] as EntrySource, terminal: (flags & F_TERMINAL) !== 0,
      next: child === 0 ? null : this.table(child - 1, key.length + 1),
    }
    this.entries[at] = e
    this.made.push(e)
    return e
  }

  /**
   * The build's hashtag table, unless an entry made since restoring (the only ones anything
   * can have changed) or one of `touched` (entries new to this base) has come in or out of it:
   * then null, and finishLexicon walks the tables instead. Untouched, the walk would insert the
   * same phrases in the same order, so this is its result slot for slot.
   */
  hashtagsUnless(touched: readonly Entry[]): WordTable<Entry> | null {
    const table = this.dense(this.snap.hashtags)
    // Looking up makes entries too: those are as compiled, so the ones made before are enough.
    const made = this.made.slice()
    for (const list of [made, touched]) {
      for (const e of list) if ((table.get(e.key.replace(/ /g, '')) === e) !== gluesIntoHashtag(e)) return null
    }
    return table
  }

  /**
   * The hashtag pass over an entry not made yet, and its phrases, in slot order: such entries
   * are as compiled, so the flag the build recorded still holds.
   */
  eachHashtag(at: number, add: (glued: string, at: number) => void): void {
    const { fields, tables, paths } = this.snap
    const flags = fields[at * FIELDS + 7] as number
    if ((flags & F_HASHTAG) !== 0) add((paths[at] as string).replace(/ /g, ''), at)
    const child = Math.floor(flags / (1 << CHILD_SHIFT))
    if (child === 0) return
    const p = this.starts[child - 1] as number
    const count = tables[p + 1] as number
    for (let i = 0, q = p + 2; i < count; i++, q += 3) this.eachHashtag(tables[q + 2] as number, add)
  }
}

/** A fresh base (its entries are the caller's to change) from a snapshot. */
export function restoreBase(snap: BaseSnapshot): WordTable<Entry> {
  return new RestoredBase(snap).top()
}
