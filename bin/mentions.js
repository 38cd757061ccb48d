#!/usr/bin/env node
// The bundle of dist/cli/main.js (scripts/bundle.mjs): one process start loads a few files, not sixty.
import '../dist/bin/main.js'
