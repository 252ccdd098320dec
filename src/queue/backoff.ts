/**
 * Capped exponential backoff with full jitter: the n-th retry waits a uniformly random time
 * between zero and min(max, initial × 2^(n−1)). Full jitter spreads retries of many jobs that
 * failed together, so they do not hit the API again in one burst.
 */
export function retryDelayMs(
  attemptsMade: number,
  backoff: { readonly initial: number; readonly max: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attemptsMade - 1);
  const ceiling = Math.min(backoff.max, backoff.initial * 2 ** Math.min(exponent, 30));
  return Math.floor(random() * ceiling);
}
