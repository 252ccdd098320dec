import cron from 'node-cron';
import { z } from 'zod';
import { parseIntervalMs, parseRetentionDuration, type RetentionDuration } from './duration';

/**
 * The configuration contract. Every key has a default here or in config/default.yaml, and every
 * message says what is allowed, because an operator reads it on a failed start-up.
 */

const retentionDuration = z.string().transform((text, ctx): RetentionDuration => {
  const parsed = parseRetentionDuration(text);
  if (parsed) return parsed;
  ctx.addIssue({
    code: 'custom',
    message: 'a duration of y (years), m (months), w, d, h, such as 30d, 1y6m or 36h',
  });
  return z.NEVER;
});

const interval = z.string().transform((text, ctx): number => {
  const parsed = parseIntervalMs(text);
  if (parsed !== null && parsed > 0) return parsed;
  ctx.addIssue({ code: 'custom', message: 'an interval above zero such as 250ms, 2s, 10m, 1h' });
  return z.NEVER;
});

const wholeNumber = (min: number) =>
  z
    .number({ error: `a whole number >= ${min}` })
    .int(`a whole number >= ${min}`)
    .min(min);

/** A count rule: a whole number, where 0 turns the rule off, or `unlimited`. */
export type KeepCount = number | 'unlimited';
const keepCount = z.custom<KeepCount>(
  (value) => value === 'unlimited' || (Number.isInteger(value) && (value as number) >= 0),
  { message: 'a whole number >= 0 or "unlimited"' },
);

const rate = z.strictObject({
  max: wholeNumber(1),
  per: interval,
});

const timezone = z.string().refine(isKnownTimeZone, {
  message: 'an IANA time zone such as Asia/Shanghai or UTC',
});

/** IANA names only: legacy abbreviations such as CST are ambiguous (Chicago or China?). */
function isKnownTimeZone(zone: string): boolean {
  if (zone !== 'UTC' && !zone.includes('/')) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const snapshotStatus = z.enum(['progressing', 'accomplished', 'failed']);
export type SnapshotStatusName = z.infer<typeof snapshotStatus>;

const matchSchema = z.strictObject({
  snapshotType: z.enum(['auto', 'user', 'all']).default('all'),
  tags: z.record(z.string(), z.coerce.string()).optional(),
  diskIds: z.array(z.string().min(1)).min(1).optional(),
  namePattern: z.string().min(1).optional(),
  resourceGroupId: z.string().min(1).optional(),
  regions: z.array(z.string().min(1)).min(1).optional(),
  orphaned: z.boolean().optional(),
  status: z
    .union([snapshotStatus, z.array(snapshotStatus).min(1)])
    .transform((value) => (Array.isArray(value) ? value : [value]))
    .optional(),
});

const keepSchema = z.strictObject({
  last: keepCount.optional(),
  hourly: keepCount.optional(),
  daily: keepCount.optional(),
  weekly: keepCount.optional(),
  monthly: keepCount.optional(),
  yearly: keepCount.optional(),
  within: retentionDuration.optional(),
});

const policySchema = z
  .strictObject({
    name: z.string().min(1, 'a non-empty name'),
    match: matchSchema.default({ snapshotType: 'all' }),
    keep: keepSchema,
    groupBy: z.enum(['disk', 'none']).default('disk'),
    deleteFailed: z.boolean().default(false),
  })
  .superRefine((policy, ctx) => {
    if (hasActiveKeepRule(policy.keep)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['keep'],
      message:
        'at least one keep rule above zero (last, hourly, daily, weekly, monthly, yearly, within); a policy without one would delete everything it matches',
    });
  });

function hasActiveKeepRule(keep: z.infer<typeof keepSchema>): boolean {
  const counts = [keep.last, keep.hourly, keep.daily, keep.weekly, keep.monthly, keep.yearly];
  const countOn = counts.some((count) => count === 'unlimited' || (count ?? 0) > 0);
  const withinOn = keep.within !== undefined && keep.within.text !== '0h';
  return countOn || withinOn;
}

/** `value: '*'` (or no value) protects every snapshot carrying the key, whatever its value. */
const protectTag = z.strictObject({
  key: z.string().trim().min(1, 'a non-empty tag key'),
  value: z
    .union([z.string(), z.number(), z.boolean()], {
      error: 'a tag value (text; "*" for any value)',
    })
    .transform(String)
    .default('*'),
});

export const configSchema = z.strictObject({
  mode: z.enum(['dry-run', 'enforce']).default('dry-run'),
  regions: z.array(z.string().min(1)).min(1, 'at least one region'),
  timezone: timezone.default('UTC'),
  schedule: z.string().refine((pattern) => cron.validate(pattern), {
    message: 'a cron pattern of 5 fields (or 6 with seconds), such as "0 3 * * *"',
  }),
  safety: z.strictObject({
    minAge: retentionDuration,
    keepNewestPerDisk: wholeNumber(0),
    maxDeletionsPerRun: wholeNumber(0),
    maxDeletionFraction: z.number({ error: 'a fraction from 0 to 1' }).min(0).max(1),
    protectTags: z.array(protectTag).default([]),
  }),
  policies: z.array(policySchema).min(1, 'at least one policy').superRefine(uniqueNames),
  scan: z.strictObject({ rate, pageSize: wholeNumber(10).max(100) }),
  deletion: z.strictObject({
    rate,
    attempts: wholeNumber(1),
    concurrency: wholeNumber(1).default(4),
    backoff: z
      .strictObject({ initial: interval, max: interval })
      .refine((backoff) => backoff.initial <= backoff.max, {
        message: 'backoff.initial no longer than backoff.max',
      }),
    forceDiskDependents: z.boolean().default(false),
    lockDuration: interval,
    stalledInterval: interval,
    shutdownGrace: interval,
  }),
  ecs: z.strictObject({
    endpoint: z
      .string()
      .regex(/^[A-Za-z0-9.-]+(:\d{1,5})?$/, 'host[:port] without a scheme, such as 127.0.0.1:8787')
      .nullable()
      .default(null),
    protocol: z.enum(['http', 'https']).default('https'),
    timeout: interval,
  }),
  redis: z.strictObject({
    url: z.string().regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL'),
    prefix: z.string().regex(/^[A-Za-z0-9_{}-]+$/, 'letters, digits, _ - { } (no colon)'),
  }),
  server: z.strictObject({ host: z.string().min(1), port: wholeNumber(0).max(65535) }),
});

function uniqueNames(policies: readonly { name: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  policies.forEach((policy, index) => {
    if (seen.has(policy.name)) {
      ctx.addIssue({
        code: 'custom',
        path: [index, 'name'],
        message: 'a name no other policy uses',
      });
    }
    seen.add(policy.name);
  });
}

export type Config = z.output<typeof configSchema>;
export type Policy = Config['policies'][number];
export type PolicyMatch = Policy['match'];
export type PolicyKeep = Policy['keep'];
export type SafetyConfig = Config['safety'];
export type ProtectTag = SafetyConfig['protectTags'][number];
export type RateConfig = Config['deletion']['rate'];
