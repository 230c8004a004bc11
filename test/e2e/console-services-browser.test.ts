/**
 * The console's SQS, EventBridge, App Runner / ECS Express and EKS pages in a real browser (issue 21): headless
 * Chromium against a Berth on the fake runtime (these pages show what the AWS APIs wrote; no container is needed).
 * Each resource is made with its SDK client while its page is open and must appear without a reload, showing what
 * the SDK's own describe calls answer; the page logs no console error and asks nothing of any host but Berth.
 * Screenshots go to test-results/console/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  CreateEventBusCommand, DisableRuleCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { AppRunnerClient, CreateServiceCommand as CreateAppRunnerServiceCommand, DescribeServiceCommand, ListOperationsCommand } from '@aws-sdk/client-apprunner';
import { CreateExpressGatewayServiceCommand, DescribeExpressGatewayServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateFargateProfileCommand, CreateNodegroupCommand, DescribeClusterCommand, DescribeNodegroupCommand, EKSClient, UpdateNodegroupConfigCommand,
} from '@aws-sdk/client-eks';
import { createTestCluster, type TestCluster } from '../helpers/eks-cluster.js';
import { useBerth } from '../helpers/use-berth.js';
import { makeImage, Registry, registryAuth } from '../integration/registry/client.js';
import { consoleBrowserSkip, openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser.js';

describe('the console service pages in Chromium (fake runtime)', { skip: consoleBrowserSkip }, () => {
  const berth = useBerth({ runtime: 'fake', clients: {
    sqs: SQSClient, events: EventBridgeClient, ar: AppRunnerClient, ecs: ECSClient, ecr: ECRClient, eks: EKSClient, ec2: EC2Client,
  } });
  let b: ConsoleBrowser;
  let eks: TestCluster | undefined;

  before(async () => {
    b = await openConsoleBrowser(berth.endpoint);
  });
  after(async () => {
    await b?.close();
    eks?.dispose();
  });

  it("queues, their counts as messages are sent, received and come due, and a dead-letter queue's sources, live", async () => {
    const { page } = b;
    await page.goto(`${berth.endpoint}/_berth/ui/queues`);
    await page.getByTestId('no-queues').waitFor();
    await page.getByTestId('live').filter({ hasText: 'live' }).waitFor();

    const dlq = (await berth.sqs.send(new CreateQueueCommand({ QueueName: 'jobs-dlq' }))).QueueUrl!;
    const dlqArn = (await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
    const jobs = (await berth.sqs.send(new CreateQueueCommand({
      QueueName: 'jobs', Attributes: { VisibilityTimeout: '3', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) },
    }))).QueueUrl!;
    await berth.sqs.send(new CreateQueueCommand({ QueueName: 'orders.fifo', Attributes: { FifoQueue: 'true' } }));
    const row = page.getByTestId('queue-jobs');
    await row.waitFor({ timeout: 5_000 });
    assert.match(await page.getByTestId('queue-orders.fifo').innerText(), /FIFO/);
    assert.match(await row.innerText(), /STANDARD/);
    assert.equal(await row.getByRole('link', { name: 'jobs-dlq' }).getAttribute('href'), '/_berth/ui/queues/000000000000/us-east-1/jobs-dlq');
    assert.match(await row.innerText(), /after 2 receives/);
    assert.match(await row.innerText(), /3 s\s+4 d$/, 'visibility timeout and the default retention');

    // Two available and one delayed by 3 s; then one received (in flight for the queue's 3 s visibility timeout).
    const counts = async () => [await row.getByTestId('visible').innerText(), await row.getByTestId('in-flight').innerText(), await row.getByTestId('delayed').innerText()].join(' ');
    const until = async (want: string, ms = 5_000) => {
      const end = Date.now() + ms;
      while ((await counts()) !== want && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await counts(), want);
    };
    await berth.sqs.send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: 'a' }));
    await berth.sqs.send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: 'b' }));
    await berth.sqs.send(new SendMessageCommand({ QueueUrl: jobs, MessageBody: 'c', DelaySeconds: 3 }));
    await until('2 0 1');
    const received = (await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: jobs, MaxNumberOfMessages: 1 }))).Messages!;
    await until('1 1 1');
    const attrs = (await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl: jobs, AttributeNames: ['All'] }))).Attributes!;
    assert.equal([attrs.ApproximateNumberOfMessages, attrs.ApproximateNumberOfMessagesNotVisible, attrs.ApproximateNumberOfMessagesDelayed].join(' '), '1 1 1');
    await b.screenshot('queues');
    // No request moves them: the delayed message and the one in flight come due, and the open page reads them again.
    await until('3 0 0', 8_000);
    const again = (await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: jobs, MaxNumberOfMessages: 1 }))).Messages!;
    await berth.sqs.send(new DeleteMessageCommand({ QueueUrl: jobs, ReceiptHandle: again[0].ReceiptHandle }));
    await until('2 0 0');
    assert.ok(received.length === 1);

    // The queue's own page, then its dead-letter queue's, which lists it as a source.
    await row.getByRole('link', { name: 'jobs', exact: true }).click();
    await page.getByTestId('dead-letter').filter({ hasText: 'more than 2 times' }).waitFor();
    assert.equal(await page.getByTestId('count-visible').innerText(), '2');
    assert.match(await page.getByText(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/jobs$/).innerText(), /jobs$/);
    await b.screenshot('queue');
    await page.getByTestId('dead-letter').getByRole('link', { name: 'jobs-dlq' }).click();
    const sources = page.getByRole('table', { name: 'Source queues of jobs-dlq' });
    await sources.waitFor();
    assert.deepEqual((await sources.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()), ['jobs 2']);
    // A deep link opens it on its own.
    await page.goto(`${berth.endpoint}/_berth/ui/queues/000000000000/us-east-1/jobs-dlq`);
    await sources.waitFor();
    assert.deepEqual(b.problems, []);
  });

  it("an event bus's rules with their pattern or schedule, state and targets, live; an event delivered and one dead-lettered", async () => {
    const { page } = b;
    await page.goto(`${berth.endpoint}/_berth/ui/event-buses`);
    await page.getByRole('heading', { name: 'Event buses' }).waitFor();
    await berth.events.send(new CreateEventBusCommand({ Name: 'orders', Description: 'shop orders' }));
    const busRow = page.getByTestId('bus-orders');
    await busRow.waitFor({ timeout: 5_000 });
    assert.match(await busRow.innerText(), /shop orders/);
    await busRow.getByRole('link', { name: 'orders' }).click();
    await page.getByTestId('no-rules').waitFor();
    assert.equal(new URL(page.url()).pathname, '/_berth/ui/event-buses/000000000000/us-east-1/orders');

    const arnOf = async (name: string) => {
      const url = (await berth.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
      return (await berth.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    };
    const inbox = await arnOf('orders-in');
    const dead = await arnOf('orders-dead');
    const pattern = { source: ['shop'], 'detail-type': ['OrderPlaced'] };
    await berth.events.send(new PutRuleCommand({ Name: 'placed', EventBusName: 'orders', EventPattern: JSON.stringify(pattern), Description: 'new orders' }));
    const rule = page.getByTestId('rule-placed');
    await rule.waitFor({ timeout: 5_000 });
    assert.deepEqual(JSON.parse(await rule.getByTestId('pattern').innerText()), pattern);
    assert.match(await rule.innerText(), /ENABLED/);
    await rule.getByText('No targets').waitFor();

    // One target gets a transformed input; one names a queue that is not there (a failure EventBridge does not retry),
    // so the event goes to its dead-letter queue.
    await berth.events.send(new PutTargetsCommand({
      Rule: 'placed', EventBusName: 'orders', Targets: [
        { Id: 'inbox', Arn: inbox, InputTransformer: { InputPathsMap: { id: '$.detail.id' }, InputTemplate: '{"order": <id>}' } },
        { Id: 'lost', Arn: inbox.replace(/orders-in$/, 'gone'), DeadLetterConfig: { Arn: dead }, RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 600 } },
      ],
    }));
    const targets = rule.getByRole('table', { name: 'Targets of placed' });
    await targets.waitFor({ timeout: 5_000 });
    const inboxRow = targets.getByTestId('target-inbox');
    assert.match(await inboxRow.innerText(), /input transformer/);
    assert.equal(await inboxRow.getByTestId('input-template').innerText(), '{"order": <id>}');
    assert.equal(await inboxRow.getByRole('link').getAttribute('href'), '/_berth/ui/queues/000000000000/us-east-1/orders-in');
    assert.match(await targets.getByTestId('target-lost').innerText(), /3 tries, 10 min\s+orders-dead/);

    await berth.events.send(new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)' }));
    await berth.events.send(new DisableRuleCommand({ Name: 'nightly' }));
    await page.goto(`${berth.endpoint}/_berth/ui/event-buses/000000000000/us-east-1/default`);
    const nightly = page.getByTestId('rule-nightly');
    await nightly.filter({ hasText: 'DISABLED' }).waitFor({ timeout: 5_000 });
    assert.equal(await nightly.getByTestId('schedule').innerText(), 'cron(0 3 * * ? *)');
    await b.screenshot('event-bus-default');

    // An event: delivered to the inbox, dead-lettered for the missing queue; both show on the open queues page.
    await page.goto(`${berth.endpoint}/_berth/ui/queues`);
    await page.getByTestId('queue-orders-in').waitFor();
    await berth.events.send(new PutEventsCommand({ Entries: [{ EventBusName: 'orders', Source: 'shop', DetailType: 'OrderPlaced', Detail: JSON.stringify({ id: 7 }) }] }));
    await page.getByTestId('queue-orders-in').getByTestId('visible').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
    await page.getByTestId('queue-orders-dead').getByTestId('visible').filter({ hasText: '1' }).waitFor({ timeout: 10_000 });
    const msg = (await berth.sqs.send(new ReceiveMessageCommand({ QueueUrl: inbox.replace(/^.*:(\d+):/, `${berth.endpoint}/$1/`) }))).Messages!;
    assert.equal(msg[0].Body, '{"order": 7}');

    await page.goto(`${berth.endpoint}/_berth/ui/event-buses/000000000000/us-east-1/orders`);
    await page.getByTestId('rule-placed').waitFor();
    assert.match(await page.getByTestId('rule-placed').getByTestId('target-inbox').getByTestId('waiting').innerText(), /none/);
    await b.screenshot('event-bus');
    assert.deepEqual(b.problems, []);
  });

  it('App Runner and ECS Express services with status, URL, source, operations, and links to the ECS services they run as, live', async () => {
    const { page } = b;
    await page.goto(`${berth.endpoint}/_berth/ui/apps`);
    await page.getByTestId('no-apps').waitFor();
    const port = new URL(berth.endpoint).port;

    const { service: express } = await berth.ecs.send(new CreateExpressGatewayServiceCommand({
      serviceName: 'api', executionRoleArn: 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole',
      infrastructureRoleArn: 'arn:aws:iam::000000000000:role/ecsInfrastructureRoleForExpressServices', primaryContainer: { image: 'example/api:1', containerPort: 8080 },
    }));
    const described = (await berth.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: express!.serviceArn }))).service!;
    const endpoint = described.activeConfigurations![0].ingressPaths![0].endpoint!;
    const apiRow = page.getByTestId('express-api');
    await apiRow.waitFor({ timeout: 5_000 });
    assert.match(await apiRow.innerText(), /ACTIVE/);
    assert.equal(await apiRow.getByRole('link', { name: endpoint }).getAttribute('href'), `http://${endpoint}:${port}/`);
    assert.match(await apiRow.innerText(), /example\/api:1/);
    await apiRow.getByRole('list', { name: 'Deployments of api' }).getByText('PRIMARY').waitFor({ timeout: 5_000 });
    assert.equal(await apiRow.getByRole('link', { name: 'default/api' }).getAttribute('href'), '/_berth/ui/clusters/000000000000/us-east-1/default/services/api');

    // App Runner from an image in Berth's ECR: on the fake runtime its instances never turn healthy, so its creation
    // stays in progress; a tag that is not in ECR fails its creation, which the open page shows as it happens.
    await berth.ecr.send(new CreateRepositoryCommand({ repositoryName: 'site' }));
    const registry = new Registry(berth.endpoint, await registryAuth(berth.endpoint));
    assert.equal((await registry.pushImage('000000000000/us-east-1/site', makeImage({ layers: [Buffer.from('v1')] }), 'v1')).status, 201);
    const image = `${new URL(berth.endpoint).host}/000000000000/us-east-1/site:v1`;
    const site = (await berth.ar.send(new CreateAppRunnerServiceCommand({
      ServiceName: 'site', SourceConfiguration: { ImageRepository: { ImageIdentifier: image, ImageRepositoryType: 'ECR' }, AutoDeploymentsEnabled: false },
    }))).Service!;
    const siteRow = page.getByTestId('apprunner-site');
    await siteRow.waitFor({ timeout: 5_000 });
    assert.match(await siteRow.innerText(), /OPERATION_IN_PROGRESS/);
    assert.match(await siteRow.getByTestId('operation').innerText(), /CREATE_SERVICE\s+IN_PROGRESS/);
    assert.equal(await siteRow.getByRole('link', { name: site.ServiceUrl! }).getAttribute('href'), `http://${site.ServiceUrl}:${port}/`);
    assert.ok(await siteRow.getByText(image).isVisible());
    const siteEcs = siteRow.getByRole('link', { name: /^default\/site-/ });
    assert.match((await siteEcs.getAttribute('href'))!, /^\/_berth\/ui\/clusters\/000000000000\/us-east-1\/default\/services\/site-[0-9a-f]{8}$/);
    // The Express service App Runner made for it is listed too, and names it.
    await page.getByRole('table', { name: 'Express services 000000000000 us-east-1' }).getByRole('link', { name: 'site', exact: true }).waitFor();

    await berth.ar.send(new CreateAppRunnerServiceCommand({
      ServiceName: 'broken', SourceConfiguration: { ImageRepository: { ImageIdentifier: image.replace(':v1', ':nope'), ImageRepositoryType: 'ECR' } },
    }));
    const brokenRow = page.getByTestId('apprunner-broken');
    await brokenRow.filter({ hasText: 'CREATE_FAILED' }).waitFor({ timeout: 10_000 });
    await b.screenshot('apps');
    // The same page in a dark system theme (style.css follows prefers-color-scheme).
    await page.emulateMedia({ colorScheme: 'dark' });
    assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(13, 17, 23)');
    await b.screenshot('apps-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await brokenRow.getByRole('link', { name: 'broken' }).click();
    const ops = page.getByRole('table', { name: 'Operations' }).getByTestId('operation-row');
    await ops.first().waitFor();
    const broken = (await berth.ar.send(new DescribeServiceCommand({ ServiceArn: (await page.getByText(/^arn:aws:apprunner:/).innerText()) }))).Service!;
    const listed = (await berth.ar.send(new ListOperationsCommand({ ServiceArn: broken.ServiceArn }))).OperationSummaryList!;
    assert.deepEqual((await ops.allInnerTexts()).map((t) => t.split(/\s+/).slice(0, 2).join(' ')), listed.map((o) => `${o.Type} ${o.Status}`));
    assert.deepEqual(listed.map((o) => `${o.Type} ${o.Status}`), ['CREATE_SERVICE FAILED']);
    assert.equal(broken.Status, 'CREATE_FAILED');
    await b.screenshot('apprunner-service');

    // From the list to the ECS service page Express runs as (the existing page).
    await page.goto(`${berth.endpoint}/_berth/ui/apps`);
    await apiRow.getByRole('link', { name: 'default/api' }).click();
    await page.getByRole('heading', { name: /^Service api/ }).waitFor();
    assert.deepEqual(b.problems, []);
  });

  it("EKS clusters with status, version and endpoint; a cluster's node groups, Fargate profiles and pods by phase, live", async () => {
    const { page } = b;
    await page.goto(`${berth.endpoint}/_berth/ui/eks`);
    await page.getByTestId('no-eks').waitFor();
    eks = await createTestCluster(berth.endpoint, berth.eks, berth.ec2, 'web');
    const row = page.getByTestId('eks-web');
    await row.filter({ hasText: 'ACTIVE' }).waitFor({ timeout: 10_000 });
    const cluster = (await berth.eks.send(new DescribeClusterCommand({ name: 'web' }))).cluster!;
    assert.ok(await row.getByText(cluster.endpoint!, { exact: true }).isVisible());
    assert.ok(await row.getByRole('cell', { name: cluster.version!, exact: true }).isVisible());
    await row.getByRole('link', { name: 'web' }).click();
    await page.getByRole('table', { name: 'Node groups' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/_berth/ui/eks/000000000000/us-east-1/web');

    const subnets = cluster.resourcesVpcConfig!.subnetIds!;
    await berth.eks.send(new CreateNodegroupCommand({
      clusterName: 'web', nodegroupName: 'workers', nodeRole: 'arn:aws:iam::000000000000:role/node', subnets, instanceTypes: ['t3.large'],
      scalingConfig: { minSize: 1, maxSize: 3, desiredSize: 1 },
    }));
    await berth.eks.send(new CreateFargateProfileCommand({
      clusterName: 'web', fargateProfileName: 'serverless', podExecutionRoleArn: 'arn:aws:iam::000000000000:role/pod-exec',
      selectors: [{ namespace: 'batch', labels: { compute: 'fargate' } }], subnets,
    }));
    const ng = page.getByTestId('nodegroup-workers');
    await ng.waitFor({ timeout: 5_000 });
    assert.deepEqual((await ng.locator('td').allInnerTexts()).slice(1, 5), ['1', '1', '3', 't3.large']);
    await ng.filter({ hasText: 'ACTIVE' }).waitFor({ timeout: 30_000 });
    const profile = page.getByTestId('fargate-serverless');
    await profile.waitFor({ timeout: 5_000 });
    assert.match(await profile.innerText(), /namespace batch, compute=fargate/);
    await berth.eks.send(new UpdateNodegroupConfigCommand({ clusterName: 'web', nodegroupName: 'workers', scalingConfig: { desiredSize: 2 } }));
    await ng.getByTestId('desired').filter({ hasText: '2' }).waitFor({ timeout: 10_000 });
    assert.equal((await berth.eks.send(new DescribeNodegroupCommand({ clusterName: 'web', nodegroupName: 'workers' }))).nodegroup!.scalingConfig!.desiredSize, 2);

    // Pods through the cluster's own Kubernetes API: one runs, one asks for a node that no node is.
    const k8s = await import('@kubernetes/client-node');
    const core = (await eks.kc()).makeApiClient(k8s.CoreV1Api);
    const before = Number(await page.getByTestId('pod-phases').getByTestId('pods-Running').innerText());
    await core.createNamespacedPod({ namespace: 'default', body: { metadata: { name: 'app' }, spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '600'] }] } } });
    await core.createNamespacedPod({ namespace: 'default', body: {
      metadata: { name: 'stuck' }, spec: { nodeSelector: { disk: 'none-has-this' }, containers: [{ name: 'main', image: 'busybox' }] },
    } });
    const phases = page.getByTestId('pod-phases');
    await phases.getByTestId('pods-Running').filter({ hasText: String(before + 1) }).waitFor({ timeout: 20_000 });
    await phases.getByTestId('pods-Pending').filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 5_000 });
    const listed = (await core.listPodForAllNamespaces()).items;
    const count = (phase: string) => listed.filter((p) => p.status?.phase === phase).length;
    assert.equal(Number(await phases.getByTestId('pods-Running').innerText()), count('Running'));
    assert.equal(Number(await phases.getByTestId('pods-Pending').innerText()), count('Pending'));
    await b.screenshot('eks-cluster');
    await page.goto(`${berth.endpoint}/_berth/ui/eks`);
    await row.getByTestId('pods-Running').filter({ hasText: String(count('Running')) }).waitFor();
    await b.screenshot('eks');
    assert.deepEqual(b.problems, []);
  });
});
