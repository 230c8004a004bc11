/**
 * ECR basic image scanning through @aws-sdk/client-ecr against a real Berth
 * with the fixture OSV database: images built in memory from real tar.gz
 * layers (dpkg status, apk installed, npm lockfiles, a whiteout) and pushed
 * through the registry; StartImageScan and scan on push, status transitions,
 * findings with severity, package, versions, counts and pagination, the
 * 24-hour quota on the test's clock, the registry scanning configuration, and the "ECR Image Scan" event on the
 * default bus (issue 18).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import {
  BatchGetRepositoryScanningConfigurationCommand, CreateRepositoryCommand, DescribeImageScanFindingsCommand, DescribeImagesCommand,
  ECRClient, GetRegistryScanningConfigurationCommand, PutImageScanningConfigurationCommand, PutRegistryScanningConfigurationCommand,
  StartImageScanCommand, type DescribeImageScanFindingsCommandOutput, type ImageScanFinding,
} from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import { ManualClock } from '../../../src/shared/clock.js';
import { createLogger } from '../../../src/shared/logger.js';
import { tar } from '../../../src/shared/tar.js';
import { clientConfig, REPO_ROOT } from '../../helpers/berth.js';
import { Registry, makeImage, makeIndex, registryAuth, type TestImage } from '../registry/client.js';
import { rejectsNamed as rejects } from '../../helpers/aws-errors.js';

const ACCOUNT = '000000000000';
const HOUR = 3600 * 1000;
const fixture = (name: string) => readFileSync(`${REPO_ROOT}fixtures/images/vulnerable/${name}`);
const layer = (files: Record<string, Buffer | string>) =>
  gzipSync(tar(Object.entries(files).map(([name, data]) => ({ name, data: Buffer.isBuffer(data) ? data : Buffer.from(data) }))));

/** The fixture image of fixtures/images/vulnerable, as two layers: files, then the legacy lockfile's whiteout. */
const debianImage = () => makeImage({
  layers: [
    layer({
      'etc/os-release': fixture('os-release'),
      'var/lib/dpkg/status': fixture('dpkg-status'),
      'app/legacy/package-lock.json': fixture('legacy-package-lock.json'),
      'app/package-lock.json': fixture('package-lock.json'),
      [`marker-${Math.random()}`]: 'x',
    }),
    layer({ 'app/.wh.legacy': '' }),
  ],
});

const alpineImage = () => makeImage({
  layers: [layer({
    'etc/os-release': 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n',
    'lib/apk/db/installed': 'P:busybox\nV:1.36.1-r15\no:busybox\n\nP:busybox-binsh\nV:1.36.1-r15\no:busybox\n\nP:musl\nV:1.2.4_git20230717-r4\no:musl\n',
  })],
});

const attrs = (f: ImageScanFinding) => Object.fromEntries(f.attributes!.map((a) => [a.key, a.value]));

describe('ECR image scanning', () => {
  const clock = new ManualClock(Date.now());
  let app: App;
  let ecr: ECRClient;

  before(async () => {
    app = await startApp(resolveConfig({
      port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake', vulnerabilityDb: `${REPO_ROOT}fixtures/osv`,
    }), { clock, log: createLogger('error') });
    ecr = new ECRClient(clientConfig(app.endpoint));
  });
  after(async () => {
    ecr.destroy();
    await app.stop();
  });

  async function push(repositoryName: string, image: TestImage, tag: string) {
    const reg = new Registry(app.endpoint, await registryAuth(app.endpoint));
    const res = await reg.pushImage(`${ACCOUNT}/us-east-1/${repositoryName}`, image, tag);
    assert.equal(res.status, 201, await res.text());
  }

  const findings = (repositoryName: string, imageTag: string, extra: object = {}) =>
    ecr.send(new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageTag }, ...extra }));

  /** Polls until the scan has finished (scan on push starts after the push's response). */
  async function settled(repositoryName: string, imageTag: string): Promise<DescribeImageScanFindingsCommandOutput> {
    const end = Date.now() + 15_000;
    for (;;) {
      await app.controllers.idle();
      const out = await findings(repositoryName, imageTag).catch((err: Error) => {
        if (err.name === 'ScanNotFoundException') return undefined;
        throw err;
      });
      if (out && out.imageScanStatus?.status !== 'IN_PROGRESS') return out;
      if (Date.now() > end) throw new Error(`scan of ${repositoryName}:${imageTag} did not finish`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('StartImageScan goes IN_PROGRESS, then COMPLETE with findings matched against the OSV database', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/app' }));
    const image = debianImage();
    await push('scan/app', image, 'v1');
    await rejects(findings('scan/app', 'v1'), 'ScanNotFoundException',
      `Image scan does not exist for the image with '{imageDigest:'null', imageTag:'v1'}' in the repository with name 'scan/app' in the registry with id '${ACCOUNT}'`);

    const started = await ecr.send(new StartImageScanCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' } }));
    assert.deepEqual(started.imageScanStatus, { status: 'IN_PROGRESS' });
    assert.deepEqual(started.imageId, { imageDigest: image.digest, imageTag: 'v1' });

    const out = await settled('scan/app', 'v1');
    assert.deepEqual(out.imageScanStatus, { status: 'COMPLETE', description: 'The scan was completed successfully.' });
    const f = out.imageScanFindings!;
    assert.equal(f.imageScanCompletedAt!.getTime(), clock.now());
    assert.equal(f.vulnerabilitySourceUpdatedAt!.toISOString(), '2099-02-01T08:30:00.000Z');
    assert.deepEqual(f.findingSeverityCounts, { CRITICAL: 1, HIGH: 1, MEDIUM: 2 });
    assert.deepEqual(f.findings!.map((x) => [x.name, x.severity, attrs(x).package_name, attrs(x).package_version, attrs(x).fixed_in_version]), [
      ['CVE-2099-0001', 'CRITICAL', 'openssl', '3.0.11-1~deb12u2', '3.0.13-1~deb12u1'],
      ['CVE-2099-0005', 'HIGH', 'lodash', '4.17.20', '4.17.21'],
      ['CVE-2099-0002', 'MEDIUM', 'zlib', '1:1.2.13.dfsg-1', '1:1.2.13.dfsg-1+deb12u1'],
      ['CVE-2099-0007', 'MEDIUM', 'semver', '7.5.1', '7.5.2'],
    ]);
    assert.equal(f.findings![1].uri, 'https://github.com/advisories/GHSA-b3r7-test-0001');
    // The legacy lockfile (event-stream 3.3.6, CVE-2099-0011) is deleted by the second layer's whiteout.
    assert.ok(!f.findings!.some((x) => x.name === 'CVE-2099-0011'));
  });

  it('DescribeImageScanFindings paginates findings; the counts always cover all of them', async () => {
    const first = await findings('scan/app', 'v1', { maxResults: 3 });
    assert.equal(first.imageScanFindings!.findings!.length, 3);
    assert.ok(first.nextToken);
    const second = await findings('scan/app', 'v1', { maxResults: 3, nextToken: first.nextToken });
    assert.deepEqual(second.imageScanFindings!.findings!.map((x) => x.name), ['CVE-2099-0007']);
    assert.equal(second.nextToken, undefined);
    assert.deepEqual(second.imageScanFindings!.findingSeverityCounts, { CRITICAL: 1, HIGH: 1, MEDIUM: 2 });
  });

  it('DescribeImages reports the scan status and the findings summary', async () => {
    const d = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'scan/app', imageIds: [{ imageTag: 'v1' }] }))).imageDetails![0];
    assert.equal(d.imageScanStatus?.status, 'COMPLETE');
    assert.deepEqual(d.imageScanFindingsSummary?.findingSeverityCounts, { CRITICAL: 1, HIGH: 1, MEDIUM: 2 });
  });

  it('one scan per image per 24 hours: LimitExceededException, then a re-scan after a day', async () => {
    const again = ecr.send(new StartImageScanCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' } }));
    await rejects(again, 'LimitExceededException', 'The scan quota per image has been exceeded. Wait and try again.');
    clock.advance(25 * HOUR);
    const started = await ecr.send(new StartImageScanCommand({ repositoryName: 'scan/app', imageId: { imageTag: 'v1' } }));
    assert.equal(started.imageScanStatus!.status, 'IN_PROGRESS');
    const out = await settled('scan/app', 'v1');
    assert.equal(out.imageScanStatus!.status, 'COMPLETE');
    assert.equal(out.imageScanFindings!.imageScanCompletedAt!.getTime(), clock.now());
  });

  it('an Alpine image: apk packages by origin, apk version order', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/alpine' }));
    await push('scan/alpine', alpineImage(), '3.19');
    await ecr.send(new StartImageScanCommand({ repositoryName: 'scan/alpine', imageId: { imageTag: '3.19' } }));
    const out = await settled('scan/alpine', '3.19');
    assert.deepEqual(out.imageScanFindings!.findings!.map((x) => [x.name, x.severity, attrs(x).package_name, attrs(x).fixed_in_version, attrs(x).CVSS3_SCORE]), [
      ['CVE-2099-0008', 'HIGH', 'busybox', '1.36.1-r16', '7.8'],
    ]);
  });

  it('an image without a package database or lockfile is UNSUPPORTED_IMAGE; indexes and missing images are refused', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/plain' }));
    const plain = makeImage({ layers: [layer({ 'bin/sh': 'not really' })] });
    await push('scan/plain', plain, 'bare');
    await ecr.send(new StartImageScanCommand({ repositoryName: 'scan/plain', imageId: { imageDigest: plain.digest } }));
    const out = await settled('scan/plain', 'bare');
    assert.deepEqual(out.imageScanStatus, {
      status: 'UNSUPPORTED_IMAGE', description: 'UnsupportedImageError: The operating system and/or package manager are not supported.',
    });
    assert.equal(out.imageScanFindings, undefined);

    const index = makeIndex([{ image: plain, arch: 'amd64' }]);
    const reg = new Registry(app.endpoint, await registryAuth(app.endpoint));
    assert.equal((await reg.putManifest(`${ACCOUNT}/us-east-1/scan/plain`, 'multi', index.body, 'application/vnd.oci.image.index.v1+json')).status, 201);
    await rejects(ecr.send(new StartImageScanCommand({ repositoryName: 'scan/plain', imageId: { imageTag: 'multi' } })), 'UnsupportedImageTypeException');
    await rejects(ecr.send(new StartImageScanCommand({ repositoryName: 'scan/plain', imageId: { imageTag: 'ghost' } })), 'ImageNotFoundException',
      /The image with imageId \{imageDigest:'null', imageTag:'ghost'\} does not exist within the repository with name 'scan\/plain'/);
    await rejects(ecr.send(new StartImageScanCommand({ repositoryName: 'scan/none', imageId: { imageTag: 'x' } })), 'RepositoryNotFoundException');
  });

  it('scan on push: a repository with scanOnPush scans every new image by itself', async () => {
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/onpush', imageScanningConfiguration: { scanOnPush: true } }));
    await push('scan/onpush', debianImage(), 'latest');
    const out = await settled('scan/onpush', 'latest');
    assert.equal(out.imageScanStatus!.status, 'COMPLETE');
    assert.equal(out.imageScanFindings!.findings!.length, 4);
    // The scan on push counts against the daily quota, as on ECR.
    await rejects(ecr.send(new StartImageScanCommand({ repositoryName: 'scan/onpush', imageId: { imageTag: 'latest' } })), 'LimitExceededException');

    await ecr.send(new PutImageScanningConfigurationCommand({ repositoryName: 'scan/onpush', imageScanningConfiguration: { scanOnPush: false } }));
    await push('scan/onpush', debianImage(), 'manual');
    await app.controllers.idle();
    await rejects(findings('scan/onpush', 'manual'), 'ScanNotFoundException');
  });

  it('registry scanning configuration: BASIC rules with wildcard filters turn on scan on push for matching repositories', async () => {
    const initial = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
    assert.deepEqual([initial.registryId, initial.scanningConfiguration], [ACCOUNT, { scanType: 'BASIC', rules: [] }]);
    const rules = [{ scanFrequency: 'SCAN_ON_PUSH' as const, repositoryFilters: [{ filter: 'team-a/*', filterType: 'WILDCARD' as const }, { filter: 'critical', filterType: 'WILDCARD' as const }] }];
    const put = await ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'BASIC', rules }));
    assert.deepEqual(put.registryScanningConfiguration, { scanType: 'BASIC', rules });
    assert.deepEqual((await ecr.send(new GetRegistryScanningConfigurationCommand({}))).scanningConfiguration, { scanType: 'BASIC', rules });

    for (const repositoryName of ['team-a/web', 'ops/critical-db', 'team-b/web']) await ecr.send(new CreateRepositoryCommand({ repositoryName }));
    const batch = await ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: ['team-a/web', 'ops/critical-db', 'team-b/web', 'nope/x'] }));
    assert.deepEqual(batch.scanningConfigurations!.map((c) => [c.repositoryName, c.scanFrequency, c.scanOnPush, c.appliedScanFilters!.map((x) => x.filter)]), [
      ['team-a/web', 'SCAN_ON_PUSH', true, ['team-a/*']],
      ['ops/critical-db', 'SCAN_ON_PUSH', true, ['critical']],
      ['team-b/web', 'MANUAL', false, []],
    ]);
    assert.deepEqual(batch.failures, [{ repositoryName: 'nope/x', failureCode: 'REPOSITORY_NOT_FOUND', failureReason: 'REPOSITORY_NOT_FOUND' }]);

    await push('team-a/web', alpineImage(), '1');
    await push('team-b/web', alpineImage(), '1');
    assert.equal((await settled('team-a/web', '1')).imageScanStatus!.status, 'COMPLETE');
    await rejects(findings('team-b/web', '1'), 'ScanNotFoundException');
  });

  it('PutRegistryScanningConfiguration refuses ENHANCED scanning and continuous scans for BASIC', async () => {
    await rejects(ecr.send(new PutRegistryScanningConfigurationCommand({ scanType: 'ENHANCED', rules: [] })), 'ValidationException', /ENHANCED/);
    await rejects(ecr.send(new PutRegistryScanningConfigurationCommand({
      scanType: 'BASIC', rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }],
    })), 'ValidationException', /CONTINUOUS_SCAN/);
    await rejects(ecr.send(new PutRegistryScanningConfigurationCommand({
      scanType: 'BASIC', rules: [{ scanFrequency: 'SCAN_ON_PUSH', repositoryFilters: [{ filter: 'Bad Name', filterType: 'WILDCARD' }] }],
    })), 'InvalidParameterException');
  });

  it('a finished scan sends "ECR Image Scan" to the default bus: status, tags, counts by severity, the repository as resource', async () => {
    const sqs = new SQSClient(clientConfig(app.endpoint));
    const events = new EventBridgeClient(clientConfig(app.endpoint));
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'scan-events' }));
      await events.send(new PutRuleCommand({ Name: 'scans', EventPattern: JSON.stringify({ source: ['aws.ecr'], 'detail-type': ['ECR Image Scan'] }) }));
      await events.send(new PutTargetsCommand({ Rule: 'scans', Targets: [{ Id: 'q', Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:scan-events` }] }));
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scan/events', imageScanningConfiguration: { scanOnPush: true } }));
      const image = debianImage();
      await push('scan/events', image, 'e1');
      const out = await settled('scan/events', 'e1');
      assert.equal(out.imageScanStatus!.status, 'COMPLETE');
      let body: string | undefined;
      for (const end = Date.now() + 5000; !body && Date.now() < end;) {
        await app.controllers.idle();
        body = (await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }))).Messages?.[0]?.Body;
      }
      const e = JSON.parse(body!);
      assert.deepEqual([e.source, e['detail-type'], e.resources], ['aws.ecr', 'ECR Image Scan', [`arn:aws:ecr:us-east-1:${ACCOUNT}:repository/scan/events`]]);
      assert.deepEqual(e.detail, {
        'scan-status': 'COMPLETE', 'repository-name': 'scan/events', 'image-digest': image.digest, 'image-tags': ['e1'],
        'finding-severity-counts': out.imageScanFindings!.findingSeverityCounts,
      });
      assert.ok(Object.keys(e.detail['finding-severity-counts']).length > 0, 'the fixture image has findings');
    } finally {
      sqs.destroy();
      events.destroy();
    }
  });
});

describe('ECR image scanning without a vulnerability database', () => {
  it('a scan fails and says how to configure one', async () => {
    const app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake' }), { log: createLogger('error') });
    const ecr = new ECRClient(clientConfig(app.endpoint));
    try {
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'nodb/app' }));
      const reg = new Registry(app.endpoint, await registryAuth(app.endpoint));
      assert.equal((await reg.pushImage(`${ACCOUNT}/us-east-1/nodb/app`, debianImage(), 'v1')).status, 201);
      await ecr.send(new StartImageScanCommand({ repositoryName: 'nodb/app', imageId: { imageTag: 'v1' } }));
      await app.controllers.idle();
      let out: DescribeImageScanFindingsCommandOutput;
      do {
        out = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'nodb/app', imageId: { imageTag: 'v1' } }));
      } while (out.imageScanStatus!.status === 'IN_PROGRESS' && (await new Promise((r) => setTimeout(r, 20)), true));
      assert.equal(out.imageScanStatus!.status, 'FAILED');
      assert.match(out.imageScanStatus!.description!, /BERTH_VULN_DB/);
    } finally {
      ecr.destroy();
      await app.stop();
    }
  });
});
