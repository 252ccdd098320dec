import type { ServerResponse } from 'node:http';

/**
 * Sends a JSON answer. Always uncompressed, with a length and a JSON content type: the SDK
 * never decodes gzip and turns any non-JSON error body into a SyntaxError without a status.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
