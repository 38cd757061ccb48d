// The digest as one self-contained HTML page for a browser and for mail clients: table layout
// and inline styles (mail clients drop <style> blocks and know neither flex nor grid), an
// inline SVG bar chart, no script, no external asset. Every untrusted string is cleaned
// (common.ts) and HTML-escaped; the only links are the mentions' own http(s) permalinks.
import type { Digest, DigestItem } from '../../app/digest.js'
import {
  bucketName, coverageLine, excerpt, healthLine, itemFacts, moreLine, responsesLine, safeUrl, sentimentLine, spikeLine,
  themeLine, title, unknownLine, volumeLine, voiceLine, when, windowLine, clean,
} from './common.js'

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] as string)
}

const FONT = 'font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;'
const CELL = `${FONT}font-size:14px;line-height:1.45;color:#1f2328;padding:4px 0;`
const MUTED = `${FONT}font-size:12px;color:#656d76;`

/** Bars of volume per bucket, negative stacked in red; sized in the SVG itself. */
export function chartSvg(d: Digest): string {
  const bs = d.series.buckets
  const w = 560
  const h = 80
  const gap = 2
  const bw = Math.max(1, Math.floor((w - gap * bs.length) / Math.max(1, bs.length)))
  const max = Math.max(1, ...bs.map((b) => b.total))
  const bars = bs
    .map((b, i) => {
      const x = i * (bw + gap)
      const th = Math.round((b.total / max) * h)
      const nh = Math.round((b.negative / max) * h)
      return `<rect x="${x}" y="${h - th}" width="${bw}" height="${th}" fill="#8c959f"/><rect x="${x}" y="${h - nh}" width="${bw}" height="${nh}" fill="#cf222e"/>`
    })
    .join('')
  const label = `New mentions per ${bucketName(d)} (grey), negative ones (red)`
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title>${bars}</svg>`
}

export function renderHtml(d: Digest): string {
  const now = d.window.end
  const e = escapeHtml
  const rows: string[] = []
  const row = (html: string, style = CELL) => rows.push(`<tr><td style="${style}">${html}</td></tr>`)
  const section = (s: string) => row(e(s), `${FONT}font-size:17px;font-weight:600;color:#1f2328;padding:18px 0 4px 0;border-bottom:1px solid #d0d7de;`)
  const para = (s: string) => row(e(s))
  const items = (list: readonly DigestItem[], extra?: (i: DigestItem) => string) => {
    for (const i of list) {
      const href = safeUrl(i.url)
      const text = e(excerpt(i))
      const head = href ? `<a href="${e(href)}" style="color:#0969da;text-decoration:none;">${text}</a>` : text
      row(`${head}<br><span style="${MUTED}">${e(itemFacts(i, now))}${extra ? ` · ${e(extra(i))}` : ''}</span>`)
    }
  }

  row(e(title(d)), `${FONT}font-size:22px;font-weight:600;color:#1f2328;padding:0 0 2px 0;`)
  row(e(windowLine(d)), `${MUTED}padding:0 0 8px 0;`)

  section('Source health')
  if (d.health.length === 0) para('Every source pulled cleanly.')
  for (const p of d.health) row(`&#9888; ${e(healthLine(p, now))}`, `${CELL}color:#9a6700;font-weight:600;`)

  section('Volume')
  para(volumeLine(d))
  para(`Sentiment: ${sentimentLine(d)}`)
  row(chartSvg(d))

  section('Top unanswered')
  if (d.unanswered.items.length === 0) para('Nothing new is waiting for an answer.')
  items(d.unanswered.items)
  if (d.unanswered.more) para(moreLine(d.unanswered.more, 'unanswered'))

  section('Newly assigned')
  if (d.assigned.items.length === 0) para('Nothing was assigned in the window.')
  items(d.assigned.items, (i) => `to ${clean(i.assignee ?? '', 40)}`)
  if (d.assigned.more) para(moreLine(d.assigned.more, 'assigned'))

  section(`Overdue (open, unanswered, older than ${Math.round(d.overdue.afterMs / 3600_000)}h)`)
  if (d.overdue.items.length === 0) para('Nothing is overdue.')
  items(d.overdue.items)
  if (d.overdue.more) para(moreLine(d.overdue.more, 'overdue'))

  section('Responses')
  para(responsesLine(d))

  section('Spikes')
  if (d.spikes.length === 0) para('No spike is active.')
  for (const s of d.spikes) para(spikeLine(s))

  section('Themes growing among negative mentions')
  if (d.themes.length === 0) para('No phrase grew.')
  for (const t of d.themes) para(themeLine(t))

  if (d.voice) {
    section('Share of voice')
    for (const v of d.voice) para(voiceLine(v))
  }

  section('Coverage')
  if (d.coverage.sources.length === 0) para('No pull ran in the window.')
  for (const l of d.coverage.sources) para(coverageLine(l))
  para(unknownLine(d))
  row(e(`Generated ${when(now)} by mentions.`), `${MUTED}padding:16px 0 0 0;`)

  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title(d))}</title>`,
    '</head>',
    '<body style="margin:0;padding:0;background:#f6f8fa;">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f6f8fa;">',
    '<tr><td align="center" style="padding:16px;">',
    '<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" style="max-width:600px;width:100%;background:#ffffff;border:1px solid #d0d7de;border-radius:6px;">',
    '<tr><td style="padding:20px;">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">',
    ...rows,
    '</table>',
    '</td></tr>',
    '</table>',
    '</td></tr>',
    '</table>',
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
