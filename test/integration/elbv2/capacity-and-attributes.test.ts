/**
 * ELBv2 LCU reservations (DescribeCapacityReservation / ModifyCapacityReservation) and the documented
 * load-balancer attribute keys of ALBs and NLBs, through the v3 SDK and both AWS CLIs.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLoadBalancerCommand, DescribeCapacityReservationCommand, DescribeLoadBalancerAttributesCommand, ElasticLoadBalancingV2Client,
  ModifyCapacityReservationCommand, ModifyLoadBalancerAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { aws, CLIS, cliAvailable, type CliName } from '../../helpers/cli.js';
import { defaultSubnets, rejectsWith } from '../../helpers/elbv2.js';
import { useBerth } from '../../helpers/use-berth.js';

describe('ELBv2 capacity reservations and load balancer attributes', () => {
  const berth = useBerth({ runtime: 'fake', clients: { elb: ElasticLoadBalancingV2Client } });
  let alb: string;
  let nlb: string;
  let internalNlb: string;

  before(async () => {
    const subnets = await defaultSubnets(berth.endpoint);
    const create = async (Name: string, Type: 'application' | 'network', Scheme?: 'internal') =>
      (await berth.elb.send(new CreateLoadBalancerCommand({ Name, Type, Scheme, Subnets: subnets.ids.slice(0, 2) }))).LoadBalancers![0].LoadBalancerArn!;
    alb = await create('cap-alb', 'application');
    nlb = await create('cap-nlb', 'network');
    internalNlb = await create('cap-nlb-int', 'network', 'internal');
  });

  const attrs = async (LoadBalancerArn: string) =>
    Object.fromEntries((await berth.elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn }))).Attributes!.map((a) => [a.Key!, a.Value!]));

  it('DescribeCapacityReservation of a load balancer without one reports two decreases left and no zones', async () => {
    const out = await berth.elb.send(new DescribeCapacityReservationCommand({ LoadBalancerArn: alb }));
    assert.equal(out.DecreaseRequestsRemaining, 2);
    assert.deepEqual(out.CapacityReservationState, []);
    assert.equal(out.MinimumLoadBalancerCapacity, undefined);
  });

  it('ModifyCapacityReservation provisions the units evenly across the zones; decreases are counted, two a day', async () => {
    const set = await berth.elb.send(new ModifyCapacityReservationCommand({ LoadBalancerArn: alb, MinimumLoadBalancerCapacity: { CapacityUnits: 3000 } }));
    assert.equal(set.MinimumLoadBalancerCapacity?.CapacityUnits, 3000);
    assert.equal(set.CapacityReservationState?.length, 2);
    for (const z of set.CapacityReservationState!) {
      assert.equal(z.State?.Code, 'provisioned');
      assert.equal(z.EffectiveCapacityUnits, 1500);
      assert.match(z.AvailabilityZone!, /^us-east-1[a-f]$/);
    }
    assert.ok(set.LastModifiedTime instanceof Date);
    const described = await berth.elb.send(new DescribeCapacityReservationCommand({ LoadBalancerArn: alb }));
    assert.equal(described.MinimumLoadBalancerCapacity?.CapacityUnits, 3000);

    // Increasing is free; decreasing twice uses the day's allowance; a reset is a decrease too.
    await berth.elb.send(new ModifyCapacityReservationCommand({ LoadBalancerArn: alb, MinimumLoadBalancerCapacity: { CapacityUnits: 5000 } }));
    const down = await berth.elb.send(new ModifyCapacityReservationCommand({ LoadBalancerArn: alb, MinimumLoadBalancerCapacity: { CapacityUnits: 4000 } }));
    assert.equal(down.DecreaseRequestsRemaining, 1);
    const reset = await berth.elb.send(new ModifyCapacityReservationCommand({ LoadBalancerArn: alb, ResetCapacityReservation: true }));
    assert.equal(reset.DecreaseRequestsRemaining, 0);
    assert.equal(reset.MinimumLoadBalancerCapacity, undefined);
    assert.deepEqual(reset.CapacityReservationState, []);
    await berth.elb.send(new ModifyCapacityReservationCommand({ LoadBalancerArn: alb, MinimumLoadBalancerCapacity: { CapacityUnits: 200 } }));
    await rejectsWith(
      berth.elb.send(new ModifyCapacityReservationCommand({ LoadBalancerArn: alb, MinimumLoadBalancerCapacity: { CapacityUnits: 100 } })),
      'CapacityDecreaseRequestsLimitExceededException',
    );
  });

  it('ModifyCapacityReservation needs exactly one of a capacity and a reset', async () => {
    await rejectsWith(berth.elb.send(new ModifyCapacityReservationCommand({ LoadBalancerArn: nlb })), 'ValidationError');
    await rejectsWith(
      berth.elb.send(new ModifyCapacityReservationCommand({ LoadBalancerArn: nlb, MinimumLoadBalancerCapacity: { CapacityUnits: 10 }, ResetCapacityReservation: true })),
      'ValidationError',
    );
    await rejectsWith(berth.elb.send(new DescribeCapacityReservationCommand({ LoadBalancerArn: nlb.replace(/\/[0-9a-f]{16}$/, '/0000000000000000') })), 'LoadBalancerNotFoundException');
  });

  it('an NLB reports and accepts secondary_ips.auto_assigned.per_subnet (0-7) and ipv6.deny_all_igw_traffic', async () => {
    const before = await attrs(nlb);
    assert.equal(before['secondary_ips.auto_assigned.per_subnet'], '0');
    assert.equal(before['ipv6.deny_all_igw_traffic'], 'false');
    assert.equal((await attrs(internalNlb))['ipv6.deny_all_igw_traffic'], 'true');
    const out = await berth.elb.send(new ModifyLoadBalancerAttributesCommand({
      LoadBalancerArn: nlb, Attributes: [{ Key: 'secondary_ips.auto_assigned.per_subnet', Value: '7' }],
    }));
    assert.equal(out.Attributes?.find((a) => a.Key === 'secondary_ips.auto_assigned.per_subnet')?.Value, '7');
    await rejectsWith(
      berth.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: nlb, Attributes: [{ Key: 'secondary_ips.auto_assigned.per_subnet', Value: '8' }] })),
      'ValidationError',
    );
  });

  it('an ALB reports ipv6.deny_all_igw_traffic and refuses NLB-only keys', async () => {
    assert.equal((await attrs(alb))['ipv6.deny_all_igw_traffic'], 'false');
    await berth.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb, Attributes: [{ Key: 'ipv6.deny_all_igw_traffic', Value: 'true' }] }));
    assert.equal((await attrs(alb))['ipv6.deny_all_igw_traffic'], 'true');
    await rejectsWith(
      berth.elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb, Attributes: [{ Key: 'secondary_ips.auto_assigned.per_subnet', Value: '1' }] })),
      'ValidationError',
    );
  });
});

for (const name of ['v2', 'v1'] as CliName[]) {
  describe(`ELBv2 capacity reservations through ${CLIS[name].name}`, { skip: !cliAvailable(name) && `${CLIS[name].name} is not installed` }, () => {
    const berth = useBerth({ runtime: 'fake' });
    const run = async (args: string[]) => {
      const r = await aws(name, berth.endpoint, ['elbv2', ...args]);
      assert.equal(r.code, 0, `aws elbv2 ${args.join(' ')}: ${r.stderr}`);
      return r.json;
    };

    it('modify-capacity-reservation and describe-capacity-reservation round-trip (botocore); the NLB attribute is accepted', async () => {
      const { ids } = await defaultSubnets(berth.endpoint);
      const lb = (await run(['create-load-balancer', '--name', `cli-${name}`, '--type', 'network', '--subnets', ...ids.slice(0, 2)])).LoadBalancers[0];
      // awscli 2.9 predates LCU reservations (2024): only its attribute call is exercised.
      if (name === 'v1') {
        const set = await run(['modify-capacity-reservation', '--load-balancer-arn', lb.LoadBalancerArn, '--minimum-load-balancer-capacity', 'CapacityUnits=3000']);
        assert.equal(set.MinimumLoadBalancerCapacity.CapacityUnits, 3000);
        const got = await run(['describe-capacity-reservation', '--load-balancer-arn', lb.LoadBalancerArn]);
        assert.equal(got.CapacityReservationState.length, 2);
        assert.equal(got.CapacityReservationState[0].State.Code, 'provisioned');
        assert.equal(got.DecreaseRequestsRemaining, 2);
        const reset = await run(['modify-capacity-reservation', '--load-balancer-arn', lb.LoadBalancerArn, '--reset-capacity-reservation']);
        assert.equal(reset.DecreaseRequestsRemaining, 1);
      }
      const attrs = await run([
        'modify-load-balancer-attributes', '--load-balancer-arn', lb.LoadBalancerArn, '--attributes', 'Key=secondary_ips.auto_assigned.per_subnet,Value=2',
      ]);
      assert.ok(attrs.Attributes.some((a: { Key: string; Value: string }) => a.Key === 'secondary_ips.auto_assigned.per_subnet' && a.Value === '2'));
    });
  });
}
