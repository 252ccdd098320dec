import { Redis, type RedisOptions } from 'ioredis';

/**
 * Two kinds of Redis connection. Workers block on Redis and must wait out outages
 * (`maxRetriesPerRequest: null`, which BullMQ requires). Producers and CLI commands must fail
 * fast instead of queueing commands while Redis is down, so a dead Redis is reported at once.
 */
export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, ...quiet() });
}

export function commandConnection(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 3_000,
    retryStrategy: (times) => (times > 3 ? null : 200 * times),
    ...quiet(),
  });
}

function quiet(): RedisOptions {
  return { lazyConnect: true };
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

/** Hides a password in a redis:// URL before it is printed or logged. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):([^@/]*)@/, '//$1:***@');
}
