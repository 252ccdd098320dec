import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Adapts the shared delete rate to what the account's quota really allows: each throttling
 * answer halves it (once per window, however many workers were throttled together), and after
 * a calm spell it climbs back by a tenth of the configured rate at a time. The state lives in
 * Redis and is applied as BullMQ's global rate limit, so every replica follows it.
 */
const HALVE = `
local current = tonumber(redis.call('HGET', KEYS[1], 'current') or ARGV[3])
local last = tonumber(redis.call('HGET', KEYS[1], 'throttledAt') or '0')
if tonumber(ARGV[1]) - last < tonumber(ARGV[2]) then return 0 end
current = math.max(1, math.floor(current / 2))
redis.call('HSET', KEYS[1], 'current', current, 'throttledAt', ARGV[1])
return current
`;

const RAISE = `
local current = tonumber(redis.call('HGET', KEYS[1], 'current') or ARGV[4])
local configured = tonumber(ARGV[4])
if current >= configured then return 0 end
local now = tonumber(ARGV[1])
local last = tonumber(redis.call('HGET', KEYS[1], 'throttledAt') or '0')
local raised = tonumber(redis.call('HGET', KEYS[1], 'raisedAt') or '0')
if now - last < tonumber(ARGV[2]) or now - raised < tonumber(ARGV[3]) then return 0 end
current = math.min(configured, current + math.max(1, math.floor(configured / 10)))
redis.call('HSET', KEYS[1], 'current', current, 'raisedAt', ARGV[1])
return current
`;

export interface GovernorTiming {
  /** Quiet time after the last throttling answer before the rate climbs again. */
  readonly calmMs: number;
  /** Time between two climbs. */
  readonly raiseEveryMs: number;
}

export class RateGovernor {
  private readonly key: string;

  constructor(
    private readonly queue: Queue,
    private readonly redis: Redis,
    prefix: string,
    private readonly configured: { readonly max: number; readonly per: number },
    private readonly timing: GovernorTiming = { calmMs: 10_000, raiseEveryMs: 5_000 },
  ) {
    this.key = `${prefix}:delete-rate`;
  }

  /** The rate to apply now: the adapted one, never above the configured one. */
  async current(): Promise<number> {
    const stored = Number(await this.redis.hget(this.key, 'current'));
    return stored > 0 ? Math.min(stored, this.configured.max) : this.configured.max;
  }

  /** Applies the current rate as the queue's global limit (at start-up). */
  async apply(): Promise<void> {
    await this.queue.setGlobalRateLimit(await this.current(), this.configured.per);
  }

  /** After a throttling answer; returns the new rate, or null if another worker just halved. */
  async throttled(nowMs = Date.now()): Promise<number | null> {
    const halved = Number(
      await this.redis.eval(HALVE, 1, this.key, nowMs, this.configured.per, this.configured.max),
    );
    if (halved <= 0) return null;
    await this.queue.setGlobalRateLimit(halved, this.configured.per);
    return halved;
  }

  /** After a call that was not throttled; returns the raised rate, or null. */
  async succeeded(nowMs = Date.now()): Promise<number | null> {
    const { calmMs, raiseEveryMs } = this.timing;
    const raised = Number(
      await this.redis.eval(RAISE, 1, this.key, nowMs, calmMs, raiseEveryMs, this.configured.max),
    );
    if (raised <= 0) return null;
    await this.queue.setGlobalRateLimit(raised, this.configured.per);
    return raised;
  }
}
