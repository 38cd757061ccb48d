// What the bundle gives commander for `require('node:child_process')` (scripts/bundle.mjs).
// Commander needs it only to run executable subcommands, which mentions never defines; loading
// it at start (with net and dgram behind it) cost 2–3 ms of every command. The module is
// loaded on first use instead.
let childProcess
module.exports = new Proxy({}, {
  get: (_, key) => (childProcess ??= require('node:child_process'))[key],
})
