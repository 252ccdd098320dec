import { stringify } from 'node:querystring';

import { OpenApiUtil } from '@alicloud/openapi-core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  ACS3_ALGORITHM,
  authorizationFor,
  canonicalQuery,
  MAX_CLOCK_SKEW_MS,
  NonceCache,
  parseAuthorization,
  parseRawQuery,
  rfc3986Encode,
  sha256Hex,
  verifyAcs3,
  type SignedRequest,
  type VerifyContext,
} from '../../src/emulator/signature';

const AK = 'LTAI5tUnitTestKey';
const SECRET = 'unit-test-secret';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const NOW = Date.parse('2026-12-01T08:00:00Z');

interface RequestOptions {
  readonly query?: Readonly<Record<string, string>>;
  readonly secret?: string;
  readonly date?: string;
  readonly nonce?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

let nonceCounter = 0;

/** A request signed by the SDK's own signer and encoded as its HTTP layer sends it. */
function sdkSigned(options: RequestOptions = {}): SignedRequest {
  const query = options.query ?? { RegionId: 'cn-hangzhou' };
  const headers: Record<string, string> = {
    host: '127.0.0.1:8787',
    'x-acs-version': '2014-05-26',
    'x-acs-action': 'DescribeSnapshots',
    'x-acs-date': options.date ?? '2026-12-01T08:00:00Z',
    'x-acs-signature-nonce': options.nonce ?? `nonce-${(nonceCounter += 1)}`,
    'x-acs-content-sha256': EMPTY_SHA256,
    'x-acs-credentials-provider': 'static_ak',
    accept: 'application/json',
    ...options.headers,
  };
  const sdkRequest = { pathname: '/', method: 'POST', query, headers };
  const authorization = OpenApiUtil.getAuthorization(
    sdkRequest as unknown as Parameters<typeof OpenApiUtil.getAuthorization>[0],
    ACS3_ALGORITHM,
    EMPTY_SHA256,
    AK,
    options.secret ?? SECRET,
  );

  return {
    method: 'POST',
    path: '/',
    rawQuery: stringify(query),
    headers: { ...headers, authorization },
    body: Buffer.alloc(0),
  };
}

function context(overrides: Partial<VerifyContext> = {}): VerifyContext {
  return {
    secretFor: (id) => (id === AK ? SECRET : undefined),
    nowMs: NOW,
    nonces: new NonceCache(),
    ...overrides,
  };
}

function withHeaders(request: SignedRequest, headers: Record<string, string>): SignedRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}

function omit(headers: SignedRequest['headers'], name: string): SignedRequest['headers'] {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}

/** The error code `verifyAcs3` throws, or 'ok'. */
function outcome(request: SignedRequest, ctx: VerifyContext = context()): string {
  try {
    verifyAcs3(request, ctx);
    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
}

const paramName = fc.constantFrom('RegionId', 'SnapshotName', 'Tag.1.Key', 'Tag.1.Value', 'DiskId');
const anyValue = fc.string({ unit: 'binary', maxLength: 40 });

describe('canonicalisation', () => {
  it.each([
    ['a b', 'a%20b'],
    ["!'()*", '%21%27%28%29%2A'],
    ['-_.~', '-_.~'],
    ['+/=&', '%2B%2F%3D%26'],
    ['中', '%E4%B8%AD'],
  ])('encodes %j as %j (RFC 3986 strict)', (value, encoded) => {
    expect(rfc3986Encode(value)).toBe(encoded);
  });

  it('decodes the raw query, sorts by key and re-encodes values', () => {
    const pairs = parseRawQuery('b=2&Tag.1.Key=a%20b&A=%21&empty=&bare');

    expect(canonicalQuery(pairs)).toBe('A=%21&Tag.1.Key=a%20b&b=2&bare=&empty=');
  });

  it('signs exactly as the SDK does for any parameter values', () => {
    fc.assert(
      fc.property(fc.dictionary(paramName, anyValue), (query) => {
        const request = sdkSigned({ query });
        const unsigned = { ...request, headers: omit(request.headers, 'authorization') };

        expect(authorizationFor(unsigned, AK, SECRET)).toBe(request.headers.authorization);
        expect(outcome(request)).toBe('ok');
      }),
      { numRuns: 200 },
    );
  });

  it('rejects any change to a signed parameter value', () => {
    fc.assert(
      fc.property(anyValue, anyValue, (value, other) => {
        fc.pre(value !== other);
        const request = sdkSigned({ query: { RegionId: value } });
        const tampered = { ...request, rawQuery: stringify({ RegionId: other }) };

        expect(outcome(tampered)).toBe('SignatureDoesNotMatch');
      }),
      { numRuns: 100 },
    );
  });
});

describe('verifyAcs3', () => {
  it('accepts the SDK retry headers because they are signed', () => {
    const request = sdkSigned({
      headers: { 'x-acs-retry-attempts': '1', 'x-acs-retry-delay': '100' },
    });

    expect(outcome(request)).toBe('ok');
  });

  it('rejects a wrong secret with SignatureDoesNotMatch', () => {
    expect(outcome(sdkSigned({ secret: 'wrong' }))).toBe('SignatureDoesNotMatch');
  });

  it('rejects an unknown access key with InvalidAccessKeyId.NotFound', () => {
    const ctx = context({ secretFor: () => undefined });

    expect(outcome(sdkSigned(), ctx)).toBe('InvalidAccessKeyId.NotFound');
  });

  it.each([
    ['no header', undefined],
    ['no fields', 'ACS3-HMAC-SHA256'],
    [
      'another algorithm',
      `HMAC-SHA1 Credential=${AK},SignedHeaders=host,Signature=${'a'.repeat(64)}`,
    ],
    ['no signature', `ACS3-HMAC-SHA256 Credential=${AK},SignedHeaders=host`],
    ['short signature', `ACS3-HMAC-SHA256 Credential=${AK},SignedHeaders=host,Signature=abc`],
    ['field without =', `ACS3-HMAC-SHA256 Credential=${AK},junk,Signature=${'a'.repeat(64)}`],
  ])('rejects a malformed Authorization (%s) with IncompleteSignature', (_label, header) => {
    expect(() => parseAuthorization(header)).toThrow(
      expect.objectContaining({ code: 'IncompleteSignature' }),
    );
  });

  it('parses the SDK Authorization header', () => {
    const auth = parseAuthorization(String(sdkSigned().headers.authorization));

    expect(auth).toMatchObject({ algorithm: ACS3_ALGORITHM, accessKeyId: AK });
    expect(auth.signedHeaders).toContain('x-acs-credentials-provider');
  });

  it('rejects an x-acs-* header that is not signed', () => {
    const request = withHeaders(sdkSigned(), { 'x-acs-extra': 'sneaky' });

    expect(outcome(request)).toBe('IncompleteSignature');
  });

  it('rejects a request whose required headers are not all signed', () => {
    const request = sdkSigned();
    const auth = String(request.headers.authorization).replace('x-acs-date;', '');
    const headers = { ...omit(request.headers, 'x-acs-date'), authorization: auth };

    expect(outcome({ ...request, headers })).toBe('IncompleteSignature');
  });

  it('rejects a body whose SHA-256 differs from x-acs-content-sha256', () => {
    const request = { ...sdkSigned(), body: Buffer.from('x') };

    expect(sha256Hex(request.body)).not.toBe(EMPTY_SHA256);
    expect(outcome(request)).toBe('SignatureDoesNotMatch');
  });

  it.each([
    ['2026-12-01T08:15:00Z', 'ok'],
    ['2026-12-01T07:45:00Z', 'ok'],
    ['2026-12-01T08:15:01Z', 'InvalidTimeStamp.Expired'],
    ['2026-12-01T07:44:59Z', 'InvalidTimeStamp.Expired'],
    ['2026-12-01 08:00:00', 'InvalidTimeStamp.Format'],
    ['2026-12-01T08:00:00.000Z', 'InvalidTimeStamp.Format'],
  ])('judges x-acs-date %s against a server clock of 08:00:00Z: %s', (date, expected) => {
    expect(outcome(sdkSigned({ date }))).toBe(expected);
  });

  it('rejects a replayed nonce, but a forged request does not burn it', () => {
    const ctx = context();

    expect(outcome(sdkSigned({ nonce: 'n1', secret: 'forged' }), ctx)).toBe(
      'SignatureDoesNotMatch',
    );
    expect(outcome(sdkSigned({ nonce: 'n1' }), ctx)).toBe('ok');
    expect(outcome(sdkSigned({ nonce: 'n1' }), ctx)).toBe('SignatureNonceUsed');
  });

  it('forgets nonces once a replay could no longer pass the date check', () => {
    const nonces = new NonceCache();
    nonces.remember('n1', NOW);

    expect(nonces.has('n1', NOW + 2 * MAX_CLOCK_SKEW_MS - 1)).toBe(true);
    expect(nonces.has('n1', NOW + 2 * MAX_CLOCK_SKEW_MS)).toBe(false);
  });

  it('accepts STS headers only when x-acs-accesskey-id names the signing key', () => {
    const sts = { 'x-acs-security-token': 'any-token' };

    expect(outcome(sdkSigned({ headers: { ...sts, 'x-acs-accesskey-id': AK } }))).toBe('ok');
    expect(outcome(sdkSigned({ headers: { ...sts, 'x-acs-accesskey-id': 'LTAI-other' } }))).toBe(
      'InvalidSecurityToken.MismatchWithAccessKey',
    );
    expect(outcome(sdkSigned({ headers: sts }))).toBe('InvalidSecurityToken.MismatchWithAccessKey');
  });
});
