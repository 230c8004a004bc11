/** Shared bits of the EC2 integration suites: a client per account/region and error matching. */
import assert from 'node:assert/strict';
import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { clientConfig, TEST_CREDENTIALS } from '../../helpers/berth.js';

export function ec2Client(endpoint: string, region = 'us-east-1', accessKeyId = TEST_CREDENTIALS.accessKeyId) {
  return new EC2Client(clientConfig(endpoint, region, { ...TEST_CREDENTIALS, accessKeyId }));
}

/** Asserts that `p` fails with EC2 error `code` (and `message`, a string or pattern, when given). */
export async function rejectsWith(p: Promise<unknown>, code: string, message?: string | RegExp, status = 400) {
  await assert.rejects(p, (e: any) => {
    assert.equal(e.name, code, `expected ${code}, got ${e.name}: ${e.message}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

/** Polls DescribeInstances until the instance is in `state`. */
export async function waitForState(ec2: EC2Client, id: string, state: string, timeoutMs = 10_000): Promise<Instance> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const { Reservations } = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const i = Reservations![0].Instances![0];
    if (i.State?.Name === state) return i;
    if (Date.now() > until) throw new Error(`${id} is ${i.State?.Name}, not ${state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
