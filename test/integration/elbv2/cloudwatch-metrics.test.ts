/**
 * The load balancers' CloudWatch metrics, from the data plane's own counts: a bounded number of requests
 * through an ALB listener on 127.0.0.1 (two target groups of real HTTP servers on loopback, a fixed-response
 * rule) and on Berth's own port by the ALB's DNS name, and connections through an NLB, then what CloudWatch answers through the SDK v3 client —
 * GetMetricStatistics, GetMetricData and ListMetrics under AWS/ApplicationELB and AWS/NetworkELB with AWS's
 * names, dimensions and statistics. Time is compressed (one metric minute = 1 s), and it runs with listener
 * ports served by worker processes (which report their counts once per minute) and by Berth's own process.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand, type Datapoint, type Dimension, type Statistic,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { useBerth } from '../../helpers/use-berth.js';
import { defaultSubnets, eventually, freePort, request, startBackend, type Backend } from '../../helpers/elbv2.js';

const ALB = 'AWS/ApplicationELB';
const NLB = 'AWS/NetworkELB';

/**
 * What the test sends through the ALB's listener port: forwarded by status, answered by a fixed-response rule,
 * sent to a group nothing answers for; and requests on Berth's own port for the ALB's DNS name (200s too).
 */
const SENT = { ok: 12, notFound: 3, error: 2, fixed: 3, broken: 2, byHost: 2 };
const OK = SENT.ok + SENT.byHost;
const FORWARDED = OK + SENT.notFound + SENT.error;
const ROUTED = FORWARDED + SENT.fixed + SENT.broken;
/** Requests on the listener's port, each on a connection of its own. */
const ON_LISTENER_PORT = ROUTED - SENT.byHost;
const NLB_CONNECTIONS = 4;

/** The end of an ARN as ELB names it in metric dimensions: app/<name>/<id>, net/…, targetgroup/<name>/<id>. */
const dimensionOf = (arn: string) => arn.slice(arn.indexOf(':loadbalancer/') >= 0 ? arn.indexOf(':loadbalancer/') + 14 : arn.lastIndexOf(':') + 1);

async function healthy(elb: ElasticLoadBalancingV2Client, tgArn: string, count: number): Promise<boolean> {
  const d = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tgArn }))).TargetHealthDescriptions ?? [];
  return d.filter((t) => t.TargetHealth?.State === 'healthy').length === count;
}

for (const lbWorkers of [2, 0]) {
  describe(`load balancer metrics in CloudWatch (${lbWorkers ? `${lbWorkers} worker processes` : "Berth's own process"})`, () => {
    const berth = useBerth({ runtime: 'fake', lbWorkers, metricsPeriod: 1, clients: { elb: ElasticLoadBalancingV2Client, cw: CloudWatchClient } });
    const backends: Backend[] = [];
    let start: number;
    let lbDim: Dimension;
    let webDim: Dimension;
    let brokenDim: Dimension;
    let nlbDim: Dimension;
    let tcpDim: Dimension;

    /** Datapoints of a metric since the test began, one per metric minute (1 s). */
    const points = async (namespace: string, name: string, dims: Dimension[], statistics: Statistic[] = ['Sum'], extended?: string[]): Promise<Datapoint[]> => {
      const out = await berth.cw.send(new GetMetricStatisticsCommand({
        Namespace: namespace, MetricName: name, Dimensions: dims, StartTime: new Date(start - 5_000), EndTime: new Date(Date.now() + 5_000), Period: 60,
        ...(extended ? { ExtendedStatistics: extended } : { Statistics: statistics }),
      }));
      return out.Datapoints ?? [];
    };
    const sum = async (namespace: string, name: string, dims: Dimension[]) => (await points(namespace, name, dims)).reduce((a, d) => a + d.Sum!, 0);

    before(async () => {
      start = Date.now();
      const { ids, vpcId } = await defaultSubnets(berth.endpoint);
      for (const name of ['a', 'b']) {
        backends.push(await startBackend(name, (req, res) => {
          const status = req.url === '/missing' ? 404 : req.url === '/fail' ? 500 : 200;
          res.writeHead(status, { 'content-type': 'text/plain' });
          res.end(`${name} ${status}`);
        }));
      }
      const health = { HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2 };
      const web = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'web', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip', ...health }))).TargetGroups![0];
      await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: backends.map((b) => ({ Id: '127.0.0.1', Port: b.port })) }));
      // A group whose only target has nothing listening: requests to it get the load balancer's 502.
      const broken = (await berth.elb.send(new CreateTargetGroupCommand({ Name: 'broken', Protocol: 'HTTP', Port: 80, VpcId: vpcId, TargetType: 'ip', ...health }))).TargetGroups![0];
      await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: broken.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: await freePort() }] }));
      const alb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'shop', Subnets: ids.slice(0, 2) }))).LoadBalancers![0];
      const port = await freePort();
      const listener = (await berth.elb.send(new CreateListenerCommand({
        LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
      }))).Listeners![0];
      await berth.elb.send(new CreateRuleCommand({
        ListenerArn: listener.ListenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['/maintenance'] }],
        Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'later' } }],
      }));
      await berth.elb.send(new CreateRuleCommand({
        ListenerArn: listener.ListenerArn, Priority: 2, Conditions: [{ Field: 'path-pattern', Values: ['/broken'] }],
        Actions: [{ Type: 'forward', TargetGroupArn: broken.TargetGroupArn }],
      }));
      // An NLB with a TCP listener forwarding to the first backend.
      const tcp = (await berth.elb.send(new CreateTargetGroupCommand({
        Name: 'tcp', Protocol: 'TCP', Port: 80, VpcId: vpcId, TargetType: 'ip', HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2,
      }))).TargetGroups![0];
      await berth.elb.send(new RegisterTargetsCommand({ TargetGroupArn: tcp.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: backends[0].port }] }));
      const nlb = (await berth.elb.send(new CreateLoadBalancerCommand({ Name: 'stream', Type: 'network', Subnets: ids.slice(0, 1) }))).LoadBalancers![0];
      const nlbPort = await freePort();
      await berth.elb.send(new CreateListenerCommand({
        LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TCP', Port: nlbPort, DefaultActions: [{ Type: 'forward', TargetGroupArn: tcp.TargetGroupArn }],
      }));
      lbDim = { Name: 'LoadBalancer', Value: dimensionOf(alb.LoadBalancerArn!) };
      webDim = { Name: 'TargetGroup', Value: dimensionOf(web.TargetGroupArn!) };
      brokenDim = { Name: 'TargetGroup', Value: dimensionOf(broken.TargetGroupArn!) };
      nlbDim = { Name: 'LoadBalancer', Value: dimensionOf(nlb.LoadBalancerArn!) };
      tcpDim = { Name: 'TargetGroup', Value: dimensionOf(tcp.TargetGroupArn!) };
      assert.match(lbDim.Value!, /^app\/shop\/[0-9a-f]{16}$/);
      assert.match(webDim.Value!, /^targetgroup\/web\/[0-9a-f]{16}$/);

      // Both web targets healthy, so RequestCountPerTarget divides by 2.
      await eventually(() => healthy(berth.elb, web.TargetGroupArn!, 2), 20_000);
      await eventually(() => healthy(berth.elb, tcp.TargetGroupArn!, 1), 20_000);
      const send = async (path: string, n: number, status: number) => {
        for (let i = 0; i < n; i++) assert.equal((await request(port, path)).status, status, path);
      };
      await send('/', SENT.ok, 200);
      await send('/missing', SENT.notFound, 404);
      await send('/fail', SENT.error, 500);
      await send('/maintenance', SENT.fixed, 503);
      await send('/broken', SENT.broken, 502);
      for (let i = 0; i < SENT.byHost; i++) assert.equal((await request(berth.port, '/', { host: alb.DNSName })).status, 200);
      for (let i = 0; i < NLB_CONNECTIONS; i++) assert.equal((await request(nlbPort, '/')).status, 200);
    });
    after(async () => {
      for (const b of backends) await b.close();
    });

    it('RequestCount: every routed request, by load balancer and by target group', async () => {
      await eventually(async () => (await sum(ALB, 'RequestCount', [lbDim])) === ROUTED, 15_000);
      assert.equal(await sum(ALB, 'RequestCount', [lbDim, webDim]), FORWARDED);
      assert.equal(await sum(ALB, 'RequestCount', [lbDim, brokenDim]), SENT.broken);
      // Counts of events: n samples of 1 (AWS: "Minimum, Maximum, and Average all return 1").
      const [dp] = await points(ALB, 'RequestCount', [lbDim], ['Minimum', 'Maximum', 'Average']);
      assert.deepEqual([dp.Minimum, dp.Maximum, dp.Average, dp.Unit], [1, 1, 1, 'Count']);
    });

    it("HTTP codes: the targets' by class, the load balancer's own by class and code", async () => {
      await eventually(async () => (await sum(ALB, 'HTTPCode_ELB_5XX_Count', [lbDim])) === SENT.fixed + SENT.broken, 15_000);
      for (const dims of [[lbDim], [lbDim, webDim]]) {
        assert.equal(await sum(ALB, 'HTTPCode_Target_2XX_Count', dims), OK);
        assert.equal(await sum(ALB, 'HTTPCode_Target_4XX_Count', dims), SENT.notFound);
        assert.equal(await sum(ALB, 'HTTPCode_Target_5XX_Count', dims), SENT.error);
        assert.deepEqual(await points(ALB, 'HTTPCode_Target_3XX_Count', dims), [], 'no 3XX, no datapoint');
      }
      assert.equal(await sum(ALB, 'HTTPCode_ELB_502_Count', [lbDim]), SENT.broken);
      assert.equal(await sum(ALB, 'HTTPCode_ELB_503_Count', [lbDim]), SENT.fixed);
      assert.equal(await sum(ALB, 'HTTP_Fixed_Response_Count', [lbDim]), SENT.fixed);
      assert.deepEqual(await points(ALB, 'HTTPCode_ELB_4XX_Count', [lbDim]), []);
    });

    it('RequestCountPerTarget: requests ÷ healthy targets, by TargetGroup and with LoadBalancer', async () => {
      await eventually(async () => (await sum(ALB, 'RequestCountPerTarget', [webDim])) === FORWARDED / 2, 15_000);
      assert.equal(await sum(ALB, 'RequestCountPerTarget', [lbDim, webDim]), FORWARDED / 2);
    });

    it('TargetResponseTime: one sample per forwarded response, in seconds, with percentiles', async () => {
      await eventually(async () => (await points(ALB, 'TargetResponseTime', [lbDim, webDim], ['SampleCount'])).reduce((a, d) => a + d.SampleCount!, 0) === FORWARDED, 15_000);
      const dps = await points(ALB, 'TargetResponseTime', [lbDim, webDim], ['Average', 'Minimum', 'Maximum']);
      for (const d of dps) {
        assert.equal(d.Unit, 'Seconds');
        assert.ok(d.Minimum! > 0 && d.Minimum! <= d.Average! && d.Average! <= d.Maximum! && d.Maximum! < 5, JSON.stringify(d));
      }
      const p = await points(ALB, 'TargetResponseTime', [lbDim], [], ['p50', 'p99']);
      assert.ok(p.length > 0 && p.every((d) => d.ExtendedStatistics!.p50 > 0 && d.ExtendedStatistics!.p99 >= d.ExtendedStatistics!.p50), JSON.stringify(p));
    });

    it('HealthyHostCount and UnHealthyHostCount every minute a group is attached, traffic or not', async () => {
      await eventually(async () => (await points(ALB, 'UnHealthyHostCount', [lbDim, brokenDim], ['Maximum'])).some((d) => d.Maximum === 1), 20_000);
      const healthyNow = await points(ALB, 'HealthyHostCount', [lbDim, webDim], ['Maximum']);
      assert.ok(healthyNow.some((d) => d.Maximum === 2), JSON.stringify(healthyNow));
      assert.equal((await points(NLB, 'HealthyHostCount', [nlbDim, tcpDim], ['Maximum'])).at(-1)?.Maximum, 1);
    });

    it('request metrics are published only for minutes with traffic; target health every minute', async () => {
      await eventually(async () => (await sum(ALB, 'RequestCount', [lbDim])) === ROUTED, 15_000);
      const requests = (await points(ALB, 'RequestCount', [lbDim])).length;
      const health = (await points(ALB, 'HealthyHostCount', [lbDim, webDim])).length;
      // Three idle metric minutes later: health datapoints went on, request ones did not.
      await eventually(async () => (await points(ALB, 'HealthyHostCount', [lbDim, webDim])).length >= health + 3, 10_000);
      assert.equal((await points(ALB, 'RequestCount', [lbDim])).length, requests);
      assert.equal(await sum(ALB, 'RequestCount', [lbDim]), ROUTED);
    });

    it('connections and bytes: ActiveConnectionCount, NewConnectionCount, ProcessedBytes', async () => {
      // One client connection per request on the listener's port (plus the load balancer's own to targets).
      await eventually(async () => (await sum(ALB, 'NewConnectionCount', [lbDim])) >= ON_LISTENER_PORT, 15_000);
      assert.ok(await sum(ALB, 'ActiveConnectionCount', [lbDim]) >= ON_LISTENER_PORT);
      const bytes = await points(ALB, 'ProcessedBytes', [lbDim]);
      assert.ok(bytes.length > 0 && bytes.every((d) => d.Unit === 'Bytes'));
      // Each request is ≥ 40 bytes and each answer ≥ 60: a floor the count must clear.
      assert.ok(bytes.reduce((a, d) => a + d.Sum!, 0) > ON_LISTENER_PORT * 100);
    });

    it('an NLB: NewFlowCount, ActiveFlowCount and ProcessedBytes, also per listener protocol', async () => {
      await eventually(async () => (await sum(NLB, 'NewFlowCount', [nlbDim])) === NLB_CONNECTIONS, 15_000);
      assert.equal(await sum(NLB, 'NewFlowCount_TCP', [nlbDim]), NLB_CONNECTIONS);
      assert.ok(await sum(NLB, 'ActiveFlowCount', [nlbDim]) >= NLB_CONNECTIONS);
      assert.ok(await sum(NLB, 'ProcessedBytes', [nlbDim]) > NLB_CONNECTIONS * 100);
      assert.deepEqual(await points(NLB, 'TCP_Target_Reset_Count', [nlbDim]), []);
    });

    it('GetMetricData answers the same sums; ListMetrics lists each metric with its dimension sets', async () => {
      await eventually(async () => (await sum(ALB, 'RequestCount', [lbDim])) === ROUTED, 15_000);
      const out = await berth.cw.send(new GetMetricDataCommand({
        StartTime: new Date(start - 5_000), EndTime: new Date(Date.now() + 5_000),
        MetricDataQueries: [
          { Id: 'requests', MetricStat: { Metric: { Namespace: ALB, MetricName: 'RequestCount', Dimensions: [lbDim] }, Period: 3600, Stat: 'Sum' } },
          { Id: 'perTarget', MetricStat: { Metric: { Namespace: ALB, MetricName: 'RequestCountPerTarget', Dimensions: [webDim] }, Period: 3600, Stat: 'Sum' } },
        ],
      }));
      const total = (id: string) => out.MetricDataResults!.find((r) => r.Id === id)!.Values!.reduce((a, v) => a + v, 0);
      assert.equal(total('requests'), ROUTED);
      assert.equal(total('perTarget'), FORWARDED / 2);

      const listed = async (name: string, namespace = ALB) => {
        const metrics = (await berth.cw.send(new ListMetricsCommand({ Namespace: namespace, MetricName: name }))).Metrics ?? [];
        return metrics.map((m) => m.Dimensions!.map((d) => `${d.Name}=${d.Value}`).sort().join(',')).sort();
      };
      const lb = `LoadBalancer=${lbDim.Value}`;
      assert.deepEqual(await listed('RequestCount'), [lb, `${lb},TargetGroup=${brokenDim.Value}`, `${lb},TargetGroup=${webDim.Value}`].sort());
      // The broken group has no healthy target: its requests are divided among the targets it has (fail open).
      assert.deepEqual(await listed('RequestCountPerTarget'), [webDim, brokenDim].flatMap((g) => [`${lb},TargetGroup=${g.Value}`, `TargetGroup=${g.Value}`]).sort());
      assert.deepEqual(await listed('HealthyHostCount'), [`${lb},TargetGroup=${brokenDim.Value}`, `${lb},TargetGroup=${webDim.Value}`].sort());
      assert.deepEqual(await listed('HealthyHostCount', NLB), [`LoadBalancer=${nlbDim.Value},TargetGroup=${tcpDim.Value}`]);
      assert.deepEqual(await listed('NewFlowCount', NLB), [`LoadBalancer=${nlbDim.Value}`]);
    });
  });
}
