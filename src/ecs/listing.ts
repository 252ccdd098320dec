import { EcsError, toEcsError } from './errors';
import type { EcsPort, SnapshotPage } from './port';

const PAGE_ATTEMPTS = 4;

/**
 * A region's snapshots as an async stream of pages. Each page is asked for again after
 * throttling or a transient fault (a few times, backing off); any other failure ends the
 * stream with its EcsError, so a listing never ends early without saying so.
 */
export async function* snapshotPages(
  ecs: EcsPort,
  regionId: string,
  pageSize: number,
): AsyncGenerator<SnapshotPage> {
  let nextToken: string | null = null;
  do {
    const request = { pageSize, nextToken };
    const page: SnapshotPage = await withRetries(() => ecs.snapshotPage(regionId, request));
    yield page;
    nextToken = page.nextToken;
  } while (nextToken !== null);
}

/** Retries throttling and transient faults a few times; anything else is thrown at once. */
export async function withRetries<T>(call: () => Promise<T>, action = 'Describe'): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (thrown) {
      const error = thrown instanceof EcsError ? thrown : toEcsError(action, thrown);
      const retryable = error.outcome === 'throttled' || error.outcome === 'transient';
      if (!retryable || attempt >= PAGE_ATTEMPTS) throw error;
      await sleep(error.details.retryAfterMs ?? 500 * 2 ** attempt);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
