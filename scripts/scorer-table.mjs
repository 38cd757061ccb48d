// Part of `npm run build`: snapshots the compiled base lexicon beside the built scorer, so a
// process restores it in milliseconds instead of compiling it (src/sentiment/snapshot.ts).
import fs from 'node:fs'
import { finishLexicon } from '../dist/sentiment/compile.js'
import { baseWords, SCORER_VERSION, SNAPSHOT_FILE } from '../dist/sentiment/scorer.js'
import { encodeSnapshot, snapshotBase } from '../dist/sentiment/snapshot.js'

const out = new URL(`../dist/sentiment/${SNAPSHOT_FILE}`, import.meta.url)
const words = baseWords({ compiled: true })
// With no config layers finishLexicon changes no entry, so `words` stays the compiled base.
const { hashtags } = finishLexicon(words, {}, [])
fs.writeFileSync(out, encodeSnapshot(snapshotBase(words, hashtags, SCORER_VERSION)))
// An older build's snapshot is never read again.
fs.rmSync(new URL('../dist/sentiment/scorer-base.json', import.meta.url), { force: true })
