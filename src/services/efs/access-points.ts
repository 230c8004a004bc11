/**
 * EFS access points: CreateAccessPoint, DescribeAccessPoints, DeleteAccessPoint.
 * An access point is a root directory in its file system plus an optional
 * POSIX identity. As on EFS, the root directory is created (with
 * CreationInfo's owner and mode) when a client first mounts through the
 * access point, not when the access point is created: that is
 * controllers/task-volumes.ts, at task start.
 * https://docs.aws.amazon.com/efs/latest/ug/efs-access-points.html
 */
import type {
  AccessPointDescription,
  CreateAccessPointRequest,
  DeleteAccessPointRequest,
  DescribeAccessPointsRequest,
  DescribeAccessPointsResponse,
  PosixUser,
  RootDirectory,
} from '@aws-sdk/client-efs';
import { efsArn } from '../../shared/arns.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags } from '../../state/tags.js';
import { accessPointAlreadyExists, accessPointLimitExceeded, accessPointNotFound, badRequest } from './errors.js';
import { requireAvailableFileSystem, requireFileSystem } from './file-systems.js';
import {
  accessPointByToken, accessPointIdOf, decodeMarker, describeAccessPoint, efsKey, encodeMarker, loadAccessPoint, newAccessPointId, nextSeq,
  pageLimit, parse, saveAccessPoint, type AccessPointRow,
} from './store.js';
import { applyTags, validateTags } from './tags.js';

/** Access points per file system (the EFS quota). */
const MAX_ACCESS_POINTS = 10_000;
const MAX_ID = 4294967295;
/** A path component: never starting with a dot, none of the characters EFS forbids. */
const PATH_COMPONENT = /^[^.$#<>;`|&?{}^*/\n][^$#<>;`|&?{}^*/\n]*$/;

function checkId(value: number | undefined, what: string) {
  if (value === undefined || !Number.isInteger(value) || value < 0 || value > MAX_ID) {
    throw badRequest(`${what} must be an integer between 0 and ${MAX_ID}.`);
  }
}

function validatePosixUser(u: PosixUser | undefined) {
  if (!u) return;
  checkId(u.Uid, 'PosixUser.Uid');
  checkId(u.Gid, 'PosixUser.Gid');
  if ((u.SecondaryGids?.length ?? 0) > 16) throw badRequest('PosixUser.SecondaryGids can contain at most 16 group ids.');
  for (const g of u.SecondaryGids ?? []) checkId(g, 'PosixUser.SecondaryGids');
}

/** RootDirectory.Path: absolute, at most four levels below the file system root, 100 characters. */
export function validateRootPath(path: string) {
  const parts = path.split('/').slice(1);
  const ok = path.startsWith('/') && path.length <= 100 && (path === '/' || (parts.length <= 4 && parts.every((p) => PATH_COMPONENT.test(p))));
  if (!ok) throw badRequest(`Invalid RootDirectory.Path: '${path}'. A path is absolute, has at most four subdirectories, and no component starts with '.'.`);
}

function normalizeRoot(r: RootDirectory | undefined): RootDirectory {
  const path = r?.Path ?? '/';
  validateRootPath(path);
  const info = r?.CreationInfo;
  if (info) {
    checkId(info.OwnerUid, 'CreationInfo.OwnerUid');
    checkId(info.OwnerGid, 'CreationInfo.OwnerGid');
    if (!/^[0-7]{3,4}$/.test(info.Permissions ?? '')) throw badRequest('CreationInfo.Permissions must be an octal mode of 3 or 4 digits, such as 755.');
  }
  return { Path: path, ...(info ? { CreationInfo: info } : {}) };
}

export function createAccessPoint(ctx: RequestContext, input: CreateAccessPointRequest): AccessPointDescription {
  const token = input.ClientToken ?? '';
  if (token.length < 1 || token.length > 64) throw badRequest('ClientToken must be between 1 and 64 characters long.');
  const prior = accessPointByToken(ctx, token);
  if (prior) throw accessPointAlreadyExists(token, prior.id);
  const fsRow = requireAvailableFileSystem(ctx, input.FileSystemId!);
  validatePosixUser(input.PosixUser);
  const root = normalizeRoot(input.RootDirectory);
  validateTags(input.Tags);
  const count = (ctx.sql.get('SELECT COUNT(*) AS n FROM efs_access_points WHERE account = ? AND region = ? AND fs_id = ?')
    .get(ctx.account, ctx.region, fsRow.id) as { n: number }).n;
  if (count >= MAX_ACCESS_POINTS) throw accessPointLimitExceeded(fsRow.id);

  const id = newAccessPointId();
  const arn = efsArn.accessPoint(ctx.region, ctx.account, id);
  const ap: AccessPointDescription = {
    ClientToken: token,
    Tags: [],
    AccessPointId: id,
    AccessPointArn: arn,
    FileSystemId: fsRow.id,
    ...(input.PosixUser ? { PosixUser: input.PosixUser } : {}),
    RootDirectory: root,
    OwnerId: ctx.account,
    LifeCycleState: 'creating',
  };
  ctx.sql
    .get('INSERT INTO efs_access_points (account, region, id, fs_id, client_token, state, doc, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(ctx.account, ctx.region, id, fsRow.id, token, 'creating', JSON.stringify(ap), nextSeq(ctx, 'efs_access_points'));
  applyTags(ctx, arn, input.Tags);
  ctx.changed('efs', efsKey(ctx, id));
  return describeAccessPoint(ctx, loadAccessPoint(ctx, id)!);
}

export function describeAccessPoints(ctx: RequestContext, input: DescribeAccessPointsRequest): DescribeAccessPointsResponse {
  if (input.AccessPointId && input.FileSystemId) throw badRequest('Request cannot contain both an access point ID and a file system ID.');
  const limit = pageLimit(input.MaxResults, 100, 'MaxResults');
  if (input.AccessPointId) {
    const id = accessPointIdOf(input.AccessPointId);
    const row = loadAccessPoint(ctx, id);
    if (!row) throw accessPointNotFound(id);
    return { AccessPoints: [describeAccessPoint(ctx, row)] };
  }
  const after = decodeMarker(input.NextToken, 'NextToken');
  let rows: AccessPointRow[];
  if (input.FileSystemId) {
    const fs = requireFileSystem(ctx, input.FileSystemId);
    rows = ctx.sql
      .get(`SELECT id, fs_id, client_token, state, doc, seq FROM efs_access_points
            WHERE account = ? AND region = ? AND fs_id = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(ctx.account, ctx.region, fs.id, after, limit + 1) as AccessPointRow[];
  } else {
    rows = ctx.sql
      .get(`SELECT id, fs_id, client_token, state, doc, seq FROM efs_access_points
            WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?`)
      .all(ctx.account, ctx.region, after, limit + 1) as AccessPointRow[];
  }
  const page = rows.slice(0, limit);
  return {
    AccessPoints: page.map((r) => describeAccessPoint(ctx, r)),
    NextToken: rows.length > limit ? encodeMarker(page[page.length - 1].seq) : undefined,
  };
}

export function deleteAccessPoint(ctx: RequestContext, input: DeleteAccessPointRequest): Record<string, never> {
  const id = accessPointIdOf(input.AccessPointId!);
  const row = loadAccessPoint(ctx, id);
  if (!row) throw accessPointNotFound(id);
  if (row.state === 'deleting') return {};
  const ap = parse<AccessPointDescription>(row);
  ap.LifeCycleState = 'deleting';
  saveAccessPoint(ctx, ap);
  dropAllTags(ctx, ap.AccessPointArn!);
  // The directory stays: deleting an access point never deletes data.
  ctx.changed('efs', efsKey(ctx, id));
  return {};
}
