import type { IncomingMessage, ServerResponse } from 'node:http';

import { z } from 'zod';

import { diskSchema, formatIssues, imageSchema, snapshotSchema } from './schema';
import { sendJson } from './respond';
import type { EmulatorState } from './state';
import type { ApiDisk, ApiImage, ApiSnapshot, CallRecord, EmulatorFaults } from './types';

/** What the admin endpoints may touch. */
export interface AdminTarget {
  readonly state: EmulatorState;
  readonly calls: readonly CallRecord[];
  setFaults(faults: EmulatorFaults): void;
}

interface Operation {
  readonly body: z.ZodType;
  readonly run: (target: AdminTarget, body: never) => unknown;
}

const snapshotRef = z.object({ snapshotId: z.string().min(1) });

/**
 * `POST /_emulator/<op>` with a JSON body, for tests that run the emulator in another process.
 * The answer is `{ ok: true, ... }` or `{ ok: false, error }` with status 400 or 404.
 */
const OPERATIONS: Readonly<Record<string, Operation>> = {
  addSnapshot: {
    body: snapshotSchema,
    run: (t, s: ApiSnapshot) => t.state.addSnapshot(s),
  },
  removeSnapshot: {
    body: snapshotRef,
    run: (t, b: { snapshotId: string }) => ({ removed: t.state.removeSnapshot(b.snapshotId) }),
  },
  updateSnapshot: {
    body: snapshotRef.extend({ changes: snapshotSchema.partial() }),
    run: (t, b: { snapshotId: string; changes: Partial<ApiSnapshot> }) =>
      t.state.updateSnapshot(b.snapshotId, b.changes),
  },
  setSnapshotTags: {
    body: snapshotRef.extend({ tags: z.record(z.string(), z.string()) }),
    run: (t, b: { snapshotId: string; tags: Record<string, string> }) =>
      t.state.setSnapshotTags(b.snapshotId, b.tags),
  },
  addDisk: { body: diskSchema, run: (t, d: ApiDisk) => t.state.addDisk(d) },
  removeDisk: {
    body: z.object({ diskId: z.string().min(1) }),
    run: (t, b: { diskId: string }) => ({ removed: t.state.removeDisk(b.diskId) }),
  },
  addImage: { body: imageSchema, run: (t, i: ApiImage) => t.state.addImage(i) },
  removeImage: {
    body: z.object({ imageId: z.string().min(1) }),
    run: (t, b: { imageId: string }) => ({ removed: t.state.removeImage(b.imageId) }),
  },
  setFaults: {
    body: z.unknown(),
    run: (t, f: EmulatorFaults) => t.setFaults(f),
  },
};

/** Admin requests bypass the signature, so they are refused from anything but loopback. */
export function handleAdmin(
  target: AdminTarget,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
): void {
  if (!isLoopback(req.socket.remoteAddress)) {
    sendJson(res, 403, { ok: false, error: 'admin endpoints answer loopback clients only' });
    return;
  }

  const op = path.slice('/_emulator/'.length);
  if (req.method === 'GET') {
    answerRead(target, op, res);
    return;
  }
  answerOperation(target, op, body, res);
}

function answerRead(target: AdminTarget, op: string, res: ServerResponse): void {
  if (op === 'state') {
    sendJson(res, 200, { ...target.state.inventory(), deleted: target.state.deleted() });
  } else if (op === 'calls') {
    sendJson(res, 200, { calls: target.calls });
  } else {
    sendJson(res, 404, { ok: false, error: `GET /_emulator/${op} does not exist` });
  }
}

function answerOperation(target: AdminTarget, op: string, body: Buffer, res: ServerResponse): void {
  const operation = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
  if (!operation) {
    const known = Object.keys(OPERATIONS).join(', ');
    sendJson(res, 404, { ok: false, error: `unknown operation "${op}"; known: ${known}` });
    return;
  }

  try {
    const parsed = operation.body.safeParse(parseJson(body), { reportInput: true });
    if (!parsed.success) throw new Error(formatIssues(parsed.error.issues));
    const result = operation.run(target, parsed.data as never);
    sendJson(res, 200, { ok: true, ...(typeof result === 'object' ? result : {}) });
  } catch (error) {
    sendJson(res, 400, {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Error('the request body is not JSON');
  }
}

function isLoopback(address: string | undefined): boolean {
  return address !== undefined && /^(127\.|::1$|::ffff:127\.)/.test(address);
}
