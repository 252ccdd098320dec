import type { Config } from '../../src/config/schema';
import { loadConfig } from '../../src/config/load';
import { openContext, type ReaperContext } from '../../src/app/context';
import {
  DEMO_ACCESS_KEY,
  type ApiSnapshot,
  type EmulatorInventory,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator';
import { silentLogger } from '../../src/observability/logger';
import { startTestEmulator } from './emulator';
import { dropPrefix, testRedisUrl, uniquePrefix } from './redis';

/** An emulator plus a reaper context on it, with a Redis prefix of its own. */
export interface TestWorld {
  readonly emulator: RunningEmulator;
  readonly ctx: ReaperContext;
  readonly config: Config;
  close(): Promise<void>;
}

/** Settings that keep integration tests quick; each test adds what it is about. */
export const FAST_SETTINGS = {
  mode: 'enforce',
  regions: ['cn-hangzhou'],
  timezone: 'UTC',
  safety: { maxDeletionFraction: 1, maxDeletionsPerRun: 10_000 },
  scan: { rate: { max: 200, per: '1s' }, pageSize: 20 },
  deletion: { rate: { max: 50, per: '1s' }, backoff: { initial: '50ms', max: '400ms' } },
  ecs: { timeout: '2s' },
} as const;

export interface WorldOptions {
  readonly inventory: EmulatorInventory;
  readonly config?: Readonly<Record<string, unknown>>;
  readonly emulator?: Omit<EmulatorOptions, 'inventory'>;
  readonly accessKey?: { id: string; secret: string };
}

export async function startWorld(options: WorldOptions): Promise<TestWorld> {
  const emulator = await startTestEmulator({ ...options.emulator, inventory: options.inventory });
  const prefix = uniquePrefix('world');
  const config = await worldConfig(emulator, prefix, options.config ?? {});
  const ctx = await openContext(config, {
    logger: silentLogger(),
    accessKey: options.accessKey ?? DEMO_ACCESS_KEY,
  });

  return {
    emulator,
    ctx,
    config,
    async close() {
      await ctx.close();
      await dropPrefix(config.redis.url, prefix);
    },
  };
}

/** The config of a world: fast settings, then the test's own, then emulator and Redis. */
export async function worldConfig(
  emulator: RunningEmulator,
  prefix: string,
  extra: Readonly<Record<string, unknown>>,
): Promise<Config> {
  const { deepMerge } = await import('../../src/config/load');
  const overrides = deepMerge(deepMerge(FAST_SETTINGS, extra), {
    ecs: { endpoint: emulator.endpoint, protocol: 'http' },
    redis: { url: testRedisUrl(), prefix },
  });
  return loadConfig({ overrides });
}

const DAY_MS = 86_400_000;

/** A snapshot `daysAgo` days before the real clock (runs plan against the real now). */
export function agedSnapshot(
  id: string,
  diskId: string,
  daysAgo: number,
  overrides: Partial<ApiSnapshot> = {},
): ApiSnapshot {
  const created = new Date(Date.now() - daysAgo * DAY_MS);
  return {
    SnapshotId: id,
    SnapshotName: id,
    RegionId: 'cn-hangzhou',
    SourceDiskId: diskId,
    SourceDiskSize: '40',
    SourceDiskType: 'data',
    CreationTime: `${created.toISOString().slice(0, 19)}Z`,
    Status: 'accomplished',
    SnapshotType: 'auto',
    Tags: { Tag: [] },
    ...overrides,
  };
}
