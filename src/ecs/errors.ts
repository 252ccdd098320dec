/**
 * What an ECS answer means for the caller, decided by the error's code text (the SDK itself
 * classifies by text, not status). One table, so that the worker's retry decisions live in one
 * place.
 */
export type EcsOutcome =
  /** The snapshot no longer exists: a delete has nothing left to do. */
  | 'gone'
  /** The account's API quota is exhausted: back off everything, spend no attempt. */
  | 'throttled'
  /** An image or disk still uses the snapshot: park it with the blocking ids. */
  | 'in-use'
  /** A refusal that waiting will not change: park it for a person. */
  | 'refused'
  /** Worth another attempt after a pause. */
  | 'transient'
  /** Credentials or signature are wrong: every further call would fail the same way. */
  | 'fatal';

const EXACT_CODES: Readonly<Record<string, EcsOutcome>> = {
  'InvalidSnapshotId.NotFound': 'gone',
  SnapshotCreatedImage: 'in-use',
  SnapshotCreatedDisk: 'in-use',
  'Operation.Conflict': 'transient',
  'IncorrectDiskStatus.CreatingSnapshot': 'transient',
  'InvalidOperation.RelatedSnapshotNotFinished': 'transient',
  InternalError: 'transient',
  ServiceUnavailable: 'transient',
  SignatureNonceUsed: 'transient',
  SignatureDoesNotMatch: 'fatal',
  IncompleteSignature: 'fatal',
  'Forbidden.RAM': 'fatal',
  InvalidCredentials: 'fatal',
  MissingParameter: 'fatal',
};

const PREFIX_CODES: readonly (readonly [string, EcsOutcome])[] = [
  ['Throttling', 'throttled'],
  ['InvalidAccessKeyId.', 'fatal'],
  ['InvalidTimeStamp.', 'fatal'],
  ['InvalidOperation.', 'refused'],
];

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/** A failed ECS call, with what it means and everything the ledger needs. */
export class EcsError extends Error {
  constructor(
    readonly outcome: EcsOutcome,
    readonly code: string,
    message: string,
    readonly details: {
      readonly action: string;
      readonly statusCode: number | null;
      readonly requestId: string | null;
      readonly retryAfterMs: number | null;
      readonly cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.name = 'EcsError';
  }
}

/** Classifies one code as in DESIGN.md section 6; unknown codes are judged by status. */
export function outcomeOfCode(code: string, statusCode: number | null): EcsOutcome {
  const exact = EXACT_CODES[code];
  if (exact) return exact;

  const prefixed = PREFIX_CODES.find(([prefix]) => code.startsWith(prefix));
  if (prefixed) return prefixed[1];

  if (NETWORK_CODES.has(code)) return 'transient';
  if (statusCode !== null && statusCode >= 400 && statusCode < 500) return 'refused';
  return 'transient';
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly statusCode?: unknown;
  readonly requestId?: unknown;
  readonly retryAfter?: unknown;
  readonly message?: unknown;
  readonly data?: unknown;
}

/** Turns whatever the SDK threw into an EcsError; never loses the original (`cause`). */
export function toEcsError(action: string, thrown: unknown): EcsError {
  if (thrown instanceof EcsError) return thrown;
  const shape: SdkErrorShape = typeof thrown === 'object' && thrown !== null ? thrown : {};

  const statusCode = typeof shape.statusCode === 'number' ? shape.statusCode : null;
  const code = errorCode(shape);
  const requestId = usableText(shape.requestId);
  const retryAfterMs = typeof shape.retryAfter === 'number' ? shape.retryAfter : null;

  const message = apiMessage(shape) ?? String(shape.message ?? thrown);
  return new EcsError(outcomeOfCode(code, statusCode), code, message, {
    action,
    statusCode,
    requestId,
    retryAfterMs,
    cause: thrown,
  });
}

function errorCode(shape: SdkErrorShape): string {
  const code = usableText(shape.code);
  if (code) return code;
  if (shape.name === 'RequestTimeoutError') return 'RequestTimeout';
  // A body that is not JSON (an HTML error page, a cut answer) loses its status in the SDK.
  if (shape.name === 'SyntaxError') return 'MalformedResponse';
  if (String(shape.message).includes('unable to get credentials')) return 'InvalidCredentials';
  return typeof shape.name === 'string' ? shape.name : 'UnknownError';
}

function apiMessage(shape: SdkErrorShape): string | null {
  const data = shape.data;
  if (typeof data !== 'object' || data === null) return null;
  return usableText((data as Record<string, unknown>).Message);
}

/** The SDK writes the string "undefined" for fields the body lacked. */
function usableText(value: unknown): string | null {
  if (typeof value !== 'string' || value === '' || value === 'undefined') return null;
  return value;
}
