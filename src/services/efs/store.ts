/**
 * EFS rows: file systems, access points and mount targets, each keyed by
 * (account, region, id) with the SDK-shaped description in `doc`. Tags live
 * in the shared tags table under the resource's ARN (mount targets have none).
 * Lifecycle states move forward in controllers/efs-file-systems.ts:
 * creating → available, and deleting → gone. Functions take a Scope (a
 * RequestContext is one), so the controller can use them too.
 */
import type { AccessPointDescription, FileSystemDescription, MountTargetDescription, Tag } from '@aws-sdk/client-efs';
import { parseArn } from '../../shared/arns.js';
import { randomHex } from '../../shared/ids.js';
import type { Statements } from '../../state/db.js';
import type { Scope } from '../../state/scope.js';
import { getTags } from '../../state/tags.js';
import { badRequest } from './errors.js';

export type { Scope };

export interface FileSystemRow {
  id: string;
  creation_token: string;
  state: string;
  doc: string;
  policy: string | null;
  lifecycle: string | null;
  backup: string | null;
  seq: number;
}

export interface AccessPointRow {
  id: string;
  fs_id: string;
  client_token: string;
  state: string;
  doc: string;
  seq: number;
}

export interface MountTargetRow {
  id: string;
  fs_id: string;
  subnet_id: string;
  vpc_id: string;
  az: string;
  state: string;
  doc: string;
  seq: number;
}

/** EFS ids are the resource prefix and 17 hex digits (the long id format every account has since 2021). */
const newId = (prefix: string) => `${prefix}-0${randomHex(8)}`;
export const newFileSystemId = () => newId('fs');
export const newAccessPointId = () => newId('fsap');
export const newMountTargetId = () => newId('fsmt');

const FS_ID_RE = /^fs-[0-9a-f]{8,40}$/;
const FSAP_ID_RE = /^fsap-[0-9a-f]{8,40}$/;

/** The change-feed key of an EFS resource: the controller reconciles one resource per key. */
export const efsKey = (s: Pick<Scope, 'account' | 'region'>, id: string) => `${s.account}/${s.region}/${id}`;

export function parseEfsKey(key: string): { account: string; region: string; id: string } | undefined {
  const [account, region, id] = key.split('/');
  return account && region && id ? { account, region, id } : undefined;
}

/** A file system reference as the API accepts it: its id or its ARN. */
export function fileSystemIdOf(ref: string): string {
  if (FS_ID_RE.test(ref)) return ref;
  const arn = ref.startsWith('arn:') ? parseArn(ref) : undefined;
  const id = arn?.service === 'elasticfilesystem' && arn.resource.startsWith('file-system/') ? arn.resource.slice('file-system/'.length) : '';
  if (FS_ID_RE.test(id)) return id;
  throw badRequest(`Invalid file system ID: ${ref}`);
}

/** An access point reference: its id or its ARN. */
export function accessPointIdOf(ref: string): string {
  if (FSAP_ID_RE.test(ref)) return ref;
  const arn = ref.startsWith('arn:') ? parseArn(ref) : undefined;
  const id = arn?.service === 'elasticfilesystem' && arn.resource.startsWith('access-point/') ? arn.resource.slice('access-point/'.length) : '';
  if (FSAP_ID_RE.test(id)) return id;
  throw badRequest(`Invalid access point ID: ${ref}`);
}

export const parse = <T>(row: { doc: string }): T => JSON.parse(row.doc) as T;

export function nextSeq(s: Scope, table: string): number {
  return (s.sql.get(`SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM ${table}`).get() as { n: number }).n;
}

// ---- file systems ----

export function loadFileSystem(s: Scope, id: string): FileSystemRow | undefined {
  return s.sql
    .get('SELECT id, creation_token, state, doc, policy, lifecycle, backup, seq FROM efs_file_systems WHERE account = ? AND region = ? AND id = ?')
    .get(s.account, s.region, id) as FileSystemRow | undefined;
}

export function fileSystemByToken(s: Scope, token: string): FileSystemRow | undefined {
  return s.sql
    .get('SELECT id, creation_token, state, doc, policy, lifecycle, backup, seq FROM efs_file_systems WHERE account = ? AND region = ? AND creation_token = ?')
    .get(s.account, s.region, token) as FileSystemRow | undefined;
}

export function saveFileSystem(s: Scope, fs: FileSystemDescription) {
  s.sql
    .get('UPDATE efs_file_systems SET state = ?, doc = ? WHERE account = ? AND region = ? AND id = ?')
    .run(fs.LifeCycleState, JSON.stringify(fs), s.account, s.region, fs.FileSystemId);
}

export function setFileSystemColumn(s: Scope, id: string, column: 'policy' | 'lifecycle' | 'backup', value: string | null) {
  s.sql.get(`UPDATE efs_file_systems SET ${column} = ? WHERE account = ? AND region = ? AND id = ?`).run(value, s.account, s.region, id);
}

export const efsTags = (s: Scope, arn: string): Tag[] => getTags(s, arn).map((t) => ({ Key: t.key, Value: t.value }));

export function mountTargetCount(s: Scope, fsId: string): number {
  return (s.sql.get('SELECT COUNT(*) AS n FROM efs_mount_targets WHERE account = ? AND region = ? AND fs_id = ?').get(s.account, s.region, fsId) as { n: number }).n;
}

/** The description as DescribeFileSystems shows it now: tags, Name and the mount-target count are live. */
export function describeFileSystem(s: Scope, row: FileSystemRow): FileSystemDescription {
  const fs = parse<FileSystemDescription>(row);
  const tags = efsTags(s, fs.FileSystemArn!);
  const name = tags.find((t) => t.Key === 'Name')?.Value;
  return { ...fs, ...(name !== undefined ? { Name: name } : {}), Tags: tags, NumberOfMountTargets: mountTargetCount(s, fs.FileSystemId!) };
}

// ---- access points ----

const AP_COLUMNS = 'id, fs_id, client_token, state, doc, seq';

export function loadAccessPoint(s: Scope, id: string): AccessPointRow | undefined {
  return s.sql.get(`SELECT ${AP_COLUMNS} FROM efs_access_points WHERE account = ? AND region = ? AND id = ?`).get(s.account, s.region, id) as
    | AccessPointRow
    | undefined;
}

export function accessPointByToken(s: Scope, token: string): AccessPointRow | undefined {
  return s.sql
    .get(`SELECT ${AP_COLUMNS} FROM efs_access_points WHERE account = ? AND region = ? AND client_token = ?`)
    .get(s.account, s.region, token) as AccessPointRow | undefined;
}

export function accessPointsOf(s: Scope, fsId: string): AccessPointRow[] {
  return s.sql
    .get(`SELECT ${AP_COLUMNS} FROM efs_access_points WHERE account = ? AND region = ? AND fs_id = ? ORDER BY seq`)
    .all(s.account, s.region, fsId) as AccessPointRow[];
}

export function saveAccessPoint(s: Scope, ap: AccessPointDescription) {
  s.sql
    .get('UPDATE efs_access_points SET state = ?, doc = ? WHERE account = ? AND region = ? AND id = ?')
    .run(ap.LifeCycleState, JSON.stringify(ap), s.account, s.region, ap.AccessPointId);
}

export function describeAccessPoint(s: Scope, row: AccessPointRow): AccessPointDescription {
  const ap = parse<AccessPointDescription>(row);
  const tags = efsTags(s, ap.AccessPointArn!);
  const name = tags.find((t) => t.Key === 'Name')?.Value;
  return { ...ap, ...(name !== undefined ? { Name: name } : {}), Tags: tags };
}

// ---- mount targets ----

const MT_COLUMNS = 'id, fs_id, subnet_id, vpc_id, az, state, doc, seq';

export function loadMountTarget(s: Scope, id: string): MountTargetRow | undefined {
  return s.sql.get(`SELECT ${MT_COLUMNS} FROM efs_mount_targets WHERE account = ? AND region = ? AND id = ?`).get(s.account, s.region, id) as
    | MountTargetRow
    | undefined;
}

export function mountTargetsOf(s: Scope, fsId: string): MountTargetRow[] {
  return s.sql
    .get(`SELECT ${MT_COLUMNS} FROM efs_mount_targets WHERE account = ? AND region = ? AND fs_id = ? ORDER BY seq`)
    .all(s.account, s.region, fsId) as MountTargetRow[];
}

export function saveMountTarget(s: Scope, mt: MountTargetDescription) {
  s.sql
    .get('UPDATE efs_mount_targets SET state = ?, doc = ? WHERE account = ? AND region = ? AND id = ?')
    .run(mt.LifeCycleState, JSON.stringify(mt), s.account, s.region, mt.MountTargetId);
}

// ---- pagination (Marker / NextToken): the seq after which the next page starts ----

export function encodeMarker(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq }), 'utf8').toString('base64url');
}

export function decodeMarker(marker: string | undefined, what = 'Marker'): number {
  if (!marker) return 0;
  try {
    const { s } = JSON.parse(Buffer.from(marker, 'base64url').toString('utf8'));
    if (Number.isInteger(s) && s >= 0) return s;
  } catch { /* fall through */ }
  throw badRequest(`Invalid ${what}: ${marker}`);
}

export function pageLimit(value: number | undefined, defaultSize: number, what: string): number {
  if (value === undefined) return defaultSize;
  if (!Number.isInteger(value) || value < 1) throw badRequest(`${what} must be greater than 0.`);
  return value;
}

/** Resources not yet settled (creating, updating, deleting), for the controller's periodic resync. */
export function unsettledKeys(sql: Statements): string[] {
  const rows = sql
    .get(`SELECT account, region, id FROM efs_file_systems WHERE state != 'available'
          UNION ALL SELECT account, region, id FROM efs_access_points WHERE state != 'available'
          UNION ALL SELECT account, region, id FROM efs_mount_targets WHERE state != 'available'`)
    .all() as { account: string; region: string; id: string }[];
  return rows.map((r) => efsKey(r, r.id));
}

/** Every file system (for the periodic size metering). */
export function allFileSystemKeys(sql: Statements): string[] {
  const rows = sql.get('SELECT account, region, id FROM efs_file_systems').all() as { account: string; region: string; id: string }[];
  return rows.map((r) => efsKey(r, r.id));
}
