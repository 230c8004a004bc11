/**
 * Container-definition environmentFiles on a real Docker engine: variables
 * from objects in Berth's S3 and from a local file (Berth's file:// extension)
 * reach the container, `environment` wins over the files and the first file
 * wins among them, a missing object stops the task as ECS does, and
 * RegisterTaskDefinition checks the entries.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, ECSClient, StopTaskCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, fetchWhenUp, isRunning, isStopped, register, runOneContainerTask, waitForTask } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const CLUSTER = 'env-files';
const BUCKET = 'team-config';
const EXEC_ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';

describe('ECS environmentFiles on Docker', () => {
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  let image: string;
  let dir: string;

  before(async () => {
    image = ensureBusyboxImage();
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
  });
  const berth = useBerth({ clients: { ecs: ECSClient, s3: [S3Client, { forcePathStyle: true }] } });
  before(async () => {
    net = await fargateNetwork(berth.endpoint);
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await berth.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await berth.s3.send(new PutObjectCommand({
      Bucket: BUCKET, Key: 'app/prod.env',
      Body: '# written by the platform team\nFROM_S3=s3 value with spaces\nSHARED=from-first-file\nOVERRIDDEN=from-file\nDB_URL=postgres://app:p=w@db:5432/app\n',
    }));
    await berth.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'app/extra.env', Body: 'SHARED=from-second-file\nSECOND_ONLY=2\r\n' }));
    dir = mkdtempSync(join(tmpdir(), 'berth-env-files-'));
    writeFileSync(join(dir, 'local.env'), 'FROM_LOCAL=local-value\nSHARED=from-local-file\n');
  });

  const run = (family: string, container: Partial<ContainerDefinition>) =>
    runOneContainerTask(berth.ecs, { cluster: CLUSTER, family, image, network: net, executionRoleArn: EXEC_ROLE, container });

  it('variables from S3 objects and a local file reach the container; environment wins, then the first file', async () => {
    const script = [
      'mkdir -p /www',
      'printf "%s|%s|%s|%s|%s|%s" "$FROM_S3" "$FROM_LOCAL" "$SHARED" "$SECOND_ONLY" "$OVERRIDDEN" "$DB_URL" > /www/env.txt',
      'exec httpd -f -p 8080 -h /www',
    ].join('; ');
    const task = await run('with-env-files', {
      command: ['sh', '-c', script],
      environment: [{ name: 'OVERRIDDEN', value: 'from-environment' }],
      environmentFiles: [
        { type: 's3', value: `arn:aws:s3:::${BUCKET}/app/prod.env` },
        { type: 's3', value: `arn:aws:s3:::${BUCKET}/app/extra.env` },
        { type: 's3', value: `file://${join(dir, 'local.env')}` },
      ],
    });
    const running = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isRunning, 'RUNNING');
    const port = running.containers![0].networkBindings![0].hostPort;
    const body = await fetchWhenUp(`http://127.0.0.1:${port}/env.txt`);
    assert.equal(body, 's3 value with spaces|local-value|from-first-file|2|from-environment|postgres://app:p=w@db:5432/app');
    await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: task.taskArn }));
    await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
  });

  it('a missing object stops the task with TaskFailedToStart and ResourceInitializationError', async () => {
    const task = await run('missing-env-file', {
      command: ['sleep', '60'],
      environmentFiles: [
        { type: 's3', value: `arn:aws:s3:::${BUCKET}/app/prod.env` },
        { type: 's3', value: `arn:aws:s3:::${BUCKET}/app/missing.env` },
      ],
    });
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(
      stopped.stoppedReason!,
      new RegExp(
        '^ResourceInitializationError: failed to download env files: unable to download env file with key app/missing\\.env ' +
          `from bucket ${BUCKET}, error: operation error S3: HeadObject, https response error StatusCode: 404, RequestID: [0-9a-f-]{36}, ` +
          'api error NotFound: Not Found$',
      ),
    );
    assert.equal(stopped.containers?.[0].lastStatus, 'STOPPED');
  });

  it('a missing local file stops the task too', async () => {
    const task = await run('missing-local-file', { command: ['sleep', '60'], environmentFiles: [{ type: 's3', value: 'file:///nonexistent/berth.env' }] });
    const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
    assert.equal(stopped.stopCode, 'TaskFailedToStart');
    assert.match(stopped.stoppedReason!, /^ResourceInitializationError: failed to download env files: .*\/nonexistent\/berth\.env.*no such file or directory/);
  });

  it('RegisterTaskDefinition refuses a type other than s3, a value that is not an S3 object ARN, and more than 10 files', async () => {
    const base = { family: 'bad-env-files', containerDefinitions: [] as ContainerDefinition[] };
    const attempt = (environmentFiles: ContainerDefinition['environmentFiles']) =>
      register(berth.ecs, { ...base, containerDefinitions: [{ name: 'app', image, memory: 64, essential: true, environmentFiles }] });
    await assert.rejects(attempt([{ type: 'http' as 's3', value: `arn:aws:s3:::${BUCKET}/a.env` }]), /Member must satisfy enum value set: \[s3\]/);
    await assert.rejects(attempt([{ type: 's3', value: `${BUCKET}/a.env` }]), /Invalid environmentFiles value/);
    await assert.rejects(attempt([{ type: 's3', value: `arn:aws:s3:::${BUCKET}` }]), /Invalid environmentFiles value/);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ type: 's3' as const, value: `arn:aws:s3:::${BUCKET}/${i}.env` }));
    await assert.rejects(attempt(eleven), /At most 10 environment files/);
    const ok = await attempt(eleven.slice(0, 10));
    assert.match(ok, /task-definition\/bad-env-files:1$/);
  });
});
