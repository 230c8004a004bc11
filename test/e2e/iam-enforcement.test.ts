/**
 * Issue 23's proofs on a real Docker engine with `--enforce-iam`: "a permission
 * error means a policy problem", reproduced and fixed.
 *   - A CI user with AmazonEC2ContainerRegistryPowerUser can `docker push`; a
 *     read-only user gets `denied` from docker (and can pull); another account
 *     is denied until a repository policy grants it.
 *   - A task whose execution role lacks AmazonECSTaskExecutionRolePolicy
 *     cannot pull from Berth's ECR (CannotPullContainerError); attaching the
 *     policy fixes the next task.
 *   - An execution role without secretsmanager:GetSecretValue stops the task
 *     with ECS's ResourceInitializationError … AccessDeniedException; an
 *     explicit deny in the secret's resource policy wins over an allow.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import {
  AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CreateSecretCommand, PutResourcePolicyCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { useBerth } from '../helpers/use-berth.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { fargateNetwork, isRunning, isStopped, launchInstanceWithRole, register, runOneContainerTask, waitForTask } from '../helpers/ecs.js';

const ACCOUNT = '000000000000';
const OTHER = '111111111111';
const EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';
const ECS_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

const dockerAvailable = await new Promise<boolean>((resolve) => execFile('docker', ['info'], (err) => resolve(!err)));

describe('IAM enforcement end to end (docker, ECS)', { skip: !dockerAvailable && 'docker is not available' }, () => {
  const berth = useBerth({ enforceIam: true, clients: { ecr: ECRClient, iam: IAMClient, ecs: ECSClient, sm: SecretsManagerClient } });
  const clis = { root: dockerCli(), pusher: dockerCli(), reader: dockerCli(), other: dockerCli() };
  const run = Math.random().toString(36).slice(2, 8);
  let repoUri: string;
  const tagged: string[] = [];

  /** `docker login` with a token GetAuthorizationToken issued to these credentials. */
  async function login(cli: ReturnType<typeof dockerCli>, credentials?: { accessKeyId: string; secretAccessKey: string }) {
    const ecr = credentials ? berth.client(ECRClient, { credentials }) : berth.ecr;
    const data = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    const password = Buffer.from(data.authorizationToken!, 'base64').toString().slice('AWS:'.length);
    await cli.ok(['login', '--username', 'AWS', '--password-stdin', data.proxyEndpoint!], password);
  }

  async function userWith(name: string, policyArn: string) {
    await berth.iam.send(new CreateUserCommand({ UserName: name }));
    await berth.iam.send(new AttachUserPolicyCommand({ UserName: name, PolicyArn: policyArn }));
    const k = (await berth.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
  }

  before(async () => {
    repoUri = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: `ci/app-${run}` }))).repository!.repositoryUri!;
    await login(clis.root);
  });
  after(async () => {
    for (const ref of tagged) await clis.root.docker(['rmi', '-f', ref]);
    for (const cli of Object.values(clis)) rmSync(cli.configDir, { recursive: true, force: true });
  });

  it('a PowerUser CI user can docker push; a read-only user is denied by docker but can pull; another account needs a repository policy', async () => {
    const pusher = await userWith('ci-pusher', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser');
    const reader = await userWith('ci-reader', 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly');
    await login(clis.pusher, pusher);
    await login(clis.reader, reader);
    const ref = `${repoUri}:v1`;
    tagged.push(ref);
    await clis.pusher.ok(['tag', ensureBusyboxImage(), ref]);
    assert.match(await clis.pusher.ok(['push', ref]), /digest: sha256:/);

    const readOnlyRef = `${repoUri}:from-reader`;
    tagged.push(readOnlyRef);
    await clis.reader.ok(['tag', ensureBusyboxImage(), readOnlyRef]);
    const denied = await clis.reader.docker(['push', readOnlyRef]);
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, new RegExp(`denied: User: arn:aws:iam::${ACCOUNT}:user/ci-reader is not authorized to perform: ecr:(InitiateLayerUpload|PutImage|BatchCheckLayerAvailability|UploadLayerPart|CompleteLayerUpload) on resource: arn:aws:ecr:us-east-1:${ACCOUNT}:repository/ci/app-${run} because no identity-based policy allows`));
    await clis.reader.docker(['rmi', '-f', ref]);
    assert.equal((await clis.reader.docker(['pull', ref])).code, 0);

    // Another account's root: its own policies allow everything, but the repository's policy must grant it too.
    await login(clis.other, { accessKeyId: OTHER, secretAccessKey: 'test' });
    await clis.other.docker(['rmi', '-f', ref]);
    const foreign = await clis.other.docker(['pull', ref]);
    assert.notEqual(foreign.code, 0);
    assert.match(foreign.stderr, new RegExp(`denied: User: arn:aws:iam::${OTHER}:root is not authorized to perform: ecr:BatchGetImage .* because no resource-based policy allows the ecr:BatchGetImage action`));
    await berth.ecr.send(new SetRepositoryPolicyCommand({
      repositoryName: `ci/app-${run}`,
      policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'] }] }),
    }));
    assert.equal((await clis.other.docker(['pull', ref])).code, 0);
  });

  describe('ECS tasks and their execution role', () => {
    const CLUSTER = 'iam';
    let net: Awaited<ReturnType<typeof fargateNetwork>>;
    let roleArn: string;
    before(async () => {
      net = await fargateNetwork(berth.endpoint);
      await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
      roleArn = (await berth.iam.send(new CreateRoleCommand({ RoleName: `exec-${run}`, AssumeRolePolicyDocument: ECS_TRUST }))).Role!.Arn!;
    });
    const runTask = (family: string, image: string, container: Record<string, unknown> = {}) =>
      runOneContainerTask(berth.ecs, { cluster: CLUSTER, family, image, network: net, executionRoleArn: roleArn, container: { command: ['sleep', '60'], ...container } });

    it('an execution role without AmazonECSTaskExecutionRolePolicy cannot pull from ECR; attaching it fixes the next task', async () => {
      const image = `${repoUri}:v1`;
      const first = await runTask('pull', image);
      const failed = await waitForTask(berth.ecs, CLUSTER, first.taskArn!, isStopped, 'STOPPED');
      assert.equal(failed.stopCode, 'TaskFailedToStart');
      assert.match(failed.stoppedReason!, /^CannotPullContainerError: pull image manifest has been retried 1 time\(s\): failed to resolve ref .*denied.*ecr:BatchGetImage/s);
      assert.match(failed.stoppedReason!, new RegExp(`assumed-role/exec-${run}/`));
      await berth.iam.send(new AttachRolePolicyCommand({ RoleName: `exec-${run}`, PolicyArn: EXECUTION_POLICY }));
      const second = await runTask('pull', image);
      await waitForTask(berth.ecs, CLUSTER, second.taskArn!, isRunning, 'RUNNING');
      await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: second.taskArn }));
    });

    it('on an EC2 instance a task without an execution role pulls as the instance role: denied until it has AmazonEC2ContainerServiceforEC2Role', async () => {
      const role = `instance-${run}`;
      const { instanceId } = await launchInstanceWithRole(berth, 'iam-ec2', role);
      await register(berth.ecs, {
        family: 'pull-on-ec2', networkMode: 'bridge', requiresCompatibilities: ['EC2'], cpu: '128', memory: '128',
        containerDefinitions: [{ name: 'app', image: `${repoUri}:v1`, essential: true, command: ['sleep', '60'], stopTimeout: 1 }],
      });
      const runOnEc2 = async () => (await berth.ecs.send(new RunTaskCommand({ cluster: 'iam-ec2', taskDefinition: 'pull-on-ec2', launchType: 'EC2' }))).tasks![0];
      const failed = await waitForTask(berth.ecs, 'iam-ec2', (await runOnEc2()).taskArn!, isStopped, 'STOPPED');
      assert.equal(failed.stopCode, 'TaskFailedToStart');
      assert.match(failed.stoppedReason!, new RegExp(`assumed-role/${role}/${instanceId} is not authorized to perform: ecr:BatchGetImage`));
      await berth.iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: 'arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role' }));
      const second = await runOnEc2();
      await waitForTask(berth.ecs, 'iam-ec2', second.taskArn!, isRunning, 'RUNNING');
      await berth.ecs.send(new StopTaskCommand({ cluster: 'iam-ec2', task: second.taskArn }));
      await waitForTask(berth.ecs, 'iam-ec2', second.taskArn!, isStopped, 'STOPPED');
      await berth.client(EC2Client).send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    });

    it('without secretsmanager:GetSecretValue the task stops with ResourceInitializationError; an explicit deny in the secret\'s policy wins', async () => {
      const secret = (await berth.sm.send(new CreateSecretCommand({ Name: `iam-e2e/${run}`, SecretString: 'pw' }))).ARN!;
      const secrets = [{ name: 'PW', valueFrom: secret }];
      const task = await runTask('secret', ensureBusyboxImage(), { secrets });
      const stopped = await waitForTask(berth.ecs, CLUSTER, task.taskArn!, isStopped, 'STOPPED');
      assert.equal(stopped.stopCode, 'TaskFailedToStart');
      assert.match(stopped.stoppedReason!, new RegExp(
        '^ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secret from asm: ' +
        `service call has been retried 1 time\\(s\\): failed to fetch secret ${secret.replace(/[/.]/g, '\\$&')} from secrets manager: ` +
        `AccessDeniedException: User: arn:aws:sts::${ACCOUNT}:assumed-role/exec-${run}/[0-9a-f]+ is not authorized to perform: secretsmanager:GetSecretValue ` +
        `on resource: ${secret.replace(/[/.]/g, '\\$&')} because no identity-based policy allows the secretsmanager:GetSecretValue action status code: 400, request id: `,
      ));
      await berth.iam.send(new PutRolePolicyCommand({
        RoleName: `exec-${run}`, PolicyName: 'secret',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret }] }),
      }));
      const allowed = await runTask('secret', ensureBusyboxImage(), { secrets });
      await waitForTask(berth.ecs, CLUSTER, allowed.taskArn!, isRunning, 'RUNNING');
      await berth.ecs.send(new StopTaskCommand({ cluster: CLUSTER, task: allowed.taskArn }));
      await berth.sm.send(new PutResourcePolicyCommand({
        SecretId: secret,
        ResourcePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: { AWS: roleArn }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }] }),
      }));
      const deniedTask = await runTask('secret', ensureBusyboxImage(), { secrets });
      const deniedStop = await waitForTask(berth.ecs, CLUSTER, deniedTask.taskArn!, isStopped, 'STOPPED');
      assert.match(deniedStop.stoppedReason!, /AccessDeniedException: .* with an explicit deny in a resource-based policy status code: 400/);
    });
  });
});
