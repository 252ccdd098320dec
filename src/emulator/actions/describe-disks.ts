import { ApiError, invalidParameter } from '../errors';
import { pageOf, readPaging } from '../paging';
import type { QueryParams } from '../params';
import { compareNewestFirst, timeOf } from '../state';
import type { ApiDisk } from '../types';
import { matchesTags, type ActionBody, type ActionContext } from './action';

type Predicate = (disk: ApiDisk) => boolean;

const DISK_TYPES = ['all', 'system', 'data'];

/** DescribeDisks, ordered newest first, then by DiskId. */
export function describeDisks(params: QueryParams, context: ActionContext): ActionBody {
  const regionId = params.regionId();
  const paging = readPaging(params, { maxPageSize: 100, maxResults: 500 });
  const predicates = diskPredicates(params, regionId);

  const matching = [...context.state.rawDisks()]
    .filter((d) => predicates.every((p) => p(d)))
    .map((d) => ({ ...d, Tags: d.Tags ?? { Tag: [] } }))
    .sort((a, b) => compareNewestFirst(...diskKey(a), ...diskKey(b)));
  const page = pageOf(matching, (d) => ({ time: timeOf(d.CreationTime), id: d.DiskId }), paging);

  return {
    TotalCount: page.totalCount,
    ...(page.pageNumber === undefined ? {} : { PageNumber: page.pageNumber }),
    PageSize: page.pageSize,
    NextToken: page.nextToken,
    Disks: { Disk: page.items },
  };
}

function diskKey(disk: ApiDisk): [number, string] {
  return [timeOf(disk.CreationTime), disk.DiskId];
}

function diskPredicates(params: QueryParams, regionId: string): Predicate[] {
  const ids = params.idList('DiskIds', 100, () => {
    const message = 'The specified parameter DiskIds is not a JSON array of at most 100 ids.';
    return new ApiError(400, 'InvalidDiskIds.Malformed', message);
  });
  const snapshotId = params.get('SnapshotId');
  const instanceId = params.get('InstanceId');
  const zoneId = params.get('ZoneId');
  const status = params.get('Status');
  const diskType = diskTypeOf(params.get('DiskType'));
  const tags = params.tags();

  const candidates: Array<Predicate | false> = [
    (d) => d.RegionId === regionId,
    ids !== undefined && ((d) => ids.includes(d.DiskId)),
    snapshotId !== undefined && ((d) => d.SourceSnapshotId === snapshotId),
    instanceId !== undefined && ((d) => d.InstanceId === instanceId),
    zoneId !== undefined && ((d) => d.ZoneId === zoneId),
    status !== undefined && status !== 'All' && ((d) => d.Status === status),
    diskType !== 'all' && ((d) => d.Type === diskType),
    tags.length > 0 && ((d) => matchesTags(d.Tags, tags)),
  ];
  return candidates.filter((p): p is Predicate => p !== false);
}

function diskTypeOf(value: string | undefined): string {
  if (value === undefined) return 'all';
  if (DISK_TYPES.includes(value)) return value;
  throw invalidParameter('DiskType', value, 'all, system or data');
}
