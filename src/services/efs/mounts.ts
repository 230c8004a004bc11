/**
 * What the rest of Berth needs to mount an EFS file system (ECS task
 * volumes) and to keep its directory (the EFS controller): where a file
 * system lives on disk and the lookups a mount makes, callable without a
 * RequestContext. On-disk layout, under the data directory:
 *
 *   volumes/efs/
 *     <account>/<region>/
 *       fs-0123456789abcdef0/      the file system's root directory (root:root 0755, as on EFS)
 *         app/data/                an access point's RootDirectory.Path, created on first mount
 */
import { join } from 'node:path';
import type { AccessPointDescription, FileSystemDescription } from '@aws-sdk/client-efs';
import type { Statements } from '../../state/db.js';
import { loadAccessPoint, loadFileSystem, mountTargetsOf, parse } from './store.js';

export function fileSystemDir(dataDir: string, account: string, region: string, fsId: string): string {
  return join(dataDir, 'volumes', 'efs', account, region, fsId);
}

export interface MountableFileSystem {
  id: string;
  state: string;
  /** The VPCs where the file system has an available mount target. */
  vpcs: string[];
  /** The One Zone file system's zone, if it is one. */
  availabilityZone?: string;
}

export interface MountableAccessPoint {
  id: string;
  fileSystemId: string;
  state: string;
  rootPath: string;
  creationInfo?: { ownerUid: number; ownerGid: number; permissions: string };
  posixUser?: { uid: number; gid: number; secondaryGids: number[] };
}

/** A file system that a client could mount now, or undefined if there is none (or it is being deleted). */
export function mountableFileSystem(sql: Statements, account: string, region: string, fsId: string): MountableFileSystem | undefined {
  const s = { sql, account, region };
  const row = loadFileSystem(s, fsId);
  if (!row || row.state === 'deleting') return undefined;
  const fs = parse<FileSystemDescription>(row);
  const vpcs = [...new Set(mountTargetsOf(s, fsId).filter((m) => m.state === 'available').map((m) => m.vpc_id))];
  return { id: row.id, state: row.state, vpcs, availabilityZone: fs.AvailabilityZoneName };
}

export function mountableAccessPoint(sql: Statements, account: string, region: string, apId: string): MountableAccessPoint | undefined {
  const row = loadAccessPoint({ sql, account, region }, apId);
  if (!row || row.state === 'deleting') return undefined;
  const ap = parse<AccessPointDescription>(row);
  const info = ap.RootDirectory?.CreationInfo;
  const user = ap.PosixUser;
  return {
    id: row.id,
    fileSystemId: row.fs_id,
    state: row.state,
    rootPath: ap.RootDirectory?.Path ?? '/',
    ...(info ? { creationInfo: { ownerUid: info.OwnerUid!, ownerGid: info.OwnerGid!, permissions: info.Permissions! } } : {}),
    ...(user ? { posixUser: { uid: user.Uid!, gid: user.Gid!, secondaryGids: user.SecondaryGids ?? [] } } : {}),
  };
}
