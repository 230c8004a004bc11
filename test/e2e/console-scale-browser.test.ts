/**
 * The console's budget with 1,000 tasks (issue 21): on the fake runtime, a cluster with a 1,000-task service; the
 * overview shows its counts in Chromium within the issue's 1 s (from navigation to the data on screen), and the
 * cluster and service pages' times are printed beside it; the service page stays bounded (the newest 200 tasks).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateClusterCommand, CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import { consoleBrowserSkip, openConsoleBrowser, type ConsoleBrowser } from '../helpers/console-browser.js';
import { fargateNetwork, register, waitForService } from '../helpers/ecs.js';
import { useBerth } from '../helpers/use-berth.js';

const BUDGET_MS = 1_000;

describe('the console with 1,000 tasks in Chromium (fake runtime)', { skip: consoleBrowserSkip }, () => {
  const berth = useBerth({ runtime: 'fake', clients: { ecs: ECSClient } });
  let b: ConsoleBrowser;
  before(async () => {
    b = await openConsoleBrowser(berth.endpoint);
  });
  after(async () => {
    await b?.close();
  });

  it('the overview shows a 1,000-task cluster within 1 s; the cluster and service pages are measured', async () => {
    await berth.ecs.send(new CreateClusterCommand({ clusterName: 'big' }));
    await register(berth.ecs, {
      family: 'big-web', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512',
      containerDefinitions: [{ name: 'app', image: 'example/web:1', essential: true }],
    });
    await berth.ecs.send(new CreateServiceCommand({
      cluster: 'big', serviceName: 'web', taskDefinition: 'big-web', desiredCount: 1000, launchType: 'FARGATE', networkConfiguration: await fargateNetwork(berth.endpoint),
    }));
    await waitForService(berth.ecs, 'big', 'web', (s) => s.runningCount === 1000, '1,000 running', 120_000);
    const { page } = b;
    const timed = async (what: string, url: string, ready: () => Promise<unknown>) => {
      const start = Date.now();
      await page.goto(url);
      await ready();
      const ms = Date.now() - start;
      console.log(`# ${what} with 1,000 tasks: data on screen ${ms} ms after navigation (budget ${BUDGET_MS} ms)`);
      return ms;
    };
    const base = `${berth.endpoint}/_berth/ui`;
    const overview = await timed('overview', `${base}/`, () => page.getByTestId('cluster-big').locator('td').nth(1).filter({ hasText: '1000' }).waitFor());
    const cluster = await timed('cluster page', `${base}/clusters/000000000000/us-east-1/big`, () => page.getByTestId('service-big').or(page.getByTestId('service-web')).waitFor());
    const service = await timed('service page', `${base}/clusters/000000000000/us-east-1/big/services/web`,
      () => page.getByRole('table', { name: 'Tasks' }).getByTestId('task-row').nth(199).waitFor());
    assert.equal(await page.getByRole('table', { name: 'Tasks' }).getByTestId('task-row').count(), 200, 'the newest 200 tasks');
    await b.screenshot('service-1000');

    // The issue's budget is the overview's; the other pages' times are printed (the shared CI CPU makes them noisy).
    assert.ok(overview < BUDGET_MS, `overview ${overview} ms`);
    assert.ok(cluster > 0 && service > 0);
    assert.deepEqual(b.problems, []);
  });
});
