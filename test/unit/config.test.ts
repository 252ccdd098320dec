import { readFile } from 'node:fs/promises';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS } from '../../src/config/defaults';
import { parseIntervalMs, parseRetentionDuration } from '../../src/config/duration';
import { ConfigError, loadConfig, validateConfig } from '../../src/config/load';

async function configFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'reaper-config-'));
  const path = join(dir, 'config.yaml');
  await writeFile(path, text);
  return path;
}

async function problemsOf(text: string): Promise<readonly string[]> {
  const error = await loadConfig({ path: await configFile(text) }).catch((e: unknown) => e);
  if (!(error instanceof ConfigError))
    throw new Error(`expected a ConfigError, got ${String(error)}`);
  return error.problems;
}

describe('config defaults', () => {
  it('holds config/default.yaml and the built-in defaults equal', async () => {
    const file = parseYaml(await readFile('config/default.yaml', 'utf8')) as unknown;
    expect(file).toEqual(CONFIG_DEFAULTS);
  });

  it('defaults to dry-run so that nothing is deleted by surprise', async () => {
    expect((await loadConfig()).mode).toBe('dry-run');
  });

  it('validates every example config', async () => {
    const { readdir } = await import('node:fs/promises');
    const examples = (await readdir('config/examples')).filter((name) => name.endsWith('.yaml'));
    expect(examples.length).toBeGreaterThan(0);
    for (const name of examples) {
      await expect(loadConfig({ path: join('config/examples', name) })).resolves.toBeTruthy();
    }
  });
});

describe('config files', () => {
  it('merges a partial file over the defaults and replaces lists', async () => {
    const path = await configFile('regions: [cn-beijing]\nsafety: { minAge: 2d }\n');
    const config = await loadConfig({ path });
    expect(config.regions).toEqual(['cn-beijing']);
    expect(config.safety.minAge.days).toBe(2);
    expect(config.safety.keepNewestPerDisk).toBe(1);
  });

  it('lets the environment override the file, and flags override the environment', async () => {
    const path = await configFile('mode: dry-run\n');
    const env = { REAPER_MODE: 'enforce', REAPER_REGIONS: 'cn-a, cn-b', REDIS_URL: 'redis://x:1' };
    const config = await loadConfig({ path, env, overrides: { regions: ['cn-c'] } });
    expect(config.mode).toBe('enforce');
    expect(config.redis.url).toBe('redis://x:1');
    expect(config.regions).toEqual(['cn-c']);
  });

  it('adds protect tags of a file to the built-in retain=true instead of dropping it', async () => {
    const path = await configFile('safety: { protectTags: [{ key: legal-hold, value: yes }] }\n');
    const config = await loadConfig({ path });
    expect(config.safety.protectTags).toEqual([
      { key: 'legal-hold', value: 'yes' },
      { key: 'retain', value: 'true' },
    ]);
  });

  it('refuses a protect tag whose value is empty YAML, which would protect nothing', async () => {
    const problems = await problemsOf('safety: { protectTags: [{ key: hold, value: }] }\n');
    expect(problems).toEqual([
      'safety.protectTags[0].value: found null; allowed: a tag value (text; "*" for any value)',
    ]);
  });

  it('freezes the resolved config', async () => {
    const config = await loadConfig();
    expect(Object.isFrozen(config.safety)).toBe(true);
  });

  it('names key, value and what is allowed, one line per problem', async () => {
    const problems = await problemsOf(
      [
        'mode: destroy',
        'policies:',
        '  - name: p',
        '    keep: { daily: -3, within: 30x }',
        'deletion: { rate: { max: 0, per: 1s } }',
      ].join('\n'),
    );
    expect(problems).toContain('mode: found "destroy"; allowed: one of dry-run, enforce');
    expect(problems).toContain(
      'policies[0].keep.daily: found -3; allowed: a whole number >= 0 or "unlimited"',
    );
    expect(problems.some((p) => p.startsWith('policies[0].keep.within: found "30x"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('deletion.rate.max: found 0'))).toBe(true);
  });

  it('refuses a policy without any keep rule on', async () => {
    const problems = await problemsOf('policies: [{ name: p, keep: { last: 0 } }]\n');
    expect(problems.some((p) => p.startsWith('policies[0].keep:'))).toBe(true);
  });

  it('refuses unknown keys, naming them', async () => {
    const problems = await problemsOf('safety: { minAge: 1d, maxDeletion: 5 }\n');
    expect(problems[0]).toMatch(/^safety: unknown key "maxDeletion"/);
  });

  it('refuses an endpoint with a scheme and a backoff that starts above its cap', async () => {
    const problems = await problemsOf(
      'ecs: { endpoint: "http://127.0.0.1:8787" }\ndeletion: { backoff: { initial: 5m, max: 1m } }\n',
    );
    expect(problems).toEqual([
      'deletion.backoff: found {"initial":300000,"max":60000}; allowed: backoff.initial no longer than backoff.max',
      'ecs.endpoint: found "http://127.0.0.1:8787"; allowed: host[:port] without a scheme, such as 127.0.0.1:8787',
    ]);
  });

  it('refuses a schedule that is not a cron pattern before anything starts', async () => {
    const problems = await problemsOf('schedule: every day\n');
    expect(problems).toEqual([
      'schedule: found "every day"; allowed: a cron pattern of 5 fields (or 6 with seconds), such as "0 3 * * *"',
    ]);
  });

  it('refuses an ambiguous time zone abbreviation', async () => {
    const problems = await problemsOf('timezone: CST\n');
    expect(problems).toEqual([
      'timezone: found "CST"; allowed: an IANA time zone such as Asia/Shanghai or UTC',
    ]);
  });

  it('refuses an unknown time zone and duplicate policy names', async () => {
    const problems = await problemsOf(
      'timezone: Mars/Olympus\npolicies: [{name: a, keep: {last: 1}}, {name: a, keep: {last: 2}}]\n',
    );
    expect(problems.some((p) => p.startsWith('timezone: found "Mars/Olympus"'))).toBe(true);
    expect(problems.some((p) => p.startsWith('policies[1].name'))).toBe(true);
  });

  it('says when the file is not YAML or cannot be read', async () => {
    expect(await problemsOf('mode: [unclosed\n')).toEqual([
      expect.stringMatching(/^not valid YAML/),
    ]);
    await expect(loadConfig({ path: '/nonexistent/reaper.yaml' })).rejects.toThrow(
      /cannot read the file/,
    );
  });

  it('validates a whole tree given directly', () => {
    expect(() => validateConfig({ regions: [] }, 'test')).toThrow(ConfigError);
  });
});

describe('durations', () => {
  it.each([
    ['30d', { days: 30, text: '30d' }],
    ['1y6m', { years: 1, months: 6, text: '1y6m' }],
    ['36h', { hours: 36, text: '36h' }],
    ['2w', { weeks: 2, text: '2w' }],
  ])('reads the retention duration %s', (text, expected) => {
    expect(parseRetentionDuration(text)).toMatchObject(expected);
  });

  it.each(['', '30', '1x', 'd30', '1.5d', '-1d'])('rejects the retention duration "%s"', (text) => {
    expect(parseRetentionDuration(text)).toBeNull();
  });

  it.each([
    ['250ms', 250],
    ['2s', 2000],
    ['10m', 600_000],
    ['1m30s', 90_000],
    ['1h', 3_600_000],
  ])('reads the interval %s as minutes, not months', (text, ms) => {
    expect(parseIntervalMs(text)).toBe(ms);
  });
});
