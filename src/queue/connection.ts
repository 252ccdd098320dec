import { Redis, type RedisOptions } from 'ioredis';

/**
 * Two kinds of Redis connection. Workers block on Redis and must wait out outages
 * (`maxRetriesPerRequest: null`, which BullMQ requires). Producers and CLI commands must fail
 * fast instead of queueing commands while Redis is down, so a dead Redis is reported at once.
 * Both keep reconnecting: a command connection that gave up would leave a long-running worker
 * unable to write its ledger after any Redis restart. Start-up still fails fast (see
 * `connectOrExplain`).
 */
export function workerConnection(url: string): Redis {
  return listened(new Redis(url, { maxRetriesPerRequest: null, ...quiet() }));
}

export function commandConnection(url: string): Redis {
  return listened(
    new Redis(url, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 3_000,
      retryStrategy: (times) => Math.min(200 * times, 2_000),
      ...quiet(),
    }),
  );
}

function quiet(): RedisOptions {
  return { lazyConnect: true };
}

/** ioredis prints unhandled connection errors; callers report them their own way. */
function listened(redis: Redis): Redis {
  redis.on('error', () => undefined);
  return redis;
}

/** Connects, or throws a RedisUnavailableError saying how to get a Redis. */
export async function connectOrExplain(redis: Redis, url: string): Promise<Redis> {
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(url, error);
  }
}

export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';
  constructor(url: string, cause: unknown) {
    super(
      `cannot reach Redis at ${redactUrl(url)}. Start one (Debian/Ubuntu: sudo apt-get install -y redis-server, then redis-server), or point REDIS_URL / redis.url at a Redis you run.`,
      { cause },
    );
    this.name = 'RedisUnavailableError';
  }
}

/** Redis stayed unreachable in the middle of a run; what was queued stays queued. */
export class RedisLostError extends Error {
  readonly code = 'REDIS_LOST';
  constructor(url: string, downForMs: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `lost the connection to Redis at ${redactUrl(url)} (unreachable for ${Math.round(downForMs / 1000)} s: ${reason}). Jobs already queued stay in Redis; workers finish them once it is back.`,
      { cause },
    );
    this.name = 'RedisLostError';
  }
}

/** Hides a password in a redis:// URL before it is printed or logged. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:***@');
}

/** Deletes every key under a prefix: the demo on a shared Redis, and tests, leave nothing. */
export async function dropPrefixKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
