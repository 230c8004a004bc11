/**
 * ECS Express Mode on the in-memory runtime: one CreateExpressGatewayService provisions the task definition, log
 * group, security groups, shared ALB (listener, target group, Host-header rule), the Fargate service and its
 * scaling; each is read back through its own API; an update rolls out as a service deployment; deleting the
 * Express service removes them all. Real containers answering through the URL are in test/e2e/ecs-express.test.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClientException, CreateExpressGatewayServiceCommand, DeleteExpressGatewayServiceCommand, DescribeClustersCommand,
  DescribeExpressGatewayServiceCommand, DescribeServiceRevisionsCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient,
  InvalidParameterException, ClusterNotFoundException, ListServiceDeploymentsCommand, ListServicesCommand, ServiceNotFoundException, UpdateExpressGatewayServiceCommand,
  type ECSExpressGatewayService, type Service,
} from '@aws-sdk/client-ecs';
import { ACMClient, DescribeCertificateCommand, ResourceNotFoundException } from '@aws-sdk/client-acm';
import {
  DescribeListenerCertificatesCommand, DescribeListenersCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTagsCommand, DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ApplicationAutoScalingClient, DescribeScalableTargetsCommand, DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { useBerth } from '../../helpers/use-berth.js';
import { aws } from '../../helpers/cli.js';

const ROLE = 'arn:aws:iam::000000000000:role/ecsTaskExecutionRole';
const INFRA = 'arn:aws:iam::000000000000:role/ecsInfrastructureRoleForExpressServices';

describe('ECS Express Mode (fake runtime)', () => {
  const berth = useBerth({
    runtime: 'fake',
    clients: { ecs: ECSClient, elb: ElasticLoadBalancingV2Client, aas: ApplicationAutoScalingClient, ec2: EC2Client, logs: CloudWatchLogsClient, acm: ACMClient },
  });
  let created: ECSExpressGatewayService;
  let second: ECSExpressGatewayService;

  const describeService = async (s: ECSExpressGatewayService): Promise<Service> =>
    (await berth.ecs.send(new DescribeServicesCommand({ cluster: 'default', services: [s.serviceArn!], include: ['TAGS'] }))).services![0];

  async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string, ms = 20_000): Promise<T> {
    const end = Date.now() + ms;
    let v = await get();
    while (!ok(v)) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v, null, 1).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 100));
      v = await get();
    }
    return v;
  }

  before(async () => {
    ({ service: created } = await berth.ecs.send(new CreateExpressGatewayServiceCommand({
      serviceName: 'web', executionRoleArn: ROLE, infrastructureRoleArn: INFRA, healthCheckPath: '/health',
      primaryContainer: {
        image: 'example/web:1', containerPort: 8080, command: ['httpd', '-f'],
        environment: [{ name: 'MODE', value: 'prod' }],
      },
      cpu: '256', memory: '512',
      scalingTarget: { minTaskCount: 2, maxTaskCount: 5, autoScalingMetric: 'REQUEST_COUNT_PER_TARGET', autoScalingTargetValue: 100 },
      tags: [{ key: 'team', value: 'a' }],
    })) as { service: ECSExpressGatewayService });
  });

  it('CreateExpressGatewayService answers an ACTIVE Express service with its configuration and URL', async () => {
    assert.equal(created.serviceArn, 'arn:aws:ecs:us-east-1:000000000000:service/default/web');
    assert.equal(created.cluster, 'arn:aws:ecs:us-east-1:000000000000:cluster/default');
    assert.equal(created.status?.statusCode, 'ACTIVE');
    assert.equal(created.infrastructureRoleArn, INFRA);
    assert.match(created.currentDeployment!, /^arn:aws:ecs:us-east-1:000000000000:service-deployment\/default\/web\/\d+$/);
    const [config] = created.activeConfigurations!;
    assert.equal(config.healthCheckPath, '/health');
    assert.deepEqual(config.scalingTarget, { minTaskCount: 2, maxTaskCount: 5, autoScalingMetric: 'REQUEST_COUNT_PER_TARGET', autoScalingTargetValue: 100 });
    assert.equal(config.primaryContainer?.image, 'example/web:1');
    assert.match(config.primaryContainer!.awsLogsConfiguration!.logGroup!, /^\/aws\/ecs\/default\/web-[0-9a-f]+$/);
    assert.match(config.ingressPaths![0].endpoint!, /^web-[0-9a-f]{6}\.ecs\.us-east-1\.localhost$/);
    assert.equal(config.ingressPaths![0].accessType, 'PUBLIC');
    assert.deepEqual(created.tags?.map((t) => t.key).sort(), ['AmazonECSManaged', 'team']);
    // The default cluster was made for it.
    const { clusters } = await berth.ecs.send(new DescribeClustersCommand({ clusters: ['default'] }));
    assert.equal(clusters?.[0]?.status, 'ACTIVE');
  });

  it('the ECS service, its task definition and its tasks are ordinary ECS resources, managed by ECS', async () => {
    const s = await until(() => describeService(created), (x) => x.runningCount === 2, 'two running tasks');
    assert.equal(s.resourceManagementType, 'ECS');
    assert.equal(s.launchType, 'FARGATE');
    assert.equal(s.desiredCount, 2);
    assert.equal(s.loadBalancers?.[0]?.containerName, 'Main');
    assert.equal(s.loadBalancers?.[0]?.containerPort, 8080);
    assert.ok(s.tags?.some((t) => t.key === 'team' && t.value === 'a'));
    const { taskDefinition: td } = await berth.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: s.taskDefinition! }));
    assert.equal(td?.family, 'web');
    assert.equal(td?.networkMode, 'awsvpc');
    assert.deepEqual(td?.requiresCompatibilities, ['FARGATE']);
    assert.equal(td?.executionRoleArn, ROLE);
    const main = td!.containerDefinitions![0];
    assert.equal(main.name, 'Main');
    assert.deepEqual(main.command, ['httpd', '-f']);
    assert.deepEqual(main.environment, [{ name: 'MODE', value: 'prod' }]);
    assert.equal(main.portMappings?.[0]?.containerPort, 8080);
    assert.equal(main.logConfiguration?.logDriver, 'awslogs');
    const group = main.logConfiguration!.options!['awslogs-group'];
    const { logGroups } = await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group }));
    assert.equal(logGroups?.[0]?.logGroupName, group);
  });

  it('the ALB, listener, Host-header rule and target group are visible through ELBv2, tagged', async () => {
    const endpoint = created.activeConfigurations![0].ingressPaths![0].endpoint!;
    const { TargetGroups: [tg] = [] } = await berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [(await describeService(created)).loadBalancers![0].targetGroupArn!] }));
    assert.equal(tg.HealthCheckPath, '/health');
    assert.equal(tg.TargetType, 'ip');
    assert.equal(tg.Port, 8080);
    const lbArn = tg.LoadBalancerArns![0];
    const { LoadBalancers: [lb] = [] } = await berth.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }));
    assert.equal(lb.Type, 'application');
    assert.equal(lb.Scheme, 'internet-facing');
    const { Listeners = [] } = await berth.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    assert.deepEqual(Listeners.map((l) => `${l.Protocol}:${l.Port}`).sort(), ['HTTP:80', 'HTTPS:443']);
    const rules = [];
    for (const listener of Listeners) {
      const { Rules = [] } = await berth.elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }));
      const rule = Rules.find((r) => !r.IsDefault)!;
      assert.deepEqual(rule.Conditions?.[0]?.HostHeaderConfig?.Values, [endpoint]);
      assert.equal(rule.Actions?.[0]?.TargetGroupArn, tg.TargetGroupArn);
      rules.push(rule.RuleArn!);
    }
    const { TagDescriptions = [] } = await berth.elb.send(new DescribeTagsCommand({ ResourceArns: [lbArn, tg.TargetGroupArn!, ...rules] }));
    assert.equal(TagDescriptions.length, 4);
    for (const d of TagDescriptions) assert.ok(d.Tags?.some((t) => t.Key === 'AmazonECSManaged' && t.Value === 'true'), d.ResourceArn);
  });

  it('the HTTPS listener serves an ACM certificate for the URL, issued by Berth\'s local CA and listed in the revision', async () => {
    const endpoint = created.activeConfigurations![0].ingressPaths![0].endpoint!;
    const { serviceRevisions: [rev] = [] } = await berth.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [created.activeConfigurations![0].serviceRevisionArn!] }));
    const path = rev.ecsManagedResources!.ingressPaths![0];
    assert.equal(path.certificate?.domainName, endpoint);
    assert.equal(path.certificate?.status, 'ACTIVE');
    const { Certificate: cert } = await berth.acm.send(new DescribeCertificateCommand({ CertificateArn: path.certificate!.arn }));
    assert.equal(cert?.Status, 'ISSUED');
    assert.equal(cert?.DomainName, endpoint);
    assert.equal(cert?.Issuer, 'Berth');
    assert.deepEqual(cert?.InUseBy, [path.loadBalancer!.arn]);
    const { Listeners: [https] = [] } = await berth.elb.send(new DescribeListenersCommand({ ListenerArns: [path.listener!.arn!] }));
    assert.equal(https.Protocol, 'HTTPS');
    assert.equal(https.Certificates?.[0]?.CertificateArn, path.certificate!.arn);
  });

  it('the scalable target and target-tracking policy are visible through Application Auto Scaling', async () => {
    const { ScalableTargets = [] } = await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/default/web'] }));
    assert.equal(ScalableTargets[0]?.MinCapacity, 2);
    assert.equal(ScalableTargets[0]?.MaxCapacity, 5);
    const { ScalingPolicies = [] } = await berth.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: 'service/default/web' }));
    const p = ScalingPolicies[0];
    assert.equal(p?.PolicyType, 'TargetTrackingScaling');
    assert.equal(p?.TargetTrackingScalingPolicyConfiguration?.TargetValue, 100);
    assert.equal(p?.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType, 'ALBRequestCountPerTarget');
    assert.match(p!.TargetTrackingScalingPolicyConfiguration!.PredefinedMetricSpecification!.ResourceLabel!, /^app\/ecs-express-gateway-alb-[0-9a-f]+\/[0-9a-f]+\/targetgroup\/ecs-gateway-tg-[0-9a-f]+\/[0-9a-f]+$/);
    assert.equal(p?.Alarms?.length, 2);
  });

  it('the service revision lists the managed resources; EC2 shows the security groups Express made', async () => {
    const { serviceRevisions: [rev] = [] } = await berth.ecs.send(new DescribeServiceRevisionsCommand({
      serviceRevisionArns: [created.activeConfigurations![0].serviceRevisionArn!],
    }));
    const m = rev.ecsManagedResources!;
    const path = m.ingressPaths![0];
    assert.equal(path.endpoint, created.activeConfigurations![0].ingressPaths![0].endpoint);
    assert.equal(path.loadBalancer?.status, 'ACTIVE');
    assert.equal(path.targetGroups?.[0]?.healthCheckPath, '/health');
    assert.equal(m.autoScaling?.scalableTarget?.maxCapacity, 5);
    assert.equal(m.autoScaling?.applicationAutoScalingPolicies?.[0]?.metric, 'ALBRequestCountPerTarget');
    assert.equal(m.metricAlarms?.length, 2);
    assert.equal(m.logGroups?.[0]?.logGroupName, created.activeConfigurations![0].primaryContainer!.awsLogsConfiguration!.logGroup);
    const ids = [...m.serviceSecurityGroups!, ...path.loadBalancerSecurityGroups!].map((g) => g.arn!.split('/').pop()!);
    const { SecurityGroups = [] } = await berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ids }));
    assert.equal(SecurityGroups.length, 2);
    const task = SecurityGroups.find((g) => g.GroupId === ids[0])!;
    assert.deepEqual(task.IpPermissions?.map((p) => [p.FromPort, p.UserIdGroupPairs?.[0]?.GroupId]), [[8080, ids[1]]]);
    assert.ok(task.Tags?.some((t) => t.Key === 'AmazonECSManaged'));
  });

  it('a second Express service in the cluster shares the load balancer with its own rule', async () => {
    ({ service: second } = await berth.ecs.send(new CreateExpressGatewayServiceCommand({
      serviceName: 'api', executionRoleArn: ROLE, infrastructureRoleArn: INFRA, primaryContainer: { image: 'example/api:1' },
      scalingTarget: { minTaskCount: 1, maxTaskCount: 2, autoScalingMetric: 'AVERAGE_MEMORY', autoScalingTargetValue: 70 },
    })) as { service: ECSExpressGatewayService });
    const managed = await berth.ecs.send(new ListServicesCommand({ cluster: 'default', resourceManagementType: 'ECS' }));
    assert.deepEqual(managed.serviceArns?.sort(), [second.serviceArn, created.serviceArn].sort());
    assert.deepEqual((await berth.ecs.send(new ListServicesCommand({ cluster: 'default', resourceManagementType: 'CUSTOMER' }))).serviceArns, []);
    const tgOf = async (s: ECSExpressGatewayService) => (await describeService(s)).loadBalancers![0].targetGroupArn!;
    const { TargetGroups = [] } = await berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [await tgOf(created), await tgOf(second)] }));
    assert.equal(TargetGroups.length, 2);
    assert.equal(TargetGroups[0].LoadBalancerArns![0], TargetGroups[1].LoadBalancerArns![0]);
    assert.equal(TargetGroups[1].Port, 80);
    assert.equal(TargetGroups[1].HealthCheckPath, '/');
  });

  it('awscli v1 (botocore 1.43 knows Express Mode; awscli 2.9 does not) describes the Express service', async () => {
    const r = await aws('v1', berth.endpoint, ['ecs', 'describe-express-gateway-service', '--service-arn', second.serviceArn!, '--include', 'TAGS']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.service.serviceName, 'api');
    assert.equal(r.json.service.status.statusCode, 'ACTIVE');
    assert.equal(r.json.service.activeConfigurations[0].scalingTarget.autoScalingMetric, 'AVERAGE_MEMORY');
    assert.deepEqual(r.json.service.tags, [{ key: 'AmazonECSManaged', value: 'true' }]);
  });

  it('UpdateExpressGatewayService rolls a new image out as a service deployment and changes scaling', async () => {
    const { service } = await berth.ecs.send(new UpdateExpressGatewayServiceCommand({
      serviceArn: created.serviceArn, primaryContainer: { image: 'example/web:2', containerPort: 8080 },
      scalingTarget: { maxTaskCount: 6 }, healthCheckPath: '/ready',
    }));
    assert.equal(service?.targetConfiguration?.primaryContainer?.image, 'example/web:2');
    assert.equal(service?.targetConfiguration?.scalingTarget?.maxTaskCount, 6);
    assert.match(service!.targetConfiguration!.taskDefinitionArn!, /task-definition\/web:2$/);
    const { serviceDeployments = [] } = await berth.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'default', service: 'web' }));
    assert.equal(serviceDeployments.length, 2);
    // The fake runtime's tasks never pass the load balancer's health checks, so the old deployment keeps serving
    // beside the new one: both configurations are active (the e2e test sees the rollout complete).
    const s = await until(() => describeService(created), (x) => x.taskDefinition!.endsWith('web:2') && x.deployments?.[0]?.runningCount === 2, 'new tasks running');
    assert.equal(s.deployments![0].status, 'PRIMARY');
    const { service: after } = await berth.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: created.serviceArn }));
    assert.deepEqual(after?.activeConfigurations?.map((c) => c.primaryContainer?.image), ['example/web:2', 'example/web:1']);
    assert.equal(after?.currentDeployment, serviceDeployments[0].serviceDeploymentArn);
    const { ScalableTargets = [] } = await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/default/web'] }));
    assert.equal(ScalableTargets[0]?.MaxCapacity, 6);
    const { TargetGroups: [tg] = [] } = await berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [s.loadBalancers![0].targetGroupArn!] }));
    assert.equal(tg.HealthCheckPath, '/ready');
  });

  it('bad input answers ECS errors', async () => {
    const base = { executionRoleArn: ROLE, infrastructureRoleArn: INFRA, primaryContainer: { image: 'example/x:1' } };
    await assert.rejects(berth.ecs.send(new CreateExpressGatewayServiceCommand({ ...base, primaryContainer: undefined })), InvalidParameterException);
    await assert.rejects(berth.ecs.send(new CreateExpressGatewayServiceCommand({ ...base, taskDefinitionArn: 'web:1' })), (e: Error) => e instanceof InvalidParameterException && /together with taskDefinitionArn/.test(e.message));
    await assert.rejects(berth.ecs.send(new CreateExpressGatewayServiceCommand({ ...base, scalingTarget: { minTaskCount: 3, maxTaskCount: 2 } })), InvalidParameterException);
    await assert.rejects(berth.ecs.send(new CreateExpressGatewayServiceCommand({ ...base, serviceName: 'web' })), InvalidParameterException);
    await assert.rejects(berth.ecs.send(new CreateExpressGatewayServiceCommand({ ...base, cluster: 'nope' })), ClusterNotFoundException);
    await assert.rejects(berth.ecs.send(new CreateExpressGatewayServiceCommand({ ...base, cpu: '3' })), ClientException);
    await assert.rejects(berth.ecs.send(new CreateExpressGatewayServiceCommand({ ...base, infrastructureRoleArn: undefined })), InvalidParameterException);
    await assert.rejects(berth.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/default/nope' })), ServiceNotFoundException);
  });

  it('DeleteExpressGatewayService drains the service and removes every resource Express made', async () => {
    const s = await describeService(created);
    const tgArn = s.loadBalancers![0].targetGroupArn!;
    const { serviceRevisions: [rev] = [] } = await berth.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [created.activeConfigurations![0].serviceRevisionArn!] }));
    const taskGroup = rev.ecsManagedResources!.serviceSecurityGroups![0].arn!.split('/').pop()!;
    const logGroup = rev.ecsManagedResources!.logGroups![0].logGroupName!;
    const { service } = await berth.ecs.send(new DeleteExpressGatewayServiceCommand({ serviceArn: created.serviceArn }));
    assert.equal(service?.status?.statusCode, 'DRAINING');
    await assert.rejects(berth.elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [tgArn] })), (e: Error) => e.name === 'TargetGroupNotFoundException');
    const { ScalableTargets = [] } = await berth.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: ['service/default/web'] }));
    assert.equal(ScalableTargets.length, 0);
    // The other service still uses the load balancer.
    const lbs = (await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
    assert.equal(lbs.length, 1);
    // Its certificate is gone; the HTTPS listener now serves the other service's by default.
    await assert.rejects(berth.acm.send(new DescribeCertificateCommand({ CertificateArn: rev.ecsManagedResources!.ingressPaths![0].certificate!.arn })), ResourceNotFoundException);
    const { serviceRevisions: [other] = [] } = await berth.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [second.activeConfigurations![0].serviceRevisionArn!] }));
    const { Certificates = [] } = await berth.elb.send(new DescribeListenerCertificatesCommand({ ListenerArn: rev.ecsManagedResources!.ingressPaths![0].listener!.arn }));
    assert.deepEqual(Certificates, [{ CertificateArn: other.ecsManagedResources!.ingressPaths![0].certificate!.arn, IsDefault: true }]);
    await until(
      async () => (await berth.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: created.serviceArn }))).service!,
      (x) => x.status?.statusCode === 'INACTIVE', 'INACTIVE');
    assert.equal((await describeService(created)).status, 'INACTIVE');
    await assert.rejects(berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [taskGroup] })), (e: Error) => e.name === 'InvalidGroup.NotFound');
    const { logGroups = [] } = await berth.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroup }));
    assert.equal(logGroups.length, 0);

    // The last Express service takes the load balancer and its security group with it.
    const lbGroup = lbs[0].SecurityGroups![0];
    await berth.ecs.send(new DeleteExpressGatewayServiceCommand({ serviceArn: second.serviceArn }));
    assert.equal((await berth.elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers?.length ?? 0, 0);
    await assert.rejects(berth.acm.send(new DescribeCertificateCommand({ CertificateArn: other.ecsManagedResources!.ingressPaths![0].certificate!.arn })), ResourceNotFoundException);
    await until(
      async () => (await berth.ecs.send(new DescribeExpressGatewayServiceCommand({ serviceArn: second.serviceArn }))).service!,
      (x) => x.status?.statusCode === 'INACTIVE', 'second INACTIVE');
    await assert.rejects(berth.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [lbGroup] })), (e: Error) => e.name === 'InvalidGroup.NotFound');
  });
});
