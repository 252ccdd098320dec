import { describe, expect, it } from 'vitest';
import { outcomeOfCode, toEcsError } from '../../src/ecs/errors';
import { retryDelayMs } from '../../src/queue/backoff';

describe('the outcome of an ECS error code (DESIGN.md section 6)', () => {
  it.each([
    ['InvalidSnapshotId.NotFound', 404, 'gone'],
    ['Throttling', 400, 'throttled'],
    ['Throttling.User', 400, 'throttled'],
    ['Throttling.Api', 503, 'throttled'],
    ['SnapshotCreatedImage', 403, 'in-use'],
    ['SnapshotCreatedDisk', 403, 'in-use'],
    ['InvalidOperation.DeleteSharedSnapshotUnsupported', 403, 'refused'],
    ['InvalidOperation.ResourceManagedByCloudProduct', 403, 'refused'],
    ['InvalidOperation.RelatedSnapshotNotFinished', 403, 'transient'],
    ['Operation.Conflict', 403, 'transient'],
    ['IncorrectDiskStatus.CreatingSnapshot', 400, 'transient'],
    ['InternalError', 500, 'transient'],
    ['ServiceUnavailable', 503, 'transient'],
    ['ECONNRESET', null, 'transient'],
    ['RequestTimeout', null, 'transient'],
    ['MalformedResponse', null, 'transient'],
    ['SignatureDoesNotMatch', 400, 'fatal'],
    ['InvalidAccessKeyId.NotFound', 404, 'fatal'],
    ['InvalidAccessKeyId.Inactive', 400, 'fatal'],
    ['Forbidden.RAM', 403, 'fatal'],
    ['SomethingNew', 400, 'refused'],
    ['SomethingNew', 502, 'transient'],
  ] as const)('%s (HTTP %s) means %s', (code, status, outcome) => {
    expect(outcomeOfCode(code, status)).toBe(outcome);
  });
});

describe('what the SDK throws, as an EcsError', () => {
  it('keeps code, status, request id and retry-after of an API error', () => {
    const thrown = Object.assign(new Error('Throttling.User: code: 400'), {
      name: 'ThrottlingError',
      code: 'Throttling.User',
      statusCode: 400,
      requestId: 'req-1',
      retryAfter: 2500,
      data: { Message: 'Request was denied due to user flow control.' },
    });
    const error = toEcsError('DeleteSnapshot', thrown);
    expect(error).toMatchObject({
      outcome: 'throttled',
      code: 'Throttling.User',
      message: 'Request was denied due to user flow control.',
      details: { statusCode: 400, requestId: 'req-1', retryAfterMs: 2500 },
    });
    expect(error.cause).toBe(thrown);
  });

  it('treats the SDK\'s "undefined" strings as missing', () => {
    const thrown = Object.assign(new Error('x'), {
      name: 'ServerError',
      code: 'undefined',
      statusCode: 500,
      requestId: 'undefined',
    });
    expect(toEcsError('DescribeSnapshots', thrown)).toMatchObject({
      code: 'ServerError',
      outcome: 'transient',
      details: { requestId: null },
    });
  });

  it('retries a body that was not JSON rather than reading anything from it', () => {
    const error = toEcsError('DescribeSnapshots', new SyntaxError('Unexpected token <'));
    expect(error).toMatchObject({ code: 'MalformedResponse', outcome: 'transient' });
  });

  it('stops on a credential chain that found nothing', () => {
    const thrown = new Error('unable to get credentials from any of the providers in the chain');
    expect(toEcsError('DescribeSnapshots', thrown).outcome).toBe('fatal');
  });
});

describe('retry delays', () => {
  const backoff = { initial: 2_000, max: 600_000 };

  it('grows exponentially up to the cap, with full jitter below it', () => {
    expect(retryDelayMs(1, backoff, () => 0.999)).toBe(1_998);
    expect(retryDelayMs(3, backoff, () => 0.999)).toBe(7_992);
    expect(retryDelayMs(20, backoff, () => 0.999)).toBe(599_400);
    expect(retryDelayMs(3, backoff, () => 0)).toBe(0);
  });

  it('stays within [0, cap) for any random draw', () => {
    for (let attempt = 1; attempt < 40; attempt += 1) {
      const delay = retryDelayMs(attempt, backoff);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThan(backoff.max);
    }
  });
});
