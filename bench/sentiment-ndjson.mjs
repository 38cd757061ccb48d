// The baseline for `mentions score`: the `sentiment` package behind the same interface (one
// text per stdin line in, one JSON result per line out), in plain JS so it pays no loader.
import readline from 'node:readline'
import Sentiment from 'sentiment'

const s = new Sentiment()
const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
let buf = ''
for await (const line of rl) {
  const r = s.analyze(line)
  buf += JSON.stringify({ label: r.comparative > 0 ? 'positive' : r.comparative < 0 ? 'negative' : 'neutral', score: r.comparative }) + '\n'
  if (buf.length > 65536) {
    if (!process.stdout.write(buf)) await new Promise((r) => process.stdout.once('drain', r))
    buf = ''
  }
}
process.stdout.write(buf)
