/**
 * App Runner from source code on real Docker: a git repository on the host (a `file://` RepositoryUrl, Berth's
 * stand-in for a GitHub connection) with a Node.js app and its apprunner.yaml (runtime nodejs22, a build command,
 * the run command and port) becomes a service: Berth builds it with the engine over its offline Node.js base image
 * (the host's node), pushes it to a Berth-managed ECR repository, deploys it, and its URL answers what the build
 * made; a new commit on the branch (automatic deployments) is built and served; a commit whose build fails leaves
 * the running version serving. Traffic goes to 127.0.0.1 only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppRunnerClient, CreateServiceCommand, DeleteServiceCommand, DescribeServiceCommand, ListOperationsCommand, type Service } from '@aws-sdk/client-apprunner';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { getByHost } from '../helpers/host-get.js';
import { until } from '../helpers/until.js';
import { useBerth } from '../helpers/use-berth.js';

const APP = `const http = require('node:http');
const fs = require('node:fs');
const body = fs.readFileSync('built.txt', 'utf8').trim() + ' ' + process.env.GREETING;
http.createServer((req, res) => res.end(body)).listen(Number(process.env.PORT), () => console.log('listening on', process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;
const YAML = (version: string) => `version: 1.0
runtime: nodejs22
build:
  commands:
    build:
      - node -e "require('fs').writeFileSync('built.txt', '${version} built on ' + process.version.split('.')[0])"
run:
  command: node server.js
  network:
    port: 8000
  env:
    - name: GREETING
      value: hello
`;

describe('an App Runner service on Docker, from a git repository on the host', { timeout: 240_000 }, () => {
  const berth = useBerth({ clients: { ar: AppRunnerClient, ecr: ECRClient } });
  let dir: string;
  let service: Service;
  const git = (...args: string[]) => execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' },
  }).trim();
  const commit = (files: Record<string, string>, message: string) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    git('add', '-A');
    git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };

  const get = () => getByHost(berth.port, service.ServiceUrl!, '/', 5_000);
  const operations = async () => (await berth.ar.send(new ListOperationsCommand({ ServiceArn: service.ServiceArn }))).OperationSummaryList!;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-apprunner-src-'));
    git('init', '-q', '-b', 'main');
    commit({ 'server.js': APP, 'apprunner.yaml': YAML('v1') }, 'v1');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('CreateService builds the repository\'s branch with its apprunner.yaml, pushes the image to ECR and serves it', async () => {
    service = (await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'from-source',
      SourceConfiguration: {
        CodeRepository: {
          RepositoryUrl: `file://${dir}`, SourceCodeVersion: { Type: 'BRANCH', Value: 'main' },
          CodeConfiguration: { ConfigurationSource: 'REPOSITORY' },
        },
        AutoDeploymentsEnabled: true,
      },
      InstanceConfiguration: { Cpu: '0.25 vCPU', Memory: '0.5 GB' },
    }))).Service!;
    assert.equal(service.Status, 'OPERATION_IN_PROGRESS');
    assert.equal(service.SourceConfiguration!.CodeRepository!.RepositoryUrl, `file://${dir}`);
    const s = await until('RUNNING', async () => (await berth.ar.send(new DescribeServiceCommand({ ServiceArn: service.ServiceArn }))).Service!,
      (x) => x.Status !== 'OPERATION_IN_PROGRESS', 120_000);
    assert.equal(s.Status, 'RUNNING', JSON.stringify(await operations()));
    const r = await until('a 200', get, (x) => x.status === 200, 30_000);
    assert.equal(r.body, `v1 built on ${process.version.split('.')[0]} hello`);
    // The build is in a Berth-managed ECR repository, tagged with its commit.
    const images = await berth.ecr.send(new DescribeImagesCommand({ repositoryName: `apprunner/from-source-${service.ServiceId!.slice(0, 8)}` }));
    assert.deepEqual(images.imageDetails!.flatMap((d) => d.imageTags ?? []), [git('rev-parse', 'HEAD').slice(0, 12)]);
  });

  it('a new commit on the branch is built and deployed (automatic deployments); a commit whose build fails leaves it serving', async () => {
    commit({ 'apprunner.yaml': YAML('v2') }, 'v2');
    await until('v2 served', get, (x) => x.body.startsWith('v2 built'), 120_000);
    const done = await until('the deployment to end', operations, (o) => o[0].Type === 'START_DEPLOYMENT' && o[0].Status !== 'IN_PROGRESS');
    assert.equal(done[0].Status, 'SUCCEEDED');

    const before = done.length;
    commit({ 'apprunner.yaml': YAML('v3').replace(/- node -e .*/, '- exit 3') }, 'broken build');
    const ops = await until('the failed deployment', operations, (o) => o.length > before && o[0].Status !== 'IN_PROGRESS', 120_000);
    assert.deepEqual([ops[0].Type, ops[0].Status], ['START_DEPLOYMENT', 'FAILED']);
    assert.equal((await get()).body.slice(0, 8), 'v2 built');
    // The failed commit is not built again.
    await sleep(3000);
    assert.equal((await operations()).length, before + 1);
  });

  after(async () => {
    if (service) await berth.ar.send(new DeleteServiceCommand({ ServiceArn: service.ServiceArn })).catch(() => {});
  });
});
