// The store contract on the PostgreSQL engine: a fresh database per store on the test server.
import { afterAll, describe, it } from 'vitest'
import { openStore } from '../../../src/store/index.js'
import { storeContract } from '../contract.js'
import { dropPgDatabases, freshPgUrl, pgSkip } from '../../support/pg.js'

if (pgSkip) {
  describe('store contract: postgres', () => {
    it.skip(`skipped: ${pgSkip}`, () => undefined)
  })
} else {
  afterAll(dropPgDatabases)
  storeContract('postgres', async () => openStore(await freshPgUrl()), { sharedPullLock: true })
}
