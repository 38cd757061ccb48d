// A record may carry the id it had in an export: kept when that id is free, so an import into
// an empty database restores the export's ids; a taken or unusable id gets a fresh one.
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openStore, type Store } from '../../src/store/index.js'
import { tempDir } from '../support/deps.js'
import { record } from './contract.js'

let dir: string
let store: Store
afterEach(async () => {
  await store.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function ids(): Promise<Record<string, number>> {
  const out: Record<string, number> = {}
  for await (const chunk of store.mentions.iterate({})) for (const m of chunk) out[m.externalId] = m.id
  return out
}

describe('a record carrying an id', () => {
  it('keeps a free id, and gets a fresh one when the id is taken or not a positive integer', async () => {
    dir = tempDir('mentions-ids-')
    store = openStore(path.join(dir, 'm.db'))
    await store.mentions.upsertPage([record({ externalId: 'a', id: 40 }), record({ externalId: 'b', id: 7 })])
    await store.mentions.upsertPage([record({ externalId: 'c', id: 40 }), record({ externalId: 'd', id: -3 }), record({ externalId: 'e' })])
    const got = await ids()
    expect(got.a).toBe(40)
    expect(got.b).toBe(7)
    expect(new Set(Object.values(got)).size).toBe(5)
    expect(got.c).not.toBe(40)
    expect(got.d).toBeGreaterThan(0)
    // An update never moves a row to another id.
    await store.mentions.upsertPage([record({ externalId: 'a', id: 99, text: 'acme changed its mind' })])
    expect((await ids()).a).toBe(40)
  })
})
