/**
 * The retention engine: pure policy, bucket and safety rules over a listing of snapshots.
 * `planRetention` is the entry point; the rest is exported for tests and for the worker's
 * re-check of a single snapshot.
 */
export * from './types';
export { planRetention } from './plan';
export { guardPlan, type GuardCode, type GuardLimits } from './guard';
export { compileSelector, globToRegExp, hasTags, type SnapshotSelector } from './selectors';
export { expectedCadence } from './stale';
export {
  bucketLabel,
  formatUtc,
  isoWeek,
  parseUtcTimestamp,
  ZoneClock,
  type BucketUnit,
  type WallClock,
} from './calendar';
