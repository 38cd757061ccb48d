// Lines from a byte stream, decoded as UTF-8 across chunk boundaries; \r\n and \n both end a line.
import { StringDecoder } from 'node:string_decoder'

export async function* readLines(input: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8')
  let pending = ''
  for await (const chunk of input) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk)
    let nl: number
    while ((nl = pending.indexOf('\n')) !== -1) {
      yield pending.slice(0, nl).replace(/\r$/, '')
      pending = pending.slice(nl + 1)
    }
  }
  pending += decoder.end()
  if (pending) yield pending.replace(/\r$/, '')
}
