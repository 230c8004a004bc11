/**
 * App Runner on real Docker, over ECS Express Mode: an image pushed to Berth's ECR becomes a service whose URL
 * (`<id>.<region>.awsapprunner.localhost`) answers 200 through Berth's main port by Host header, over HTTPS on the
 * Express load balancer's HTTPS listener (curl trusting Berth's local CA, the name resolved to 127.0.0.1) and on a port
 * of its own; a custom domain is served the same way once ACTIVE; a push of the
 * tracked tag (AutoDeploymentsEnabled) deploys the new version, served with no failed request under bounded load, and
 * a pushed version that does not start is rolled back with the old one serving throughout;
 * concurrency past MaxConcurrency adds an instance (within MaxSize) and a request past every instance's
 * MaxConcurrency at MaxSize gets 429; pause stops the instances and the URL answers 404, resume brings the same
 * version back; delete removes the Express service and its load balancer. Traffic goes to 127.0.0.1 only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppRunnerClient, AssociateCustomDomainCommand, CreateAutoScalingConfigurationCommand, DescribeCustomDomainsCommand, CreateServiceCommand, DeleteServiceCommand, DescribeServiceCommand, ListOperationsCommand,
  ResumeServiceCommand, type Service,
} from '@aws-sdk/client-apprunner';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { DescribeExpressGatewayServiceCommand, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { aws, cliAvailable } from '../helpers/cli.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { getByHost } from '../helpers/host-get.js';
import { until } from '../helpers/until.js';
import { useBerth } from '../helpers/use-berth.js';

/** A version of the app: `/` answers its name; `/cgi-bin/slow` holds a request for 3 s (a concurrent request to count; CGI headers need CRLF). */
const dockerfile = (base: string, version: string) => `FROM ${base}
ENV VERSION=${version}
RUN mkdir -p /www/cgi-bin && printf '#!/bin/sh\\nprintf "Content-Type: text/plain\\\\r\\\\n\\\\r\\\\n"\\nsleep 3\\necho slow\\n' > /www/cgi-bin/slow && chmod +x /www/cgi-bin/slow
CMD ["sh", "-c", "trap 'exit 0' TERM; echo $VERSION > /www/index.html; httpd -p 8080 -h /www; while true; do sleep 0.2; done"]
`;

describe('an App Runner service on Docker, from Berth\'s ECR', { timeout: 300_000 }, () => {
  const berth = useBerth({ metricsPeriod: 2, clients: { ar: AppRunnerClient, ecr: ECRClient, ecs: ECSClient, elb: ElasticLoadBalancingV2Client } });
  const cli = dockerCli();
  const images: string[] = [];
  let repo: string;
  let service: Service;
  /** The port of the service's own listener. */
  let own = 0;
  /** The port of the shared load balancer's HTTP:80 listener. */
  let http80 = 0;

  /** One request to the service URL (or a custom domain) through Berth's main port, or another port (127.0.0.1, the host as Host). */
  const get = (path = '/', host = service.ServiceUrl!, port = berth.port) => getByHost(port, host, path);

  /** Where Berth serves the load balancers' listeners (`GET /_berth/load-balancers`). */
  const listeners = async () => ((await (await fetch(`${berth.endpoint}/_berth/load-balancers`, { signal: AbortSignal.timeout(5_000) })).json()) as {
    loadBalancers: { listeners: { protocol: string; port: number; boundPort: number | null }[] }[];
  }).loadBalancers.flatMap((lb) => lb.listeners);

  /** GET / on the service URL (or a custom domain) over HTTPS: the load balancer's HTTPS listener, trusting the CA file Berth keeps. */
  const httpsGet = async (host = service.ServiceUrl!): Promise<string> => {
    const ca = (await (await fetch(`${berth.endpoint}/_berth/local-ca`, { signal: AbortSignal.timeout(5_000) })).json()) as { path: string };
    const port = (await listeners()).find((l) => l.protocol === 'HTTPS')?.boundPort;
    if (!port) return 'not bound';
    const { stdout } = await promisify(execFile)('curl', ['-sS', '-m', '5', '--cacert', ca.path, '--resolve', `${host}:${port}:127.0.0.1`, '-w', ' %{http_code} %{ssl_verify_result}', `https://${host}:${port}/`])
      .catch((e: { stdout?: string; stderr?: string }) => ({ stdout: `curl failed: ${e.stderr ?? e}` }));
    return stdout.trim().replace(/\s+/g, ' ');
  };

  const describe_ = async () => (await berth.ar.send(new DescribeServiceCommand({ ServiceArn: service.ServiceArn }))).Service!;
  const ecsService = async () => (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'default', services: [`hello-${service.ServiceId!.slice(0, 8)}`] }))).services![0];
  const operations = async () => (await berth.ar.send(new ListOperationsCommand({ ServiceArn: service.ServiceArn }))).OperationSummaryList!;

  before(async () => {
    const base = ensureBusyboxImage();
    repo = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'apps/hello' }))).repository!.repositoryUri!;
    const auth = (await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    const [user, pass] = Buffer.from(auth.authorizationToken!, 'base64').toString().split(':');
    await cli.ok(['login', '--username', user, '--password-stdin', auth.proxyEndpoint!], pass);
    for (const v of ['v1', 'v2']) {
      await cli.ok(['build', '-q', '-t', `${repo}:${v}`, '-'], dockerfile(base, v));
      images.push(`${repo}:${v}`);
    }
    // A version that never starts: its container exits at once.
    await cli.ok(['build', '-q', '-t', `${repo}:broken`, '-'], `FROM ${base}\nCMD ["sh", "-c", "echo broken; exit 1"]\n`);
    images.push(`${repo}:broken`);
    await cli.ok(['tag', `${repo}:v1`, `${repo}:live`]);
    images.push(`${repo}:live`);
    await cli.ok(['push', `${repo}:live`]);
  });

  after(async () => {
    for (const ref of images) await cli.docker(['rmi', ref]);
    rmSync(cli.configDir, { recursive: true, force: true });
  });

  it('CreateService runs the pushed image; once RUNNING its URL answers 200 through Berth\'s port by Host header', async () => {
    const asc = (await berth.ar.send(new CreateAutoScalingConfigurationCommand({ AutoScalingConfigurationName: 'tight', MaxConcurrency: 1, MinSize: 1, MaxSize: 2 }))).AutoScalingConfiguration!;
    const out = await berth.ar.send(new CreateServiceCommand({
      ServiceName: 'hello',
      SourceConfiguration: { ImageRepository: { ImageIdentifier: `${repo}:live`, ImageRepositoryType: 'ECR', ImageConfiguration: { Port: '8080' } }, AutoDeploymentsEnabled: true },
      InstanceConfiguration: { Cpu: '0.25 vCPU', Memory: '0.5 GB' },
      HealthCheckConfiguration: { Protocol: 'HTTP', Path: '/' },
      AutoScalingConfigurationArn: asc.AutoScalingConfigurationArn,
    }));
    service = out.Service!;
    assert.equal(service.Status, 'OPERATION_IN_PROGRESS');
    const running = await until('RUNNING', describe_, (s) => s.Status !== 'OPERATION_IN_PROGRESS');
    assert.equal(running.Status, 'RUNNING');
    assert.deepEqual((await operations()).map((o) => [o.Type, o.Status]), [['CREATE_SERVICE', 'SUCCEEDED']]);
    const r = await until('a 200', () => get(), (x) => x.status === 200);
    assert.equal(r.body, 'v1');
    // The same URL over HTTPS: its name is on the Express service's certificate from the local CA (verify result 0).
    assert.equal(await until('a 200 over HTTPS', () => httpsGet(), (x) => x.endsWith(' 200 0'), 15_000), 'v1 200 0');
    // A port of its own: the service's HTTP listener (8000, the first after the shared ones) answers whatever the Host.
    own = (await listeners()).find((l) => l.protocol === 'HTTP' && l.port === 8000)?.boundPort ?? 0;
    assert.ok(own, JSON.stringify(await listeners()));
    assert.deepEqual(await get('/', 'anything.example', own), { status: 200, body: 'v1' });
  });

  it('a custom domain turns ACTIVE once its certificate is issued and is served like the URL on the load balancer\'s ports, over HTTPS with its own certificate', async () => {
    await berth.ar.send(new AssociateCustomDomainCommand({ ServiceArn: service.ServiceArn, DomainName: 'hello.example.com' }));
    await until('ACTIVE', async () => (await berth.ar.send(new DescribeCustomDomainsCommand({ ServiceArn: service.ServiceArn }))).CustomDomains![0].Status,
      (s) => s === 'ACTIVE', 15_000);
    // Not on Berth's main port (it serves `.localhost` names only, so no Host can shadow its APIs): on the HTTP:80
    // listener's port.
    http80 = (await listeners()).find((l) => l.protocol === 'HTTP' && l.port === 80)?.boundPort ?? 0;
    assert.deepEqual(await get('/', 'www.hello.example.com', http80), { status: 200, body: 'v1' });
    // Over HTTPS with the domain's own certificate (RSA, ACM's default) on a listener whose default is Express's ECDSA one:
    // curl verifies the name against the local CA.
    assert.equal(await until('a 200 over HTTPS', () => httpsGet('hello.example.com'), (x) => x.endsWith(' 200 0'), 10_000), 'v1 200 0');
  });

  it('a push of the tracked tag deploys the new version, served with no failed request under bounded load', async () => {
    const statuses = new Map<number, number>();
    const bodies = new Set<string>();
    let stop = false;
    // One request at a time, at most 3,000, until told to stop.
    const load = (async () => {
      for (let i = 0; i < 3000 && !stop; i++) {
        const r = await get();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) bodies.add(r.body);
        await sleep(20);
      }
    })();
    await cli.ok(['tag', `${repo}:v2`, `${repo}:live`]);
    await cli.ok(['push', `${repo}:live`]);
    await until('v2 served', () => get(), (x) => x.body === 'v2');
    const done = await until('the deployment to end', operations, (ops) => ops[0].Type === 'START_DEPLOYMENT' && ops[0].Status !== 'IN_PROGRESS');
    await sleep(1000);
    stop = true;
    await load;
    assert.equal(done[0].Status, 'SUCCEEDED');
    assert.equal((await describe_()).Status, 'RUNNING');
    assert.deepEqual([...statuses.keys()], [200], JSON.stringify([...statuses]));
    assert.deepEqual([...bodies].sort(), ['v1', 'v2']);
  });

  it('a pushed version that does not start is rolled back: ROLLBACK_SUCCEEDED, the old version served throughout, not deployed again', async () => {
    const statuses = new Map<number, number>();
    const bodies = new Set<string>();
    let stop = false;
    const load = (async () => {
      for (let i = 0; i < 3000 && !stop; i++) {
        const r = await get();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        bodies.add(r.body);
        await sleep(20);
      }
    })();
    const before = (await operations()).length;
    await cli.ok(['tag', `${repo}:broken`, `${repo}:live`]);
    await cli.ok(['push', `${repo}:live`]);
    const ops = await until('the deployment of the broken version to end', operations,
      (o) => o.length > before && !['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'].includes(o[0].Status!), 120_000);
    stop = true;
    await load;
    assert.deepEqual([ops[0].Type, ops[0].Status], ['START_DEPLOYMENT', 'ROLLBACK_SUCCEEDED']);
    assert.equal((await describe_()).Status, 'RUNNING');
    assert.deepEqual([...statuses.keys()], [200], JSON.stringify([...statuses]));
    assert.deepEqual([...bodies], ['v2']);
    // The failed digest is not retried by auto deployment.
    await sleep(2500);
    assert.equal((await operations()).length, before + 1);
  });

  it('concurrency past MaxConcurrency adds an instance up to MaxSize; past every instance\'s MaxConcurrency at MaxSize the URL answers 429; quiet, it scales back in', async () => {
    // Three clients each holding a 3-second request, again and again (MaxConcurrency 1, MaxSize 2), for at most 90 s.
    const seen = new Map<number, number>();
    let stop = false;
    const deadline = Date.now() + 90_000;
    const holders = [0, 1, 2].map(async () => {
      while (!stop && Date.now() < deadline) {
        const r = await get('/cgi-bin/slow');
        seen.set(r.status, (seen.get(r.status) ?? 0) + 1);
        if (r.status !== 200) await sleep(100);
      }
    });
    try {
      const scaled = await until('two instances', ecsService, (s) => s.desiredCount === 2, 20_000);
      assert.equal(scaled.desiredCount, 2);
      // Once both instances take traffic, each at MaxConcurrency with MaxSize reached, a further request is turned away.
      await until('a 429', async () => seen.get(429) ?? 0, (n) => n > 0, 75_000);
    } finally {
      stop = true;
      await Promise.all(holders);
    }
    assert.deepEqual([...seen.keys()].sort(), [200, 429], JSON.stringify([...seen]));
    // Quiet again: back to MinSize (one instance at a time, after a metric minute: 2 s here).
    await until('one instance', ecsService, (s) => s.desiredCount === 1, 30_000);
  });

  it('pause stops the instances and the URL answers 404; resume serves the same version again (awscli v2 pauses)', { skip: !cliAvailable('v2') }, async () => {
    const paused = await aws('v2', berth.endpoint, ['apprunner', 'pause-service', '--service-arn', service.ServiceArn!]);
    assert.equal(paused.code, 0, paused.stderr);
    assert.equal(paused.json.Service.Status, 'OPERATION_IN_PROGRESS');
    await until('a 404', () => get(), (x) => x.status === 404, 5_000);
    await until('PAUSED', describe_, (s) => s.Status === 'PAUSED', 60_000);
    assert.equal(await httpsGet(), 'Not Found 404 0');
    // Its custom domain and its own port answer for the paused service too.
    assert.equal((await get('/', 'hello.example.com', http80)).status, 404);
    assert.equal((await get('/', 'anything.example', own)).status, 404);
    const ecs = await ecsService();
    assert.deepEqual([ecs.desiredCount, ecs.runningCount], [0, 0]);
    assert.equal((await get()).status, 404);

    await berth.ar.send(new ResumeServiceCommand({ ServiceArn: service.ServiceArn }));
    await until('RUNNING', describe_, (s) => s.Status === 'RUNNING', 60_000);
    const r = await until('a 200', () => get(), (x) => x.status === 200);
    assert.equal(r.body, 'v2');
    assert.deepEqual((await operations()).slice(0, 2).map((o) => [o.Type, o.Status]), [['RESUME_SERVICE', 'SUCCEEDED'], ['PAUSE_SERVICE', 'SUCCEEDED']]);
  });

  it('DeleteService removes the Express service and its load balancer; the URL no longer serves', async () => {
    const out = await berth.ar.send(new DeleteServiceCommand({ ServiceArn: service.ServiceArn }));
    assert.equal(out.Service!.Status, 'OPERATION_IN_PROGRESS');
    assert.equal((await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.length ?? 0, 0);
    assert.notEqual((await get()).status, 200);
    await until('DELETED', () => describe_().then((s) => s.Status, (e: Error) => e.name), (s) => s === 'ResourceNotFoundException', 60_000);
    const ecs = await ecsService();
    assert.equal(ecs.status, 'INACTIVE');
    // Express finishes its teardown (security groups, log group) once the tasks have stopped.
    const express = await until('the Express service INACTIVE',
      async () => (await berth.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: ecs.serviceArn }))).service?.status?.statusCode,
      (s) => s === 'INACTIVE', 60_000);
    assert.equal(express, 'INACTIVE');
  });
});
