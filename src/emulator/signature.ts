import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { ApiError } from './errors';

/**
 * Server side of the ACS3-HMAC-SHA256 request signature (the official SDK's default), as
 * described in the research note on the ECS API, section (b).
 */

export const ACS3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** A nonce may be replayed only while its `x-acs-date` is inside this window around now. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

const REQUIRED_SIGNED_HEADERS = [
  'host',
  'x-acs-action',
  'x-acs-version',
  'x-acs-date',
  'x-acs-signature-nonce',
  'x-acs-content-sha256',
] as const;

const ACS_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Header values as Node's `IncomingMessage.headers` holds them: names lower-cased. */
export type RequestHeaders = Readonly<Record<string, string | readonly string[] | undefined>>;

export interface SignedRequest {
  readonly method: string;
  /** The raw path, before `?`. */
  readonly path: string;
  /** The raw query string, after `?`; empty when there is none. */
  readonly rawQuery: string;
  readonly headers: RequestHeaders;
  readonly body: Buffer;
}

export interface AuthorizationHeader {
  readonly algorithm: string;
  readonly accessKeyId: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export interface VerifyContext {
  readonly secretFor: (accessKeyId: string) => string | undefined;
  readonly nowMs: number;
  readonly nonces: NonceCache;
}

/** Remembers the nonces of verified requests while a replay could still pass the date check. */
export class NonceCache {
  private readonly expiries = new Map<string, number>();

  has(nonce: string, nowMs: number): boolean {
    this.prune(nowMs);
    return this.expiries.has(nonce);
  }

  remember(nonce: string, nowMs: number): void {
    this.expiries.set(nonce, nowMs + 2 * MAX_CLOCK_SKEW_MS);
  }

  // Insertion order follows arrival time, so expired entries sit at the front.
  private prune(nowMs: number): void {
    for (const [nonce, expiry] of this.expiries) {
      if (expiry > nowMs) return;
      this.expiries.delete(nonce);
    }
  }
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `encodeURIComponent` made strict RFC 3986, as the SDK encodes canonical query values. */
export function rfc3986Encode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Splits a raw query into percent-decoded pairs, in arrival order. */
export function parseRawQuery(rawQuery: string): Array<readonly [string, string]> {
  if (rawQuery === '') return [];

  return rawQuery.split('&').map((pair) => {
    const at = pair.indexOf('=');
    const key = at < 0 ? pair : pair.slice(0, at);
    const value = at < 0 ? '' : pair.slice(at + 1);
    return [percentDecode(key), percentDecode(value)] as const;
  });
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw incomplete(`The query string holds invalid percent-encoding: "${text}".`);
  }
}

/**
 * Keys stay unencoded as the SDK leaves them; the public V3 text encodes them too, which is
 * the same for ECS parameter names (`[A-Za-z0-9.]`).
 */
export function canonicalQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return sorted.map(([key, value]) => `${key}=${rfc3986Encode(value)}`).join('&');
}

export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : (value as string | undefined);
}

/** One `name:value\n` line per signed header, so the block ends with a newline. */
export function canonicalHeaders(headers: RequestHeaders, names: readonly string[]): string {
  return names.map((name) => `${name}:${(headerValue(headers, name) ?? '').trim()}\n`).join('');
}

export function canonicalRequest(request: SignedRequest, signedHeaders: readonly string[]): string {
  const sorted = [...signedHeaders].sort();

  return [
    request.method.toUpperCase(),
    request.path,
    canonicalQuery(parseRawQuery(request.rawQuery)),
    canonicalHeaders(request.headers, sorted),
    sorted.join(';'),
    headerValue(request.headers, 'x-acs-content-sha256') ?? '',
  ].join('\n');
}

export function stringToSign(canonical: string): string {
  return `${ACS3_ALGORITHM}\n${sha256Hex(Buffer.from(canonical, 'utf8'))}`;
}

export function acs3Signature(secret: string, canonical: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8'))
    .update(stringToSign(canonical))
    .digest('hex');
}

/**
 * Signs a request the way the SDK does: every `x-acs-*` header, `host` and `content-type`.
 * For tests and tools that talk to the emulator without the SDK.
 */
export function authorizationFor(
  request: SignedRequest,
  accessKeyId: string,
  secret: string,
): string {
  const signed = Object.keys(request.headers)
    .filter((name) => name.startsWith('x-acs-') || name === 'host' || name === 'content-type')
    .sort();
  const signature = acs3Signature(secret, canonicalRequest(request, signed));
  const fields = [
    `Credential=${accessKeyId}`,
    `SignedHeaders=${signed.join(';')}`,
    `Signature=${signature}`,
  ];
  return `${ACS3_ALGORITHM} ${fields.join(',')}`;
}

/** Parses `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…`. */
export function parseAuthorization(value: string | undefined): AuthorizationHeader {
  const match = /^(\S+) (.+)$/.exec(value?.trim() ?? '');
  if (!match) throw incomplete('The Authorization header is missing or malformed.');

  const fields = parseAuthorizationFields(match[2] ?? '');
  const accessKeyId = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) {
    throw incomplete('The Authorization header needs Credential, SignedHeaders and Signature.');
  }

  return checkAuthorization({
    algorithm: match[1] ?? '',
    accessKeyId,
    signedHeaders: signedHeaders.split(';'),
    signature,
  });
}

function parseAuthorizationFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    if (at <= 0) throw incomplete(`The Authorization header holds a malformed field: "${part}".`);
    fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return fields;
}

function checkAuthorization(auth: AuthorizationHeader): AuthorizationHeader {
  if (auth.algorithm !== ACS3_ALGORITHM) {
    throw incomplete(`The signature algorithm "${auth.algorithm}" is not ${ACS3_ALGORITHM}.`);
  }
  if (!/^[0-9a-f]{64}$/.test(auth.signature)) {
    throw incomplete('The Signature must be 64 lower-case hex digits.');
  }
  if (auth.signedHeaders.some((name) => !/^[a-z0-9-]+$/.test(name))) {
    throw incomplete('SignedHeaders must be lower-case header names separated by ";".');
  }
  return auth;
}

/**
 * Checks every rule of section (b) in the documented order and returns the caller's access
 * key id. Remembers the nonce only once the signature matched, so a forged request cannot
 * burn a legitimate client's nonce.
 */
export function verifyAcs3(request: SignedRequest, context: VerifyContext): string {
  const auth = parseAuthorization(headerValue(request.headers, 'authorization'));
  checkSignedHeaderCoverage(request.headers, auth.signedHeaders);
  checkContentHash(request);
  checkDate(headerValue(request.headers, 'x-acs-date') ?? '', context.nowMs);

  const nonce = headerValue(request.headers, 'x-acs-signature-nonce') ?? '';
  if (context.nonces.has(nonce, context.nowMs)) {
    throw new ApiError(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
  }

  const secret = secretOf(request.headers, auth.accessKeyId, context);
  checkSignature(request, auth, secret);
  context.nonces.remember(nonce, context.nowMs);
  return auth.accessKeyId;
}

function checkSignedHeaderCoverage(headers: RequestHeaders, signed: readonly string[]): void {
  const signedSet = new Set(signed);
  const unsigned = Object.keys(headers).filter((n) => n.startsWith('x-acs-') && !signedSet.has(n));
  if (unsigned.length > 0) {
    throw incomplete(`Header ${unsigned.join(', ')} must be listed in SignedHeaders.`);
  }

  const missing = REQUIRED_SIGNED_HEADERS.filter((name) => !signedSet.has(name));
  const absent = signed.filter((name) => headerValue(headers, name) === undefined);
  if (missing.length > 0 || absent.length > 0) {
    const names = [...missing, ...absent].join(', ');
    throw incomplete(`Header ${names} must be present and listed in SignedHeaders.`);
  }
}

function checkContentHash(request: SignedRequest): void {
  const claimed = headerValue(request.headers, 'x-acs-content-sha256');
  if (claimed !== sha256Hex(request.body)) {
    const message = 'x-acs-content-sha256 does not match the SHA-256 of the request body.';
    throw new ApiError(400, 'SignatureDoesNotMatch', message);
  }
}

function checkDate(date: string, nowMs: number): void {
  const at = ACS_DATE.test(date) ? Date.parse(date) : Number.NaN;
  if (Number.isNaN(at)) {
    const message = `x-acs-date "${date}" is not yyyy-MM-ddTHH:mm:ssZ.`;
    throw new ApiError(400, 'InvalidTimeStamp.Format', message);
  }
  if (Math.abs(nowMs - at) > MAX_CLOCK_SKEW_MS) {
    const message = `x-acs-date "${date}" is more than 15 minutes away from the server time.`;
    throw new ApiError(400, 'InvalidTimeStamp.Expired', message);
  }
}

function secretOf(headers: RequestHeaders, accessKeyId: string, context: VerifyContext): string {
  const secret = context.secretFor(accessKeyId);
  if (secret === undefined) {
    throw new ApiError(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  }

  // STS: any token is accepted, but it must travel with the key it was issued for.
  const stsKey = headerValue(headers, 'x-acs-accesskey-id');
  const hasToken = headerValue(headers, 'x-acs-security-token') !== undefined;
  if ((stsKey !== undefined || hasToken) && stsKey !== accessKeyId) {
    const message = 'x-acs-accesskey-id does not match the Credential of the Authorization header.';
    throw new ApiError(400, 'InvalidSecurityToken.MismatchWithAccessKey', message);
  }
  return secret;
}

function checkSignature(request: SignedRequest, auth: AuthorizationHeader, secret: string): void {
  const canonical = canonicalRequest(request, auth.signedHeaders);
  const expected = Buffer.from(acs3Signature(secret, canonical), 'utf8');
  const received = Buffer.from(auth.signature, 'utf8');
  if (!timingSafeEqual(expected, received)) {
    const message = `Specified signature is not matched with our calculation. Server string to sign is: ${stringToSign(canonical)}`;
    throw new ApiError(400, 'SignatureDoesNotMatch', message);
  }
}

function incomplete(message: string): ApiError {
  return new ApiError(400, 'IncompleteSignature', message);
}
