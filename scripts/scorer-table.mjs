// Part of `npm run build`: snapshots the compiled base lexicon beside the built scorer, so a
// process restores it in milliseconds instead of compiling it (src/sentiment/snapshot.ts).
import fs from 'node:fs'
import { baseWords, SCORER_VERSION, SNAPSHOT_FILE } from '../dist/sentiment/scorer.js'
import { snapshotBase } from '../dist/sentiment/snapshot.js'

const out = new URL(`../dist/sentiment/${SNAPSHOT_FILE}`, import.meta.url)
fs.writeFileSync(out, JSON.stringify(snapshotBase(baseWords({ compiled: true }), SCORER_VERSION)))
