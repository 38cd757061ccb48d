// The configuration schema, built from the registered sources so each source owns its part.
import { z } from 'zod'
import type { Source } from '../sources/types.js'
import { termProblem } from '../match/terms.js'
import { SPIKE_DEFAULTS, spikeSettingsProblems } from '../rules/spikes.js'
import { parseDuration } from './duration.js'
import { hasUrlPassword } from '../store/postgres/url.js'

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'expected a duration like "30m", "24h" or "7d"')

// A term, exclusion or required word: the matcher alone would silently ignore an empty one
// and read a stray quote as a literal character, so both are refused here with the key.
const term = z.string().superRefine((raw, ctx) => {
  const problem = termProblem(raw)
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
})

function brandSchema(kinds: readonly string[]) {
  const known = new Set(kinds)
  return z
    .object({
      name: z.string().trim().min(1, 'a brand needs a name'),
      terms: z.array(term).min(1, 'a brand needs at least one term'),
      exclude: z.array(term).default([]),
      require: z.array(term).default([]),
      languages: z.array(z.string().trim().regex(/^[a-z]{2}$/, 'expected an ISO 639-1 code like "en"')).default([]),
      competitor: z.boolean().default(false),
      handles: z
        .record(z.string(), z.array(z.string().trim().min(1)))
        .superRefine((handles, ctx) => {
          for (const key of Object.keys(handles)) {
            if (known.has(key)) continue
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `unknown source kind "${key}"; use one of ${kinds.map((k) => `"${k}"`).join(', ')}`,
            })
          }
        })
        .default({}),
      // `mentions spikes` per brand. Each key is checked alone here, and together (a baseline
      // of at least 3 buckets, minHistory within it) by the detector's own check, so a setting
      // that could not run is refused when the config loads, naming its key.
      spikes: z
        .object({
          bucket: duration.optional().describe(`Width of one bucket of created_at (default "${SPIKE_DEFAULTS.bucket}"; "1h" for busy brands)`),
          baseline: duration.optional().describe(`Trailing window each bucket is compared with (default "${SPIKE_DEFAULTS.baseline}")`),
          minHistory: z.number().int().min(1).optional().describe('Buckets since the brand\'s first mention before anything may fire (default: half the baseline)'),
          sensitivity: z.number().positive().optional().describe(`The score that fires: lower it to be told sooner, raise it for fewer alerts (default ${SPIKE_DEFAULTS.sensitivity})`),
          cooldown: duration.optional().describe('No second firing of a kind within this unless it grew by half again (default: 3 buckets)'),
          minCount: z.number().int().min(1).optional().describe(`Fewest mentions in a bucket that may fire (default ${SPIKE_DEFAULTS.minCount})`),
          shareMargin: z.number().gt(0).lt(1).optional().describe(`How far the negative share must exceed the baseline's, 0–1 (default ${SPIKE_DEFAULTS.shareMargin})`),
        })
        .strict()
        .superRefine((s, ctx) => {
          for (const p of spikeSettingsProblems(s)) {
            // A duration that does not parse is already reported by its own key's check.
            const value = s[p.key]
            if (typeof value === 'string' && parseDuration(value) === undefined) continue
            ctx.addIssue({ code: 'custom', path: [p.key], message: p.message })
          }
        })
        .optional(),
    })
    .strict()
}

// Brand names key the store (mention_brands, --brand): two that differ only in case would
// be one brand to every query.
function uniqueNames(brands: readonly { name: string }[], ctx: z.RefinementCtx): void {
  const first = new Map<string, number>()
  brands.forEach((b, i) => {
    const key = b.name.trim().toLowerCase()
    const seen = first.get(key)
    if (seen === undefined) first.set(key, i)
    else ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate brand name "${b.name}" (brands[${seen}].name; names are compared ignoring case)` })
  })
}

const sentimentSchema = z
  .object({
    words: z.record(z.string().min(1), z.number().min(-5).max(5)).default({}),
  })
  .strict()

// A rule's list conditions take one value or several ("source": "x" or ["x", "reddit"]).
const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[])

function ruleSchema(kinds: readonly string[]) {
  return z
    .object({
      name: z.string().trim().min(1, 'a rule needs a name (it is written in the event log)'),
      when: z
        .object({
          intent: oneOrMany(z.enum(['complaint', 'question', 'praise', 'other'])).optional(),
          sentiment: oneOrMany(z.enum(['negative', 'neutral', 'positive'])).optional(),
          source: oneOrMany(z.string().refine((k) => kinds.includes(k), { message: `unknown source kind; use one of ${kinds.map((k) => `"${k}"`).join(', ')}` })).optional(),
          brand: oneOrMany(z.string().min(1)).optional(),
          terms: z.array(term).min(1).optional(),
          minReach: z.number().int().min(0).optional(),
          maxRating: z.number().min(1).max(5).optional(),
          lang: oneOrMany(z.string().regex(/^[a-z]{2}$/, 'expected an ISO 639-1 code like "en"')).optional(),
        })
        .strict()
        .default({}),
      assign: z.string().trim().min(1).optional(),
      priority: z.enum(['urgent', 'high', 'normal', 'low']).optional(),
      tag: oneOrMany(z.string().trim().min(1).regex(/^[^\s,]+$/, 'a tag is one word (no spaces or commas)')).optional(),
      stop: z.boolean().optional(),
    })
    .strict()
    .refine((r) => r.assign !== undefined || r.priority !== undefined || r.tag !== undefined, {
      message: 'a rule must do something: add "assign", "priority" or "tag"',
    })
}

const pullSchema = z
  .object({
    since: duration.default('7d').describe('How far back a source reaches on its first pull'),
    concurrency: z.number().int().min(1).max(32).default(4).describe('Requests in flight at once per host during a pull'),
    deadline: duration.optional().describe('Longest a whole pull may take (default "10m"); sources still running then stop, keeping what they stored'),
    sourceDeadline: duration.optional().describe('Longest one source instance may take in a pull (default "2m")'),
    emptyAfter: z.number().int().min(1).optional().describe('Warn when a source that has had items answers empty this many pulls running (default 5)'),
  })
  .strict()

/** The pull settings as parsed (the optional ones have their defaults in the pull). */
export type PullSettings = z.output<typeof pullSchema>

/** Options every source entry takes, beside its own. */
const commonSourceOptions = {
  redirectHosts: z
    .array(z.string().trim().min(1).regex(/^[^\s/]+$/, 'a host name, or host:port (no scheme or path)'))
    .optional()
    .describe('Other hosts this source may be redirected to (same host is always allowed; private and metadata addresses never)'),
}

/** A source's options as its own schema parsed them (the entry without `kind`). */
export type SourceOptions = { baseUrl?: string | undefined; [key: string]: unknown }

export interface SourceEntry {
  kind: string
  options: SourceOptions
}

/**
 * `only`: the kinds the file names. Each source's options schema is built for those alone, so
 * loading a config never loads the adapters (and their parsers) of kinds it does not use; the
 * lists of known kinds in messages still come from every source. At least one variant is kept
 * so an entry of no known kind fails the same way whatever else the file holds.
 */
export function buildConfigSchema(sources: readonly Source[], only?: ReadonlySet<string>) {
  const used = only ? sources.filter((s) => only.has(s.kind)) : [...sources]
  const withOptions = used.length > 0 ? used : sources.slice(0, 1)
  const variants = withOptions.map((s) => {
    if (!(s.options instanceof z.ZodObject)) throw new Error(`source ${s.kind}: options must be a z.object`)
    return s.options.extend({ kind: z.literal(s.kind), ...commonSourceOptions }).strict()
  })
  const [first, ...rest] = variants
  if (!first) throw new Error('no sources registered')
  const sourceSchema = z.discriminatedUnion('kind', [first, ...rest])
  return z
    .object({
      $schema: z.string().optional(),
      database: z
        .string()
        .min(1)
        .refine((v) => !hasUrlPassword(v), 'a postgres:// URL with a password is a secret: put the whole URL in MENTIONS_DATABASE_URL (or MENTIONS_DATABASE_URL_FILE, or .env) and remove "database" here, or drop the password from it and set PGPASSWORD')
        .optional()
        .describe('SQLite file (relative paths resolve against this file), or a postgres:// URL without its password (set the password in MENTIONS_DATABASE_URL or PGPASSWORD)'),
      brands: z.array(brandSchema(sources.map((s) => s.kind))).min(1, 'add at least one brand').superRefine(uniqueNames),
      sources: z.array(sourceSchema).min(1, 'add at least one source'),
      sentiment: sentimentSchema.default({ words: {} }),
      pull: pullSchema.default({ since: '7d', concurrency: 4 }),
      rules: z.array(ruleSchema(sources.map((s) => s.kind))).default([]),
    })
    .strict()
    .superRefine((config, ctx) => {
      ownedChannels(config.sources, config.brands, new Set(withOptions.filter(ownsChannel).map((s) => s.kind)), ctx)
      ruleBrands(config.rules, config.brands, ctx)
    })
}

function ruleBrands(rules: readonly { when: { brand?: string[] } }[], brands: readonly { name: string }[], ctx: z.RefinementCtx): void {
  const names = brands.map((b) => b.name.toLowerCase())
  rules.forEach((r, i) =>
    (r.when.brand ?? []).forEach((b, j) => {
      if (!names.includes(b.toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'when', 'brand', j], message: `"${b}" is not a configured brand; use one of ${brands.map((x) => `"${x.name}"`).join(', ')}` })
      }
    }),
  )
}

/** An adapter whose entries name the brand they belong to (a Page, a place, an app). */
function ownsChannel(s: Source): boolean {
  return s.options instanceof z.ZodObject && 'brand' in s.options.shape
}

// A review site's entry is one brand's place or app: which brand must be clear at load time,
// not discovered at the first pull.
function ownedChannels(
  entries: readonly Record<string, unknown>[],
  brands: readonly { name: string; competitor: boolean }[],
  owned: ReadonlySet<string>,
  ctx: z.RefinementCtx,
): void {
  const names = brands.map((b) => b.name)
  const ours = brands.filter((b) => !b.competitor)
  entries.forEach((e, i) => {
    if (typeof e.kind !== 'string' || !owned.has(e.kind)) return
    if (typeof e.brand === 'string') {
      if (!names.some((n) => n.toLowerCase() === (e.brand as string).toLowerCase())) {
        ctx.addIssue({ code: 'custom', path: ['sources', i, 'brand'], message: `"${e.brand}" is not a configured brand; use one of ${names.map((n) => `"${n}"`).join(', ')}` })
      }
    } else if (ours.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['sources', i, 'brand'], message: `say which brand this ${e.kind} entry belongs to: add "brand": one of ${names.map((n) => `"${n}"`).join(', ')}` })
    }
  })
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>
export type RawConfig = z.output<ConfigSchema>

export function configJsonSchema(sources: readonly Source[]): unknown {
  return z.toJSONSchema(buildConfigSchema(sources), { io: 'input', unrepresentable: 'any' })
}
