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
  /** The hashtag table finishLexicon makes from the base alone: its keys, and its slots as one table above. */
  hashtagKeys: string[]
  hashtags: Int32Array
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
  const hashtagKeys: string[] = []
  const tagRow: number[] = [hashtags.capacity, hashtags.size]
  for (const [slot, key, hash, e] of hashtags.slots()) {
    const at = indexOf.get(e)
    if (at === undefined) throw new Error(`internal: hashtag ${key} is no entry of the base`)
    hashtagKeys.push(key)
    tagRow.push(slot, hash, at)
  }
  return { version, sources, paths, fields: Float64Array.from(fields), tables: Int32Array.from(tables), hashtagKeys, hashtags: Int32Array.from(tagRow) }
}

// File layout: "MSB1", u32 header length, the header (JSON: version, sources, byte and item
// counts), the paths joined by NUL as UTF-8, padding to 8, the fields, the tables.
const MAGIC = 0x3142534d

export function encodeSnapshot(snap: BaseSnapshot): Buffer {
  const strings = [...snap.paths, ...snap.hashtagKeys]
  if (strings.some((p) => p.includes('\0'))) throw new Error('a lexicon key contains NUL')
  const paths = Buffer.from(strings.join('\0'), 'utf8')
  const header = Buffer.from(JSON.stringify({
    version: snap.version, sources: snap.sources, pathBytes: paths.length, entries: snap.paths.length, hashtagKeys: snap.hashtagKeys.length,
    fields: snap.fields.length, tables: snap.tables.length, hashtags: snap.hashtags.length,
  }))
  const before = 8 + header.length + paths.length
  const pad = (8 - (before % 8)) % 8
  const head = Buffer.alloc(8)
  head.writeUInt32LE(MAGIC, 0)
  head.writeUInt32LE(header.length, 4)
  return Buffer.concat([head, header, paths, Buffer.alloc(pad), Buffer.from(snap.fields.buffer, snap.fields.byteOffset, snap.fields.byteLength),
    Buffer.from(snap.tables.buffer, snap.tables.byteOffset, snap.tables.byteLength), Buffer.from(snap.hashtags.buffer, snap.hashtags.byteOffset, snap.hashtags.byteLength)])
}

/** The snapshot in `buf`, or null when it is not one (a damaged or foreign file). */
export function decodeSnapshot(buf: Buffer): BaseSnapshot | null {
  if (buf.length < 8 || buf.readUInt32LE(0) !== MAGIC) return null
  const headerLength = buf.readUInt32LE(4)
  const h = JSON.parse(buf.toString('utf8', 8, 8 + headerLength)) as {
    version: string; sources: EntrySource[]; pathBytes: number; entries: number; hashtagKeys: number; fields: number; tables: number; hashtags: number
  }
  let at = 8 + headerLength
  const strings = buf.toString('utf8', at, at + h.pathBytes).split('\0')
  at += h.pathBytes
  at += (8 - (at % 8)) % 8
  if (h.entries === 0 || strings.length !== h.entries + h.hashtagKeys || buf.length !== at + h.fields * 8 + (h.tables + h.hashtags) * 4) return null
  const paths = strings.slice(0, h.entries)
  const hashtagKeys = strings.slice(h.entries)
  // One copy into an aligned buffer: the file's bytes may sit at any offset of a pooled one.
  const fields = new Float64Array(h.fields)
  new Uint8Array(fields.buffer).set(buf.subarray(at, at + h.fields * 8))
  at += h.fields * 8
  const tables = new Int32Array(h.tables)
  new Uint8Array(tables.buffer).set(buf.subarray(at, at + h.tables * 4))
  at += h.tables * 4
  const hashtags = new Int32Array(h.hashtags)
  new Uint8Array(hashtags.buffer).set(buf.subarray(at, at + h.hashtags * 4))
  return { version: h.version, sources: h.sources, paths, fields, tables, hashtagKeys, hashtags }
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
    const { hashtags, hashtagKeys } = this.snap
    const table = WordTable.ofCapacity<Entry>(hashtags[0] as number)
    for (let i = 0, q = 2; i < (hashtags[1] as number); i++, q += 3) {
      table.placeLazy(hashtags[q] as number, hashtagKeys[i] as string, hashtags[q + 1] as number, hashtags[q + 2] as number, this)
    }
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
  return new RestoredBase(snap).table(0, 0)
}
