/**
 * The console's registry and load balancer pages in a real browser (issue 21): headless Chromium against a Berth on
 * the fake runtime. A repository created with the SDK and an image pushed over the registry's /v2/ API (what docker
 * speaks) appear on the open pages without a reload, with the tag, digest, size and the `docker pull` command
 * DescribeImages and the repository URI agree with; an ALB's listener, its rules in priority order and its target
 * group's targets going from initial to healthy and unhealthy as Berth's health checks judge them, as
 * DescribeTargetHealth says; an Auto Scaling group's instance joining a cluster, its CPU and memory taken by a task as
 * DescribeContainerInstances says, and the group's desired capacity following SetDesiredCapacity; a new service's events
 * on the open events page, as DescribeServices lists them, narrowed by the filter; with a compressed metric minute, the
 * service's CPU and memory charts and the ALB's request count chart drawn from CloudWatch's stored datapoints.
 * Screenshots go to test-results/console/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AutoScalingClient, CreateAutoScalingGroupCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { CreateLaunchTemplateCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateClusterCommand, CreateServiceCommand, DescribeContainerInstancesCommand, DescribeServicesCommand, ECSClient, ListContainerInstancesCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { fargateNetwork, register } from '../helpers/ecs.js';
import { useBerth } from '../helpers/use-berth.js';
import { consoleBrowserSkip, openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser.js';
import { defaultSubnets, freePort, request, startBackend, type Backend } from '../helpers/elbv2.js';
import { makeImage, Registry, registryAuth } from '../integration/registry/client.js';

describe('the console registry and load balancer pages in Chromium (fake runtime)', { skip: consoleBrowserSkip }, () => {
  const berth = useBerth({ runtime: 'fake', clients: {
    ecr: ECRClient, elb: ElasticLoadBalancingV2Client, asg: AutoScalingClient, ec2: EC2Client, ecs: ECSClient, ssm: SSMClient,
  } });
  let b: ConsoleBrowser;
  let backend: Backend | undefined;

  before(async () => {
    b = await openConsoleBrowser(berth.endpoint);
  });
  after(async () => {
    await b?.close();
    await backend?.close();
  });

  it('a repository and a pushed image appear on the open registry pages, with tag, digest, size and the pull command', async () => {
    const { page } = b;
    await page.goto(`${berth.endpoint}/_berth/ui/registry`);
    await page.getByTestId('no-repositories').waitFor();
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();

    const repo = (await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web' }))).repository!;
    const row = page.getByTestId('repository-team/web');
    await row.waitFor({ timeout: 5_000 });
    assert.equal(await row.locator('td').first().innerText(), repo.repositoryUri);
    assert.match(await page.getByText(/docker login/).first().innerText(), /ecr get-login-password --region us-east-1 \| docker login --username AWS --password-stdin 127\.0\.0\.1:\d+$/);
    await b.screenshot('registry');

    await row.getByRole('link', { name: 'team/web' }).click();
    await page.getByTestId('no-images').waitFor();
    assert.equal(new URL(page.url()).pathname, '/_berth/ui/registry/000000000000/us-east-1/team%2Fweb');

    // Pushed the way docker pushes (blobs, then the manifest under a tag), the image shows on the open page.
    const registry = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    const image = makeImage({ layers: [Buffer.alloc(3000, 7)] });
    const pushed = await registry.pushImage('000000000000/us-east-1/team/web', image, 'v1');
    assert.equal(pushed.status, 201);
    const pushedAt = Date.now();
    const imageRow = page.getByTestId('image-row');
    await imageRow.first().waitFor({ timeout: 5_000 });
    console.log(`# a pushed image on the open page ${Date.now() - pushedAt} ms after its manifest was put`);
    const described = (await berth.ecr.send(new DescribeImagesCommand({ repositoryName: 'team/web' }))).imageDetails![0];
    assert.equal(await imageRow.locator('code[title]').getAttribute('title'), described.imageDigest);
    assert.match(await imageRow.innerText(), /^v1\b/);
    assert.ok(await imageRow.getByText(`docker pull ${repo.repositoryUri}:v1`).isVisible());
    // ECR's image size is its layers' (3000 bytes here), shown as docker shows sizes.
    assert.equal(described.imageSizeInBytes, 3000);
    assert.ok(await imageRow.getByRole('cell', { name: '2.9 KiB', exact: true }).isVisible(), 'the size in KiB');
    await b.screenshot('repository');

    // A deep link opens the repository on its own.
    await page.goto(`${berth.endpoint}/_berth/ui/registry/000000000000/us-east-1/team%2Fweb`);
    await page.getByTestId('image-row').first().waitFor();
    assert.deepEqual(b.problems, []);
  });

  it("an ALB's listener, its rules and its targets' health as the checks judge them, live", async () => {
    const { page } = b;
    await page.goto(`${berth.endpoint}/_berth/ui/load-balancers`);
    await page.getByTestId('no-load-balancers').waitFor();

    backend = await startBackend('a');
    const { ids, vpcId } = await defaultSubnets(berth.endpoint);
    const tg = (await berth.elb.send(new CreateTargetGroupCommand({
      Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip', HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups![0];
    const deadPort = await freePort();
    const alb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'shop', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    const port = await freePort();
    const listener = (await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }))).Listeners![0];
    await berth.elb.send(new CreateRuleCommand({
      ListenerArn: listener.ListenerArn, Priority: 5, Conditions: [{ Field: 'path-pattern', Values: ['/maintenance'] }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'later' } }],
    }));
    const lb = page.getByTestId('lb-shop');
    await lb.waitFor({ timeout: 5_000 });
    const rules = lb.getByRole('table', { name: `Rules of shop HTTP:${port}` }).locator('tbody tr');
    await rules.nth(1).waitFor({ timeout: 5_000 });
    assert.deepEqual((await rules.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()), [
      '5 path-pattern /maintenance fixed response 503',
      'default any request forward to web',
    ]);
    assert.equal(await lb.getByRole('link', { name: `http://127.0.0.1:${port}` }).getAttribute('href'), `http://127.0.0.1:${port}`);

    await berth.elb.send(new RegisterTargetsCommand({
      TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: backend.port }, { Id: '127.0.0.1', Port: deadPort }],
    }));
    const targets = page.getByRole('table', { name: 'Targets of web' });
    const target = (p: number) => targets.locator('tr', { has: page.getByRole('cell', { name: String(p), exact: true }) });
    await target(backend.port).waitFor({ timeout: 5_000 });
    await page.screenshot({ path: 'test-results/console/load-balancers-initial.png', fullPage: true });
    await target(backend.port).filter({ hasText: 'HEALTHY' }).waitFor({ timeout: 30_000 });
    await target(deadPort).filter({ hasText: 'UNHEALTHY' }).waitFor({ timeout: 30_000 });
    const health = (await berth.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions!;
    for (const h of health) {
      const text = await target(h.Target!.Port!).innerText();
      assert.match(text, new RegExp(`\\b${h.TargetHealth!.State!.toUpperCase()}\\b`));
      if (h.TargetHealth!.Reason) assert.match(text, new RegExp(h.TargetHealth!.Reason.replace('.', '\\.')));
    }
    await b.screenshot('load-balancers');
    assert.deepEqual(b.problems, []);
  });

  it("an Auto Scaling group's instance joins a cluster; a task's CPU and memory show on it; the group's desired capacity follows", async () => {
    const { page } = b;
    await page.goto(`${berth.endpoint}/_berth/ui/instances`);
    await page.getByTestId('no-instances').waitFor();
    const ami = (await berth.ssm.send(new GetParameterCommand({ Name: '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id' }))).Parameter!.Value!;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'pool' }));
    await berth.ec2.send(new CreateLaunchTemplateCommand({
      LaunchTemplateName: 'pool-lt',
      LaunchTemplateData: { ImageId: ami, InstanceType: 't3.micro', UserData: Buffer.from('#!/bin/bash\necho ECS_CLUSTER=pool >> /etc/ecs/ecs.config').toString('base64') },
    }));
    await berth.asg.send(new CreateAutoScalingGroupCommand({
      AutoScalingGroupName: 'pool-asg', MinSize: 0, MaxSize: 3, DesiredCapacity: 1, LaunchTemplate: { LaunchTemplateName: 'pool-lt' }, AvailabilityZones: ['us-east-1a'],
    }));
    const asg = page.getByTestId('asg-pool-asg');
    await asg.waitFor({ timeout: 5_000 });
    const instances = page.getByRole('table', { name: 'Container instances of pool' });
    await instances.locator('tbody tr').first().waitFor({ timeout: 20_000 });
    await asg.getByRole('cell', { name: 'InService' }).waitFor({ timeout: 20_000 });

    await register(berth.ecs, { family: 'job', requiresCompatibilities: ['EC2'], containerDefinitions: [{ name: 'app', image: 'busybox', cpu: 512, memory: 256, essential: true }] });
    await berth.ecs.send(new RunTaskCommand({ cluster: 'pool', taskDefinition: 'job' }));
    const arns = (await berth.ecs.send(new ListContainerInstancesCommand({ cluster: 'pool' }))).containerInstanceArns!;
    const ci = (await berth.ecs.send(new DescribeContainerInstancesCommand({ cluster: 'pool', containerInstances: arns }))).containerInstances![0];
    const cpu = ci.registeredResources!.find((r) => r.name === 'CPU')!.integerValue!;
    const row = page.getByTestId(`instance-${ci.ec2InstanceId}`);
    await row.getByText(`512 / ${cpu} units used, ${cpu - 512} left`).waitFor({ timeout: 10_000 });
    await row.getByText(/^256 \/ \d+ MiB used/).waitFor();
    assert.equal(await row.getByRole('meter', { name: 'CPU used' }).getAttribute('value'), '512');
    await b.screenshot('instances');

    await berth.asg.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: 'pool-asg', DesiredCapacity: 2 }));
    await asg.getByTestId('asg-desired').filter({ hasText: '2' }).waitFor({ timeout: 5_000 });
    await instances.locator('tbody tr').nth(1).waitFor({ timeout: 20_000 });
    assert.deepEqual(b.problems, []);
  });

  it("a service's events reach the open events page as DescribeServices lists them, and the filter narrows them", async () => {
    const { page } = b;
    await page.goto(`${berth.endpoint}/_berth/ui/events`);
    await page.getByTestId('no-events').waitFor();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'feed' }));
    await register(berth.ecs, {
      family: 'feed-web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/web:1', essential: true }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: 'feed', serviceName: 'web', taskDefinition: 'feed-web', desiredCount: 1, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    const rows = page.getByRole('table', { name: 'Service events' }).getByTestId('event-row');
    await rows.filter({ hasText: 'has reached a steady state' }).first().waitFor({ timeout: 20_000 });
    const sdk = (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'feed', services: ['web'] }))).services![0].events!;
    const shown = await rows.filter({ hasText: 'feed/web' }).allInnerTexts();
    for (const e of sdk) assert.ok(shown.some((t) => t.includes(e.message!)), `${e.message} on the page`);
    assert.equal(await rows.first().getByRole('link', { name: 'feed/web' }).getAttribute('href'), '/_berth/ui/clusters/000000000000/us-east-1/feed/services/web');
    await b.screenshot('events');

    await page.getByLabel('Filter events').fill('steady');
    assert.ok((await rows.allInnerTexts()).every((t) => /steady/.test(t)));
    await page.getByLabel('Filter events').fill('no such words anywhere');
    await page.getByTestId('no-events').waitFor();
    assert.deepEqual(b.problems, []);
  });
});

describe('the console charts in Chromium (fake runtime, one CloudWatch minute per second)', { skip: consoleBrowserSkip }, () => {
  const berth = useBerth({ runtime: 'fake', metricsPeriod: 1, clients: { elb: ElasticLoadBalancingV2Client, ecs: ECSClient } });
  let b: ConsoleBrowser;
  let backend: Backend | undefined;
  before(async () => {
    b = await openConsoleBrowser(berth.endpoint);
  });
  after(async () => {
    await b?.close();
    await backend?.close();
  });

  it("a service's CPU and memory utilization and an ALB's request count are drawn from the stored datapoints", async () => {
    const { page } = b;
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'charts' }));
    await register(berth.ecs, {
      family: 'charts-web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/web:1', essential: true }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: 'charts', serviceName: 'web', taskDefinition: 'charts-web', desiredCount: 2, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    await page.goto(`${berth.endpoint}/_berth/ui/clusters/000000000000/us-east-1/charts/services/web`);
    // Datapoint writes publish no change: the page shows the metrics collected since it loaded when it reloads.
    const drawn = async () => {
      for (const chart of ['CPU', 'Memory']) {
        const label = await page.getByTestId(`chart-${chart}`).getByRole('img').getAttribute('aria-label');
        if (!/\d+ minutes, latest \d+(\.\d)?%/.test(label ?? '')) return false;
      }
      return true;
    };
    const until = Date.now() + 20_000;
    await page.getByTestId('chart-CPU').waitFor();
    while (!(await drawn()) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1_000));
      await page.reload();
      await page.getByTestId('chart-CPU').waitFor();
    }
    assert.ok(await drawn(), 'CPU and memory charts drawn from AWS/ECS datapoints');
    assert.equal(await page.getByTestId('chart-CPU').getByTestId('mark-deployment').count(), 1, 'the deployment marked on the chart');
    await b.screenshot('service-charts');

    backend = await startBackend('a');
    const { ids, vpcId } = await defaultSubnets(berth.endpoint);
    const tg = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0];
    await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: backend.port }] }));
    const alb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'shop', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
    const port = await freePort();
    await berth.elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
    }));
    for (let i = 0; i < 7; i++) await request(port, `/r${i}`);
    await page.goto(`${berth.endpoint}/_berth/ui/load-balancers`);
    const chart = page.getByTestId('lb-shop').getByTestId('chart-RequestCount');
    // Every request counted once, in whichever minutes they fell. Datapoint writes publish no change, so the page
    // shows the data plane's next flush when it reloads (or when anything else on it changes).
    const total = async () => (await chart.locator('circle title').allTextContents()).reduce((n, t) => n + Number(t.slice(t.lastIndexOf(' ') + 1)), 0);
    const end = Date.now() + 20_000;
    while ((await total()) !== 7 && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 1_000));
      await page.reload();
      await chart.waitFor();
    }
    assert.equal(await total(), 7);
    await b.screenshot('load-balancer-chart');
    assert.deepEqual(b.problems, []);
  });
});
