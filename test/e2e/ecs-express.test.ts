/**
 * ECS Express Mode on real Docker: one CreateExpressGatewayService with a busybox httpd image pushed to Berth's ECR,
 * and its URL (Express's endpoint shape under `.localhost`) answers through Berth's main port by Host header over
 * HTTP, and over HTTPS on the shared load balancer's HTTPS listener with the certificate Berth's local CA issued
 * (curl trusting the CA file `berth status` shows, the name resolved to 127.0.0.1); the
 * container's output reaches the log group Express made; an update's new
 * image is served by the same URL; deleting the Express service stops serving it and removes what it made.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateExpressGatewayServiceCommand, DeleteExpressGatewayServiceCommand, DescribeExpressGatewayServiceCommand, DescribeServicesCommand, ECSClient,
  UpdateExpressGatewayServiceCommand, type ECSExpressGatewayService,
} from '@aws-sdk/client-ecs';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { rmSync } from 'node:fs';
import { useBerth } from '../helpers/use-berth.js';
import { ensureBusyboxImage } from '../helpers/images.js';
import { dockerCli } from '../helpers/docker-cli.js';
import { REPO_ROOT } from '../helpers/berth.js';

const curl = promisify(execFile);
// httpd in the background and a shell that exits on SIGTERM: the task stops at once, not after the stop timeout.
const httpd = (body: string) => ['sh', '-c', `trap 'exit 0' TERM; mkdir -p /var/www; echo ${body} > /var/www/index.html; echo serving ${body}; httpd -p 8080 -h /var/www; while true; do sleep 0.2; done`];

describe('an ECS Express service on Docker answers through its URL', () => {
  const berth = useBerth({ clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client, logs: CloudWatchLogsClient, ecr: ECRClient } });
  const cli = dockerCli();
  let service: ECSExpressGatewayService;
  let host: string;
  let image: string;

  /** GET / on the service URL: Berth's main port, the endpoint as Host (curl resolves it to loopback). */
  const get = async (): Promise<{ status: string; body: string }> => {
    const { stdout } = await curl('curl', ['-s', '-m', '2', '-w', '\n%{http_code}', '--resolve', `${host}:${berth.port}:127.0.0.1`, `http://${host}:${berth.port}/`]);
    const lines = stdout.trimEnd().split('\n');
    return { status: lines.pop()!, body: lines.join('\n').trim() };
  };

  async function until(ok: (r: { status: string; body: string }) => boolean, what: string, ms = 60_000) {
    const end = Date.now() + ms;
    let last = { status: '', body: '' };
    while (Date.now() < end) {
      last = await get().catch((e) => ({ status: 'error', body: String(e) }));
      if (ok(last)) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(last)}`);
  }

  before(async () => {
    // The image is in Berth's ECR, pushed as a user pushes it.
    const repo = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'express/hello' }))).repository!.repositoryUri!;
    const auth = (await berth.ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData![0];
    const [user, pass] = Buffer.from(auth.authorizationToken!, 'base64').toString().split(':');
    await cli.ok(['login', '--username', user, '--password-stdin', auth.proxyEndpoint!], pass);
    image = `${repo}:v1`;
    await cli.ok(['tag', ensureBusyboxImage(), image]);
    await cli.ok(['push', image]);
    ({ service } = await berth.ecs.send(new CreateExpressGatewayServiceCommand({
      serviceName: 'hello', executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
      infrastructureRoleArn: 'arn:aws:iam::000000000000:role/ecsInfrastructureRoleForExpressServices',
      primaryContainer: { image, containerPort: 8080, command: httpd('v1') }, cpu: '256', memory: '512',
      scalingTarget: { minTaskCount: 1, maxTaskCount: 2 },
    })) as { service: ECSExpressGatewayService });
    host = service.activeConfigurations![0].ingressPaths![0].endpoint!;
  });
  after(async () => {
    await cli.docker(['rmi', image]);
    rmSync(cli.configDir, { recursive: true, force: true });
  });

  it('the URL serves the container once its task runs', async () => {
    assert.match(host, /^hello-[0-9a-f]{6}\.ecs\.us-east-1\.localhost$/);
    const r = await until((x) => x.status === '200', 'the first 200');
    assert.equal(r.body, 'v1');
    const { services: [s] = [] } = await berth.ecs.send(new DescribeServicesCommand({ cluster: 'default', services: ['hello'] }));
    assert.equal(s.runningCount, 1);
    // The container's output reaches the log group Express made, through the awslogs configuration.
    const logGroupName = service.activeConfigurations![0].primaryContainer!.awsLogsConfiguration!.logGroup!;
    const end = Date.now() + 15_000;
    let messages: string[] = [];
    while (Date.now() < end && !messages.includes('serving v1')) {
      messages = ((await berth.logs.send(new FilterLogEventsCommand({ logGroupName }))).events ?? []).map((e) => e.message!.trim());
      if (!messages.includes('serving v1')) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(messages.includes('serving v1'), JSON.stringify(messages));
  });

  it('the URL answers 200 over HTTPS on the load balancer\'s HTTPS listener, trusted through the local CA berth status shows', async () => {
    // `berth status` names the CA file and where the HTTPS:443 listener answers (443 when Berth may bind it, else its own port).
    const end = Date.now() + 15_000;
    let caPath: string | undefined;
    let port: string | undefined;
    let out = '';
    while (Date.now() < end && !(caPath && port)) {
      out = (await curl(process.execPath, ['bin/berth.js', 'status', '--endpoint', berth.endpoint], { cwd: REPO_ROOT })).stdout;
      caPath = /^local CA: (\S+)/m.exec(out)?.[1];
      port = /HTTPS 443 → https:\/\/[^/]+:(\d+)\//.exec(out)?.[1];
      if (!(caPath && port)) await new Promise((r) => setTimeout(r, 250));
    }
    assert.ok(caPath && port, out);
    assert.notEqual(Number(port), berth.port);
    const { stdout } = await curl('curl', [
      '-sS', '-m', '5', '--cacert', caPath, '--resolve', `${host}:${port}:127.0.0.1`, '-w', ' %{http_code} %{ssl_verify_result}', `https://${host}:${port}/`,
    ]);
    assert.equal(stdout.trim().replace(/\s+/g, ' '), 'v1 200 0');
    // ssl_verify_result 0: curl checked the chain to the local CA and the certificate's name against the URL's host.
  });

  it('an update rolls the new image out behind the same URL', async () => {
    await berth.ecs.send(new UpdateExpressGatewayServiceCommand({ serviceArn: service.serviceArn, primaryContainer: { image: ensureBusyboxImage(), containerPort: 8080, command: httpd('v2') } }));
    const r = await until((x) => x.status === '200' && x.body === 'v2', 'v2 served');
    assert.equal(r.body, 'v2');
  });

  it('deleting the Express service stops serving the URL and removes its load balancer', async () => {
    await berth.ecs.send(new DeleteExpressGatewayServiceCommand({ serviceArn: service.serviceArn }));
    const r = await get();
    assert.notEqual(r.body, 'v2');
    assert.notEqual(r.body, 'v1');
    assert.equal((await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.length ?? 0, 0);
    const end = Date.now() + 30_000;
    let status: string | undefined;
    while (Date.now() < end && status !== 'INACTIVE') {
      status = (await berth.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: service.serviceArn }))).service?.status?.statusCode;
      if (status !== 'INACTIVE') await new Promise((res) => setTimeout(res, 250));
    }
    assert.equal(status, 'INACTIVE');
  });
});
