/**
 * Basic image scanning: StartImageScan, DescribeImageScanFindings,
 * Put/GetRegistryScanningConfiguration and
 * BatchGetRepositoryScanningConfiguration (PutImageScanningConfiguration is in
 * repositories.ts). The provider records a scan as IN_PROGRESS; the
 * ecr-image-scan controller runs the scanner (services/ecr/scanner) and
 * stores the findings.
 */
import type {
  BatchGetRepositoryScanningConfigurationRequest, BatchGetRepositoryScanningConfigurationResponse,
  DescribeImageScanFindingsRequest, DescribeImageScanFindingsResponse, GetRegistryScanningConfigurationRequest,
  GetRegistryScanningConfigurationResponse, ImageDetail, ImageIdentifier, PutRegistryScanningConfigurationRequest,
  PutRegistryScanningConfigurationResponse, RegistryScanningConfiguration, RepositoryScanningConfiguration,
  RepositoryScanningConfigurationFailure, StartImageScanRequest, StartImageScanResponse,
} from '@aws-sdk/client-ecr';
import { AwsError } from '../../protocol/errors.js';
import { isDigest } from '../../registry/digest.js';
import { resolveManifest } from './store/images.js';
import { digestForTag, getManifest, type ManifestRow } from './store/manifests.js';
import { getRepo, type RepoRow } from './store/repositories.js';
import { severityCounts } from './scanner/index.js';
import { isScannable } from './store/scans.js';
import {
  getRegistryScanning, getScan, putRegistryScanning, repositoryScanning, scanKey, startScan, type RegistryScanningDoc, type ScanRow,
} from './store/scans.js';
import type { RequestContext } from '../provider.js';
import { checkRepositoryName, decodeToken, encodeToken, pageSize, requireRepo } from './common.js';
import { imageNotFound, invalidParameter } from './errors.js';

/** ECR basic scanning allows one scan per image per 24 hours, the scan on push included. */
const SCAN_QUOTA_MS = 24 * 60 * 60 * 1000;
const FILTER_RE = /^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$/;

const idText = (id: ImageIdentifier) => `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;

/** The image an imageId names (tag, digest, or both agreeing), else ImageNotFoundException. */
function findImage(ctx: RequestContext, repo: RepoRow, id: ImageIdentifier | undefined): ManifestRow {
  if (!id?.imageDigest && !id?.imageTag) throw invalidParameter("Invalid parameter at 'imageId' failed to satisfy constraint: 'imageDigest or imageTag must be specified'");
  let m: ManifestRow | undefined;
  if (id.imageDigest) {
    m = isDigest(id.imageDigest) ? getManifest(ctx.sql, repo, id.imageDigest) : undefined;
    if (m && id.imageTag && digestForTag(ctx.sql, repo, id.imageTag) !== m.digest) m = undefined;
  } else {
    m = resolveManifest(ctx.sql, repo, id.imageTag!);
  }
  if (!m) throw imageNotFound(`The image with imageId ${idText(id)} does not exist within the repository with name '${repo.name}' in the registry with id '${repo.account}'`);
  return m;
}

const imageIdOf = (m: ManifestRow, id: ImageIdentifier): ImageIdentifier => ({ imageDigest: m.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) });

export function startImageScan(ctx: RequestContext, input: StartImageScanRequest): StartImageScanResponse {
  const repo = requireRepo(ctx, input, 'ecr:StartImageScan');
  const m = findImage(ctx, repo, input.imageId);
  if (m.imageStatus === 'ARCHIVED') throw new AwsError('ImageArchivedException', 'The specified image is archived and cannot be scanned.');
  if (!isScannable(m)) throw new AwsError('UnsupportedImageTypeException', 'The image type is not supported for image scanning.');
  const now = ctx.clock.now();
  const last = getScan(ctx.sql, repo, m.digest);
  if (last && now - last.startedAt < SCAN_QUOTA_MS) {
    throw new AwsError('LimitExceededException', 'The scan quota per image has been exceeded. Wait and try again.');
  }
  startScan(ctx.sql, repo, m.digest, now);
  ctx.changed('ecr.image-scan', scanKey(repo, m.digest));
  return {
    registryId: repo.account,
    repositoryName: repo.name,
    imageId: imageIdOf(m, input.imageId!),
    imageScanStatus: { status: 'IN_PROGRESS' },
  };
}

const statusOf = (scan: ScanRow) => ({ status: scan.status, ...(scan.description ? { description: scan.description } : {}) });

export function describeImageScanFindings(ctx: RequestContext, input: DescribeImageScanFindingsRequest): DescribeImageScanFindingsResponse {
  const repo = requireRepo(ctx, input, 'ecr:DescribeImageScanFindings');
  const m = findImage(ctx, repo, input.imageId);
  const scan = getScan(ctx.sql, repo, m.digest);
  if (!scan) {
    throw new AwsError('ScanNotFoundException',
      `Image scan does not exist for the image with '${idText(input.imageId!)}' in the repository with name '${repo.name}' in the registry with id '${repo.account}'`);
  }
  const limit = pageSize(input.maxResults, 1000);
  const start = decodeToken(input.nextToken);
  const base = { registryId: repo.account, repositoryName: repo.name, imageId: imageIdOf(m, input.imageId!), imageScanStatus: statusOf(scan) };
  if (scan.status !== 'COMPLETE') return base;
  const page = scan.findings.slice(start, start + limit);
  return {
    ...base,
    imageScanFindings: {
      imageScanCompletedAt: new Date(scan.completedAt!),
      ...(scan.sourceUpdatedAt ? { vulnerabilitySourceUpdatedAt: new Date(scan.sourceUpdatedAt) } : {}),
      findingSeverityCounts: severityCounts(scan.findings),
      findings: page,
    },
    ...(scan.findings.length > start + limit ? { nextToken: encodeToken(start + limit) } : {}),
  };
}

/** What DescribeImages adds for a scanned image: its scan status and, once complete, the counts. */
export function scanDetail(ctx: RequestContext, repo: RepoRow, digest: string): Pick<ImageDetail, 'imageScanStatus' | 'imageScanFindingsSummary'> {
  const scan = getScan(ctx.sql, repo, digest);
  if (!scan) return {};
  return {
    imageScanStatus: statusOf(scan),
    ...(scan.status === 'COMPLETE' ? {
      imageScanFindingsSummary: {
        imageScanCompletedAt: new Date(scan.completedAt!),
        ...(scan.sourceUpdatedAt ? { vulnerabilitySourceUpdatedAt: new Date(scan.sourceUpdatedAt) } : {}),
        findingSeverityCounts: severityCounts(scan.findings),
      },
    } : {}),
  };
}

// --- registry and repository scanning configuration ----------------------------

function checkRules(scanType: string, rules: PutRegistryScanningConfigurationRequest['rules']): RegistryScanningDoc['rules'] {
  return (rules ?? []).map((r) => {
    const frequencies = scanType === 'BASIC' ? ['SCAN_ON_PUSH', 'MANUAL'] : ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN', 'MANUAL'];
    if (!frequencies.includes(r.scanFrequency ?? '')) {
      throw new AwsError('ValidationException', `Scan frequency ${r.scanFrequency} is not supported for scan type ${scanType}. Supported: ${frequencies.join(', ')}.`);
    }
    const filters = r.repositoryFilters ?? [];
    if (!filters.length || filters.length > 100) {
      throw invalidParameter("Invalid parameter at 'repositoryFilters' failed to satisfy constraint: 'Member must have length between 1 and 100'");
    }
    for (const f of filters) {
      if (!f.filter || f.filter.length > 256 || !FILTER_RE.test(f.filter)) {
        throw invalidParameter(`Invalid parameter at 'filter' failed to satisfy constraint: 'must satisfy regular expression '${FILTER_RE.source}' and have length between 1 and 256'`);
      }
    }
    return { scanFrequency: r.scanFrequency!, repositoryFilters: filters.map((f) => ({ filter: f.filter!, filterType: f.filterType! })) };
  });
}

export function putRegistryScanningConfiguration(ctx: RequestContext, input: PutRegistryScanningConfigurationRequest): PutRegistryScanningConfigurationResponse {
  const scanType = input.scanType ?? 'BASIC';
  if (scanType === 'ENHANCED') {
    // Enhanced scanning is Amazon Inspector's; Berth has only the basic scanner and says so rather than pretend.
    throw new AwsError('ValidationException', 'ENHANCED scanning (Amazon Inspector) is not supported by Berth; use BASIC.');
  }
  const doc: RegistryScanningDoc = { scanType, rules: checkRules(scanType, input.rules) };
  putRegistryScanning(ctx, doc);
  return { registryScanningConfiguration: doc as RegistryScanningConfiguration };
}

export function getRegistryScanningConfiguration(ctx: RequestContext, _input: GetRegistryScanningConfigurationRequest): GetRegistryScanningConfigurationResponse {
  return { registryId: ctx.account, scanningConfiguration: getRegistryScanning(ctx) as RegistryScanningConfiguration };
}

export function batchGetRepositoryScanningConfiguration(
  ctx: RequestContext, input: BatchGetRepositoryScanningConfigurationRequest,
): BatchGetRepositoryScanningConfigurationResponse {
  const names = input.repositoryNames ?? [];
  const scanningConfigurations: RepositoryScanningConfiguration[] = [];
  const failures: RepositoryScanningConfigurationFailure[] = [];
  for (const name of names) {
    const repo = getRepo(ctx.sql, { account: ctx.account, region: ctx.region, name: checkRepositoryName(name, 'repositoryNames') });
    if (!repo) {
      failures.push({ repositoryName: name, failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' });
      continue;
    }
    const s = repositoryScanning(ctx.sql, repo);
    scanningConfigurations.push({
      repositoryArn: repo.arn, repositoryName: repo.name, scanOnPush: s.scanFrequency === 'SCAN_ON_PUSH',
      scanFrequency: s.scanFrequency, appliedScanFilters: s.appliedScanFilters,
    });
  }
  return { scanningConfigurations, failures };
}
