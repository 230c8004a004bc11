/**
 * EFS file systems: CreateFileSystem, DescribeFileSystems, UpdateFileSystem,
 * DeleteFileSystem. A file system is a directory Berth manages under
 * `<data dir>/volumes/efs/<account>/<region>/<fs-id>/`; the controller
 * (controllers/efs-file-systems.ts) creates it (creating → available) and
 * removes it with the file system (deleting → gone).
 * https://docs.aws.amazon.com/efs/latest/ug/API_CreateFileSystem.html
 */
import { createHash } from 'node:crypto';
import type {
  CreateFileSystemRequest,
  DeleteFileSystemRequest,
  DescribeFileSystemsRequest,
  DescribeFileSystemsResponse,
  FileSystemDescription,
  UpdateFileSystemRequest,
} from '@aws-sdk/client-efs';
import { efsArn } from '../../shared/arns.js';
import { zoneByName } from '../ec2/index.js';
import type { RequestContext } from '../provider.js';
import { dropAllTags } from '../../state/tags.js';
import {
  badRequest, fileSystemAlreadyExists, fileSystemInUse, fileSystemNotFound, incorrectFileSystemLifeCycleState, unsupportedAvailabilityZone,
} from './errors.js';
import {
  accessPointsOf, decodeMarker, describeFileSystem, efsKey, encodeMarker, fileSystemByToken, fileSystemIdOf, loadFileSystem,
  mountTargetCount, newFileSystemId, nextSeq, pageLimit, parse, saveAccessPoint, saveFileSystem, type FileSystemRow,
} from './store.js';
import { applyTags, validateTags } from './tags.js';

const PERFORMANCE_MODES = ['generalPurpose', 'maxIO'];
const THROUGHPUT_MODES = ['bursting', 'provisioned', 'elastic'];
/** What a new, empty file system meters: its root directory's metadata. */
const EMPTY_SIZE = 6144;
const MAX_PAGE = 100;

/** The account's AWS-managed key for EFS (aws/elasticfilesystem), stable per account and region. */
function defaultKmsKeyArn(region: string, account: string): string {
  const h = createHash('sha256').update(`aws/elasticfilesystem:${account}:${region}`).digest('hex');
  const uuid = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  return `arn:aws:kms:${region}:${account}:key/${uuid}`;
}

function validateThroughput(mode: string, mibps: number | undefined, performanceMode: string) {
  if (!THROUGHPUT_MODES.includes(mode)) throw badRequest(`Invalid ThroughputMode: ${mode}. Valid values are ${THROUGHPUT_MODES.join(', ')}.`);
  if (mode === 'provisioned' && mibps === undefined) throw badRequest('ProvisionedThroughputInMibps is required when ThroughputMode is provisioned.');
  if (mode !== 'provisioned' && mibps !== undefined) throw badRequest('ProvisionedThroughputInMibps can only be set when ThroughputMode is provisioned.');
  if (mibps !== undefined && !(mibps >= 1 && mibps <= 3414)) throw badRequest('ProvisionedThroughputInMibps must be between 1 and 3414.');
  if (mode === 'elastic' && performanceMode === 'maxIO') throw badRequest('Elastic throughput is not supported with the maxIO performance mode.');
}

export function createFileSystem(ctx: RequestContext, input: CreateFileSystemRequest): FileSystemDescription {
  const token = input.CreationToken ?? '';
  if (token.length < 1 || token.length > 64) throw badRequest('CreationToken must be between 1 and 64 characters long.');
  // Idempotent by token: the same token again names the file system it already created.
  const existing = fileSystemByToken(ctx, token);
  if (existing) throw fileSystemAlreadyExists(token, existing.id);

  const performanceMode = input.PerformanceMode ?? 'generalPurpose';
  if (!PERFORMANCE_MODES.includes(performanceMode)) {
    throw badRequest(`Invalid PerformanceMode: ${performanceMode}. Valid values are ${PERFORMANCE_MODES.join(', ')}.`);
  }
  const throughputMode = input.ThroughputMode ?? 'bursting';
  validateThroughput(throughputMode, input.ProvisionedThroughputInMibps, performanceMode);
  if (input.KmsKeyId && !input.Encrypted) throw badRequest('KmsKeyId can only be specified when Encrypted is true.');
  let zone: { name: string; id: string } | undefined;
  if (input.AvailabilityZoneName) {
    zone = zoneByName(ctx.region, input.AvailabilityZoneName);
    if (!zone) throw unsupportedAvailabilityZone(input.AvailabilityZoneName);
    if (performanceMode === 'maxIO') throw badRequest('One Zone file systems do not support the maxIO performance mode.');
  }
  validateTags(input.Tags);

  const id = newFileSystemId();
  const arn = efsArn.fileSystem(ctx.region, ctx.account, id);
  const fs: FileSystemDescription = {
    OwnerId: ctx.account,
    CreationToken: token,
    FileSystemId: id,
    FileSystemArn: arn,
    CreationTime: (ctx.clock.now() / 1000) as unknown as Date,
    LifeCycleState: 'creating',
    NumberOfMountTargets: 0,
    SizeInBytes: { Value: EMPTY_SIZE, ValueInIA: 0, ValueInStandard: EMPTY_SIZE, ValueInArchive: 0 },
    PerformanceMode: performanceMode as FileSystemDescription['PerformanceMode'],
    Encrypted: !!input.Encrypted,
    ...(input.Encrypted ? { KmsKeyId: input.KmsKeyId ?? defaultKmsKeyArn(ctx.region, ctx.account) } : {}),
    ThroughputMode: throughputMode as FileSystemDescription['ThroughputMode'],
    ...(input.ProvisionedThroughputInMibps !== undefined ? { ProvisionedThroughputInMibps: input.ProvisionedThroughputInMibps } : {}),
    ...(zone ? { AvailabilityZoneName: zone.name, AvailabilityZoneId: zone.id } : {}),
    Tags: [],
    FileSystemProtection: { ReplicationOverwriteProtection: 'ENABLED' },
  };
  // Automatic backups default to on only for One Zone file systems.
  const backup = (input.Backup ?? !!zone) ? 'ENABLED' : 'DISABLED';
  ctx.sql
    .get(`INSERT INTO efs_file_systems (account, region, id, creation_token, state, doc, backup, seq)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(ctx.account, ctx.region, id, token, 'creating', JSON.stringify(fs), backup, nextSeq(ctx, 'efs_file_systems'));
  applyTags(ctx, arn, input.Tags);
  ctx.changed('efs', efsKey(ctx, id));
  return describeFileSystem(ctx, loadFileSystem(ctx, id)!);
}

/** A file system the caller can use: it exists and is not being deleted. */
export function requireFileSystem(ctx: RequestContext, ref: string): FileSystemRow {
  const id = fileSystemIdOf(ref);
  const row = loadFileSystem(ctx, id);
  if (!row || row.state === 'deleting') throw fileSystemNotFound(id);
  return row;
}

export function requireAvailableFileSystem(ctx: RequestContext, ref: string): FileSystemRow {
  const row = requireFileSystem(ctx, ref);
  if (row.state !== 'available') throw incorrectFileSystemLifeCycleState(row.id, row.state);
  return row;
}

export function describeFileSystems(ctx: RequestContext, input: DescribeFileSystemsRequest): DescribeFileSystemsResponse {
  if (input.FileSystemId && input.CreationToken) throw badRequest('Request cannot contain both a file system ID and a creation token.');
  const limit = Math.min(pageLimit(input.MaxItems, MAX_PAGE, 'MaxItems'), MAX_PAGE);
  if (input.FileSystemId) {
    const id = fileSystemIdOf(input.FileSystemId);
    const row = loadFileSystem(ctx, id);
    if (!row) throw fileSystemNotFound(id);
    return { Marker: input.Marker, FileSystems: [describeFileSystem(ctx, row)] };
  }
  if (input.CreationToken !== undefined) {
    const row = fileSystemByToken(ctx, input.CreationToken);
    return { Marker: input.Marker, FileSystems: row ? [describeFileSystem(ctx, row)] : [] };
  }
  const after = decodeMarker(input.Marker);
  const rows = ctx.sql
    .get(`SELECT id, creation_token, state, doc, policy, lifecycle, backup, seq FROM efs_file_systems
          WHERE account = ? AND region = ? AND seq > ? ORDER BY seq LIMIT ?`)
    .all(ctx.account, ctx.region, after, limit + 1) as FileSystemRow[];
  const page = rows.slice(0, limit);
  return {
    Marker: input.Marker,
    FileSystems: page.map((r) => describeFileSystem(ctx, r)),
    NextMarker: rows.length > limit ? encodeMarker(page[page.length - 1].seq) : undefined,
  };
}

export function updateFileSystem(ctx: RequestContext, input: UpdateFileSystemRequest): FileSystemDescription {
  const row = requireAvailableFileSystem(ctx, input.FileSystemId!);
  const fs = parse<FileSystemDescription>(row);
  if (input.ThroughputMode === undefined && input.ProvisionedThroughputInMibps === undefined) {
    throw badRequest('At least one of ThroughputMode or ProvisionedThroughputInMibps must be specified.');
  }
  const mode = input.ThroughputMode ?? fs.ThroughputMode!;
  const mibps = mode === 'provisioned' ? (input.ProvisionedThroughputInMibps ?? fs.ProvisionedThroughputInMibps) : input.ProvisionedThroughputInMibps;
  validateThroughput(mode, mibps, fs.PerformanceMode!);
  fs.ThroughputMode = mode as FileSystemDescription['ThroughputMode'];
  if (mibps !== undefined) fs.ProvisionedThroughputInMibps = mibps;
  else delete fs.ProvisionedThroughputInMibps;
  // The change applies asynchronously: "updating", then "available" again (the controller).
  fs.LifeCycleState = 'updating';
  saveFileSystem(ctx, fs);
  ctx.changed('efs', efsKey(ctx, fs.FileSystemId!));
  return describeFileSystem(ctx, loadFileSystem(ctx, fs.FileSystemId!)!);
}

export function deleteFileSystem(ctx: RequestContext, input: DeleteFileSystemRequest): Record<string, never> {
  const id = fileSystemIdOf(input.FileSystemId!);
  const row = loadFileSystem(ctx, id);
  if (!row) throw fileSystemNotFound(id);
  if (row.state === 'deleting') return {};
  // Only mount targets keep a file system in use (until they are gone, not merely deleting).
  if (mountTargetCount(ctx, id) > 0) throw fileSystemInUse(id);
  const fs = parse<FileSystemDescription>(row);
  fs.LifeCycleState = 'deleting';
  saveFileSystem(ctx, fs);
  // Its access points go with it.
  for (const ap of accessPointsOf(ctx, id)) {
    saveAccessPoint(ctx, { ...parse(ap), LifeCycleState: 'deleting' });
    ctx.changed('efs', efsKey(ctx, ap.id));
  }
  dropAllTags(ctx, fs.FileSystemArn!);
  ctx.changed('efs', efsKey(ctx, id));
  return {};
}
