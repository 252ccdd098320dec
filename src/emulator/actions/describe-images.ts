import { invalidParameter } from '../errors';
import { pageOf, readPaging } from '../paging';
import type { QueryParams } from '../params';
import { compareNewestFirst, mapsSnapshot, timeOf } from '../state';
import type { ApiImage, ImageStatus } from '../types';
import { matchesTags, type ActionBody, type ActionContext } from './action';

type Predicate = (image: ApiImage) => boolean;

const STATUSES: readonly ImageStatus[] = [
  'Creating',
  'Waiting',
  'Available',
  'UnAvailable',
  'CreateFailed',
  'Deprecated',
];

/**
 * DescribeImages. Without `Status` only `Available` images are listed, as on the real API, so
 * a caller looking for the images that pin a snapshot must ask for `Status=ALL`. An image
 * without `ImageOwnerAlias` counts as `self` (a custom image of the account).
 */
export function describeImages(params: QueryParams, context: ActionContext): ActionBody {
  const regionId = params.regionId();
  const paging = readPaging(params, { maxPageSize: 100, maxResults: 100 });
  const predicates = imagePredicates(params, regionId);

  const matching = [...context.state.rawImages()]
    .filter((i) => predicates.every((p) => p(i)))
    .map((i) => ({ ...i, ImageOwnerAlias: ownerOf(i), Tags: i.Tags ?? { Tag: [] } }))
    .sort((a, b) => compareNewestFirst(...imageKey(a), ...imageKey(b)));
  const page = pageOf(matching, (i) => ({ time: timeOf(i.CreationTime), id: i.ImageId }), paging);

  return {
    RegionId: regionId,
    TotalCount: page.totalCount,
    PageNumber: page.pageNumber ?? 1,
    PageSize: page.pageSize,
    Images: { Image: page.items },
  };
}

function imageKey(image: ApiImage): [number, string] {
  return [timeOf(image.CreationTime), image.ImageId];
}

function ownerOf(image: ApiImage): string {
  return image.ImageOwnerAlias ?? 'self';
}

function imagePredicates(params: QueryParams, regionId: string): Predicate[] {
  const statuses = statusesOf(params.list('Status'));
  const imageIds = params.list('ImageId');
  const owners = params.list('ImageOwnerAlias');
  const snapshotId = params.get('SnapshotId');
  const name = params.get('ImageName');
  const tags = params.tags();

  const candidates: Array<Predicate | false> = [
    (i) => i.RegionId === regionId,
    statuses !== 'ALL' && ((i) => statuses.includes(i.Status)),
    imageIds !== undefined && ((i) => imageIds.includes(i.ImageId)),
    owners !== undefined && ((i) => owners.includes(ownerOf(i))),
    snapshotId !== undefined && ((i) => mapsSnapshot(i, snapshotId)),
    name !== undefined && ((i) => i.ImageName === name),
    tags.length > 0 && ((i) => matchesTags(i.Tags, tags)),
  ];
  return candidates.filter((p): p is Predicate => p !== false);
}

function statusesOf(values: readonly string[] | undefined): readonly string[] | 'ALL' {
  if (values === undefined || values.length === 0) return ['Available'];
  if (values.length === 1 && values[0] === 'ALL') return 'ALL';

  const unknown = values.find((v) => !STATUSES.includes(v as ImageStatus));
  if (unknown !== undefined) {
    throw invalidParameter('Status', unknown, `ALL alone or a list of ${STATUSES.join(', ')}`);
  }
  return values;
}
