import { ApiError, internalError, serviceUnavailable, throttled } from './errors';
import type { Random } from './random';
import { faultsSchema, formatIssues } from './schema';
import { ECS_ACTIONS, type EcsAction, type EmulatorFaults } from './types';

/** What happens to one call that passed the signature check. */
export type FaultOutcome =
  | { readonly kind: 'pass' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'hang' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'error'; readonly error: ApiError };

export interface FaultDecision {
  readonly latencyMs: number;
  readonly outcome: FaultOutcome;
}

const PASS: FaultOutcome = { kind: 'pass' };

/** Throws an Error naming each bad setting. */
export function validateFaults(faults: unknown): EmulatorFaults {
  const result = faultsSchema.safeParse(faults, { reportInput: true });
  if (!result.success) {
    throw new Error(`Emulator faults are invalid:\n${formatIssues(result.error.issues)}`);
  }
  return result.data;
}

/**
 * Decides the fault, if any, for each call. Quotas are counted on the real clock (not the
 * emulator's signature clock, which tests often freeze) over a sliding window of admitted
 * calls. Randomness comes from the seeded source, so a seed replays the same fault sequence
 * for the same sequence of calls.
 */
export class FaultInjector {
  private faults: EmulatorFaults = {};
  private readonly admitted = new Map<EcsAction, number[]>();

  constructor(
    faults: EmulatorFaults,
    private readonly random: Random,
  ) {
    this.set(faults);
  }

  /** Replaces every fault setting and forgets the quota windows. */
  set(faults: EmulatorFaults): void {
    this.faults = validateFaults(faults);
    this.admitted.clear();
  }

  /** How many snapshots a listing leaves out (see EmulatorFaults.listingShortfall). */
  listingShortfall(): number {
    return this.faults.listingShortfall ?? 0;
  }

  decide(action: EcsAction, nowMs: number): FaultDecision {
    const latencyMs = this.latencyOf(action);
    const throttle = this.admit(action, nowMs);
    if (throttle) return { latencyMs, outcome: { kind: 'error', error: throttle } };
    return { latencyMs, outcome: this.roll(action) };
  }

  private latencyOf(action: EcsAction): number {
    const latency = this.faults.latencyMs;
    return typeof latency === 'number' ? latency : (latency?.[action] ?? 0);
  }

  /** Returns the throttling error when the call is over quota; otherwise counts it. */
  private admit(action: EcsAction, nowMs: number): ApiError | undefined {
    const quota = this.faults.quota?.[action];
    if (!quota) return undefined;

    const since = nowMs - quota.perMs;
    const window = (this.admitted.get(action) ?? []).filter((at) => at > since);
    this.admitted.set(action, window);
    if (window.length >= quota.max) return throttled(quota.retryAfterMs);

    window.push(nowMs);
    return undefined;
  }

  private roll(action: EcsAction): FaultOutcome {
    const actions = this.faults.actions ?? ECS_ACTIONS;
    const { resetRate = 0, hangRate = 0, serverErrorRate = 0, malformedRate = 0 } = this.faults;
    const total = resetRate + hangRate + serverErrorRate + malformedRate;
    if (!actions.includes(action) || total === 0) return PASS;

    const draw = this.random.next();
    if (draw < resetRate) return { kind: 'reset' };
    if (draw < resetRate + hangRate) return { kind: 'hang' };
    if (draw < resetRate + hangRate + malformedRate) return { kind: 'malformed' };
    if (draw >= total) return PASS;

    const error = this.random.chance(0.5) ? internalError() : serviceUnavailable();
    return { kind: 'error', error };
  }
}
