/**
 * An error answer of the emulated API. Thrown by signature checks and action handlers and
 * turned into the documented JSON error body by the server.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** `Missing{Param}` is the gateway's convention for a missing common parameter. */
export function missingRegionId(): ApiError {
  return new ApiError(400, 'MissingRegionId', 'RegionId is mandatory for this action.');
}

export function missingParameter(name: string): ApiError {
  const message = `The input parameter ${name} that is mandatory for processing this request is not supplied.`;
  return new ApiError(400, 'MissingParameter', message);
}

export function invalidParameter(name: string, value: string, allowed: string): ApiError {
  const message = `The specified parameter ${name} ("${value}") is not valid; expected ${allowed}.`;
  return new ApiError(400, `InvalidParameter.${name}`, message);
}

export function throttled(retryAfterMs: number | undefined): ApiError {
  const headers: Record<string, string> =
    retryAfterMs === undefined ? {} : { 'x-acs-retry-after': String(retryAfterMs) };
  const message = 'Request was denied due to user flow control.';
  return new ApiError(400, 'Throttling.User', message, headers);
}

export function internalError(): ApiError {
  const message =
    'The request processing has failed due to some unknown error, exception or failure.';
  return new ApiError(500, 'InternalError', message);
}

export function serviceUnavailable(): ApiError {
  const message = 'The request has failed due to a temporary failure of the server.';
  return new ApiError(503, 'ServiceUnavailable', message);
}

/** The answer to a `DryRun=true` call that passed validation; nothing was changed. */
export function dryRunPassed(): ApiError {
  const message = 'Request validation has been passed with DryRun flag set.';
  return new ApiError(400, 'DryRunOperation', message);
}
