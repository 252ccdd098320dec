import type { QueryParams } from '../params';
import type { EmulatorState } from '../state';

export interface ActionContext {
  readonly state: EmulatorState;
  /** What DeleteSnapshot answers for an id it does not know. */
  readonly unknownSnapshot: 'not-found' | 'ignore';
  /** Real-clock epoch ms, for the deletion log. */
  readonly nowMs: number;
  /** `DryRun=true`: validate, change nothing, answer `DryRunOperation`. */
  readonly dryRun: boolean;
  /** Snapshots a listing leaves out while still counting them (a fault). */
  readonly listingShortfall: number;
}

/** A success body without its RequestId, which the server adds. */
export type ActionBody = Readonly<Record<string, unknown>>;

export type ActionHandler = (params: QueryParams, context: ActionContext) => ActionBody;

/** `true` when the item has every tag filter: the key, and the value when one is given. */
export function matchesTags(
  tags: { readonly Tag: readonly { TagKey: string; TagValue: string }[] } | undefined,
  filters: readonly { readonly key: string; readonly value?: string }[],
): boolean {
  const have = tags?.Tag ?? [];
  return filters.every((f) =>
    have.some((t) => t.TagKey === f.key && (f.value === undefined || t.TagValue === f.value)),
  );
}
