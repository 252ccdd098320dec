import { invalidParameter } from './errors';
import type { QueryParams } from './params';
import { compareNewestFirst } from './state';

/** Where an item sits in the API order: newest first, then by id. */
export interface SortKey {
  readonly time: number;
  readonly id: string;
}

export interface PagingLimits {
  /** Upper bound of `PageSize`. */
  readonly maxPageSize: number;
  /** Upper bound of `MaxResults`. */
  readonly maxResults: number;
}

export type PageRequest =
  | { readonly style: 'number'; readonly pageNumber: number; readonly pageSize: number }
  | { readonly style: 'cursor'; readonly after: SortKey | undefined; readonly maxResults: number };

export interface Page<T> {
  readonly items: readonly T[];
  readonly totalCount: number;
  /** Empty on the last page. */
  readonly nextToken: string;
  /** Only for `PageNumber` paging. */
  readonly pageNumber?: number;
  readonly pageSize: number;
}

const DEFAULT_PAGE_SIZE = 10;

/**
 * `NextToken`/`MaxResults` wins over `PageNumber`/`PageSize` when either is present. Out of
 * range sizes are rejected rather than clamped, so a client bug shows up in tests.
 */
export function readPaging(params: QueryParams, limits: PagingLimits): PageRequest {
  const token = params.get('NextToken');
  const maxResults = params.int('MaxResults', 1, limits.maxResults);
  if (token !== undefined || maxResults !== undefined) {
    const after = token === undefined ? undefined : decodeToken(token);
    return { style: 'cursor', after, maxResults: maxResults ?? DEFAULT_PAGE_SIZE };
  }

  const pageNumber = params.int('PageNumber', 1, Number.MAX_SAFE_INTEGER) ?? 1;
  const pageSize = params.int('PageSize', 1, limits.maxPageSize) ?? DEFAULT_PAGE_SIZE;
  return { style: 'number', pageNumber, pageSize };
}

/**
 * Cuts one page out of items already in API order. A cursor names the last item returned,
 * so deleting or adding items between calls never makes the next page skip or repeat one.
 */
export function pageOf<T>(
  sorted: readonly T[],
  keyOf: (item: T) => SortKey,
  request: PageRequest,
): Page<T> {
  const start =
    request.style === 'number'
      ? (request.pageNumber - 1) * request.pageSize
      : firstAfter(sorted, keyOf, request.after);
  const size = request.style === 'number' ? request.pageSize : request.maxResults;
  const items = sorted.slice(start, start + size);

  const last = items.at(-1);
  const more = start + size < sorted.length && last !== undefined;
  return {
    items,
    totalCount: sorted.length,
    nextToken: more ? encodeToken(keyOf(last)) : '',
    pageSize: size,
    ...(request.style === 'number' ? { pageNumber: request.pageNumber } : {}),
  };
}

function firstAfter<T>(sorted: readonly T[], keyOf: (item: T) => SortKey, after?: SortKey): number {
  if (after === undefined) return 0;

  const index = sorted.findIndex((item) => {
    const key = keyOf(item);
    return compareNewestFirst(key.time, key.id, after.time, after.id) > 0;
  });
  return index < 0 ? sorted.length : index;
}

function encodeToken(key: SortKey): string {
  return Buffer.from(JSON.stringify([key.time, key.id]), 'utf8').toString('base64url');
}

function decodeToken(token: string): SortKey {
  try {
    const [time, id] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown[];
    if (typeof time === 'number' && typeof id === 'string') return { time, id };
  } catch {
    // fall through to the API error below
  }
  throw invalidParameter('NextToken', token, 'a NextToken returned by a previous call');
}
