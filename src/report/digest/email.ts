// The digest as a complete MIME message for `sendmail -t`: multipart/alternative with the
// text and HTML renderings, From, To, Subject (RFC 2047-encoded when not ASCII), Date and
// Message-ID, CRLF line ends. Built by nodemailer's MailComposer, which gets the encodings,
// folding and boundaries right; nothing is sent from here.
import MailComposer from 'nodemailer/lib/mail-composer/index.js'
import type { Digest } from '../../app/digest.js'
import { summaryLine } from './common.js'
import { renderHtml } from './html.js'
import { renderText } from './text.js'

export interface EmailOptions {
  to: readonly string[]
  from: string
  /** Default: the digest's one-line summary. */
  subject?: string
}

/** Where the message id's right-hand side comes from: the sender's domain, as RFC 5322 suggests. */
function domainOf(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from)
  return m?.[1] ?? 'localhost'
}

/** Stable for one digest (name and window), so a resend is recognisably the same message. */
export function messageId(d: Digest, from: string): string {
  const name = d.name.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'digest'
  return `<digest.${name}.${d.window.start}.${d.window.end}@${domainOf(from)}>`
}

export function renderEmail(d: Digest, opts: EmailOptions): Promise<string> {
  const mail = new MailComposer({
    from: opts.from,
    to: [...opts.to],
    subject: opts.subject ?? summaryLine(d),
    date: new Date(d.window.end),
    messageId: messageId(d, opts.from),
    text: renderText(d),
    html: renderHtml(d),
    textEncoding: 'quoted-printable',
  })
  return new Promise((resolve, reject) => {
    mail.compile().build((err, message) => {
      if (err) reject(err)
      // The headers end in CRLF, but a 7-bit body keeps its own LF line ends; mail wants CRLF everywhere.
      else resolve(message.toString('utf8').replace(/\r?\n/g, '\r\n'))
    })
  })
}
