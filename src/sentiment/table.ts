// A string-keyed hash table that can be probed with a slice of a larger string, so the
// tokenizer never has to cut a word out of the text to look it up: it hashes the word's chars
// while scanning and the table compares them in place. (A Map needs a fresh string per word,
// and hashes it again.)

/** FNV-1a over UTF-16 code units; a curly apostrophe counts as a straight one. */
export function hashOf(s: string, start = 0, end = s.length): number {
  let h = 0x811c9dc5 | 0
  for (let i = start; i < end; i++) {
    let c = s.charCodeAt(i)
    if (c === 0x2019) c = 39
    h = Math.imul(h ^ c, 0x01000193)
  }
  return h
}

/** One step of hashOf, for callers that hash while they scan. */
export const HASH_SEED = 0x811c9dc5 | 0
export const hashStep = (h: number, c: number): number => Math.imul(h ^ (c === 0x2019 ? 39 : c), 0x01000193)

/** Makes a slot's value on first use, from a reference the table was filled with (snapshot.ts). */
export interface Loader<V> {
  load(ref: number): V
}

export class WordTable<V> {
  private keys: (string | null)[]
  private hashes: Int32Array
  private vals: (V | null)[]
  private mask: number
  /** Per slot, what `loader` makes its value from while vals[slot] is still null; -1 for none. */
  private refs: Int32Array | null = null
  loader: Loader<V> | null = null
  size = 0

  constructor(expected = 4) {
    let cap = 8
    while (cap < expected * 2) cap <<= 1
    this.keys = new Array<string | null>(cap).fill(null)
    this.hashes = new Int32Array(cap)
    this.vals = new Array<V | null>(cap).fill(null)
    this.mask = cap - 1
  }

  get(key: string): V | undefined {
    return this.find(hashOf(key), key, 0, key.length)
  }

  /** Looks up src[start, end) whose hash is h, without slicing it. */
  find(h: number, src: string, start: number, end: number): V | undefined {
    const len = end - start
    const keys = this.keys
    let p = h & this.mask
    for (;;) {
      const k = keys[p]
      if (k === null || k === undefined) return undefined
      if (this.hashes[p] === h && k.length === len && sameChars(k, src, start)) return this.vals[p] ?? this.loadSlot(p)
      p = (p + 1) & this.mask
    }
  }

  set(key: string, value: V): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow()
    const h = hashOf(key)
    let p = h & this.mask
    for (;;) {
      const k = this.keys[p]
      if (k === null || k === undefined) {
        this.keys[p] = key
        this.hashes[p] = h
        this.vals[p] = value
        this.size++
        return
      }
      if (k === key) {
        this.vals[p] = value
        return
      }
      p = (p + 1) & this.mask
    }
  }

  /** As set(), with a value `loader` makes from `ref` when it is first looked up. */
  setLazy(key: string, ref: number, loader: Loader<V>): void {
    if (this.loader !== null && this.loader !== loader) throw new Error('internal: a WordTable takes one loader')
    this.loader = loader
    if ((this.size + 1) * 2 > this.keys.length) this.grow()
    this.refs ??= new Int32Array(this.keys.length).fill(-1)
    const h = hashOf(key)
    let p = h & this.mask
    for (;;) {
      const k = this.keys[p]
      if (k === null || k === undefined || k === key) {
        if (k !== key) {
          this.keys[p] = key
          this.hashes[p] = h
          this.size++
        }
        this.vals[p] = null
        this.refs[p] = ref
        return
      }
      p = (p + 1) & this.mask
    }
  }

  /**
   * Every occupied slot in slot order, without making lazy values: `visit` gets the value,
   * or null and the reference it would be made from.
   */
  forEachSlot(visit: (value: V | null, ref: number) => void): void {
    for (let p = 0; p < this.keys.length; p++) {
      if (this.keys[p] === null || this.keys[p] === undefined) continue
      const v = this.vals[p]
      if (v !== null && v !== undefined) visit(v, -1)
      else if (this.refs !== null && (this.refs[p] as number) >= 0) visit(null, this.refs[p] as number)
    }
  }

  private loadSlot(p: number): V | undefined {
    const ref = this.refs === null ? -1 : (this.refs[p] as number)
    if (ref < 0 || this.loader === null) return undefined
    const v = this.loader.load(ref)
    this.vals[p] = v
    return v
  }

  private valueAt(p: number): V | undefined {
    return this.vals[p] ?? this.loadSlot(p)
  }

  /** Occupied slots in slot order, for a snapshot that restores the same layout. */
  *slots(): IterableIterator<[slot: number, key: string, hash: number, value: V]> {
    for (let p = 0; p < this.keys.length; p++) {
      const k = this.keys[p]
      const v = k === null || k === undefined ? undefined : this.valueAt(p)
      if (k !== null && k !== undefined && v !== undefined) yield [p, k, this.hashes[p] as number, v]
    }
  }

  get capacity(): number {
    return this.keys.length
  }

  /**
   * An empty table of exactly this capacity, to be filled with `place` at the slots `slots()`
   * listed: lookups and the order of `values()` are then those of the table they came from,
   * without hashing or probing again.
   */
  static ofCapacity<V>(capacity: number): WordTable<V> {
    const t = new WordTable<V>(1)
    if (capacity !== t.keys.length) {
      t.keys = new Array<string | null>(capacity).fill(null)
      t.hashes = new Int32Array(capacity)
      t.vals = new Array<V | null>(capacity).fill(null)
      t.mask = capacity - 1
    }
    return t
  }

  place(slot: number, key: string, hash: number, value: V): void {
    this.keys[slot] = key
    this.hashes[slot] = hash
    this.vals[slot] = value
    this.size++
  }

  /**
   * A table whose every slot is given: `keys` by slot ('' for an empty one), or the key of
   * each reference, their hashes, and the reference `loader` makes each value from. The arrays are copied, so one snapshot can
   * restore many tables.
   */
  static fromSlots<V>(keys: string[] | ((ref: number) => string), hashes: Int32Array, refs: Int32Array, loader: Loader<V>): WordTable<V> {
    const t = new WordTable<V>(1)
    const cap = refs.length
    let own: (string | null)[]
    let size = 0
    if (typeof keys === 'function') {
      own = new Array<string | null>(cap).fill(null)
      for (let p = 0; p < cap; p++) {
        const r = refs[p] as number
        if (r >= 0) {
          own[p] = keys(r)
          size++
        }
      }
    } else {
      own = keys
      for (let p = 0; p < cap; p++) {
        if (keys[p] === '') own[p] = null
        else size++
      }
    }
    t.keys = own
    t.hashes = hashes.slice()
    t.vals = new Array<V | null>(cap).fill(null)
    t.refs = refs.slice()
    t.mask = cap - 1
    t.size = size
    t.loader = loader
    return t
  }

  /** As place(), with a value `loader` makes from `ref` on first lookup (see ofCapacity). */
  placeLazy(slot: number, key: string, hash: number, ref: number, loader: Loader<V>): void {
    this.loader = loader
    this.refs ??= new Int32Array(this.keys.length).fill(-1)
    this.keys[slot] = key
    this.hashes[slot] = hash
    this.refs[slot] = ref
    this.size++
  }

  *values(): IterableIterator<V> {
    for (let p = 0; p < this.keys.length; p++) {
      const v = this.keys[p] === null || this.keys[p] === undefined ? undefined : this.valueAt(p)
      if (v !== undefined) yield v
    }
  }

  private grow(): void {
    const keys = this.keys
    for (let p = 0; p < keys.length; p++) if (keys[p] !== null && keys[p] !== undefined) this.valueAt(p)
    this.refs = null
    const vals = this.vals
    const cap = keys.length * 2
    this.keys = new Array<string | null>(cap).fill(null)
    this.hashes = new Int32Array(cap)
    this.vals = new Array<V | null>(cap).fill(null)
    this.mask = cap - 1
    this.size = 0
    for (let p = 0; p < keys.length; p++) {
      const k = keys[p]
      const v = vals[p]
      if (k !== null && k !== undefined && v !== null && v !== undefined) this.set(k, v)
    }
  }
}

function sameChars(key: string, src: string, start: number): boolean {
  for (let q = 0; q < key.length; q++) {
    let c = src.charCodeAt(start + q)
    if (c === 0x2019) c = 39
    if (c !== key.charCodeAt(q)) return false
  }
  return true
}
