/**
 * The retention engine: pure policy, bucket and safety rules over a listing of snapshots.
 * `planRetention` is the entry point; `guardPlan` and `protectTagsOn` are exported so that other
 * parts (the CLI, the worker's re-check) judge exactly as the plan does.
 */
export * from './types';
export { planRetention } from './plan';
export { guardPlan, type GuardCode, type GuardLimits } from './guard';
export { protectTagsOn } from './safety';
export { globToRegExp, hasTags } from './selectors';
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
