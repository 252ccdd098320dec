import type { Config } from '../config/schema';
import { loadConfig } from '../config/load';
import { DEMO_ACCESS_KEY, demoInventory, startEmulator, type RunningEmulator } from '../emulator';
import type { Logger } from '../observability/logger';
import { dropPrefixKeys } from '../queue/connection';
import { openContext, type ReaperContext } from './context';
import { startLocalRedis, type LocalRedis } from './local-redis';

/** The demo's world: the emulator with the bundled inventory, a Redis, and a context on both. */
export interface DemoWorld {
  readonly emulator: RunningEmulator;
  readonly ctx: ReaperContext;
  readonly redisUrl: string;
  close(): Promise<void>;
}

export interface DemoOptions {
  readonly configPath?: string;
  /** REDIS_URL when set; otherwise a private redis-server is started. */
  readonly redisUrl?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly logger: Logger;
  readonly now: Date;
}

/**
 * Settings that make the demo a demo: enforce mode (it only ever talks to the local emulator),
 * both demo regions, and a quicker describe rate, since the emulator has no account quota.
 */
function demoOverrides(endpoint: string, redisUrl: string, shared: boolean) {
  return {
    mode: 'enforce',
    regions: ['cn-hangzhou', 'cn-shanghai'],
    ecs: { endpoint, protocol: 'http' },
    redis: { url: redisUrl, prefix: shared ? `reaper-demo-${process.pid}` : 'reaper' },
    scan: { rate: { max: 100, per: '1s' } },
    // The demo account is young and small, so a large share of it expires at once.
    safety: { maxDeletionFraction: 0.75 },
  };
}

export async function startDemo(options: DemoOptions): Promise<DemoWorld> {
  const localRedis: LocalRedis | null = options.redisUrl ? null : await startLocalRedis();
  const redisUrl = options.redisUrl ?? localRedis?.url ?? '';
  const emulator = await startEmulator({ inventory: demoInventory(options.now) });

  try {
    const config: Config = await loadConfig({
      path: options.configPath,
      // The demo's own settings win over the environment: it must never reach a real account.
      overrides: demoOverrides(emulator.endpoint, redisUrl, localRedis === null),
      env: { ...options.env, REAPER_ECS_ENDPOINT: undefined, REAPER_MODE: undefined },
    });
    const ctx = await openContext(config, { logger: options.logger, accessKey: DEMO_ACCESS_KEY });
    options.logger.info({ endpoint: emulator.endpoint, redis: redisUrl }, 'demo world started');

    return {
      emulator,
      ctx,
      redisUrl,
      async close() {
        // On a Redis the demo shares with others, it leaves nothing of its own behind.
        if (localRedis === null) await dropPrefixKeys(ctx.redis, config.redis.prefix);
        await ctx.close();
        await emulator.close();
        await localRedis?.stop();
      },
    };
  } catch (error) {
    await emulator.close();
    await localRedis?.stop();
    throw error;
  }
}
