import { ECS_ACTIONS, type EcsAction, type EmulatorFaults, type QuotaFault } from './types';

/**
 * Pure parsers for the `snapshot-reaper emulator` flags. Each takes the raw flag text and
 * throws an Error naming the flag, the value and what is allowed.
 */

/** Raw flag values as the CLI parser hands them over; absent flags are undefined. */
export interface EmulatorFaultFlags {
  /** `--latency 250` or `--latency DeleteSnapshot=200,DescribeSnapshots=50`. */
  readonly latency?: string;
  /** `--quota DeleteSnapshot=20/1000` (repeatable or comma-separated; `/RETRYAFTERMS` optional). */
  readonly quota?: string | readonly string[];
  /** `--error-rate 0.05`: fraction answered 500/503. */
  readonly errorRate?: string;
  /** `--reset-rate 0.01`: fraction of sockets reset without an answer. */
  readonly resetRate?: string;
  /** `--hang-rate 0.01`: fraction never answered. */
  readonly hangRate?: string;
  /** `--fault-actions DeleteSnapshot,DescribeSnapshots`: where the rate faults apply. */
  readonly faultActions?: string;
}

const ACTIONS_TEXT = ECS_ACTIONS.join(', ');

export function parseEmulatorFaultFlags(flags: EmulatorFaultFlags): EmulatorFaults {
  const faults: EmulatorFaults = {
    ...(flags.latency !== undefined && { latencyMs: parseLatencyFlag(flags.latency) }),
    ...(flags.quota !== undefined && { quota: parseQuotaFlag(flags.quota) }),
    ...(flags.errorRate !== undefined && {
      serverErrorRate: parseRateFlag('--error-rate', flags.errorRate),
    }),
    ...(flags.resetRate !== undefined && {
      resetRate: parseRateFlag('--reset-rate', flags.resetRate),
    }),
    ...(flags.hangRate !== undefined && { hangRate: parseRateFlag('--hang-rate', flags.hangRate) }),
    ...(flags.faultActions !== undefined && { actions: parseActionsFlag(flags.faultActions) }),
  };
  checkRateSum(faults);
  return faults;
}

/** `250` for every action, or `Action=MS,...` per action. */
export function parseLatencyFlag(value: string): number | Partial<Record<EcsAction, number>> {
  const allowed = 'MS or Action=MS,... with MS a whole number of milliseconds';
  if (/^\d+$/.test(value.trim())) return Number(value);

  const latency: Partial<Record<EcsAction, number>> = {};
  for (const part of splitList(value)) {
    const [action, ms] = part.split('=');
    if (ms === undefined || !/^\d+$/.test(ms)) throw flagError('--latency', value, allowed);
    latency[actionOf('--latency', action ?? '')] = Number(ms);
  }
  return latency;
}

/** `Action=MAX/PERMS[/RETRYAFTERMS]`, several comma-separated or repeated. */
export function parseQuotaFlag(
  values: string | readonly string[],
): Partial<Record<EcsAction, QuotaFault>> {
  const quota: Partial<Record<EcsAction, QuotaFault>> = {};
  for (const part of (typeof values === 'string' ? [values] : values).flatMap(splitList)) {
    const match = /^([A-Za-z]+)=(\d+)\/(\d+)(?:\/(\d+))?$/.exec(part);
    if (!match || Number(match[3]) === 0) {
      const allowed = 'Action=MAX/PERMS[/RETRYAFTERMS], e.g. DeleteSnapshot=20/1000, PERMS > 0';
      throw flagError('--quota', part, allowed);
    }

    const [, action = '', max, perMs, retryAfterMs] = match;
    quota[actionOf('--quota', action)] = {
      max: Number(max),
      perMs: Number(perMs),
      ...(retryAfterMs !== undefined && { retryAfterMs: Number(retryAfterMs) }),
    };
  }
  return quota;
}

/** A fraction from 0 to 1. */
export function parseRateFlag(flag: string, value: string): number {
  const rate = /^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(value) ? Number(value) : Number.NaN;
  if (!(rate >= 0 && rate <= 1)) throw flagError(flag, value, 'a fraction from 0 to 1, e.g. 0.05');
  return rate;
}

export function parseActionsFlag(value: string): EcsAction[] {
  const actions = splitList(value).map((name) => actionOf('--fault-actions', name));
  if (actions.length === 0) throw flagError('--fault-actions', value, `a list of ${ACTIONS_TEXT}`);
  return actions;
}

export function parseUnknownSnapshotFlag(value: string): 'not-found' | 'ignore' {
  if (value === 'not-found' || value === 'ignore') return value;
  throw flagError('--unknown-snapshot', value, 'not-found or ignore');
}

/** 0 picks a free port. */
export function parsePortFlag(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw flagError('--port', value, 'a port from 0 to 65535');
  return port;
}

function actionOf(flag: string, name: string): EcsAction {
  const action = ECS_ACTIONS.find((a) => a === name.trim());
  if (!action) throw flagError(flag, name, `an action among ${ACTIONS_TEXT}`);
  return action;
}

function checkRateSum(faults: EmulatorFaults): void {
  const sum = (faults.serverErrorRate ?? 0) + (faults.resetRate ?? 0) + (faults.hangRate ?? 0);
  if (sum > 1) {
    const message = `--error-rate + --reset-rate + --hang-rate is ${sum}; the sum must not exceed 1`;
    throw new Error(message);
  }
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

function flagError(flag: string, value: string, allowed: string): Error {
  return new Error(`${flag}: "${value}" is not valid; expected ${allowed}`);
}
