/**
 * The built-in configuration, identical to config/default.yaml (a test holds them equal). A
 * user's file is merged over it, so a file may set only what it changes.
 */
export const CONFIG_DEFAULTS: Readonly<Record<string, unknown>> = {
  mode: 'dry-run',
  regions: ['cn-hangzhou'],
  timezone: 'Asia/Shanghai',
  schedule: '0 3 * * *',
  safety: {
    minAge: '1d',
    keepNewestPerDisk: 1,
    maxDeletionsPerRun: 1000,
    maxDeletionFraction: 0.5,
    protectTags: [{ key: 'retain', value: 'true' }],
  },
  policies: [
    {
      name: 'ci-scratch',
      match: { snapshotType: 'user', tags: { env: 'ci' } },
      keep: { last: 2, within: '7d' },
    },
    { name: 'released-disks', match: { orphaned: true }, keep: { within: '30d' }, groupBy: 'none' },
    {
      name: 'default',
      match: { snapshotType: 'all' },
      keep: { last: 3, daily: 7, weekly: 4, monthly: 12 },
    },
  ],
  scan: { rate: { max: 10, per: '1s' }, pageSize: 100 },
  deletion: {
    rate: { max: 20, per: '1s' },
    attempts: 8,
    concurrency: 4,
    backoff: { initial: '2s', max: '10m' },
    forceDiskDependents: false,
    lockDuration: '30s',
    stalledInterval: '30s',
    shutdownGrace: '20s',
  },
  ecs: { endpoint: null, protocol: 'https', timeout: '10s' },
  redis: { url: 'redis://127.0.0.1:6379', prefix: 'reaper' },
  server: { host: '127.0.0.1', port: 9464 },
};
