// Which addresses a redirect may lead to. Pure: the client feeds it literals from a URL and the
// addresses DNS resolved, so a name that resolves to 10.0.0.5 is refused like the literal.
import { isIP } from 'node:net'

export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified'

/** Host names that are cloud metadata endpoints whatever they resolve to. */
const METADATA_NAMES: ReadonlySet<string> = new Set(['metadata.google.internal', 'metadata', 'instance-data', 'instance-data.ec2.internal'])

function ipv4Class(ip: string): AddressClass {
  const [a = 0, b = 0, c = 0, d = 0] = ip.split('.').map(Number)
  if (a === 169 && b === 254 && c === 169 && d === 254) return 'metadata'
  if (a === 0) return 'unspecified'
  if (a === 127) return 'loopback'
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private'
  // Carrier-grade NAT space is as internal as RFC 1918 from a cloud host.
  if (a === 100 && b >= 64 && b <= 127) return 'private'
  if (a === 169 && b === 254) return 'link-local'
  return 'public'
}

/** The 8 groups of an IPv6 literal as numbers, or undefined. */
function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.toLowerCase()
  const zone = text.indexOf('%')
  if (zone >= 0) text = text.slice(0, zone)
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number)
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const h = head ? head.split(':') : []
  const t = tail !== undefined && tail !== '' ? tail.split(':') : []
  const fill = tail !== undefined ? 8 - h.length - t.length : 0
  const groups = [...h, ...Array<string>(Math.max(0, fill)).fill('0'), ...t].map((g) => parseInt(g, 16))
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined
}

function ipv6Class(ip: string): AddressClass {
  const g = ipv6Groups(ip)
  if (!g) return 'private' // unreadable: refuse rather than guess
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g
  if (g0 === 0xfd00 && g1 === 0x0ec2 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && g6 === 0 && g7 === 0x254) return 'metadata'
  if (g.every((x) => x === 0)) return 'unspecified'
  if (g.slice(0, 7).every((x) => x === 0) && g7 === 1) return 'loopback'
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible addresses are judged as the IPv4 inside.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0xffff || g5 === 0)) {
    return ipv4Class(`${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.${g7 & 0xff}`)
  }
  if ((g0 & 0xfe00) === 0xfc00) return 'private' // fc00::/7, unique local
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local' // fe80::/10
  return 'public'
}

/** The class of an IP literal (brackets allowed), or undefined for a name. */
export function classifyIp(literal: string): AddressClass | undefined {
  const ip = literal.replace(/^\[|\]$/g, '')
  const family = isIP(ip.split('%')[0] ?? ip)
  if (family === 4) return ipv4Class(ip)
  if (family === 6) return ipv6Class(ip)
  return undefined
}

/** The class of a URL's hostname as written: an IP literal, a metadata name, localhost, or public. */
export function classifyHostname(hostname: string): AddressClass {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  const ip = classifyIp(name)
  if (ip) return ip
  if (METADATA_NAMES.has(name)) return 'metadata'
  if (name === 'localhost' || name.endsWith('.localhost')) return 'loopback'
  return 'public'
}

/**
 * Why a redirect target at this class of address is refused, or undefined when it may be
 * followed. Loopback is allowed only when the request that redirected went to loopback too
 * (a local test server, a proxy on the same machine).
 */
export function refusedAddress(cls: AddressClass, fromLoopback: boolean): string | undefined {
  if (cls === 'public') return undefined
  if (cls === 'loopback' && fromLoopback) return undefined
  return `the target is a ${cls} address`
}
