/**
 * The console's budget with 1,000 tasks (issue 21): on the fake runtime, a cluster with a 1,000-task service; the
 * overview shows its counts in Chromium within the issue's 1 s (from navigation to the data on screen), and the
 * cluster and service pages' times are printed beside it; the service page lists all 1,000 tasks in a virtualised
 * table (a screenful of rows in the DOM), scrolled end to end with the worst step printed.
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
    // Set-up, not what is measured: 1,000 tasks through the lifecycle is CPU work (13–40 s here with other tests beside
    // it); a CI run that shared the machine with a loaded run took over 120 s.
    await waitForService(berth.ecs, 'big', 'web', (s) => s.runningCount === 1000, '1,000 running', 240_000);
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
    const table = page.getByRole('table', { name: 'Tasks' });
    const service = await timed('service page', `${base}/clusters/000000000000/us-east-1/big/services/web`,
      () => table.getByTestId('task-row').first().waitFor());
    // All 1,000 tasks are in the table, virtualised: a screenful of rows (and a margin) is in the DOM.
    assert.equal(await table.getAttribute('aria-rowcount'), '1001');
    const rendered = await table.getByTestId('task-row').count();
    assert.ok(rendered > 10 && rendered < 60, `${rendered} rows rendered`);
    await b.screenshot('service-1000');
    // Scrolled to the end, the last rows are there; each frame of the scroll renders a bounded number of rows.
    const scroll = page.getByTestId('tasks-scroll');
    const frames = await scroll.evaluate(async (el) => {
      const times: number[] = [];
      for (let i = 1; i <= 20; i++) {
        const t0 = performance.now();
        el.scrollTop = (el.scrollHeight * i) / 20;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        times.push(performance.now() - t0);
      }
      return times;
    });
    await table.locator('tr[aria-rowindex="1001"]').waitFor({ timeout: 5_000 });
    assert.ok((await table.getByTestId('task-row').count()) < 60, 'still a screenful after scrolling');
    const worst = Math.max(...frames);
    console.log(`# 1,000-task table scrolled in 20 steps: worst step ${worst.toFixed(1)} ms (two frames each)`);

    // The issue's budget is the overview's; the other pages' times are printed (the shared CI CPU makes them noisy).
    assert.ok(overview < BUDGET_MS, `overview ${overview} ms`);
    assert.ok(cluster > 0 && service > 0);
    assert.deepEqual(b.problems, []);
  });
});
