import { mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_ACCESS_KEY } from '../../src/emulator';
import { cleanEnv, runCli } from '../support/cli';
import { closeTestEmulators, diskFixture, startTestEmulator } from '../support/emulator';
import { dropPrefix, testRedisUrl, uniquePrefix } from '../support/redis';
import { agedSnapshot } from '../support/world';

afterAll(async () => {
  await closeTestEmulators();
});

async function tempFile(name: string, text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'reaper-cli-')), name);
  await writeFile(path, text);
  return path;
}

describe('snapshot-reaper demo', () => {
  it('runs one whole cycle on a private Redis and exits 0 with a summary', async () => {
    const result = await runCli(['demo', '--once'], { timeoutMs: 120_000 });

    expect(result.stderr).toMatch(/Redis at redis:\/\/127\.0\.0\.1:\d+/);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/deleted\s+[1-9]\d* \(/);
    expect(result.stdout).toMatch(/parked\s+[1-9]\d* \(.*SnapshotCreatedImage/);
    expect(result.stdout).toMatch(/kept by/);
  }, 150_000);

  it('says how to get Redis and exits 2 when there is none', async () => {
    // A PATH holding node alone, so redis-server cannot be found.
    const bin = await mkdtemp(join(tmpdir(), 'reaper-path-'));
    await symlink(process.execPath, join(bin, 'node'));
    const env = cleanEnv({ PATH: bin });

    const result = await runCli(['demo', '--once'], { env });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('apt-get install -y redis-server');
    expect(result.stderr).toContain('REDIS_URL');
  });
});

describe('snapshot-reaper run --once', () => {
  it('fails with exit 1 and says to check the credentials when the secret is wrong', async () => {
    const emulator = await startTestEmulator({
      inventory: {
        snapshots: [agedSnapshot('s-1', 'd-1', 9)],
        disks: [diskFixture('d-1')],
        images: [],
      },
    });
    const prefix = uniquePrefix('cli');
    const env = cleanEnv({
      REAPER_MODE: 'enforce',
      REAPER_ECS_ENDPOINT: emulator.endpoint,
      REAPER_ECS_PROTOCOL: 'http',
      REDIS_URL: testRedisUrl(),
      REAPER_REDIS_PREFIX: prefix,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEMO_ACCESS_KEY.id,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong-secret',
    });

    const result = await runCli(['run', '--once'], { env });
    await dropPrefix(testRedisUrl(), prefix);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SignatureDoesNotMatch');
    expect(result.stderr).toContain('Check the credentials');
    expect(emulator.calls).toHaveLength(1);
  });

  it('exits 2 naming the Redis it could not reach', async () => {
    const env = cleanEnv({ REDIS_URL: 'redis://127.0.0.1:1', REAPER_MODE: 'enforce' });

    const result = await runCli(['run', '--once'], { env });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
  });

  it('exits 2 with one line per config problem before touching anything', async () => {
    const path = await tempFile('bad.yaml', 'mode: destroy\nsafety: { minAge: soon }\n');

    const result = await runCli(['run', '--once', '--config', path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('mode: found "destroy"; allowed: one of dry-run, enforce');
    expect(result.stderr).toContain('safety.minAge: found "soon"');
  });
});

describe('snapshot-reaper plan', () => {
  it('plans a saved listing offline as JSON, naming policy and reasons', async () => {
    const listing = {
      TotalCount: 2,
      PageNumber: 1,
      PageSize: 10,
      Snapshots: {
        Snapshot: [agedSnapshot('s-new', 'd-1', 2), agedSnapshot('s-old', 'd-1', 3)],
      },
    };
    const path = await tempFile('listing.json', JSON.stringify(listing));
    const config = await tempFile('keep1.yaml', 'policies: [{ name: one, keep: { last: 1 } }]\n');

    const result = await runCli([
      'plan',
      '--inventory',
      path,
      '--config',
      config,
      '--output',
      'json',
    ]);

    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      decisions: { snapshotId: string; action: string; policy: string }[];
    };
    expect(plan.decisions).toEqual([
      expect.objectContaining({ snapshotId: 's-new', action: 'keep', policy: 'one' }),
      expect.objectContaining({ snapshotId: 's-old', action: 'delete', policy: 'one' }),
    ]);
  });

  it('exits 2 on a listing whose pages fall short of TotalCount', async () => {
    const listing = { TotalCount: 5, Snapshots: { Snapshot: [agedSnapshot('s-1', 'd-1', 2)] } };
    const path = await tempFile('short.json', JSON.stringify(listing));

    const result = await runCli(['plan', '--inventory', path]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/incomplete/i);
  });

  it('exits 2 on a flag value it does not know, naming the allowed ones', async () => {
    const result = await runCli(['plan', '--output', 'xml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Allowed choices are table, json');
  });

  it('prints help that explains every command', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of [
      'plan',
      'run',
      'worker',
      'scheduler',
      'demo',
      'dead-letters',
      'ledger',
      'emulator',
    ]) {
      expect(result.stdout).toContain(command);
    }
  });
});
