import type { EcsAction } from '../types';
import type { ActionHandler } from './action';
import { deleteSnapshot } from './delete-snapshot';
import { describeDisks } from './describe-disks';
import { describeImages } from './describe-images';
import { describeSnapshots } from './describe-snapshots';

export type { ActionContext, ActionHandler } from './action';

export const ACTION_HANDLERS: Readonly<Record<EcsAction, ActionHandler>> = {
  DescribeSnapshots: describeSnapshots,
  DeleteSnapshot: deleteSnapshot,
  DescribeDisks: describeDisks,
  DescribeImages: describeImages,
};

export function isEcsAction(name: string): name is EcsAction {
  return Object.hasOwn(ACTION_HANDLERS, name);
}
