/**
 * ECR image scanning end to end: the fixture image (fixtures/images/vulnerable,
 * built offline FROM the busybox test image with a Debian 12 dpkg database,
 * npm lockfiles and a deleted legacy lockfile) is pushed with the real docker
 * CLI to a scan-on-push repository, and awscli v2 waits for the scan and reads
 * the findings matched against the fixture OSV database (fixtures/osv).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/berth.js';
import { useBerth } from '../helpers/use-berth.js';
import { aws, cliAvailable } from '../helpers/cli.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { dockerCli } from '../helpers/docker-cli.js';

const { configDir, docker, ok } = dockerCli();

const dockerAvailable = await new Promise<boolean>((resolve) => execFile('docker', ['info'], (err) => resolve(!err)));
const skip = !dockerAvailable ? 'docker is not available' : !cliAvailable('v2') ? 'awscli v2 is not installed' : false;

describe('ECR image scanning with the docker CLI and awscli v2', { skip }, () => {
  let uri: string;
  const run = Math.random().toString(36).slice(2, 8);
  const local = `berth-test/ecr-scan:${run}`;
  const refs: string[] = [local];
  const cli = (args: string[]) => aws('v2', berth.endpoint, args);

  after(async () => {
    const ids = new Set<string>();
    for (const ref of refs) {
      const r = await docker(['image', 'inspect', '--format', '{{.Id}}', ref]);
      if (r.code === 0) ids.add(r.stdout.trim());
    }
    for (const ref of refs) await docker(['rmi', '-f', ref]);
    for (const id of ids) await docker(['rmi', '-f', id]);
  });
  const berth = useBerth({ runtime: 'fake', vulnerabilityDb: join(REPO_ROOT, 'fixtures/osv') });
  before(async () => {
    await ok(['build', '-q', '--build-arg', `BASE=${ensureBusyboxImage()}`, '-t', local, join(REPO_ROOT, 'fixtures/images/vulnerable')]);
  });

  after(async () => {
    rmSync(configDir, { recursive: true, force: true });
  });

  it('a docker push to a scan-on-push repository is scanned; awscli reads the findings', async () => {
    const created = await cli(['ecr', 'create-repository', '--repository-name', 'scan/e2e', '--image-scanning-configuration', 'scanOnPush=true']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.json.repository.imageScanningConfiguration.scanOnPush, true);
    uri = created.json.repository.repositoryUri;

    const password = (await cli(['ecr', 'get-login-password'])).stdout.trim();
    await ok(['login', '--username', 'AWS', '--password-stdin', berth.endpoint], password);
    const ref = `${uri}:1`;
    refs.push(ref);
    await ok(['tag', local, ref]);
    const pushed = await ok(['push', ref]);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed)![1];

    const waited = await cli(['ecr', 'wait', 'image-scan-complete', '--repository-name', 'scan/e2e', '--image-id', 'imageTag=1']);
    assert.equal(waited.code, 0, waited.stderr);

    // --page-size makes the CLI fetch the findings one page at a time and merge them.
    const out = await cli(['ecr', 'describe-image-scan-findings', '--repository-name', 'scan/e2e', '--image-id', 'imageTag=1', '--page-size', '1']);
    assert.equal(out.code, 0, out.stderr);
    const r = out.json;
    assert.equal(r.imageId.imageDigest, digest);
    assert.deepEqual(r.imageScanStatus, { status: 'COMPLETE', description: 'The scan was completed successfully.' });
    assert.deepEqual(r.imageScanFindings.findingSeverityCounts, { CRITICAL: 1, HIGH: 1, MEDIUM: 2 });
    const table = r.imageScanFindings.findings.map((f: { name: string; severity: string; attributes: { key: string; value: string }[] }) => {
      const a = Object.fromEntries(f.attributes.map((x) => [x.key, x.value]));
      return [f.name, f.severity, a.package_name, a.package_version, a.fixed_in_version];
    });
    assert.deepEqual(table, [
      ['CVE-2099-0001', 'CRITICAL', 'openssl', '3.0.11-1~deb12u2', '3.0.13-1~deb12u1'],
      ['CVE-2099-0005', 'HIGH', 'lodash', '4.17.20', '4.17.21'],
      ['CVE-2099-0002', 'MEDIUM', 'zlib', '1:1.2.13.dfsg-1', '1:1.2.13.dfsg-1+deb12u1'],
      ['CVE-2099-0007', 'MEDIUM', 'semver', '7.5.1', '7.5.2'],
    ]);
    assert.ok(Date.parse(r.imageScanFindings.imageScanCompletedAt) > 0);
    assert.equal(Date.parse(r.imageScanFindings.vulnerabilitySourceUpdatedAt), Date.parse('2099-02-01T08:30:00Z'));

    const described = await cli(['ecr', 'describe-images', '--repository-name', 'scan/e2e']);
    assert.equal(described.json.imageDetails[0].imageScanStatus.status, 'COMPLETE');
    assert.deepEqual(described.json.imageDetails[0].imageScanFindingsSummary.findingSeverityCounts, { CRITICAL: 1, HIGH: 1, MEDIUM: 2 });
  });

  it('a manual scan within a day of the push is refused with LimitExceededException', async () => {
    const again = await cli(['ecr', 'start-image-scan', '--repository-name', 'scan/e2e', '--image-id', 'imageTag=1']);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /LimitExceededException.*The scan quota per image has been exceeded/);
  });
});
