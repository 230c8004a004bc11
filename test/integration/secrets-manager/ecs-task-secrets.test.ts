/**
 * How ECS tasks resolve `secrets`, `logConfiguration.secretOptions` and
 * `repositoryCredentials` (the execution role's view), on the in-memory
 * runtime: which values reach a container, which credentials reach a pull,
 * and the stoppedReason of each failure. test/e2e/ecs-secrets.test.ts proves
 * the values really land in a container's environment on Docker.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, ECSClient, RunTaskCommand, type ContainerDefinition } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { startApp, type App } from '../../../src/app.js';
import { resolveConfig } from '../../../src/config/index.js';
import type { ContainerSpec, RegistryAuth } from '../../../src/runtime/driver.js';
import { FakeDriver } from '../../../src/runtime/fake/driver.js';
import { createLogger } from '../../../src/shared/logger.js';
import { clientConfig } from '../../helpers/berth.js';
import { fargateNetwork, isRunning, isStopped, register, waitForTask } from '../../helpers/ecs.js';

/** The fake runtime, remembering what each container was created with and each pull's credentials. */
class RecordingDriver extends FakeDriver {
  readonly specs: ContainerSpec[] = [];
  readonly pulls: { ref: string; auth?: RegistryAuth }[] = [];
  override async pullImage(ref: string, auth?: RegistryAuth) {
    this.pulls.push({ ref, auth });
    return super.pullImage(ref, auth);
  }
  override async createContainer(spec: ContainerSpec) {
    this.specs.push(spec);
    return super.createContainer(spec);
  }
}

const PREFIX = 'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: ';
const ASM = `${PREFIX}unable to retrieve secret from asm: service call has been retried 1 time(s): `;
const SSM = `${PREFIX}unable to retrieve secrets from ssm: service call has been retried 1 time(s): `;
const ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';

describe('ECS task secrets and repository credentials (fake runtime)', () => {
  let app: App;
  let driver: RecordingDriver;
  let ecs: ECSClient;
  let net: Awaited<ReturnType<typeof fargateNetwork>>;
  let dbArn: string;
  let dbV1: string;
  let regArn: string;
  let n = 0;

  before(async () => {
    driver = new RecordingDriver();
    app = await startApp(resolveConfig({ port: 0, ephemeral: true, logLevel: 'error', runtime: 'fake' }), { driver, log: createLogger('error') });
    ecs = new ECSClient(clientConfig(app.endpoint));
    const sm = new SecretsManagerClient(clientConfig(app.endpoint));
    const ssm = new SSMClient(clientConfig(app.endpoint));
    const west = new SSMClient(clientConfig(app.endpoint, 'eu-west-1'));
    await ecs.send(new CreateClusterCommand({ clusterName: 'sec' }));
    net = await fargateNetwork(app.endpoint);
    const db = await sm.send(new CreateSecretCommand({ Name: 'db', SecretString: '{"password":"v1","big":1000000,"ok":true,"nested":{"a":1}}' }));
    dbArn = db.ARN!;
    dbV1 = db.VersionId!;
    await sm.send(new PutSecretValueCommand({ SecretId: 'db', SecretString: '{"password":"v2"}' }));
    await sm.send(new CreateSecretCommand({ Name: 'plain', SecretString: 'not json' }));
    regArn = (await sm.send(new CreateSecretCommand({ Name: 'registry', SecretString: '{"username":"robot","password":"hunter2"}' }))).ARN!;
    await sm.send(new CreateSecretCommand({ Name: 'bad-registry', SecretString: '{"username":"robot"}' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/token', Value: 'tok', Type: 'SecureString' }));
    await ssm.send(new PutParameterCommand({ Name: 'flat', Value: 'a,b', Type: 'StringList' }));
    await ssm.send(new PutParameterCommand({ Name: '/app/token', Value: 'tok2', Type: 'SecureString', Overwrite: true }));
    await west.send(new PutParameterCommand({ Name: '/west/only', Value: 'from-west', Type: 'String' }));
    sm.destroy();
    ssm.destroy();
    west.destroy();
  });
  after(async () => {
    ecs.destroy();
    await app.stop();
  });

  async function run(containers: ContainerDefinition[]) {
    const family = `f${++n}`;
    await register(ecs, {
      family, networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn: ROLE,
      containerDefinitions: containers,
    });
    const out = await ecs.send(new RunTaskCommand({ cluster: 'sec', taskDefinition: family, launchType: 'FARGATE', networkConfiguration: net }));
    assert.deepEqual(out.failures, []);
    return out.tasks![0].taskArn!;
  }
  const envOf = (taskArn: string, container: string) =>
    driver.specs.find((s) => s.labels?.['berth.task-arn'] === taskArn && s.labels?.['berth.container-name'] === container)!.env!;
  const stoppedReason = async (taskArn: string) => {
    const t = await waitForTask(ecs, 'sec', taskArn, isStopped, 'STOPPED');
    assert.equal(t.stopCode, 'TaskFailedToStart');
    return t.stoppedReason!;
  };

  it('valueFrom picks JSON keys, stages and version ids, parameter versions, and ARNs of another region', async () => {
    const arn = await run([{
      name: 'app', image: 'example/app:1', essential: true,
      secrets: [
        { name: 'WHOLE', valueFrom: dbArn },
        { name: 'PASSWORD', valueFrom: `${dbArn}:password::` },
        { name: 'OLD_BY_STAGE', valueFrom: `${dbArn}:password:AWSPREVIOUS:` },
        { name: 'OLD_BY_ID', valueFrom: `${dbArn}:password::${dbV1}` },
        { name: 'BIG', valueFrom: `${dbArn}:big:AWSPREVIOUS:` },
        { name: 'OK', valueFrom: `${dbArn}:ok:AWSPREVIOUS:` },
        { name: 'TOKEN', valueFrom: '/app/token' },
        { name: 'TOKEN_V1', valueFrom: '/app/token:1' },
        { name: 'FLAT', valueFrom: 'flat' },
        { name: 'WEST', valueFrom: 'arn:aws:ssm:eu-west-1:000000000000:parameter/west/only' },
        { name: 'VIA_SSM', valueFrom: '/aws/reference/secretsmanager/plain' },
      ],
    }]);
    await waitForTask(ecs, 'sec', arn, isRunning, 'RUNNING');
    const env = envOf(arn, 'app');
    assert.equal(env.WHOLE, '{"password":"v2"}');
    assert.equal(env.PASSWORD, 'v2');
    assert.equal(env.OLD_BY_STAGE, 'v1');
    assert.equal(env.OLD_BY_ID, 'v1');
    // The agent prints JSON values with Go's %v: numbers as float64.
    assert.equal(env.BIG, '1e+06');
    assert.equal(env.OK, 'true');
    assert.equal(env.TOKEN, 'tok2', 'SecureStrings are decrypted');
    assert.equal(env.TOKEN_V1, 'tok');
    assert.equal(env.FLAT, 'a,b');
    assert.equal(env.WEST, 'from-west');
    assert.equal(env.VIA_SSM, 'not json');
  });

  it('a secret missing for a later container stops the task before any container is created', async () => {
    const before = driver.specs.length;
    const arn = await run([
      { name: 'first', image: 'example/app:1', essential: true, secrets: [{ name: 'OK', valueFrom: '/app/token' }] },
      { name: 'second', image: 'example/app:1', essential: true, secrets: [{ name: 'A', valueFrom: '/nope/a' }, { name: 'B', valueFrom: '/nope/b' }] },
    ]);
    assert.equal(await stoppedReason(arn), `${SSM}invalid ssm parameters: /nope/a,/nope/b`);
    assert.equal(driver.specs.filter((s) => s.labels?.['berth.task-arn'] === arn && s.labels?.['berth.role'] === 'container').length, 0);
    assert.ok(driver.specs.length - before <= 1, 'only the task network (pause) container was created');
  });

  it('a JSON key the secret lacks, or a secret that is not JSON, stops the task with the agent wording', async () => {
    const noKey = await run([{ name: 'app', image: 'example/app:1', secrets: [{ name: 'X', valueFrom: `${dbArn}:username::` }] }]);
    assert.equal(await stoppedReason(noKey), `${ASM}retrieved secret from Secrets Manager did not contain json key username`);
    const plainArn = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:plain';
    const notJson = await run([{ name: 'app', image: 'example/app:1', secrets: [{ name: 'X', valueFrom: `${plainArn}:k::` }] }]);
    assert.equal(await stoppedReason(notJson), `${ASM}invalid character 'n' looking for beginning of value`);
  });

  it('an unknown version stage or version id stops the task with the Secrets Manager error', async () => {
    const stage = await run([{ name: 'app', image: 'example/app:1', secrets: [{ name: 'X', valueFrom: `${dbArn}:password:AWSPENDING:` }] }]);
    assert.match(
      await stoppedReason(stage),
      new RegExp(`^${escape(ASM)}failed to fetch secret ${escape(dbArn)} from secrets manager: ResourceNotFoundException: Secrets Manager can't find the specified secret value for staging label: AWSPENDING status code: 400, request id: [0-9a-f-]{36}$`),
    );
    const id = 'ffffffff-ffff-ffff-ffff-ffffffffffff';
    const version = await run([{ name: 'app', image: 'example/app:1', secrets: [{ name: 'X', valueFrom: `${dbArn}:password::${id}` }] }]);
    assert.match(await stoppedReason(version), new RegExp(`ResourceNotFoundException: Secrets Manager can't find the specified secret value for VersionId: ${id} status code: 400`));
  });

  it('logConfiguration.secretOptions are resolved too, and a missing one stops the task', async () => {
    const arn = await run([{
      name: 'app', image: 'example/app:1',
      logConfiguration: { logDriver: 'awsfirelens', options: {}, secretOptions: [{ name: 'apikey', valueFrom: '/nope/log-key' }] },
    }]);
    assert.equal(await stoppedReason(arn), `${SSM}invalid ssm parameters: /nope/log-key`);
  });

  it('repositoryCredentials become the registry credentials of the pull', async () => {
    const arn = await run([{ name: 'app', image: 'registry.example.com:5000/team/app:1', repositoryCredentials: { credentialsParameter: regArn } }]);
    await waitForTask(ecs, 'sec', arn, isRunning, 'RUNNING');
    const pull = driver.pulls.find((p) => p.ref === 'registry.example.com:5000/team/app:1');
    assert.deepEqual(pull?.auth, { username: 'robot', password: 'hunter2', serverAddress: 'registry.example.com:5000' });
    const hub = await run([{ name: 'app', image: 'someorg/private:2', repositoryCredentials: { credentialsParameter: regArn } }]);
    await waitForTask(ecs, 'sec', hub, isRunning, 'RUNNING');
    assert.equal(driver.pulls.find((p) => p.ref === 'someorg/private:2')?.auth?.serverAddress, 'https://index.docker.io/v1/');
  });

  it('repositoryCredentials that are missing or malformed stop the task even when the image is cached', async () => {
    const missing = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:nope-AbCdEf';
    const a = await run([{ name: 'app', image: 'example/app:1', repositoryCredentials: { credentialsParameter: missing } }]);
    assert.match(await stoppedReason(a), new RegExp(`^${escape(ASM)}asm fetching secret from the service for ${escape(missing)}: ResourceNotFoundException: Secrets Manager can't find the specified secret\\.`));
    const b = await run([{ name: 'app', image: 'example/app:1', repositoryCredentials: { credentialsParameter: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:bad-registry' } }]);
    assert.equal(await stoppedReason(b), `${ASM}asm fetching password: AuthorizationData is malformed, empty field`);
  });
});

function escape(s: string) {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
