import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema';
import { CONFIG_DEFAULTS } from './defaults';

/** Raised when a config cannot be used; each problem is one line naming key, value and rule. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';

  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Environment variables that override the file, for Kubernetes. Nothing else reads env. */
export const ENV_OVERRIDES: Readonly<
  Record<string, { path: readonly string[]; list?: true; number?: true }>
> = {
  REAPER_MODE: { path: ['mode'] },
  REAPER_REGIONS: { path: ['regions'], list: true },
  REAPER_TIMEZONE: { path: ['timezone'] },
  REAPER_SCHEDULE: { path: ['schedule'] },
  REAPER_ECS_ENDPOINT: { path: ['ecs', 'endpoint'] },
  REAPER_ECS_PROTOCOL: { path: ['ecs', 'protocol'] },
  REDIS_URL: { path: ['redis', 'url'] },
  REAPER_REDIS_PREFIX: { path: ['redis', 'prefix'] },
  REAPER_SERVER_HOST: { path: ['server', 'host'] },
  REAPER_SERVER_PORT: { path: ['server', 'port'], number: true },
};

export interface LoadConfigOptions {
  /** A YAML file; its keys are merged over the built-in defaults (lists are replaced). */
  readonly path?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Flags from the command line, applied last, as a partial config tree. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<Config> {
  const fromEnv = Object.keys(ENV_OVERRIDES).filter((name) => options.env?.[name]);
  const source = [options.path ?? 'built-in defaults', ...fromEnv].join(' + ');
  const fromFile = options.path ? await readConfigFile(options.path) : {};

  let tree = deepMerge(CONFIG_DEFAULTS, fromFile);
  tree = deepMerge(tree, envTree(options.env ?? {}));
  tree = deepMerge(tree, options.overrides ?? {});

  return validateConfig(keepBuiltInProtection(tree), source);
}

/** Validates a whole config tree; throws ConfigError with every problem found. */
export function validateConfig(tree: unknown, source: string): Config {
  const result = configSchema.safeParse(tree, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(source, result.error.issues.map(describeIssue));
  }
  return deepFreeze(result.data);
}

/**
 * Lists in a file replace the defaults' lists, except the protect tags: a file that adds its
 * own protect tag must not silently drop the built-in `retain=true`. Protection errs towards
 * keeping, so the built-in tags are always added to whatever the file lists.
 */
function keepBuiltInProtection(tree: Record<string, unknown>): Record<string, unknown> {
  const safety = tree.safety;
  if (!isPlainObject(safety) || !Array.isArray(safety.protectTags)) return tree;

  const builtIn = (CONFIG_DEFAULTS.safety as { protectTags: readonly unknown[] }).protectTags;
  const given = safety.protectTags as unknown[];
  const missing = builtIn.filter((tag) => !given.some((g) => sameTag(g, tag)));
  return { ...tree, safety: { ...safety, protectTags: [...given, ...missing] } };
}

function sameTag(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(path, [`cannot read the file: ${reason}`]);
  }

  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(path, [`not valid YAML: ${reason.split('\n')[0]}`]);
  }

  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) {
    throw new ConfigError(path, ['the file must hold a YAML mapping of keys (mode, policies, …)']);
  }
  return parsed;
}

function envTree(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  let tree: Record<string, unknown> = {};
  for (const [name, target] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    tree = deepMerge(tree, nest(target.path, envValue(raw, target)));
  }
  return tree;
}

function envValue(raw: string, target: { list?: true; number?: true }): unknown {
  if (target.list) return raw.split(',').map((item) => item.trim());
  return target.number && /^\d+$/.test(raw) ? Number(raw) : raw;
}

function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<
    string,
    unknown
  >;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    return `${key || '(top level)'}: unknown key ${issue.keys.map((k) => `"${k}"`).join(', ')}; allowed: the keys listed in README.md "Configuration"`;
  }
  const found = 'input' in issue ? formatValue(issue.input) : 'nothing';
  return `${key}: found ${found}; allowed: ${allowedText(issue)}`;
}

function allowedText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') {
    return `one of ${issue.values.map((v) => String(v)).join(', ')}`;
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return `a value (the key is required: ${issue.expected})`;
  }
  return issue.message;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => {
      if (typeof part === 'number') return `[${part}]`;
      return index === 0 ? String(part) : `.${String(part)}`;
    })
    .join('');
}

function formatValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; lists and scalars from `over` replace those of `base`. */
export function deepMerge(
  base: Readonly<Record<string, unknown>>,
  over: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
