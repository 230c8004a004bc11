/**
 * Task-definition secrets on a real Docker engine: values from Secrets Manager
 * (JSON key) and SSM (SecureString) reach the container's environment, and a
 * missing secret stops the task the way ECS does.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, fetchWhenUp, isRunning, isStopped, runOneContainerTask, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const CLUSTER = 'secrets';
const EXEC_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';

describe('ECS task secrets on Docker', () => {
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  let image: string;
  let dbArn: string;

  const berth = useBerth({ clients: { ecs: ECSClient, sm: SecretsManagerClient, ssm: SSMClient } });
  before(async () => {
    image = ensureBusyboxImage();
    net = await fargateNetwork(berth.endpoint);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    dbArn = (await berth.sm.send(new CreateSecretCommand({ Name: 'e2e/db', SecretString: JSON.stringify({ username: 'app', password: 'old-pw', port: 5432 }) }))).ARN!;
    await berth.sm.send(new PutSecretValueCommand({ SecretId: dbArn, SecretString: JSON.stringify({ username: 'app', password: 'p@ss word!', port: 5432 }) }));
    await berth.ssm.send(new PutParameterCommand({ Name: '/e2e/api-token', Value: 'tok-123', Type: 'SecureString' }));
  });

  const run = (family: string, secrets: { name: string; valueFrom: string }[], command: string[]) =>
    runOneContainerTask(berth.ecs, { cluster: CLUSTER, family, image, network: net, executionRoleArn: EXEC_ROLE, container: { command, secrets } });

  it('secrets from a Secrets Manager JSON key and an SSM SecureString appear in the container environment', async () => {
    // The container writes what it received into a file and serves it on its port.
    const script = [
      'mkdir -p /www',
      'printf "%s|%s|%s|%s|%s|%s" "$DB_PASSWORD" "$DB_USER" "$DB_PORT" "$API_TOKEN" "$API_TOKEN_ARN" "$PREVIOUS_PASSWORD" > /www/env.txt',
      'exec httpd -f -p 8080 -h /www',
    ].join('; ');
    const task = await run('with-secrets', [
      { name: 'DB_PASSWORD', valueFrom: `${dbArn}:password::` },
      // The partial ARN (no random suffix) names the secret too.
      { name: 'DB_USER', valueFrom: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:e2e/db:username::' },
      { name: 'DB_PORT', valueFrom: `${dbArn}:port::` },
      { name: 'API_TOKEN', valueFrom: '/e2e/api-token' },
      { name: 'API_TOKEN_ARN', valueFrom: 'arn:aws:ssm:us-east-1:000000000000:parameter/e2e/api-token' },
      { name: 'PREVIOUS_PASSWORD', valueFrom: `${dbArn}:password:AWSPREVIOUS:` },
    ], ['sh', '-c', script]);
    const running = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isRunning, 'RUNNING');
    const port = running.containers![0].networkBindings![0].hostPort;
    const body = await fetchWhenUp(`http://127.0.0.1:${port}/env.txt`);
    assert.equal(body, 'p@ss word!|app|5432|tok-123|tok-123|old-pw');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
    await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
  });

  it('a missing Secrets Manager secret stops the task with ResourceInitializationError and TaskFailedToStart', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:e2e/missing-AbCdEf';
    const task = await run('missing-asm', [{ name: 'X', valueFrom: `${missing}:password::` }], ['sleep', '60']);
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(
      stopped.stoppedReason!,
      new RegExp(
        '^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ' +
          'unable to retrieve secret from asm: service call has been retried 1 time\\(s\\): ' +
          `failed to fetch secret ${missing.replace(/[/.]/g, '\\$&')} from secrets manager: ` +
          "ResourceNotFoundException: Secrets Manager can't find the specified secret\\. status code: 400, request id: [0-9a-f-]{36}$",
      ),
    );
    assert.equal(stopped.containers?.[0].lastStatus, 'STOPPED');
  });

  it('a missing SSM parameter stops the task naming the invalid parameter', async () => {
    const task = await run('missing-ssm', [{ name: 'A', valueFrom: '/e2e/api-token' }, { name: 'B', valueFrom: '/e2e/missing' }], ['sleep', '60']);
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.equal(
      stopped.stoppedReason,
      'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ' +
        'unable to retrieve secrets from ssm: service call has been retried 1 time(s): invalid ssm parameters: /e2e/missing',
    );
  });
});
