/**
 * `cdk bootstrap` against Berth with the real CDK CLI (a dev dependency; offline: the current bootstrap template ships
 * inside the CLI, and is deployed as a change set with its default KMS-free choice). Skipped with the reason when the
 * aws-cdk package is not installed. The bootstrap stack comes up: CDKToolkit in CREATE_COMPLETE with its version
 * parameter and outputs.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { REPO_ROOT, TEST_CREDENTIALS } from '../../helpers/berth.js';
import { useBerth } from '../../helpers/use-berth.js';

const CDK = join(REPO_ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const absent = !existsSync(CDK) && 'the aws-cdk package (the CDK CLI) is not installed in node_modules';

describe('cdk bootstrap against Berth', { skip: absent }, () => {
  const berth = useBerth({ runtime: 'fake', clients: { cfn: CloudFormationClient, ssm: SSMClient } });

  it('bootstraps the environment: CDKToolkit comes up with its version parameter', { timeout: 55_000 }, async () => {
    const env = {
      ...process.env, AWS_ENDPOINT_URL: berth.endpoint, AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
      AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1', CDK_DISABLE_VERSION_CHECK: '1', CI: 'true',
    };
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CDK, 'bootstrap', 'aws://000000000000/us-east-1', '--no-notices'], { env, timeout: 50_000 });
    assert.match(stdout + stderr, /Environment aws:\/\/000000000000\/us-east-1 bootstrapped/, stdout + stderr);
    const stack = (await berth.cfn.send(new DescribeStacksCommand({ StackName: 'CDKToolkit' }))).Stacks![0];
    assert.equal(stack.StackStatus, 'CREATE_COMPLETE');
    const version = stack.Outputs!.find((o) => o.OutputKey === 'BootstrapVersion')!.OutputValue!;
    assert.equal((await berth.ssm.send(new GetParameterCommand({ Name: '/cdk-bootstrap/hnb659fds/version' }))).Parameter!.Value, version);
  });
});
