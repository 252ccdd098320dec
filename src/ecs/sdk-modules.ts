import * as CredentialsModule from '@alicloud/credentials';
import * as EcsModule from '@alicloud/ecs20140526';

/**
 * The SDK packages are CommonJS with `exports.default`. Node's ESM loader, tsc's CommonJS
 * output and vitest each hand the default export over differently (the class, or the exports
 * object holding it), so the class is picked out here once, whichever form arrives.
 */
function classFrom<T>(candidate: T): T {
  if (typeof candidate === 'function') return candidate;
  const inner = (candidate as { readonly default?: T }).default;
  if (typeof inner !== 'function') throw new Error('SDK module has no default class export');
  return inner;
}

export const EcsClient = classFrom(EcsModule.default);
export const Credential = classFrom(CredentialsModule.default);
export type EcsClient = InstanceType<typeof EcsClient>;
export type Credential = InstanceType<typeof Credential>;
export { EcsModule };
