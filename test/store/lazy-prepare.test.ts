// Repositories prepare their statements on first use, so opening the store costs no SQLite
// parse per statement: a statement is not prepared until it runs, and then only once.
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { lazyPrepare } from '../../src/store/sqlite/open.js'

describe('lazyPrepare', () => {
  it('prepares nothing until the statement runs', () => {
    const db = new Database(':memory:')
    // A table that does not exist yet: preparing now would throw.
    const count = lazyPrepare<[], { n: number }>(db, 'SELECT count(*) AS n FROM later')
    const insert = lazyPrepare<[number]>(db, 'INSERT INTO later (x) VALUES (?)')
    db.exec('CREATE TABLE later (x INTEGER)')
    expect(insert.run(1).changes).toBe(1)
    insert.run(2)
    expect(count.get()).toEqual({ n: 2 })
    expect(count.all()).toEqual([{ n: 2 }])
    db.close()
  })

  it('applies its shape once, to the one prepared statement', () => {
    const db = new Database(':memory:')
    db.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)')
    let shaped = 0
    const xs = lazyPrepare<[number], number>(db, 'SELECT x FROM t WHERE x >= ? ORDER BY x', (s) => (shaped++, s.pluck()))
    expect(shaped).toBe(0)
    expect(xs.all(2)).toEqual([2, 3])
    expect([...xs.iterate(1)]).toEqual([1, 2, 3])
    expect(xs.get(3)).toBe(3)
    expect(shaped).toBe(1)
    db.close()
  })

  it('reports an SQL error when it runs, not when it is made', () => {
    const db = new Database(':memory:')
    const bad = lazyPrepare(db, 'SELEC nothing')
    expect(() => bad.run()).toThrow(/syntax error/)
    db.close()
  })
})
