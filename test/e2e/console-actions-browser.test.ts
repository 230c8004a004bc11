/**
 * The console's actions and log tail in a real browser, on real containers (issue 21): headless Chromium on a Berth
 * running a service on Docker. The task page tails the container's awslogs stream as it writes, and finds a line by
 * search; "Stop task" (confirmed) stops it and the open service page shows the replacement the service starts;
 * the desired count set in the page is what DescribeServices then says. No console error; screenshots in
 * test-results/console/. Skipped, with the reason, when Chromium or the built UI is absent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateLogGroupCommand, CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateClusterCommand, CreateServiceCommand, DescribeServicesCommand, DescribeTasksCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { consoleBrowserSkip, openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser.js';
import { useBerth } from '../helpers/use-berth.js';
import { fargateNetwork, register, waitForService } from '../helpers/ecs.js';
import { ensureBusyboxImage } from '../helpers/images.js';

const CLUSTER = 'console-ops';

describe('console actions and log tail in Chromium (real Docker)', { skip: consoleBrowserSkip }, () => {
  const berth = useBerth({ clients: { ecs: ECSClient, logs: CloudWatchLogsClient, iam: IAMClient } });
  let ui: ConsoleBrowser;
  let servicePage = '';

  before(async () => {
    const image = ensureBusyboxImage();
    await berth.ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await berth.logs.send(new CreateLogGroupCommand({ logGroupName: '/ecs/ticker' }));
    // Fargate ships awslogs with the task's execution role.
    const executionRoleArn = (await berth.iam.send(new CreateRoleCommand({
      RoleName: 'ticker-execution',
      AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    }))).Role!.Arn!;
    await register(berth.ecs, {
      family: 'ticker', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', executionRoleArn,
      containerDefinitions: [{
        name: 'app', image, essential: true, stopTimeout: 1,
        command: ['sh', '-c', 'i=0; while true; do echo "tick $i"; i=$((i+1)); sleep 0.3; done'],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/ticker', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' } },
      }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: CLUSTER, serviceName: 'ticker', taskDefinition: 'ticker', desiredCount: 1, launchType: 'FARGATE',
      networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    await waitForService(berth.ecs, CLUSTER, 'ticker', (s) => s.runningCount === 1, 'one running', 60_000);
    ui = await openConsoleBrowser(berth.endpoint);
    servicePage = `${berth.endpoint}/_berth/ui/clusters/000000000000/us-east-1/${CLUSTER}/services/ticker`;
  });
  after(async () => {
    await ui?.close();
  });

  it('the task page follows the container\'s log as it writes, and a search finds one line', { timeout: 90_000 }, async () => {
    const [arn] = (await berth.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'ticker' }))).taskArns!;
    const id = arn.split('/').pop()!;
    await ui.page.goto(`${berth.endpoint}/_berth/ui/clusters/000000000000/us-east-1/${CLUSTER}/tasks/${id}`);
    const log = ui.page.getByLabel('Log of app');
    await log.filter({ hasText: 'tick 1' }).waitFor({ timeout: 30_000 });
    // Followed: lines written after the page opened arrive without a reload.
    const seen = Number((await log.textContent())!.trim().split('\n').pop()!.split('tick ')[1]);
    await log.filter({ hasText: `tick ${seen + 3}` }).waitFor({ timeout: 30_000 });
    await ui.page.getByTestId('log-search').fill('tick 2');
    await ui.page.waitForFunction(() => {
      const pre = document.querySelector('[aria-label="Log of app"]');
      return !!pre && pre.textContent!.trim().split('\n').every((l) => l.includes('tick 2'));
    }, undefined, { timeout: 15_000 });
    await ui.screenshot('task-logs');
  });

  it('"Stop task", confirmed, stops it; the open service page shows the service\'s replacement', { timeout: 90_000 }, async () => {
    const [arn] = (await berth.ecs.send(new ListTasksCommand({ cluster: CLUSTER, serviceName: 'ticker' }))).taskArns!;
    const id = arn.split('/').pop()!;
    await ui.page.goto(`${berth.endpoint}/_berth/ui/clusters/000000000000/us-east-1/${CLUSTER}/tasks/${id}`);
    await ui.page.getByTestId('stop-task').click();
    await ui.page.getByTestId('stop-task').filter({ hasText: 'Stop this task?' }).click();
    await ui.page.getByRole('status').filter({ hasText: 'Stopping.' }).waitFor({ timeout: 10_000 });
    const task = (await berth.ecs.send(new DescribeTasksCommand({ cluster: CLUSTER, tasks: [arn] }))).tasks![0];
    assert.equal(task.desiredStatus, 'STOPPED');
    assert.equal(task.stoppedReason, 'Stopped from the Berth console');
    await ui.page.goto(servicePage);
    // The replacement: a RUNNING task that is not the one stopped (the tasks table links each by id).
    await ui.page.waitForFunction((stopped) => [...document.querySelectorAll('a')].some((a) => a.href.includes('/tasks/')
      && !a.href.endsWith(stopped) && a.closest('tr')?.textContent?.includes('RUNNING')), id, { timeout: 60_000 });
    await ui.screenshot('service-after-stop');
  });

  it('the desired count set in the page is UpdateService\'s: the service runs two', { timeout: 90_000 }, async () => {
    await ui.page.goto(servicePage);
    await ui.page.getByTestId('scale-input').fill('2');
    await ui.page.getByTestId('scale').click();
    await ui.page.getByRole('status').filter({ hasText: 'Updated.' }).waitFor({ timeout: 10_000 });
    assert.equal((await berth.ecs.send(new DescribeServicesCommand({ cluster: CLUSTER, services: ['ticker'] }))).services![0].desiredCount, 2);
    await ui.page.getByTestId('running').filter({ hasText: /^2$/ }).waitFor({ timeout: 60_000 });
    await ui.screenshot('service-scaled');
    assert.deepEqual(ui.problems, []);
  });
});
