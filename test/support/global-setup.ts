import type { TestProject } from 'vitest/node';
import { startLocalRedis, type LocalRedis } from '../../src/app/local-redis';

/**
 * One private redis-server for the whole test run, unless REDIS_URL names one. Tests never
 * assume it is empty: each uses its own key prefix (see test/support/redis.ts).
 */
let redis: LocalRedis | undefined;

export async function setup(project: TestProject): Promise<void> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv) {
    project.provide('redisUrl', fromEnv);
    return;
  }
  redis = await startLocalRedis();
  project.provide('redisUrl', redis.url);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
