import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

import { ACTION_HANDLERS, isEcsAction, type ActionContext } from './actions';
import { handleAdmin } from './admin';
import { ApiError, dryRunPassed } from './errors';
import { FaultInjector } from './faults';
import { parseEmulatorInventory } from './inventory';
import { QueryParams } from './params';
import { seededRandom } from './random';
import {
  headerValue,
  NonceCache,
  parseRawQuery,
  verifyAcs3,
  type SignedRequest,
} from './signature';
import { sendJson } from './respond';
import { EmulatorState } from './state';
import type { CallRecord, EcsAction, EmulatorFaults, EmulatorInventory } from './types';

export interface EmulatorOptions {
  /** Initial resources, validated and deep-copied: the caller's object is never changed. */
  readonly inventory: EmulatorInventory;
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Access key id → secret. Default: `DEMO_ACCESS_KEY` only. */
  readonly accessKeys?: Readonly<Record<string, string>>;
  readonly faults?: EmulatorFaults;
  /** DeleteSnapshot of an unknown id: 404 `InvalidSnapshotId.NotFound` (default) or 200. */
  readonly unknownSnapshot?: 'not-found' | 'ignore';
  /** Seed of the fault dice. Default 1. */
  readonly seed?: number;
  /** Server time for the signature date window only. Default: the real clock. */
  readonly clock?: () => Date;
}

export interface RunningEmulator {
  /** `host:port`, what the SDK's `endpoint` takes. */
  readonly endpoint: string;
  readonly port: number;
  /** Live state: mutations show in the next API answer. */
  readonly state: EmulatorState;
  /** Every API request, in arrival order (the `/_emulator/*` admin calls are not recorded). */
  readonly calls: readonly CallRecord[];
  /** Replaces all fault settings and restarts the quota windows. */
  setFaults(faults: EmulatorFaults): void;
  /** Stops listening and closes every connection, idle, hanging or in flight. */
  close(): Promise<void>;
}

/** Fixed, obviously fake credentials for demos and tests. */
export const DEMO_ACCESS_KEY: Readonly<{ id: string; secret: string }> = Object.freeze({
  id: 'LTAI5tDemoEmulatorOnly',
  secret: 'demo-secret-for-the-local-emulator-only',
});

const ECS_VERSION = '2014-05-26';
const HOST_ID = 'ecs.aliyuncs.com';
/** Longer than any client's idle gap, so a reused keep-alive socket is never closed under it. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const MAX_BODY_BYTES = 1024 * 1024;

/** Starts the emulator and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions): Promise<RunningEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return emulator;
}

/** Appends the outcome of the current call to `calls`. */
type RecordCall = (status: number, code?: string) => void;

class Emulator implements RunningEmulator {
  readonly state: EmulatorState;
  readonly calls: CallRecord[] = [];
  endpoint = '';
  port = 0;

  private readonly server: Server;
  private readonly faults: FaultInjector;
  private readonly nonces = new NonceCache();
  private readonly closing = new AbortController();
  private readonly secrets: ReadonlyMap<string, string>;
  private readonly clock: () => Date;
  private readonly unknownSnapshot: 'not-found' | 'ignore';

  constructor(options: EmulatorOptions) {
    this.state = new EmulatorState(parseEmulatorInventory(options.inventory, 'options.inventory'));
    this.faults = new FaultInjector(options.faults ?? {}, seededRandom(options.seed ?? 1));
    const keys = options.accessKeys ?? { [DEMO_ACCESS_KEY.id]: DEMO_ACCESS_KEY.secret };
    this.secrets = new Map(Object.entries(keys));
    this.clock = options.clock ?? (() => new Date());
    this.unknownSnapshot = options.unknownSnapshot ?? 'not-found';

    // A client that aborts while its request body is read leaves nothing to answer.
    this.server = createServer((req, res) => {
      this.handle(req, res).catch(() => res.destroy());
    });
    this.server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    this.server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.endpoint = `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  setFaults(faults: EmulatorFaults): void {
    this.faults.set(faults);
  }

  close(): Promise<void> {
    this.closing.abort();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const { path, rawQuery } = splitTarget(req.url ?? '/');
    if (path.startsWith('/_emulator/')) {
      handleAdmin(this, req, res, path, body);
      return;
    }

    const method = req.method ?? '';
    await this.handleApi(res, req, { method, path, rawQuery, headers: req.headers, body });
  }

  private async handleApi(
    res: ServerResponse,
    req: IncomingMessage,
    request: SignedRequest,
  ): Promise<void> {
    const action = headerValue(request.headers, 'x-acs-action') ?? '';
    const record = this.recorder(action, request.rawQuery);
    const requestId = randomUUID().toUpperCase();

    try {
      const ecsAction = this.authorise(request, action);
      const params = QueryParams.fromRawQuery(request.rawQuery);
      if (!(await this.passFaults(ecsAction, req, res, record))) return;

      // Runs even if the client has given up by now, as on the real API: a delete that timed
      // out on the client side may still have happened.
      const answer = ACTION_HANDLERS[ecsAction](params, this.context(params));
      if (params.bool('DryRun')) throw dryRunPassed();
      sendJson(res, 200, { RequestId: requestId, ...answer }, { 'x-acs-request-id': requestId });
      record(200);
    } catch (error) {
      const apiError = asApiError(error);
      const headers = { 'x-acs-request-id': requestId, ...apiError.headers };
      sendJson(res, apiError.status, errorBody(apiError, requestId), headers);
      record(apiError.status, apiError.code);
    }
  }

  private context(params: QueryParams): ActionContext {
    return {
      state: this.state,
      unknownSnapshot: this.unknownSnapshot,
      nowMs: Date.now(),
      dryRun: params.bool('DryRun'),
      listingShortfall: this.faults.listingShortfall(),
    };
  }

  private authorise(request: SignedRequest, action: string): EcsAction {
    verifyAcs3(request, {
      secretFor: (id) => this.secrets.get(id),
      nowMs: this.clock().getTime(),
      nonces: this.nonces,
    });
    return routeOf(request, action);
  }

  /**
   * Applies latency, then the fault drawn for this call. Returns false when the call must get
   * no answer at all; throws the ApiError of a throttled or 5xx call, which changes no state.
   */
  private async passFaults(
    action: EcsAction,
    req: IncomingMessage,
    res: ServerResponse,
    record: RecordCall,
  ): Promise<boolean> {
    const { latencyMs, outcome } = this.faults.decide(action, Date.now());
    if (latencyMs > 0 && !(await this.wait(latencyMs))) return false;

    switch (outcome.kind) {
      case 'pass':
        return true;
      case 'error':
        throw outcome.error;
      case 'reset':
        record(0, 'Fault.Reset');
        req.socket.resetAndDestroy();
        return false;
      case 'hang':
        record(0, 'Fault.Hang');
        return false;
      case 'malformed':
        record(200, 'Fault.Malformed');
        res.writeHead(200, { 'content-type': 'text/html' }).end('<html>gateway</html>');
        return false;
    }
  }

  /** False when the emulator closed while waiting. */
  private async wait(ms: number): Promise<boolean> {
    try {
      await delay(ms, undefined, { signal: this.closing.signal });
      return true;
    } catch {
      return false;
    }
  }

  private recorder(action: string, rawQuery: string): RecordCall {
    const snapshotId = snapshotIdOf(rawQuery);
    return (status, code) => {
      const call: CallRecord = { action, at: Date.now(), status };
      this.calls.push({ ...call, ...(code && { code }), ...(snapshotId && { snapshotId }) });
    };
  }
}

function routeOf(request: SignedRequest, action: string): EcsAction {
  const method = request.method.toUpperCase();
  if (request.path !== '/' || !['POST', 'GET'].includes(method) || !isEcsAction(action)) {
    const message = 'Specified api is not found, please check your url and method.';
    throw new ApiError(404, 'InvalidApi.NotFound', message);
  }

  const version = headerValue(request.headers, 'x-acs-version');
  if (version !== ECS_VERSION) {
    throw new ApiError(
      400,
      'InvalidVersion',
      `Specified parameter Version "${version}" is not valid.`,
    );
  }
  return action;
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;

  // A bug in the emulator must still reach the client as a JSON error it can classify.
  const reason = error instanceof Error ? error.message : String(error);
  return new ApiError(500, 'InternalError', `The emulator failed: ${reason}`);
}

function errorBody(error: ApiError, requestId: string): Record<string, string> {
  const recommend = `https://api.aliyun.com/troubleshoot?q=${error.code}&product=Ecs&requestId=${requestId}`;
  return {
    RequestId: requestId,
    HostId: HOST_ID,
    Code: error.code,
    Message: error.message,
    Recommend: recommend,
  };
}

function splitTarget(target: string): { path: string; rawQuery: string } {
  const at = target.indexOf('?');
  return at < 0
    ? { path: target, rawQuery: '' }
    : { path: target.slice(0, at), rawQuery: target.slice(at + 1) };
}

function snapshotIdOf(rawQuery: string): string | undefined {
  try {
    return parseRawQuery(rawQuery).find(([key]) => key === 'SnapshotId')?.[1] || undefined;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) break;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
