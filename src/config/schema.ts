// The configuration schema, built from the registered sources so each source owns its part.
import { z } from 'zod'
import type { Source } from '../sources/types.js'
import { parseDuration } from './duration.js'

const duration = z
  .string()
  .refine((s) => parseDuration(s) !== undefined, 'expected a duration like "30m", "24h" or "7d"')

const brandSchema = z
  .object({
    name: z.string().trim().min(1, 'a brand needs a name'),
    terms: z.array(z.string().trim().min(1)).min(1, 'a brand needs at least one term'),
    exclude: z.array(z.string().trim().min(1)).default([]),
    require: z.array(z.string().trim().min(1)).default([]),
    languages: z.array(z.string().trim().regex(/^[a-z]{2}$/, 'expected an ISO 639-1 code like "en"')).default([]),
    competitor: z.boolean().default(false),
    handles: z.record(z.string(), z.array(z.string().trim().min(1))).default({}),
  })
  .strict()

const sentimentSchema = z
  .object({
    words: z.record(z.string().min(1), z.number().min(-5).max(5)).default({}),
  })
  .strict()

const pullSchema = z
  .object({
    since: duration.default('7d').describe('How far back a source reaches on its first pull'),
    concurrency: z.number().int().min(1).max(32).default(4),
  })
  .strict()

/** A source's options as its own schema parsed them (the entry without `kind`). */
export type SourceOptions = { baseUrl?: string | undefined; [key: string]: unknown }

export interface SourceEntry {
  kind: string
  options: SourceOptions
}

export function buildConfigSchema(sources: readonly Source[]) {
  const variants = sources.map((s) => {
    if (!(s.options instanceof z.ZodObject)) throw new Error(`source ${s.kind}: options must be a z.object`)
    return s.options.extend({ kind: z.literal(s.kind) }).strict()
  })
  const [first, ...rest] = variants
  if (!first) throw new Error('no sources registered')
  const sourceSchema = z.discriminatedUnion('kind', [first, ...rest])
  return z
    .object({
      $schema: z.string().optional(),
      database: z.string().min(1).optional().describe('SQLite file; relative paths resolve against this file'),
      brands: z.array(brandSchema).min(1, 'add at least one brand'),
      sources: z.array(sourceSchema).min(1, 'add at least one source'),
      sentiment: sentimentSchema.default({ words: {} }),
      pull: pullSchema.default({ since: '7d', concurrency: 4 }),
    })
    .strict()
}

export type ConfigSchema = ReturnType<typeof buildConfigSchema>
export type RawConfig = z.output<ConfigSchema>

export function configJsonSchema(sources: readonly Source[]): unknown {
  return z.toJSONSchema(buildConfigSchema(sources), { io: 'input', unrepresentable: 'any' })
}
