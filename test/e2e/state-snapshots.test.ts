/**
 * Reset and snapshots as a team uses them: build a state with the CLI and
 * docker, save it, reset, load it back (same images by digest, the service
 * running again), load it into a second Berth, and refuse broken archives.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateRepositoryCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateFileSystemCommand, DescribeFileSystemsCommand, EFSClient } from '@aws-sdk/client-efs';
import { existsSync } from 'node:fs';
import { clientConfig, REPO_ROOT, spawnBerth, type SpawnedBerth } from '../helpers/berth.js';
import { fargateNetwork, register } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { tarHeader } from '../../src/shared/tar-stream.js';

const work = mkdtempSync(join(tmpdir(), 'berth-state-'));
const dockerConfig = join(work, 'docker');
const docker = (args: string[], input = '') => new Promise<{ code: number; out: string }>((resolve) => {
  const child = spawn('docker', args, { env: { ...process.env, DOCKER_CONFIG: dockerConfig } });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  child.on('close', (code) => resolve({ code: code ?? 1, out }));
  child.stdin.end(input);
});
const berthCli = (args: string[]) => {
  try {
    return { code: 0, out: execFileSync(process.execPath, ['bin/berth.js', ...args], { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
};
const instanceContainers = (instance: string) =>
  execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.instance=${instance}`], { encoding: 'utf8' }).split('\n').filter(Boolean);

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('reset and snapshots', () => {
  let berth: SpawnedBerth;
  let second: SpawnedBerth | undefined;
  let ecs: ECSClient;
  let ecr: ECRClient;
  let digest: string;
  let imageUri: string;
  let instance: string;
  let fsId: string;
  let efsFile: string;
  const snapshot = join(work, 'team.tar.gz');

  before(async () => {
    const image = ensureBusyboxImage();
    berth = await spawnBerth(['--data-dir', join(work, 'a')]);
    ecs = new ECSClient(clientConfig(berth.endpoint));
    ecr = new ECRClient(clientConfig(berth.endpoint));
    const { repository } = await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web' }));
    imageUri = `${repository!.repositoryUri}:1`;
    const auth = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    const pass = Buffer.from(auth.authorizationToken!, 'base64').toString().split(':')[1];
    assert.equal((await docker(['login', '-u', 'AWS', '--password-stdin', auth.proxyEndpoint!], pass)).code, 0);
    await docker(['tag', image, imageUri]);
    const push = await docker(['push', imageUri]);
    assert.equal(push.code, 0, push.out);
    await docker(['rmi', imageUri]);
    digest = (await ecr.send(new DescribeImagesCommand({ repositoryName: 'team/web' }))).imageDetails![0].imageDigest!;
    await ecs.send(new CreateClusterCommand({ clusterName: 'team' }));
    await register(ecs, {
      family: 'web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'web', image: repository!.repositoryUri + ':1', essential: true, command: ['sleep', '600'], stopTimeout: 1 }],
    });
    await ecs.send(new CreateServiceCommand({
      cluster: 'team', serviceName: 'web', taskDefinition: 'web', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    await waitFor(async () => {
      const s = (await ecs.send(new DescribeServicesCommand({ cluster: 'team', services: ['web'] }))).services![0];
      return s.runningCount === 2 ? s : undefined;
    }, 'service running');
    instance = execFileSync('docker', ['ps', '--filter', 'label=berth.cluster=team', '--format', '{{.Label "berth.instance"}}'], { encoding: 'utf8' }).split('\n')[0];
    assert.ok(instance);
    // An EFS file system with a file in it (its directory is what tasks mount).
    const efs = new EFSClient(clientConfig(berth.endpoint));
    fsId = (await efs.send(new CreateFileSystemCommand({ CreationToken: 'team-data' }))).FileSystemId!;
    await waitFor(async () => ((await efs.send(new DescribeFileSystemsCommand({ FileSystemId: fsId }))).FileSystems![0].LifeCycleState === 'available' ? true : undefined), 'fs available');
    efs.destroy();
    efsFile = join(work, 'a', 'volumes', 'efs', '000000000000', 'us-east-1', fsId, 'hello.txt');
    writeFileSync(efsFile, 'shared data');
  });
  after(async () => {
    ecs.destroy();
    ecr.destroy();
    // A Berth with a data dir leaves its containers running for the next start to adopt: reset removes them.
    await fetch(`${berth.endpoint}/_berth/reset`, { method: 'POST' }).catch(() => undefined);
    await berth.stop();
    await second?.stop();
    await docker(['rmi', '-f', imageUri]);
    rmSync(work, { recursive: true, force: true });
  });

  it('berth state save writes one archive', () => {
    const r = berthCli(['state', 'save', snapshot, '--endpoint', berth.endpoint]);
    assert.equal(r.code, 0, r.out);
    assert.ok(readFileSync(snapshot).length > 1000);
  });

  it('berth reset leaves a fresh account: no containers, no resources, the default VPC back', async () => {
    const r = berthCli(['reset', '--endpoint', berth.endpoint]);
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(instanceContainers(instance), []);
    assert.deepEqual((await ecs.send(new ListClustersCommand({}))).clusterArns, []);
    assert.deepEqual((await ecr.send(new DescribeRepositoriesCommand({}))).repositories, []);
    assert.equal(existsSync(efsFile), false, 'the EFS file system is gone');
    const ec2 = new EC2Client(clientConfig(berth.endpoint));
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    ec2.destroy();
    assert.equal(vpcs.Vpcs?.length, 1);
    // With nothing running a reset is quick (the budget is 200 ms; reported, not asserted).
    const t0 = performance.now();
    const res = await fetch(`${berth.endpoint}/_berth/reset?service=ecs,ecr`, { method: 'POST' });
    assert.equal(res.status, 200);
    console.log(`# reset with nothing running: ${(performance.now() - t0).toFixed(1)} ms`);
    const bad = await fetch(`${berth.endpoint}/_berth/reset?service=nope`, { method: 'POST' });
    assert.equal(bad.status, 400);
  });

  it('berth state load brings back repositories, images by digest and the running service', async () => {
    const r = berthCli(['state', 'load', snapshot, '--endpoint', berth.endpoint]);
    assert.equal(r.code, 0, r.out);
    const images = await ecr.send(new DescribeImagesCommand({ repositoryName: 'team/web' }));
    assert.equal(images.imageDetails![0].imageDigest, digest);
    const pull = await docker(['pull', `${imageUri.split(':1')[0]}@${digest}`]);
    assert.equal(pull.code, 0, pull.out);
    const s = await waitFor(async () => {
      const x = (await ecs.send(new DescribeServicesCommand({ cluster: 'team', services: ['web'] }))).services![0];
      return x.runningCount === 2 ? x : undefined;
    }, 'service running again');
    assert.equal(s.desiredCount, 2);
    assert.equal(readFileSync(efsFile, 'utf8'), 'shared data');
    // The controllers start the loaded tasks' containers again: each task's container and its pause container.
    await waitFor(async () => (instanceContainers(instance).length === 4 ? true : undefined), 'containers started again');
  });

  it('the snapshot loads into a second Berth on another port and data dir', async () => {
    second = await spawnBerth(['--data-dir', join(work, 'b'), '--load', snapshot]);
    const ecr2 = new ECRClient(clientConfig(second.endpoint));
    const ecs2 = new ECSClient(clientConfig(second.endpoint));
    try {
      const images = await ecr2.send(new DescribeImagesCommand({ repositoryName: 'team/web' }));
      assert.equal(images.imageDetails![0].imageDigest, digest);
      const clusters = await ecs2.send(new ListClustersCommand({}));
      assert.deepEqual(clusters.clusterArns, ['arn:aws:ecs:us-east-1:000000000000:cluster/team']);
    } finally {
      await fetch(`${second.endpoint}/_berth/reset`, { method: 'POST' }).catch(() => undefined);
      ecr2.destroy();
      ecs2.destroy();
      await second.stop();
      second = undefined;
    }
  });

  it('truncated, foreign and newer-format archives are refused and the state is untouched', async () => {
    const whole = readFileSync(snapshot);
    const newer = Buffer.from(JSON.stringify({ format: 99 }));
    const cases: [string, Buffer, RegExp][] = [
      ['truncated', whole.subarray(0, Math.floor(whole.length / 2)), /cannot read snapshot|truncated|unexpected end/i],
      ['foreign', gzipSync(Buffer.from('hello, not a snapshot')), /cannot read snapshot|not a Berth snapshot/],
      ['newer', gzipSync(Buffer.concat([tarHeader('berth-snapshot.json', newer.length, 'file'), newer, Buffer.alloc(512 - newer.length), Buffer.alloc(1024)])), /newer than this Berth supports/],
    ];
    for (const [name, bytes, message] of cases) {
      const file = join(work, `${name}.tar.gz`);
      writeFileSync(file, bytes);
      const r = berthCli(['state', 'load', file, '--endpoint', berth.endpoint]);
      assert.equal(r.code, 1, `${name}: ${r.out}`);
      assert.match(r.out, message, name);
    }
    assert.deepEqual((await ecs.send(new ListClustersCommand({}))).clusterArns, ['arn:aws:ecs:us-east-1:000000000000:cluster/team']);
    const start = spawnBerth(['--data-dir', join(work, 'c'), '--load', join(work, 'foreign.tar.gz')]);
    await assert.rejects(start, /cannot load/);
  });
});
