import { ApiError } from '../errors';
import { pageOf, readPaging } from '../paging';
import type { QueryParams } from '../params';
import type { EmulatorState, ListedSnapshot } from '../state';
import { timeOf } from '../state';
import { matchesTags, type ActionBody, type ActionContext } from './action';

type Predicate = (snapshot: ListedSnapshot) => boolean;

const TYPES: Readonly<Record<string, readonly string[] | undefined>> = {
  auto: ['auto', 'timer'],
  user: ['user'],
  all: undefined,
};
const STATUSES = ['progressing', 'accomplished', 'failed', 'all'];
const USAGES = ['image', 'disk', 'image_disk', 'none'];
const DISK_TYPES = ['system', 'data'];
const FILTER_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$/;

/**
 * DescribeSnapshots: every filter is ANDed; results come newest first, then by id. Filter
 * windows (`CreationStartTime`, `CreationEndTime`) include their bounds.
 */
export function describeSnapshots(params: QueryParams, context: ActionContext): ActionBody {
  const regionId = params.regionId();
  const paging = readPaging(params, { maxPageSize: 100, maxResults: 100 });
  const predicates = snapshotPredicates(params, regionId, context.state);

  const matching = context.state.listedSnapshots().filter((s) => predicates.every((p) => p(s)));
  const shown = matching.slice(0, Math.max(0, matching.length - context.listingShortfall));
  const page = pageOf(shown, snapshotKey, paging);

  return {
    TotalCount: matching.length,
    ...(page.pageNumber === undefined ? {} : { PageNumber: page.pageNumber }),
    PageSize: page.pageSize,
    NextToken: page.nextToken,
    Snapshots: { Snapshot: page.items },
  };
}

function snapshotKey(snapshot: ListedSnapshot): { time: number; id: string } {
  return { time: timeOf(snapshot.CreationTime), id: snapshot.SnapshotId };
}

function snapshotPredicates(
  params: QueryParams,
  regionId: string,
  state: EmulatorState,
): Predicate[] {
  const candidates: Array<Predicate | undefined> = [
    (s) => s.RegionId === regionId,
    byIds(params),
    equals(params.get('DiskId'), (s) => s.SourceDiskId),
    equals(params.get('SnapshotName'), (s) => s.SnapshotName),
    equals(params.get('ResourceGroupId'), (s) => s.ResourceGroupId),
    equals(params.get('SnapshotLinkId'), (s) => s.SnapshotLinkId),
    byInstance(params.get('InstanceId'), state),
    byType(params.get('SnapshotType')),
    byStatus(params.get('Status')),
    byUsage(params.get('Usage')),
    bySourceDiskType(params.get('SourceDiskType')),
    byTags(params),
    ...byCreationWindow(params),
  ];
  return candidates.filter((p): p is Predicate => p !== undefined);
}

function byIds(params: QueryParams): Predicate | undefined {
  const ids = params.idList('SnapshotIds', 100, () => {
    const message = 'The specified parameter SnapshotIds is not a JSON array of at most 100 ids.';
    return new ApiError(403, 'InvalidSnapshotIds.Malformed', message);
  });
  if (ids === undefined) return undefined;

  const wanted = new Set(ids);
  return (s) => wanted.has(s.SnapshotId);
}

function equals(
  wanted: string | undefined,
  field: (s: ListedSnapshot) => string | undefined,
): Predicate | undefined {
  return wanted === undefined ? undefined : (s) => field(s) === wanted;
}

/** Snapshots carry no instance id: match through the disks attached to the instance. */
function byInstance(instanceId: string | undefined, state: EmulatorState): Predicate | undefined {
  if (instanceId === undefined) return undefined;

  const diskIds = new Set<string>();
  for (const disk of state.rawDisks()) {
    if (disk.InstanceId === instanceId) diskIds.add(disk.DiskId);
  }
  return (s) => diskIds.has(s.SourceDiskId);
}

function byType(value: string | undefined): Predicate | undefined {
  if (value === undefined) return undefined;
  if (!(value in TYPES)) throw notFound('InvalidSnapshotType.NotFound', 'SnapshotType', value);

  const types = TYPES[value];
  return types === undefined ? undefined : (s) => types.includes(s.SnapshotType);
}

function byStatus(value: string | undefined): Predicate | undefined {
  if (value === undefined) return undefined;
  if (!STATUSES.includes(value)) throw notFound('InvalidStatus.NotFound', 'Status', value);
  return value === 'all' ? undefined : (s) => s.Status === value;
}

function byUsage(value: string | undefined): Predicate | undefined {
  if (value === undefined) return undefined;
  if (!USAGES.includes(value)) throw notFound('InvalidUsage', 'Usage', value);
  return (s) => s.Usage === value;
}

function bySourceDiskType(value: string | undefined): Predicate | undefined {
  if (value === undefined) return undefined;

  const wanted = value.toLowerCase();
  if (!DISK_TYPES.includes(wanted))
    throw notFound('InvalidSourceDiskType', 'SourceDiskType', value);
  return (s) => s.SourceDiskType?.toLowerCase() === wanted;
}

function byTags(params: QueryParams): Predicate | undefined {
  const filters = params.tags();
  return filters.length === 0 ? undefined : (s) => matchesTags(s.Tags, filters);
}

function byCreationWindow(params: QueryParams): Predicate[] {
  return params.filters().map(({ key, value }) => {
    if (key !== 'CreationStartTime' && key !== 'CreationEndTime') {
      throw notFound('InvalidFilterKey.NotFound', 'Filter.N.Key', key);
    }
    if (!FILTER_TIME.test(value) || Number.isNaN(Date.parse(value))) {
      throw notFound('InvalidFilterValue', 'Filter.N.Value', value);
    }

    const bound = Date.parse(value);
    return key === 'CreationStartTime'
      ? (s: ListedSnapshot) => timeOf(s.CreationTime) >= bound
      : (s: ListedSnapshot) => timeOf(s.CreationTime) <= bound;
  });
}

/** DescribeSnapshots documents 404 for filter values it does not know. */
function notFound(code: string, name: string, value: string): ApiError {
  return new ApiError(404, code, `The specified ${name} "${value}" is not valid.`);
}
