import { z } from 'zod';

import { ECS_ACTIONS } from './types';

/**
 * zod schemas for everything the emulator reads from outside: inventory files, the admin
 * endpoints' bodies and fault settings. Items are loose objects: fields the emulator does not
 * interpret are kept and returned as they came, as the real API would.
 */

const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z$/;

/** A real calendar date in UTC: `2026-02-29T00:00:00Z` is rejected, not rolled over. */
function isRealUtcTime(text: string): boolean {
  const parts = ISO_UTC.exec(text)
    ?.slice(1, 7)
    .map((part) => Number(part ?? 0));
  if (!parts) return false;

  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = parts;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  const back = [
    date.getUTCFullYear(),
    date.getUTCMonth() + 1,
    date.getUTCDate(),
    date.getUTCHours(),
    date.getUTCMinutes(),
    date.getUTCSeconds(),
  ];
  return back.every((value, index) => value === parts[index]);
}

const utcTime = z.string().refine(isRealUtcTime, 'expected a UTC time like 2026-11-30T03:00:00Z');

const tags = z.object({
  Tag: z.array(z.object({ TagKey: z.string().min(1), TagValue: z.string().default('') })),
});

const gib = z
  .union([z.string().regex(/^\d+$/, 'expected whole GiB'), z.number().int().nonnegative()])
  .transform(String);

export const snapshotSchema = z.looseObject({
  SnapshotId: z.string().min(1),
  RegionId: z.string().min(1),
  SourceDiskId: z.string(),
  SourceDiskSize: gib,
  CreationTime: utcTime,
  Status: z.enum(['progressing', 'accomplished', 'failed']),
  SnapshotType: z.enum(['auto', 'timer', 'user']),
  SnapshotName: z.string().optional(),
  LastModifiedTime: utcTime.optional(),
  RemainTime: z.number().optional(),
  RetentionDays: z.number().optional(),
  Tags: tags.optional(),
});

const diskDeviceMapping = z.looseObject({ SnapshotId: z.string() });

export const imageSchema = z.looseObject({
  ImageId: z.string().min(1),
  RegionId: z.string().min(1),
  Status: z.enum(['Creating', 'Waiting', 'Available', 'UnAvailable', 'CreateFailed', 'Deprecated']),
  ImageOwnerAlias: z.string().optional(),
  CreationTime: utcTime.optional(),
  Size: z.number().optional(),
  DiskDeviceMappings: z.object({ DiskDeviceMapping: z.array(diskDeviceMapping) }),
  Tags: tags.optional(),
});

export const diskSchema = z.looseObject({
  DiskId: z.string().min(1),
  RegionId: z.string().min(1),
  Status: z.string().min(1),
  SourceSnapshotId: z.string().optional(),
  CreationTime: utcTime.optional(),
  Size: z.number().optional(),
  Tags: tags.optional(),
});

type Keyed = Readonly<Record<string, unknown>>;

/** Adds an issue for every id seen before in the same list. */
function rejectDuplicates(list: string, idField: string) {
  return (items: readonly Keyed[], ctx: z.RefinementCtx): void => {
    const seen = new Map<unknown, number>();
    items.forEach((item, index) => {
      const id = item[idField];
      const first = seen.get(id);
      if (first !== undefined) {
        const message = `duplicate ${idField} ${JSON.stringify(id)} (first at ${list}[${first}])`;
        ctx.addIssue({ code: 'custom', path: [index, idField], message });
      }
      seen.set(id, first ?? index);
    });
  };
}

export const inventorySchema = z.strictObject({
  snapshots: z.array(snapshotSchema).superRefine(rejectDuplicates('snapshots', 'SnapshotId')),
  disks: z.array(diskSchema).default([]).superRefine(rejectDuplicates('disks', 'DiskId')),
  images: z.array(imageSchema).default([]).superRefine(rejectDuplicates('images', 'ImageId')),
});

const action = z.enum(ECS_ACTIONS);
const rate = z.number().min(0).max(1);
const ms = z.number().int().nonnegative();

export const faultsSchema = z
  .strictObject({
    latencyMs: z.union([ms, z.partialRecord(action, ms)]).optional(),
    quota: z
      .partialRecord(
        action,
        z.strictObject({ max: ms, perMs: ms.positive(), retryAfterMs: ms.optional() }),
      )
      .optional(),
    serverErrorRate: rate.optional(),
    resetRate: rate.optional(),
    hangRate: rate.optional(),
    malformedRate: rate.optional(),
    actions: z.array(action).optional(),
    listingShortfall: ms.optional(),
  })
  .refine(
    (f) =>
      (f.serverErrorRate ?? 0) + (f.resetRate ?? 0) + (f.hangRate ?? 0) + (f.malformedRate ?? 0) <=
      1,
    'serverErrorRate + resetRate + hangRate must not exceed 1',
  );

/** One line per problem: where, what is wrong, and the value found. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 20)
    .map((issue) => `${issuePath(issue.path)}: ${issue.message}${found(issue)}`)
    .join('\n');
}

function found(issue: z.core.$ZodIssue): string {
  if (!('input' in issue)) return '';
  if (issue.input === undefined) return ' (missing)';

  const text = JSON.stringify(issue.input);
  return ` (found ${text.length > 80 ? `${text.slice(0, 77)}...` : text})`;
}

function issuePath(path: readonly PropertyKey[]): string {
  const text = path
    .map((part) => (typeof part === 'number' ? `[${part}]` : `.${String(part)}`))
    .join('')
    .replace(/^\./, '');
  return text === '' ? '(root)' : text;
}
