import { describe, expect, it } from 'vitest';

import {
  parseEmulatorFaultFlags,
  parseLatencyFlag,
  parsePortFlag,
  parseQuotaFlag,
  parseRateFlag,
  parseUnknownSnapshotFlag,
  validateFaults,
} from '../../src/emulator';

describe('parseEmulatorFaultFlags', () => {
  it('returns no faults when no flag is given', () => {
    expect(parseEmulatorFaultFlags({})).toEqual({});
  });

  it('combines every flag into faults the emulator accepts', () => {
    const faults = parseEmulatorFaultFlags({
      latency: '25',
      quota: ['DeleteSnapshot=20/1000', 'DescribeSnapshots=10/1000/500'],
      errorRate: '0.05',
      resetRate: '0.01',
      hangRate: '0',
      faultActions: 'DeleteSnapshot, DescribeSnapshots',
    });

    expect(faults).toEqual({
      latencyMs: 25,
      quota: {
        DeleteSnapshot: { max: 20, perMs: 1000 },
        DescribeSnapshots: { max: 10, perMs: 1000, retryAfterMs: 500 },
      },
      serverErrorRate: 0.05,
      resetRate: 0.01,
      hangRate: 0,
      actions: ['DeleteSnapshot', 'DescribeSnapshots'],
    });
    expect(validateFaults(faults)).toEqual(faults);
  });

  it('refuses rates that add up to more than 1', () => {
    expect(() => parseEmulatorFaultFlags({ errorRate: '0.6', resetRate: '0.5' })).toThrow(
      /must not exceed 1/,
    );
  });
});

describe('single flags', () => {
  it('reads latency for all actions or per action', () => {
    expect(parseLatencyFlag('250')).toBe(250);
    expect(parseLatencyFlag('DeleteSnapshot=200,DescribeSnapshots=50')).toEqual({
      DeleteSnapshot: 200,
      DescribeSnapshots: 50,
    });
  });

  it('reads comma-separated quotas', () => {
    expect(parseQuotaFlag('DeleteSnapshot=1/60000,DescribeDisks=5/1000')).toEqual({
      DeleteSnapshot: { max: 1, perMs: 60000 },
      DescribeDisks: { max: 5, perMs: 1000 },
    });
  });

  it('reads ports and the unknown-snapshot mode', () => {
    expect(parsePortFlag('0')).toBe(0);
    expect(parsePortFlag('8787')).toBe(8787);
    expect(parseUnknownSnapshotFlag('ignore')).toBe('ignore');
  });

  it.each([
    [() => parseLatencyFlag('-5'), /--latency: "-5" is not valid; expected MS or Action=MS/],
    [
      () => parseLatencyFlag('Reboot=5'),
      /--latency: "Reboot" is not valid; expected an action among DescribeSnapshots/,
    ],
    [
      () => parseQuotaFlag('DeleteSnapshot=20'),
      /--quota: "DeleteSnapshot=20" is not valid; expected Action=MAX\/PERMS/,
    ],
    [
      () => parseQuotaFlag('DeleteSnapshot=20/0'),
      /--quota: "DeleteSnapshot=20\/0" is not valid.*PERMS > 0/,
    ],
    [() => parseQuotaFlag('Nope=1/1'), /--quota: "Nope" is not valid; expected an action among/],
    [
      () => parseRateFlag('--error-rate', '1.5'),
      /--error-rate: "1.5" is not valid; expected a fraction from 0 to 1/,
    ],
    [() => parseRateFlag('--reset-rate', 'lots'), /--reset-rate: "lots" is not valid/],
    [() => parsePortFlag('70000'), /--port: "70000" is not valid; expected a port from 0 to 65535/],
    [
      () => parseUnknownSnapshotFlag('skip'),
      /--unknown-snapshot: "skip" is not valid; expected not-found or ignore/,
    ],
    [
      () => parseEmulatorFaultFlags({ faultActions: 'Delete' }),
      /--fault-actions: "Delete" is not valid/,
    ],
  ])('names the flag, the value and what is allowed (%#)', (parse, message) => {
    expect(parse).toThrow(message);
  });
});

describe('validateFaults', () => {
  it('names the setting that is out of range', () => {
    expect(() => validateFaults({ resetRate: 2 })).toThrow(/resetRate: .* \(found 2\)/);
    expect(() => validateFaults({ quota: { DeleteSnapshot: { max: 1, perMs: 0 } } })).toThrow(
      /quota\.DeleteSnapshot\.perMs/,
    );
    expect(() => validateFaults({ latencyMs: { Reboot: 5 } })).toThrow(/latencyMs/);
  });
});
