// What the bundle gives pg for its lib/stream.js (scripts/bundle.mjs): the Node.js half of that
// module, the same two functions. pg picks between Node and Cloudflare Workers when it loads,
// and on Node 20 (no global navigator) it asks by constructing a fetch Response, which loads
// Node's whole fetch stack (undici, http, http2, tls, zlib, worker_threads): 20-27 ms of every
// command on a PostgreSQL database, for a question whose answer here is always "Node".
module.exports = {
  getStream() {
    const net = require('node:net')
    return new net.Socket()
  },
  getSecureStream(options) {
    const tls = require('node:tls')
    return tls.connect(options)
  },
}
