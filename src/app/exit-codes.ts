import { ConfigError } from '../config/load';
import { EcsError } from '../ecs/errors';
import { RedisUnavailableError } from '../queue/connection';
import { InventoryError } from './inventory-file';
import { RedisServerMissingError } from './local-redis';
import { GuardRefusedError } from './run-cycle';

/** Exit codes of DESIGN.md section 5: 0 done, 2 bad input or config, 3 guard refused, 1 else. */
export const EXIT = { ok: 0, failed: 1, badInput: 2, guard: 3 } as const;

/** A bad command-line value: exit 2 with the message. */
export class UsageError extends Error {
  readonly code = 'USAGE';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof GuardRefusedError) return EXIT.guard;
  const badInput = [
    ConfigError,
    InventoryError,
    UsageError,
    RedisUnavailableError,
    RedisServerMissingError,
  ];
  if (badInput.some((kind) => error instanceof kind)) return EXIT.badInput;
  return EXIT.failed;
}

/** One or two lines for stderr: what went wrong, and for API failures how to fix it. */
export function describeFailure(error: unknown): string {
  if (error instanceof EcsError) return describeEcsError(error);
  if (error instanceof Error) return `error${codeTag(error)}: ${error.message}`;
  return `error: ${String(error)}`;
}

function describeEcsError(error: EcsError): string {
  const where =
    `${error.details.action} answered ${error.code}` +
    (error.details.requestId ? ` (RequestId ${error.details.requestId})` : '');
  if (error.outcome !== 'fatal') return `error: ${where}: ${error.message}`;
  return [
    `error: ${where}: ${error.message}`,
    'Check the credentials: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET, RRSA (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), or the ECS RAM role, and that the RAM policy allows ecs:DescribeSnapshots, ecs:DescribeDisks, ecs:DescribeImages and ecs:DeleteSnapshot.',
  ].join('\n');
}

/** Our own stable codes (README "Error codes") are shown in brackets; others are not ours. */
function codeTag(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z][A-Z_]+$/.test(code) ? ` [${code}]` : '';
}
