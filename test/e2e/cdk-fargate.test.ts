/**
 * Issue 22: `cdk deploy` of a CDK app with `ecs_patterns.ApplicationLoadBalancedFargateService` (fixtures/cdk/fargate:
 * a new VPC with public and private subnets and a NAT gateway, an image asset built from a local Dockerfile and pushed
 * to the bootstrap ECR repository, CPU and request-count scaling) with the real CDK CLI, on real Docker: the environment
 * is bootstrapped, the stack deploys and serves through the ALB's listener on 127.0.0.1, `cdk diff` finds nothing, and
 * `cdk destroy` removes it all. One test: each CLI run loads aws-cdk-lib (the synth alone is tens of seconds on a busy
 * machine), so the app is synthesized once (beside the bootstrap) and every later command reads that cloud assembly.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CloudFormationClient, DescribeStacksCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeAddressesCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ApplicationAutoScalingClient, DescribeScalingPoliciesCommand } from '@aws-sdk/client-application-auto-scaling';
import { DescribeServicesCommand, ECSClient, ListTasksCommand } from '@aws-sdk/client-ecs';
import { useBerth } from '../helpers/use-berth.js';
import { freePort, request } from '../helpers/elbv2.js';
import { cdk, cdkFargateApp, cdkSkipReason, type CdkApp, type CdkResult } from '../helpers/cdk.js';

const skip = cdkSkipReason();
const shown = (r: CdkResult) => `exit ${r.code}\n${r.output.slice(-6000)}`;

describe('cdk deploy of an ApplicationLoadBalancedFargateService app (issue 22)', { skip }, () => {
  let app: CdkApp | undefined;
  const berth = useBerth({ clients: { cfn: CloudFormationClient, ec2: EC2Client, ecs: ECSClient, aas: ApplicationAutoScalingClient } });
  after(() => app?.remove());

  it('bootstraps, deploys and serves through the ALB, diffs clean, and destroys to nothing', { timeout: 420_000 }, async () => {
    const port = await freePort();
    app = cdkFargateApp({ listenerPort: port });
    const [synth, bootstrap] = await Promise.all([
      cdk(berth.endpoint, ['synth', '-q', '-o', app.out], { cwd: app.dir, env: app.env, timeoutMs: 180_000 }),
      cdk(berth.endpoint, ['bootstrap', 'aws://000000000000/us-east-1'], { env: app.env, timeoutMs: 180_000 }),
    ]);
    assert.equal(synth.code, 0, shown(synth));
    assert.equal(bootstrap.code, 0, shown(bootstrap));

    const deploy = await cdk(berth.endpoint, ['deploy', '--app', app.out, '--require-approval', 'never'], { env: app.env, timeoutMs: 150_000 });
    assert.equal(deploy.code, 0, shown(deploy));
    const stack = (await berth.cfn.send(new DescribeStacksCommand({ StackName: 'BerthWeb' }))).Stacks![0];
    assert.equal(stack.StackStatus, 'CREATE_COMPLETE');
    // CloudFormation completed the service once it was stable: it answers through the listener at once.
    const res = await request(port, '/');
    assert.deepEqual([res.status, res.body.trim()], [200, 'served by cdk']);

    // The task runs the asset image the CLI built and pushed to the bootstrap repository.
    const resources = (await berth.cfn.send(new ListStackResourcesCommand({ StackName: 'BerthWeb' }))).StackResourceSummaries!;
    const physical = (type: string) => resources.filter((r) => r.ResourceType === type).map((r) => r.PhysicalResourceId!);
    const [serviceArn] = physical('AWS::ECS::Service');
    const [cluster] = physical('AWS::ECS::Cluster');
    const service = (await berth.ecs.send(new DescribeServicesCommand({ cluster, services: [serviceArn] }))).services![0];
    assert.equal(service.runningCount, 1);
    const taskArns = (await berth.ecs.send(new ListTasksCommand({ cluster, serviceName: service.serviceName }))).taskArns!;
    // The NAT gateway is available with the EIP; the private subnets route through it.
    const [natId] = physical('AWS::EC2::NatGateway');
    const nat = (await berth.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }))).NatGateways![0];
    assert.equal(nat.State, 'available');
    assert.equal(nat.NatGatewayAddresses![0].PublicIp, physical('AWS::EC2::EIP')[0]);
    const viaNat = (await berth.ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.nat-gateway-id', Values: [natId] }] }))).RouteTables!;
    assert.equal(viaNat.length, 2);
    const policies = (await berth.aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs' }))).ScalingPolicies!;
    assert.deepEqual(policies.map((p) => p.TargetTrackingScalingPolicyConfiguration?.PredefinedMetricSpecification?.PredefinedMetricType).sort(),
      ['ALBRequestCountPerTarget', 'ECSServiceAverageCPUUtilization']);

    const diff = await cdk(berth.endpoint, ['diff', '--app', app.out], { env: app.env, timeoutMs: 90_000 });
    assert.equal(diff.code, 0, shown(diff));
    assert.match(diff.output, /There were no differences/);
    assert.doesNotMatch(diff.output, /Could not create a change set/, 'the diff came from a change set, as against AWS');

    const destroy = await cdk(berth.endpoint, ['destroy', '--app', app.out, '--force'], { env: app.env, timeoutMs: 120_000 });
    assert.equal(destroy.code, 0, shown(destroy));
    const [gone] = (await berth.cfn.send(new DescribeStacksCommand({ StackName: stack.StackId }))).Stacks!;
    assert.equal(gone.StackStatus, 'DELETE_COMPLETE');
    assert.deepEqual((await berth.ec2.send(new DescribeAddressesCommand({}))).Addresses, []);
    const nats = (await berth.ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways!;
    assert.deepEqual(nats.map((g) => g.State), ['deleted']);
    for (const arn of taskArns) {
      const left = execFileSync('docker', ['ps', '-aq', '--filter', `label=berth.task-arn=${arn}`], { encoding: 'utf8' }).trim();
      assert.equal(left, '', `containers of ${arn} remain`);
    }
    await assert.rejects(request(port, '/'), 'the listener port is closed');
  });
});
