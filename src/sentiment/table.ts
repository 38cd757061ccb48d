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

export class WordTable<V> {
  private keys: (string | null)[]
  private hashes: Int32Array
  private vals: (V | null)[]
  private mask: number
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
      if (this.hashes[p] === h && k.length === len && sameChars(k, src, start)) return this.vals[p] ?? undefined
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

  /** Occupied slots in slot order, for a snapshot that restores the same layout. */
  *slots(): IterableIterator<[slot: number, key: string, hash: number, value: V]> {
    for (let p = 0; p < this.keys.length; p++) {
      const k = this.keys[p]
      const v = this.vals[p]
      if (k !== null && k !== undefined && v !== null && v !== undefined) yield [p, k, this.hashes[p] as number, v]
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

  *values(): IterableIterator<V> {
    for (let p = 0; p < this.keys.length; p++) {
      const v = this.vals[p]
      if (this.keys[p] !== null && v !== null && v !== undefined) yield v
    }
  }

  private grow(): void {
    const keys = this.keys
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
