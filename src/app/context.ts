import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema';
import type { EcsPort } from '../ecs/port';
import { BatchedReads } from '../ecs/batched-reads';
import { SdkEcsGateway, type EcsConnection } from '../ecs/sdk-gateway';
import { connectionErrorLogger, type Logger } from '../observability/logger';
import { commandConnection, connectOrExplain, workerConnection } from '../queue/connection';
import { DeadLetters } from '../queue/dead-letters';
import { Ledger } from '../queue/ledger';
import { DELETE_QUEUE } from '../queue/names';
import { RedisRateGate } from '../queue/rate-gate';

/** Everything a command needs, built once from the config and closed once. */
export interface ReaperContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly ecs: EcsPort;
  readonly redis: Redis;
  readonly deleteQueue: Queue;
  readonly deadLetters: DeadLetters;
  readonly ledger: Ledger;
  /** A new blocking connection for a worker (BullMQ needs one each). */
  workerConnection(): Promise<Redis>;
  close(): Promise<void>;
}

export interface ContextOptions {
  readonly logger: Logger;
  /** Static keys (demo, tests); production leaves them out and uses the credential chain. */
  readonly accessKey?: EcsConnection['accessKey'];
}

export async function openContext(config: Config, options: ContextOptions): Promise<ReaperContext> {
  const redis = await connectOrExplain(commandConnection(config.redis.url), config.redis.url);
  const { prefix } = config.redis;
  const extraConnections: Redis[] = [];

  const gateway = new SdkEcsGateway({
    connection: {
      endpoint: config.ecs.endpoint,
      protocol: config.ecs.protocol,
      timeoutMs: config.ecs.timeout,
      accessKey: options.accessKey,
    },
    describeGate: new RedisRateGate(redis, `${prefix}:describe-rate`, config.scan.rate),
  });
  const ecs = new BatchedReads(gateway);
  const deleteQueue = new Queue(DELETE_QUEUE, { connection: redis, prefix });
  deleteQueue.on('error', connectionErrorLogger(options.logger, 'queue error'));
  const deadLetters = new DeadLetters(redis, prefix);
  // Without a listener BullMQ prints every connection error of a Redis outage to stderr.
  deadLetters.queue.on('error', connectionErrorLogger(options.logger, 'queue error'));

  return {
    config,
    logger: options.logger,
    ecs,
    redis,
    deleteQueue,
    deadLetters,
    ledger: new Ledger(redis, prefix),
    async workerConnection() {
      const connection = workerConnection(config.redis.url);
      extraConnections.push(connection);
      return connectOrExplain(connection, config.redis.url);
    },
    async close() {
      await closeQuietly([deleteQueue.close(), deadLetters.close()]);
      for (const connection of [...extraConnections, redis]) connection.disconnect();
    },
  };
}

/** Closing must not hang or throw while Redis is gone; whatever is left is dropped. */
async function closeQuietly(closing: readonly Promise<unknown>[]): Promise<void> {
  const timeout = new Promise((resolve) => setTimeout(resolve, 3_000).unref());
  await Promise.race([Promise.allSettled(closing), timeout]);
}
