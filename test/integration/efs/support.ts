/** Shared bits of the EFS integration suites: a client, error matching, waiting for lifecycle states. */
import assert from 'node:assert/strict';
import { DescribeAccessPointsCommand, DescribeFileSystemsCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { clientConfig, TEST_CREDENTIALS } from '../../helpers/berth.js';

export function efsClient(endpoint: string, region = 'us-east-1', accessKeyId = TEST_CREDENTIALS.accessKeyId) {
  return new EFSClient(clientConfig(endpoint, region, { ...TEST_CREDENTIALS, accessKeyId }));
}

/** Asserts that `p` fails with EFS error `code` (its ErrorCode member too), `message` and HTTP `status`. */
export async function rejectsWith(p: Promise<unknown>, code: string, status: number, message?: string | RegExp) {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, code, `expected ${code}, got ${e.name}: ${e.message}`);
    assert.equal(e.$metadata?.httpStatusCode, status);
    // EFS's own errors carry an ErrorCode member; the frontend's deserialization and model-constraint errors do not.
    if (code !== 'SerializationException' && code !== 'ValidationException') assert.equal(e.ErrorCode, code, 'the ErrorCode member names the error too');
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Polls `describe` (a Describe call for one id) until the resource it lists is available: that resource. */
function untilAvailable<T extends { LifeCycleState?: string }>(describe: () => Promise<T[] | undefined>, id: string): Promise<T> {
  return until(async () => {
    const items = await describe();
    return items?.[0].LifeCycleState === 'available' ? items[0] : undefined;
  }, `${id} available`);
}

/** Polls DescribeFileSystems the way scripts and Terraform do, until the file system is available. */
export function fileSystemAvailable(efs: EFSClient, FileSystemId: string) {
  return untilAvailable(async () => (await efs.send(new DescribeFileSystemsCommand({ FileSystemId }))).FileSystems, FileSystemId);
}

export function fileSystemGone(efs: EFSClient, FileSystemId: string) {
  return until(async () => {
    try {
      await efs.send(new DescribeFileSystemsCommand({ FileSystemId }));
      return undefined;
    } catch (e: any) {
      return e.name === 'FileSystemNotFound' ? true : undefined;
    }
  }, `${FileSystemId} deleted`);
}

export function mountTargetAvailable(efs: EFSClient, MountTargetId: string) {
  return untilAvailable(async () => (await efs.send(new DescribeMountTargetsCommand({ MountTargetId }))).MountTargets, MountTargetId);
}

export function mountTargetsGone(efs: EFSClient, FileSystemId: string) {
  return until(async () => {
    const { MountTargets } = await efs.send(new DescribeMountTargetsCommand({ FileSystemId }));
    return MountTargets?.length ? undefined : true;
  }, `mount targets of ${FileSystemId} deleted`);
}

export function accessPointAvailable(efs: EFSClient, AccessPointId: string) {
  return untilAvailable(async () => (await efs.send(new DescribeAccessPointsCommand({ AccessPointId }))).AccessPoints, AccessPointId);
}
