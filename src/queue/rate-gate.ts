import type { Redis } from 'ioredis';
import type { RateGate } from '../ecs/port';

/**
 * A fixed-window limit kept in Redis, so every process that shares the key shares the quota.
 * Used for Describe* calls (scan.rate); deletes are paced by BullMQ's own limiter.
 */
const ACQUIRE = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if count <= tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return ttl
`;

export class RedisRateGate implements RateGate {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly rate: { readonly max: number; readonly per: number },
  ) {}

  async acquire(): Promise<void> {
    for (;;) {
      const waitMs = Number(
        await this.redis.eval(ACQUIRE, 1, this.key, this.rate.max, this.rate.per),
      );
      if (waitMs <= 0) return;
      await sleep(waitMs + Math.floor(Math.random() * 20));
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
